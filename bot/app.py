"""The Discord bot: the client, command registration, startup and shutdown.

The bot is thin: it turns Discord events into ``engine.ask`` calls (run in a thread, off
the event loop) and renders the resulting Answer with :mod:`bot.render_discord`. The
commands are discord.py extensions in :mod:`bot.commands`, one module per topic, loaded
in ``setup_hook`` from :data:`EXTENSIONS`; they reach what they share with the bot
through :mod:`bot.services`, never by importing this module.

    citebot serve        # or: python -m bot
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.corpora import ConfigError, Corpora, FixedCorpus, load_config
from bot.lifecycle import GracefulShutdown, ShutdownAwareTree, run_bot
from bot.render_discord import render_failure
from bot.services import AnswerEngine, Services
from bot.settings import Settings, SettingsError, load_settings
from bot.store import Store, StoreError

log = logging.getLogger("citebot")

# The command extensions, loaded in this order by setup_hook.
EXTENSIONS = (
    "bot.commands.ask",
    "bot.commands.feedback",
    "bot.commands.threads",
    "bot.commands.corpus",
    "bot.commands.reload",
    "bot.commands.help",
)
# Every command may be used where the bot is a member of the server and, once a member
# adds citebot to their own account (user install), in any server, DM or group DM.
# Server-management commands narrow this to servers the bot is in.
INSTALLS = app_commands.AppInstallationType(guild=True, user=True)
CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)


def bot_intents() -> discord.Intents:
    """The gateway intents the bot needs, and no more.

    ``guilds`` for the guild and channel cache slash commands rely on; ``dm_messages`` to
    receive direct messages; ``guild_messages`` to receive messages that mention the bot
    in its threads. No privileged intent: Discord sends message content in DMs, in
    messages that mention the bot and in message-command interactions ("Check sources")
    without ``message_content``.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.dm_messages = True
    intents.guild_messages = True
    return intents


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at a Discord-compatible server (a test server) when settings say so.

    discord.py reads its REST base from ``Route.BASE`` and its gateway from
    ``DiscordWebSocket.DEFAULT_GATEWAY``; both are class attributes, so this is global.
    """
    if settings.api_base_url:
        discord.http.Route.BASE = settings.api_base_url.rstrip("/")
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class CitebotTree(ShutdownAwareTree):
    """The command tree, with one error handler: log it, and tell the user something failed."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("command %r failed", name, exc_info=error)
        reply = render_failure().send_kwargs()
        try:
            if interaction.response.is_done():
                await interaction.followup.send(**reply, ephemeral=True)
            else:
                await interaction.response.send_message(**reply, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user that %r failed", name)


class CitebotMixin(GracefulShutdown):
    """What both bot classes share: the services, loading the extensions and command sync."""

    tree: app_commands.CommandTree

    def __init__(self, shared: Services, **options: Any) -> None:
        options.setdefault("intents", bot_intents())
        # Every message the bot sends inherits this: nothing it posts can ping anyone.
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        options.setdefault("chunk_guilds_at_startup", False)
        super().__init__(  # type: ignore[call-arg]
            # No prefix commands: the bot answers slash commands, the context menu and DMs.
            command_prefix=commands.when_mentioned,
            help_command=None,
            tree_cls=CitebotTree,
            allowed_installs=INSTALLS,
            allowed_contexts=CONTEXTS,
            **options,
        )
        self.services = shared

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)  # type: ignore[attr-defined]
        await self.sync_commands()

    async def close(self) -> None:
        await super().close()  # type: ignore[misc]
        await asyncio.to_thread(self.services.close)

    async def sync_commands(self) -> None:
        """Register the commands: in the configured guilds at once, or globally.

        Guild commands appear immediately; global ones can take a while to propagate,
        which is why CITEBOT_GUILD_IDS exists for development servers.
        """
        if not self.settings.guild_ids:
            synced = await self.tree.sync()
            log.info("registered %d commands globally", len(synced))
            return
        for guild_id in self.settings.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.Forbidden:
                log.error(
                    "cannot register commands in guild %s: invite the bot with the "
                    "'applications.commands' scope (see README)",
                    guild_id,
                )
                continue
            log.info("registered %d commands in guild %s", len(synced), guild_id)

    async def on_message(self, message: discord.Message) -> None:
        """Overrides commands.Bot's prefix-command handling: the Asking cog answers DMs, the
        Threads cog mentions in the bot's threads."""

    async def on_ready(self) -> None:
        # Fires after each full (re)connection, not after a RESUME.
        log.info("connected as %s to %d guilds", self.user, len(self.guilds))  # type: ignore[attr-defined]


class Citebot(CitebotMixin, commands.Bot):
    """The bot on a single gateway connection (one shard)."""


class ShardedCitebot(CitebotMixin, commands.AutoShardedBot):
    """The bot on several shards in one process, for when it outgrows one shard."""


def create_bot(
    settings: Settings, corpora: Corpora[Any] | AnswerEngine, store: Store, **options: Any
) -> Citebot | ShardedCitebot:
    """The bot for these settings: AutoSharded when CITEBOT_SHARDS is set.

    ``corpora`` may be a single engine (it then answers everywhere).
    """
    configure_endpoints(settings)
    if not isinstance(corpora, Corpora):
        corpora = Corpora(load_config(None, settings.corpus), {"default": FixedCorpus(corpora)})
    shared = Services.create(settings, corpora, store)
    if settings.shards:
        return ShardedCitebot(shared, shard_count=settings.shards, **options)
    return Citebot(shared, **options)


class RedactToken(logging.Filter):
    """Replaces the token in any log record, in case a library ever logs it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "[token redacted]")
            record.args = ()
        return True


class NoVoiceWarnings(logging.Filter):
    """The bot never uses voice: discord.py's warnings about missing voice libraries are noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


def setup_logging(token: str) -> None:
    """citebot's own messages at INFO; discord.py's only from WARNING, so startup is quiet."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactToken(token))
    handler.addFilter(NoVoiceWarnings())
    discord.utils.setup_logging(handler=handler, level=logging.INFO)
    logging.getLogger("discord").setLevel(logging.WARNING)


def fail(message: str) -> int:
    """One line on stderr and exit code 2: a problem the person running the bot must fix."""
    print(f"citebot: {message}", file=sys.stderr)
    return 2


async def run(bot: commands.Bot, token: str) -> None:
    async with bot:
        await bot.start(token)


class StartupError(Exception):
    """The corpora cannot be served; the message says which and why, in one line."""


def open_corpora(settings: Settings) -> Corpora[Any]:
    """Every configured corpus, each loaded once, live (the bot watches each for changes).
    Raises StartupError naming the problem."""
    from retrieval.corpus.documents import CorpusError
    from retrieval.corpus.live import LiveCorpus

    try:
        config = load_config(settings.config, settings.corpus)
    except ConfigError as error:
        raise StartupError(f"{error} (CITEBOT_CONFIG)") from error

    def open_one(name: str, folder: Path) -> LiveCorpus:
        where = "CITEBOT_CORPUS" if name == config.default else f'corpus "{name}" in CITEBOT_CONFIG'
        if not folder.exists():
            raise StartupError(f"{where}: {folder} does not exist")
        try:
            return LiveCorpus(
                folder,
                name=name,
                cache_dir=settings.cache_dir,
                warn=log.warning,
                follow_outside_links=settings.follow_outside_links,
            )
        except CorpusError as error:
            raise StartupError(f"{where}: {error}") from error

    return Corpora.load(config, open_one)


def serve(settings: Settings | None = None) -> int:
    """Run the bot until interrupted. Returns the process exit code."""
    try:
        settings = settings or load_settings()
    except SettingsError as error:
        return fail(str(error))
    token = settings.discord_token
    if not token:
        return fail(
            "no DISCORD_TOKEN: set it in the environment or in .env "
            "(copy .env.example; the token is under Bot in the Discord Developer Portal)"
        )
    setup_logging(token)

    try:
        corpora, store = open_corpora(settings), Store(settings.database_path)
    except StartupError as error:
        return fail(str(error))
    except StoreError as error:
        return fail(f"{error} (CITEBOT_DB)")
    bot = create_bot(settings, corpora, store)
    # Signals, gateway close codes and replies it cannot read: see bot.lifecycle.
    return run_bot(bot, token, grace_seconds=settings.shutdown_grace_seconds)
