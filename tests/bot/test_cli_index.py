"""`citebot index`, `citebot sources` and `citebot --version`, run in this process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.bot.conftest import Ran
from tests.conftest import DEFAULT_CORPUS

Citebot = Callable[..., Ran]

OWLS = "Owls\n\nThe snowy owl hunts lemmings across the Arctic tundra in daylight.\n"


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "films"
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".*"))
    return corpus


def test_index_prints_what_changed_and_one_summary_line(tmp_path: Path, citebot: Citebot) -> None:
    """The first run lists every file as added; later runs list only what changed, and the
    next `ask` answers from the change without reading anything again."""
    corpus, env = _corpus(tmp_path), {"CITEBOT_CACHE_DIR": str(tmp_path / "cache")}
    first = citebot("index", "--corpus", str(corpus), env=env)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[:2] == ["+ ballerina-inspired-by-nth-room.md", "+ ballerina-not-based-on-true-story.md"]
    assert lines[2].startswith("indexed 2 documents, ") and "read 2 files" in lines[2]

    (corpus / "owls.md").write_text(OWLS)
    (corpus / "ballerina-inspired-by-nth-room.md").unlink()
    second = citebot("index", "--corpus", str(corpus), env=env)
    assert second.stdout.splitlines()[:2] == ["+ owls.md", "- ballerina-inspired-by-nth-room.md"]
    assert "read 1 file (1 document)" in second.stdout

    third = citebot("index", "--corpus", str(corpus), env=env)
    assert third.stdout.startswith("up to date: 2 documents, ")
    asked = citebot("ask", "What does the snowy owl hunt?", "--corpus", str(corpus), env=env)
    assert "lemmings" in asked.stdout and "indexed" not in asked.stderr  # nothing rebuilt


def test_a_build_during_ask_prints_its_summary_on_stderr_only(tmp_path: Path, citebot: Citebot) -> None:
    """stdout stays the answer; the summary line of the build goes to stderr, with no
    progress bar when stderr is not a terminal."""
    corpus, env = _corpus(tmp_path), {"CITEBOT_CACHE_DIR": str(tmp_path / "cache")}
    result = citebot("ask", "Is Ballerina based on a true story?", "--corpus", str(corpus), env=env)
    assert result.returncode == 0
    assert result.stderr.startswith("citebot: indexed 2 documents")
    assert "indexing" not in result.stderr and "indexed" not in result.stdout


def test_sources_lists_id_title_link_and_date(tmp_path: Path, citebot: Citebot) -> None:
    """One tab-separated line per document: id, title, link and date from its front matter."""
    corpus, env = _corpus(tmp_path), {"CITEBOT_CACHE_DIR": str(tmp_path / "cache")}
    (corpus / "owls.md").write_text("---\nurl: https://example.org/owls\ndate: 2024-02-03\n---\n" + OWLS)
    result = citebot("sources", "--corpus", str(corpus), env=env)
    assert result.returncode == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert ["owls.md", "Owls", "https://example.org/owls", "2024-02-03"] in rows
    assert len(rows) == 3


def test_version_and_a_missing_corpus(tmp_path: Path, citebot: Citebot) -> None:
    """`--version` prints the installed version; a corpus that does not exist is one error line, exit 2."""
    version = citebot("--version")
    assert version.returncode == 0 and version.stdout.startswith("citebot ")
    missing = citebot("index", "--corpus", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and missing.stderr.startswith("citebot: error: corpus not found")


def test_corpus_accepts_a_configured_corpus_name(tmp_path: Path, citebot: Citebot) -> None:
    """`--corpus films` names the corpus CITEBOT_CONFIG maps to a folder."""
    corpus = _corpus(tmp_path)
    config = tmp_path / "citebot.toml"
    config.write_text(f'[corpora]\nfilms = "{corpus}"\n')
    env = {"CITEBOT_CACHE_DIR": str(tmp_path / "cache"), "CITEBOT_CONFIG": str(config)}
    result = citebot("index", "--corpus", "films", env=env)
    assert result.returncode == 0, result.stderr
    assert "+ ballerina-not-based-on-true-story.md" in result.stdout
