"""Live corpora in the bot: /reload, the file watcher, and questions answered throughout a reload."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.app import open_corpora
from bot.corpora import Corpora
from bot.render_discord import render_answer
from bot.settings import Settings
from tests.bot.conftest import StartBot
from tests.conftest import DEFAULT_CORPUS
from tests.discord_server import FakeDiscord, InteractionRecord
from tests.discord_server.payloads import EPHEMERAL

pytestmark = pytest.mark.timeout(90)

OWLS = (
    "---\ntitle: Owls of the tundra\n---\n"
    "The snowy owl hunts lemmings across the Arctic tundra in daylight.\n"
)
OWL_QUESTION = "What does the snowy owl hunt?"
MANAGE_GUILD = 1 << 5


@pytest.fixture
def films(tmp_path: Path) -> Path:
    """A copy of the default corpus, plus filler articles so an update takes a moment."""
    corpus = tmp_path / "films"
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".*"))
    for n in range(60):
        (corpus / f"filler-{n:02d}.md").write_text(
            f"---\ntitle: Notes {n}\n---\nFiller note {n} about cinema schedules and ticket prices.\n",
            encoding="utf-8",
        )
    return corpus


def live_corpora(corpus: Path, tmp_path: Path) -> Corpora:
    return open_corpora(Settings(corpus=corpus, cache_dir=tmp_path / "cache"))


async def test_reload_is_for_server_managers_in_servers_only(
    start_bot: StartBot, discord_server: FakeDiscord
) -> None:
    """/reload is registered with Manage Server as its default permission, guild install, guild context."""
    await start_bot(guild_ids=())
    [reload] = [command for command in discord_server.commands[None] if command["name"] == "reload"]
    assert int(reload["default_member_permissions"]) == MANAGE_GUILD
    assert reload["integration_types"] == [0] and reload["contexts"] == [0]


async def test_questions_throughout_a_reload_are_all_answered_from_the_old_or_new_index(
    start_bot: StartBot, discord_server: FakeDiscord, films: Path, tmp_path: Path
) -> None:
    """Questions keep coming while an article is added and /reload runs: every one is answered, each
    exactly as the old index or the new one answers it; /reload names the corpus and what changed; the
    questions asked after it are answered from the new index."""
    corpora = live_corpora(films, tmp_path)
    live = corpora.get("default")
    bot = await start_bot(corpora=corpora)
    reloading = bot.get_cog("Reload")
    for watcher in reloading.watchers:  # this test reloads by hand; the watcher has a test of its own
        watcher.cancel()
    old = render_answer(live.engine.ask(OWL_QUESTION))[0].content

    asked: list[InteractionRecord] = []
    done = asyncio.Event()

    async def keep_asking() -> None:
        while not done.is_set():
            asked.append(
                await discord_server.slash("ask", question=OWL_QUESTION, user=discord_server.new_user("q"))
            )
            await asyncio.sleep(0.02)

    asker = asyncio.create_task(keep_asking())
    await asyncio.sleep(0.3)
    (films / "owls.md").write_text(OWLS, encoding="utf-8")
    reload = await discord_server.slash("reload")
    [report] = await discord_server.replies(reload, timeout=60)
    after_reload = len(asked)
    await asyncio.sleep(0.3)
    done.set()
    await asker

    new = render_answer(live.engine.ask(OWL_QUESTION))[0].content
    assert new != old and "snowy owl hunts lemmings" in new
    assert reload.callback is not None and reload.callback["data"]["flags"] & EPHEMERAL
    assert report["content"].startswith(
        "🔄 Reloaded the corpus **default**: 1 added (owls.md); now 63 documents"
    )

    await discord_server.wait_for(
        lambda: all(record.original is not None for record in asked), timeout=60, what="every answer"
    )
    answers = [record.original["content"] for record in asked]  # type: ignore[index]
    assert set(answers) <= {old, new}, "an answer from neither index"
    assert answers[0] == old and answers[-1] == new
    assert all(answer == new for answer in answers[after_reload + 1 :])  # asked once the reload had finished
    print(
        f"\n[reload] {len(asked)} questions around a reload: {answers.count(old)} old, "
        f"{answers.count(new)} new, none lost"
    )


async def test_the_watcher_picks_up_a_new_article(
    start_bot: StartBot, discord_server: FakeDiscord, films: Path, tmp_path: Path
) -> None:
    """Without /reload: an article saved into the corpus folder is answered from within seconds."""
    await start_bot(corpora=live_corpora(films, tmp_path))
    (films / "owls.md").write_text(OWLS, encoding="utf-8")

    async def answered_from_new() -> bool:
        record = await discord_server.slash("ask", question=OWL_QUESTION)
        [reply] = await discord_server.replies(record)
        return "snowy owl hunts lemmings" in reply["content"]

    async with asyncio.timeout(20):
        while not await answered_from_new():
            await asyncio.sleep(0.2)


async def test_reload_of_a_broken_corpus_keeps_the_old_index(
    start_bot: StartBot, discord_server: FakeDiscord, films: Path, tmp_path: Path
) -> None:
    """The corpus folder removed: /reload says it could not, the previous index keeps answering."""
    corpora = live_corpora(films, tmp_path)
    bot = await start_bot(corpora=corpora)
    for watcher in bot.get_cog("Reload").watchers:
        watcher.cancel()
    shutil.rmtree(films)
    reload = await discord_server.slash("reload")
    [report] = await discord_server.replies(reload, timeout=30)
    assert report["content"].startswith("⚠️ Could not reload the corpus **default**:")
    assert report["content"].endswith("The previous index keeps answering.")
    record = await discord_server.slash("ask", question="Is Ballerina based on a true story?")
    [reply] = await discord_server.replies(record)
    assert "The sources disagree" in reply["content"]
