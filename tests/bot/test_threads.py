"""Follow-ups in threads, end to end: the thread button, /ask and mentions in the thread, a restart."""

from __future__ import annotations

import asyncio

import pytest

from bot.render_discord import render_answer
from retrieval.engine import Engine
from tests.bot.conftest import StartBot
from tests.bot.test_feedback import answered, components
from tests.discord_server import FakeDiscord
from tests.discord_server.checks import mention_problems, payload_problems
from tests.discord_server.payloads import EPHEMERAL
from tests.discord_server.server import ADMINISTRATOR, READ_MESSAGE_HISTORY

pytestmark = pytest.mark.timeout(90)

QUESTION = "Is Ballerina based on a true story?"


async def open_thread(server: FakeDiscord) -> int:
    """Ask in the channel, click "Follow up in a thread"; return the thread's id."""
    message = await answered(server, QUESTION)
    click = await server.click(message, components(message)["Follow up in a thread"]["custom_id"])
    [note] = await server.replies(click)
    assert click.callback_type == 5 and click.ephemeral  # acknowledged at once, privately
    thread_id = int(message["id"])  # Discord gives a thread started from a message that message's id
    assert note["content"] == (
        f"🧵 Thread opened: <#{thread_id}>. Ask follow-ups there with `/ask` or by mentioning me."
    )
    assert server.threads[thread_id]["name"] == QUESTION
    return thread_id


async def test_follow_up_in_a_thread_borrows_the_subject(
    start_bot: StartBot, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """In the bot's thread, "Who directed it?" is asked as "Who directed Ballerina?": the reply says so and is
    that question's answer; after a restart (the thread is remembered in SQLite) "Who is Choi Pro in it?"
    is read with the subject too, and quotes who plays him."""
    first_run = await start_bot()
    thread_id = await open_thread(discord_server)
    [intro] = await discord_server.posts(thread_id)
    assert "Follow-ups to" in intro["content"] and QUESTION in intro["content"]

    record = await discord_server.slash("ask", question="Who directed it?", where={"channel_id": thread_id})
    [reply] = await discord_server.replies(record)
    understood, answer = reply["content"].split("\n", 1)
    assert understood == "*Understood as:* \u2068Who directed Ballerina?\u2069"
    assert answer == render_answer(default_engine.ask("Who directed Ballerina?"))[0].content

    await start_bot.stop(first_run)
    await start_bot()
    again = await discord_server.slash(
        "ask", question="Who plays Choi Pro in it?", where={"channel_id": thread_id}
    )
    [reply] = await discord_server.replies(again)
    assert reply["content"].startswith("*Understood as:* \u2068Who plays Choi Pro in Ballerina?\u2069")


async def test_a_mention_in_the_thread_is_a_follow_up(bot: object, discord_server: FakeDiscord) -> None:
    """A message mentioning the bot in its thread is answered there, as a reply, with the borrowed subject;
    messages that do not mention it, and mentions outside its threads, get no reply."""
    thread_id = await open_thread(discord_server)
    await discord_server.posts(thread_id)  # the intro
    await discord_server.chatter(thread_id)
    await discord_server.mention(discord_server.channel_id, "who directed it?")
    question = await discord_server.mention(thread_id, "Who directed it?")
    posts = discord_server.channel_posts[thread_id]
    await discord_server.wait_for(
        lambda: len(posts) >= 2 and components(posts[-1]), what="the answer in the thread"
    )
    reply = posts[1]
    assert reply["content"].startswith("*Understood as:* \u2068Who directed Ballerina?\u2069")
    assert str(reply["message_reference"]["message_id"]) == question["id"]
    assert "Follow up in a thread" not in components(posts[-1])  # already in one
    await asyncio.sleep(0.2)
    assert discord_server.channel_posts[discord_server.channel_id] == []  # the mention outside: ignored
    for post in posts:
        assert not payload_problems(post) and not mention_problems(post)


async def test_without_read_message_history_the_answer_is_not_a_reply(
    start_bot: StartBot, discord_server: FakeDiscord
) -> None:
    """Replying takes Read Message History, which the invite does not ask for: in a server that does not
    give it, a mention in the bot's thread is still answered there, as a plain message."""
    discord_server.set_everyone_permissions(
        discord_server.everyone_permissions & ~READ_MESSAGE_HISTORY & ~ADMINISTRATOR
    )
    await start_bot()
    thread_id = await open_thread(discord_server)
    await discord_server.mention(thread_id, "Who directed it?")
    posts = await discord_server.posts(thread_id, 2)  # the intro, then the answer
    assert posts[1]["content"].startswith("*Understood as:* \u2068Who directed Ballerina?\u2069")
    assert "message_reference" not in posts[1]
    assert all(
        request.status < 400 for request in discord_server.requests if request.route == "channel_message"
    )


async def test_a_follow_up_with_its_own_subject_is_asked_as_is(
    bot: object, discord_server: FakeDiscord
) -> None:
    """A follow-up naming its own subject is not rewritten, and no "Understood as" line is shown."""
    thread_id = await open_thread(discord_server)
    record = await discord_server.slash(
        "ask", question="Is Ballerina inspired by the Nth Room case?", where={"channel_id": thread_id}
    )
    [reply] = await discord_server.replies(record)
    assert "Understood as" not in reply["content"]


async def test_the_thread_button_twice_points_to_the_thread(bot: object, discord_server: FakeDiscord) -> None:
    """A second click on the button (by anyone) opens no second thread: it points to the first."""
    message = await answered(discord_server, QUESTION)
    button = components(message)["Follow up in a thread"]["custom_id"]
    await discord_server.replies(await discord_server.click(message, button))
    second = await discord_server.click(message, button, user=discord_server.new_user("latecomer"))
    callback = await discord_server.callback(second)
    assert callback["data"]["flags"] & EPHEMERAL
    assert callback["data"]["content"] == f"🧵 Follow-ups on this answer go in <#{message['id']}>."
    assert len(discord_server.threads) == 1


async def test_a_thread_discord_refuses_gets_a_clear_private_reply(
    bot: object, discord_server: FakeDiscord
) -> None:
    """Discord refuses the thread (403, e.g. permissions changed since the answer): the clicker is told
    privately what a server manager must allow; no thread is remembered, so a later click can retry."""
    message = await answered(discord_server, QUESTION)
    button = components(message)["Follow up in a thread"]["custom_id"]
    discord_server.fail_next("start_thread", 403)
    [note] = await discord_server.replies(await discord_server.click(message, button))
    assert note["content"].startswith("⚠️ I cannot open a thread here: a server manager must let citebot")
    retry = await discord_server.click(message, button)
    [opened] = await discord_server.replies(retry)
    assert opened["content"].startswith("🧵 Thread opened:") and len(discord_server.threads) == 1


async def test_no_thread_button_without_the_thread_permissions(
    bot: object, discord_server: FakeDiscord
) -> None:
    """Where the bot may not create threads or post in them, its answers offer no thread button."""
    send_messages = 1 << 11
    record = await discord_server.slash(
        "ask", question=QUESTION, where={"app_permissions": send_messages | (1 << 35)}
    )
    await discord_server.wait_for(
        lambda: any(components(m) for m in discord_server.messages_of(record)), what="the buttons"
    )
    last = components(discord_server.messages_of(record)[-1])
    assert "👍" in last and "Follow up in a thread" not in last
