"""Unit tests of bot/render_discord.py: Answer → Discord messages, within Discord's limits."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render_discord import (
    ELLIPSIS,
    DiscordMessage,
    corpus_page,
    corpus_page_count,
    cut,
    escape,
    render_answer,
    render_document,
    render_question_error,
)
from retrieval.answer import Answer, Conflict, Quote, SourceEvidence
from retrieval.corpus.documents import Document
from tests.discord_server.checks import mention_problems, payload_problems


def source(number: int, *quotes: str, stance: str | None = None, **fields: object) -> SourceEvidence:
    values: dict[str, object] = {
        "id": f"doc-{number}",
        "title": f"Title {number}",
        "url": f"https://example.com/{number}",
        "publisher": f"Publisher {number}",
        "author": None,
        "score": 1.0 / number,
        "quotes": tuple(Quote(text, 0, len(text)) for text in quotes),
        "stance": stance,
    }
    values.update(fields)
    return SourceEvidence(**values)  # type: ignore[arg-type]


def as_payload(message: DiscordMessage) -> dict[str, object]:
    """The JSON body discord.py would send for this message."""
    kwargs = message.send_kwargs()
    return {
        "content": kwargs["content"],
        "embeds": [embed.to_dict() for embed in kwargs["embeds"]],
        "allowed_mentions": kwargs["allowed_mentions"].to_dict(),
    }


def test_escape_neutralises_mentions_and_markdown() -> None:
    """@everyone, @here, role and user mentions cannot ping, and markdown shows as typed."""
    text = escape("@everyone @here <@&123456789012345678> <@123456789012345678> **bold** __u__ `c` ||s||")
    assert "@everyone" not in text and "@here" not in text
    assert not re.search(r"<@&?\d", text)
    assert (
        "\\*\\*bold\\*\\*" in text
        and "\\_\\_u\\_\\_" in text
        and "\\`c\\`" in text
        and "\\|\\|s\\|\\|" in text
    )


def test_cut_ends_at_a_word_with_an_ellipsis() -> None:
    """A shortened text ends at a word boundary with an ellipsis; a short one is untouched."""
    assert cut("short enough", 50) == "short enough"
    shortened = cut("the quick brown fox jumps over the lazy dog", 20)
    assert shortened.endswith(ELLIPSIS) and len(shortened) <= 20
    assert "the quick brown fox jumps".startswith(shortened[:-1])
    assert shortened[:-1].split()[-1] in {"quick", "brown", "fox"}


def test_answer_lists_each_source_with_citation_quotes_and_stance() -> None:
    """Each source: number, title linked (no preview) to its quote, the link's host, publisher, its
    quotes as block quotes, its stance."""
    answer = Answer(
        question="Is it true?",
        status="answered",
        sources=(source(1, "First quote.", "Second quote.", stance="supports"), source(2, "Other.")),
    )
    [message] = render_answer(answer)
    content = message.content
    assert (
        "**1. [Title 1](<https://example.com/1#:~:text=First%20quote.&text=Second%20quote.>)**"
        " · example.com · Publisher 1" in content
    )
    assert "> First quote." in content and "> Second quote." in content
    assert "*Stance:* supports the claim" in content
    assert content.index("**1. [Title 1]") < content.index("**2. [Title 2]")
    assert not payload_problems(as_payload(message))


def test_cut_quotes_get_an_ellipsis() -> None:
    """A quote the engine cut inside its sentence is shown with an ellipsis on that side."""
    quote = Quote("middle of a sentence", 10, 30, cut_before=True, cut_after=True)
    answer = Answer(question="q?", status="answered", sources=(source(1, quotes=(quote,)),))
    assert f"> {ELLIPSIS}middle of a sentence{ELLIPSIS}" in render_answer(answer)[0].content


def test_no_answer_says_so_and_lists_nothing() -> None:
    """no_answer: one short honest line, no sources."""
    [message] = render_answer(Answer(question="Who won in 1850?", status="no_answer"))
    assert message.content.startswith("**No source in the corpus covers this question:**")
    assert "\n" not in message.content and not message.embeds


def test_disagreement_comes_first_with_quotes_side_by_side() -> None:
    """When sources conflict, the opening line says so and the conflicting quotes stand side by side."""
    answer = Answer(
        question="Is Ballerina based on a true story?",
        status="answered",
        sources=(
            source(1, "It is not based on true events.", stance="refutes"),
            source(2, "It is inspired."),
        ),
        disagreement=True,
        conflicts=(
            Conflict(
                ("doc-1", "doc-2"),
                (Quote("not based on true events", 9, 33), Quote("inspired by", 6, 17)),
                "opposite",
            ),
        ),
    )
    first, *rest = render_answer(answer)
    assert first.content.splitlines()[0].startswith("⚠️ **The sources disagree**")
    [embed] = first.embeds
    fields = embed.to_dict()["fields"]
    assert [field["inline"] for field in fields] == [True, True]
    assert fields[0]["name"] == "1. Title 1" and "> not based on true events" in fields[0]["value"]
    assert fields[1]["name"] == "2. Title 2" and "> inspired by" in fields[1]["value"]
    assert rest and "**1. [Title 1](<https://example.com/1#:~:text=" in rest[0].content


def test_each_conflicting_quote_shows_its_cuts_and_links_to_itself() -> None:
    """In the side-by-side view too, a quote cut inside its sentence shows the ellipsis, and its
    citation links (by the page's host, no preview) to the page scrolled to that quote."""
    cut_quote = Quote("not based on true events", 9, 33, cut_before=True)
    answer = Answer(
        question="Is Ballerina based on a true story?",
        status="answered",
        sources=(source(1, quotes=(cut_quote,), stance="refutes"), source(2, "It is inspired.")),
        disagreement=True,
        conflicts=(Conflict(("doc-1", "doc-2"), (cut_quote, Quote("It is inspired.", 0, 15)), "opposite"),),
    )
    first_field = render_answer(answer)[0].embeds[0].to_dict()["fields"][0]["value"]
    assert first_field.startswith(
        f"> {ELLIPSIS}not based on true events\n— Publisher 1 · refutes the claim · "
    )
    assert first_field.endswith(
        "[example.com](<https://example.com/1#:~:text=not%20based%20on%20true%20events>)"
    )


def test_an_open_question_shows_no_stances() -> None:
    """An open question asserts nothing: no source block says it supports, refutes or "discusses it"."""
    answer = Answer(
        question="Who plays Choi Pro?",
        status="answered",
        claim="Who plays Choi Pro?",
        claim_kind="open",
        sources=(source(1, "Kim Ji-hoon plays Choi Pro.", stance="discusses"),),
    )
    content = render_answer(answer)[0].content
    assert "Kim Ji-hoon plays Choi Pro." in content and "Stance" not in content


def test_question_error_is_a_clear_sentence() -> None:
    """A refused question shows the engine's reason, capitalised."""
    message = render_question_error("the question is empty: ask something")
    assert message.content == "⚠️ The question is empty: ask something"


# Pieces rather than characters, so mentions and markdown appear whole; repeated, so long.
text_strategy = st.lists(
    st.sampled_from(
        [*"abc xyz*_~|`>#-@[]()<&!\n", "@everyone", "<@&123456789012345678>", "é", "🙂", "word "]
    ),
    max_size=60,
).map(lambda pieces: "".join(pieces) * 40)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    count = draw(st.integers(1, 8))
    sources = tuple(
        source(
            n,
            *draw(st.lists(text_strategy, min_size=1, max_size=4)),
            stance=draw(st.sampled_from([None, "supports", "refutes", "discusses"])),
            title=draw(text_strategy) or "t",
            publisher=draw(st.one_of(st.none(), text_strategy)),
            url=draw(st.sampled_from([None, "https://example.com/a_b", "https://x.com/" + "p" * 600])),
        )
        for n in range(1, count + 1)
    )
    conflicts = tuple(
        Conflict(
            ("doc-1", f"doc-{count}"),
            tuple(Quote(text, 0, len(text)) for text in (draw(text_strategy), draw(text_strategy))),
            draw(text_strategy),
        )
        for _ in range(draw(st.integers(0, 12)))
    )
    return Answer(
        question=draw(text_strategy),
        status="answered",
        sources=sources,
        disagreement=bool(conflicts),
        conflicts=conflicts or None,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(answers())
def test_any_answer_fits_discords_limits(answer: Answer) -> None:
    """Whatever the answer: every message within Discord's limits, pinging no one; every source shown."""
    messages = render_answer(answer)
    for message in messages:
        payload = as_payload(message)
        assert not payload_problems(payload), payload_problems(payload)
        assert not mention_problems(payload)
        assert "@everyone" not in str(payload)
    text = "\n".join(message.content for message in messages)
    for number in range(1, len(answer.sources) + 1):
        assert f"**{number}. " in text


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=200).map(lambda s: s * 30))
def test_long_quotes_are_cut_at_a_word_with_an_ellipsis(quote: str) -> None:
    """A quote too long for a message ends with an ellipsis, never silently mid-word."""
    answer = Answer(question="q", status="answered", sources=(source(1, quote),))
    content = "\n".join(message.content for message in render_answer(answer))
    quoted = [line[2:] for line in content.splitlines() if line.startswith("> ")]
    escaped_whole = [escape(line) for line in quote.splitlines() if line.strip()]
    if quoted != escaped_whole:
        assert quoted[-1].endswith(ELLIPSIS)


def test_corpus_pages_fit_in_messages() -> None:
    """/sources pages: every document listed once, each page within a message's limit."""
    documents = [
        Document(id=f"d{i}", title=f"Document {i} " + "long words " * 20, text="t", url=f"https://e.com/{i}")
        for i in range(120)
    ]
    pages = [corpus_page(documents, page) for page in range(corpus_page_count(len(documents)))]
    assert len(pages) > 1
    assert all(len(page) <= 2000 for page in pages)
    assert all(page.startswith("**The corpus: 120 documents** — page ") for page in pages)
    listed = [line for page in pages for line in page.splitlines()[1:]]
    assert len(listed) == 120


def test_document_embed_within_limits() -> None:
    """/source: a huge document still renders one embed within every embed limit."""
    document = Document(
        id="big",
        title="T " * 400,
        text="@everyone **opening** line\n" * 2000,
        url="https://example.com/big",
        publisher="P " * 300,
        author="A",
        date="2023-06-09",
    )
    message = render_document(document)
    assert not payload_problems(as_payload(message))
    assert "@everyone" not in message.embeds[0].description  # type: ignore[operator]


def test_blank_metadata_is_left_out_of_the_document_embed() -> None:
    """A publisher, author or date of only spaces is no field at all: Discord refuses an empty field value
    (the whole /source reply would fail)."""
    document = Document(id="doc", title="T", text="Text.", publisher=" ", author="\u200b", date=" \t")
    [embed] = render_document(document).embeds
    assert [field["name"] for field in embed.to_dict()["fields"]] == ["Document id"]
    assert not payload_problems(as_payload(render_document(document)))
