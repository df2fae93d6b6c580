"""The bot's commands, one module per topic (asking, the corpus, help)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.ask import AskCog
from bot.commands.corpus import CorpusCog
from bot.commands.help import HelpCog

if TYPE_CHECKING:
    from bot.app import CitebotMixin

__all__ = ["AskCog", "CorpusCog", "HelpCog", "setup_commands"]


async def setup_commands(bot: CitebotMixin) -> None:
    """Add every cog (and with them their slash and context-menu commands) to the bot."""
    for cog in (AskCog(bot), CorpusCog(bot), HelpCog()):
        await bot.add_cog(cog)  # type: ignore[attr-defined]
