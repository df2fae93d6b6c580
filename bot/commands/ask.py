"""Asking: /ask, the "Check sources" message command, and direct messages.

All three go the same way: refuse at once (and privately) a question the engine would
reject or a user on cooldown; otherwise acknowledge first (defer, or start typing in a
DM), compute the answer in a worker thread so the event loop and the gateway heartbeat
never wait on it, then post the rendered messages.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.render_discord import (
    DiscordMessage,
    Kind,
    render_answer,
    render_cooldown,
    render_empty_claim,
    render_failure,
    render_question_error,
)
from bot.services import Services, services
from retrieval.search.questions import MAX_QUESTION_CHARS, QuestionError, clean_question

log = logging.getLogger("citebot.ask")

# A DM question is a plain message or a reply (to an earlier answer); not a pin, call, etc.
ASKING_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def refusal(shared: Services, user: discord.abc.User, text: str) -> DiscordMessage | None:
    """Why this question is not answered right now (bad question, cooldown), or None.

    The question is checked first, with the engine's own rules, so a mistyped question
    does not cost the user their cooldown.
    """
    try:
        clean_question(text)
    except QuestionError as error:
        return render_question_error(str(error))
    if shared.cooldowns is not None:
        retry_after = shared.cooldowns.update_rate_limit(user)
        if retry_after:
            return render_cooldown(retry_after)
    return None


async def answer_messages(shared: Services, text: str, kind: Kind) -> list[DiscordMessage]:
    """The rendered answer, computed in a thread: ``engine.ask`` is CPU-bound and blocking."""
    try:
        answer = await asyncio.to_thread(shared.engine.ask, text, max_sources=shared.settings.max_sources)
    except QuestionError as error:
        return [render_question_error(str(error))]
    except Exception:
        log.exception("the engine failed on a question")
        return [render_failure()]
    return render_answer(answer, kind=kind)


async def answer_interaction(
    shared: Services, interaction: discord.Interaction, text: str, *, kind: Kind, ephemeral: bool
) -> None:
    """Answer a question or claim asked through an interaction."""
    refused = refusal(shared, interaction.user, text)
    if refused is not None:
        await interaction.response.send_message(**refused.send_kwargs(), ephemeral=True)
        return
    # Acknowledge before computing: Discord drops an interaction not answered within 3 s.
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    first, *rest = await answer_messages(shared, text, kind)
    await interaction.edit_original_response(**first.edit_kwargs())
    for message in rest:
        await interaction.followup.send(**message.send_kwargs(), ephemeral=ephemeral)


class AskCog(commands.Cog, name="Asking"):
    """/ask, the "Check sources" message command and DMs."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.shared = services(bot)
        # Context menus cannot be declared in a cog with a decorator; discord.py's
        # documented way is to build one here and add it to the tree.
        self.check_sources_menu = app_commands.ContextMenu(name="Check sources", callback=self.check_sources)
        bot.tree.add_command(self.check_sources_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.check_sources_menu.name, type=self.check_sources_menu.type)

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
        if not message.content.strip():
            await interaction.response.send_message(**render_empty_claim().send_kwargs(), ephemeral=True)
            return
        await answer_interaction(self.shared, interaction, message.content, kind="claim", ephemeral=False)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A direct message is a question; the answer comes back in the DM."""
        if message.guild is not None or message.author.bot or message.type not in ASKING_MESSAGE_TYPES:
            return
        refused = refusal(self.shared, message.author, message.content)
        if refused is not None:
            await self.send(message.channel, [refused])
            return
        async with message.channel.typing():
            messages = await answer_messages(self.shared, message.content, "question")
        await self.send(message.channel, messages)

    async def send(self, channel: discord.abc.Messageable, messages: list[DiscordMessage]) -> None:
        try:
            for message in messages:
                await channel.send(**message.send_kwargs())
        except discord.HTTPException:
            log.exception("could not send a DM reply")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AskCog(bot))
