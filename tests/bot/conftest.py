"""Fixtures for the Discord bot's tests: the fake Discord server and the real bot on it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest

from bot.app import Citebot, ShardedCitebot, create_bot, run
from bot.services import AnswerEngine
from bot.settings import Settings
from retrieval.engine import Engine
from tests.discord_server import FakeDiscord

StartBot = Callable[..., Awaitable[Citebot | ShardedCitebot]]


@pytest.fixture
async def discord_server() -> AsyncIterator[FakeDiscord]:
    """A Discord-compatible API and gateway on 127.0.0.1, on an ephemeral port."""
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def restore_discord_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot points discord.py's (global) endpoints at the test server; put them back after."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )


def bot_settings(server: FakeDiscord, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": server.token,
        "api_base_url": server.api_base_url,
        "gateway_url": server.gateway_url,
        "guild_ids": (server.guild_id,),
        "cooldown_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def start_bot(
    discord_server: FakeDiscord, default_engine: Engine, restore_discord_endpoints: None
) -> AsyncIterator[StartBot]:
    """Start the real bot (in this event loop) against the test server; stopped after the test."""
    running: list[tuple[Citebot | ShardedCitebot, asyncio.Task[None]]] = []

    async def start(engine: AnswerEngine | None = None, **overrides: Any) -> Citebot | ShardedCitebot:
        settings = bot_settings(discord_server, **overrides)
        # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before "ready".
        bot = create_bot(settings, engine or default_engine, guild_ready_timeout=0.05)
        task = asyncio.create_task(run(bot, discord_server.token))
        running.append((bot, task))
        async with asyncio.timeout(15):
            while not bot.is_ready():
                if task.done():
                    task.result()  # the bot stopped: raise why
                    raise AssertionError("the bot stopped before it was ready")
                await asyncio.sleep(0.01)
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)


@pytest.fixture
async def bot(start_bot: StartBot) -> Citebot | ShardedCitebot:
    """The bot on the default corpus, logged in, commands synced to the test guild, ready."""
    return await start_bot()
