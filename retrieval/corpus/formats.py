"""HTML, PDF and DOCX files → text and the metadata the file itself gives.

- HTML: lxml parses the page once; the citation comes from its head, read in one pass
  over its meta and link tags (the canonical link or og:url as the url, og:site_name as
  publisher, author and date meta tags, the title without anchor glyphs), and the main
  text from trafilatura in its fast mode (its own extraction without the
  readability/jusText fallbacks: on the pages of bench/corpus.py it keeps the main text
  the default mode finds, at a fraction of the time). Whitespace
  inside the page's text is collapsed first, as a browser renders it, so text that was
  hard-wrapped in the HTML source is one line per paragraph (``<pre>`` keeps its lines),
  and the styling inside code (``<span>``s inside ``<pre>`` and ``<code>``) is removed:
  trafilatura joins a highlighted code block in a definition list (Sphinx's API pages)
  into one line with the paragraph after it, and weighing a span per token of code was a
  quarter of its time on documentation pages. Words are the same, and in the same order
  (bench/corpus.py compares them with trafilatura's defaults); only those code blocks
  keep their lines.
- PDF: pypdf (pure Python, no system library), the pages' text in order, a blank line
  between pages; title, author and date from the document information.
- DOCX: python-docx, paragraphs and table rows in document order, a blank line between
  paragraphs; title, author and date from the core properties.

Each loader returns the fields ``document_from_fields`` takes; the text it returns is the
document text every quote is cut from.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import lxml.html
from lxml import etree

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


class _Head:
    """The page's meta tags (by property and by name, the first non-empty content of each)
    and canonical link, found in one pass over the page."""

    def __init__(self, tree: Any) -> None:
        self.properties: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.canonical_links: list[str] = []
        for element in tree.iter("meta", "link"):
            if element.tag == "link":
                href = element.get("href")
                if href is not None and "canonical" in (element.get("rel") or "").lower().split():
                    self.canonical_links.append(href)
                continue
            content = element.get("content", "").strip()
            if not content:
                continue
            for attribute, found in (("property", self.properties), ("name", self.names)):
                key = element.get(attribute)
                if key is not None:
                    found.setdefault(key, content)

    def meta(self, *names: str) -> str | None:
        for name in names:
            content = self.properties.get(name) or self.names.get(name)
            if content:
                return content
        return None

    def canonical(self) -> str | None:
        for href in self.canonical_links:
            url = _http(href)
            if url:
                return url
        return _http(self.meta("og:url"))


def _html_title(tree: Any, head: _Head) -> str | None:
    title = clean_title(head.meta("og:title"))
    if title:
        return title
    element = tree.find(".//title")
    if element is not None:
        title = clean_title(element.text_content())
        if title:
            return title
    heading = tree.find(".//h1")
    return clean_title(heading.text_content()) if heading is not None else None


# Text that collapsing changes: a whitespace character other than a space, or two in a row.
_COLLAPSIBLE = re.compile(r"[^\S ]|\s\s")


def _collapse_whitespace(tree: Any) -> None:
    """Collapse runs of whitespace in text and tails to one space, as HTML renders them,
    except inside elements whose whitespace is kept (``<pre>``)."""
    kept_text: set[Any] = set()  # elements whose text is kept: the <pre> and all inside it
    kept_tail: set[Any] = set()  # ... whose tail is kept: those inside it
    for element in tree.iter(*_KEEP_WHITESPACE):
        kept_text.add(element)
        kept_tail.update(element.iterdescendants())
    kept_text |= kept_tail
    collapsible = _COLLAPSIBLE.search
    for element in tree.iter(etree.Element):  # elements only: comments keep their text and tail
        text = element.text
        if text and collapsible(text) and element not in kept_text:
            element.text = _SPACES.sub(" ", text)
        tail = element.tail
        if tail and collapsible(tail) and element not in kept_tail:
            element.tail = _SPACES.sub(" ", tail)


# Elements holding code: below them, <span>s only style it (syntax highlighting; Sphinx
# wraps every word of inline code in one).
_CODE = ("pre", "code", "kbd", "samp", "tt", "var")


def _strip_code_styling(tree: Any) -> None:
    """Remove the <span>s inside code, keeping their text (see the module's docstring)."""
    for element in tree.iter(*_CODE):
        etree.strip_tags(element, "span")


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


def _parser(encoding: str) -> Any:
    """lxml.html's parser, without comments and processing instructions (trafilatura parses
    so, and drops the text after a comment it finds in a paragraph), its elements given
    their class by lxml itself: lxml.html's own lookup calls Python for every element (to
    give forms and inputs classes of their own, which nothing here uses), about 8 % of
    extracting a page."""
    parser = lxml.html.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


def read_html(data: bytes) -> dict[str, Any]:
    import trafilatura

    try:
        tree = lxml.html.document_fromstring(data, parser=_parser(_html_encoding(data)))
    except (etree.ParserError, ValueError, LookupError) as error:
        raise DocumentError(f"not an HTML page ({error})") from error
    head = _Head(tree)
    fields = {
        "title": _html_title(tree, head),
        "url": head.canonical(),
        "publisher": head.meta("og:site_name", "application-name"),
        "author": head.meta("author", "article:author", "dc.creator", "DC.creator"),
        "date": head.meta("article:published_time", "date", "dc.date", "DC.date", "citation_date"),
    }
    _strip_code_styling(tree)
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


class _PdfLog(logging.Handler):
    """What pypdf logs while reading one file: kept, not printed (the file's skip warning
    says why it was skipped), and the sign that its streams are damaged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []
        self.thread = threading.get_ident()  # another thread's PDF is not this one's

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING and record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _pypdf_quiet() -> Iterator[_PdfLog]:
    """pypdf's log lines and Python warnings, captured while one PDF is read."""
    pypdf_logger = logging.getLogger("pypdf")
    handler = _PdfLog()
    propagate, level = pypdf_logger.propagate, pypdf_logger.level
    pypdf_logger.addHandler(handler)
    pypdf_logger.propagate = False
    pypdf_logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler
        handler.messages.extend(str(warning.message) for warning in caught)
    finally:
        pypdf_logger.removeHandler(handler)
        pypdf_logger.propagate, pypdf_logger.level = propagate, level


def _pdf_field(read: Callable[[], Any]) -> Any:
    """One field of the document information, None when it is malformed (a /CreationDate
    that is no date must not cost the whole document)."""
    try:
        return read()
    except Exception:  # pypdf raises ValueError, KeyError, ... for a malformed entry
        return None


def read_pdf(data: bytes) -> dict[str, Any]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with _pypdf_quiet() as log:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError("the PDF is encrypted")
            pages = [page.extract_text() or "" for page in reader.pages]
            info = _pdf_field(lambda: reader.metadata)
        except DocumentError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise DocumentError(f"not a readable PDF ({error.__class__.__name__}: {error})") from error
        title = clean_title(_pdf_field(lambda: info.title)) if info else None
        author = _pdf_field(lambda: info.author) if info else None
        created = _iso_date(_pdf_field(lambda: info.creation_date)) if info else None
    text = "\n\n".join(page.strip("\n") for page in pages if page.strip())
    if not text.strip():
        if log.messages:  # pypdf could not decode what the pages hold
            raise DocumentError(f"the PDF is damaged ({log.messages[-1][:120]})")
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
                    # A merged cell is the same cell element in each column it spans: it
                    # is one cell. Two cells that only hold the same text are two.
                    merged = {id(cell._tc): cell for cell in row.cells}.values()
                    cells = [cell.text.strip() for cell in merged]
                    if any(cells):
                        blocks.append(" | ".join(cells))
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
