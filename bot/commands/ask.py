"""Asking: /ask, the "Check sources" message commands (public and private), and direct messages.

All go through :mod:`bot.answering`: refused at once and privately when the text or the
user's cooldown says so, else acknowledged, answered from the place's corpus in a
worker thread, stored, and posted with the feedback buttons under it.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import ASKING_MESSAGE_TYPES, answer_in_channel, answer_interaction
from bot.render_discord import render_empty_claim
from bot.services import services
from retrieval.search.questions import MAX_QUESTION_CHARS

log = logging.getLogger("citebot.ask")

CHECK_SOURCES = "Check sources"
CHECK_SOURCES_PRIVATELY = "Check sources (private)"


class AskCog(commands.Cog, name="Asking"):
    """/ask, the "Check sources" message commands and DMs."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.shared = services(bot)
        # Context menus cannot be declared in a cog with a decorator; discord.py's
        # documented way is to build them here and add them to the tree.
        self.menus = [
            app_commands.ContextMenu(name=CHECK_SOURCES, callback=self.check_sources),
            app_commands.ContextMenu(name=CHECK_SOURCES_PRIVATELY, callback=self.check_sources_privately),
        ]
        for menu in self.menus:
            bot.tree.add_command(menu)

    async def cog_unload(self) -> None:
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    @app_commands.command(name="ask", description="Ask a question; the answer quotes the corpus verbatim")
    @app_commands.describe(question="Your question", private="Show the answer only to you")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        await answer_interaction(self.shared, interaction, question, kind="question", ephemeral=private)

    async def check_sources(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Message context menu: what each source says about the claim in this message."""
        await self.check(interaction, message, ephemeral=False)

    async def check_sources_privately(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """The same, answered so that only the person checking sees it."""
        await self.check(interaction, message, ephemeral=True)

    async def check(
        self, interaction: discord.Interaction, message: discord.Message, *, ephemeral: bool
    ) -> None:
        if not message.content.strip():
            await interaction.response.send_message(**render_empty_claim().send_kwargs(), ephemeral=True)
            return
        await answer_interaction(self.shared, interaction, message.content, kind="claim", ephemeral=ephemeral)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A direct message is a question; the answer comes back in the DM."""
        if message.guild is not None or message.author.bot or message.type not in ASKING_MESSAGE_TYPES:
            return
        await answer_in_channel(self.shared, message, message.content)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AskCog(bot))
