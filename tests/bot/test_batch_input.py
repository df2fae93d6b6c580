"""`citebot batch` on hostile lines: strict JSON out, one line out per line in, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bot.conftest import Ran, run_citebot

QUESTION = "Is Ballerina based on a true story?"


def strict_json(line: str) -> object:
    """Parse as RFC 8259 JSON: NaN and Infinity (which Python's json accepts) are refused."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(line, parse_constant=refuse)


@pytest.fixture
def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"CITEBOT_CACHE_DIR": str(tmp_path / "cache")}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ids_that_are_not_finite_numbers_get_strict_json_error_lines(
    jobs: str, cache_env: dict[str, str], citebot: Callable[..., Ran]
) -> None:
    """NaN, Infinity, -Infinity and 1e999 as ids: each line gets an error line that is strict
    JSON (never `{"id": NaN}`), and the next line is still answered; in this process with one job,
    over two worker processes with two."""
    lines = [
        f'{{"id": {bad}, "question": "{QUESTION}"}}' for bad in ("NaN", "Infinity", "-Infinity", "1e999")
    ]
    lines.append(json.dumps({"id": "after", "question": QUESTION}))
    stdin = "\n".join(lines) + "\n"
    result = (
        citebot("batch", "--jobs", "1", stdin=stdin.encode())
        if jobs == "1"
        else run_citebot("batch", "--jobs", jobs, stdin=stdin, env=cache_env)
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr
    outputs = [strict_json(line) for line in result.stdout.splitlines()]
    assert len(outputs) == 5
    for output, bad in zip(outputs[:4], ("NaN", "Infinity", "-Infinity", "1e999"), strict=True):
        assert output["id"] is None and "not valid JSON" in output["error"] and bad in output["error"]
    assert outputs[4]["id"] == "after" and outputs[4]["status"] == "answered"


def test_an_id_of_4301_digits_costs_only_its_line(citebot: Callable[..., Ran]) -> None:
    """An integer id longer than Python converts (4,300 digits) is an error line saying so; the
    batch goes on with exit code 0 instead of dying with a traceback."""
    stdin = (
        '{"id": ' + "9" * 4_301 + ', "question": "x"}\n' + json.dumps({"id": 2, "question": QUESTION}) + "\n"
    )
    result = citebot("batch", "--jobs", "1", stdin=stdin.encode())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    first, second = (strict_json(line) for line in result.stdout.splitlines())
    assert first["id"] is None and "4,300 digits" in first["error"]
    assert second["id"] == 2 and second["status"] == "answered"


def test_every_input_line_gets_one_output_line_even_a_blank_one(citebot: Callable[..., Ran]) -> None:
    """Empty and whitespace-only lines each get an error line in their place, as the README
    promises one answer per line: line N of the output always answers line N of the input."""
    lines = [
        json.dumps({"id": 1, "question": QUESTION}),
        "",
        "   \t ",
        json.dumps({"id": 4, "question": QUESTION}),
    ]
    result = citebot("batch", "--jobs", "1", stdin=("\n".join(lines) + "\n").encode())
    assert result.returncode == 0
    outputs = [strict_json(line) for line in result.stdout.splitlines()]
    assert [output["id"] for output in outputs] == [1, None, None, 4]
    assert all("empty line" in output["error"] for output in outputs[1:3])


def test_inline_documents_without_a_sentence_are_answered(citebot: Callable[..., Ran]) -> None:
    """A line whose own documents hold no sentence ("...", an emoji) gets an answer (no source
    covers it), not "could not answer this line"."""
    documents = [
        {"id": "a", "title": "Dots", "text": "..."},
        {"id": "b", "title": "Smile", "text": "\U0001f600"},
    ]
    stdin = json.dumps({"id": 1, "question": QUESTION, "documents": documents}) + "\n"
    result = citebot("batch", "--jobs", "1", stdin=stdin.encode())
    [output] = [strict_json(line) for line in result.stdout.splitlines()]
    assert output["id"] == 1 and output["status"] == "no_answer", output
