"""/help: what the bot does and how it decides."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.render_discord import render_help


class HelpCog(commands.Cog, name="Help"):
    @app_commands.command(name="help", description="What citebot does and how it decides")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(**render_help().send_kwargs(), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(HelpCog())
