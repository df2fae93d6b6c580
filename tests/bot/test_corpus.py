"""End to end: /sources (paginated with buttons), /source (with autocomplete) and /help."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.listing import Selection
from retrieval.answer import Answer
from retrieval.corpus.documents import Document
from retrieval.engine import Engine
from tests.bot.conftest import StartBot
from tests.bot.stubs import FixedAnswerEngine
from tests.discord_server import FakeDiscord
from tests.discord_server.checks import mention_problems, payload_problems
from tests.discord_server.payloads import JSON

pytestmark = pytest.mark.timeout(60)

NTH_ROOM = "ballerina-inspired-by-nth-room.md"


@pytest.fixture
def big_corpus(tmp_path: Path) -> Engine:
    """Eighty short articles: more than one page of /sources."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(80):
        (corpus / f"article-{n:02d}.md").write_text(
            f"---\ntitle: Article number {n} about films and **stories**\npublisher: Paper {n}\n"
            f"url: https://example.com/articles/{n}\n---\nArticle {n} says something about film {n}.\n",
            encoding="utf-8",
        )
    return Engine.from_path(corpus, cache_dir=tmp_path / "cache")


def selects(message: JSON) -> dict[str, JSON]:
    """The select menus on a message, by placeholder."""
    return {
        item["placeholder"]: item
        for row in message.get("components") or []
        for item in row.get("components") or []
        if item.get("type") == 3
    }


def buttons(message: JSON) -> dict[str, JSON]:
    """The buttons on a message, by label."""
    return {
        button["label"]: button
        for row in message.get("components") or []
        for button in row.get("components") or []
        if button.get("type") == 2
    }


async def test_sources_pages_through_the_corpus(
    start_bot: StartBot, discord_server: FakeDiscord, big_corpus: Engine
) -> None:
    """/sources: the count and titles with links, a page at a time; Next/Previous buttons turn the pages."""
    await start_bot(engine=big_corpus)
    record = await discord_server.slash("sources")
    [first] = await discord_server.replies(record)
    assert record.callback_type == 5 and record.ephemeral  # acknowledged at once, privately
    assert first["content"].startswith("**The corpus: 80 documents** — page 1/")
    total = int(first["content"].split("— page 1/")[1].split("\n")[0])
    assert total > 1
    message = discord_server.messages[record.original_message_id]  # type: ignore[index]
    assert buttons(message)["◀ Previous"].get("disabled") is True

    pages = [first["content"]]
    for page in range(2, total + 1):
        click = await discord_server.click(message, buttons(message)["Next ▶"]["custom_id"])
        callback = await discord_server.callback(click)
        assert callback["type"] == 7  # the same message, updated in place
        pages.append(callback["data"]["content"])
        assert pages[-1].startswith(f"**The corpus: 80 documents** — page {page}/{total}")
        message = discord_server.messages[int(message["id"])]
    assert buttons(message)["Next ▶"].get("disabled") is True

    back = await discord_server.click(message, buttons(message)["◀ Previous"]["custom_id"])
    assert (await discord_server.callback(back))["data"]["content"] == pages[-2]

    listed = [line for page in pages for line in page.splitlines()[1:]]
    assert len(listed) == 80 and len(set(listed)) == 80
    assert "<https://example.com/articles/0>" in listed[0] and "\\*\\*stories\\*\\*" in listed[0]
    for payload in discord_server.message_payloads():
        assert not payload_problems(payload) and not mention_problems(payload)


async def test_sources_pages_turn_after_a_restart(
    start_bot: StartBot, discord_server: FakeDiscord, big_corpus: Engine
) -> None:
    """The page buttons are persistent: after the bot restarts, Next on the old message still turns it."""
    first_run = await start_bot(engine=big_corpus)
    record = await discord_server.slash("sources")
    await discord_server.replies(record)
    message = discord_server.messages[record.original_message_id]  # type: ignore[index]
    await start_bot.stop(first_run)

    await start_bot(engine=big_corpus)  # a new process would hold no view: only the custom_id remains
    click = await discord_server.click(message, buttons(message)["Next ▶"]["custom_id"])
    callback = await discord_server.callback(click)
    assert callback["type"] == 7
    assert callback["data"]["content"].startswith("**The corpus: 80 documents** — page 2/")


@pytest.fixture
def thousands() -> FixedAnswerEngine:
    """3,000 documents with titles over every initial (and digits, and another script)."""
    initials = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1", "Ä", "발"]
    documents = [
        Document(id=f"doc-{n}", title=f"{initials[n % len(initials)]}title number {n:04d}", text="text")
        for n in range(3_000)
    ]
    return FixedAnswerEngine(Answer(question="", status="no_answer"), documents)


async def test_sources_of_thousands_by_initial_and_filter(
    start_bot: StartBot, discord_server: FakeDiscord, thousands: FixedAnswerEngine
) -> None:
    """3,000 documents: the initial menu lists titles starting with B, in title order; `filter:` searches
    titles; a one-letter filter is an initial; nothing matching says so."""
    await start_bot(engine=thousands)
    record = await discord_server.slash("sources")
    await discord_server.replies(record)
    message = discord_server.messages[record.original_message_id]  # type: ignore[index]
    menu = selects(message)["Titles starting with…"]
    values = [option["value"] for option in menu["options"]]
    assert values[0] == "all" and len(values) <= 25 and "#" in values and "~" in values
    b_group = next(value for value in values if "b" in Selection("i", value).buckets())
    letters = {letter.upper() for letter in Selection("i", b_group).buckets()}

    chosen = await discord_server.choose(message, menu["custom_id"], [b_group])
    page = (await discord_server.callback(chosen))["data"]["content"]
    heading, *lines = page.splitlines()
    assert heading.startswith("**The corpus: 3,000 documents** · ") and "titles starting with " in heading
    titles = [line.split("**")[1] for line in lines]
    assert titles == sorted(titles) and all(title[0] in letters for title in titles) and len(titles) == 8

    searched = await discord_server.slash("sources", filter="number 0042")
    [reply] = await discord_server.replies(searched)
    assert "1 titles containing “number 0042”" in reply["content"] and "title number 0042" in reply["content"]

    initial = await discord_server.slash("sources", filter="z")
    [reply] = await discord_server.replies(initial)
    z_titles = [line.split("**")[1] for line in reply["content"].splitlines()[1:]]
    assert z_titles and all(title.startswith("Z") for title in z_titles)

    nothing = await discord_server.slash("sources", filter="no such words")
    [reply] = await discord_server.replies(nothing)
    assert "No document matches" in reply["content"]
    for payload in discord_server.message_payloads():
        assert not payload_problems(payload), payload_problems(payload)


async def test_sources_on_the_default_corpus_is_one_page(bot: object, discord_server: FakeDiscord) -> None:
    """/sources on the two-article corpus: both titles, one page, no buttons."""
    record = await discord_server.slash("sources")
    [reply] = await discord_server.replies(record)
    assert reply["content"].startswith("**The corpus: 2 documents** — page 1/1")
    assert "A Riveting Korean Movie" in reply["content"] and "Based on a True Story" in reply["content"]
    assert not reply.get("components")


async def test_source_autocomplete_and_document(bot: object, discord_server: FakeDiscord) -> None:
    """/source: autocomplete offers matching titles; choosing one shows its citation and opening lines."""
    typing = await discord_server.autocomplete("source", "name", "riveting")
    await discord_server.callback(typing)
    assert typing.choices == [
        {"name": '"Ballerina": A Riveting Korean Movie Inspired by Real-Life Scandal!', "value": NTH_ROOM}
    ]
    empty = await discord_server.autocomplete("source", "name", "")
    await discord_server.callback(empty)
    assert len(empty.choices or []) == 2

    record = await discord_server.slash("source", name=NTH_ROOM)
    [reply] = await discord_server.replies(record)
    [embed] = reply["embeds"]
    assert embed["title"] == '"Ballerina": A Riveting Korean Movie Inspired by Real-Life Scandal!'
    assert embed["description"].startswith('> "Ballerina": A Riveting Korean Movie')
    assert "Korean cinema has a penchant" in embed["description"]
    assert {"name": "Document id", "value": NTH_ROOM, "inline": False} in embed["fields"]
    assert not payload_problems(reply) and not mention_problems(reply)


async def test_source_with_an_unknown_name(bot: object, discord_server: FakeDiscord) -> None:
    """/source with a name matching nothing: a private note pointing to the suggestions and /sources."""
    record = await discord_server.slash("source", name="no such article @everyone")
    [reply] = await discord_server.replies(record)
    assert record.ephemeral and "No document called" in reply["content"]
    assert "@everyone" not in reply["content"]


async def test_help_explains_in_a_few_lines(bot: object, discord_server: FakeDiscord) -> None:
    """/help: what the bot does and how it decides, privately, in a few lines."""
    record = await discord_server.slash("help")
    [reply] = await discord_server.replies(record)
    assert record.ephemeral
    assert len(reply["content"].splitlines()) <= 8
    for words in ("verbatim", "conflict", "no source covers it", "/ask", "Check sources"):
        assert words in reply["content"]
