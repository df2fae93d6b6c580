"""Which files make up a corpus: odd files, odd names, deep trees and links never cost the
rest of the corpus, never hang start-up, and never read what lies outside the corpus."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.corpus.documents import load_documents
from retrieval.corpus.files import corpus_files
from retrieval.engine import Engine
from tests.conftest import DEFAULT_CORPUS, PROJECT_ROOT
from tests.trees import mkdir_deep, remove_tree

NOT_BASED = "ballerina-not-based-on-true-story.md"
OWLS = "Owls\n\nThe snowy owl hunts lemmings on the Arctic tundra."


def _load(root: Path, **options: bool) -> tuple[dict[str, str], list[str]]:
    """The documents' ids → texts, and the warnings, of loading ``root``."""
    warnings: list[str] = []
    documents = load_documents(root, warnings.append, **options)
    return {document.id: document.text for document in documents}, warnings


def _engine(root: Path, cache: Path, **options: bool) -> tuple[Engine, list[str]]:
    warnings: list[str] = []
    return Engine.from_path(root, cache_dir=cache, warn=warnings.append, **options), warnings


def _copy_default_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".citebot-cache"))
    return corpus


def test_a_fifo_named_like_an_article_is_skipped_and_start_up_does_not_hang(tmp_path: Path) -> None:
    """`mkfifo corpus/pipe.txt`: `citebot ask` answers from the rest with one warning naming
    the FIFO, instead of waiting for ever for someone to write into it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "owls.txt").write_text(OWLS)
    os.mkfifo(corpus / "pipe.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "DISCORD_"))}
    env["CITEBOT_CACHE_DIR"] = str(tmp_path / "cache")
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "ask",
                "What does the snowy owl hunt?",
                "--corpus",
                str(corpus),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("start-up hung on a FIFO in the corpus")
    assert result.returncode == 0, result.stderr
    assert "lemmings" in result.stdout
    assert result.stderr.count("pipe.txt") == 1 and "FIFO" in result.stderr


def test_sockets_and_links_to_devices_are_skipped_with_a_warning(tmp_path: Path) -> None:
    """A socket and a link to /dev/zero named like articles are each one warning; nothing else is lost."""
    (tmp_path / "owls.txt").write_text(OWLS)
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "sock.md"))
        (tmp_path / "zero.txt").symlink_to("/dev/zero")
        texts, warnings = _load(tmp_path, follow_outside_links=True)
    assert list(texts) == ["owls.txt"]
    assert any("sock.md" in w and "socket" in w for w in warnings)
    assert any("zero.txt" in w and "device" in w for w in warnings)


def test_a_file_name_that_is_not_utf8_loads_and_caches(tmp_path: Path) -> None:
    """`caf\\xe9.txt` (Latin-1 bytes in the name) loads with the id `caf\\xe9.txt` as text, next to
    the other files; the index is saved and a warm start finds the same documents."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "owls.txt").write_text(OWLS)
    with open(os.fsencode(corpus) + b"/caf\xe9.txt", "w") as handle:
        handle.write("Cafe\n\nThe cafe serves espresso to the snowy owl.")
    cache = tmp_path / "cache"
    cold, warnings = _engine(corpus, cache)
    assert sorted(document.id for document in cold.documents) == ["caf\\xe9.txt", "owls.txt"]
    assert warnings == []
    warm, warnings = _engine(corpus, cache)
    assert type(warm.documents).__name__ == "GenerationDocuments" and warnings == []
    assert warm.document("caf\\xe9.txt") is not None
    json.dumps([document.to_dict() for document in warm.documents], ensure_ascii=False).encode("utf-8")


def test_folders_nested_a_thousand_deep_load(tmp_path: Path) -> None:
    """A file under 1,000 nested folders loads (no RecursionError), and so does the rest."""
    (tmp_path / "owls.txt").write_text(OWLS)
    (mkdir_deep(tmp_path, 1_000) / "deep.txt").write_text("Deep\n\nThe deepest article of all.")
    try:
        texts, warnings = _load(tmp_path)
    finally:
        remove_tree(tmp_path / "d")
    assert len(texts) == 2 and "owls.txt" in texts
    assert any(doc_id.endswith("/d/deep.txt") and doc_id.count("/") == 1_000 for doc_id in texts)
    assert warnings == []


def test_a_link_out_of_the_corpus_is_not_read_unless_allowed(tmp_path: Path) -> None:
    """A link to a file (or folder) outside the corpus is skipped with a warning saying how to
    allow it, and its text is never quoted; with follow_outside_links it is read."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "owls.txt").write_text(OWLS)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n\nThe launch code is swordfish.")
    (corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus / "elsewhere").symlink_to(outside)
    (corpus / "etc-passwd.txt").symlink_to("/etc/passwd")
    texts, warnings = _load(corpus)
    assert list(texts) == ["owls.txt"]
    for name in ("passwd.txt", "elsewhere", "etc-passwd.txt"):
        [warning] = [w for w in warnings if w.startswith(f"skipped {name}:")]
        assert "outside the corpus" in warning and "CITEBOT_FOLLOW_OUTSIDE_LINKS" in warning
    engine, _ = _engine(corpus, tmp_path / "cache")
    assert engine.ask("What is the launch code?").status == "no_answer"

    allowed, _ = _load(corpus, follow_outside_links=True)
    assert {"passwd.txt", "elsewhere/secret.txt", "owls.txt"} <= set(allowed)
    allowed_engine, _ = _engine(corpus, tmp_path / "cache", follow_outside_links=True)
    assert allowed_engine.ask("What is the launch code?").status == "answered"


def test_the_outside_links_setting_reaches_the_command(tmp_path: Path) -> None:
    """CITEBOT_FOLLOW_OUTSIDE_LINKS=1 in the environment lets `citebot ask` read a linked article."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "owls.txt").write_text(OWLS)
    (tmp_path / "shared.txt").write_text("Shared\n\nThe launch code is swordfish.")
    (corpus / "shared.txt").symlink_to(tmp_path / "shared.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "DISCORD_"))}
    env["CITEBOT_CACHE_DIR"] = str(tmp_path / "cache")
    command = [sys.executable, "-m", "bot.cli", "ask", "What is the launch code?", "--corpus", str(corpus)]
    refused = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60)
    assert "swordfish" not in refused.stdout and "CITEBOT_FOLLOW_OUTSIDE_LINKS" in refused.stderr
    env["CITEBOT_FOLLOW_OUTSIDE_LINKS"] = "1"
    allowed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60)
    assert allowed.returncode == 0 and "swordfish" in allowed.stdout


def test_links_inside_the_corpus_are_followed_and_read_once(tmp_path: Path) -> None:
    """A link to a file or folder inside the corpus, and a link looping back to the corpus
    folder, load each file once under its own name; a broken link is one warning."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "owls.txt").write_text(OWLS)
    (tmp_path / "a-alias.txt").symlink_to(tmp_path / "real" / "owls.txt")
    (tmp_path / "a-folder").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "loop").symlink_to(tmp_path)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "notes.md").write_text("Notes\n\nKept out of sight.")
    (tmp_path / "visible.md").symlink_to(tmp_path / ".hidden" / "notes.md")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    texts, warnings = _load(tmp_path)
    assert sorted(texts) == ["real/owls.txt", "visible.md"]
    assert sum("dangling.txt" in w for w in warnings) == 1
    assert all("RecursionError" not in w for w in warnings)
    assert len(warnings) == 4  # the alias, the folder link, the loop and the dangling link


def test_a_jsonl_line_with_a_huge_integer_id_costs_only_that_line(tmp_path: Path) -> None:
    """An id of 4,301 digits in a corpus .jsonl line is skipped with a warning naming the line."""
    (tmp_path / "lines.jsonl").write_text(
        '{"id": ' + "9" * 4_301 + ', "title": "Huge", "text": "Huge text."}\n'
        '{"id": "fine", "title": "Fine", "text": "Fine text."}\n'
    )
    (tmp_path / "owls.txt").write_text(OWLS)
    texts, warnings = _load(tmp_path)
    assert sorted(texts) == ["fine", "owls.txt"]
    [warning] = warnings
    assert "lines.jsonl:1" in warning and "4,300 digits" in warning


def test_a_jsonl_line_cannot_take_over_an_article_by_its_path(tmp_path: Path) -> None:
    """`a.jsonl` with the id of a real article's path: the article keeps its id and is quoted;
    the impostor line is skipped with a warning naming it `a.jsonl:1`. JSONL ids stay as written."""
    corpus = _copy_default_corpus(tmp_path)
    (corpus / "a.jsonl").write_text(
        json.dumps(
            {"id": NOT_BASED, "title": "Impostor", "text": "Ballerina is a true story, says the impostor."}
        )
        + "\n"
        + json.dumps({"id": "own-id", "title": "Own", "text": "Penguins live in Antarctica."})
        + "\n"
    )
    texts, warnings = _load(corpus)
    assert "impostor" not in texts[NOT_BASED] and "own-id" in texts
    [warning] = warnings
    assert warning.startswith("skipped a.jsonl:1:") and NOT_BASED in warning
    engine, _ = _engine(corpus, tmp_path / "cache")
    answer = engine.ask("Is Ballerina based on a true story?")
    quoted = " ".join(quote.text for source in answer.sources for quote in source.quotes)
    assert "impostor" not in quoted and {source.id for source in answer.sources} >= {NOT_BASED}


def test_discovery_agrees_with_loading_and_sorts_by_name(tmp_path: Path) -> None:
    """corpus_files lists corpus files by their relative name, with the name's bytes as the key."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("Z\n\nzed")
    (tmp_path / "a.txt").write_text("A\n\nay")
    (tmp_path / "ignored.csv").write_text("1,2")
    found = corpus_files(tmp_path)
    assert [(f.name, f.key) for f in found] == [("a.txt", b"a.txt"), ("b/z.md", b"b/z.md")]
    assert [f.size for f in found] == [len("A\n\nay"), len("Z\n\nzed")]
    assert list(_load(tmp_path)[0]) == [f.name for f in found]


@pytest.mark.parametrize("body", ["\U0001f600", "...", "\ufe20"])
def test_an_article_without_a_sentence_does_not_end_the_corpus(tmp_path: Path, body: str) -> None:
    """An article whose text holds no sentence (an emoji, an ellipsis, a lone combining mark:
    found by `make fuzz`) used to end loading with a traceback; it loads, and the rest answers."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "owls.txt").write_text(OWLS)
    (corpus / "emoji.md").write_text(f"---\ntitle: Nothing to quote\n---\n{body}\n")
    engine, warnings = _engine(corpus, tmp_path / "cache")
    assert {document.id for document in engine.documents} == {"owls.txt", "emoji.md"} and warnings == []
    answer = engine.ask("What does the snowy owl hunt?")
    assert [source.id for source in answer.sources] == ["owls.txt"]
