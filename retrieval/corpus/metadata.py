"""Per-folder metadata files: links, titles and publishers for files that carry none.

A file named ``citebot.yaml`` in any folder of the corpus applies to that folder and the
folders below it (the nearest file wins, field by field)::

    base_url: https://www.postgresql.org/docs/15/   # url = base_url + the file's path from here
    publisher: The PostgreSQL Global Development Group
    author: ...                                      # also: date
    files:
      sql-altertable.html:                           # a path relative to this folder
        url: https://www.postgresql.org/docs/15/sql-altertable.html
        title: ALTER TABLE
        date: 2024-05-09

A ``files`` entry is the maintainer's word and overrides what the file says of itself;
``base_url``, ``publisher``, ``author`` and ``date`` only fill what a document lacks.
For a JSONL file, ``base_url`` gives no link (a line has no path of its own).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from retrieval.corpus.documents import DocumentError, web_url

FIELDS = ("url", "title", "publisher", "author", "date")
_DEFAULTS = ("publisher", "author", "date")


@dataclass(frozen=True)
class FolderMetadata:
    folder: str  # the folder's path relative to the corpus ("" for the corpus folder)
    base_url: str | None = None
    defaults: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _text(value: object, where: str) -> str:
    if isinstance(value, (list, dict, tuple, set)) or value is None:
        raise DocumentError(f"{where} must be text")
    return str(value).strip()


def _web_url(value: object, where: str) -> str:
    """A link as documents' own urls are checked: http(s) with a host, percent-encoded
    where it must be."""
    try:
        url = web_url(_text(value, where))
    except DocumentError as error:
        raise DocumentError(where + str(error).removeprefix("'url'")) from error
    if url is None:
        raise DocumentError(f"{where} is empty")
    return url


def parse_metadata(raw: str, folder: str) -> FolderMetadata:
    """A metadata file's content → FolderMetadata; DocumentError says what is wrong."""
    try:
        data: Any = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise DocumentError(f"bad YAML ({error.__class__.__name__})") from error
    if data is None:
        return FolderMetadata(folder)
    if not isinstance(data, dict):
        raise DocumentError("must be a mapping of base_url, publisher, author, date and files")
    unknown = set(data) - {"base_url", "files", *_DEFAULTS}
    if unknown:
        raise DocumentError(f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    base_url = _web_url(data["base_url"], "base_url") if data.get("base_url") is not None else None
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    defaults = {key: _text(data[key], key) for key in _DEFAULTS if data.get(key) is not None}
    files: dict[str, dict[str, str]] = {}
    for name, entry in (data.get("files") or {}).items():
        if not isinstance(entry, dict):
            raise DocumentError(f"files: {name!r} must map fields (url, title, ...) to values")
        unknown = set(entry) - set(FIELDS)
        if unknown:
            raise DocumentError(f"files: {name!r} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
        fields = {}
        for key, value in entry.items():
            if value is not None:
                fields[key] = (
                    _web_url(value, f"{name}: url") if key == "url" else _text(value, f"{name}: {key}")
                )
        files[posixpath.normpath(str(name))] = fields
    return FolderMetadata(folder, base_url, defaults, files)


def read_metadata(path: Path, folder: str) -> FolderMetadata:
    try:
        return parse_metadata(path.read_text(encoding="utf-8"), folder)
    except UnicodeDecodeError as error:
        raise DocumentError("not UTF-8 text") from error
    except OSError as error:
        raise DocumentError(error.strerror or str(error)) from error


def applicable(folders: Mapping[str, FolderMetadata], relative_path: str) -> list[FolderMetadata]:
    """The metadata that applies to a file, nearest folder first."""
    found = []
    folder = posixpath.dirname(relative_path)
    while True:
        if folder in folders:
            found.append(folders[folder])
        if not folder:
            return found
        folder = posixpath.dirname(folder)


def _below(relative_path: str, folder: str) -> str:
    """The path of a file relative to a folder above it (both relative to the corpus, as
    ``applicable`` pairs them): posixpath.relpath's result, without its cost (it resolves
    both against the working directory, for every document of every update)."""
    return relative_path[len(folder) + 1 :] if folder else relative_path


def with_metadata(
    fields: dict[str, Any], relative_path: str, folders: Mapping[str, FolderMetadata], *, is_record: bool
) -> dict[str, Any]:
    """A document's fields (id, title, url, ...) with what its folders' metadata files
    say of it: ``files`` entries override, the rest fills what is missing."""
    chain = applicable(folders, relative_path)
    if not chain:
        return fields
    fields = dict(fields)
    for metadata in reversed(chain):  # nearest last, so that it wins
        explicit = metadata.files.get(_below(relative_path, metadata.folder))
        if explicit:
            for name, value in explicit.items():
                if is_record:  # a JSONL line's own fields win; a file-wide link would be wrong
                    if name != "url" and not fields.get(name):
                        fields[name] = value
                else:
                    fields[name] = value
    for metadata in chain:  # nearest first: the first to give a field gives it
        for name, value in metadata.defaults.items():
            if not fields.get(name):
                fields[name] = value
        if not fields.get("url") and metadata.base_url and not is_record:
            fields["url"] = metadata.base_url + quote(_below(relative_path, metadata.folder))
    return fields
