"""End to end: /ask, direct messages and "Check sources", with the real client on the test server."""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from pathlib import Path

import pytest

from bot import render_discord
from bot.render_discord import ELLIPSIS, render_answer
from retrieval.answer import Answer, Conflict, Quote, SourceEvidence
from retrieval.engine import Engine
from tests.bot.conftest import StartBot
from tests.bot.stubs import FixedAnswerEngine
from tests.discord_server import FakeDiscord, InteractionRecord
from tests.discord_server.checks import mention_problems, payload_problems
from tests.discord_server.payloads import EPHEMERAL, JSON

pytestmark = pytest.mark.timeout(90)

QUESTION = "Is Ballerina based on a true story?"
TRUE_STORY = "ballerina-not-based-on-true-story.md"
NTH_ROOM = "ballerina-inspired-by-nth-room.md"


def expected(engine: Engine, question: str, kind: str = "question") -> list[str]:
    return [message.content for message in render_answer(engine.ask(question), kind=kind)]  # type: ignore[arg-type]


async def test_ask_in_a_guild_posts_the_answer(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """/ask in a guild: deferred at once, then the answer (the Answer `citebot ask` shows) in the channel."""
    record = await discord_server.slash("ask", question=QUESTION)
    [reply] = await discord_server.replies(record)
    assert record.callback == {"type": 5}  # deferred publicly ("thinking"), not ephemeral
    assert reply["content"] == expected(default_engine, QUESTION)[0]
    assert "It is imperative to stress that “Ballerina” is not based on real-life events" in str(
        record.replies
    )


async def test_private_ask_is_ephemeral(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """/ask private:True: the deferral and every follow-up are ephemeral (only the asker sees them)."""
    record = await discord_server.slash("ask", question=QUESTION, private=True)
    replies = await discord_server.replies(record, len(expected(default_engine, QUESTION)))
    assert record.callback is not None and record.callback["data"]["flags"] & EPHEMERAL
    assert all(int(reply.get("flags") or 0) & EPHEMERAL for reply in record.followups)
    assert replies[0]["content"] == expected(default_engine, QUESTION)[0]


async def test_direct_message_is_answered_in_the_dm(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """A DM to the bot is a question; the answer is posted back in that DM channel."""
    user = discord_server.new_user("dm-user")
    channel_id = await discord_server.direct_message(user, QUESTION)
    wanted = expected(default_engine, QUESTION)
    posts = await discord_server.posts(channel_id, len(wanted))
    assert [post["content"] for post in posts] == wanted
    assert channel_id in discord_server.typing  # the user sees "citebot is typing…" meanwhile


async def test_check_sources_on_a_message(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """Right-click → Apps → Check sources: the message's text is the claim; each source's quote comes back."""
    claim = "Ballerina is based on a true story."
    target = discord_server.guild_message(claim)
    record = await discord_server.message_command("Check sources", target)
    wanted = expected(default_engine, claim, kind="claim")
    replies = await discord_server.replies(record, len(wanted))
    assert [reply.get("content") for reply in replies] == wanted
    assert "on this claim:" in replies[0]["content"]
    text = str(replies)
    assert "not based on real-life events" in text and "Nth Room Case" in text


async def test_disagreement_is_named_first_and_both_articles_quoted(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """The disagreement question: the opening line names it; both articles are quoted side by side."""
    answer = default_engine.ask(QUESTION)
    record = await discord_server.slash("ask", question=QUESTION)
    replies = await discord_server.replies(record, len(render_answer(answer)))
    if not answer.disagreement:
        pytest.fail(f"the engine does not report the disagreement on {QUESTION!r}: {answer.to_dict()}")
    first = replies[0]
    assert first["content"].splitlines()[0].startswith("⚠️ **The sources disagree**")
    [conflict] = first["embeds"]
    names = [field["name"] for field in conflict["fields"]]
    assert any("Inspired by Real-Life Scandal" in name for name in names)
    assert any("Based on a True Story" in name for name in names)
    assert all(field["inline"] for field in conflict["fields"])
    values = " ".join(field["value"] for field in conflict["fields"])
    assert "Nth Room Case" in values and "not based on real-life events" in values
    later = "\n".join(reply.get("content") or "" for reply in replies[1:])
    assert "*Stance:* refutes the claim" in later and "*Stance:* supports the claim" in later


@pytest.fixture
def mischief_corpus(tmp_path: Path, discord_server: FakeDiscord) -> Engine:
    """A corpus whose article pings @everyone and a role and is full of markdown."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    role = discord_server.role_id
    (corpus / "mischief.md").write_text(
        "---\n"
        f'title: "**Pinged** @everyone <@&{role}> notice"\n'
        f'publisher: "@here Daily <@&{role}>"\n'
        "url: https://example.com/mischief_page\n"
        "---\n"
        f"Moderators notice. The moderators told @everyone and <@&{role}> and @here that **Ballerina** is a "
        "__fictional__ film, with `code`, ||spoilers||, ~~strikes~~ and > quotes.\n\n"
        "# A heading\n- a list item about Ballerina\n",
        encoding="utf-8",
    )
    (corpus / "other.md").write_text("---\ntitle: Other\n---\nGardening tips for spring.\n", encoding="utf-8")
    return Engine.from_path(corpus, cache_dir=tmp_path / "cache")


async def test_mentions_and_markdown_are_neutralised(
    start_bot: StartBot, discord_server: FakeDiscord, mischief_corpus: Engine
) -> None:
    """@everyone, a role mention and markdown in the question and the corpus: nothing pings, text escaped."""
    await start_bot(engine=mischief_corpus)
    role = discord_server.role_id
    question = f"@everyone <@&{role}> did the moderators say **Ballerina** is a __fictional__ film?"
    record = await discord_server.slash("ask", question=question)
    user = discord_server.new_user("dm-mischief")
    channel_id = await discord_server.direct_message(user, question)
    replies = await discord_server.replies(record)
    await discord_server.posts(channel_id)
    payloads = discord_server.message_payloads()
    assert len(payloads) >= 2
    for payload in payloads:
        assert not mention_problems(payload), payload
        text = str(payload)
        assert "@everyone" not in text and "@here" not in text
        assert not re.search(r"<@&?\d", text), text
    content = replies[0]["content"]
    assert "The moderators told" in content  # the article was quoted …
    assert "\\*\\*Ballerina\\*\\*" in content and "\\_\\_fictional\\_\\_" in content  # … escaped
    assert "\\`code\\`" in content and "\\|\\|spoilers\\|\\|" in content
    assert "@\u200beveryone" in content  # escaped with discord.utils, still readable


def huge_answer() -> Answer:
    """More text than any Discord message can hold: many sources, long quotes, titles, links, conflicts."""
    filler = "A **bold** claim about @everyone and Ballerina, with __markdown__ > and words. " * 60
    sources = tuple(
        SourceEvidence(
            id=f"doc-{n}",
            title=f"Source {n}: " + "a very long title with *stars* " * 20,
            url=f"https://example.com/{n}/" + "path_segment/" * 20,
            publisher="Publisher " * 20,
            author="Author " * 20,
            score=1.0 / n,
            quotes=tuple(Quote(f"Quote {n}.{q} " + filler, 0, 10) for q in range(1, 5)),
            stance=("supports", "refutes", "discusses")[n % 3],  # type: ignore[arg-type]
        )
        for n in range(1, 11)
    )
    conflicts = tuple(
        Conflict(
            (f"doc-{n}", f"doc-{n + 1}"),
            (Quote(filler, 0, len(filler)), Quote(filler, 0, len(filler))),
            "they cannot both be true " * 20,
        )
        for n in range(1, 10)
    )
    return Answer(
        question=QUESTION, status="answered", sources=sources, disagreement=True, conflicts=conflicts
    )


async def test_a_very_long_answer_stays_within_discords_limits(
    start_bot: StartBot, discord_server: FakeDiscord
) -> None:
    """A very long answer is split at source boundaries: every message within every limit, nothing refused."""
    engine = FixedAnswerEngine(huge_answer())
    await start_bot(engine=engine)
    wanted = render_answer(engine.ask(QUESTION))
    assert len(wanted) > 5
    record = await discord_server.slash("ask", question=QUESTION)
    replies = await discord_server.replies(record, len(wanted), timeout=30)
    await asyncio.sleep(0.2)  # nothing more arrives
    assert len(record.replies) == len(wanted)
    assert discord_server.rejected == []
    for reply in replies:
        assert not payload_problems(reply), payload_problems(reply)
    text = "\n".join(reply.get("content") or "" for reply in replies)
    for n in range(1, 11):
        assert f"**{n}. [Source {n}:" in text  # every source, in its own block
    # Every quote line is whole or visibly cut: a cut quote ends with an ellipsis.
    for line in text.splitlines():
        if line.startswith("> Quote"):
            assert line.endswith(("words. ", "words.", ELLIPSIS)), line[-40:]


async def test_two_hundred_concurrent_asks_and_clicks(
    start_bot: StartBot,
    discord_server: FakeDiscord,
    default_engine: Engine,
    database: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """200 /ask at once, and a 👍 on each answer as soon as it shows: every reply and every click arrives,
    none lost, each acknowledged within 3 s; heartbeats keep going; one SQLite row per click."""
    discord_server.heartbeat_interval_ms = 500  # short, so a blocked event loop would show as a gap
    await start_bot(cooldown_seconds=5.0)  # the real cooldown: it is per user, so 200 users all get through
    users = [discord_server.new_user(f"user-{n}") for n in range(200)]
    questions = [QUESTION, "Is Ballerina inspired by the Nth Room case?", "Who directed Ballerina?"]

    async def vote(record: InteractionRecord, user: JSON) -> InteractionRecord:
        def last_with_buttons() -> JSON | None:
            messages = discord_server.messages_of(record)
            return messages[-1] if messages and messages[-1].get("components") else None

        message = await discord_server.wait_for(last_with_buttons, timeout=60, what="an answer's buttons")
        custom_id = next(
            item["custom_id"]
            for row in message["components"]
            for item in row["components"]
            if (item.get("emoji") or {}).get("name") == "👍"
        )
        return await discord_server.click(message, custom_id, user=user)

    started = discord_server.now
    records = await asyncio.gather(
        *(discord_server.slash("ask", question=questions[n % 3], user=user) for n, user in enumerate(users))
    )
    clicks = await asyncio.gather(*(vote(record, user) for record, user in zip(records, users, strict=True)))
    await discord_server.wait_for(
        lambda: all(click.callback is not None for click in clicks),
        timeout=60,
        what="200 click acknowledgements",
    )
    elapsed = discord_server.now - started
    received = sum(1 for record in records if record.original is not None)
    acknowledged = sum(1 for click in clicks if click.callback is not None)
    ask_acks = [record.acknowledgement_seconds for record in records]
    click_acks = [click.acknowledgement_seconds for click in clicks]
    slowest_ask = max(ack for ack in ask_acks if ack is not None)
    slowest_click = max(ack for ack in click_acks if ack is not None)
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT count(*) FROM feedback").fetchone()[0]
    # The longest time without a heartbeat from the last one before the burst until now.
    before = [beat for beat in discord_server.heartbeats if beat < started][-1:]
    beats = before + [beat for beat in discord_server.heartbeats if beat >= started] + [discord_server.now]
    gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
    slowest = max(slowest_ask, slowest_click)
    with capsys.disabled():
        print(
            f"\n[concurrency] replies received: {received} of {len(records)} /ask sent, {acknowledged} of "
            f"{len(clicks)} clicks acknowledged; slowest acknowledgement {slowest * 1000:.0f} ms (/ask "
            f"{slowest_ask * 1000:.0f} ms, click {slowest_click * 1000:.0f} ms); SQLite feedback rows "
            f"{stored} for {len(clicks)} clicks; all done in {elapsed:.2f} s; longest heartbeat gap "
            f"{max(gaps, default=0) * 1000:.0f} ms (interval 500 ms)"
        )
    assert received == len(records) == 200 and acknowledged == len(clicks) == 200
    assert all(ack is not None and ack < 3.0 for ack in ask_acks + click_acks)
    assert all(record.callback == {"type": 5} for record in records)
    assert all("👍 is recorded" in click.callback["data"]["content"] for click in clicks)  # type: ignore[index]
    assert stored == 200
    # Each reply arrived exactly once, with the right answer for its question.
    assert len(discord_server.successful("edit_original")) == 200
    wanted = {question: expected(default_engine, question)[0] for question in questions}
    for n, record in enumerate(records):
        assert record.original is not None and record.original["content"] == wanted[questions[n % 3]]
    # The event loop kept beating through the burst. The bound is Discord's 3 s to acknowledge, not
    # the interval: on a machine shared with other work a process can wait a second or more for a core.
    assert max(gaps, default=0) < 3.0


@pytest.mark.parametrize(
    ("question", "reply_says"),
    [
        ("", "The question is empty"),
        (
            "Is Ballerina a true story? " * 800,
            "The question is too long (21,599 characters; the limit is 1,000)",
        ),
        ("\u200b\u200c\u200d\u2060\ufeff", "The question is empty"),
    ],
    ids=["empty", "20000-characters", "zero-width"],
)
async def test_unanswerable_questions_get_a_clear_private_reply(
    bot: object, discord_server: FakeDiscord, question: str, reply_says: str
) -> None:
    """Empty, 20,000-character and zero-width-only questions: an immediate, private, clear reply."""
    record = await discord_server.slash("ask", question=question)
    [reply] = await discord_server.replies(record)
    assert record.callback is not None and record.callback["type"] == 4 and record.ephemeral
    assert reply["content"].startswith(f"⚠️ {reply_says}")


async def test_right_to_left_questions_get_a_clear_reply(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """A question behind a right-to-left override is answered, the override not echoed; Arabic is answered."""
    record = await discord_server.slash("ask", question="\u202e" + QUESTION)
    [reply] = await discord_server.replies(record)
    assert "\u202e" not in reply["content"]
    assert QUESTION in reply["content"].splitlines()[0]
    arabic = "هل فيلم باليرينا مبني على قصة حقيقية؟"
    record = await discord_server.slash("ask", question=arabic)
    [reply] = await discord_server.replies(record)
    assert reply["content"] == expected(default_engine, arabic)[0]
    assert f"\u2068{arabic}\u2069" in reply["content"]  # isolated, so it cannot reorder the line


async def test_a_long_dm_gets_a_clear_reply(bot: object, discord_server: FakeDiscord) -> None:
    """A 20,000-character DM: a one-line reply saying it is too long, in the DM."""
    user = discord_server.new_user("long-dm")
    channel_id = await discord_server.direct_message(user, "x" * 20_000)
    [post] = await discord_server.posts(channel_id)
    assert post["content"].startswith("⚠️ The question is too long (20,000 characters; the limit is 1,000)")


async def test_cooldown_is_per_user_and_says_when(start_bot: StartBot, discord_server: FakeDiscord) -> None:
    """A second question within the cooldown: a clear private "wait N seconds"; other users unaffected."""
    await start_bot(cooldown_seconds=30.0)
    first = await discord_server.slash("ask", question=QUESTION)
    await discord_server.replies(first)
    again = await discord_server.slash("ask", question=QUESTION)
    [reply] = await discord_server.replies(again)
    assert again.ephemeral and re.fullmatch(
        r"⏳ Slow down a little: you can ask again in \d+ seconds\.", reply["content"]
    )
    other = await discord_server.slash("ask", question=QUESTION, user=discord_server.new_user("other"))
    await discord_server.replies(other)
    assert other.callback == {"type": 5}


async def test_a_long_claim_is_checked_on_its_first_thousand_characters(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """Check sources on a 3,000-character message: checked on its first 1,000 characters, cut at the end of
    a sentence, and the reply says it was shortened."""
    sentence = "Ballerina is based on a true story about the Nth Room case in South Korea. "
    claim = sentence * 41
    assert len(claim) > 3_000
    target = discord_server.guild_message(claim)
    record = await discord_server.message_command("Check sources", target)
    [reply] = await discord_server.replies(record)
    notice, headline = reply["content"].splitlines()[:2]
    assert notice == "*The message is long: only its first 1,000 characters were checked.*"
    checked = (sentence * 13).strip()  # the whole sentences within 1,000 characters
    assert len(checked) <= 1_000 < len(checked) + len(sentence)
    assert headline.endswith("this claim: \u2068" + render_discord.heading_text(checked, 300) + "\u2069")


@pytest.mark.parametrize("content", ["@everyone", "** __ ~~ ||", "<@&123456789012345678>"])
async def test_a_claim_with_no_text_is_never_called_a_question(
    bot: object, discord_server: FakeDiscord, content: str
) -> None:
    """A message with nothing to check once mentions and markdown are removed: a private note about the
    message, which never calls it a question."""
    record = await discord_server.message_command("Check sources", discord_server.guild_message(content))
    [reply] = await discord_server.replies(record)
    assert record.ephemeral and reply["content"] == "⚠️ That message has no text to check against the sources."


@pytest.fixture
def linked_corpus(tmp_path: Path) -> Engine:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.md").write_text(
        "---\ntitle: A [review] of Ballerina\npublisher: Film Weekly\ndate: 2023-10-06\n"
        "url: https://films.example.org/reviews/ballerina_(2023)\n---\n"
        "The director of Ballerina, Lee Chung-hyun, stages every fight with care.\n",
        encoding="utf-8",
    )
    return Engine.from_path(corpus, cache_dir=tmp_path / "cache")


async def test_citations_link_to_the_quote(
    start_bot: StartBot, discord_server: FakeDiscord, linked_corpus: Engine
) -> None:
    """A source with a link: its title is a masked link (no preview) to the page scrolled to the quoted
    words, the link's real host beside it, then publisher and date."""
    await start_bot(engine=linked_corpus)
    record = await discord_server.slash("ask", question="Who is the director of Ballerina?")
    [reply] = await discord_server.replies(record)
    citation = next(line for line in reply["content"].splitlines() if line.startswith("**1. "))
    assert citation == (
        "**1. [A \\[review\\] of Ballerina](<https://films.example.org/reviews/ballerina_%282023%29"
        "#:~:text=The%20director%20of%20Ballerina%2C,every%20fight%20with%20care.>)**"
        " · films.example.org · Film Weekly · 2023-10-06"
    )
