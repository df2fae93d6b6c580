"""Segments: the stored product of reading some files, written once and never changed.

A segment holds its documents (metadata, and their texts in one UTF-8 file read through a
memory map) and their term counts (retrieval.search.counts.Counts), as flat binary arrays.
The index of the whole corpus is computed from the counts of its segments' live
documents, so a document is read and analysed once, when its file is added or changed.
Every file of a segment has a CRC-32 in its manifest, checked before it is used.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

import numpy as np

from retrieval.corpus.documents import Document
from retrieval.search.counts import Counts

MANIFEST = "manifest.json"
_DTYPES = {
    "doc_passage_ptr": np.int64,
    "passage_start": np.int64,
    "passage_end": np.int64,
    "passage_prior": np.float32,
    "passage_indptr": np.int64,
    "passage_indices": np.int32,
    "passage_counts": np.float32,
    "doc_indptr": np.int64,
    "doc_indices": np.int32,
    "doc_counts": np.float32,
    "text_offsets": np.int64,
}
_POINTERS = ("doc_passage_ptr", "passage_indptr", "doc_indptr", "text_offsets")


def crc_of(path: Path) -> str:
    crc = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            crc = zlib.crc32(block, crc)
    return f"{crc:08x}"


def checksums(folder: Path, only: Collection[str] | None = None) -> dict[str, str]:
    """CRC-32 of every file in ``folder`` (or of those named in ``only``)."""
    if only is not None:
        return {name: crc_of(folder / name) for name in sorted(only) if (folder / name).is_file()}
    return {
        path.relative_to(folder).as_posix(): crc_of(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def verify(folder: Path, expected: object, only: Collection[str] | None = None) -> None:
    """Raise ValueError unless the files (or those named in ``only``) match ``expected``."""
    if not isinstance(expected, dict) or checksums(folder, only) != expected:
        raise ValueError(f"{folder.name}: files do not match their checksums")


def _metadata(document: Document) -> dict[str, object]:
    # vars(), not dataclasses.asdict, which deep-copies (every field here is a str or None).
    fields = dict(vars(document))
    del fields["text"], fields["path"]
    return fields


class SegmentWriter:
    """Appends documents and their counts to a new segment, streaming to disk."""

    def __init__(self, parent: Path) -> None:
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".segment.", dir=parent))
        self.parent = parent
        self._files = {name: (self.staging / f"{name}.bin").open("wb") for name in _DTYPES}
        self._texts = (self.staging / "texts.bin").open("wb")
        self._totals = dict.fromkeys(_POINTERS, 0)
        for name in _POINTERS:
            self._files[name].write(np.zeros(1, dtype=np.int64).tobytes())
        self.metadata: list[dict[str, object]] = []

    def __len__(self) -> int:
        return len(self.metadata)

    def add(self, documents: Sequence[Document], counts: Counts) -> range:
        """Append documents with their counts; returns their numbers in the segment."""
        if counts.n_documents != len(documents):
            raise ValueError("counts and documents disagree")
        first = len(self.metadata)
        encoded = [document.text.encode("utf-8") for document in documents]
        for data in encoded:
            self._texts.write(data)
        lengths = np.fromiter((len(data) for data in encoded), dtype=np.int64, count=len(encoded))
        self._append_pointer("text_offsets", np.concatenate(([0], np.cumsum(lengths))))
        for name in Counts.FIELDS:
            values = np.asarray(getattr(counts, name))
            if name in _POINTERS:
                self._append_pointer(name, values)
            else:
                # write(), not tofile(): tofile flushes the buffer on every call.
                self._files[name].write(values.astype(_DTYPES[name], copy=False).tobytes())
        self.metadata.extend(_metadata(document) for document in documents)
        return range(first, len(self.metadata))

    def _append_pointer(self, name: str, pointer: np.ndarray) -> None:
        self._files[name].write((pointer[1:].astype(np.int64) + self._totals[name]).tobytes())
        self._totals[name] += int(pointer[-1])

    def close(self, name: str) -> Path:
        """Finish the segment under ``name`` (atomically renamed into place)."""
        for handle in (*self._files.values(), self._texts):
            handle.close()
        (self.staging / "documents.json").write_text(json.dumps(self.metadata, ensure_ascii=False))
        manifest = {"documents": len(self.metadata), "checksums": checksums(self.staging)}
        (self.staging / MANIFEST).write_text(json.dumps(manifest))
        final = self.parent / name
        os.replace(self.staging, final)
        return final

    def abandon(self) -> None:
        for handle in (*self._files.values(), self._texts):
            handle.close()
        shutil.rmtree(self.staging, ignore_errors=True)


# How many decoded documents a segment keeps at hand (the documents an answer cites are
# read several times: quotes, stance, rendering).
_RECENT_DOCUMENTS = 1024


class Segment:
    """A finished segment, read through memory maps."""

    def __init__(self, folder: Path, *, check: bool = True) -> None:
        self.folder = folder
        self.name = folder.name
        manifest = json.loads((folder / MANIFEST).read_text())
        if check:
            verify(folder, manifest.get("checksums"))
        self.n_documents = int(manifest["documents"])
        self.arrays = {name: self._array(name) for name in _DTYPES}
        size = (folder / "texts.bin").stat().st_size
        self._texts = (
            np.memmap(folder / "texts.bin", dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)
        )
        offsets = self.arrays["text_offsets"]
        if len(offsets) != self.n_documents + 1 or offsets[-1] != size:
            raise ValueError(f"{self.name}: texts and documents disagree")
        self.text = functools.lru_cache(maxsize=_RECENT_DOCUMENTS)(self._decode)

    def _array(self, name: str) -> np.ndarray:
        path = self.folder / f"{name}.bin"
        if path.stat().st_size == 0:
            return np.zeros(0, dtype=_DTYPES[name])
        return np.asarray(np.memmap(path, dtype=_DTYPES[name], mode="r"))

    def __len__(self) -> int:
        return self.n_documents

    @functools.cached_property
    def metadata(self) -> list[dict[str, object]]:
        """Each document's own metadata (read when an update needs it, not to answer)."""
        metadata = json.loads((self.folder / "documents.json").read_text())
        if len(metadata) != self.n_documents:
            raise ValueError(f"{self.name}: documents and their metadata disagree")
        return metadata

    def counts(self) -> Counts:
        return Counts(**{name: self.arrays[name] for name in Counts.FIELDS})

    def _decode(self, number: int) -> str:
        offsets = self.arrays["text_offsets"]
        return bytes(self._texts[int(offsets[number]) : int(offsets[number + 1])]).decode("utf-8")

    def document(self, number: int, *, path: str | None) -> Document:
        return Document(text=self.text(number), path=path, **self.metadata[number])  # type: ignore[arg-type]


def runs(numbers: np.ndarray) -> Iterator[tuple[int, int]]:
    """Consecutive runs [first, stop) of increasing numbers."""
    if len(numbers) == 0:
        return
    breaks = np.flatnonzero(np.diff(numbers) != 1) + 1
    starts = np.concatenate(([0], breaks))
    stops = np.concatenate((breaks, [len(numbers)]))
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        yield int(numbers[start]), int(numbers[stop - 1]) + 1
