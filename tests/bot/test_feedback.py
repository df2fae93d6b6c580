"""Feedback end to end: buttons under an answer, the SQLite rows they leave, a restart, `citebot feedback`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import DAY_SECONDS, SECRET_NAME, Store
from tests.bot.conftest import Ran, StartBot, run_citebot
from tests.discord_server import FakeDiscord
from tests.discord_server.checks import payload_problems
from tests.discord_server.payloads import EPHEMERAL, JSON

pytestmark = pytest.mark.timeout(90)

QUESTION = "Is Ballerina based on a true story?"


def components(message: JSON) -> dict[str, JSON]:
    """Buttons by emoji or label, select menus by placeholder."""
    found = {}
    for row in message.get("components") or []:
        for item in row.get("components") or []:
            name = item.get("placeholder") or item.get("label") or (item.get("emoji") or {}).get("name")
            found[name] = item
    return found


async def answered(server: FakeDiscord, question: str = QUESTION, **options: object) -> JSON:
    """Ask; return the last message of the answer (where the buttons are) as the server holds it."""
    record = await server.slash("ask", question=question, **options)
    await server.wait_for(
        lambda: any(components(message) for message in server.messages_of(record)), what="the buttons"
    )
    return server.messages_of(record)[-1]


def rows(database: Path, sql: str) -> list[tuple]:
    """Read the bot's SQLite file directly, as a maintainer would."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


async def test_votes_are_stored_and_work_after_a_restart(
    start_bot: StartBot, discord_server: FakeDiscord, database: Path
) -> None:
    """👍 is acknowledged at once and privately and stored with time, answer, choice and a keyed user id;
    after a restart, 👎 on the same old message still works and lands in the same SQLite file."""
    first_run = await start_bot()
    message = await answered(discord_server)
    buttons = components(message)
    assert {"👍", "👎", "Follow up in a thread", "Report a problem…"} <= buttons.keys()
    voter = discord_server.new_user("voter")
    click = await discord_server.click(message, buttons["👍"]["custom_id"], user=voter)
    callback = await discord_server.callback(click)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "👍 is recorded" in callback["data"]["content"]
    assert click.acknowledgement_seconds is not None and click.acknowledgement_seconds < 3

    await start_bot.stop(first_run)
    await start_bot()
    again = await discord_server.click(message, buttons["👎"]["custom_id"], user=voter)
    assert "👎 is recorded" in (await discord_server.callback(again))["data"]["content"]

    [(question, corpus, stored_answer)] = rows(database, "SELECT question, corpus, answer FROM answers")
    assert question == QUESTION and corpus == "default"
    assert json.loads(stored_answer)["question"] == QUESTION
    clicks = rows(database, "SELECT answer_key, choice, user_key, at FROM feedback ORDER BY id")
    assert [choice for _, choice, _, _ in clicks] == ["up", "down"]
    assert all(key == buttons["👍"]["custom_id"].rsplit(":", 1)[1] for key, _, _, _ in clicks)
    user_key = clicks[0][2]
    assert clicks[1][2] == user_key  # the same user, recognised across the restart
    assert voter["id"] not in user_key and user_key != hashlib.sha256(voter["id"].encode()).hexdigest()
    assert clicks[0][3] <= clicks[1][3]
    assert rows(database, "PRAGMA journal_mode") == [("wal",)]
    secret = database.parent / SECRET_NAME
    assert secret.stat().st_mode & 0o777 == 0o600 and database.stat().st_mode & 0o777 == 0o600


async def test_report_menu_stores_the_reason(
    bot: object, discord_server: FakeDiscord, database: Path
) -> None:
    """ "Report a problem…" → "Wrong stance": acknowledged privately and stored as that choice."""
    message = await answered(discord_server)
    menu = components(message)["Report a problem…"]
    assert [option["value"] for option in menu["options"]] == [
        "wrong_quote",
        "wrong_stance",
        "should_not_answer",
    ]
    record = await discord_server.choose(message, menu["custom_id"], ["wrong_stance"])
    callback = await discord_server.callback(record)
    assert callback["data"]["flags"] & EPHEMERAL and "wrong stance" in callback["data"]["content"]
    assert rows(database, "SELECT choice FROM feedback") == [("wrong_stance",)]


async def test_private_answers_and_dms_carry_feedback_but_no_thread_button(
    bot: object, discord_server: FakeDiscord
) -> None:
    """A private answer and a DM answer can be rated; neither offers a thread (nobody else could join it)."""
    private = await answered(discord_server, private=True)
    assert "👍" in components(private) and "Follow up in a thread" not in components(private)
    user = discord_server.new_user("dm-voter")
    channel_id = await discord_server.direct_message(user, QUESTION)
    posts = discord_server.channel_posts[channel_id]
    await discord_server.wait_for(lambda: posts and components(posts[-1]), what="the buttons in the DM")
    post = posts[-1]
    assert "👍" in components(post) and "Follow up in a thread" not in components(post)
    assert not payload_problems(post)


async def test_an_unknown_answer_key_gets_a_clear_reply(
    bot: object, discord_server: FakeDiscord, database: Path
) -> None:
    """A vote on an answer the database no longer holds (dropped as too old) says so; nothing is stored."""
    message = await answered(discord_server)
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM answers")
    click = await discord_server.click(message, components(message)["👍"]["custom_id"])
    assert "can no longer be rated" in (await discord_server.callback(click))["data"]["content"]
    assert rows(database, "SELECT count(*) FROM feedback") == [(0,)]


async def test_feedback_command_reports_exports_and_forgets(
    start_bot: StartBot,
    discord_server: FakeDiscord,
    database: Path,
    citebot: Callable[..., Ran],
) -> None:
    """`citebot feedback` counts votes (latest per user), lists the most down-voted questions; `--json`
    exports each click with its answer; `--forget USER_ID` deletes that user's records; a malformed
    or contradictory option is one line, exit 2, and changes nothing."""
    await start_bot()
    worst = await answered(discord_server, "Who directed Ballerina?")
    fine = await answered(discord_server, QUESTION)
    critics = [discord_server.new_user(f"critic-{n}") for n in range(3)]
    for critic in critics:
        click = await discord_server.click(worst, components(worst)["👎"]["custom_id"], user=critic)
        await discord_server.callback(click)
    await discord_server.callback(
        await discord_server.click(fine, components(fine)["👍"]["custom_id"], user=critics[0])
    )
    env = {"CITEBOT_DB": str(database)}
    summary = run_citebot("feedback", env=env)  # once as a user runs it, in a process of its own
    assert summary.returncode == 0, summary.stderr
    assert "2 answers sent, 4 clicks" in summary.stdout and "👍 1   👎 3" in summary.stdout
    worst_line = summary.stdout.split("Most down-voted questions:\n")[1].splitlines()[0]
    assert worst_line.split() == ["3", "👎", "Who", "directed", "Ballerina?", "[default]"]

    exported = citebot("feedback", "--json", "--since", "2000-01-01", env=env)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert (
        exported.returncode == 0
        and len(records) == 4
        and {record["choice"] for record in records} == {"up", "down"}
    )
    assert all(record["answer"]["question"] == record["question"] for record in records)
    assert all(critic["id"] not in exported.stdout for critic in critics)
    later = citebot("feedback", "--json", "--since", "2999-01-01", env=env)
    assert (later.returncode, later.stdout) == (0, "")

    forgotten = citebot("feedback", "--forget", critics[0]["id"], env=env)
    assert forgotten.returncode == 0 and "2 clicks" in forgotten.stdout
    assert rows(database, "SELECT count(*) FROM feedback") == [(2,)]

    for wrong, says in [
        (["--since", "last tuesday"], "not a date"),
        (["--forget", critics[1]["id"], "--json"], "not allowed with argument --forget"),
        (["--forget", critics[1]["id"], "--since", "2000-01-01"], "--since does not apply"),
    ]:
        refused = citebot("feedback", *wrong, env=env)
        [line] = refused.stderr.strip().splitlines()
        assert refused.returncode == 2 and says in line, line
    assert rows(database, "SELECT count(*) FROM feedback") == [(2,)]  # nothing forgotten by a refused command


def test_feedback_command_without_a_database(tmp_path: Path, citebot: Callable[..., Ran]) -> None:
    """No database yet: one line saying so, exit 0, and no database created by reading."""
    env = {"CITEBOT_DB": str(tmp_path / "none" / "citebot.sqlite3")}
    result = citebot("feedback", env=env)
    assert result.returncode == 0 and "No feedback recorded yet" in result.stdout
    assert citebot("feedback", "--forget", "123", env=env).returncode == 0
    assert not (tmp_path / "none" / "citebot.sqlite3").exists()


async def test_an_answer_that_cannot_be_stored_still_goes_out_without_buttons(
    bot: object, discord_server: FakeDiscord, database: Path
) -> None:
    """The database refuses the answer (here its table is gone): the answer is still posted, in full,
    without buttons that would rate nothing."""
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TABLE answers")
    record = await discord_server.slash("ask", question=QUESTION)
    [reply] = await discord_server.replies(record)
    assert reply["content"].startswith("⚠️ **The sources disagree**")
    await discord_server.wait_for(lambda: record.followups, what="the rest of the answer")
    assert not any(components(message) for message in discord_server.messages_of(record))


async def test_records_older_than_the_retention_are_dropped_when_the_bot_starts(
    start_bot: StartBot, discord_server: FakeDiscord, database: Path
) -> None:
    """CITEBOT_FEEDBACK_DAYS: an answer and a click older than that are gone once the bot has started
    (it prunes at start, then daily); a recent one stays."""
    store = Store(database)
    old = time.time() - 31 * DAY_SECONDS
    for key, at in (("old", old), ("recent", None)):
        store.record_answer(key, kind="question", question="Q?", answer={}, asked_by=1, at=at)
        store.record_feedback(key, "up", 2, at=at)
    store.close()
    await start_bot(feedback_days=30.0)
    async with asyncio.timeout(10):  # the prune runs in the background as the bot starts
        while rows(database, "SELECT key FROM answers") != [("recent",)]:
            await asyncio.sleep(0.05)
    assert rows(database, "SELECT answer_key FROM feedback") == [("recent",)]
