"""Corpus files → documents: formats, metadata, ids, and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.corpus.documents import CorpusError, load_documents
from tests.conftest import DEFAULT_CORPUS, SEEDS


def _collect(root: Path) -> tuple[list, list[str]]:
    warnings: list[str] = []
    return load_documents(root, warnings.append), warnings


def test_default_corpus_keeps_the_seed_articles_verbatim() -> None:
    """Each shipped article's text is its seed file's text, unchanged but for trailing blank lines."""
    if not SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {SEEDS}")
    documents, warnings = _collect(DEFAULT_CORPUS)
    seeds = sorted(path.read_text(encoding="utf-8").rstrip() for path in SEEDS.glob("*.txt"))
    assert len(seeds) == 2
    assert sorted(document.text for document in documents) == seeds
    assert warnings == []


def test_default_corpus_metadata_names_what_the_articles_name() -> None:
    """Titles come from the articles; publisher and author only where named; no invented links."""
    documents = {document.id: document for document in load_documents(DEFAULT_CORPUS)}
    denial = documents["ballerina-not-based-on-true-story.md"]
    assert denial.title == "Is Ballerina (2023) on Netflix Based on a True Story?"
    assert (denial.publisher, denial.author) == ("TV Acute", "Olivia Wilson")
    inspired = documents["ballerina-inspired-by-nth-room.md"]
    assert inspired.title.startswith('"Ballerina": A Riveting Korean Movie')
    assert inspired.publisher is None and inspired.author is None
    assert all(document.url is None for document in documents.values())


def test_site_teasers_after_the_article_are_not_quotable() -> None:
    """The publishing site's teasers and author box stay in the text but out of the quotable part."""
    denial = {d.id: d for d in load_documents(DEFAULT_CORPUS)}["ballerina-not-based-on-true-story.md"]
    assert "Related Articles" in denial.text
    assert "Gilded Age" not in denial.quotable_text
    assert "Olivia Wilson is the senior news writer" not in denial.quotable_text
    assert denial.quotable_text.rstrip().endswith("engrossing stories!")


def test_every_format_loads_with_its_metadata(tmp_path: Path) -> None:
    """txt without front matter, md with it, HTML, and JSONL all load, with ids and titles."""
    (tmp_path / "plain.txt").write_text("Plain Title\n\nThe body of a plain text file.\n")
    sub = tmp_path / "nested"
    sub.mkdir()
    (sub / "fm.md").write_text(
        "---\ntitle: Front Matter Title\nurl: https://example.org/a\npublisher: Example Daily\n"
        "author: A. Writer\ndate: 2024-01-02\n---\nBody of the markdown file.\n"
    )
    (tmp_path / "page.html").write_text(
        "<html><head><title>Page Title</title></head><body><nav>Home | About</nav><article>"
        "<h1>Page Title</h1><p>The main text of the page is long enough to be found as the main content "
        "of the article by the extractor, with more than a few words in it.</p></article></body></html>"
    )
    (tmp_path / "many.jsonl").write_text(
        json.dumps({"id": "j1", "title": "First", "text": "One text.", "url": "https://x.org/1"})
        + "\n"
        + json.dumps({"id": 2, "title": "Second", "text": "Two text.", "publisher": "P"})
        + "\n"
    )
    documents, warnings = _collect(tmp_path)
    by_id = {document.id: document for document in documents}
    assert warnings == []
    assert set(by_id) == {"plain.txt", "nested/fm.md", "page.html", "j1", "2"}
    assert by_id["plain.txt"].title == "Plain Title"
    front = by_id["nested/fm.md"]
    assert (front.title, front.url, front.publisher, front.author, front.date) == (
        "Front Matter Title",
        "https://example.org/a",
        "Example Daily",
        "A. Writer",
        "2024-01-02",
    )
    assert front.text == "Body of the markdown file."
    assert by_id["page.html"].title == "Page Title"
    assert "main text of the page" in by_id["page.html"].text
    assert "Home | About" not in by_id["page.html"].text
    assert by_id["j1"].url == "https://x.org/1" and by_id["2"].publisher == "P"


def test_broken_files_are_skipped_with_a_warning_naming_each(tmp_path: Path) -> None:
    """Undecodable, bad front matter, empty and bad JSONL lines are each named once; the rest loads."""
    (tmp_path / "good.txt").write_text("Good\n\nA good document.")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00garbage\x80")
    (tmp_path / "badyaml.md").write_text("---\ntitle: [unclosed\n---\nBody.")
    (tmp_path / "empty.md").write_text("   \n")
    (tmp_path / "lines.jsonl").write_text(
        '{"id": "ok", "title": "Fine", "text": "Fine text."}\n{broken json\n{"title": "no id", "text": "x"}\n'
    )
    documents, warnings = _collect(tmp_path)
    assert sorted(document.id for document in documents) == ["good.txt", "ok"]
    joined = "\n".join(warnings)
    for name in ("binary.txt", "badyaml.md", "empty.md", "lines.jsonl:2", "lines.jsonl:3"):
        assert sum(name in warning for warning in warnings) == 1, joined
    assert len(warnings) == 5


def test_a_corpus_with_nothing_readable_is_a_clear_error(tmp_path: Path) -> None:
    """An empty folder, or a missing path, raises CorpusError saying so."""
    with pytest.raises(CorpusError, match="no readable documents"):
        load_documents(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        load_documents(tmp_path / "missing")


def test_one_badly_encoded_jsonl_line_costs_only_that_line(tmp_path: Path) -> None:
    """Good lines around a non-UTF-8 line still load; the bad line is named with its number."""
    good = b'{"id": "a", "title": "A", "text": "Alpha text."}\n'
    (tmp_path / "mixed.jsonl").write_bytes(
        good + b'{"id": "b", "text": "\xff\xfe"}\n' + good.replace(b'"a"', b'"c"')
    )
    documents, warnings = _collect(tmp_path)
    assert [document.id for document in documents] == ["a", "c"]
    assert len(warnings) == 1 and "mixed.jsonl:2" in warnings[0] and "UTF-8" in warnings[0]


def test_one_bad_metadata_field_drops_that_field_not_the_article(tmp_path: Path) -> None:
    """A url that is no web link (no scheme, javascript:), a mapping as publisher or a
    quotable_until marker not in the text each lose only that field: the article loads,
    with one warning naming the file and the field; a list of authors is joined."""
    (tmp_path / "noscheme.md").write_text("---\ntitle: N\nurl: www.example.org/a\n---\nBody text.")
    (tmp_path / "script.md").write_text("---\ntitle: S\nurl: javascript:alert(1)\n---\nBody text.")
    (tmp_path / "mapping.md").write_text("---\ntitle: M\npublisher: {a: b}\n---\nBody text.")
    (tmp_path / "authors.md").write_text("---\ntitle: A\nauthor: [Ann, Bob]\n---\nBody text.")
    (tmp_path / "marker.md").write_text("---\ntitle: Q\nquotable_until: Related\n---\nBody text.")
    (tmp_path / "fine.md").write_text(
        "---\ntitle: T\nurl: https://example.org/x\ndate: 2024-05-01\n---\nBody."
    )
    documents, warnings = _collect(tmp_path)
    found = {document.id: document for document in documents}
    assert sorted(found) == ["authors.md", "fine.md", "mapping.md", "marker.md", "noscheme.md", "script.md"]
    assert found["noscheme.md"].url is None and found["script.md"].url is None
    assert found["noscheme.md"].title == "N" and found["mapping.md"].publisher is None
    assert found["authors.md"].author == "Ann, Bob"
    assert found["marker.md"].quotable_text == "Body text."
    assert found["fine.md"].url == "https://example.org/x" and found["fine.md"].date == "2024-05-01"
    for name, field in (
        ("noscheme.md", "url"),
        ("script.md", "url"),
        ("mapping.md", "publisher"),
        ("marker.md", "quotable_until"),
    ):
        assert len([w for w in warnings if name in w]) == 1
        assert any(w.startswith(f"{name}: ") and f"'{field}'" in w for w in warnings), (name, warnings)
    assert len(warnings) == 4


def test_a_url_is_percent_encoded_where_it_must_be_and_keeps_its_fragment(tmp_path: Path) -> None:
    """A space in a url is encoded (the link stays one valid URL, its query and fragment
    kept); a url with no host is dropped with a warning."""
    (tmp_path / "spaced.md").write_text("---\ntitle: S\nurl: https://t.example.org/a b?c=1#frag\n---\nBody.")
    (tmp_path / "hostless.md").write_text("---\ntitle: H\nurl: https:///path\n---\nBody.")
    documents, warnings = _collect(tmp_path)
    found = {document.id: document for document in documents}
    assert found["spaced.md"].url == "https://t.example.org/a%20b?c=1#frag"
    assert found["hostless.md"].url is None
    assert len(warnings) == 1 and warnings[0].startswith("hostless.md: ") and "'url'" in warnings[0]


def test_a_deeply_nested_jsonl_line_is_skipped_like_any_bad_line(tmp_path: Path) -> None:
    """A line of 100,000 open brackets is one warning; the good line still loads."""
    (tmp_path / "deep.jsonl").write_text(
        '{"id": "ok", "title": "Fine", "text": "Fine text."}\n' + "[" * 100_000 + "\n"
    )
    documents, warnings = _collect(tmp_path)
    assert [document.id for document in documents] == ["ok"]
    assert len(warnings) == 1 and "deep.jsonl:2" in warnings[0]


def test_a_single_file_corpus_must_be_a_corpus_format(tmp_path: Path) -> None:
    """--corpus pointing at a .csv is a clear error, not a CSV quoted as prose."""
    (tmp_path / "table.csv").write_text("1,Ballerina is based on a true story\n")
    with pytest.raises(CorpusError, match=r"table\.csv is not a corpus file"):
        load_documents(tmp_path / "table.csv")
