"""The `citebot` offline harness: ask, batch, errors, and the main job without a token.

Most runs are in this process (the ``citebot`` fixture); what only a new process shows (the main
job as `make run` starts it, `.env` in the working folder, worker processes, a closed pipe) runs
as one (:func:`tests.bot.conftest.run_citebot`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bot.conftest import Ran, run_citebot, user_environment
from tests.conftest import PROJECT_ROOT

NOT_BASED = "ballerina-not-based-on-true-story.md"
INSPIRED = "ballerina-inspired-by-nth-room.md"
Citebot = Callable[..., Ran]


@pytest.fixture
def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"CITEBOT_CACHE_DIR": str(tmp_path / "cache")}


def batch_input(*lines: object) -> bytes:
    """JSON lines (strings as they are), as a file piped into `citebot batch`."""
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines).encode()


def test_ask_prints_one_cited_block_per_source(citebot: Citebot) -> None:
    """The text answer numbers each source, names title and publisher, and quotes both articles."""
    result = citebot("ask", "Is Ballerina based on a true story?")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1]" in out and "[2]" in out
    assert "Is Ballerina (2023) on Netflix Based on a True Story? — TV Acute, Olivia Wilson" in out
    assert "Nth Room" in out and "not based on real-life events" in out


def test_ask_json_has_the_documented_keys(citebot: Citebot, default_engine) -> None:
    """--json prints one object with every documented key; each quote is the document's
    text[start:end] (the text after the front matter) and each conflict quotes shown text."""
    result = citebot("ask", "Is Ballerina based on a true story?", "--json")
    answer = json.loads(result.stdout)
    assert answer["status"] == "answered" and answer["question"] == "Is Ballerina based on a true story?"
    assert {"claim", "disagreement", "conflicts", "single_source"} <= answer.keys()
    assert answer["disagreement"] is True and answer["single_source"] is False
    shown = set()
    for source in answer["sources"]:
        assert {
            "id",
            "title",
            "url",
            "publisher",
            "author",
            "score",
            "path",
            "stance",
            "quotes",
        } <= source.keys()
        assert isinstance(source["score"], float) and source["stance"] in {"supports", "refutes", "discusses"}
        text = default_engine.document(source["id"]).text
        for quote in source["quotes"]:
            assert text[quote["start"] : quote["end"]] == quote["text"]
            shown.add(quote["text"])
    for conflict in answer["conflicts"]:
        assert {"sources", "quotes", "reason"} <= conflict.keys()
        assert {quote["text"] for quote in conflict["quotes"]} <= shown


def test_ask_without_coverage_says_so(citebot: Citebot) -> None:
    """A question no source covers prints the honest no-answer line and lists nothing."""
    result = citebot("ask", "What is the capital of France?")
    assert result.returncode == 0
    assert "No source in the corpus covers this." in result.stdout and "[1]" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "the question is empty"),
        (["ask", "x" * 20_000], "too long"),
        (["ask", "anything", "--corpus", "/no/such/corpus"], "corpus not found"),
        (["ask", "anything", "--max-sources", "0"], "must be at least 1"),
        (["ask", "anything", "--corpus", ""], "needs a folder, a file or a configured corpus's name"),
        (["index", "--corpus", " "], "needs a folder, a file or a configured corpus's name"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_code_2(
    args: list[str], message: str, citebot: Citebot
) -> None:
    """User errors print a single clear line, never a traceback, and exit with code 2."""
    result = citebot(*args)
    assert result.returncode == 2
    [error] = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert message in error and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_corpus_from_environment_overrides_the_default(tmp_path: Path, cache_env) -> None:
    """CITEBOT_CORPUS (here via .env) points the harness at another corpus."""
    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "owls.txt").write_text("Owls\n\nThe snowy owl hunts lemmings on the Arctic tundra.")
    (tmp_path / ".env").write_text(f"CITEBOT_CORPUS={corpus}\n")
    result = run_citebot("ask", "What does the snowy owl hunt?", "--json", env=cache_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sources"][0]["id"] == "owls.txt"


def test_batch_answers_in_order_and_survives_bad_lines(citebot: Citebot) -> None:
    """Each input line gets one output line in order; bad lines get an error and the batch goes on."""
    lines = [
        {"id": "q1", "question": "Is Ballerina based on a true story?"},
        "this is not json",
        {"id": "q3"},
        {"id": "q4", "question": ""},
        {"id": "q5", "question": "What is the capital of France?"},
        {"id": "q6", "question": "Who plays Choi Pro?"},
        {"id": "q7", "question": 42},
    ]
    result = citebot("batch", "--jobs", "1", stdin=batch_input(*lines))
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in outputs] == ["q1", None, "q3", "q4", "q5", "q6", "q7"]
    assert outputs[0]["status"] == "answered" and len(outputs[0]["sources"]) == 2
    assert "not valid JSON" in outputs[1]["error"]
    assert outputs[2]["error"].startswith("missing 'question'") and "empty" in outputs[3]["error"]
    assert outputs[6]["error"].startswith("'question' must be a string")
    assert outputs[4]["status"] == "no_answer" and outputs[5]["status"] == "answered"


def test_batch_line_with_its_own_documents_is_answered_from_them_alone(citebot: Citebot) -> None:
    """Inline documents replace the corpus for that line only; malformed ones give an error line."""
    own = {
        "id": "own",
        "question": "Is Ballerina based on a true story?",
        "documents": [
            {
                "id": "d1",
                "title": "Review",
                "text": "Ballerina is based on a true story, the director said.",
                "url": "https://r.example/1",
            },
            {"id": "d2", "title": "Other", "text": "Penguins live in Antarctica."},
        ],
    }
    broken = {"id": "broken", "question": "q?", "documents": [{"title": "no id or text"}]}
    after = {"id": "after", "question": "Is Ballerina based on a true story?"}
    result = citebot("batch", "--jobs", "1", stdin=batch_input(own, broken, after))
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["id"] for s in outputs[0]["sources"]] == ["d1"]
    assert outputs[0]["sources"][0]["url"] == "https://r.example/1"
    assert "documents[0]" in outputs[1]["error"]
    assert {s["id"] for s in outputs[2]["sources"]} == {NOT_BASED, INSPIRED}


def test_main_job_without_token_answers_offline_and_says_how_to_connect(cache_env) -> None:
    """`citebot` with no token (what `make run` starts, in a new process) runs the sample question on the
    default corpus and explains DISCORD_TOKEN."""
    result = run_citebot(env=cache_env)
    assert result.returncode == 0, result.stderr
    assert "DISCORD_TOKEN" in result.stderr
    assert "Is Ballerina based on a true story?" in result.stdout and "Nth Room" in result.stdout


def test_broken_corpus_file_is_warned_about_and_the_rest_answers(tmp_path: Path, citebot: Citebot) -> None:
    """A corrupt file is named in one warning on stderr; answers still come from the good files."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Owls\n\nThe snowy owl hunts lemmings on the Arctic tundra.")
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00\x81")
    result = citebot("ask", "What does the snowy owl hunt?", "--corpus", str(corpus))
    assert result.returncode == 0
    assert result.stderr.count("bad.txt") == 1 and "warning" in result.stderr
    assert "lemmings" in result.stdout


def test_train_stance_takes_its_own_options(citebot: Citebot) -> None:
    """`citebot train-stance --help` shows the trainer's options (data folder, output, seed)."""
    result = citebot("train-stance", "--help")
    assert result.returncode == 0
    assert "--data-dir" in result.stdout and "--seed" in result.stdout


def test_a_usage_error_is_one_line(citebot: Citebot) -> None:
    """A missing argument is one line on stderr with exit code 2, not a usage dump."""
    result = citebot("ask")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "question" in result.stderr


def test_batch_survives_undecodable_bytes_odd_ids_and_deep_nesting(citebot: Citebot) -> None:
    """Non-UTF-8 bytes, a lone-surrogate id and absurdly nested JSON each get an error or an
    answer line; the lines around them are still answered, in order, as valid JSON."""
    good = json.dumps({"id": "good", "question": "Who plays Choi Pro?"}).encode()
    lines = [
        good,
        b'{"id": "bytes", "question": "caf\xe9?"}',
        b'{"id": "\\ud800", "question": "Is Ballerina based on a true story?"}',
        b"[" * 100_000,
        good.replace(b'"good"', b'"last"'),
    ]
    result = citebot("batch", "--jobs", "1", stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr
    # ASCII: written as is to any stdout, even one that refuses lone surrogates (utf-8:strict).
    outputs = [json.loads(line) for line in result.stdout.encode("ascii").decode().splitlines()]
    assert len(outputs) == 5
    assert outputs[0]["id"] == "good" and outputs[0]["status"] == "answered"
    assert "UTF-8" in outputs[1]["error"]
    assert outputs[2]["id"] == "\ud800" and outputs[2]["status"] == "answered"
    assert "nested too deeply" in outputs[3]["error"]
    assert outputs[4]["id"] == "last" and outputs[4]["status"] == "answered"


def test_batch_over_several_workers_keeps_input_order(cache_env, citebot: Citebot) -> None:
    """Hundreds of lines over two worker processes come back in input order, as with one."""
    questions = [
        "Is Ballerina based on a true story?",
        "Who plays Choi Pro?",
        "What is the capital of France?",
    ]
    stdin = "".join(json.dumps({"id": n, "question": questions[n % 3]}) + "\n" for n in range(300))
    two = run_citebot("batch", "--jobs", "2", stdin=stdin, env=cache_env)
    one = citebot("batch", "--jobs", "1", stdin=stdin.encode())
    assert two.returncode == one.returncode == 0
    assert [json.loads(line)["id"] for line in two.stdout.splitlines()] == list(range(300))
    assert two.stdout == one.stdout


def test_batch_into_a_closed_pipe_stops_quietly(cache_env, tmp_path: Path) -> None:
    """`citebot batch | head -1`: the reader leaves early and citebot stops without a traceback."""
    (tmp_path / "q.jsonl").write_text(
        "".join(json.dumps({"id": n, "question": "Who plays Choi Pro?"}) + "\n" for n in range(2000))
    )
    result = subprocess.run(
        f"{sys.executable} -m bot.cli batch < {tmp_path / 'q.jsonl'} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env=user_environment(cache_env),
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert json.loads(result.stdout)["id"] == 0
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
