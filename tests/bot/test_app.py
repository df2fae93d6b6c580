"""End to end: logging in, command sync, sharding, resuming, HTTP faults, and `serve`'s exits."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import discord
import pytest

from bot.app import Citebot, ShardedCitebot, bot_intents, serve
from bot.render_discord import render_answer
from bot.settings import Settings
from retrieval.engine import Engine
from tests.bot.conftest import StartBot, bot_settings
from tests.discord_server import FakeDiscord

pytestmark = pytest.mark.timeout(60)

QUESTION = "Is Ballerina based on a true story?"
COMMANDS = {
    ("ask", 1),
    ("sources", 1),
    ("source", 1),
    ("help", 1),
    ("reload", 1),
    ("Check sources", 3),
    ("Check sources (private)", 3),
}


def synced(server: FakeDiscord, scope: int | None) -> set[tuple[str, int]]:
    return {(command["name"], command["type"]) for command in server.commands.get(scope, [])}


async def test_login_and_command_sync_to_guilds(bot: Citebot, discord_server: FakeDiscord) -> None:
    """The bot logs in with its token, syncs every command to CITEBOT_GUILD_IDS at once (not globally)."""
    assert isinstance(bot, Citebot) and bot.user is not None and bot.user.id == discord_server.application_id
    logins = [request for request in discord_server.requests if request.route == "me"]
    assert [request.status for request in logins] == [200]
    assert discord_server.command_syncs == [discord_server.guild_id]
    assert synced(discord_server, discord_server.guild_id) == COMMANDS
    [identify] = discord_server.identify_payloads
    assert identify["intents"] == bot_intents().value
    assert not discord.Intents._from_value(identify["intents"]).message_content  # no privileged intent
    assert bot.get_guild(discord_server.guild_id) is not None


async def test_commands_sync_globally_without_guild_ids(
    start_bot: StartBot, discord_server: FakeDiscord
) -> None:
    """Without CITEBOT_GUILD_IDS the commands are registered globally."""
    await start_bot(guild_ids=())
    assert discord_server.command_syncs == [None]
    assert synced(discord_server, None) == COMMANDS


async def test_sharded_bot_answers(start_bot: StartBot, discord_server: FakeDiscord) -> None:
    """CITEBOT_SHARDS: the bot runs on discord.py's AutoShardedClient, and answers."""
    bot = await start_bot(shards=1)
    assert isinstance(bot, ShardedCitebot) and bot.shard_count == 1
    assert discord_server.identify_payloads[0]["shard"] == [0, 1]
    record = await discord_server.slash("ask", question=QUESTION)
    [reply] = await discord_server.replies(record)
    assert "sources" in reply["content"]


async def test_resumes_after_reconnect_and_after_a_dropped_connection(
    bot: Citebot, discord_server: FakeDiscord
) -> None:
    """Gateway RECONNECT, then a dropped TCP connection: the bot RESUMEs each time, answers what follows."""
    await discord_server.send_reconnect()
    await discord_server.wait_connected(resumes=1)
    record = await discord_server.slash("ask", question=QUESTION)
    await discord_server.replies(record)

    await discord_server.drop_connection()
    # Sent while the bot is away: the server keeps it, and replays it on RESUME.
    missed = await discord_server.slash("ask", question=QUESTION)
    await discord_server.wait_connected(resumes=2, timeout=20)
    [reply] = await discord_server.replies(missed, timeout=20)
    assert reply["content"]
    assert discord_server.identifies == 1  # resumed both times, never re-identified


async def test_reply_survives_a_500_then_a_429(
    bot: Citebot, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """The reply is answered with 500, then 429: discord.py retries, and the reply arrives exactly once.

    (A 500 first: discord.py waits 1 s before retrying a first 5xx, 3 s after a 429.)"""
    wanted = [message.content for message in render_answer(default_engine.ask(QUESTION))]
    discord_server.fail_next("edit_original", 500, 429)
    record = await discord_server.slash("ask", question=QUESTION)
    await discord_server.replies(record, len(wanted), timeout=20)
    await asyncio.sleep(0.2)
    attempts = [
        r.status for r in discord_server.requests if r.route == "edit_original" and record.token in r.path
    ]
    assert attempts == [500, 429, 200]
    assert record.original_edits == 1
    assert [reply.get("content") for reply in record.replies] == wanted  # each message once, in order


def test_serve_without_a_token_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    """No DISCORD_TOKEN: one line saying what to do, exit code 2, no traceback."""
    assert serve(Settings(discord_token=None)) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith("citebot: no DISCORD_TOKEN: set it in the environment or in .env")
    assert captured.out == ""


async def test_serve_with_a_rejected_token(
    discord_server: FakeDiscord,
    restore_discord_endpoints: None,
    restore_logging: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A token Discord rejects (401): one line saying what to do, exit 2, no traceback, token never shown."""
    secret = "MTIz.rejected-token.secret-value"
    settings = bot_settings(
        discord_server, discord_token=secret, cache_dir=tmp_path, database=tmp_path / "db.sqlite3"
    )
    assert await asyncio.to_thread(serve, settings) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith("citebot: Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal")
    assert secret not in captured.err + captured.out and "Traceback" not in captured.err
    assert [request.status for request in discord_server.requests if request.route == "me"] == [401]


def test_python_dash_m_bot_without_a_token(tmp_path: Path) -> None:
    """`python -m bot` with no token in the environment or .env: exit code 2 and one line."""
    env = {key: value for key, value in os.environ.items() if key != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "DISCORD_TOKEN" in result.stderr


async def test_serve_when_discord_cannot_be_reached(
    restore_discord_endpoints: None,
    restore_logging: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing listening at the API address: one line naming the problem, exit 2, token never shown."""
    secret = "MTIz.unreachable.secret-value"
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(
        discord_token=secret,
        api_base_url=f"http://127.0.0.1:{port}/api/v10",
        gateway_url=f"ws://127.0.0.1:{port}/gateway",
        cache_dir=tmp_path / "cache",
        database=tmp_path / "data" / "citebot.sqlite3",
    )
    assert await asyncio.to_thread(serve, settings) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert "could not reach Discord" in line
    assert secret not in captured.err + captured.out
