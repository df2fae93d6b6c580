"""The saved index: updated file by file, equal to a fresh build, never trusted when
damaged or half-written, and kept out of the corpus folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.corpus import store as store_module
from retrieval.corpus.store import MAX_SEGMENTS, IndexStore
from retrieval.engine import Engine
from retrieval.search.index import PassageIndex
from tests.conftest import DEFAULT_CORPUS

QUESTION = "Is Ballerina based on a true story?"
OWLS = "Owls\n\nThe snowy owl hunts lemmings across the Arctic tundra in daylight.\n"


def _copy_corpus(tmp_path: Path, name: str = "corpus") -> Path:
    corpus = tmp_path / name
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".*"))
    return corpus


def _folder(cache: Path) -> Path:
    """The corpus's folder in the cache (there is one corpus in these caches)."""
    (folder,) = [path for path in cache.iterdir() if (path / "CURRENT").exists()]
    return folder


def _generation(cache: Path) -> Path:
    folder = _folder(cache)
    manifest = json.loads((folder / (folder / "CURRENT").read_text()).read_text())
    return folder / manifest["generation"]


def _open(corpus: Path, cache: Path) -> tuple[Engine, list[str], list[str]]:
    """An engine, the warnings, and the summary lines (one per update that changed anything)."""
    warnings: list[str] = []
    summaries: list[str] = []
    engine = Engine.from_path(corpus, cache_dir=cache, warn=warnings.append, report=summaries.append)
    return engine, warnings, summaries


def _same_index(first: PassageIndex, second: PassageIndex) -> None:
    for name in PassageIndex.ARRAYS:
        a, b = first.arrays[name], second.arrays[name]
        assert a.shape == b.shape, name
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=name)
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_an_updated_index_equals_one_built_from_scratch(tmp_path: Path) -> None:
    """After adding, changing and removing files, idf, norms and postings are exactly
    those of a fresh build of the same files."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    (corpus / "owls.md").write_text(OWLS)
    (corpus / "notes.jsonl").write_text(
        json.dumps({"id": "n1", "title": "Note", "text": "Krakatoa erupted in 1883. The owl slept."}) + "\n"
    )
    _open(corpus, cache)
    (corpus / "ballerina-inspired-by-nth-room.md").unlink()
    (corpus / "owls.md").write_text(OWLS + "\nSnowy owls also eat voles.\n")
    updated, _, summaries = _open(corpus, cache)
    assert "read 1 file" in summaries[0]
    fresh, _, _ = _open(corpus, tmp_path / "fresh-cache")
    _same_index(updated.index, fresh.index)
    assert [d.id for d in updated.documents] == [d.id for d in fresh.documents]
    assert [d.text for d in updated.documents] == [d.text for d in fresh.documents]


def test_only_added_or_changed_files_are_read(tmp_path: Path) -> None:
    """Adding one file reads one file; touching a file without changing it reads none."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _, _, summaries = _open(corpus, cache)
    assert "read 2 files" in summaries[0]
    _, _, summaries = _open(corpus, cache)
    assert summaries == []  # nothing read on a warm start
    (corpus / "owls.md").write_text(OWLS)
    engine, _, summaries = _open(corpus, cache)
    assert "read 1 file (1 document)" in summaries[0]
    assert engine.ask("What does the snowy owl hunt?").sources[0].id == "owls.md"
    os.utime(corpus / "owls.md", ns=(1, 1))  # same bytes, another mtime: hashed, not read
    _, _, summaries = _open(corpus, cache)
    assert summaries == []


def test_lines_appended_to_a_jsonl_file_are_the_only_ones_read(tmp_path: Path) -> None:
    """A JSONL file that grew is read from where it ended; one rewritten keeps its known lines."""
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    lines = [
        json.dumps({"id": f"d{n}", "title": f"T{n}", "text": f"Document number {n} about topic {n}."})
        for n in range(50)
    ]
    jsonl = corpus / "all.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    _open(corpus, cache)
    with jsonl.open("a") as out:
        out.write(json.dumps({"id": "new", "title": "New", "text": "The snowy owl hunts lemmings."}) + "\n")
    engine, _, summaries = _open(corpus, cache)
    assert "(1 document)" in summaries[0]
    found = engine.ask("What does the snowy owl hunt?").sources[0]
    assert (found.id, found.path) == ("new", "all.jsonl:51")

    # A line inserted at the top: only it is analysed; the others keep their counts and
    # get their new line numbers.
    jsonl.write_text(
        json.dumps({"id": "top", "title": "Top", "text": "Volcanoes erupt lava."}) + "\n" + jsonl.read_text()
    )
    engine, _, summaries = _open(corpus, cache)
    assert "(1 document)" in summaries[0]
    assert engine.document("new").path == "all.jsonl:52" and engine.document("top").path == "all.jsonl:1"
    _same_index(engine.index, _open(corpus, tmp_path / "fresh")[0].index)


def test_an_interrupted_update_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while saving the new generation leaves the previous index in force."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    (corpus / "owls.md").write_text(OWLS)

    real_fit = PassageIndex.fit_counts

    def crash(self: PassageIndex, counts, *, save_to: Path | None = None) -> PassageIndex:
        real_fit(self, counts, save_to=save_to)  # the arrays are written, the generation is not finished
        raise KeyboardInterrupt

    monkeypatch.setattr(PassageIndex, "fit_counts", crash)
    with pytest.raises(KeyboardInterrupt):
        _open(corpus, cache)
    monkeypatch.undo()
    store = IndexStore(corpus, cache_dir=cache, warn=lambda message: None)
    previous = store.load_current()
    assert previous is not None and len(previous.documents) == 2  # the old generation, whole
    engine, warnings, _ = _open(corpus, cache)
    assert not any("rebuilding" in warning for warning in warnings)
    assert engine.ask("What does the snowy owl hunt?").sources[0].id == "owls.md"


def _flip_a_text_byte(cache: Path) -> None:
    """Damage the stored text of the saved index's one segment."""
    (texts,) = _folder(cache).glob("segment-*/texts.bin")
    data = bytearray(texts.read_bytes())
    data[10] ^= 0xFF
    texts.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip a text byte", "shift passage offsets", "truncate an array"])
def test_a_damaged_saved_index_is_rebuilt_and_quotes_stay_verbatim(tmp_path: Path, damage: str) -> None:
    """Any change to a saved file fails its checksum: rebuilt with a warning, quotes exact."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    generation = _generation(cache)
    if damage == "flip a text byte":
        _flip_a_text_byte(cache)
    elif damage == "shift passage offsets":
        starts = np.load(generation / "index" / "passage_start.npy")
        np.save(generation / "index" / "passage_start.npy", starts + 3)
    else:
        (generation / "index" / "term_indices.npy").write_bytes(b"garbage")
    engine, warnings, _ = _open(corpus, cache)
    assert any("rebuilding the index" in warning for warning in warnings)
    for source in engine.ask(QUESTION).sources:
        text = engine.document(source.id).text
        assert all(quote.text == text[quote.start : quote.end] for quote in source.quotes)
    assert _open(corpus, cache)[1] == []


@pytest.mark.parametrize("damage", ["flip a text byte", "flip a record", "truncate the old index"])
def test_an_update_never_builds_on_a_damaged_part_of_the_saved_index(tmp_path: Path, damage: str) -> None:
    """A file is added while a saved file is damaged: what the update reuses (segments, the
    records) is checked and, damaged, read again with a warning; the old index it replaces
    is not read at all. Either way the new index equals a fresh build and quotes are exact."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    generation = _generation(cache)
    if damage == "flip a text byte":
        _flip_a_text_byte(cache)
    elif damage == "flip a record":
        locals_ = np.load(generation / "record_local.npy")
        np.save(generation / "record_local.npy", locals_[::-1].copy())
    else:
        (generation / "index" / "term_indices.npy").write_bytes(b"garbage")
    (corpus / "owls.md").write_text(OWLS)
    engine, warnings, summaries = _open(corpus, cache)
    rebuilt = any("rebuilding the index" in warning for warning in warnings)
    assert rebuilt == (damage != "truncate the old index")
    assert summaries[0].startswith("indexed 3 documents") and ("read 3 files" in summaries[0]) == rebuilt
    assert engine.ask("What does the snowy owl hunt?").sources[0].id == "owls.md"
    for source in engine.ask(QUESTION).sources:
        text = engine.document(source.id).text
        assert all(quote.text == text[quote.start : quote.end] for quote in source.quotes)
    fresh = Engine.from_path(corpus, cache_dir=tmp_path / "fresh", warn=lambda message: None)
    _same_index(engine.index, fresh.index)


def test_the_corpus_folder_is_left_untouched_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a cache folder given, the index goes to the user's cache folder, not the corpus."""
    corpus = _copy_corpus(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    before = sorted((path.relative_to(corpus), path.stat().st_mtime_ns) for path in corpus.rglob("*"))
    engine = Engine.from_path(corpus, warn=lambda message: None)
    (corpus / "owls.md").write_text(OWLS)
    Engine.from_path(corpus, warn=lambda message: None)
    (corpus / "owls.md").unlink()
    after = sorted((path.relative_to(corpus), path.stat().st_mtime_ns) for path in corpus.rglob("*"))
    assert after == before and engine.ask(QUESTION).status == "answered"
    assert list((tmp_path / "user-cache" / "citebot").iterdir())


def test_a_shared_cache_folder_keeps_other_folders_and_other_corpora(tmp_path: Path) -> None:
    """Each corpus has its own folder in the cache; nothing else in it is touched."""
    cache = tmp_path / "cache"
    (cache / "my_photos").mkdir(parents=True)
    (cache / "my_photos" / "cat.jpg").write_bytes(b"meow")
    first, second = _copy_corpus(tmp_path, "first"), _copy_corpus(tmp_path, "second")
    (second / "extra.txt").write_text("Extra\n\nAnother article about owls.")
    _open(first, cache)
    _open(second, cache)
    (first / "new.txt").write_text("New\n\nA new article about volcanoes.")
    _open(first, cache)
    assert (cache / "my_photos" / "cat.jpg").read_bytes() == b"meow"
    assert len([path for path in cache.iterdir() if path.name != "my_photos"]) == 2
    assert len(_open(second, cache)[0].documents) == 3


def test_a_new_indexing_code_version_replaces_the_old_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the indexing code changes, the corpus is indexed anew; its old folder, once
    unused for STALE_AFTER_SECONDS (another install may share the cache), is removed."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    old = _folder(cache)
    long_ago = old.stat().st_mtime - store_module.STALE_AFTER_SECONDS - 60
    for name in ("CURRENT", store_module.IN_USE):
        os.utime(old / name, (long_ago, long_ago))
    monkeypatch.setattr(store_module, "_indexing_code_digest", lambda: b"another version")
    _open(corpus, cache)
    assert not old.exists() and _folder(cache) != old


def test_segments_are_merged_as_updates_accumulate(tmp_path: Path) -> None:
    """Many small updates never leave more than a few segments, and nothing is lost."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    for number in range(MAX_SEGMENTS + 3):
        (corpus / f"note-{number}.md").write_text(
            f"Note {number}\n\nThe owl number {number} hunts at dusk.\n"
        )
        _open(corpus, cache)
    assert len(list(_folder(cache).glob("segment-*"))) <= MAX_SEGMENTS
    engine = _open(corpus, cache)[0]
    assert len(engine.documents) == 2 + MAX_SEGMENTS + 3
    _same_index(engine.index, _open(corpus, tmp_path / "fresh")[0].index)


def test_duplicate_ids_keep_the_first_and_the_second_takes_over_when_it_goes(tmp_path: Path) -> None:
    """Two JSONL files with the same id: the first in path order wins, with a warning."""
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(json.dumps({"id": "x", "title": "A", "text": "Apples are red."}) + "\n")
    (corpus / "b.jsonl").write_text(
        json.dumps({"id": "x", "title": "B", "text": "Bananas are yellow."}) + "\n"
    )
    engine, warnings, _ = _open(corpus, cache)
    assert engine.document("x").title == "A"
    assert "skipped b.jsonl:1: duplicate document id 'x'" in warnings
    (corpus / "a.jsonl").unlink()
    assert _open(corpus, cache)[0].document("x").title == "B"


def test_warm_documents_are_listed_and_searched_without_decoding_texts(tmp_path: Path) -> None:
    """On a warm start documents come from the cache: sliceable, searchable, same object when reread."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    _open(corpus, cache)
    engine = _open(corpus, cache)[0]
    assert [document.id for document in engine.documents[:1]] == [engine.documents[0].id]
    assert engine.documents[1] is engine.documents[1]
    assert [d.id for d in engine.find_documents("true story")] == ["ballerina-not-based-on-true-story.md"]
    assert len(engine.find_documents("")) == 2
