"""What the command extensions share with the bot, without importing it.

:mod:`bot.app` builds one :class:`Services` and hangs it on the bot as ``bot.services``;
each extension in :mod:`bot.commands` reaches it with :func:`services`. So the
commands never import the app, and the app names the commands only in its list of
extensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import discord
from discord.ext import commands

from bot.settings import Settings
from retrieval.answer import Answer
from retrieval.corpus.documents import Document


class AnswerEngine(Protocol):
    """What the bot needs from retrieval.engine.Engine (a protocol, so tests may stub it)."""

    documents: Sequence[Document]

    def ask(self, question: str, *, max_sources: int | None = 5) -> Answer: ...

    def document(self, doc_id: str) -> Document | None: ...

    def find_documents(self, text: str, *, limit: int = 25) -> list[Document]: ...


@dataclass
class Services:
    """The bot's shared state: settings, the corpus engine and the per-user cooldown."""

    settings: Settings
    engine: AnswerEngine
    # One cooldown per user, shared by /ask, "Check sources" and DMs; None when disabled.
    cooldowns: commands.CooldownMapping[discord.abc.User] | None

    @classmethod
    def create(cls, settings: Settings, engine: AnswerEngine) -> Services:
        cooldowns = (
            commands.CooldownMapping.from_cooldown(1, settings.cooldown_seconds, lambda user: user.id)
            if settings.cooldown_seconds > 0
            else None
        )
        return cls(settings=settings, engine=engine, cooldowns=cooldowns)


def services(bot: Any) -> Services:
    """The services of a bot built by :func:`bot.app.create_bot`."""
    found = getattr(bot, "services", None)
    if not isinstance(found, Services):
        raise TypeError("citebot's extensions need a bot built by bot.app.create_bot")
    return found
