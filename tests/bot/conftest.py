"""Fixtures for the Discord bot's tests: the fake Discord server and the real bot on it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot import settings as settings_module
from bot.app import Citebot, ShardedCitebot, create_bot, run
from bot.cli import main
from bot.corpora import Corpora
from bot.services import AnswerEngine
from bot.settings import Settings
from bot.store import Store
from retrieval.engine import Engine
from tests.conftest import PROJECT_ROOT
from tests.discord_server import FakeDiscord


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
    """Settings for the bot on the test server; pass ``database`` wherever a bot may start."""
    values: dict[str, Any] = {
        "discord_token": server.token,
        "api_base_url": server.api_base_url,
        "gateway_url": server.gateway_url,
        "guild_ids": (server.guild_id,),
        "cooldown_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(autouse=True)
def no_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may write the user's own database: the default location points into the test's folder."""
    elsewhere = tmp_path / "user-data" / "citebot.sqlite3"
    monkeypatch.setattr(settings_module, "default_database", lambda: elsewhere)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The bot's SQLite file for this test (a real file; never the user's data folder)."""
    return tmp_path / "data" / "citebot.sqlite3"


class StartBot:
    """Starts the real bot (in this event loop) against the test server; stops them all after.

    ``await start_bot(engine=..., corpora=..., **settings)``; ``await start_bot.stop(bot)``
    stops one, e.g. to start another on the same database, as a restart would.
    """

    def __init__(self, server: FakeDiscord, engine: Engine, database: Path) -> None:
        self.server, self.engine, self.database = server, engine, database
        self.running: list[tuple[Citebot | ShardedCitebot, asyncio.Task[None]]] = []

    async def __call__(
        self, engine: AnswerEngine | None = None, corpora: Corpora[Any] | None = None, **overrides: Any
    ) -> Citebot | ShardedCitebot:
        overrides.setdefault("database", self.database)
        settings = bot_settings(self.server, **overrides)
        store = Store(settings.database_path)
        # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before "ready".
        bot = create_bot(settings, corpora or engine or self.engine, store, guild_ready_timeout=0.05)
        task = asyncio.create_task(run(bot, self.server.token))
        self.running.append((bot, task))
        async with asyncio.timeout(15):
            while not bot.is_ready():
                if task.done():
                    task.result()  # the bot stopped: raise why
                    raise AssertionError("the bot stopped before it was ready")
                await asyncio.sleep(0.01)
        return bot

    async def stop(self, bot: Citebot | ShardedCitebot) -> None:
        for running, task in self.running:
            if running is bot:
                await bot.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, 10)


@pytest.fixture
async def start_bot(
    discord_server: FakeDiscord, default_engine: Engine, restore_discord_endpoints: None, database: Path
) -> AsyncIterator[StartBot]:
    """Start the real bot against the test server; every bot started is stopped after the test."""
    starter = StartBot(discord_server, default_engine, database)
    yield starter
    for bot, _ in starter.running:
        if not bot.is_closed():
            await starter.stop(bot)


@pytest.fixture
async def bot(start_bot: StartBot) -> Citebot | ShardedCitebot:
    """The bot on the default corpus, logged in, commands synced to the test guild, ready."""
    return await start_bot()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """serve() configures logging for a real run; undo it after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    discord_level = logging.getLogger("discord").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("discord").setLevel(discord_level)


# --- the `citebot` command --------------------------------------------------------------


def user_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without any citebot or Discord setting, plus ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "DISCORD_"))}
    environment.update(env or {})
    return environment


def run_citebot(
    *args: str, stdin: str | bytes = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the command as a user would: a new process (`python -m bot.cli`), a clean environment;
    bytes in give bytes out. Each run pays Python's start and imports (seconds on a busy machine):
    use it for what only a process shows (the entry point, `.env`, worker processes, pipes)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=isinstance(stdin, str),
        env=user_environment(env),
        cwd=cwd or PROJECT_ROOT,
        timeout=120,
    )


@dataclass
class Ran:
    """What one `citebot` run left: its exit code, stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index cache for the CLI tests: each corpus is indexed once, by the first test that asks it."""
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture
def citebot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_cache: Path) -> Callable[..., Ran]:
    """``citebot(*args, stdin=b"", env={})``: `citebot ARGS` run by :func:`bot.cli.main` in this
    process, in a clean environment (no CITEBOT_/DISCORD_ setting but ``env``; the shared index
    cache unless ``env`` names another), from an empty working folder (no `.env`)."""
    for name in list(os.environ):
        if name.startswith(("CITEBOT_", "DISCORD_")):
            monkeypatch.delenv(name)
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)
    monkeypatch.chdir(workdir)

    def run(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Ran:
        # In this process a batch must not fork the test runner: only --jobs 1 (workers: run_citebot).
        assert args[:1] != ("batch",) or ("--jobs" in args and "1" in args), "batch in-process needs --jobs 1"
        with monkeypatch.context() as scoped:
            for name, value in {"CITEBOT_CACHE_DIR": str(shared_cache), **(env or {})}.items():
                scoped.setenv(name, value)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(list(args), stdin=io.BytesIO(stdin), stdout=out)  # type: ignore[arg-type]
                except SystemExit as exit:  # argparse: usage errors, --help, --version
                    code = exit.code if isinstance(exit.code, int) else 1
        return Ran(code, out.getvalue(), err.getvalue())

    return run
