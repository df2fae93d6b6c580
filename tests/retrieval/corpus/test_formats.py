"""Formats and metadata: HTML citations and wrapped text, PDF, DOCX, folder metadata files,
unsupported files; every quote verbatim from the extracted text."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from retrieval.engine import Engine

WRAPPED_HTML = """<html><head>
<title>ALTER TABLE ¶</title>
<link rel="canonical" href="https://www.postgresql.org/docs/15/sql-altertable.html">
<meta property="og:site_name" content="PostgreSQL Documentation">
</head><body><div class="refsect1"><h2>Description</h2>
<p>
   <code>ALTER TABLE</code> changes the definition of an existing table.
   There are several subforms described below. Note that the lock level required
   may differ for each subform. An <code>ACCESS EXCLUSIVE</code> lock is
   acquired unless explicitly noted. When multiple subcommands are given, the
   lock acquired will be the strictest one required by any subcommand.
</p>
<pre>ALTER TABLE name
    RENAME TO new_name</pre>
<p>This form changes the name of the table and is rarely needed in practice.</p>
</div></body></html>
"""


def _engine(corpus: Path, tmp_path: Path) -> tuple[Engine, list[str]]:
    warnings: list[str] = []
    return Engine.from_path(corpus, cache_dir=tmp_path / "cache", warn=warnings.append), warnings


def _verbatim(engine: Engine, question: str) -> list[str]:
    answer = engine.ask(question)
    quotes = []
    for source in answer.sources:
        text = engine.document(source.id).text
        for quote in source.quotes:
            assert quote.text == text[quote.start : quote.end]
            quotes.append(quote.text)
    return quotes


def make_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> None:
    """A minimal PDF with one line of Helvetica per string (written by hand: no PDF
    writer library is needed to test reading one)."""
    objects: list[bytes] = []
    page_numbers = [4 + 2 * n for n in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{n} 0 R" for n in page_numbers).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(len(pages)).encode() + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for number, lines in zip(page_numbers, pages, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents " + str(number + 1).encode() + b" 0 R >>"
        )
        body = (
            b"BT /F1 11 Tf 72 720 Td 14 TL "
            + b" ".join(
                b"(" + line.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '"
                for line in lines
            )
            + b" ET"
        )
        objects.append(b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream")
    info = None
    if title:
        objects.append(b"<< /Title (" + title.encode("latin-1") + b") /Author (A. Reporter) >>")
        info = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R"
    trailer += f" /Info {info} 0 R" if info else ""
    out += f"{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def test_html_gets_its_canonical_link_a_clean_title_and_whole_wrapped_sentences(tmp_path: Path) -> None:
    """The canonical link is the url, "¶" leaves the title, and a sentence wrapped over two
    lines of the HTML source is quoted whole."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "sql-altertable.html").write_text(WRAPPED_HTML)
    engine, warnings = _engine(corpus, tmp_path)
    document = engine.documents[0]
    assert warnings == []
    assert document.url == "https://www.postgresql.org/docs/15/sql-altertable.html"
    assert document.title == "ALTER TABLE"
    assert document.publisher == "PostgreSQL Documentation"
    quotes = _verbatim(engine, "Which lock is acquired unless explicitly noted?")
    assert "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted." in quotes
    assert "ALTER TABLE name\n    RENAME TO new_name" in document.text  # <pre> keeps its lines


def test_a_local_canonical_link_is_no_citation_and_og_url_is_one(tmp_path: Path) -> None:
    """A file:// canonical link (Sphinx builds) gives no url; og:url does when there is no other."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    body = "<body><article><h1>Owls</h1><p>The snowy owl hunts lemmings across the tundra in daylight.</p>"
    (corpus / "local.html").write_text(
        '<html><head><title>Owls — Docs</title><link rel="canonical" href="file:///usr/share/doc/x.html">'
        f"</head>{body}</article></body></html>"
    )
    (corpus / "og.html").write_text(
        '<html><head><title>Owls ¶</title><meta property="og:url" content="https://example.org/owls">'
        f"</head>{body}</article></body></html>"
    )
    engine, _ = _engine(corpus, tmp_path)
    assert engine.document("local.html").url is None
    assert engine.document("og.html").url == "https://example.org/owls"
    assert engine.document("og.html").title == "Owls"


def test_pdf_pages_are_read_with_title_and_wrapped_lines_quoted_whole(tmp_path: Path) -> None:
    """A PDF is one document; a sentence its layout broke over two lines is one quote."""
    corpus = tmp_path / "archive"
    corpus.mkdir()
    make_pdf(
        corpus / "report.pdf",
        [
            [
                "City council report",
                "The council approved the new harbour bridge after a long",
                "debate on Tuesday.",
            ],
            ["Construction starts in the spring and lasts about two years."],
        ],
        title="Harbour bridge approved",
    )
    engine, warnings = _engine(corpus, tmp_path)
    document = engine.document("report.pdf")
    assert warnings == [] and document.title == "Harbour bridge approved" and document.author == "A. Reporter"
    quotes = _verbatim(engine, "What did the council approve after a long debate?")
    assert any(
        quote.replace("\n", " ").startswith("The council approved the new harbour bridge after a long debate")
        for quote in quotes
    )
    assert "two years" in document.text


def test_docx_paragraphs_and_tables_are_read_with_title(tmp_path: Path) -> None:
    """A DOCX file is one document with its core title; each paragraph is its own block."""
    corpus = tmp_path / "newsroom"
    corpus.mkdir()
    word = docx.Document()
    word.core_properties.title = "Flood defences"
    word.core_properties.author = "Desk Editor"
    word.add_heading("Flood defences", level=1)
    word.add_paragraph("The river wall was raised by two metres after the 2021 floods.")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Cost"
    table.rows[0].cells[1].text = "4 million euros"
    word.save(str(corpus / "floods.docx"))
    engine, warnings = _engine(corpus, tmp_path)
    document = engine.document("floods.docx")
    assert warnings == [] and (document.title, document.author) == ("Flood defences", "Desk Editor")
    assert "Cost | 4 million euros" in document.text
    assert "The river wall was raised by two metres after the 2021 floods." in _verbatim(
        engine, "How much was the river wall raised after the floods?"
    )


def test_broken_pdf_and_docx_files_are_skipped_with_a_warning_each(tmp_path: Path) -> None:
    """A corrupt PDF or DOCX costs only itself, named in one warning."""
    corpus = tmp_path / "archive"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Fine\n\nA readable article.")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    engine, warnings = _engine(corpus, tmp_path)
    assert [d.id for d in engine.documents] == ["ok.txt"]
    assert len(warnings) == 2
    assert any(w.startswith("skipped broken.pdf: ") for w in warnings)
    assert any(w.startswith("skipped broken.docx: ") for w in warnings)


def test_a_folder_metadata_file_gives_links_titles_and_publishers(tmp_path: Path) -> None:
    """base_url links every file below it, a files entry overrides, defaults fill gaps; a
    subfolder's own file wins, and JSONL lines get no file-based link."""
    corpus = tmp_path / "corpus"
    (corpus / "pg").mkdir(parents=True)
    (corpus / "citebot.yaml").write_text("publisher: The Club\n")
    (corpus / "pg" / "citebot.yaml").write_text(
        "base_url: https://www.postgresql.org/docs/15\npublisher: PostgreSQL\n"
        "files:\n  intro.txt:\n    title: Introduction\n    date: 2024-05-09\n"
    )
    (corpus / "pg" / "intro.txt").write_text("intro\n\nPostgreSQL is a relational database.")
    (corpus / "pg" / "sql select.txt").write_text("Select\n\nSELECT retrieves rows from a table.")
    (corpus / "notes.txt").write_text("Notes\n\nThe club meets on Fridays.")
    (corpus / "lines.jsonl").write_text(
        json.dumps({"id": "l1", "title": "L", "text": "A line of text."}) + "\n"
    )
    engine, warnings = _engine(corpus, tmp_path)
    assert warnings == []
    intro = engine.document("pg/intro.txt")
    assert (intro.title, intro.url, intro.publisher, intro.date) == (
        "Introduction",
        "https://www.postgresql.org/docs/15/intro.txt",
        "PostgreSQL",
        "2024-05-09",
    )
    assert engine.document("pg/sql select.txt").url == "https://www.postgresql.org/docs/15/sql%20select.txt"
    assert (engine.document("notes.txt").publisher, engine.document("notes.txt").url) == ("The Club", None)
    assert (engine.document("l1").publisher, engine.document("l1").url) == ("The Club", None)

    # Editing the metadata file re-labels documents without reading them again.
    (corpus / "citebot.yaml").write_text("publisher: The Film Club\n")
    summaries: list[str] = []
    engine = Engine.from_path(
        corpus, cache_dir=tmp_path / "cache", warn=warnings.append, report=summaries.append
    )
    assert engine.document("notes.txt").publisher == "The Film Club"
    (summary,) = summaries  # a change, so a summary line; no file was read again
    assert "read 0 files (0 documents)" in summary


def test_a_bad_metadata_file_is_ignored_with_a_warning(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A\n\nSome text.")
    (corpus / "citebot.yaml").write_text("base_url: ftp://example.org\n")
    engine, warnings = _engine(corpus, tmp_path)
    assert engine.document("a.txt").url is None
    assert warnings == [
        "ignored metadata file citebot.yaml: base_url must start with http:// or https:// "
        "(got 'ftp://example.org')"
    ]


def test_unsupported_files_get_one_warning_line_with_their_count_and_types(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A\n\nSome text.")
    for name in ("x.png", "y.png", "z.css", "README"):
        (corpus / name).write_bytes(b"x")
    _, warnings = _engine(corpus, tmp_path)
    assert warnings == [
        "ignored 4 files of unsupported types: .png ×2, .css, (no extension) "
        "(indexed: .docx .htm .html .jsonl .markdown .md .pdf .txt)"
    ]


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_hard_wrapped_sentence_is_quoted_whole(tmp_path: Path, suffix: str) -> None:
    """Text wrapped at 72 columns: the sentence that holds the answer is one quote, line break
    included, not the fragment on one line; a heading stays its own passage."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / f"locks{suffix}").write_text(
        "Table locks\n\n"
        "ALTER TABLE changes the definition of an existing table. There are\n"
        "several subforms described below. An ACCESS EXCLUSIVE lock is acquired\n"
        "unless explicitly noted. When multiple subcommands are given, the lock\n"
        "acquired will be the strictest one required by any subcommand.\n"
    )
    engine, _ = _engine(corpus, tmp_path)
    quotes = _verbatim(engine, "Which lock is acquired unless explicitly noted?")
    assert "An ACCESS EXCLUSIVE lock is acquired\nunless explicitly noted." in quotes
    assert engine.index.document_spans(0)[0] == (0, len("Table locks"))


HIGHLIGHTED_HTML = """<html><head><title>weakref — Docs</title>
<meta name="author" content="  "><meta name="author" content="Guido">
</head><body><div class="body" role="main"><section id="weak"><h1>Weak references</h1>
<p>Call <code class="xref"><span class="pre">weakref.ref()</span></code> to make one;
the\u00a0callback   is <!-- a note --> optional   and
runs once.</p>
<dl class="c function"><dt class="sig"><span class="sig-name">weakref_ref</span></dt>
<dd><p>An example from the sources of the helper module:</p>
<div class="highlight-c"><div class="highlight"><pre><span></span><span class="k">static</span>\
<span class="w"> </span><span class="n">PyObject</span><span class="w"> </span><span class="o">*</span>
<span class="nf">weakref_ref</span><span class="p">(</span><span class="n">PyObject</span>\
<span class="w"> </span><span class="o">*</span><span class="n">self</span><span class="p">)</span>
<span class="p">{</span>
<span class="w">    </span><span class="k">return</span><span class="w"> </span>\
<span class="n">self</span><span class="p">;</span>
<span class="p">}</span>
</pre></div></div>
<p>The referent may be collected at any time after the last strong reference to it is gone.</p>
</dd></dl></section></div></body></html>
"""


def test_highlighted_code_keeps_its_lines_and_prose_its_words(tmp_path: Path) -> None:
    """Syntax highlighting is dropped, not its text: a code block keeps its lines and
    indentation (trafilatura alone joins a highlighted block in a definition list into one
    line, with the paragraph after it), inline code its words; prose wrapped in the source is
    one line with single spaces, text after a comment stays; the first non-empty author wins."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "weakref.html").write_text(HIGHLIGHTED_HTML)
    engine, warnings = _engine(corpus, tmp_path)
    document = engine.documents[0]
    assert warnings == []
    assert "static PyObject *\nweakref_ref(PyObject *self)\n{\n    return self;\n}\n" in document.text
    assert "Call weakref.ref() to make one; the callback is optional and runs once." in document.text
    assert document.author == "Guido"
    quotes = _verbatim(engine, "When may the referent be collected?")
    assert "The referent may be collected at any time after the last strong reference to it is gone." in (
        quotes
    )
