"""What a new user's trial of the corpus loader found: bad files and fields cost only
themselves and are named, the summary and change listing tell what happened, the index
cache never reaches outside its folder. Real files, the real loader and store."""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from bot.links import with_text_fragment
from retrieval.corpus import store as store_module
from retrieval.corpus.documents import CorpusError, load_documents
from retrieval.corpus.store import IN_USE, STALE_AFTER_SECONDS, IndexStore
from retrieval.engine import Engine
from tests.conftest import PROJECT_ROOT
from tests.retrieval.corpus.test_formats import make_pdf

OWLS = "Owls\n\nThe snowy owl hunts lemmings across the Arctic tundra in daylight.\n"
NEWTS = "Newts\n\nNewts live in ponds\nand wet forests.\n"


def _corpus(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, content in files.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return corpus


def _store(corpus: Path, cache: Path, warnings: list[str], summaries: list[str]) -> IndexStore:
    return IndexStore(corpus, cache_dir=cache, warn=warnings.append, report=summaries.append, jobs=1)


# ---- 1. the cache folder ---------------------------------------------------------------------


def test_an_unwritable_cache_indexes_into_a_temporary_folder_removed_at_exit(tmp_path: Path) -> None:
    """``CITEBOT_CACHE_DIR=<a file> citebot ask``, twice: the index goes to a temporary folder
    that is gone once the command exits, and nothing else in the temporary folders' parent
    (a folder naming this corpus in its corpus.json included) is touched."""
    corpus = _corpus(tmp_path, {"owls.md": OWLS})
    not_a_folder = tmp_path / "ro-file"
    not_a_folder.write_text("")
    temporary_root = tmp_path / "tmp"
    decoy = temporary_root / "someone-elses"
    decoy.mkdir(parents=True)
    (decoy / "corpus.json").write_text(json.dumps({"corpus": str(corpus.resolve())}))
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("CITEBOT_", "DISCORD_"))
    }
    environment.update(TMPDIR=str(temporary_root), CITEBOT_CACHE_DIR=str(not_a_folder))
    for _ in range(2):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "ask",
                "--corpus",
                str(corpus),
                "Where does the snowy owl hunt?",
            ],
            capture_output=True,
            text=True,
            env=environment,
            cwd=PROJECT_ROOT,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert "Arctic tundra" in run.stdout
        used = re.search(r"indexing into (\S+),", run.stderr)
        assert used is not None, run.stderr
        assert not Path(used.group(1)).exists()
    assert sorted(path.name for path in temporary_root.iterdir()) == ["someone-elses"]
    assert (decoy / "corpus.json").exists()


def test_two_versions_sharing_a_cache_keep_each_others_index_until_it_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second version of the indexing code never removes the first one's folder while a
    process answers from it, nor when it was used recently; once unused and older than
    STALE_AFTER_SECONDS it goes."""
    corpus, cache = _corpus(tmp_path, {"owls.md": OWLS}), tmp_path / "cache"
    first = Engine.from_path(corpus, cache_dir=cache, warn=lambda message: None)
    (first_folder,) = list(cache.iterdir())
    monkeypatch.setattr(store_module, "_indexing_code_digest", lambda: b"another version")
    Engine.from_path(corpus, cache_dir=cache, warn=lambda message: None)
    assert first_folder.exists() and len(list(cache.iterdir())) == 2

    long_ago = os.stat(first_folder / IN_USE).st_mtime - STALE_AFTER_SECONDS - 60
    for name in ("CURRENT", IN_USE):
        os.utime(first_folder / name, (long_ago, long_ago))
    Engine.from_path(corpus, cache_dir=cache, warn=lambda message: None)
    assert first_folder.exists(), "in use by a live engine: kept however old"
    assert first.ask("Where does the snowy owl hunt?").status == "answered"

    del first
    gc.collect()
    Engine.from_path(corpus, cache_dir=cache, warn=lambda message: None)
    assert not first_folder.exists() and len(list(cache.iterdir())) == 1


# ---- 2. byte order mark ----------------------------------------------------------------------


def test_a_byte_order_mark_is_stripped_and_the_front_matter_honoured(tmp_path: Path) -> None:
    """A Markdown file saved with a UTF-8 BOM keeps its front matter's title and link; the
    text has no BOM, so quotes cut at their offsets are the words themselves."""
    corpus = _corpus(
        tmp_path,
        {
            "owls.md": b"\xef\xbb\xbf---\ntitle: Snowy owls\nurl: https://example.org/owls\n---\n"
            + OWLS.encode()
        },
    )
    engine = Engine.from_path(corpus, cache_dir=tmp_path / "cache", warn=lambda message: None)
    document = engine.document("owls.md")
    assert (document.title, document.url) == ("Snowy owls", "https://example.org/owls")
    assert "\ufeff" not in document.text and document.text.startswith("Owls")
    (source,) = engine.ask("Where does the snowy owl hunt lemmings?").sources
    quote = source.quotes[0]
    assert quote.text == document.text[quote.start : quote.end]
    assert quote.text.startswith("The snowy owl hunts")


# ---- 3. DOCX tables --------------------------------------------------------------------------


def test_a_docx_table_row_keeps_cells_with_equal_text_and_merges_only_merged_cells(tmp_path: Path) -> None:
    """'Arsenal | 2 | 2' keeps both 2s; a cell merged across two columns is written once."""
    word = docx.Document()
    word.add_paragraph("Results of the weekend.")
    table = word.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Arsenal", "2", "2"), strict=True):
        cell.text = text
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Postponed"
    table.cell(1, 2).text = "Chelsea"
    corpus = _corpus(tmp_path, {})
    word.save(str(corpus / "results.docx"))
    (document,) = load_documents(corpus)
    assert "Arsenal | 2 | 2" in document.text
    assert "Postponed | Chelsea" in document.text


# ---- 4. bad fields (the Markdown cases are in test_documents.py) -----------------------------


def test_a_pdf_with_a_malformed_creation_date_loads_without_its_date(tmp_path: Path) -> None:
    """/CreationDate (D:2022999999) is no date: the PDF loads with its title and text."""
    corpus = _corpus(tmp_path, {})
    make_pdf(corpus / "report.pdf", [["The dam was finished in the spring of 2022."]], title="Dam report")
    data = (corpus / "report.pdf").read_bytes()
    (corpus / "report.pdf").write_bytes(
        data.replace(b"/Author (A. Reporter)", b"/Author (A. Reporter) /CreationDate (D:2022999999)")
    )
    warnings: list[str] = []
    (document,) = load_documents(corpus, warnings.append)
    assert (document.title, document.date) == ("Dam report", None)
    assert "finished in the spring" in document.text


def test_a_url_with_a_fragment_gets_a_valid_citation_link() -> None:
    """The text fragment goes after the url's own fragment (one '#', then ':~:')."""
    link = with_text_fragment("https://t.example.org/a%20b?c=1#frag", ["Newts live in ponds"], limit=500)
    assert link == "https://t.example.org/a%20b?c=1#frag:~:text=Newts%20live%20in%20ponds"


def test_a_metadata_file_url_is_percent_encoded_like_a_documents_own(tmp_path: Path) -> None:
    """A citebot.yaml link with a space gives the same valid link front matter would."""
    corpus = _corpus(
        tmp_path,
        {
            "owls.md": OWLS,
            "citebot.yaml": "files:\n  owls.md:\n    url: https://t.example.org/owls page#top\n",
        },
    )
    engine = Engine.from_path(corpus, cache_dir=tmp_path / "cache", warn=lambda message: None)
    assert engine.document("owls.md").url == "https://t.example.org/owls%20page#top"


# ---- 5 and 6. broken files -------------------------------------------------------------------


def _damaged_pdf(path: Path) -> None:
    """A PDF whose page content is a Flate stream that does not decompress."""
    make_pdf(path, [["Newts live in ponds and wet forests."]])
    data = path.read_bytes()
    found = re.search(rb"<< /Length (\d+) >>\nstream\n", data)
    assert found is not None
    garbage = b"\x78\x9c" + b"\x00garbage!" * 10
    stop = found.end() + int(found.group(1))
    path.write_bytes(
        data[: found.start()]
        + b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(garbage)
        + garbage
        + data[stop:]
    )


@pytest.mark.parametrize("layout", ["broken files", "one empty file"])
def test_an_all_broken_corpus_names_every_file_before_the_error(tmp_path: Path, layout: str) -> None:
    """When no file is readable, each skipped file's warning and the unsupported-files line
    are told before the error that no document is left."""
    if layout == "one empty file":
        corpus = _corpus(tmp_path, {"empty.md": ""})
        root, expected = corpus / "empty.md", ["skipped empty.md: "]
    else:
        corpus = _corpus(
            tmp_path,
            {
                "broken.pdf": b"%PDF-1.4\nnot really a pdf",
                "broken.docx": b"PK\x03\x04 not a zip",
                "a.png": b"\x89PNG",
            },
        )
        root = corpus
        expected = [
            "skipped broken.docx: ",
            "skipped broken.pdf: ",
            "ignored 1 file of unsupported types: .png",
        ]
    events: list[str] = []
    with pytest.raises(CorpusError, match="no readable documents"):
        Engine.from_path(root, cache_dir=tmp_path / "cache", warn=events.append)
    for start in expected:
        assert any(event.startswith(start) for event in events), (start, events)


def test_pypdf_log_lines_stay_quiet_and_a_damaged_pdf_is_called_damaged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """pypdf's own complaints (bad xref, failed decompression) reach no log; the file's one
    warning says it is damaged, not that it lacks a text layer (which a PDF without text,
    and undamaged, still gets)."""
    corpus = _corpus(tmp_path, {"ok.md": OWLS, "truncated.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog"})
    _damaged_pdf(corpus / "damaged.pdf")
    make_pdf(corpus / "scanned.pdf", [[]])  # a page without text: what a scan gives
    warnings: list[str] = []
    with caplog.at_level(logging.DEBUG):
        Engine.from_path(corpus, cache_dir=tmp_path / "cache", warn=warnings.append)
    assert [record for record in caplog.records if record.name.startswith("pypdf")] == []
    (damaged,) = [w for w in warnings if w.startswith("skipped damaged.pdf: ")]
    assert "damaged" in damaged and "text layer" not in damaged
    assert any(w.startswith("skipped truncated.pdf: ") for w in warnings)
    assert "skipped scanned.pdf: the PDF has no text layer (a scanned PDF needs OCR first)" in warnings


# ---- 7 and 8. what an update tells -----------------------------------------------------------


def test_the_change_listing_leaves_out_skipped_files_and_names_relabelled_ones(tmp_path: Path) -> None:
    """Skipped files are not 'added'; a removal and a metadata file's edit are changes, each
    with the summary line; the files a metadata edit relabels are listed as changed."""
    corpus = _corpus(
        tmp_path,
        {
            "owls.md": OWLS,
            "notes.txt": "Notes\n\nThe heron waits in the shallows for fish.\n",
            "broken.pdf": b"%PDF-1.4\nnot really a pdf",
            "citebot.yaml": "publisher: Old Press\n",
        },
    )
    cache, warnings, summaries = tmp_path / "cache", [], []
    first = _store(corpus, cache, warnings, summaries).update()
    assert first.changed_files() == (("notes.txt", "owls.md"), (), ())
    assert len(summaries) == 1

    (corpus / "notes.txt").unlink()
    removal = _store(corpus, cache, warnings, summaries).update()
    assert removal.changed_files() == ((), (), ("notes.txt",))
    assert len(summaries) == 2 and summaries[-1].startswith("indexed 1 document,")
    assert summaries[-1].endswith("; 1 file removed")

    (corpus / "citebot.yaml").write_text("publisher: New Press\n")
    relabel = _store(corpus, cache, warnings, summaries).update()
    assert relabel.changed_files() == ((), ("owls.md",), ())
    assert relabel.loaded.documents[0].publisher == "New Press"
    assert len(summaries) == 3 and summaries[-1].endswith("; 1 file re-labelled by citebot.yaml")

    unchanged = _store(corpus, cache, warnings, summaries).update()
    assert unchanged.changed_files() == ((), (), ()) and len(summaries) == 3


def test_the_summary_counts_skipped_lines_and_duplicates_among_what_was_read(tmp_path: Path) -> None:
    """A bad JSONL line and a duplicate id are counted in 'skipped N'; documents read minus
    those skipped as duplicates are the documents indexed."""
    lines = [
        {"id": "a", "title": "A", "text": "Alpha article about owls."},
        "not json",
        {"id": "a", "title": "A again", "text": "A duplicate of alpha."},
        {"id": "b", "title": "B", "text": "Beta article about newts."},
    ]
    corpus = _corpus(
        tmp_path,
        {
            "data.jsonl": "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
            + "\n"
        },
    )
    summaries: list[str] = []
    _store(corpus, tmp_path / "cache", [], summaries).update()
    (summary,) = summaries
    assert summary.startswith("indexed 2 documents,")
    assert "read 1 file (3 documents)" in summary
    assert "skipped 2: " in summary and "not valid JSON" in summary and "duplicate id" in summary


# ---- 9. sentences wrapped over short lines ---------------------------------------------------


def test_a_sentence_wrapped_over_short_lines_is_quoted_whole(tmp_path: Path) -> None:
    """'Newts live in ponds' / 'and wet forests.' is one sentence, quoted whole; short list
    items and the heading stay passages of their own."""
    corpus = _corpus(tmp_path, {"newts.md": NEWTS + "\nHabitats\n- ponds\n- forests\n"})
    engine = Engine.from_path(corpus, cache_dir=tmp_path / "cache", warn=lambda message: None)
    (source,) = engine.ask("Where do newts live?").sources
    document = engine.document("newts.md")
    quotes = [document.text[quote.start : quote.end] for quote in source.quotes]
    assert "Newts live in ponds\nand wet forests." in quotes
    assert all("Habitats" not in quote and "- ponds" not in quote for quote in quotes)
