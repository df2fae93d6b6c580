"""Files → documents → term counts, over every core.

The expensive work of indexing is per document and independent of the rest of the corpus:
reading the file (HTML, PDF and DOCX extraction), splitting sentences and counting terms.
It runs here, in worker processes (concurrent.futures over a ``forkserver`` context: the
workers are forked from a clean server process, never from the caller's threads, and
start without importing the libraries again). A large JSONL file is cut at line
boundaries into pieces read in parallel. A small update runs in the calling process,
where starting workers would cost more than it saves.
"""

from __future__ import annotations

import collections
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.corpus.documents import (
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    Document,
    DocumentError,
    document_from_bytes,
    jsonl_document,
)
from retrieval.corpus.files import open_regular
from retrieval.search.counts import Counts, concatenate, count_passages, empty_counts
from retrieval.search.index import IndexParameters
from retrieval.text.analysis import Analyzer
from retrieval.text.sentences import sentence_spans

# JSONL files are read in pieces of about this many bytes, each a task of its own.
JSONL_PIECE_BYTES = 4 << 20
# Below this much work (bytes of files to read), everything runs in the calling process.
PARALLEL_FROM_BYTES = 8 << 20
# How many bytes of files may be read ahead of the oldest result not yet handed back.
AHEAD_BYTES = 256 << 20
DIGEST_SIZE = 16


def digest_bytes(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


def file_digest(path: Path, limit: int | None = None) -> tuple[bytes, hashlib.blake2b]:
    """The digest of the file (or of its first ``limit`` bytes), and the hash object to go on with."""
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    remaining = limit
    with open_regular(path) as handle:
        while remaining is None or remaining > 0:
            block = handle.read(1 << 20 if remaining is None else min(1 << 20, remaining))
            if not block:
                break
            digest.update(block)
            if remaining is not None:
                remaining -= len(block)
    return digest.copy().digest(), digest


@dataclass(frozen=True)
class Task:
    """Read one file, or lines [first_byte, stop_byte) of a JSONL file."""

    path: str
    display: str
    size: int
    jsonl: bool = False
    first_byte: int = 0
    stop_byte: int = -1
    first_line: int = 1
    # Digests of JSONL lines already stored: those lines are not analysed again.
    known: frozenset[bytes] = frozenset()


@dataclass
class Record:
    """One document of a file: its line (JSONL) and content digest."""

    line: int
    digest: bytes
    document: Document | None  # None: an already stored line, reused by digest


@dataclass
class Ingested:
    task: Task
    records: list[Record] = field(default_factory=list)
    counts: Counts = field(default_factory=empty_counts)  # for the records with a document, in order
    digest: bytes | None = None  # the whole file's (not for JSONL pieces)
    skipped: str | None = None  # why the whole file was skipped
    warnings: list[str] = field(default_factory=list)


_analyzer: Analyzer | None = None
_n_features = 0


def _configure(parameters: IndexParameters) -> None:
    global _analyzer, _n_features
    _analyzer = Analyzer(ngram_range=parameters.ngram_range)
    _n_features = parameters.n_features


def _counts(documents: Sequence[Document]) -> Counts:
    assert _analyzer is not None
    texts = [document.quotable_text for document in documents]
    return count_passages(_analyzer, _n_features, texts, [sentence_spans(text) for text in texts])


def _read_jsonl_piece(task: Task, result: Ingested) -> None:
    with open_regular(Path(task.path)) as handle:
        handle.seek(task.first_byte)
        data = handle.read((task.stop_byte if task.stop_byte >= 0 else task.size) - task.first_byte)
    for number, raw in enumerate(data.split(b"\n"), start=task.first_line):
        if not raw.strip():
            continue
        digest = digest_bytes(raw)
        if digest in task.known:
            result.records.append(Record(number, digest, None))
            continue
        where = f"{task.display}:{number}"
        try:
            result.records.append(Record(number, digest, jsonl_document(raw, where, result.warnings.append)))
        except DocumentError as error:
            result.warnings.append(f"skipped {where}: {error}")


def ingest(task: Task) -> Ingested:
    """Read and count one task; never raises for a bad file (it is reported as skipped)."""
    result = Ingested(task)
    try:
        if task.jsonl:
            _read_jsonl_piece(task, result)
        else:
            path = Path(task.path)
            with open_regular(path) as handle:
                data = handle.read()
            result.digest = digest_bytes(data)
            document = document_from_bytes(data, path.suffix, task.display, result.warnings.append)
            result.records = [Record(0, result.digest, document)]
    except (OSError, DocumentError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        result.skipped = str(reason)
        result.records = []
        return result
    except Exception as error:  # a library failing on one odd file must not stop the corpus
        result.skipped = f"could not be read ({error.__class__.__name__}: {error})"
        result.records = []
        return result
    new = [record.document for record in result.records if record.document is not None]
    result.counts = _counts(new) if new else empty_counts()
    return result


def jsonl_tasks(
    path: Path, display: str, size: int, *, first_byte: int = 0, first_line: int = 1, known=frozenset()
) -> list[Task]:
    """Tasks reading a JSONL file from ``first_byte`` in pieces cut at line ends."""
    tasks = []
    with open_regular(path) as handle:
        start, line = first_byte, first_line
        while start < size:
            handle.seek(min(start + JSONL_PIECE_BYTES, size))
            handle.readline()  # to the end of the line the cut fell in
            stop = min(handle.tell(), size) if start + JSONL_PIECE_BYTES < size else size
            handle.seek(start)
            lines_in_piece = handle.read(stop - start).count(b"\n")
            tasks.append(Task(str(path), display, size, True, start, stop, line, known))
            start, line = stop, line + lines_in_piece
    return tasks


def task_for(path: Path, display: str, size: int) -> list[Task]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        return jsonl_tasks(path, display, size)
    return [Task(str(path), display, size)]


def task_bytes(task: Task) -> int:
    return (task.stop_byte if task.stop_byte >= 0 else task.size) - task.first_byte


def _pool_context(tasks: Sequence[Task]) -> multiprocessing.context.BaseContext:
    """Workers forked from a server that has imported what they need once (lxml and
    trafilatura too, when there are HTML pages to read), or else started afresh."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        html = any(Path(task.path).suffix.lower() in HTML_SUFFIXES for task in tasks)
        extra = ["retrieval.corpus.formats", "trafilatura"] if html else []
        context.set_forkserver_preload(["retrieval.corpus.ingest", *extra])
    return context


def run(
    tasks: Sequence[Task],
    parameters: IndexParameters,
    *,
    jobs: int | None = None,
    on_done: Callable[[Ingested, int], None] | None = None,
) -> Iterator[Ingested]:
    """Every task's result, in task order; ``on_done(result, bytes)`` as each finishes."""
    jobs = jobs or os.cpu_count() or 1
    total = sum(task_bytes(task) for task in tasks)
    if jobs == 1 or len(tasks) == 1 or total < PARALLEL_FROM_BYTES:
        _configure(parameters)
        for task in tasks:
            result = ingest(task)
            if on_done:
                on_done(result, task_bytes(task))
            yield result
        return
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_pool_context(tasks), initializer=_configure, initargs=(parameters,)
    ) as pool:
        # Tasks are submitted up to AHEAD_BYTES of files past the oldest result not yet
        # handed back: workers never wait on one slow file, and results (documents and
        # counts) never pile up in memory far ahead of the caller writing them out.
        in_flight: collections.deque[tuple[Future[Ingested], int]] = collections.deque()
        ahead = 0
        upcoming = iter(tasks)
        task = next(upcoming, None)
        while task is not None or in_flight:
            while task is not None and (not in_flight or ahead + task_bytes(task) <= AHEAD_BYTES):
                in_flight.append((pool.submit(ingest, task), task_bytes(task)))
                ahead += task_bytes(task)
                task = next(upcoming, None)
            future, size = in_flight.popleft()
            result = future.result()
            ahead -= size
            if on_done:
                on_done(result, size)
            yield result


__all__ = ["Ingested", "Record", "Task", "concatenate", "file_digest", "ingest", "run", "task_for"]
