"""How `citebot serve` runs and ends: signals, gateway close codes, replies it cannot read.

    exit_code = run_bot(bot, token, grace_seconds=8.0)

- **Stopping.** SIGTERM (what ``systemctl stop`` and ``docker stop`` send) and SIGINT
  (Ctrl-C) stop the bot the same way: new questions are refused (a slash command gets a
  short "restarting" reply, a direct message is left for later), the answers in flight are
  finished for at most ``grace_seconds``, then the gateway is closed with code 1000 and the
  exit code is 0. A second signal stops at once.
- **Close codes.** Discord closes the gateway with a code when the bot must be fixed by its
  operator (token rejected, sharding required, invalid intents...): one line saying what to
  do, exit code 2, never the token.
- **Replies it cannot read.** A reply from Discord (or from the server at
  DISCORD_API_BASE_URL) that discord.py fails on (a missing field, a wrong type, not JSON) is
  one line naming the failure, exit code 2, instead of a traceback. Once connected, a gateway
  event discord.py cannot read (a new Discord field an older discord.py trips on) is one
  warning and is skipped: one odd event must not stop the bot for everyone. Only READY, which
  the bot cannot work without, ends it.

The bot takes part through :class:`GracefulShutdown` (a mixin for the client, which tracks
the tasks answering questions and guards the event parsers) and :class:`ShutdownAwareTree`
(the command tree's check).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
import discord
from discord import app_commands

log = logging.getLogger("citebot")

EXIT_OK = 0
EXIT_OPERATOR = 2  # a problem the person running the bot must fix (as every other one-line failure)

DEFAULT_GRACE_SECONDS = 8.0  # under docker stop's 10 s before it kills
RESTARTING = "⏳ citebot is restarting: ask again in a minute."
# Events that start work on a question (direct messages); slash commands pass the tree's check.
QUESTION_EVENTS = frozenset({"message"})

TOKEN_ADVICE = (
    "reset the token in the Developer Portal (your application → Bot → Reset Token) "
    "and put the new one in DISCORD_TOKEN or .env"
)

# Gateway close codes discord.py does not reconnect after, with what the operator should do
# (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes).
CLOSE_CODE_ADVICE = {
    4004: f"Discord rejected DISCORD_TOKEN (gateway close code 4004): {TOKEN_ADVICE}",
    4010: "Discord refused the shard settings (gateway close code 4010, invalid shard): check CITEBOT_SHARDS",
    4011: (
        "Discord requires sharding: the bot is in too many guilds for one connection (gateway close "
        "code 4011): set CITEBOT_SHARDS to a number of shards (about one per 1,000 guilds) and restart"
    ),
    4012: (
        "Discord refused the gateway API version (gateway close code 4012): "
        "upgrade discord.py (pip install -U discord.py) and restart"
    ),
    4013: (
        "Discord refused the gateway intents as invalid (gateway close code 4013): upgrade discord.py, "
        "and check DISCORD_GATEWAY_URL if you set it"
    ),
    4014: (
        "Discord refused the gateway intents (gateway close code 4014): enable the intents the bot "
        "asks for under Bot → Privileged Gateway Intents in the Developer Portal, or remove them"
    ),
}

_PROJECT = Path(__file__).resolve().parent.parent
_OWN_CODE = (str(_PROJECT / "bot") + "/", str(_PROJECT / "retrieval") + "/")


class Shutdown:
    """The stopping state of one bot: whether it still takes questions, and the work in flight."""

    def __init__(self) -> None:
        self.draining = False
        self._in_flight: set[asyncio.Task[Any]] = set()

    def track(self, tasks: Iterable[asyncio.Task[Any] | None]) -> None:
        """Count these tasks as answering a question until they end."""
        for task in tasks:
            if task is not None and not task.done():
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    @property
    def in_flight(self) -> int:
        return sum(not task.done() for task in self._in_flight)

    async def stop(
        self, bot: discord.Client, grace_seconds: float, runner: asyncio.Task[None] | None
    ) -> None:
        """Refuse new questions, let those in flight finish (at most ``grace_seconds``), then
        close the gateway with code 1000."""
        self.draining = True
        pending = {task for task in self._in_flight if not task.done()}
        if pending:
            log.info("stopping: finishing %d answer(s) in flight (at most %g s)", len(pending), grace_seconds)
            _, late = await asyncio.wait(pending, timeout=grace_seconds)
            if late:
                log.warning("stopping: cut off %d answer(s) running after %g s", len(late), grace_seconds)
                for task in late:
                    task.cancel()
                await asyncio.wait(late, timeout=1.0)
        await close_with_1000(bot, runner)


async def close_with_1000(bot: discord.Client, runner: asyncio.Task[None] | None) -> None:
    """Close the gateway with code 1000, so Discord ends the session at once (the bot shows offline).

    ``bot.close()`` alone sends 4000 while the gateway is being read: aiohttp hands a close
    to the task blocked in ``receive()``, and discord.py's reader closes with 4000 (to resume
    later). So the task reading the gateway (``runner``, running ``bot.start``) is stopped
    first; a sharded bot's ``close()`` stops its shards' readers itself.
    """
    if runner is not None and not runner.done():
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    await bot.close()


class GracefulShutdown:
    """Client mixin: tracks the tasks that answer direct messages, and drops new ones when stopping.

    Put it before ``commands.Bot`` in the bases so its ``dispatch`` wraps the library's.
    """

    def __init__(self, *args: Any, **options: Any) -> None:
        self.shutdown = Shutdown()
        super().__init__(*args, **options)
        guard_event_parsers(self._connection.parsers)  # type: ignore[attr-defined]

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name not in QUESTION_EVENTS:
            super().dispatch(event_name, *args, **kwargs)  # type: ignore[misc]
            return
        if self.shutdown.draining:
            return
        # dispatch schedules each handler as a task, synchronously: the new tasks are its handlers.
        before = asyncio.all_tasks()
        super().dispatch(event_name, *args, **kwargs)  # type: ignore[misc]
        self.shutdown.track(asyncio.all_tasks() - before)


# Events the bot cannot work without: failing to read one still ends it (exit code 2).
VITAL_EVENTS = frozenset({"READY"})


def guard_event_parsers(parsers: dict[str, Callable[[Any], None]]) -> None:
    """Wrap discord.py's gateway event parsers (``ConnectionState.parsers``, which the gateway
    reads per event) so that an event they fail on is logged and skipped, not fatal."""
    for event, parse in list(parsers.items()):
        if event not in VITAL_EVENTS:
            parsers[event] = _skipping_unreadable(event, parse)


def _skipping_unreadable(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(parse)
    def guarded(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:
            log.warning(
                "skipped a %s event discord.py could not read (%s: %s)",
                event,
                error.__class__.__name__,
                error,
            )

    return guarded


class ShutdownAwareTree(app_commands.CommandTree):
    """A command tree that refuses new commands while the bot stops, and tracks the others."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        shutdown: Shutdown | None = getattr(self.client, "shutdown", None)
        if shutdown is None:
            return True
        if not shutdown.draining:
            shutdown.track([asyncio.current_task()])
            return True
        with contextlib.suppress(discord.HTTPException):
            if interaction.type is discord.InteractionType.autocomplete:
                await interaction.response.autocomplete([])
            else:
                await interaction.response.send_message(
                    RESTARTING, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
        return False


def describe_failure(error: BaseException) -> str | None:
    """The one line to print for an error that ends the bot, or None if it is a bug of ours."""
    if isinstance(error, discord.LoginFailure):
        return f"Discord rejected DISCORD_TOKEN: {TOKEN_ADVICE}"
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return CLOSE_CODE_ADVICE[4014]
    if isinstance(error, discord.ConnectionClosed):
        if error.code in CLOSE_CODE_ADVICE:
            return CLOSE_CODE_ADVICE[error.code]
        reason = f": {error.reason}" if error.reason else ""
        return f"Discord closed the gateway connection (code {error.code}{reason}); try again later"
    if isinstance(error, discord.GatewayNotFound):
        return "could not find Discord's gateway (Discord may be down); try again later"
    if isinstance(error, discord.HTTPException):
        return f"Discord answered with an error ({error.status}); try again later"
    if isinstance(error, (aiohttp.ClientError, OSError)) or (
        isinstance(error, ValueError) and _raised_in(error, ("/yarl/", "/aiohttp/"))
    ):
        # Unreachable host, DNS failure, refused connection, timeout or a malformed base URL.
        return (
            f"could not reach Discord ({error.__class__.__name__}): check the network, "
            "and DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL if you set them"
        )
    if isinstance(error, Exception) and _raised_reading_a_reply(error):
        detail = str(error)[:80]
        return (
            f"Discord (or the server at DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL) sent a reply citebot "
            f"cannot read ({error.__class__.__name__}{': ' + detail if detail else ''}); check those "
            "settings if you set them, else try again later"
        )
    return None


def _frames(error: BaseException) -> list[str]:
    return [frame.filename for frame in traceback.extract_tb(error.__traceback__)]


def _raised_in(error: BaseException, folders: tuple[str, ...]) -> bool:
    frames = _frames(error)
    return bool(frames) and any(folder in frames[-1] for folder in folders)


def _raised_reading_a_reply(error: Exception) -> bool:
    """Raised by discord.py (or the JSON decoder under it) while handling what the server sent,
    not by citebot's own code."""
    frames = _frames(error)
    if not frames or frames[-1].startswith(_OWN_CODE):
        return False
    return any("/discord/" in frame for frame in frames)


async def _serve(bot: discord.Client, token: str, grace_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    shutdown: Shutdown = getattr(bot, "shutdown", None) or Shutdown()
    stopping: list[asyncio.Task[None]] = []
    runner: asyncio.Task[None] | None = None

    def on_signal(number: int) -> None:
        name = signal.Signals(number).name
        if stopping:
            log.warning("%s received again: stopping now", name)
        else:
            log.info("%s received: stopping", name)
        grace = 0.0 if stopping else grace_seconds
        stopping.append(loop.create_task(shutdown.stop(bot, grace, runner)))

    handled = []
    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(number, on_signal, number)
            handled.append(number)
        except (ValueError, RuntimeError, NotImplementedError):
            pass  # not the main thread (an embedding program, a test): it stops the bot itself
    try:
        async with bot:
            if not stopping:  # else a signal came while the bot was being set up: nothing to start
                runner = loop.create_task(bot.start(token))
                try:
                    await runner
                except asyncio.CancelledError:
                    if not stopping:
                        raise
            for task in stopping:
                await task
    finally:
        for number in handled:
            loop.remove_signal_handler(number)


def run_bot(bot: discord.Client, token: str, *, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> int:
    """Run the bot until it is stopped; the process exit code (0, or 2 with one line on stderr)."""
    try:
        asyncio.run(_serve(bot, token, grace_seconds))
    except KeyboardInterrupt:
        return EXIT_OK  # Ctrl-C before the signal handlers were in place: nothing was in flight
    except Exception as error:
        message = describe_failure(error)
        if message is None:
            raise
        print(f"citebot: {message.replace(token, '[token redacted]')}", file=sys.stderr)
        return EXIT_OPERATOR
    return EXIT_OK
