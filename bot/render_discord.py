"""Answer → Discord messages, within Discord's limits.

Pure functions: no client, no I/O. Everything shown comes from the Answer (or a
Document); the only work done here is layout, escaping and fitting text into
Discord's limits. Every piece of corpus or user text goes through :func:`escape`
(:mod:`bot.markup`: no markdown, link, mention or bidi control in effect), and every message carries
``AllowedMentions.none()`` so that nothing the bot posts can ever ping anyone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import discord

from bot import markup, wording
from bot.links import host, with_text_fragment
from bot.wording import ELLIPSIS, Kind, quote_text
from retrieval.answer import Answer, Conflict, SourceEvidence
from retrieval.corpus.documents import Document

# Discord's limits (https://discord.com/developers/docs/resources/message#create-message,
# .../resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2_000
EMBED_TITLE_LIMIT = 256
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1_024
EMBEDS_TOTAL_LIMIT = 6_000
EMBEDS_PER_MESSAGE = 10
CHOICE_LIMIT = 100  # autocomplete choice name and value

UNESCAPED_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")
# Budgets below Discord's limits, so a source block keeps its citation readable.
TITLE_BUDGET = 200
QUESTION_BUDGET = 300
QUOTE_BUDGET = 1_400
URL_BUDGET = 400

DISAGREEMENT_COLOUR = discord.Colour.orange()
INFO_COLOUR = discord.Colour.blurple()


@dataclass(frozen=True)
class DiscordMessage:
    """One message as the bot will post it: content and embeds, never any mention."""

    content: str = ""
    embeds: tuple[discord.Embed, ...] = ()

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``send``/``send_message``/``followup.send`` and for edits."""
        return {
            "content": self.content or None,
            "embeds": list(self.embeds),
            "allowed_mentions": discord.AllowedMentions.none(),
        }


# --- text helpers -----------------------------------------------------------------


def escape(text: str) -> str:
    """Corpus or user text made inert: no markdown, link, mention or bidi control (bot.markup)."""
    return markup.escape(text)


def single_line(text: str) -> str:
    """Text for a heading or a citation: one line, no invisible format characters.

    Format characters (zero-width spaces, bidi overrides) are dropped so that a title or
    an echoed question cannot hide text or flip the direction of the rest of the line.
    """
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def isolate(text: str) -> str:
    """Wrap text in a Unicode bidi isolate, so right-to-left text cannot reorder our layout."""
    return f"\u2068{text}\u2069"


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters; when shortened, at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - len(ELLIPSIS), 0)]
    boundary = max(head.rfind(" "), head.rfind("\n"))
    # Prefer the last word boundary; a single huge "word" (a URL) is cut where it must be,
    # which the ellipsis still makes visible.
    if boundary > len(head) // 2:
        head = head[:boundary]
    return head.rstrip() + ELLIPSIS


def fit(text: str, limit: int, render: Callable[[str], str]) -> str:
    """``render(cut(text, n))`` for the largest n whose result is at most ``limit`` characters.

    Escaping and quoting only ever add characters, so shrinking the raw budget in
    proportion to the overshoot converges in a few steps.
    """
    budget = limit
    while True:
        rendered = render(cut(text, budget))
        if len(rendered) <= limit or budget <= 1:
            return rendered[:limit] if len(rendered) > limit else rendered
        budget = min(budget - 1, budget * limit // len(rendered))


def block_quote(text: str) -> str:
    """Escaped text as a Discord block quote, one ``> `` per (non-blank) line."""
    lines = [line for line in text.splitlines() if line.strip()] or [ELLIPSIS]
    return "\n".join(f"> {escape(line)}" for line in lines)


def link(url: str | None) -> str | None:
    """A URL in angle brackets (Discord shows no preview), or None if it cannot be shown safely."""
    if not url:
        return None
    url = url.strip()
    if not url.startswith(("http://", "https://")) or any(ch.isspace() or ch in "<>" for ch in url):
        return None
    if len(url) > URL_BUDGET:
        return None  # cutting a URL would make it point somewhere else
    # Parentheses, percent-encoded (the same URL), cannot end a masked link's target early.
    return "<" + url.replace("(", "%28").replace(")", "%29") + ">"


def link_text(escaped: str) -> str:
    """Escaped text made safe inside a masked link's brackets: every bracket not yet escaped
    (preceded by an even number of backslashes) is escaped, so the text cannot end the link."""
    return UNESCAPED_BRACKET.sub(r"\1\\\2", escaped)


def quote_link(label: str, url: str | None, quotes: Iterable[str], *, limit: int = URL_BUDGET) -> str | None:
    """``[label](<url#:~:text=…>)``: ``label`` (already escaped) linking, without a preview, to the
    page scrolled to the quoted words; None when there is no link that can be shown safely."""
    shown = link(url)
    if shown is None or url is None or len(shown) > limit + 2:
        return None
    target = link(with_text_fragment(url.strip(), quotes, limit=limit))
    return f"[{link_text(label)}]({target or shown})"


def heading_text(text: str, limit: int) -> str:
    """A title or question for display: one line, shortened at a word, escaped."""
    return fit(single_line(text), limit, escape)


# --- answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Notes:
    """What the bot says about how it read the request, before the answer itself."""

    understood_as: str | None = None  # a follow-up read with its thread's subject
    shortened_to: int | None = None  # a claim checked on its first N characters
    corpus: str | None = None  # the corpus answering, when the bot has several


def note_lines(notes: Notes | None) -> str:
    """The notes as lines (each ending in a newline), before the headline; empty without notes."""
    if notes is None:
        return ""
    lines = []
    if notes.understood_as:
        lines.append(
            f"*{wording.UNDERSTOOD_AS}* {isolate(heading_text(notes.understood_as, QUESTION_BUDGET))}"
        )
    if notes.shortened_to:
        lines.append(f"*{wording.SHORTENED_CLAIM.format(limit=notes.shortened_to)}*")
    if notes.corpus:
        lines.append(f"*{wording.CORPUS_NAMED}* **{heading_text(notes.corpus, 60)}**")
    return "".join(f"{line}\n" for line in lines)


def render_answer(
    answer: Answer, *, kind: Kind = "question", notes: Notes | None = None
) -> list[DiscordMessage]:
    """The messages for one answer, each within Discord's limits, split at source boundaries."""
    if answer.status == "no_answer" or not answer.sources:
        return [DiscordMessage(content=note_lines(notes) + no_answer_line(answer, kind))]
    opening = note_lines(notes) + opening_line(answer, kind)
    blocks = [part for n, source in enumerate(answer.sources, 1) for part in source_block(n, source, answer)]
    if answer.disagreement and answer.conflicts:
        # Disagreement first: the opening line and the conflicting quotes side by side
        # (inline embed fields) stand alone, then the sources follow in their own messages.
        conflict_embeds = [conflict_embed(i, c, answer) for i, c in enumerate(answer.conflicts, 1)]
        first = pack_embeds(opening, conflict_embeds)
        return first + pack_blocks("", blocks)
    return pack_blocks(opening, blocks)


def echoed(answer: Answer) -> str:
    """The question as asked, escaped, shortened and isolated from our own (left-to-right) text."""
    return isolate(heading_text(answer.question, QUESTION_BUDGET))


def opening_line(answer: Answer, kind: Kind) -> str:
    """The first lines: whether the sources disagree and what was asked; the tally; the claim."""
    lead, rest = wording.headline(answer, kind)
    warning = "⚠️ " if answer.disagreement else ""
    line = f"{warning}**{lead}**{' ' + rest if rest else ''}: {echoed(answer)}"
    tally = wording.tally(answer)
    if tally is not None:
        line += f"\n{tally}"
    claim = wording.shown_claim(answer)
    if claim is not None:
        # The stances below are judged against this statement: say which it is.
        line += f"\n*{wording.CLAIM_LINE}* {isolate(heading_text(claim, QUESTION_BUDGET))}"
    return line


def no_answer_line(answer: Answer, kind: Kind) -> str:
    lead, _ = wording.headline(answer, kind)
    return f"**{lead}:** {echoed(answer)}"


def citation(number: int, source: SourceEvidence) -> str:
    """``**1. [Title](<url#:~:text=quote>)** · host · Publisher · Author · date``.

    The title links (without a preview) to the page, scrolled to the quoted words; the
    link's real host stands beside it, so a title cannot pass for another site. Without
    a link: the title and the file it comes from.
    """
    title = heading_text(source.title, TITLE_BUDGET)
    linked = quote_link(title, source.url, (quote.text for quote in source.quotes))
    if linked and source.url:
        parts = [f"**{number}. {linked}**", escape(host(source.url.strip()) or "")]
    else:
        parts = [f"**{number}. {title}**"]
        parts.append(heading_text(PurePath((source.path or source.id).split(":")[0]).name, 100))
    for extra in (source.publisher, source.author, source.date):
        if extra:
            parts.append(heading_text(extra, 100))
    return " · ".join(part for part in parts if part)


def stance_line(answer: Answer, source: SourceEvidence) -> str | None:
    stance = wording.shown_stance(answer, source)
    return None if stance is None else f"*{wording.STANCE}* {escape(stance)}"


def source_block(number: int, source: SourceEvidence, answer: Answer) -> list[str]:
    """One source as one block; split at quote boundaries into several parts if too long."""
    stance = stance_line(answer, source)
    quotes = source.quotes
    items = [
        citation(number, source),
        # A blank line before each further quote ends the previous block quote, so
        # separate quotes stay visibly separate.
        *(("\n" if i else "") + fit(quote_text(q), QUOTE_BUDGET, block_quote) for i, q in enumerate(quotes)),
        *([stance] if stance else []),
    ]
    parts: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current}\n{item}" if current else item
        if len(candidate) <= CONTENT_LIMIT:
            current = candidate
            continue
        parts.append(current)
        # Each continuation names its source number, so a reader never loses the citation.
        current = f"**{number}.** (continued)\n{item}"
    parts.append(current)
    return parts


def pack_blocks(opening: str, blocks: Iterable[str]) -> list[DiscordMessage]:
    """Blocks packed greedily into messages of at most CONTENT_LIMIT characters."""
    messages: list[str] = []
    current = opening
    for block in blocks:
        joined = f"{current}\n\n{block}" if current else block
        if len(joined) <= CONTENT_LIMIT:
            current = joined
            continue
        if current:
            messages.append(current)
        current = block
    if current:
        messages.append(current)
    return [DiscordMessage(content=content) for content in messages]


def pack_embeds(content: str, embeds: Sequence[discord.Embed]) -> list[DiscordMessage]:
    """Embeds packed into messages: at most 10 each, at most 6,000 characters in all."""
    messages: list[DiscordMessage] = []
    batch: list[discord.Embed] = []
    for embed in embeds:
        full = len(batch) == EMBEDS_PER_MESSAGE or sum(map(len, batch)) + len(embed) > EMBEDS_TOTAL_LIMIT
        if batch and full:
            messages.append(DiscordMessage(content=content if not messages else "", embeds=tuple(batch)))
            batch = []
        batch.append(embed)
    messages.append(DiscordMessage(content=content if not messages else "", embeds=tuple(batch)))
    return messages


def conflict_embed(number: int, conflict: Conflict, answer: Answer) -> discord.Embed:
    """Two conflicting quotes side by side (inline fields), each with its citation."""
    embed = discord.Embed(title=f"Conflict {number}", colour=DISAGREEMENT_COLOUR)
    by_id = {source.id: (index, source) for index, source in enumerate(answer.sources, 1)}
    for source_id, quote in zip(conflict.sources, conflict.quotes, strict=True):
        index, source = by_id.get(source_id, (None, None))
        if source is None:
            name = heading_text(source_id, EMBED_FIELD_NAME_LIMIT - 10)
            cite = ""
        else:
            name = f"{index}. {heading_text(source.title, 180)}"
            stance = wording.shown_stance(answer, source)
            cite_parts = [
                heading_text(source.publisher, 60) if source.publisher else None,
                escape(stance) if stance else None,
                # The host, linking to the page scrolled to this very quote.
                quote_link(escape(host(source.url.strip()) or "link"), source.url, [quote.text], limit=300)
                if source.url
                else None,
            ]
            cite = "\n— " + " · ".join(part for part in cite_parts if part) if any(cite_parts) else ""
        value = fit(quote_text(quote), EMBED_FIELD_VALUE_LIMIT - len(cite), block_quote) + cite
        embed.add_field(name=name, value=value, inline=True)
    if conflict.reason:
        # Footers show no markdown, so only mentions are escaped there.
        embed.set_footer(text=discord.utils.escape_mentions(cut(single_line(conflict.reason), 300)))
    return embed


# --- short replies ----------------------------------------------------------------


def render_question_error(message: str) -> DiscordMessage:
    """A question the engine refused (empty, too long): its user-facing reason."""
    reason = message[:1].upper() + message[1:] if message else "That question cannot be answered"
    return DiscordMessage(content=f"⚠️ {cut(escape(reason), CONTENT_LIMIT - 3)}")


def render_cooldown(retry_after: float) -> DiscordMessage:
    seconds = max(1, round(retry_after + 0.49))
    return DiscordMessage(
        content=f"⏳ Slow down a little: you can ask again in {seconds} second{'s' if seconds != 1 else ''}."
    )


def render_failure() -> DiscordMessage:
    return DiscordMessage(content="⚠️ Something went wrong while answering. Please try again in a moment.")


def render_empty_claim() -> DiscordMessage:
    return DiscordMessage(content="⚠️ That message has no text to check against the sources.")


# --- feedback and threads -------------------------------------------------------

THREAD_NAME_LIMIT = 100  # Discord's limit for a channel (thread) name

FEEDBACK_THANKS = {
    "up": "Thanks: your 👍 is recorded.",
    "down": "Thanks: your 👎 is recorded. If something is wrong, say what under **Report a problem…**.",
}


def render_feedback_thanks(choice: str) -> DiscordMessage:
    thanks = (
        FEEDBACK_THANKS.get(choice) or f"Thanks: reported as *{wording.FEEDBACK_LABELS[choice].lower()}*."
    )
    return DiscordMessage(content=thanks)


def render_unknown_answer(days: float | None) -> DiscordMessage:
    if days is None:
        return DiscordMessage(content="⚠️ That is not a choice this menu offers.")
    return DiscordMessage(
        content=f"⚠️ This answer can no longer be rated: answers are kept {days:g} days, then dropped."
    )


def thread_name(question: str, limit: int = THREAD_NAME_LIMIT) -> str:
    """A thread's name from its first question: one line, shortened (names show no markdown)."""
    return cut(single_line(question), limit) or "Follow-ups"


def render_thread_intro(question: str) -> DiscordMessage:
    return DiscordMessage(
        content=f"Follow-ups to {isolate(heading_text(question, QUESTION_BUDGET))} go here: use `/ask`, or "
        'mention me. A question without a subject of its own ("Who directed it?") borrows the subject '
        "of this one."
    )


def render_thread_problem(kind: str, thread_id: int | None = None) -> DiscordMessage:
    """What the thread button says: where the thread is, or why it cannot open one."""
    texts = {
        "opened": f"🧵 Thread opened: <#{thread_id}>. Ask follow-ups there with `/ask` or by mentioning me.",
        "exists": f"🧵 Follow-ups on this answer go in <#{thread_id}>.",
        "forbidden": "⚠️ I cannot open a thread here: a server manager must let citebot create public "
        "threads and send messages in threads (see the README's invite link).",
        "here": "⚠️ Threads can only be opened on answers in a server's channel.",
        "unknown": "⚠️ This answer is too old to follow up: its record has been dropped.",
    }
    return DiscordMessage(content=texts[kind])


# --- reloading --------------------------------------------------------------------


def render_reload(corpus: str, summary: str) -> DiscordMessage:
    """What /reload did to the channel's corpus: its name, what changed, its size now.

    ``summary`` is the corpus's own one-line summary ("films: 1 added (owls.md); now …"): the
    name it starts with is said once, in bold."""
    changes = summary.removeprefix(f"{corpus}: ")
    return DiscordMessage(content=f"🔄 Reloaded the corpus **{escape(corpus)}**: {escape(changes)}")


def render_reload_failed(corpus: str, reason: str | None) -> DiscordMessage:
    if reason is None:
        return DiscordMessage(content=f"⚠️ The corpus **{escape(corpus)}** cannot be reloaded.")
    return DiscordMessage(
        content=f"⚠️ Could not reload the corpus **{escape(corpus)}**: {escape(cut(reason, 1_500))}\n"
        "The previous index keeps answering."
    )


# --- the corpus -------------------------------------------------------------------


def document_line(number: int, document: Document) -> str:
    """One line of the corpus list: number, title, publisher, link without preview."""
    parts = [f"`{number}.` **{heading_text(document.title, 150)}**"]
    if document.publisher:
        parts.append(heading_text(document.publisher, 60))
    url = link(document.url)
    if url and len(url) <= LINK_IN_LIST_LIMIT:
        parts.append(url)
    return " · ".join(parts)


# Lines are capped (title 150, publisher 60, links over LINK_IN_LIST_LIMIT left out), so
# a page of this many documents always fits in one message, however large the corpus.
CORPUS_PAGE_DOCUMENTS = 8
LINK_IN_LIST_LIMIT = 200


def corpus_page_count(count: int) -> int:
    return max(1, -(-count // CORPUS_PAGE_DOCUMENTS))


def corpus_page(
    documents: Sequence[Document],
    page: int,
    *,
    numbers: Sequence[int] | None = None,
    selection: str | None = None,
) -> str:
    """Page ``page`` (from 0) of the corpus list, rendering only that page's documents.

    ``numbers`` are the documents listed, in order (default: all); ``selection`` says
    which they are ("titles starting with B"), unescaped.
    """
    listed = range(len(documents)) if numbers is None else numbers
    first = page * CORPUS_PAGE_DOCUMENTS
    shown = [documents[number] for number in listed[first : first + CORPUS_PAGE_DOCUMENTS]]
    lines = [document_line(first + offset + 1, document) for offset, document in enumerate(shown)]
    total = len(documents)
    heading = f"**The corpus: {total:,} document{'s' if total != 1 else ''}**"
    if selection is not None:
        heading += f" · {len(listed):,} {escape(selection)}"
    empty = "(the corpus is empty)" if selection is None else "No document matches: try another filter."
    body = "\n".join(lines) or empty
    return f"{heading} — page {page + 1}/{corpus_page_count(len(listed))}\n{body}"


def opening_lines(document: Document, *, lines: int = 6) -> str:
    """The first few non-empty lines of the article proper."""
    kept = [line.strip() for line in document.quotable_text.splitlines() if line.strip()][:lines]
    return "\n".join(kept)


def render_document(document: Document) -> DiscordMessage:
    """One document's metadata and opening lines, as an embed."""
    embed = discord.Embed(
        title=heading_text(document.title, EMBED_TITLE_LIMIT),
        url=document.url if link(document.url) else None,
        description=fit(opening_lines(document), 1_000, block_quote),
        colour=INFO_COLOUR,
    )
    for name, value in (
        ("Publisher", document.publisher),
        ("Author", document.author),
        ("Date", document.date),
        ("Link", link(document.url)),
        ("Document id", document.id),
    ):
        shown = value if name == "Link" else heading_text(value or "", 300)
        if shown:  # Discord refuses an empty field (metadata of only spaces shows as nothing)
            embed.add_field(name=name, value=shown, inline=name not in {"Link", "Document id"})
    embed.set_footer(text=f"{len(document.text):,} characters")
    return DiscordMessage(embeds=(embed,))


def render_unknown_document(name: str) -> DiscordMessage:
    return DiscordMessage(
        content=f"No document called {isolate(heading_text(name, 200))} in the corpus: "
        "pick one from the suggestions, or see `/sources`."
    )


def document_choice_name(document: Document) -> str:
    """An autocomplete choice's label: the title, shortened to 100 characters (no markdown there)."""
    return cut(single_line(document.title) or document.id, CHOICE_LIMIT)


HELP_TEXT = (
    "**citebot** answers from a curated corpus of articles, and only from it.\n"
    "• **How it decides:** it finds the passages in the corpus most relevant to your question and "
    "quotes each source **verbatim**, with its title, publisher and link: it never paraphrases or "
    "adds anything of its own.\n"
    "• **When sources conflict** it says so first, and shows the conflicting quotes side by side.\n"
    "• **When no source covers it** it says so rather than guess.\n"
    "**Commands:** `/ask` a question (set `private` to see the answer alone) · right-click a message → "
    "Apps → **Check sources** (or **Check sources (private)**) to check its claim · `/sources` lists the "
    "corpus · `/source` shows one document · or just send me a direct message.\n"
    "Rate an answer with 👍 / 👎 or **Report a problem…**; **Follow up in a thread** to ask more about it."
)


def render_help() -> DiscordMessage:
    return DiscordMessage(content=HELP_TEXT)
