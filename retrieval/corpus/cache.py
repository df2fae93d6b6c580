"""The saved index: keyed by the corpus content, loaded on start, rebuilt when stale.

A cache folder holds one entry per corpus fingerprint (a hash of every corpus file's
path and bytes, plus the index format). An entry is written to a temporary folder and
renamed into place, so a crash never leaves a half-written entry under a valid name; an
entry that fails to load or check is rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from retrieval.corpus.documents import Document
from retrieval.corpus.files import corpus_files, open_regular
from retrieval.search.index import IndexParameters, PassageIndex

logger = logging.getLogger(__name__)

# Bump when the saved layout changes. The source of the modules that decide what is
# indexed is part of the key too, so changing the analyser can never reuse a stale index.
INDEX_FORMAT = 2
CACHE_FOLDER_NAME = ".citebot-cache"
MANIFEST = "manifest.json"
_INDEXING_MODULES = (
    "text/analysis.py",
    "text/sentences.py",
    "search/index.py",
    "corpus/documents.py",
    "corpus/files.py",
    "corpus/cache.py",
)


def _indexing_code_digest() -> bytes:
    package = Path(__file__).resolve().parents[1]
    return b"".join(
        hashlib.blake2b((package / name).read_bytes(), digest_size=8).digest() for name in _INDEXING_MODULES
    )


def corpus_fingerprint(root: Path, parameters: IndexParameters, *, follow_outside_links: bool = False) -> str:
    """A hash of the corpus content (every file's relative path and bytes) and index settings."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps({"format": INDEX_FORMAT, **asdict(parameters)}).encode())
    digest.update(_indexing_code_digest())
    for found in corpus_files(root, follow_outside_links=follow_outside_links):
        # The name's exact bytes: a name that is not UTF-8 is still a key, never an error.
        digest.update(found.key + b"\0")
        try:
            with open_regular(found.path) as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as error:
            # An unreadable file still changes the key: it is warned about at build time.
            digest.update(f"unreadable:{error.errno}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def default_cache_dir(root: Path) -> Path:
    """Beside the corpus when that folder is writable, else in the user's cache folder."""
    base = root if root.is_dir() else root.parent
    if os.access(base, os.W_OK):
        return base / CACHE_FOLDER_NAME
    home_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return home_cache / "citebot" / hashlib.blake2b(str(base.resolve()).encode(), digest_size=8).hexdigest()


# Staging folders are hidden (".<fingerprint>.<random>"); one left by a process that was killed
# while saving is removed once it is this old, so it can no longer be another's work in progress.
STAGING_PREFIX = "."
_STAGING_NAME = re.compile(r"\.[0-9a-f]{32}\..+")
_ABANDONED_SECONDS = 3_600

# How many decoded documents a store keeps at hand.
_RECENT_DOCUMENTS = 1024


class StoredDocuments(Sequence[Document]):
    """Documents read from a cache entry: metadata in memory, texts decoded on access
    from one memory-mapped UTF-8 file, so start-up does not decode the whole corpus."""

    def __init__(self, folder: Path) -> None:
        self._metadata: list[dict[str, object]] = json.loads((folder / "documents.json").read_text())
        self._offsets = np.load(folder / "text_offsets.npy")
        self._texts = np.memmap(folder / "texts.bin", dtype=np.uint8, mode="r") if self._offsets[-1] else b""
        if len(self._offsets) != len(self._metadata) + 1 or self._offsets[-1] != len(self._texts):
            raise ValueError("document store is inconsistent")
        # The documents an answer cites are read several times (quotes, stance, rendering):
        # the same object comes back, and its text's hash, used by the stance caches, is
        # computed once. Bounded, so a large corpus is never decoded whole.
        self._recent = functools.lru_cache(maxsize=_RECENT_DOCUMENTS)(self._decode)

    def __len__(self) -> int:
        return len(self._metadata)

    def ids_and_titles(self) -> list[tuple[str, str]]:
        """Every document's id and title, without decoding any text."""
        return [(str(fields["id"]), str(fields["title"])) for fields in self._metadata]

    def __getitem__(self, number: int | slice) -> Document | list[Document]:  # type: ignore[override]
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]  # type: ignore[misc]
        if number < 0:
            number += len(self)
        if not 0 <= number < len(self):
            raise IndexError("document number out of range")
        return self._recent(number)

    def _decode(self, number: int) -> Document:
        start, end = int(self._offsets[number]), int(self._offsets[number + 1])
        text = bytes(self._texts[start:end]).decode("utf-8")
        return Document(text=text, **self._metadata[number])  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Document]:
        return (self[number] for number in range(len(self)))

    @staticmethod
    def save(documents: Sequence[Document], folder: Path) -> None:
        metadata = []
        offsets = [0]
        with (folder / "texts.bin").open("wb") as texts:
            for document in documents:
                encoded = document.text.encode("utf-8")
                texts.write(encoded)
                offsets.append(offsets[-1] + len(encoded))
                fields = asdict(document)
                del fields["text"]
                metadata.append(fields)
        np.save(folder / "text_offsets.npy", np.asarray(offsets, dtype=np.int64))
        (folder / "documents.json").write_text(json.dumps(metadata, ensure_ascii=False))


def _file_digests(folder: Path) -> dict[str, str]:
    """A checksum of every file in an entry, so a flipped byte is caught before it is used."""
    digests = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            digest = hashlib.blake2b(digest_size=16)
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
            digests[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return digests


def _read_manifest(folder: Path) -> dict[str, object] | None:
    """The entry's manifest if it is one of citebot's, else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and "citebot_index" in manifest else None


def load_entry(folder: Path) -> tuple[StoredDocuments, PassageIndex, list[str]]:
    """Documents, index and the build's warnings from a cache entry; raises if unusable."""
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("citebot_index") != INDEX_FORMAT:
        raise ValueError("cache entry is missing its manifest or has another format")
    if _file_digests(folder) != manifest.get("checksums"):
        raise ValueError("cache entry's files do not match their checksums")
    documents = StoredDocuments(folder)
    index = PassageIndex.load(folder / "index")
    if index.n_documents != len(documents):
        raise ValueError("cache entry's index and documents disagree")
    return documents, index, [str(warning) for warning in manifest.get("warnings", [])]


def _is_valid_entry(folder: Path) -> bool:
    """Whether ``folder`` holds a complete entry whose files match their checksums."""
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("citebot_index") != INDEX_FORMAT:
        return False
    try:
        return _file_digests(folder) == manifest.get("checksums")
    except OSError:
        return False


def save_entry(
    cache_dir: Path,
    fingerprint: str,
    corpus: Path,
    documents: Sequence[Document],
    index: PassageIndex,
    warnings: list[str],
) -> Path:
    """Write an entry atomically, then remove this corpus's older entries (and nothing else).

    Several processes may build the same corpus at once: an entry's content is fixed by its
    fingerprint, so whichever is renamed into place first stays, and the others' equal
    entries are dropped without complaint. Only a damaged entry is ever replaced.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / fingerprint
    if _is_valid_entry(final):
        return final
    staging = Path(tempfile.mkdtemp(prefix=f".{fingerprint}.", dir=cache_dir))
    corpus_key = str(corpus.resolve())
    try:
        StoredDocuments.save(documents, staging)
        index.save(staging / "index")
        manifest = {
            "citebot_index": INDEX_FORMAT,
            "corpus": corpus_key,
            "documents": len(documents),
            "warnings": warnings,
            "checksums": _file_digests(staging),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest))
        _move_into_place(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_stale_entries(cache_dir, final, corpus_key)
    return final


def _move_into_place(staging: Path, final: Path) -> None:
    """Rename ``staging`` to ``final``, unless a valid entry got there first."""
    for _attempt in range(3):
        try:
            os.replace(staging, final)  # atomic; refuses to replace a folder that is not empty
            return
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        if _is_valid_entry(final):
            return  # another process saved the same entry first
        # A damaged entry is in the way: rename it aside (atomic too), then remove it.
        aside = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{final.name}.", dir=final.parent))
        try:
            os.replace(final, aside / "damaged")
        except FileNotFoundError:
            pass
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    raise OSError(errno.ENOTEMPTY, "another process keeps writing a damaged entry", str(final))


def _remove_stale_entries(cache_dir: Path, final: Path, corpus_key: str) -> None:
    """Remove this corpus's older entries and abandoned staging folders; nothing else."""
    now = time.time()
    for entry in cache_dir.iterdir():
        if entry == final or not entry.is_dir():
            continue
        if entry.name.startswith(STAGING_PREFIX):
            # Another process's staging folder, still being written (or one long abandoned).
            with contextlib.suppress(OSError):
                if _STAGING_NAME.fullmatch(entry.name) and now - entry.stat().st_mtime > _ABANDONED_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
            continue
        manifest = _read_manifest(entry)
        # Only citebot's own entries for this same corpus: a cache folder may be shared.
        if manifest is not None and manifest.get("corpus") == corpus_key:
            shutil.rmtree(entry, ignore_errors=True)
