"""One way to answer, whatever asked: /ask, Check sources, a DM, a mention in a thread.

Refuse at once (and privately) a question the engine would reject or a user on
cooldown; otherwise acknowledge first, compute the answer in a worker thread so the
event loop and the gateway heartbeat never wait on it, store it (it gets a key, which
its buttons carry), then post the rendered messages with the buttons under the last.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.components import answer_view
from bot.followups import understood_as
from bot.render_discord import (
    DiscordMessage,
    Notes,
    render_answer,
    render_cooldown,
    render_empty_claim,
    render_failure,
    render_question_error,
)
from bot.services import Services
from bot.store import new_answer_key
from bot.wording import Kind
from retrieval.answer import Answer
from retrieval.search.questions import MAX_QUESTION_CHARS, QuestionError, clean_question
from retrieval.text.sentences import sentence_spans

log = logging.getLogger("citebot.answering")

# A message that asks (a DM, a mention in a thread) is a plain message or a reply; not a pin, a call…
ASKING_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


@dataclass(frozen=True)
class Place:
    """Where a request was made: which corpus answers, and whether a thread may follow."""

    guild_id: int | None
    channel_id: int | None
    parent_id: int | None = None  # a thread's channel
    # The bot is a member of the server (not just installed by the user), and the answer
    # is public: only then can it open a thread on it.
    threads_allowed: bool = False

    @classmethod
    def of_interaction(cls, interaction: discord.Interaction[Any], *, ephemeral: bool) -> Place:
        channel = interaction.channel
        allowed = interaction.app_permissions  # the bot's own permissions in this channel
        return cls(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            parent_id=getattr(channel, "parent_id", None),
            threads_allowed=(
                not ephemeral
                and interaction.guild_id is not None
                and interaction.is_guild_integration()
                and not isinstance(channel, discord.Thread)
                and allowed.create_public_threads
                and allowed.send_messages_in_threads
            ),
        )

    @classmethod
    def of_message(cls, message: discord.Message) -> Place:
        return cls(
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            parent_id=getattr(message.channel, "parent_id", None),
        )


@dataclass(frozen=True)
class Request:
    """What was asked, by whom, and how."""

    text: str
    kind: Kind
    user_id: int
    place: Place
    shortened_to: int | None = None  # a claim cut to its first N characters
    thread_question: str | None = None  # the first question of the bot's thread it was asked in


@dataclass
class Reply:
    messages: list[DiscordMessage]
    key: str | None = None  # the stored answer's key; None for a refusal or a failure
    threads_allowed: bool = False

    def view_for(self, index: int) -> discord.ui.View | None:
        """The buttons go under the last message of an answer."""
        if self.key is None or index != len(self.messages) - 1:
            return None
        return answer_view(self.key, thread=self.threads_allowed)

    def send_kwargs(self, index: int) -> dict[str, Any]:
        kwargs = self.messages[index].send_kwargs()
        view = self.view_for(index)
        if view is not None:
            kwargs["view"] = view
        return kwargs


def shorten_claim(text: str, limit: int = MAX_QUESTION_CHARS) -> tuple[str, int | None]:
    """A claim longer than ``limit`` characters cut to its first ``limit``, at the end of a
    sentence when one ends in the second half, else at a word; the limit applied, or None."""
    if len(text) <= limit:
        return text, None
    head = text[:limit]
    ends = [
        end for _, end in sentence_spans(head) if end <= limit and head[:end].rstrip()[-1:] in ".!?…\"”'’)"
    ]
    cut_at = max(ends, default=0)
    if cut_at < limit // 2:
        space = max(head.rfind(" "), head.rfind("\n"))
        cut_at = space if space > limit // 2 else limit
    return head[:cut_at].rstrip(), limit


def refusal(shared: Services, user: discord.abc.User, request: Request) -> DiscordMessage | None:
    """Why this request is not answered right now (bad question, cooldown), or None.

    The text is checked first, with the engine's own rules, so a mistyped question does
    not cost the user their cooldown. A claim is never called a question.
    """
    try:
        clean_question(request.text)
    except QuestionError as error:
        if request.kind == "claim":
            return render_empty_claim()
        return render_question_error(str(error))
    if shared.cooldowns is not None:
        retry_after = shared.cooldowns.update_rate_limit(user)
        if retry_after:
            return render_cooldown(retry_after)
    return None


async def compute(shared: Services, request: Request) -> Reply:
    """The answer from the corpus of the request's place, stored, rendered."""
    corpora = shared.corpora
    corpus_name = corpora.name_for(request.place.guild_id, request.place.channel_id, request.place.parent_id)
    corpus = corpora.get(corpus_name)
    if corpus is None:  # cannot happen with a checked configuration; say so rather than crash
        log.error("no corpus named %r is loaded", corpus_name)
        return Reply([render_failure()])
    # Read the engine once: a reload may swap in a new one meanwhile; this question keeps its own.
    engine = corpus.engine
    rewritten = understood_as(request.text, request.thread_question) if request.thread_question else None
    asked = rewritten or request.text
    try:
        answer = await asyncio.to_thread(engine.ask, asked, max_sources=shared.settings.max_sources)
    except QuestionError as error:
        return Reply([render_empty_claim() if request.kind == "claim" else render_question_error(str(error))])
    except Exception:
        log.exception("the engine failed on a question")
        return Reply([render_failure()])
    notes = Notes(
        understood_as=rewritten,
        shortened_to=request.shortened_to,
        corpus=corpus_name if corpora.several else None,
    )
    messages = render_answer(answer, kind=request.kind, notes=notes)
    key = await remember(shared, request, answer, corpus_name)
    return Reply(messages, key=key, threads_allowed=request.place.threads_allowed)


async def remember(shared: Services, request: Request, answer: Answer, corpus_name: str) -> str | None:
    """Store the answer as it is sent; its key (for its buttons), or None if it could not be stored."""
    key = new_answer_key()
    try:
        await shared.db(
            shared.store.record_answer,
            key,
            kind=request.kind,
            question=answer.question,
            answer=answer.to_dict(),
            asked_by=request.user_id,
            corpus=corpus_name,
            guild_id=request.place.guild_id,
            channel_id=request.place.channel_id,
        )
    except Exception:
        # The answer still goes out, without buttons that would rate nothing.
        log.exception("could not store an answer")
        return None
    return key


async def thread_question(shared: Services, channel_id: int | None) -> str | None:
    """The first question of the thread, if this channel is a thread the bot opened."""
    if channel_id is None:
        return None
    return await shared.db(shared.store.thread_question, channel_id)


async def answer_interaction(
    shared: Services, interaction: discord.Interaction[Any], text: str, *, kind: Kind, ephemeral: bool
) -> None:
    """Answer a question or claim asked through an interaction (/ask, Check sources)."""
    shortened_to = None
    if kind == "claim":
        text, shortened_to = shorten_claim(text)
    place = Place.of_interaction(interaction, ephemeral=ephemeral)
    request = Request(
        text=text,
        kind=kind,
        user_id=interaction.user.id,
        place=place,
        shortened_to=shortened_to,
        thread_question=await thread_question(shared, place.channel_id) if kind == "question" else None,
    )
    refused = refusal(shared, interaction.user, request)
    if refused is not None:
        await interaction.response.send_message(**refused.send_kwargs(), ephemeral=True)
        return
    # Acknowledge before computing: Discord drops an interaction not answered within 3 s.
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    reply = await compute(shared, request)
    await interaction.edit_original_response(**reply.send_kwargs(0))
    for index in range(1, len(reply.messages)):
        await interaction.followup.send(**reply.send_kwargs(index), ephemeral=ephemeral)


async def answer_in_channel(
    shared: Services,
    message: discord.Message,
    text: str,
    *,
    thread_question: str | None = None,
) -> None:
    """Answer a message (a DM, or a mention in the bot's thread) in its channel."""
    request = Request(
        text=text,
        kind="question",
        user_id=message.author.id,
        place=Place.of_message(message),
        thread_question=thread_question,
    )
    refused = refusal(shared, message.author, request)
    if refused is not None:
        await send_all(message.channel, Reply([refused]), reference=message)
        return
    async with message.channel.typing():
        reply = await compute(shared, request)
    await send_all(message.channel, reply, reference=message)


def may_reply_to(message: discord.Message) -> bool:
    """Whether an answer can be a reply to the question (which shows what it answers): in a server,
    where replying takes Read Message History. The invite does not ask for it (servers give it to
    everyone by default): without it the answer is posted without the reply link. In a DM the answer
    simply follows the question."""
    me = message.guild.me if message.guild is not None else None
    channel: Any = message.channel
    return me is not None and channel.permissions_for(me).read_message_history


async def send_all(
    channel: discord.abc.Messageable, reply: Reply, *, reference: discord.Message | None = None
) -> None:
    reply_to = reference if reference is not None and may_reply_to(reference) else None
    try:
        for index in range(len(reply.messages)):
            # Only the first message answers the user's message, visibly (without pinging them).
            target = reply_to if index == 0 else None
            await channel.send(**reply.send_kwargs(index), reference=target)  # type: ignore[arg-type]
    except discord.HTTPException:
        log.exception("could not send a reply in channel %s", getattr(channel, "id", "?"))
