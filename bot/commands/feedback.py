"""Feedback: the 👍 / 👎 buttons and the "Report a problem…" menu under every answer,
and the daily removal of records older than CITEBOT_FEEDBACK_DAYS."""

from __future__ import annotations

import logging

from discord.ext import commands, tasks

from bot.components import ReportSelect, VoteButton
from bot.services import services

log = logging.getLogger("citebot.feedback")


class FeedbackCog(commands.Cog, name="Feedback"):
    def __init__(self, bot: commands.Bot) -> None:
        self.shared = services(bot)

    async def cog_load(self) -> None:
        self.prune.start()

    async def cog_unload(self) -> None:
        self.prune.cancel()

    @tasks.loop(hours=24)
    async def prune(self) -> None:
        """Drop answers, clicks and threads older than CITEBOT_FEEDBACK_DAYS (at start, then daily)."""
        days = self.shared.settings.feedback_days
        removed = await self.shared.db(self.shared.store.prune, days)
        if removed:
            log.info("dropped %d records older than %g days", removed, days)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(VoteButton, ReportSelect)
    await bot.add_cog(FeedbackCog(bot))
