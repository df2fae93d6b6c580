"""Fuzzing what the bot shows on Discord: text with every Discord markup form (mentions of each
kind, masked links, headings, code fences, spoilers, bidi controls) through the escaper and
the renderer. Nothing the corpus or a user wrote is clickable, pings, or formats; every message
fits Discord's limits; the escaper loses no character a reader sees."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.markup import escape
from bot.render_discord import (
    DiscordMessage,
    corpus_page,
    render_answer,
    render_document,
    render_question_error,
    render_thread_intro,
    render_unknown_document,
)
from retrieval.answer import Answer, Conflict, Quote, SourceEvidence
from retrieval.corpus.documents import Document
from retrieval.engine import Engine
from retrieval.search.questions import QuestionError
from tests.discord_markup import (
    ESCAPED,
    REORDERING,
    line_markup,
    links,
    live_around,
    mask_escapes,
    mentions,
    message_texts,
    unbalanced_isolates,
)
from tests.discord_server.checks import payload_problems
from tests.fuzz.profile import TIMEOUT, fuzz, tally
from tests.fuzz.strategies import MARKER, WORDS, markup_text

pytestmark = pytest.mark.timeout(TIMEOUT)

CITATION = "https://cite.example/"
hostile_text = st.one_of(markup_text(), st.text(), st.text(alphabet=st.characters(codec="utf-8")))
# Characters that open or close markup wherever they stand, in Discord's markdown.
MARKUP_CHARACTERS = re.compile(r"[\\*_~|`\[\]<]|:/")


def problems_in(text: str) -> list[str]:
    """What is live in a text Discord renders with markdown, beyond the bot's own citations."""
    found = [f"link {target}" for target in links(text) if not target.startswith(CITATION)]
    found += [f"mention {mention}" for mention in mentions(text)]
    found += [f"markup {delimiter}{MARKER}" for delimiter in live_around(text, MARKER)]
    found += [f"line markup {marker!r}" for marker in line_markup(text, followed_by=MARKER)]
    if REORDERING.search(text):
        found.append("bidi control")
    if unbalanced_isolates(text):
        found.append("unbalanced bidi isolate")
    return found


def check_messages(messages: list[DiscordMessage]) -> None:
    for message in messages:
        payload = {"content": message.content, "embeds": [embed.to_dict() for embed in message.embeds]}
        assert payload_problems(payload) == []  # Discord's limits, checked by the test server's rules
        for text in message_texts(payload):
            tally("checked rendered texts")
            assert problems_in(text) == [], (problems_in(text), text)
        for embed in payload["embeds"]:
            footer = (embed.get("footer") or {}).get("text") or ""
            assert "@everyone" not in footer and "@here" not in footer and not REORDERING.search(footer)


def discord_unescape(text: str) -> str:
    """What a reader sees of escaped text: each escaped character, without its backslash."""
    return ESCAPED.sub(r"\1", text)


@fuzz(1000)
@given(hostile_text)
def test_escape_shows_every_character_and_leaves_nothing_live(text: str) -> None:
    """escape(): a reader sees the text as written (less bidi controls, plus a zero-width space
    after the @ of a mention), and no character that forms markup is left unescaped."""
    tally("examples")
    tally("escaped texts")
    escaped = escape(text)
    visible = discord_unescape(escaped).replace("@\u200b", "@")
    assert visible == re.sub("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text).replace(
        "@\u200b", "@"
    )
    masked = mask_escapes(escaped)
    assert not MARKUP_CHARACTERS.search(masked), masked
    assert links(escaped) == [] and mentions(escaped) == [] and line_markup(escaped) == []
    assert not REORDERING.search(escaped)


@st.composite
def documents(draw: st.DrawFn) -> list[Document]:
    count = draw(st.integers(1, 4))
    return [
        Document(
            id=draw(st.one_of(st.just(f"doc-{n}"), hostile_text.filter(str.strip))),
            title=draw(hostile_text) or "t",
            text=draw(markup_text(min_pieces=3, max_pieces=30)),
            url=draw(st.sampled_from([None, f"{CITATION}{n}", f"{CITATION}a_(b)*{n}"])),
            publisher=draw(st.one_of(st.none(), hostile_text)),
            author=draw(st.one_of(st.none(), hostile_text)),
            date=draw(st.one_of(st.none(), hostile_text)),
        )
        for n in range(count)
    ]


def _quote(draw: st.DrawFn, text: str) -> Quote:
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return Quote(text[start:end], start, end, cut_before=draw(st.booleans()), cut_after=draw(st.booleans()))


@st.composite
def answers(draw: st.DrawFn) -> tuple[Answer, list[Document]]:
    """An answer quoting hostile documents: sources, stances, conflicts, question and claim."""
    docs = draw(documents())
    sources = tuple(
        SourceEvidence(
            id=document.id,
            title=document.title,
            url=document.url,
            publisher=document.publisher,
            author=document.author,
            date=document.date,
            path=draw(st.one_of(st.none(), hostile_text)),
            score=1.0,
            quotes=tuple(_quote(draw, document.text) for _ in range(draw(st.integers(1, 3)))),
            stance=draw(st.sampled_from([None, "supports", "refutes", "discusses"])),
        )
        for document in docs
    )
    conflicts = tuple(
        Conflict(
            (sources[0].id, draw(st.sampled_from([source.id for source in sources] + ["unknown <#1>"]))),
            (sources[0].quotes[0], _quote(draw, draw(markup_text()))),
            draw(hostile_text),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    answer = Answer(
        question=draw(hostile_text) or "q",
        status=draw(st.sampled_from(["answered", "answered", "no_answer"])),
        sources=sources,
        disagreement=bool(conflicts) if draw(st.booleans()) else None,
        conflicts=conflicts or None,
        claim=draw(st.one_of(st.none(), hostile_text)),
        claim_kind=draw(st.sampled_from([None, "yes_no", "statement", "open"])),
        single_source=len(sources) == 1,
    )
    return answer, docs


@fuzz(150)
@given(answers(), st.sampled_from(["question", "claim"]))
def test_hostile_corpus_text_is_inert_in_every_view(answer_and_documents, kind: str) -> None:
    """Answers (blocks, conflict embeds), /source, /sources, and the echoes of a question (unknown
    /source name, refused question, thread intro): within Discord's limits, and nothing the
    corpus or the asker wrote is a link, a mention, markup or a bidi control in effect."""
    answer, docs = answer_and_documents
    tally("examples")
    tally("rendered documents", len(docs))
    check_messages(render_answer(answer, kind=kind))
    check_messages([render_document(document) for document in docs])
    check_messages([DiscordMessage(content=corpus_page(docs, 0))])
    check_messages([render_unknown_document(answer.question), render_question_error(answer.question)])
    check_messages([render_thread_intro(answer.question)])


@fuzz(60)
@given(documents(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_hostile_corpus_text_answered_by_the_real_engine_is_inert(
    docs: list[Document], words: list[str]
) -> None:
    """The same documents indexed and asked about by the real engine (real quotes, stances and
    conflicts): every reply inert and within limits, every quote the document's own text."""
    tally("examples")
    tally("engine corpora")
    unique = {document.id: document for document in docs}
    engine = Engine.from_documents(list(unique.values()))
    question = " ".join(words) + "?"
    try:
        answer = engine.ask(question)
    except QuestionError:
        return
    tally("checked engine answers")
    for source in answer.sources:
        text = unique[source.id].text
        assert all(quote.text == text[quote.start : quote.end] for quote in source.quotes)
    check_messages(render_answer(answer))
