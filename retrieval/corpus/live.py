"""A corpus that changes while it is served: the current engine, refreshed off to the side.

    live = LiveCorpus("corpus/", name="films")     # loads (or builds) the index
    live.engine.ask("Is Ballerina based on a true story?")
    changes = live.refresh()                       # blocking; the old engine serves meanwhile
    print(changes.summary())
    await live.watch(on_change)                    # until cancelled: refresh on every change

``refresh`` brings the index up to date with the files (only the files that changed are
read again) into a new engine, then swaps it in with one attribute assignment: a reader
gets the old engine or the new one, never a half-built one. An update that fails keeps
the previous engine. Refreshes are serialized; ``engine`` may be read from any thread.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.corpus.documents import CorpusError, Warn

logger = logging.getLogger(__name__)

# How long a burst of file events must go quiet before the index is updated (an editor
# saving, a sync tool copying many files), and how often the folder is checked anyway:
# a watcher can miss events (network drives, an exhausted inotify limit).
DEBOUNCE_MS = 500
POLL_SECONDS = 60.0


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _named(files: tuple[str, ...], limit: int = 3) -> str:
    shown = ", ".join(files[:limit])
    return shown + (f" and {len(files) - limit} more" if len(files) > limit else "")


@dataclass(frozen=True)
class CorpusChanges:
    """What one refresh found and did. Paths are relative to the corpus folder."""

    corpus: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """True when a file was added, changed or removed."""
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line: what changed, and the corpus's size after it."""
        size = f"{_count(self.documents, 'document')}, {_count(self.passages, 'passage')}"
        if not self:
            return f"{self.corpus}: no change ({size})"
        parts = [
            f"{len(files)} {verb} ({_named(files)})"
            for verb, files in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            if files
        ]
        return f"{self.corpus}: {', '.join(parts)}; now {size}; updated in {self.seconds:.1f} s"


OnChange = Callable[[CorpusChanges], Awaitable[None] | None]


class LiveCorpus:
    """A named corpus folder (or file) and the engine currently answering from it."""

    def __init__(
        self,
        path: str | Path,
        *,
        name: str | None = None,
        cache_dir: Path | None = None,
        warn: Warn | None = None,
        follow_outside_links: bool = False,
    ) -> None:
        from retrieval.corpus.store import IndexStore

        self.path = Path(path)
        self.name = name or self.path.name or str(self.path)
        self._warn = warn or logger.warning
        self._lock = threading.Lock()
        self._store = IndexStore(
            self.path,
            cache_dir=cache_dir,
            warn=self._warn,
            progress=False,
            follow_outside_links=follow_outside_links,
        )
        started = time.perf_counter()
        update = self._store.update()
        self._loaded = update.loaded
        self._engine = self._engine_for(update.loaded)
        self._last = self._changes(update, time.perf_counter() - started)

    @property
    def engine(self):
        """The engine answering now. Read it once per question: a refresh may replace it."""
        return self._engine

    @property
    def last_changes(self) -> CorpusChanges:
        """What the latest refresh (or the opening load) did."""
        return self._last

    def refresh(self) -> CorpusChanges:
        """Bring the index up to date with the files and swap the new engine in.

        Blocking, and serialized: a second call waits for the first. While it runs the
        previous engine keeps answering; if it fails (CorpusError, e.g. the folder is gone
        or holds no readable document), the previous engine stays and the error is raised.
        """
        with self._lock:
            started = time.perf_counter()
            update = self._store.update(self._loaded)
            if update.loaded is not self._loaded:
                engine = self._engine_for(update.loaded)
                self._loaded = update.loaded
                self._engine = engine  # one assignment: readers see the old engine or the new
            self._last = self._changes(update, time.perf_counter() - started)
            return self._last

    @staticmethod
    def _engine_for(loaded):
        from retrieval.engine import Engine  # the engine imports this package

        return Engine(loaded.documents, loaded.index)

    def _changes(self, update, seconds: float) -> CorpusChanges:
        added, changed, removed = update.changed_files()
        return CorpusChanges(
            corpus=self.name,
            added=added,
            changed=changed,
            removed=removed,
            documents=len(update.loaded.documents),
            passages=update.loaded.index.n_passages,
            seconds=seconds,
            warnings=tuple(update.warnings),
        )

    async def watch(
        self,
        on_change: OnChange | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        """Refresh whenever the files change, until cancelled; ``on_change`` gets each
        refresh that changed something (it may be a coroutine function).

        Events come from watchfiles (inotify and its kin); the folder is also checked every
        ``poll_seconds`` in case events are missed, and watched by polling alone if the
        watcher cannot start. A refresh that fails is logged and the old engine kept.
        """
        async for _ in self._events(debounce_ms, poll_seconds):
            try:
                changes = await asyncio.to_thread(self.refresh)
            except CorpusError as error:
                self._warn(f"{self.name}: kept the previous index: {error}")
                continue
            except Exception:
                logger.exception("%s: updating the index failed; kept the previous index", self.name)
                continue
            if changes and on_change is not None:
                result = on_change(changes)
                if inspect.isawaitable(result):
                    await result

    async def _events(self, debounce_ms: int, poll_seconds: float):
        """Yields after each debounced burst of relevant file events, and after every
        ``poll_seconds`` without one."""
        import watchfiles

        folder = self.path if self.path.is_dir() else self.path.parent
        try:
            async for _ in watchfiles.awatch(
                folder,
                watch_filter=self._relevant,
                debounce=debounce_ms,
                rust_timeout=max(1, int(poll_seconds * 1000)),
                yield_on_timeout=True,
                ignore_permission_denied=True,
            ):
                yield
        except (OSError, RuntimeError) as error:
            self._warn(f"{self.name}: cannot watch {folder} ({error}); checking every {poll_seconds:g} s")
            while True:
                await asyncio.sleep(poll_seconds)
                yield

    def _relevant(self, change: object, path: str) -> bool:
        """Events worth a refresh: not hidden files or folders (the walk skips them), and
        only the corpus file itself when the corpus is one file."""
        candidate = Path(path)
        if self.path.is_file() or not self.path.exists():
            return candidate.name == self.path.name
        try:
            relative = candidate.relative_to(self.path)
        except ValueError:
            return False
        return not any(part.startswith(".") for part in relative.parts)
