"""What the command extensions share with the bot, without importing it.

:mod:`bot.app` builds one :class:`Services` and hangs it on the bot as ``bot.services``;
each extension in :mod:`bot.commands` reaches it with :func:`services`. So the
commands never import the app, and the app names the commands only in its list of
extensions.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

import discord
from discord.ext import commands

from bot.corpora import Corpora
from bot.settings import Settings
from bot.store import Store
from retrieval.answer import Answer
from retrieval.corpus.documents import Document

P = ParamSpec("P")
T = TypeVar("T")


class AnswerEngine(Protocol):
    """What the bot needs from retrieval.engine.Engine (a protocol, so tests may stub it)."""

    documents: Sequence[Document]

    def ask(self, question: str, *, max_sources: int | None = 5) -> Answer: ...

    def document(self, doc_id: str) -> Document | None: ...

    def find_documents(self, text: str, *, limit: int = 25) -> list[Document]: ...


@dataclass
class Services:
    """The bot's shared state: settings, the corpora, the database and the per-user cooldown."""

    settings: Settings
    corpora: Corpora[Any]
    store: Store
    # One cooldown per user, shared by /ask, "Check sources", DMs and thread mentions; None when disabled.
    cooldowns: commands.CooldownMapping[discord.abc.User] | None
    # Every database call runs on this one thread: the event loop never waits on SQLite,
    # and a click never queues behind the answers being computed on the default executor.
    database_thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-db")
    )

    @classmethod
    def create(cls, settings: Settings, corpora: Corpora[Any], store: Store) -> Services:
        cooldowns = (
            commands.CooldownMapping.from_cooldown(1, settings.cooldown_seconds, lambda user: user.id)
            if settings.cooldown_seconds > 0
            else None
        )
        return cls(settings=settings, corpora=corpora, store=store, cooldowns=cooldowns)

    async def db(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``function(*args, **kwargs)`` (a Store method) on the database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.database_thread, functools.partial(function, *args, **kwargs))

    def close(self) -> None:
        self.database_thread.shutdown(wait=True)
        self.store.close()


def services(bot: Any) -> Services:
    """The services of a bot built by :func:`bot.app.create_bot`."""
    found = getattr(bot, "services", None)
    if not isinstance(found, Services):
        raise TypeError("citebot's extensions need a bot built by bot.app.create_bot")
    return found
