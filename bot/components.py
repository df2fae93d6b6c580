"""The buttons under an answer: 👍 / 👎, "Report a problem…" and "Follow up in a thread".

Each is a discord.py ``DynamicItem``: its state (the answer's key) lives in its
``custom_id``, so a click works whoever clicks, however long after, and after the bot
restarts: discord.py rebuilds the item from the custom_id of any component it receives
whose template matches (the feedback and threads extensions register them).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.render_discord import (
    THREAD_NAME_LIMIT,
    DiscordMessage,
    render_feedback_thanks,
    render_thread_intro,
    render_thread_problem,
    render_unknown_answer,
    thread_name,
)
from bot.services import Services, services
from bot.store import REPORTS
from bot.wording import FEEDBACK_LABELS, REPORT_DESCRIPTIONS

log = logging.getLogger("citebot.components")

KEY = r"(?P<key>[A-Za-z0-9_-]{1,40})"
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"


async def record(interaction: discord.Interaction[Any], key: str, choice: str) -> None:
    """Store one click, then acknowledge it privately (the click is stored before the reply)."""
    shared = services(interaction.client)
    stored = await shared.db(shared.store.record_feedback, key, choice, interaction.user.id)
    reply = render_feedback_thanks(choice) if stored else render_unknown_answer(shared.settings.feedback_days)
    await interaction.response.send_message(**reply.send_kwargs(), ephemeral=True)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"citebot:vote:(?P<vote>up|down):" + KEY
):
    """👍 or 👎 on one answer."""

    def __init__(self, vote: str, key: str) -> None:
        self.vote, self.key = vote, key
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji=FEEDBACK_LABELS[vote],
                custom_id=f"citebot:vote:{vote}:{key}",
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["vote"], match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await record(interaction, self.key, self.vote)


class ReportSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"citebot:report:" + KEY):
    """ "Report a problem…": wrong quote, wrong stance, should not have answered."""

    def __init__(self, key: str) -> None:
        self.key = key
        options = [
            discord.SelectOption(
                label=FEEDBACK_LABELS[report], value=report, description=REPORT_DESCRIPTIONS[report]
            )
            for report in REPORTS
        ]
        super().__init__(
            discord.ui.Select(
                placeholder="Report a problem…", options=options, custom_id=f"citebot:report:{key}", row=1
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> ReportSelect:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        values = (interaction.data or {}).get("values") or []
        choice = values[0] if values and values[0] in REPORTS else None
        if choice is None:
            await interaction.response.send_message(
                **render_unknown_answer(None).send_kwargs(), ephemeral=True
            )
            return
        await record(interaction, self.key, choice)


class ThreadButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"citebot:thread:" + KEY):
    """ "Follow up in a thread": a thread on the answer, where follow-ups borrow its subject."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label="Follow up in a thread",
                emoji="🧵",
                custom_id=f"citebot:thread:{key}",
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ThreadButton:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        shared = services(interaction.client)
        message = interaction.message
        existing = await shared.db(shared.store.thread_of_answer, self.key)
        question = await shared.db(shared.store.answer_question, self.key)
        if existing is not None or question is None or message is None or message.guild is None:
            problem = (
                render_thread_problem("exists", existing)
                if existing is not None
                else render_thread_problem("unknown" if question is None else "here")
            )
            await interaction.response.send_message(**problem.send_kwargs(), ephemeral=True)
            return
        # Acknowledged first: starting a thread and posting in it are two more requests.
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await open_thread(shared, message, self.key, question)
        await interaction.followup.send(**outcome.send_kwargs(), ephemeral=True)


async def open_thread(shared: Services, message: discord.Message, key: str, question: str) -> DiscordMessage:
    """Start the thread on the answer's message, remember it, introduce it; what to tell the clicker."""
    try:
        thread = await message.create_thread(
            name=thread_name(question, THREAD_NAME_LIMIT), auto_archive_duration=1440
        )
    except discord.Forbidden:
        return render_thread_problem("forbidden")
    except discord.HTTPException as error:
        if error.code != THREAD_EXISTS:
            raise
        # Someone else opened it a moment ago: send them there.
        thread_id = await shared.db(shared.store.thread_of_answer, key)
        return render_thread_problem("exists", thread_id or message.id)
    await shared.db(shared.store.record_thread, thread.id, key, question)
    try:
        await thread.send(**render_thread_intro(question).send_kwargs())
    except discord.HTTPException:
        log.warning("opened thread %s but could not post in it", thread.id)
    return render_thread_problem("opened", thread.id)


def answer_view(key: str, *, thread: bool) -> discord.ui.View:
    """The components under an answer: votes, the thread button where allowed, the report menu."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", key))
    view.add_item(VoteButton("down", key))
    if thread:
        view.add_item(ThreadButton(key))
    view.add_item(ReportSelect(key))
    return view
