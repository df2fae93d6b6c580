"""Nothing a document or a user wrote becomes a link, a mention or markup in what the bot posts:
a second masked link on a line, channel and command mentions, bidi overrides inside quotes,
and a /source name that matches nothing (issue 12, items 11 and 12)."""

from __future__ import annotations

import discord
import pytest

from bot.markup import escape
from bot.render_discord import render_answer, render_document, render_unknown_document
from retrieval.answer import Answer, Conflict, Quote, SourceEvidence
from retrieval.corpus.documents import Document
from tests.bot.conftest import StartBot
from tests.bot.stubs import FixedAnswerEngine
from tests.discord_markup import links, mentions, message_texts
from tests.discord_server import FakeDiscord

pytestmark = pytest.mark.timeout(60)

TWO_LINKS = "See [a](https://x.example) and [https://good.example](https://evil.example) for more."
MENTIONS = "Discuss it in <#123456789012345678>, run </ask:123456789012345678> or </reload corpus:987654321>."
OVERRIDE = "The film is \u202eyrots eurt a\u202c on Netflix."
CITATION = "https://cite.example/article"


def _quote(text: str) -> Quote:
    return Quote(text=text, start=0, end=len(text))


def _answer(quotes: list[str], title: str = "A title") -> Answer:
    """Two sources that disagree, each quoting ``quotes``: a reply with blocks and conflict embeds."""
    sources = tuple(
        SourceEvidence(
            id=f"doc{n}",
            title=title,
            url=CITATION,
            publisher="Paper",
            author=None,
            score=1.0,
            quotes=tuple(_quote(text) for text in quotes),
            stance=stance,
        )
        for n, stance in ((1, "supports"), (2, "refutes"))
    )
    conflict = Conflict(sources=("doc1", "doc2"), quotes=(_quote(quotes[0]), _quote(quotes[-1])), reason="")
    return Answer(
        question="Is it true?",
        status="answered",
        sources=sources,
        disagreement=True,
        conflicts=(conflict,),
        claim="It is true",
    )


def _payloads(messages: list) -> list[dict]:
    return [{"content": m.content, "embeds": [embed.to_dict() for embed in m.embeds]} for m in messages]


def _rendered_texts(text: str) -> list[str]:
    """``text`` as a quote, a title, a conflict quote, and a /source document's opening lines."""
    document = Document(id="doc1", title=text, text=text, url=CITATION, publisher=text)
    payloads = _payloads(render_answer(_answer([text], title=text))) + _payloads([render_document(document)])
    return [piece for payload in payloads for piece in message_texts(payload)]


def test_discord_py_leaves_the_second_masked_link_live() -> None:
    """Why the bot has its own escaper: discord.utils.escape_markdown escapes only the first `[`."""
    assert links(discord.utils.escape_markdown(TWO_LINKS)) == ["https://evil.example"]
    assert links(escape(TWO_LINKS)) == []


def test_a_second_masked_link_on_a_line_stays_text_everywhere() -> None:
    """`[https://good.example](https://evil.example)` after another link, in a quote, a title, a
    conflict embed and /source: shown as text, the only live link the citation's own url."""
    rendered = _rendered_texts(TWO_LINKS)
    assert rendered
    for piece in rendered:
        assert all(target.startswith(CITATION) for target in links(piece)), piece
    assert any("good.example" in piece for piece in rendered)  # still shown, as text


def test_channel_and_command_mentions_in_corpus_text_are_not_clickable() -> None:
    """`<#id>` and `</ask:id>` in an article are escaped wherever the bot shows the article's text."""
    for piece in _rendered_texts(MENTIONS):
        assert mentions(piece) == [], piece


def test_a_right_to_left_override_inside_a_quote_is_dropped() -> None:
    """U+202E in a quote would show its letters backwards ("a true story"): it is dropped from the
    quote, the conflict embed and /source, and the words are shown in their own order."""
    rendered = _rendered_texts(OVERRIDE)
    assert not any("\u202e" in piece or "\u202c" in piece for piece in rendered)
    assert any("yrots eurt a" in piece for piece in rendered)
    # The Answer itself keeps the verbatim text: only its display drops the control.
    assert _answer([OVERRIDE]).sources[0].quotes[0].text == OVERRIDE


def test_an_unknown_source_name_is_echoed_inert() -> None:
    """The reply to /source with a name that matches nothing shows the name with no link,
    mention or bidi control in effect."""
    name = f"\u202e{TWO_LINKS} {MENTIONS} @everyone"
    [content] = [piece for piece in message_texts(_payloads([render_unknown_document(name)])[0]) if piece]
    assert links(content) == [] and mentions(content) == []
    assert "\u202e" not in content


async def test_source_with_a_hostile_unknown_name_end_to_end(
    start_bot: StartBot, discord_server: FakeDiscord
) -> None:
    """/source typed with a masked link, channel and command mentions and a bidi override: the
    private reply, as the server receives it, links and mentions nothing."""
    document = Document(id="doc1", title="Owls", text="Owls hunt lemmings.")
    await start_bot(FixedAnswerEngine(_answer(["Owls hunt."]), [document]))
    record = await discord_server.slash("source", name=f"\u202e{TWO_LINKS} {MENTIONS}")
    [reply] = await discord_server.replies(record)
    assert "No document called" in reply["content"]
    assert links(reply["content"]) == [] and mentions(reply["content"]) == []
    assert "\u202e" not in reply["content"]
