"""HTML, PDF and DOCX files → text and the metadata the file itself gives.

- HTML: lxml parses the page once; the citation comes from its head (the canonical link
  or og:url as the url, og:site_name as publisher, author and date meta tags, the title
  without anchor glyphs), and the main text from trafilatura in its fast mode (its own
  extraction without the readability/jusText fallbacks: on the pages of bench/corpus.py
  it keeps the main text the default mode finds, at a fraction of the time). Whitespace
  inside the page's text is collapsed first, as a browser renders it, so text that was
  hard-wrapped in the HTML source is one line per paragraph (``<pre>`` keeps its lines).
- PDF: pypdf (pure Python, no system library), the pages' text in order, a blank line
  between pages; title, author and date from the document information.
- DOCX: python-docx, paragraphs and table rows in document order, a blank line between
  paragraphs; title, author and date from the core properties.

Each loader returns the fields ``document_from_fields`` takes; the text it returns is the
document text every quote is cut from.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from retrieval.corpus.documents import DocumentError

# Characters documentation generators put in headings as link anchors (Sphinx's "¶",
# "§", "#", chain links) and that are no part of a title.
_ANCHOR_GLYPHS = re.compile(r"\s*[¶§🔗⚓]\s*|\s+#\s*$")
_SPACES = re.compile(r"\s+")
_KEEP_WHITESPACE = frozenset({"pre", "textarea", "script", "style", "listing", "plaintext", "xmp"})


def clean_title(raw: str | None) -> str | None:
    if not raw:
        return None
    title = _SPACES.sub(" ", _ANCHOR_GLYPHS.sub(" ", raw)).strip()
    return title or None


def _http(url: str | None) -> str | None:
    """Only web links are citations: a page's canonical ``file://`` link is none."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for element in tree.iterfind(f".//meta[@property='{name}']"):
            if element.get("content", "").strip():
                return element.get("content").strip()
        for element in tree.iterfind(f".//meta[@name='{name}']"):
            if element.get("content", "").strip():
                return element.get("content").strip()
    return None


def _canonical(tree: Any) -> str | None:
    for element in tree.iterfind(".//link[@href]"):
        if "canonical" in (element.get("rel") or "").lower().split():
            url = _http(element.get("href"))
            if url:
                return url
    return _http(_meta(tree, "og:url"))


def _html_title(tree: Any) -> str | None:
    title = clean_title(_meta(tree, "og:title"))
    if title:
        return title
    element = tree.find(".//title")
    if element is not None:
        title = clean_title(element.text_content())
        if title:
            return title
    heading = tree.find(".//h1")
    return clean_title(heading.text_content()) if heading is not None else None


def _collapse_whitespace(tree: Any) -> None:
    """Collapse runs of whitespace in text and tails to one space, as HTML renders them,
    except inside elements whose whitespace is kept (``<pre>``)."""
    kept = {inner for element in tree.iter(*_KEEP_WHITESPACE) for inner in element.iter()}
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        if element.text and element not in kept:
            element.text = _SPACES.sub(" ", element.text)
        parent = element.getparent()
        if element.tail and (parent is None or parent not in kept):
            element.tail = _SPACES.sub(" ", element.tail)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _html_encoding(data: bytes) -> str:
    """The page's declared encoding; else UTF-8 when it decodes as such, else Windows-1252
    (what browsers assume for undeclared legacy pages)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    declared = _CHARSET.search(data[:4096])
    if declared:
        import codecs

        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def read_html(data: bytes) -> dict[str, Any]:
    import lxml.html
    import trafilatura
    from lxml.etree import ParserError

    try:
        parser = lxml.html.HTMLParser(encoding=_html_encoding(data))
        tree = lxml.html.document_fromstring(data, parser=parser)
    except (ParserError, ValueError, LookupError) as error:
        raise DocumentError(f"not an HTML page ({error})") from error
    fields = {
        "title": _html_title(tree),
        "url": _canonical(tree),
        "publisher": _meta(tree, "og:site_name", "application-name"),
        "author": _meta(tree, "author", "article:author", "dc.creator", "DC.creator"),
        "date": _meta(tree, "article:published_time", "date", "dc.date", "DC.date", "citation_date"),
    }
    _collapse_whitespace(tree)
    extracted = trafilatura.bare_extraction(tree, fast=True, include_comments=False, with_metadata=False)
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        raise DocumentError("no main text found in the HTML")
    return {**fields, "text": text}


def _iso_date(value: object) -> str | None:
    if isinstance(value, (datetime, date)):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return None


def read_pdf(data: bytes) -> dict[str, Any]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = clean_title(info.title) if info else None
        author = info.author if info else None
        created = _iso_date(info.creation_date) if info else None
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise DocumentError(f"not a readable PDF ({error.__class__.__name__}: {error})") from error
    text = "\n\n".join(page.strip("\n") for page in pages if page.strip())
    if not text.strip():
        raise DocumentError("the PDF has no text layer (a scanned PDF needs OCR first)")
    return {"text": text, "title": title, "author": author, "date": created}


def read_docx(data: bytes) -> dict[str, Any]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells = [cell.text.strip() for cell in row.cells]
                    if any(cells):
                        blocks.append(" | ".join(dict.fromkeys(cells)))
            elif block.text.strip():
                blocks.append(block.text.strip())
        properties = document.core_properties
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocumentError(f"not a readable DOCX file ({error.__class__.__name__})") from error
    except Exception as error:  # a corrupt zip or XML inside: one file, never the whole corpus
        raise DocumentError(f"not a readable DOCX file ({error.__class__.__name__})") from error
    text = "\n\n".join(blocks)
    if not text.strip():
        raise DocumentError("the DOCX file has no text")
    return {
        "text": text,
        "title": clean_title(properties.title),
        "author": properties.author or None,
        "date": _iso_date(properties.created),
    }
