"""The corpus: /sources (every document, paginated) and /source (one document)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.render_discord import (
    CHOICE_LIMIT,
    corpus_page,
    corpus_page_count,
    document_choice_name,
    render_document,
    render_unknown_document,
)
from bot.services import services
from retrieval.corpus.documents import Document

PAGE_TIMEOUT_SECONDS = 600


class PageView(discord.ui.View):
    """Previous/Next buttons over pages rendered when shown (a corpus may have a million
    documents); only the person who asked turns them."""

    def __init__(self, render_page: Callable[[int], str], page_count: int, owner_id: int) -> None:
        super().__init__(timeout=PAGE_TIMEOUT_SECONDS)
        self.render_page = render_page
        self.page_count = page_count
        self.owner_id = owner_id
        self.index = 0
        self.update_buttons()

    def update_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == self.page_count - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran `/sources` can turn these pages: run it yourself to browse.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return False

    async def show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, self.page_count - 1))
        self.update_buttons()
        await interaction.response.edit_message(
            content=self.render_page(self.index), view=self, allowed_mentions=discord.AllowedMentions.none()
        )

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button[PageView]) -> None:
        await self.show(interaction, self.index - 1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button[PageView]) -> None:
        await self.show(interaction, self.index + 1)


class CorpusCog(commands.Cog, name="Corpus"):
    """What the bot can quote from."""

    def __init__(self, bot: commands.Bot) -> None:
        self.shared = services(bot)

    @app_commands.command(name="sources", description="The documents citebot quotes from")
    async def sources(self, interaction: discord.Interaction) -> None:
        documents = self.shared.engine.documents
        page_count = corpus_page_count(len(documents))
        first = corpus_page(documents, 0)
        none = discord.AllowedMentions.none()
        if page_count == 1:
            await interaction.response.send_message(first, ephemeral=True, allowed_mentions=none)
            return
        view = PageView(lambda page: corpus_page(documents, page), page_count, owner_id=interaction.user.id)
        await interaction.response.send_message(first, view=view, ephemeral=True, allowed_mentions=none)

    @app_commands.command(name="source", description="One document: its citation and opening lines")
    @app_commands.describe(name="The document's title (start typing to search)")
    async def source(self, interaction: discord.Interaction, name: str) -> None:
        document = self.find(name)
        if document is None:
            await interaction.response.send_message(
                **render_unknown_document(name).send_kwargs(), ephemeral=True
            )
            return
        await interaction.response.send_message(**render_document(document).send_kwargs())

    @source.autocomplete("name")
    async def source_names(
        self, _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Off the event loop: searching every title of a large corpus takes a while.
        matches = await asyncio.to_thread(self.shared.engine.find_documents, current, limit=25)
        # A choice's value is at most 100 characters; longer ids are still found by title.
        return [
            app_commands.Choice(name=document_choice_name(document), value=document.id)
            for document in matches
            if len(document.id) <= CHOICE_LIMIT
        ]

    def find(self, name: str) -> Document | None:
        """The chosen document (autocomplete sends its id), else the best title match typed."""
        engine = self.shared.engine
        document = engine.document(name)
        if document is None and name.strip():
            matches = engine.find_documents(name.strip(), limit=1)
            document = matches[0] if matches else None
        return document


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(CorpusCog(bot))
