"""Which files make up a corpus, and opening them safely.

    corpus_files(root, warn=..., follow_outside_links=False) -> list[CorpusFile]
    open_regular(path) -> a binary file object, or OSError if ``path`` is not a regular file

Both the loader and the index cache's fingerprint discover files here, so they always
agree on what the corpus is. The rules:

- Regular files with a corpus suffix only. A FIFO, socket or device named like a corpus
  file is skipped with a warning: opening a FIFO would wait for a writer for ever.
- Hidden files and folders (a leading ``.``, the index cache among them) are skipped.
- The walk keeps its own stack, so no depth of nesting can reach Python's recursion limit.
- Symbolic links are followed only while they stay inside the corpus folder: a link to
  ``/etc/passwd`` is skipped with a warning, unless ``follow_outside_links`` allows it
  (``CITEBOT_FOLLOW_OUTSIDE_LINKS``). A link back into a folder already read is read once.
- A name whose bytes are not valid UTF-8 still loads: its text form shows each invalid
  byte as ``\\xNN`` (this is the document's id), and the exact bytes key the cache.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
CORPUS_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES
# A folder's metadata file (retrieval/corpus/metadata.py): read, never indexed.
METADATA_FILE = "citebot.yaml"

Warn = Callable[[str], None]


class CorpusError(Exception):
    """The corpus as a whole cannot be used (missing, or no readable document)."""


@dataclass(frozen=True)
class CorpusFile:
    """One file of the corpus.

    ``name`` is its path relative to the corpus (``/``-separated, invalid UTF-8 bytes shown
    as ``\\xNN``): the document id and the name warnings use. ``key`` is that relative path's
    exact bytes. ``size`` and ``mtime_ns`` are from the walk's ``stat``, for change checks.
    """

    path: Path
    name: str
    key: bytes
    size: int
    mtime_ns: int


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def display_name(raw: str) -> str:
    """A file system name as valid text: bytes that are not UTF-8 become ``\\xNN``."""
    return os.fsencode(raw).decode("utf-8", "backslashreplace")


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading in binary, refusing anything but a regular file.

    Opened non-blocking and checked with ``fstat`` on the open descriptor, so a FIFO that
    replaced a file after the walk cannot make the read wait for ever.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"{kind_of(mode)}, not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _inside(target: str, folder: str) -> bool:
    return target == folder or target.startswith(folder.rstrip(os.sep) + os.sep)


def corpus_files(
    root: Path,
    *,
    warn: Warn | None = None,
    follow_outside_links: bool = False,
    others: list[CorpusFile] | None = None,
) -> list[CorpusFile]:
    """The corpus files under a folder (recursively, sorted by name), or the single file given.

    ``others``, when given, receives the other regular files found (metadata files, and
    files of unsupported types, counted in one warning by the index)."""
    warn = warn or (lambda _message: None)
    if not root.exists():
        raise CorpusError(f"corpus not found: {root}")
    if root.is_file():
        if root.suffix.lower() not in CORPUS_SUFFIXES:
            kinds = ", ".join(sorted(CORPUS_SUFFIXES))
            raise CorpusError(f"{root.name} is not a corpus file (use one of {kinds}, or a folder)")
        info = root.stat()
        return [
            CorpusFile(root, display_name(root.name), os.fsencode(root.name), info.st_size, info.st_mtime_ns)
        ]
    if not root.is_dir():
        raise CorpusError(f"corpus is neither a folder nor a file: {root}")
    found = _walk(root, warn, follow_outside_links, others if others is not None else [])
    return sorted(found, key=lambda found: (found.name, found.key))


def _walk(root: Path, warn: Warn, follow_outside_links: bool, others: list[CorpusFile]) -> list[CorpusFile]:
    top = os.path.realpath(root)
    read = {_identity(os.stat(top)): "the corpus folder"}  # every folder and file taken, by (device, inode)
    found: list[CorpusFile] = []
    # Folders still to read, with their path relative to the corpus: a stack, not recursion.
    pending: list[tuple[str, str]] = [(str(root), "")]
    # Links are followed once every real folder is read, so that a file or folder reached
    # both directly and through a link keeps its own name.
    links: deque[tuple[str, str, os.stat_result]] = deque()
    while pending or links:
        if not pending:
            path, relative, info = links.popleft()
            _take(path, relative, info, read, found, pending, warn, others)
            continue
        folder, relative_folder = pending.pop()
        try:
            with os.scandir(folder) as scanned:
                entries = sorted(scanned, key=lambda entry: entry.name, reverse=True)
        except OSError as error:
            warn(f"skipped folder {display_name(relative_folder or '.')}: {error.strerror or error}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{relative_folder}/{entry.name}" if relative_folder else entry.name
            wanted = _is_corpus_name(entry.name)
            try:
                is_link = entry.is_symlink()
                if is_link and not follow_outside_links:
                    target = os.path.realpath(entry.path)
                    if not _inside(target, top):
                        if os.path.isdir(target) or wanted:
                            kind = "folder" if os.path.isdir(target) else "file"
                            warn(
                                f"skipped {display_name(relative)}: a link to a {kind} outside the corpus "
                                "(set CITEBOT_FOLLOW_OUTSIDE_LINKS=1 to read it)"
                            )
                        continue
                info = entry.stat(follow_symlinks=True)
            except FileNotFoundError:
                if wanted:
                    warn(f"skipped {display_name(relative)}: a link to nothing (its target does not exist)")
                continue
            except OSError as error:
                if wanted:
                    warn(f"skipped {display_name(relative)}: {error.strerror or error}")
                continue
            if is_link:
                links.append((entry.path, relative, info))
            else:
                _take(entry.path, relative, info, read, found, pending, warn, others)
    return found


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _is_corpus_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in CORPUS_SUFFIXES


def _take(
    path: str,
    relative: str,
    info: os.stat_result,
    read: dict[tuple[int, int], str],
    found: list[CorpusFile],
    pending: list[tuple[str, str]],
    warn: Warn,
    others: list[CorpusFile],
) -> None:
    """Add a folder to read, or a corpus file to the list, unless it was already taken."""
    name = display_name(relative)
    is_folder = stat.S_ISDIR(info.st_mode)
    if not is_folder and not _is_corpus_name(relative):
        if stat.S_ISREG(info.st_mode):
            others.append(CorpusFile(Path(path), name, os.fsencode(relative), info.st_size, info.st_mtime_ns))
        return
    if not is_folder and not stat.S_ISREG(info.st_mode):
        warn(f"skipped {name}: {kind_of(info.st_mode)}, not a regular file")
        return
    identity = _identity(info)
    # Only links get here with an identity already taken (or hard links, which stay two files).
    if identity in read and (is_folder or os.path.islink(path)):
        warn(f"skipped {name}: a link to {read[identity]}, which is read already")
        return
    read.setdefault(identity, name)
    if is_folder:
        pending.append((path, relative))
    else:
        found.append(CorpusFile(Path(path), name, os.fsencode(relative), info.st_size, info.st_mtime_ns))
