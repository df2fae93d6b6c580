"""`citebot serve` against a server that misbehaves on purpose, and stopping it with a signal.

Close codes that need the operator and replies discord.py cannot read are one line and exit
code 2, never a traceback or the token; SIGTERM and Ctrl-C finish the answers in flight, close
the gateway with 1000 and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import serve
from bot.lifecycle import RESTARTING
from tests.bot.conftest import StartBot, bot_settings
from tests.conftest import PROJECT_ROOT
from tests.discord_server import FakeDiscord
from tests.discord_server.payloads import EPHEMERAL

pytestmark = pytest.mark.timeout(90)

QUESTION = "Is Ballerina based on a true story?"


async def serve_once(
    server: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """Run `serve` (in a thread, as the process would) against the server; its exit code and stderr."""
    secret = server.token
    settings = bot_settings(server, cache_dir=tmp_path)
    code = await asyncio.wait_for(asyncio.to_thread(serve, settings), 60)
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    assert "Traceback" not in captured.err
    [line] = [line for line in captured.err.splitlines() if line.startswith("citebot: ")]
    return code, line


@pytest.mark.parametrize(
    ("close_code", "advice"),
    [
        (4004, "Reset Token"),
        (4010, "CITEBOT_SHARDS"),
        (4011, "set CITEBOT_SHARDS"),
        (4012, "upgrade discord.py"),
        (4013, "intents"),
        (4014, "Privileged Gateway Intents"),
    ],
)
async def test_a_fatal_gateway_close_code_is_one_line_saying_what_to_do(
    close_code: int,
    advice: str,
    discord_server: FakeDiscord,
    restore_discord_endpoints: None,
    restore_logging: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The gateway closes with a code discord.py gives up on: exit code 2 and one line naming the
    code and what to do (4011: set CITEBOT_SHARDS), no traceback, the token never shown."""
    discord_server.close_on_identify = close_code
    code, line = await serve_once(discord_server, tmp_path, capsys)
    assert code == 2
    assert str(close_code) in line and advice in line


USER_OBJECT = {"id": "1", "username": "not-an-application", "discriminator": "0", "avatar": None}


def _application_is_a_user(server: FakeDiscord) -> None:
    server.reply_next("application", USER_OBJECT)


def _me_is_html(server: FakeDiscord) -> None:
    server.reply_next("me", "<html><body>502 Bad Gateway</body></html>", content_type="text/html")


def _me_is_empty_json(server: FakeDiscord) -> None:
    server.reply_next("me", {})


def _json_that_is_not(server: FakeDiscord) -> None:
    server.reply_next("application", "{not json", content_type="application/json")


def _sync_answers_a_mapping(server: FakeDiscord) -> None:
    server.reply_next("sync_guild", {"unexpected": True})


def _ready_without_user(server: FakeDiscord) -> None:
    server.ready_changes = {"user": None}


@pytest.mark.parametrize(
    "misbehave",
    [
        _application_is_a_user,
        _me_is_html,
        _me_is_empty_json,
        _json_that_is_not,
        _sync_answers_a_mapping,
        _ready_without_user,
    ],
)
async def test_a_reply_the_bot_cannot_read_is_one_line_and_exit_code_2(
    misbehave: Callable[[FakeDiscord], None],
    discord_server: FakeDiscord,
    restore_discord_endpoints: None,
    restore_logging: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A user object where the application belongs (KeyError: 'name'), HTML or empty JSON for
    the bot user, broken JSON, a mapping for the synced commands, a READY
    without its user: each ends `serve` with one line and exit code 2, never a traceback."""
    misbehave(discord_server)
    code, line = await serve_once(discord_server, tmp_path, capsys)
    assert code == 2
    assert "sent a reply citebot cannot read" in line


async def _read_until(
    stream: asyncio.StreamReader, needle: str, seen: list[str], timeout: float = 60
) -> None:
    async with asyncio.timeout(timeout):
        while not any(needle in line for line in seen):
            line = await stream.readline()
            if not line:
                raise AssertionError(f"the bot ended before saying {needle!r}: {''.join(seen)}")
            seen.append(line.decode(errors="replace"))


@contextlib.asynccontextmanager
async def bot_process(server: FakeDiscord, tmp_path: Path, **env: str):
    """`python -m bot` as an operator runs it, pointed at the test server; killed if left running."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "DISCORD_"))}
    environment.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DISCORD_TOKEN=server.token,
        DISCORD_API_BASE_URL=server.api_base_url,
        DISCORD_GATEWAY_URL=server.gateway_url,
        CITEBOT_GUILD_IDS=str(server.guild_id),
        CITEBOT_COOLDOWN_SECONDS="0",
        CITEBOT_CACHE_DIR=str(tmp_path / "cache"),
        CITEBOT_DB=str(tmp_path / "data" / "citebot.sqlite3"),  # never the user's own database
        **env,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.parametrize(
    ("stop_signal", "grace", "released"),
    [(signal.SIGTERM, "8", True), (signal.SIGINT, "8", True), (signal.SIGTERM, "1", False)],
    ids=["SIGTERM", "Ctrl-C", "SIGTERM, answer stuck past the grace period"],
)
async def test_a_stop_signal_finishes_answers_in_flight_then_closes_cleanly(
    stop_signal: signal.Signals, grace: str, released: bool, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    """The bot is sending an answer when SIGTERM (or Ctrl-C) arrives: a question asked after the
    signal is refused with a short reply, the answer in flight still arrives, the gateway is
    closed with code 1000 and the process exits 0. An answer that outlasts the grace period
    (CITEBOT_SHUTDOWN_SECONDS) is cut off, and the bot still stops cleanly and in time."""
    async with bot_process(discord_server, tmp_path, CITEBOT_SHUTDOWN_SECONDS=grace) as process:
        assert process.stderr is not None
        await discord_server.wait_connected(timeout=60)
        release = discord_server.hold("edit_original")
        in_flight = await discord_server.slash("ask", question=QUESTION)
        await discord_server.wait_for(lambda: "edit_original" in discord_server.holding, timeout=30)

        process.send_signal(stop_signal)
        seen: list[str] = []
        await _read_until(process.stderr, f"{stop_signal.name} received: stopping", seen)
        late = await discord_server.slash("ask", question=QUESTION)
        callback = await discord_server.callback(late)
        assert callback["data"]["content"] == RESTARTING
        assert int(callback["data"]["flags"]) & EPHEMERAL

        if released:
            release.set()
        await asyncio.wait_for(process.wait(), 30)
        seen.append((await process.stderr.read()).decode(errors="replace"))
        release.set()

    assert process.returncode == 0, "".join(seen)
    assert "Traceback" not in "".join(seen) and discord_server.token not in "".join(seen)
    assert [connection.close_code for connection in discord_server.connections] == [1000]
    if released:
        [reply] = await discord_server.replies(in_flight)
        assert "sources" in reply["content"]
    else:
        assert any("cut off 1 answer" in line for line in seen), "".join(seen)


async def test_an_event_the_library_cannot_read_is_skipped_and_the_bot_answers_on(
    start_bot: StartBot, discord_server: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    """Once connected, an INTERACTION_CREATE and a MESSAGE_CREATE that discord.py fails on (fields
    missing, as when Discord sends what an older discord.py does not know) are each one warning;
    the bot stays connected and answers the next question, instead of ending for everyone."""
    await start_bot()
    await discord_server.dispatch("INTERACTION_CREATE", {"type": 2, "data": {"name": "ask"}})
    await discord_server.dispatch("MESSAGE_CREATE", {"content": "no id, no channel, no author"})
    record = await discord_server.slash("ask", question=QUESTION)
    [reply] = await discord_server.replies(record)
    assert "sources" in reply["content"]
    skipped = [r.getMessage() for r in caplog.records if "could not read" in r.getMessage()]
    assert any("INTERACTION_CREATE" in message for message in skipped)
    assert any("MESSAGE_CREATE" in message for message in skipped)
    assert discord_server.identifies == 1  # never reconnected, let alone restarted
