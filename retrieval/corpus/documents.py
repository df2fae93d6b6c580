"""Corpus files → documents with metadata.

A corpus is a folder (read recursively) or a single file. Supported formats:

- ``.txt`` / ``.md``: optional YAML front matter (title, url, publisher, author, date,
  ``quotable_until``); without a title the first non-empty line is the title.
- ``.html`` / ``.htm``: main text (trafilatura) and the page's own citation: canonical
  link, title, site name, author, date (see retrieval/corpus/formats.py).
- ``.pdf`` (pypdf) and ``.docx`` (python-docx): the text, title, author and date.
- ``.jsonl``: one document per line with ``id``, ``title``, ``text`` and optional
  ``url``, ``publisher``, ``author``, ``date``.

A ``citebot.yaml`` file in a folder gives links, titles and publishers to the files below
it (retrieval/corpus/metadata.py). Files of other types are counted and named in one
warning line.

A file (or JSONL line) that cannot be read is skipped with one warning naming it and
why; the rest still loads. A bad metadata field (a url that is no web link, a mapping, a
``quotable_until`` marker not in the text) costs only itself, with one warning.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import frontmatter
import yaml

from retrieval.corpus.files import (
    CORPUS_SUFFIXES,
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    METADATA_FILE,
    PDF_SUFFIXES,
    TEXT_SUFFIXES,
    CorpusError,
    CorpusFile,
    Warn,
    corpus_files,
    open_regular,
)

logger = logging.getLogger(__name__)

__all__ = [
    "CORPUS_SUFFIXES",
    "HTML_SUFFIXES",
    "JSONL_SUFFIXES",
    "METADATA_FILE",
    "TEXT_SUFFIXES",
    "CorpusError",
    "Document",
    "DocumentError",
    "Warn",
    "document_from_json",
    "load_documents",
]


@dataclass(frozen=True)
class Document:
    """One article: its verbatim text and its citation.

    ``quotable_end`` marks where the article proper ends; text after it (a site's
    teasers, author box, comments) is kept verbatim but never indexed or quoted.
    """

    id: str
    title: str
    text: str
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    path: str | None = None
    quotable_end: int | None = None

    @property
    def quotable_text(self) -> str:
        return self.text[: self.quotable_length]

    @property
    def quotable_length(self) -> int:
        return len(self.text) if self.quotable_end is None else self.quotable_end

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "author": self.author,
            "date": self.date,
            "path": self.path,
        }


class DocumentError(ValueError):
    """One file or line could not be turned into a document; the message says why."""


def _optional_str(value: object, field: str) -> str | None:
    """A metadata field as text; numbers and dates are fine, a list of such is joined
    ("Ann, Bob"), a mapping is not text."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(
        item is None or not isinstance(item, (list, dict, tuple, set)) for item in value
    ):
        value = ", ".join(str(item).strip() for item in value if item is not None and str(item).strip())
    if isinstance(value, (list, dict, tuple, set)):
        raise DocumentError(f"'{field}' must be text, not {type(value).__name__}")
    text = str(value).strip()
    return text or None


# What may stay as it is in a URL (RFC 3986's reserved and unreserved characters, and
# '%' of an escape already made); anything else (a space, a quote, a non-ASCII letter) is
# percent-encoded.
_URL_SAFE = "!#$&'()*+,/:;=?@[]~-._%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def web_url(value: object) -> str | None:
    """A document's link: an http(s) URL with a host, percent-encoded where it must be
    (``https://x.org/a b`` → ``https://x.org/a%20b``). DocumentError says what is wrong."""
    url = _optional_str(value, "url")
    if url is None:
        return None
    if not url.lower().startswith(("http://", "https://")):
        raise DocumentError(f"'url' must start with http:// or https:// (got {url[:60]!r})")
    url = quote(_LONE_PERCENT.sub("%25", url), safe=_URL_SAFE)
    try:
        host = urlsplit(url).hostname
    except ValueError as error:
        raise DocumentError(f"'url' is not a valid link ({error})") from error
    if not host:
        raise DocumentError(f"'url' names no host (got {url[:60]!r})")
    return url


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()
    return ""


def _quotable_end(text: str, marker: object) -> int | None:
    """Where the marker line (``quotable_until`` in front matter) starts, if given."""
    if marker is None:
        return None
    position = text.find(str(marker))
    if position < 0:
        raise DocumentError(
            f"quotable_until marker {str(marker)!r} does not occur in the text: the whole text is quotable"
        )
    return position


def document_from_fields(
    fields: dict[str, Any], *, doc_id: str, path: str | None, warn: Warn | None = None
) -> Document:
    """Build a document from metadata fields and text, checking what a citation needs.

    A bad metadata field (a url that is no web link, a title that is a mapping, a
    ``quotable_until`` marker not in the text) is dropped and ``warn`` told, naming the
    document and the field; without ``warn`` it raises DocumentError (a batch's own
    documents are refused whole, with the reason)."""
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DocumentError("no text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise DocumentError("the text holds invalid Unicode (a lone surrogate)") from error

    def checked(name: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except DocumentError as error:
            if warn is None:
                raise
            reason = str(error).removeprefix(f"'{name}' ")
            warn(f"{path or doc_id}: ignored field '{name}': {reason}")
            return None

    title = checked("title", lambda: _optional_str(fields.get("title"), "title")) or _first_line(text)
    return Document(
        id=doc_id,
        title=title,
        text=text,
        url=checked("url", lambda: web_url(fields.get("url"))),
        publisher=checked("publisher", lambda: _optional_str(fields.get("publisher"), "publisher")),
        author=checked("author", lambda: _optional_str(fields.get("author"), "author")),
        date=checked("date", lambda: _optional_str(fields.get("date"), "date")),
        path=path,
        quotable_end=checked("quotable_until", lambda: _quotable_end(text, fields.get("quotable_until"))),
    )


def _text_fields(raw: bytes) -> dict[str, Any]:
    try:
        # Universal newlines, as Path.read_text reads them: quote offsets count from this text.
        # utf-8-sig: a byte order mark (Windows editors write one) is no part of the text,
        # and front matter after it is still front matter.
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        raise DocumentError(f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    try:
        metadata, content = frontmatter.parse(text)
    except yaml.YAMLError as error:
        raise DocumentError(f"bad YAML front matter ({error.__class__.__name__})") from error
    return {**metadata, "text": content}


def _read_bytes(path: Path) -> bytes:
    with open_regular(path) as handle:
        return handle.read()


def document_from_bytes(data: bytes, suffix: str, doc_id: str, warn: Warn | None = None) -> Document:
    """The document of a text, Markdown, HTML, PDF or DOCX file's bytes (``suffix`` says which);
    ``warn`` is told of metadata fields dropped (see ``document_from_fields``)."""
    suffix = suffix.lower()
    if suffix in HTML_SUFFIXES:
        from retrieval.corpus.formats import read_html  # lxml and trafilatura: only HTML needs them

        fields = read_html(data)
    elif suffix in PDF_SUFFIXES:
        from retrieval.corpus.formats import read_pdf

        fields = read_pdf(data)
    elif suffix in DOCX_SUFFIXES:
        from retrieval.corpus.formats import read_docx

        fields = read_docx(data)
    else:
        fields = _text_fields(data)
    return document_from_fields(fields, doc_id=doc_id, path=doc_id, warn=warn)


def document_from_json(record: object, *, path: str | None, warn: Warn | None = None) -> Document:
    """A JSONL record (or an inline batch document) → a document."""
    if not isinstance(record, dict):
        raise DocumentError("not a JSON object")
    doc_id = record.get("id")
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
        raise DocumentError("missing 'id'")
    if not isinstance(record.get("text"), str):
        raise DocumentError("missing 'text'")
    return document_from_fields(record, doc_id=str(doc_id), path=path, warn=warn)


def jsonl_document(raw: bytes, where: str, warn: Warn | None = None) -> Document:
    """One JSONL line (bytes: one badly encoded line must not cost the whole file) → a
    document; DocumentError says what is wrong with it."""
    try:
        return document_from_json(json.loads(raw.decode("utf-8-sig")), path=where, warn=warn)
    except UnicodeDecodeError as error:
        raise DocumentError(f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise DocumentError(f"not valid JSON ({error})") from error
    except RecursionError as error:
        raise DocumentError("JSON nested too deeply") from error
    except DocumentError:
        raise
    except ValueError as error:
        # json refuses integers of more than 4,300 digits (sys.int_info.str_digits_check_threshold).
        raise DocumentError(json_value_problem(error)) from error


def load_jsonl_documents(path: Path, display: str, warn: Warn) -> Iterator[Document]:
    with open_regular(path) as lines:
        for line_number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            where = f"{display}:{line_number}"
            try:
                yield jsonl_document(raw, where, warn)
            except DocumentError as error:
                warn(f"skipped {where}: {error}")


def unsupported_warning(unsupported: Counter[str]) -> str | None:
    """One line naming how many files were left out and their types, or None."""
    if not unsupported:
        return None
    total = sum(unsupported.values())
    kinds = ", ".join(
        f"{suffix or '(no extension)'} ×{count}" if count > 1 else (suffix or "(no extension)")
        for suffix, count in sorted(unsupported.items(), key=lambda item: (-item[1], not item[0], item[0]))
    )
    supported = " ".join(sorted(CORPUS_SUFFIXES))
    return (
        f"ignored {total} file{'s' if total > 1 else ''} of unsupported types: {kinds} (indexed: {supported})"
    )


def json_value_problem(error: ValueError) -> str:
    if "digits" in str(error):
        return "a number in it is too long (more than 4,300 digits)"
    return f"not valid JSON ({error})"


def _load_file(path: Path, display: str, warn: Warn) -> Iterable[Document]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return load_jsonl_documents(path, display, warn)
    return [document_from_bytes(_read_bytes(path), suffix, display, warn)]


def load_documents(
    root: Path, warn: Warn | None = None, *, follow_outside_links: bool = False
) -> list[Document]:
    """Every readable document under ``root``; unreadable ones are warned about and skipped.

    A document's id is unique. A file's path is its id, so a JSONL line claiming the path
    of a corpus file as its id is skipped (the file wins, whatever order they load in);
    otherwise the first document with an id keeps it.
    """
    warn = warn or logger.warning
    files = corpus_files(root, warn=warn, follow_outside_links=follow_outside_links)
    path_ids = {found.name for found in files if not _is_jsonl(found)}
    documents: list[Document] = []
    seen_ids: set[str] = set()
    for found in files:
        try:
            loaded = list(_load_file(found.path, found.name, warn))
        except (OSError, DocumentError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            warn(f"skipped {found.name}: {reason}")
            continue
        for document in loaded:
            if _is_jsonl(found) and document.id in path_ids:
                warn(f"skipped {document.path}: its id {document.id!r} is the path of a corpus file")
                continue
            if document.id in seen_ids:
                warn(f"skipped {document.path}: duplicate document id {document.id!r}")
                continue
            seen_ids.add(document.id)
            documents.append(document)
    if not documents:
        raise CorpusError(f"no readable documents in corpus {root}")
    return documents


def _is_jsonl(found: CorpusFile) -> bool:
    return found.path.suffix.lower() in JSONL_SUFFIXES
