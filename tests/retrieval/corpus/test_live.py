"""LiveCorpus: a corpus folder that changes while its engine answers."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest

from retrieval.corpus.documents import CorpusError
from retrieval.corpus.live import CorpusChanges, LiveCorpus
from tests.conftest import DEFAULT_CORPUS

OWLS = "Owls\n\nThe snowy owl hunts lemmings across the Arctic tundra in daylight.\n"
OWL_QUESTION = "What does the snowy owl hunt?"
BALLERINA = "Is Ballerina based on a true story?"


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "films"
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".*"))
    return corpus


def _live(tmp_path: Path, corpus: Path) -> LiveCorpus:
    return LiveCorpus(corpus, name="films", cache_dir=tmp_path / "cache", warn=lambda message: None)


def test_refresh_picks_up_added_changed_and_removed_files(tmp_path: Path) -> None:
    """Each kind of change is reported by file and is what the next question is answered from."""
    corpus = _corpus(tmp_path)
    live = _live(tmp_path, corpus)
    assert live.engine.ask(OWL_QUESTION).status == "no_answer"

    (corpus / "owls.md").write_text(OWLS)
    added = live.refresh()
    assert added.added == ("owls.md",) and not added.changed and not added.removed
    assert added.documents == 3 and "1 added (owls.md)" in added.summary()
    assert live.engine.ask(OWL_QUESTION).sources[0].id == "owls.md"

    (corpus / "owls.md").write_text(OWLS.replace("lemmings", "voles and lemmings"))
    changed = live.refresh()
    assert changed.changed == ("owls.md",)
    assert "voles" in live.engine.ask(OWL_QUESTION).sources[0].quotes[0].text

    (corpus / "owls.md").unlink()
    removed = live.refresh()
    assert removed.removed == ("owls.md",) and removed.documents == 2
    assert live.engine.ask(OWL_QUESTION).status == "no_answer"


def test_a_refresh_without_changes_keeps_the_engine(tmp_path: Path) -> None:
    """Nothing changed: the same engine keeps serving and the summary says so."""
    live = _live(tmp_path, _corpus(tmp_path))
    engine = live.engine
    changes = live.refresh()
    assert not changes and live.engine is engine
    assert changes.summary() == f"films: no change (2 documents, {engine.index.n_passages} passages)"


def test_a_failed_refresh_keeps_the_previous_engine(tmp_path: Path) -> None:
    """A corpus emptied by mistake raises a clear error and the old index keeps answering."""
    corpus = _corpus(tmp_path)
    live = _live(tmp_path, corpus)
    engine = live.engine
    for article in corpus.iterdir():
        article.unlink()
    with pytest.raises(CorpusError):
        live.refresh()
    assert live.engine is engine and live.engine.ask(BALLERINA).status == "answered"


def test_questions_during_a_refresh_are_all_answered(tmp_path: Path) -> None:
    """Answers keep coming, from the old or the new engine, while refreshes run."""
    corpus = _corpus(tmp_path)
    live = _live(tmp_path, corpus)
    stop = threading.Event()
    answers = []

    def ask_continuously() -> None:
        while not stop.is_set():
            answers.append(live.engine.ask(BALLERINA).status)

    asker = threading.Thread(target=ask_continuously)
    asker.start()
    try:
        for number in range(3):
            (corpus / f"owls-{number}.md").write_text(OWLS)
            live.refresh()
    finally:
        stop.set()
        asker.join()
    assert answers and set(answers) == {"answered"}
    assert live.engine.ask(OWL_QUESTION).status == "answered"


async def test_watch_refreshes_when_a_file_is_added(tmp_path: Path) -> None:
    """The watcher notices a new article and calls back with what changed."""
    corpus = _corpus(tmp_path)
    live = _live(tmp_path, corpus)
    seen: asyncio.Queue[CorpusChanges] = asyncio.Queue()
    watcher = asyncio.create_task(live.watch(seen.put, debounce_ms=50, poll_seconds=30))
    try:
        await asyncio.sleep(0.3)  # the watcher is up
        (corpus / "owls.md").write_text(OWLS)
        changes = await asyncio.wait_for(seen.get(), timeout=20)
    finally:
        watcher.cancel()
    assert changes.added == ("owls.md",) and changes.corpus == "films"
    assert live.engine.ask(OWL_QUESTION).status == "answered"


async def test_watch_ignores_hidden_files(tmp_path: Path) -> None:
    """An editor's hidden swap file is not a change to the corpus."""
    corpus = _corpus(tmp_path)
    live = _live(tmp_path, corpus)
    calls: list[CorpusChanges] = []
    watcher = asyncio.create_task(live.watch(calls.append, debounce_ms=50, poll_seconds=30))
    try:
        await asyncio.sleep(0.3)
        (corpus / ".owls.md.swp").write_text(OWLS)
        await asyncio.sleep(0.8)
    finally:
        watcher.cancel()
    assert calls == []
