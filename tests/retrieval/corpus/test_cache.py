"""The saved index: reused when the corpus is unchanged, never trusted when damaged, and
never touching what is not citebot's."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.engine import Engine
from tests.conftest import DEFAULT_CORPUS

QUESTION = "Is Ballerina based on a true story?"


def _copy_corpus(tmp_path: Path, name: str = "corpus") -> Path:
    corpus = tmp_path / name
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".citebot-cache"))
    return corpus


def _only_entry(cache: Path) -> Path:
    (entry,) = [path for path in cache.iterdir() if path.is_dir()]
    return entry


def _reload(corpus: Path, cache: Path) -> tuple[Engine, list[str]]:
    warnings: list[str] = []
    return Engine.from_path(corpus, cache_dir=cache, warn=warnings.append), warnings


def test_a_shared_cache_folder_keeps_other_folders_and_other_corpora(tmp_path: Path) -> None:
    """Saving removes only this corpus's older entries: not a user's folder, not another corpus's."""
    cache = tmp_path / "cache"
    (cache / "my_photos").mkdir(parents=True)
    (cache / "my_photos" / "cat.jpg").write_bytes(b"meow")
    first, second = _copy_corpus(tmp_path, "first"), _copy_corpus(tmp_path, "second")
    (second / "extra.txt").write_text("Extra\n\nAnother article about owls.")
    Engine.from_path(first, cache_dir=cache)
    Engine.from_path(second, cache_dir=cache)
    (first / "new.txt").write_text("New\n\nA new article about volcanoes.")
    Engine.from_path(first, cache_dir=cache)
    assert (cache / "my_photos" / "cat.jpg").read_bytes() == b"meow"
    entries = [path for path in cache.iterdir() if path.name != "my_photos"]
    assert len(entries) == 2  # the second corpus's entry and the first corpus's newest one
    _, warnings = _reload(second, cache)
    assert not any("rebuilding" in warning for warning in warnings)


@pytest.mark.parametrize("damage", ["flip a text byte", "shift passage offsets", "truncate an array"])
def test_a_damaged_saved_index_is_rebuilt_and_quotes_stay_verbatim(tmp_path: Path, damage: str) -> None:
    """Any change to a saved entry's files fails its checksums: rebuilt with a warning, quotes exact."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    Engine.from_path(corpus, cache_dir=cache)
    entry = _only_entry(cache)
    if damage == "flip a text byte":
        texts = bytearray((entry / "texts.bin").read_bytes())
        texts[10] = 0xFF
        (entry / "texts.bin").write_bytes(bytes(texts))
    elif damage == "shift passage offsets":
        starts = np.load(entry / "index" / "passage_start.npy")
        np.save(entry / "index" / "passage_start.npy", starts + 3)
    else:
        (entry / "index" / "term_indices.npy").write_bytes(b"garbage")
    engine, warnings = _reload(corpus, cache)
    assert any("rebuilding the index" in warning for warning in warnings)
    answer = engine.ask(QUESTION)
    for source in answer.sources:
        text = engine.document(source.id).text
        assert all(quote.text == text[quote.start : quote.end] for quote in source.quotes)
    _, warnings_after = _reload(corpus, cache)
    assert warnings_after == []


def test_documents_from_a_saved_index_list_and_search_without_the_corpus(tmp_path: Path) -> None:
    """On a warm start the documents come from the entry: sliceable (pages) and searchable by title."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    Engine.from_path(corpus, cache_dir=cache)
    engine, _ = _reload(corpus, cache)
    assert type(engine.documents).__name__ == "StoredDocuments"
    assert [document.id for document in engine.documents[:1]] == [engine.documents[0].id]
    assert [d.id for d in engine.find_documents("true story")] == ["ballerina-not-based-on-true-story.md"]
    assert len(engine.find_documents("")) == 2
