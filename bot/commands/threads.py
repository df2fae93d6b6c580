"""Follow-ups in threads: the "Follow up in a thread" button, and mentions in those threads.

In a thread the bot opened on an answer, ``/ask`` (see :mod:`bot.answering`) and a
message that mentions the bot are follow-ups: a follow-up with no subject of its own
borrows the subject of the thread's first question (:mod:`bot.followups`). Messages
that mention the bot reach it without the privileged Message Content intent; the
non-privileged guild-messages intent delivers them.
"""

from __future__ import annotations

import re

import discord
from discord.ext import commands

from bot.answering import ASKING_MESSAGE_TYPES, answer_in_channel, thread_question
from bot.components import ThreadButton
from bot.services import services


def without_mentions_of(user_id: int, content: str) -> str:
    """The message's text without the mentions of the bot that made it a question."""
    return re.sub(rf"<@!?{user_id}>", " ", content).strip()


class ThreadsCog(commands.Cog, name="Threads"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.shared = services(bot)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A message that mentions the bot, in a thread it opened: a follow-up question."""
        me = self.bot.user
        if (
            me is None
            or message.guild is None
            or message.author.bot
            or message.type not in ASKING_MESSAGE_TYPES
            or not any(user.id == me.id for user in message.mentions)
        ):
            return
        first = await thread_question(self.shared, message.channel.id)
        if first is None:
            return  # not a thread the bot opened: mentions elsewhere are not questions
        await answer_in_channel(
            self.shared, message, without_mentions_of(me.id, message.content), thread_question=first
        )


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(ThreadButton)
    await bot.add_cog(ThreadsCog(bot))
