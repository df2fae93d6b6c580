"""The corpus: /sources (every document, a page at a time) and /source (one document).

/sources uses the corpus of the channel it is run in. Its buttons and its initial menu
are DynamicItems: the page, the corpus and the filter travel in their custom_ids, so
they keep working after the bot restarts and never time out.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import Place
from bot.listing import QUERY_LIMIT, Selection, group_label, title_index
from bot.render_discord import (
    CHOICE_LIMIT,
    corpus_page,
    corpus_page_count,
    document_choice_name,
    render_document,
    render_unknown_document,
)
from bot.services import Services, services
from retrieval.corpus.documents import Document

CORPUS = r"(?P<corpus>[A-Za-z0-9_-]{1,32})"
SELECTION = rf"(?P<mode>[aiq]):(?P<value>.{{0,{QUERY_LIMIT}}})"
NONE = discord.AllowedMentions.none()


def engine_of(shared: Services, corpus: str) -> Any | None:
    loaded = shared.corpora.get(corpus)
    return None if loaded is None else loaded.engine


async def listing(shared: Services, corpus: str, selection: Selection, page: int) -> dict[str, Any]:
    """The message for one page of a listing: its content and its components."""
    engine = engine_of(shared, corpus)
    if engine is None:
        return {"content": "⚠️ That corpus is no longer configured: run `/sources` again.", "view": None}
    index = await asyncio.to_thread(title_index, engine)
    numbers = await asyncio.to_thread(index.numbers, selection)
    pages = corpus_page_count(len(numbers))
    page = max(0, min(page, pages - 1))
    content = corpus_page(engine.documents, page, numbers=numbers, selection=selection.describe())
    view = discord.ui.View(timeout=None)
    if pages > 1:
        view.add_item(PageButton("prev", page - 1, corpus, selection, disabled=page == 0))
        view.add_item(PageButton("next", page + 1, corpus, selection, disabled=page >= pages - 1))
    groups = index.groups()
    if corpus_page_count(len(index)) > 1 and len(groups) > 1:
        view.add_item(InitialSelect(corpus, groups, selection))
    return {"content": content, "view": view if view.children else None}


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"citebot:src:(?P<action>prev|next):(?P<page>-?\d{1,7}):" + CORPUS + ":" + SELECTION,
):
    """◀ Previous / Next ▶: the page it leads to is in its custom_id."""

    def __init__(
        self, action: str, page: int, corpus: str, selection: Selection, *, disabled: bool = False
    ) -> None:
        self.page, self.corpus, self.selection = page, corpus, selection
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if action == "prev" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"citebot:src:{action}:{page}:{corpus}:{selection.mode}:{selection.value}",
                disabled=disabled,
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> PageButton:
        selection = Selection(match["mode"], match["value"])  # type: ignore[arg-type]
        return cls(match["action"], int(match["page"]), match["corpus"], selection)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        message = await listing(services(interaction.client), self.corpus, self.selection, self.page)
        await interaction.response.edit_message(**message, allowed_mentions=NONE)


class InitialSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"citebot:initial:" + CORPUS):
    """ "Titles starting with…": jump to the documents of one initial (or a few, merged)."""

    def __init__(
        self, corpus: str, groups: list[str] | None = None, selection: Selection | None = None
    ) -> None:
        self.corpus = corpus
        current = selection.value if selection is not None and selection.mode == "i" else None
        options = [discord.SelectOption(label="All documents", value="all", default=current is None)]
        options += [
            discord.SelectOption(label=f"Titles: {group_label(group)}", value=group, default=group == current)
            for group in groups or []
        ]
        super().__init__(
            discord.ui.Select(
                placeholder="Titles starting with…",
                options=options,
                custom_id=f"citebot:initial:{corpus}",
                row=1,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> InitialSelect:
        return cls(match["corpus"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values = (interaction.data or {}).get("values") or ["all"]
        chosen = str(values[0])[:3]
        selection = Selection() if chosen == "all" else Selection("i", chosen)
        message = await listing(services(interaction.client), self.corpus, selection, 0)
        await interaction.response.edit_message(**message, allowed_mentions=NONE)


class CorpusCog(commands.Cog, name="Corpus"):
    """What the bot can quote from."""

    def __init__(self, bot: commands.Bot) -> None:
        self.shared = services(bot)

    def corpus_here(self, interaction: discord.Interaction[Any]) -> str:
        place = Place.of_interaction(interaction, ephemeral=True)
        return self.shared.corpora.name_for(place.guild_id, place.channel_id, place.parent_id)

    def engine_here(self, interaction: discord.Interaction[Any]) -> Any:
        return engine_of(self.shared, self.corpus_here(interaction))

    @app_commands.command(name="sources", description="The documents citebot quotes from")
    @app_commands.describe(filter="A letter: titles starting with it; words: titles containing them")
    async def sources(
        self, interaction: discord.Interaction, filter: app_commands.Range[str, 1, QUERY_LIMIT] | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # a first listing may index titles
        message = await listing(self.shared, self.corpus_here(interaction), Selection.from_filter(filter), 0)
        if message["view"] is None:
            del message["view"]
        await interaction.edit_original_response(**message, allowed_mentions=NONE)

    @app_commands.command(name="source", description="One document: its citation and opening lines")
    @app_commands.describe(name="The document's title (start typing to search)")
    async def source(self, interaction: discord.Interaction, name: str) -> None:
        document = self.find(self.engine_here(interaction), name)
        if document is None:
            await interaction.response.send_message(
                **render_unknown_document(name).send_kwargs(), ephemeral=True
            )
            return
        await interaction.response.send_message(**render_document(document).send_kwargs())

    @source.autocomplete("name")
    async def source_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Off the event loop: searching every title of a large corpus takes a while.
        matches = await asyncio.to_thread(self.engine_here(interaction).find_documents, current, limit=25)
        # A choice's value is at most 100 characters; longer ids are still found by title.
        return [
            app_commands.Choice(name=document_choice_name(document), value=document.id)
            for document in matches
            if len(document.id) <= CHOICE_LIMIT
        ]

    @staticmethod
    def find(engine: Any, name: str) -> Document | None:
        """The chosen document (autocomplete sends its id), else the best title match typed."""
        document = engine.document(name)
        if document is None and name.strip():
            matches = engine.find_documents(name.strip(), limit=1)
            document = matches[0] if matches else None
        return document


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(PageButton, InitialSelect)
    await bot.add_cog(CorpusCog(bot))
