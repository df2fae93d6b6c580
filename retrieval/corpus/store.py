"""The saved index of one corpus, brought up to date with its files.

First version: the files are snapshotted (relative path → size and modification time) to
tell what changed, and any change rebuilds the index whole through the saved cache.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from retrieval.corpus.documents import Document, Warn
from retrieval.corpus.files import corpus_files
from retrieval.search.index import IndexParameters, PassageIndex

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    return {found.name: (found.size, found.mtime_ns) for found in corpus_files(root)}


class IndexStore:
    """Opens and updates the index of the corpus at ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        cache_dir: Path | None = None,
        warn: Warn,
        parameters: IndexParameters | None = None,
    ) -> None:
        self.root = root
        self.cache_dir = cache_dir
        self.warn = warn
        self.parameters = parameters or IndexParameters()
        self._files: Snapshot = {}

    def open(self):
        """The engine as the files are now, and what loading it did."""
        return self._load(previous={})

    def update(self, current):
        """A new engine if the files changed since the last open or update, else ``current``."""
        if snapshot(self.root) == self._files:
            return current, self._changes({}, {}, current.documents, current.index, 0.0)
        return self._load(previous=self._files)

    def _load(self, previous: Snapshot):
        from retrieval.engine import Engine

        started = time.perf_counter()
        files = snapshot(self.root)
        engine = Engine.from_path(
            self.root, cache_dir=self.cache_dir, warn=self.warn, parameters=self.parameters
        )
        self._files = files
        changes = self._changes(
            previous, files, engine.documents, engine.index, time.perf_counter() - started
        )
        return engine, changes

    def _changes(
        self,
        before: Snapshot,
        after: Snapshot,
        documents: Sequence[Document],
        index: PassageIndex,
        seconds: float,
    ):
        from retrieval.corpus.live import CorpusChanges

        return CorpusChanges(
            corpus=self.root.name,
            added=tuple(sorted(after.keys() - before.keys())),
            changed=tuple(sorted(p for p in after.keys() & before.keys() if after[p] != before[p])),
            removed=tuple(sorted(before.keys() - after.keys())),
            documents=len(documents),
            passages=index.n_passages,
            seconds=seconds,
        )
