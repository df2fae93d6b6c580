"""Keeping every corpus live: each is watched for changes, and /reload updates the channel's now.

The corpora are retrieval.corpus.live.LiveCorpus objects: an update is built off to the
side while the current index keeps answering, then swapped in at once, so no question is
dropped or answered from a half-built index. A question reads its corpus's engine once,
when it starts (see bot.answering), and is answered from that index to the end.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import Place
from bot.render_discord import render_reload, render_reload_failed
from bot.services import services
from retrieval.corpus.documents import CorpusError

log = logging.getLogger("citebot.corpora")


class ReloadCog(commands.Cog, name="Reload"):
    def __init__(self, bot: commands.Bot) -> None:
        self.shared = services(bot)
        self.watchers: list[asyncio.Task[None]] = []

    def live_corpora(self) -> list[Any]:
        """Each distinct corpus that can be refreshed (names sharing a folder share one)."""
        distinct = {id(corpus): corpus for corpus in self.shared.corpora.loaded.values()}
        return [corpus for corpus in distinct.values() if hasattr(corpus, "refresh")]

    async def cog_load(self) -> None:
        for corpus in self.live_corpora():
            self.watchers.append(asyncio.create_task(corpus.watch(self.changed), name=f"watch {corpus.name}"))

    async def cog_unload(self) -> None:
        for watcher in self.watchers:
            watcher.cancel()
        await asyncio.gather(*self.watchers, return_exceptions=True)

    @staticmethod
    def changed(changes: Any) -> None:
        log.info("corpus updated: %s", changes.summary())

    @app_commands.command(name="reload", description="Update this channel's corpus from its files now")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_installs(guilds=True, users=False)
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    async def reload(self, interaction: discord.Interaction) -> None:
        place = Place.of_interaction(interaction, ephemeral=True)
        name = self.shared.corpora.name_for(place.guild_id, place.channel_id, place.parent_id)
        corpus = self.shared.corpora.get(name)
        if corpus is None or not hasattr(corpus, "refresh"):
            await interaction.response.send_message(
                **render_reload_failed(name, None).send_kwargs(), ephemeral=True
            )
            return
        # Acknowledge first: an update reads every changed file, which takes a while.
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            changes = await asyncio.to_thread(corpus.refresh)
        except CorpusError as error:
            await interaction.edit_original_response(**render_reload_failed(name, str(error)).send_kwargs())
            return
        log.info("corpus reloaded by /reload: %s", changes.summary())
        await interaction.edit_original_response(**render_reload(name, changes.summary()).send_kwargs())


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ReloadCog(bot))
