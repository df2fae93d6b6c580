"""The saved index of one corpus, kept up to date file by file.

Layout, in the corpus's own folder of the cache (``<cache>/<name>-<key>/``, the key a hash
of the corpus's absolute path, the index settings and the indexing code)::

    CURRENT                  names the manifest in force (replaced atomically)
    manifest-<n>.json        every corpus file: size, mtime, content digest, its records
    generation-<g>/          the index answered from (PassageIndex arrays), the documents'
                             final metadata, and which segment holds each one's text
    segment-<s>/             documents read and counted once (retrieval/corpus/segments.py)
    lock                     one writer at a time (flock), across processes

An update stats every file; a file whose size or mtime changed is hashed, and only a file
whose content changed is read again (a JSONL file that only grew: only its new lines;
one rewritten: only its lines not seen before). The new documents go into a new
segment; the corpus-wide weights (idf, norms) and posting lists are then recomputed from
the stored counts of all live documents, without reading any text, into a new
generation. Nothing is in force until CURRENT names it, so an interrupted update is
never used; the previous generation keeps serving. Segments that few live documents
use are merged into one, as Lucene merges its segments.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import logging
import os
import posixpath
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.corpus import ingest
from retrieval.corpus.documents import (
    JSONL_SUFFIXES,
    METADATA_FILE,
    CorpusError,
    Document,
    DocumentError,
    Warn,
    load_documents,
    unsupported_warning,
)
from retrieval.corpus.files import CorpusFile, corpus_files, open_regular
from retrieval.corpus.metadata import FolderMetadata, read_metadata, with_metadata
from retrieval.corpus.segments import MANIFEST, Segment, SegmentWriter, checksums, runs, verify
from retrieval.search.index import IndexParameters, PassageIndex
from retrieval.text.sentences import sentence_spans

logger = logging.getLogger(__name__)

# Bump when the saved layout changes. The source of the modules that decide what is
# indexed is part of the key too, so changing the analyser never reuses stale counts.
INDEX_FORMAT = 4
CURRENT = "CURRENT"
CORPUS_MARKER = "corpus.json"
# Held (flock, shared) by every process answering from the folder, for as long as it does;
# its modification time is the folder's last use.
IN_USE = "in-use"
# Another version's folder for the same corpus (the cache folder may be shared by two
# installs) is removed only when no process holds it and it was not used for this long.
STALE_AFTER_SECONDS = 7 * 24 * 3600
_INDEXING_MODULES = (
    "text/analysis.py",
    "text/sentences.py",
    "search/counts.py",
    "search/index.py",
    "corpus/documents.py",
    "corpus/formats.py",
    "corpus/ingest.py",
    "corpus/segments.py",
    "corpus/store.py",
)
# Merge segments when there are more than this many, or when fewer than half of a
# segment's documents are still live.
MAX_SEGMENTS = 8


def _indexing_code_digest() -> bytes:
    package = Path(__file__).resolve().parents[1]
    return b"".join(
        hashlib.blake2b((package / name).read_bytes(), digest_size=8).digest() for name in _INDEXING_MODULES
    )


def default_cache_root() -> Path:
    """The user's cache folder (platformdirs: ~/.cache/citebot on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("citebot", appauthor=False))


def corpus_cache_folder(root: Path, cache_root: Path, parameters: IndexParameters) -> Path:
    """This corpus's folder in the cache: named after it, keyed by its absolute path,
    the index settings and the indexing code."""
    resolved = root.resolve()
    digest = hashlib.blake2b(digest_size=8)
    digest.update(
        json.dumps({"format": INDEX_FORMAT, "corpus": str(resolved), **asdict(parameters)}).encode()
    )
    digest.update(_indexing_code_digest())
    name = re.sub(r"[^\w.-]+", "_", resolved.name)[:40].strip("._") or "corpus"
    return cache_root / f"{name}-{digest.hexdigest()}"


# ---- the state in force ---------------------------------------------------------------


@dataclass
class FileEntry:
    """What the index knows of one corpus file."""

    size: int
    mtime_ns: int
    digest: str  # hex
    records: tuple[int, int] = (0, 0)  # [start, stop) in the generation's record arrays
    skipped: str | None = None
    warnings: list[str] = field(default_factory=list)
    lines: int = 0  # JSONL: lines read (the next appended line's number - 1)

    def to_json(self) -> dict[str, Any]:
        # vars(), not dataclasses.asdict: asdict deep-copies, a measurable cost over every
        # file of a large corpus at every update.
        return {**vars(self), "records": list(self.records), "warnings": list(self.warnings)}

    def with_times(self, size: int, mtime_ns: int) -> FileEntry:
        """This entry for the file at a new size and modification time (same content)."""
        return replace(self, size=size, mtime_ns=mtime_ns, warnings=list(self.warnings))

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FileEntry:
        return cls(**{**raw, "records": tuple(raw["records"])})


@dataclass
class State:
    """A manifest: the files, the generation answering for them, the segments it uses."""

    number: int
    generation: str
    segments: list[str]
    files: dict[str, FileEntry]
    metadata_files: dict[str, str]  # path → digest
    unsupported: dict[str, int]
    warnings: list[str]  # of the whole corpus (duplicate ids, metadata files, unsupported files)

    def to_json(self) -> dict[str, Any]:
        return {
            "citebot_index": INDEX_FORMAT,
            "number": self.number,
            "generation": self.generation,
            "segments": self.segments,
            "files": {path: entry.to_json() for path, entry in self.files.items()},
            "metadata_files": self.metadata_files,
            "unsupported": self.unsupported,
            "warnings": self.warnings,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> State:
        if raw.get("citebot_index") != INDEX_FORMAT:
            raise ValueError("manifest of another format")
        return cls(
            number=int(raw["number"]),
            generation=str(raw["generation"]),
            segments=list(raw["segments"]),
            files={path: FileEntry.from_json(entry) for path, entry in raw["files"].items()},
            metadata_files=dict(raw["metadata_files"]),
            unsupported=dict(raw["unsupported"]),
            warnings=list(raw["warnings"]),
        )

    def all_warnings(self) -> list[str]:
        found = []
        for path, entry in self.files.items():
            if entry.skipped:
                found.append(f"skipped {path}: {entry.skipped}")
            found.extend(entry.warnings)
        return found + self.warnings


class Records:
    """Per stored document of every file (in file order): its segment, number there,
    JSONL line and content digest."""

    def __init__(self, segment: np.ndarray, local: np.ndarray, line: np.ndarray, digest: np.ndarray) -> None:
        self.segment, self.local, self.line, self.digest = segment, local, line, digest

    NAMES = ("segment", "local", "line", "digest")

    def save(self, folder: Path) -> None:
        for name in self.NAMES:
            np.save(folder / f"record_{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> Records:
        return cls(*(np.load(folder / f"record_{name}.npy") for name in cls.NAMES))


_RECENT_DOCUMENTS = 1024


class GenerationDocuments(Sequence[Document]):
    """The documents of a generation in index order: metadata in memory, each text
    decoded on access from its segment's memory-mapped text file."""

    def __init__(self, metadata: list[dict[str, Any]], segments: list[Segment], where: np.ndarray) -> None:
        self._metadata = metadata
        self._segments = segments
        self._where = where  # (segment number, document number there) per document
        self.in_use: Any = None  # the folder's IN_USE lock, held as long as these documents live
        # The documents an answer cites are read several times (quotes, stance, rendering):
        # the same object comes back. Bounded, so a large corpus is never decoded whole.
        self._recent = functools.lru_cache(maxsize=_RECENT_DOCUMENTS)(self._document)

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

    def _document(self, number: int) -> Document:
        segment, local = self._where[number]
        return Document(text=self._segments[int(segment)].text(int(local)), **self._metadata[number])

    def __iter__(self) -> Iterator[Document]:
        return (self[number] for number in range(len(self)))


@dataclass
class Loaded:
    """A state with its generation opened: what an engine answers from."""

    state: State
    documents: GenerationDocuments
    index: PassageIndex


# ---- what an update did -----------------------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@dataclass
class Report:
    """What one update read, for the summary line."""

    files_read: int = 0
    bytes_read: int = 0
    documents_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    documents: int = 0
    passages: int = 0
    unsupported: dict[str, int] = field(default_factory=dict)
    files_removed: int = 0
    files_relabelled: int = 0

    def summary(self) -> str:
        line = (
            f"indexed {_count(self.documents, 'document')}, {_count(self.passages, 'passage')}; "
            f"read {_count(self.files_read, 'file')} ({_count(self.documents_read, 'document')}) "
            f"in {self.seconds:.1f} s"
        )
        if self.seconds >= 1 and self.documents_read:  # a rate over a fraction of a second says nothing
            line += f" ({self.documents_read / self.seconds:,.0f} documents/s)"
        if self.files_removed:
            line += f"; {_count(self.files_removed, 'file')} removed"
        if self.files_relabelled:
            line += f"; {_count(self.files_relabelled, 'file')} re-labelled by citebot.yaml"
        if self.skipped:
            reasons = ", ".join(f"{count} {reason}" for reason, count in self.skipped.most_common())
            line += f"; skipped {sum(self.skipped.values())}: {reasons}"
        if self.unsupported:
            line += f"; ignored {sum(self.unsupported.values())} of unsupported types"
        return line


def _reason_kind(reason: str) -> str:
    """A skip reason without the specifics, to count skips by reason."""
    return re.sub(r"\s*\(.*\)$", "", reason).strip() or reason


@dataclass
class Update:
    loaded: Loaded
    previous: State | None
    report: Report | None  # None: nothing was rebuilt
    warnings: list[str] = field(default_factory=list)  # those the caller had not been told
    relabelled: frozenset[str] = frozenset()  # files whose documents' metadata changed

    def changed_files(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The files whose documents were added, changed (content, or metadata from a
        folder's metadata file) and removed. A skipped file has no documents: it counts
        as absent (its warning says why)."""
        old = self.previous.files if self.previous else {}
        files = self.loaded.state.files
        before = {path for path, entry in old.items() if not entry.skipped}
        after = {path for path, entry in files.items() if not entry.skipped}
        added = tuple(sorted(after - before))
        removed = tuple(sorted(before - after))
        changed = tuple(
            sorted(p for p in after & before if files[p].digest != old[p].digest or p in self.relabelled)
        )
        return added, changed, removed


# ---- the store --------------------------------------------------------------------------


class IndexStore:
    """Opens and updates the saved index of the corpus at ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        cache_dir: Path | None = None,
        warn: Warn | None = None,
        parameters: IndexParameters | None = None,
        progress: bool | None = None,
        report: Callable[[str], None] | None = None,
        jobs: int | None = None,
        follow_outside_links: bool = False,
    ) -> None:
        self.root = Path(root)
        self.follow_outside_links = follow_outside_links
        self.parameters = parameters or IndexParameters()
        self.warn = warn or logger.warning
        self.progress = progress
        self.report = report
        self.jobs = jobs
        self.folder = corpus_cache_folder(self.root, cache_dir or default_cache_root(), self.parameters)
        self._temporary: Path | None = None
        self._in_use: Any = None  # the shared lock on the folder in use, while this store lives

    # -- reading the state in force
    def _read_current(self) -> State | None:
        try:
            name = (self.folder / CURRENT).read_text().strip()
            return State.from_json(json.loads((self.folder / name).read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _open(self, state: State) -> Loaded:
        self._hold_in_use()
        segments = [Segment(self.folder / name) for name in state.segments]
        folder = self.folder / state.generation
        verify(folder, json.loads((folder / MANIFEST).read_text()).get("checksums"))
        index = PassageIndex.load(folder / "index")
        metadata = json.loads((folder / "documents.json").read_text())
        where = np.load(folder / "document_where.npy")
        if index.n_documents != len(metadata) or len(where) != len(metadata):
            raise ValueError("generation's index and documents disagree")
        documents = GenerationDocuments(metadata, segments, where)
        documents.in_use = self._in_use
        return Loaded(state, documents, index)

    def load_current(self) -> Loaded | None:
        """The state in force, opened; None when there is none or it is unusable."""
        state = self._read_current()
        if state is None:
            return None
        try:
            return self._open(state)
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            self.warn(f"rebuilding the index: the saved one is unreadable ({error.__class__.__name__})")
            return None

    # -- updating
    def update(self, loaded: Loaded | None = None) -> Update:
        """Bring the saved index up to date with the files and return it opened.

        ``loaded`` is what the caller answers from now (None at start): when neither the
        files nor the state in force changed, it is returned as it is."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = (self.folder / "lock").open("a")
        except OSError as error:
            self._use_temporary_folder(error)
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = (self.folder / "lock").open("a")
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            try:
                return self._update_locked(loaded)
            except OSError as error:  # writing the index failed (a full disk): answer all the same
                self.warn(
                    f"could not save the index in {self.folder.parent} ({_os_reason(error)}); "
                    "it will be rebuilt next start"
                )
                self._discard_uncommitted()
                return self._finish(self._in_memory(loaded), loaded)

    def _hold_in_use(self) -> None:
        """Mark the folder used now, and hold it (a shared flock, for this store's life and
        its documents'): another citebot version sharing the cache never removes it."""
        if self._in_use is not None and not self._in_use.closed:
            return
        with contextlib.suppress(OSError):
            handle = (self.folder / IN_USE).open("a")
            fcntl.flock(handle, fcntl.LOCK_SH)
            os.utime(handle.fileno())
            self._in_use = handle

    def _discard_uncommitted(self) -> None:
        """Remove what a failed update wrote: the whole folder if nothing was ever in force."""
        state = self._read_current()
        if state is None:
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                self._collect_garbage(state)

    def _in_memory(self, loaded: Loaded | None) -> Update:
        """The corpus read and indexed in memory, nothing saved (when saving fails)."""
        warnings: list[str] = []
        try:
            documents = load_documents(
                self.root, warnings.append, follow_outside_links=self.follow_outside_links
            )
        except CorpusError:
            for message in warnings:  # why each file was skipped, before the error
                self.warn(message)
            raise
        texts = [document.quotable_text for document in documents]
        index = PassageIndex(self.parameters).fit(texts, [sentence_spans(text) for text in texts])
        plan = self._plan(None)
        files = {item.display: FileEntry(item.size, item.mtime_ns, "") for item in plan.items}
        state = State(0, "", [], files, {}, dict(plan.unsupported), plan.metadata_warnings + warnings)
        return Update(Loaded(state, documents, index), loaded.state if loaded else None, None)  # type: ignore[arg-type]

    def _use_temporary_folder(self, error: OSError) -> None:
        """Index into a temporary folder, removed when the process exits."""
        self._temporary = Path(tempfile.mkdtemp(prefix="citebot-index-"))
        atexit.register(shutil.rmtree, self._temporary, ignore_errors=True)
        self.warn(
            f"cannot write the index cache in {self.folder.parent} ({error.strerror or error}); "
            f"indexing into {self._temporary}, rebuilt at every start and removed at exit"
        )
        self.folder = self._temporary

    def _update_locked(self, loaded: Loaded | None) -> Update:
        started = time.perf_counter()
        in_force = self._read_current()
        plan = self._plan(in_force)
        # What changed is told against what the caller answers from, or at start against
        # the index saved before.
        previous = loaded.state if loaded else in_force
        base = in_force  # what the rebuild builds on
        if in_force is not None and plan.nothing_to_read(in_force):
            opened = loaded
            if loaded is None or loaded.state.number != in_force.number:
                opened = self.load_current()
            if opened is not None:
                kept = plan.keep(in_force)
                if kept is not None:  # only times or warnings changed: same generation, new manifest
                    self._commit(kept)
                    self._collect_garbage(kept)
                    opened = Loaded(kept, opened.documents, opened.index)
                elif loaded is None and self._temporary is None:  # at start: other versions' too
                    self._remove_stale_versions()
                return self._finish(Update(opened, previous, None), loaded)
            base = None
        elif in_force is not None and not self._reusable(in_force, loaded):
            base = None
        if in_force is not None and base is None:  # the saved index is unusable: read everything
            plan = self._plan(None)
            previous = loaded.state if loaded else None
        return self._finish(self._rebuild(plan, base, previous, started), loaded)

    def _reusable(self, state: State, loaded: Loaded | None) -> bool:
        """Can an update build on ``state``? What it reuses must match its checksums: the
        segments (documents and counts) and the generation's record files (the
        generation's index, about to be replaced, is not read, so not checked). The
        caller's own state was checked when it was opened."""
        if loaded is not None and loaded.state.number == state.number:
            return True
        try:
            for name in state.segments:
                Segment(self.folder / name)
            folder = self.folder / state.generation
            expected = json.loads((folder / MANIFEST).read_text()).get("checksums")
            records = {f"record_{name}.npy" for name in Records.NAMES}
            verify(folder, {name: crc for name, crc in expected.items() if name in records}, only=records)
            return True
        except (OSError, ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            self.warn(f"rebuilding the index: the saved one is unreadable ({error.__class__.__name__})")
            return False

    def _finish(self, update: Update, previous_loaded: Loaded | None) -> Update:
        """Warn about what the caller has not been told yet."""
        told = set(previous_loaded.state.all_warnings()) if previous_loaded else set()
        update.warnings = [message for message in update.loaded.state.all_warnings() if message not in told]
        for message in update.warnings:
            self.warn(message)
        return update

    def _plan(self, state: State | None) -> Plan:
        others: list[CorpusFile] = []
        walk_warnings: list[str] = []  # kept with the state: told once, not at every check
        found = corpus_files(
            self.root,
            warn=walk_warnings.append,
            follow_outside_links=self.follow_outside_links,
            others=others,
        )
        metadata = [other for other in others if posixpath.basename(other.name) == METADATA_FILE]
        unsupported = Counter(
            posixpath.splitext(other.name)[1].lower() for other in others if other not in metadata
        )
        return Plan(state, found, metadata, unsupported, walk_warnings)

    def _rebuild(self, plan: Plan, state: State | None, previous: State | None, started: float) -> Update:
        report = Report(unsupported=dict(plan.unsupported))
        old_records = Records.load(self.folder / state.generation) if state is not None else None
        segments = {
            name: Segment(self.folder / name, check=False) for name in (state.segments if state else [])
        }
        writer = SegmentWriter(self.folder)
        new_name = self._next_name("segment")
        try:
            files, record_parts = self._read_files(plan, state, old_records, writer, new_name, report)
            if len(writer):
                writer_folder = writer.close(new_name)
                segments[new_name] = Segment(writer_folder, check=False)
            else:
                writer.abandon()
        except BaseException:
            writer.abandon()
            raise
        position = 0
        for display, part in record_parts:
            files[display].records = (position, position + len(part))
            position += len(part)
        records = _join_records(record_parts, list(segments))
        segment_names = list(segments)
        records, segment_names, segments = self._merge_segments(records, segment_names, segments)
        folders = plan.folder_metadata()
        number = (state.number + 1) if state else 1
        new_state = State(
            number=number,
            generation=self._next_name("generation"),
            segments=segment_names,
            files=files,
            metadata_files=plan.metadata_digests,
            unsupported=dict(plan.unsupported),
            warnings=plan.metadata_warnings,
        )
        try:
            loaded_now = self._write_generation(new_state, records, segments, folders, new_name, report)
        except CorpusError:
            # Why each file was skipped comes before the error that none is left.
            for message in new_state.all_warnings():
                self.warn(message)
            self._discard_uncommitted()
            raise
        report.seconds = time.perf_counter() - started
        report.documents, report.passages = len(loaded_now.documents), loaded_now.index.n_passages
        relabelled = (
            self._relabelled(state, loaded_now)
            if state is not None and plan.metadata_digests != state.metadata_files
            else frozenset()
        )
        if state is not None:
            report.files_removed = len(state.files.keys() - new_state.files.keys())
            report.files_relabelled = len(relabelled)
        self._commit(new_state)
        self._hold_in_use()
        loaded_now.documents.in_use = self._in_use
        self._collect_garbage(new_state)
        if self.report is not None:  # a rebuild means files were added, changed or removed
            self.report(report.summary())
        return Update(loaded_now, previous, report, relabelled=relabelled)

    def _relabelled(self, state: State, now: Loaded) -> frozenset[str]:
        """The files whose documents' metadata differ from ``state``'s (a folder's
        metadata file changed)."""
        try:
            before = json.loads((self.folder / state.generation / "documents.json").read_text())
        except (OSError, ValueError):
            return frozenset()
        old = {str(fields.get("path")): fields for fields in before}
        found = set()
        for fields in now.documents._metadata:
            path = str(fields["path"])
            previous = old.get(path)
            if previous is not None and previous != fields:
                display = path if path in now.state.files else path.rpartition(":")[0]
                found.add(display)
        return frozenset(found)

    def _read_files(
        self,
        plan: Plan,
        state: State | None,
        old_records: Records | None,
        writer: SegmentWriter,
        new_name: str,
        report: Report,
    ) -> tuple[dict[str, FileEntry], list[tuple[str, list[tuple[str, int, int, bytes]]]]]:
        """Read what changed into the new segment; every file's records, in file order."""
        old_names = state.segments if state else []
        files: dict[str, FileEntry] = {}
        parts: dict[str, list[tuple[str, int, int, bytes]]] = {}
        tasks: list[ingest.Task] = []
        for item in plan.items:
            old = state.files.get(item.display) if state else None
            kept: list[tuple[str, int, int, bytes]] = []
            if old is not None and old_records is not None and item.reuse != "none":
                start, stop = old.records
                for number in range(start, stop):
                    kept.append(
                        (
                            old_names[int(old_records.segment[number])],
                            int(old_records.local[number]),
                            int(old_records.line[number]),
                            bytes(old_records.digest[number]),
                        )
                    )
            if item.reuse == "all":
                assert old is not None
                files[item.display] = old.with_times(item.size, item.mtime_ns)
                parts[item.display] = kept
                continue
            entry = FileEntry(item.size, item.mtime_ns, item.digest or "", lines=item.lines)
            if item.reuse == "append" and old is not None:
                entry.warnings = list(old.warnings)
                parts[item.display] = kept
                tasks.extend(
                    ingest.jsonl_tasks(
                        item.path, item.display, item.size, first_byte=old.size, first_line=old.lines + 1
                    )
                )
            elif item.jsonl:
                item.known = {digest: (segment, local) for segment, local, _, digest in kept}
                parts[item.display] = []
                tasks.extend(
                    ingest.jsonl_tasks(item.path, item.display, item.size, known=frozenset(item.known))
                )
            else:
                parts[item.display] = []
                tasks.extend(ingest.task_for(item.path, item.display, item.size))
            files[item.display] = entry
        by_display = {item.display: item for item in plan.items}
        report.files_read = len({task.display for task in tasks})
        with self._progress_bar(sum(ingest.task_bytes(task) for task in tasks)) as advance:
            for result in ingest.run(tasks, self.parameters, jobs=self.jobs, on_done=advance):
                display = result.task.display
                entry = files[display]
                report.bytes_read += ingest.task_bytes(result.task)
                if not result.task.jsonl and result.digest:
                    entry.digest = result.digest.hex()
                if result.skipped:
                    entry.skipped = result.skipped
                    report.skipped[_reason_kind(result.skipped)] += 1
                for warning in result.warnings:  # a JSONL line skipped is a document skipped
                    if warning.startswith("skipped "):
                        report.skipped[_reason_kind(warning.partition(": ")[2])] += 1
                entry.warnings.extend(result.warnings)
                new_docs = [record.document for record in result.records if record.document is not None]
                numbers = iter(writer.add(new_docs, result.counts) if new_docs else ())
                report.documents_read += len(new_docs)
                known = by_display[display].known
                for record in result.records:
                    if record.document is not None:
                        parts[display].append((new_name, next(numbers), record.line, record.digest))
                    else:
                        segment, local = known[record.digest]
                        parts[display].append((segment, local, record.line, record.digest))
        return files, list(parts.items())

    def _merge_segments(
        self, records: Records, names: list[str], segments: dict[str, Segment]
    ) -> tuple[Records, list[str], dict[str, Segment]]:
        """Drop segments no record uses; merge those mostly dead, or all but the largest
        when there are too many, into one new segment."""
        used = (
            np.bincount(records.segment, minlength=len(names))
            if len(records.segment)
            else np.zeros(len(names))
        )
        alive = [number for number in range(len(names)) if used[number] > 0]
        victims = [n for n in alive if used[n] < len(segments[names[n]]) / 2]
        if len(alive) > MAX_SEGMENTS:
            largest = max(alive, key=lambda n: len(segments[names[n]]))
            victims = [n for n in alive if n != largest]
        if victims:
            writer = SegmentWriter(self.folder)
            merged_name = self._next_name("segment")
            remap: dict[tuple[int, int], int] = {}
            try:
                for number in victims:
                    segment = segments[names[number]]
                    locals_ = np.unique(records.local[records.segment == number])
                    documents = [segment.document(int(local), path=None) for local in locals_]
                    new_numbers = writer.add(documents, segment.counts().take(list(runs(locals_))))
                    remap.update(zip(((number, int(local)) for local in locals_), new_numbers, strict=True))
                merged = Segment(writer.close(merged_name), check=False)
            except BaseException:
                writer.abandon()
                raise
            segments = {**segments, merged_name: merged}
            names = [*names, merged_name]
            merged_number = len(names) - 1
            segment_numbers, local_numbers = records.segment.copy(), records.local.copy()
            for position in np.flatnonzero(np.isin(records.segment, victims)):
                key = (int(records.segment[position]), int(records.local[position]))
                segment_numbers[position], local_numbers[position] = merged_number, remap[key]
            records = Records(segment_numbers, local_numbers, records.line, records.digest)
            alive = [n for n in range(len(names)) if n not in victims and (n == merged_number or used[n] > 0)]
        keep = {old: new for new, old in enumerate(alive)}
        renumber = np.full(len(names), -1, dtype=np.int32)
        for old, new in keep.items():
            renumber[old] = new
        records = Records(renumber[records.segment], records.local, records.line, records.digest)
        kept_names = [names[n] for n in alive]
        return records, kept_names, {name: segments[name] for name in kept_names}

    def _write_generation(
        self,
        state: State,
        records: Records,
        segments: dict[str, Segment],
        folders: Mapping[str, FolderMetadata],
        new_segment: str,
        report: Report,
    ) -> Loaded:
        """Compute the index of every live document from stored counts and save it as a
        new generation (not yet in force). Documents just read (in ``new_segment``) and
        dropped as duplicates are counted in ``report``."""
        opened = [segments[name] for name in state.segments]
        metadata_of = [segment.metadata for segment in opened]
        # A file's path is its id: a JSONL line claiming it is skipped, whatever the order.
        path_ids = {
            display for display in state.files if posixpath.splitext(display)[1].lower() not in JSONL_SUFFIXES
        }
        seen: set[str] = set()
        live: list[int] = []
        metadata: list[dict[str, Any]] = []
        duplicates: list[str] = []
        new_number = state.segments.index(new_segment) if new_segment in state.segments else -1
        segment_numbers, local_numbers, lines = (
            records.segment.tolist(),
            records.local.tolist(),
            records.line.tolist(),
        )
        for display, entry in state.files.items():
            for position in range(*entry.records):
                fields = metadata_of[segment_numbers[position]][local_numbers[position]]
                line = lines[position]
                path = f"{display}:{line}" if line else display
                doc_id = str(fields["id"])
                if line and doc_id in path_ids:
                    duplicates.append(f"skipped {path}: its id {doc_id!r} is the path of a corpus file")
                    if segment_numbers[position] == new_number:
                        report.skipped["id is a corpus file's path"] += 1
                    continue
                if doc_id in seen:
                    duplicates.append(f"skipped {path}: duplicate document id {doc_id!r}")
                    if segment_numbers[position] == new_number:
                        report.skipped["duplicate id"] += 1
                    continue
                seen.add(doc_id)
                live.append(position)
                fields = {**fields, "path": path}
                metadata.append(
                    with_metadata(fields, display, folders, is_record=bool(line)) if folders else fields
                )
        if not live:
            raise CorpusError(f"no readable documents in corpus {self.root}")
        state.warnings = state.warnings + duplicates
        chosen = np.asarray(live, dtype=np.int64)
        where = np.stack([records.segment[chosen], records.local[chosen]], axis=1).astype(np.int64)
        # Consecutive documents of one segment are taken as one slice of its counts.
        parts = []
        boundaries = np.flatnonzero((np.diff(where[:, 0]) != 0) | (np.diff(where[:, 1]) != 1)) + 1
        for start, stop in zip(
            np.concatenate(([0], boundaries)).tolist(),
            np.concatenate((boundaries, [len(where)])).tolist(),
            strict=True,
        ):
            segment = opened[int(where[start, 0])]
            parts.append(segment.counts().slice(int(where[start, 1]), int(where[stop - 1, 1]) + 1))
        staging = Path(tempfile.mkdtemp(prefix=".generation.", dir=self.folder))
        try:
            PassageIndex(self.parameters).fit_counts(parts, save_to=staging / "index")
            del parts
            (staging / "documents.json").write_text(json.dumps(metadata, ensure_ascii=False))
            np.save(staging / "document_where.npy", where)
            records.save(staging)
            (staging / MANIFEST).write_text(json.dumps({"checksums": checksums(staging)}))
            os.replace(staging, self.folder / state.generation)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        final = self.folder / state.generation
        return Loaded(state, GenerationDocuments(metadata, opened, where), PassageIndex.load(final / "index"))

    def _commit(self, state: State) -> None:
        """Put ``state`` in force: its manifest, then CURRENT naming it (each replaced atomically)."""
        name = f"manifest-{state.number}.json"
        _write_atomically(self.folder / name, json.dumps(state.to_json(), ensure_ascii=False))
        _write_atomically(self.folder / CURRENT, name)
        marker = self.folder / CORPUS_MARKER
        if not marker.exists():
            _write_atomically(marker, json.dumps({"corpus": str(self.root.resolve())}))

    def _collect_garbage(self, state: State) -> None:
        """Remove what the state in force does not use, and this corpus's folders made
        by other versions of the indexing code (only citebot's own, for this corpus)."""
        keep = {
            CURRENT,
            CORPUS_MARKER,
            "lock",
            IN_USE,
            f"manifest-{state.number}.json",
            state.generation,
            *state.segments,
        }
        for entry in self.folder.iterdir():
            if entry.name not in keep and entry.name.startswith(
                ("manifest-", "generation-", "segment-", ".generation.", ".segment.", ".tmp.")
            ):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        if self._temporary is None:  # never look outside the cache folder
            self._remove_stale_versions()

    def _remove_stale_versions(self) -> None:
        """Remove this corpus's folders made by other versions of the indexing code, once
        provably stale: no process holds them (see IN_USE) and none used them for
        STALE_AFTER_SECONDS. Only folders named as citebot names them and whose marker
        names this corpus are considered; nothing else in the cache folder is touched."""
        corpus = str(self.root.resolve())
        prefix = self.folder.name.rsplit("-", 1)[0] + "-"
        now = time.time()
        for sibling in self.folder.parent.iterdir():
            name = sibling.name
            if (
                sibling == self.folder
                or not name.startswith(prefix)
                or not re.fullmatch(r"[0-9a-f]{16}", name[len(prefix) :])
                or sibling.is_symlink()
                or not sibling.is_dir()
            ):
                continue
            try:
                owner = json.loads((sibling / CORPUS_MARKER).read_text()).get("corpus")
                used = max(
                    (sibling / used_file).stat().st_mtime
                    for used_file in (IN_USE, CURRENT)
                    if (sibling / used_file).exists()
                )
            except (OSError, ValueError, AttributeError):
                continue
            if owner != corpus or now - used < STALE_AFTER_SECONDS:
                continue
            with contextlib.suppress(OSError), (sibling / IN_USE).open("a") as holder:
                fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError: in use
                with (sibling / "lock").open("a") as writer:
                    fcntl.flock(writer, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError: being updated
                    shutil.rmtree(sibling, ignore_errors=True)

    @staticmethod
    def _next_name(kind: str) -> str:
        return f"{kind}-{time.time_ns():x}-{os.getpid():x}"

    @contextlib.contextmanager
    def _progress_bar(self, total: int) -> Iterator[Callable[[Any, int], None]]:
        show = self.progress if self.progress is not None else sys.stderr.isatty()
        if not show or total <= 0:
            yield lambda result, size: None
            return
        from tqdm import tqdm

        with tqdm(
            total=total, unit="B", unit_scale=True, desc="indexing", file=sys.stderr, leave=False
        ) as bar:
            yield lambda result, size: bar.update(size)


def _os_reason(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return f"{error.strerror}: is the disk full?"
    # numpy reports a short write (a full disk, a file size limit) as an OSError without errno.
    return (
        error.strerror
        or f"a write was cut short: is the disk full? ({str(error) or error.__class__.__name__})"
    )


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".tmp.", dir=path.parent)
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.replace(temporary, path)


def _join_records(
    parts: Sequence[tuple[str, Sequence[tuple[str, int, int, bytes]]]], names: list[str]
) -> Records:
    number = {name: position for position, name in enumerate(names)}
    flat = [record for _, records in parts for record in records]
    return Records(
        np.fromiter((number[r[0]] for r in flat), dtype=np.int32, count=len(flat)),
        np.fromiter((r[1] for r in flat), dtype=np.int32, count=len(flat)),
        np.fromiter((r[2] for r in flat), dtype=np.int32, count=len(flat)),
        np.array([r[3] for r in flat], dtype=f"S{ingest.DIGEST_SIZE}") if flat else np.zeros(0, "S16"),
    )


# ---- deciding what to read ----------------------------------------------------------------


@dataclass
class Item:
    """One corpus file and how much of what is stored for it can be kept."""

    path: Path
    display: str
    size: int
    mtime_ns: int
    jsonl: bool
    digest: str | None = None
    lines: int = 0
    reuse: str = "none"  # all | append | records (JSONL lines, by digest) | none
    known: dict[bytes, tuple[str, int]] = field(default_factory=dict)


def _hash_and_count(path: Path, start: int = 0, digest: Any = None) -> tuple[str, int, Any]:
    """Go on hashing the file from ``start``; also count its newlines from there."""
    digest = digest or hashlib.blake2b(digest_size=ingest.DIGEST_SIZE)
    newlines = 0
    with open_regular(path) as handle:
        handle.seek(start)
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
            newlines += block.count(b"\n")
    return digest.hexdigest(), newlines, digest


class Plan:
    """Every corpus file, compared with what the state in force knows of it."""

    def __init__(
        self,
        state: State | None,
        found: Sequence[CorpusFile],
        metadata_files: Sequence[CorpusFile],
        unsupported: Counter[str],
        walk_warnings: list[str],
    ) -> None:
        self.unsupported = unsupported
        self.items = [self._item(state, corpus_file) for corpus_file in found]
        self.metadata_digests: dict[str, str] = {}
        self.metadata_warnings: list[str] = list(walk_warnings)
        self._folders: dict[str, FolderMetadata] = {}
        for metadata_file in metadata_files:
            folder = posixpath.dirname(metadata_file.name)
            try:
                self.metadata_digests[metadata_file.name] = _hash_and_count(metadata_file.path)[0]
                self._folders[folder] = read_metadata(metadata_file.path, folder)
            except (OSError, DocumentError) as error:
                reason = error.strerror if isinstance(error, OSError) else error
                self.metadata_warnings.append(f"ignored metadata file {metadata_file.name}: {reason}")
        warning = unsupported_warning(unsupported)
        if warning:
            self.metadata_warnings.append(warning)

    def folder_metadata(self) -> dict[str, FolderMetadata]:
        return self._folders

    @staticmethod
    def _item(state: State | None, found: CorpusFile) -> Item:
        display, path = found.name, found.path
        jsonl = path.suffix.lower() in JSONL_SUFFIXES
        item = Item(path, display, found.size, found.mtime_ns, jsonl)
        old = state.files.get(display) if state else None
        if old is not None and (old.size, old.mtime_ns) == (item.size, item.mtime_ns):
            item.digest, item.lines, item.reuse = old.digest, old.lines, "all"
            return item
        try:
            if jsonl:
                if old is not None and not old.skipped and 0 < old.size < item.size:
                    prefix_digest, hasher = ingest.file_digest(path, limit=old.size)
                    if prefix_digest.hex() == old.digest and _byte_at(path, old.size - 1) == b"\n":
                        item.digest, newlines, _ = _hash_and_count(path, old.size, hasher)
                        item.lines, item.reuse = old.lines + newlines, "append"
                        return item
                item.digest, item.lines, _ = _hash_and_count(path)
                if old is not None:
                    item.reuse = "all" if item.digest == old.digest else "records"
            elif old is not None:
                item.digest = _hash_and_count(path)[0]
                if item.digest == old.digest:
                    item.lines, item.reuse = old.lines, "all"
        except OSError:
            item.reuse = "none"
        return item

    def nothing_to_read(self, state: State) -> bool:
        return (
            all(item.reuse == "all" for item in self.items)
            and {item.display for item in self.items} == set(state.files)
            and self.metadata_digests == state.metadata_files
        )

    def keep(self, state: State) -> State | None:
        """``state`` with the files' times and the corpus-wide warnings as they are now,
        or None when nothing at all differs."""
        files = {
            item.display: state.files[item.display].with_times(item.size, item.mtime_ns)
            for item in self.items
        }
        warnings = self.metadata_warnings + [w for w in state.warnings if w.startswith("skipped ")]
        if (
            files == state.files
            and dict(self.unsupported) == state.unsupported
            and warnings == state.warnings
        ):
            return None
        return State(
            state.number + 1,
            state.generation,
            state.segments,
            files,
            state.metadata_files,
            dict(self.unsupported),
            warnings,
        )


def _byte_at(path: Path, position: int) -> bytes:
    with open_regular(path) as handle:
        handle.seek(position)
        return handle.read(1)
