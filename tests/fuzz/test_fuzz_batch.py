"""Fuzzing `citebot batch`: any line in, exactly one strict-JSON line out, in order; the command
exits 0 with no traceback and no hang, whatever the lines hold."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import answered_lines
from retrieval.engine import Engine
from tests.conftest import PROJECT_ROOT
from tests.fuzz.profile import TIMEOUT, fuzz, tally
from tests.fuzz.strategies import RAW_LINES, batch_lines

pytestmark = pytest.mark.timeout(TIMEOUT)


def strict_json(line: str) -> object:
    """Parse as RFC 8259 JSON: NaN and Infinity, which Python's json would accept, are refused.

    With room for nesting: an id 900 levels deep is valid JSON the bot may echo, and this runs
    deep inside pytest's and hypothesis' own frames."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    with room_to_recurse():
        return json.loads(line, parse_constant=refuse)


@contextlib.contextmanager
def room_to_recurse() -> Iterator[None]:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def echoable_id(line: bytes) -> tuple[bool, object]:
    """(True, id) when the line is a JSON object whose id can be written back as strict JSON
    (1e999 parses to infinity, which cannot)."""
    try:
        request = strict_json(line.decode("utf-8"))
        if not isinstance(request, dict):
            return False, None
        json.dumps(request.get("id"), allow_nan=False)
    except (ValueError, RecursionError):
        return False, None
    return True, request.get("id")


def check_output(lines: list[bytes], outputs: list[str], engine: Engine | None) -> None:
    assert len(outputs) == len(lines), "one output line per input line"
    with room_to_recurse():
        for line, output in zip(lines, outputs, strict=True):
            check_line(line, output, engine)


def check_line(line: bytes, output: str, engine: Engine | None) -> None:
    """The output for one line: one strict-JSON object, an error or an answer, its id echoed,
    its quotes verbatim."""
    assert "\n" not in output
    result = strict_json(output)
    assert isinstance(result, dict) and "id" in result
    assert ("error" in result) != ("status" in result), result
    if "error" in result:
        assert isinstance(result["error"], str) and result["error"]
    else:
        assert result["status"] in {"answered", "no_answer"}
    echoable, expected = echoable_id(line)
    # JSON nested deeper than the bot reads (or writes back) is an error line without its id.
    too_deep = "nested too deeply" in result.get("error", "")
    if echoable and not too_deep:
        assert result["id"] == expected, (line[:200], result)
    if engine is not None and result.get("status") == "answered" and b'"documents"' not in line:
        for source in result["sources"]:
            text = engine.document(source["id"]).text
            for quote in source["quotes"]:
                assert text[quote["start"] : quote["end"]] == quote["text"]


@fuzz(300)
@given(st.lists(batch_lines(), min_size=1, max_size=6))
def test_every_line_gets_one_strict_json_line_in_order(default_engine: Engine, lines: list[bytes]) -> None:
    """Generated lines (any JSON value as id, any question, nested and huge values, inline
    documents with odd fields, raw bytes, NaN and 4,301-digit numbers) answered in one process:
    one strict-JSON object per line, ids echoed, quotes verbatim."""
    tally("examples")
    tally("batch lines", len(lines))
    outputs = list(answered_lines(lines, default_engine, 5, jobs=1))
    check_output(lines, outputs, default_engine)


@pytest.mark.parametrize("jobs", ["1", "2"])
@fuzz(1)
@given(lines=st.lists(batch_lines(), min_size=20, max_size=40))
def test_the_command_exits_0_without_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, jobs: str, lines: list[bytes]
) -> None:
    """The same lines, plus every raw hostile line, through `citebot batch` as a process (one or
    two workers): exit code 0, no traceback, one strict-JSON line per input line."""
    lines = [*lines, *RAW_LINES]
    tally("examples")
    tally("batch lines (command)", len(lines))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "DISCORD_"))}
    env["CITEBOT_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "fuzz-batch-cache")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "batch", "--jobs", jobs],
            input=b"\n".join(lines) + b"\n",
            capture_output=True,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("citebot batch hung")
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr
    check_output(lines, result.stdout.decode("ascii").splitlines(), None)
