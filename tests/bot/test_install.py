"""User install: every command declares where it may be installed and used; answers anywhere a member is."""

from __future__ import annotations

import pytest

from retrieval.engine import Engine
from tests.bot.conftest import StartBot
from tests.bot.test_feedback import components
from tests.discord_server import FakeDiscord
from tests.discord_server.payloads import EPHEMERAL

pytestmark = pytest.mark.timeout(60)

QUESTION = "Is Ballerina based on a true story?"
GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2


async def test_sync_payload_declares_installs_and_contexts(
    start_bot: StartBot, discord_server: FakeDiscord
) -> None:
    """Registered globally, every user command declares guild and user install and the guild, bot-DM and
    private-channel contexts (Discord honours these on global commands)."""
    await start_bot(guild_ids=())
    synced = discord_server.commands[None]
    user_commands = [command for command in synced if command["name"] != "reload"]
    assert {command["name"] for command in user_commands} >= {
        "ask",
        "sources",
        "source",
        "help",
        "Check sources",
    }
    for command in user_commands:
        assert sorted(command["integration_types"]) == [GUILD_INSTALL, USER_INSTALL], command["name"]
        assert sorted(command["contexts"]) == [GUILD, BOT_DM, PRIVATE_CHANNEL], command["name"]


async def test_ask_where_only_the_user_installed_the_bot(
    bot: object, discord_server: FakeDiscord, default_engine: Engine
) -> None:
    """In a server the bot is not in, and in a DM between two users, a member who installed citebot gets
    the answer, with feedback buttons but no thread button (the bot cannot open threads there)."""
    member = discord_server.new_user("member")
    guild_id, channel_id = discord_server.foreign_channel()
    elsewhere = await discord_server.slash(
        "ask",
        question=QUESTION,
        user=member,
        where={"channel_id": channel_id, "guild_id": guild_id, "user_install": True},
    )
    friend = discord_server.new_user("friend")
    private = await discord_server.slash(
        "ask",
        question=QUESTION,
        user=member,
        where={"channel_id": discord_server.private_channel(member, friend), "user_install": True},
    )
    assert private.payload["context"] == PRIVATE_CHANNEL
    for record in (elsewhere, private):
        await discord_server.wait_for(
            lambda record=record: any(components(m) for m in discord_server.messages_of(record)),
            what="answer",
        )
        assert record.callback == {"type": 5}
        last = components(discord_server.messages_of(record)[-1])
        assert "👍" in last and "Follow up in a thread" not in last
        assert "The sources disagree" in discord_server.messages_of(record)[0]["content"]


async def test_check_sources_privately(bot: object, discord_server: FakeDiscord) -> None:
    """ "Check sources (private)": the same check, answered so only the person checking sees it."""
    target = discord_server.guild_message("Ballerina is based on a true story.")
    record = await discord_server.message_command("Check sources (private)", target)
    await discord_server.wait_for(
        lambda: any(components(m) for m in discord_server.messages_of(record)), what="the answer's buttons"
    )
    assert record.callback is not None and record.callback["data"]["flags"] & EPHEMERAL
    assert all(int(reply.get("flags") or 0) & EPHEMERAL for reply in record.followups)
    assert "on this claim:" in record.replies[0]["content"]
    last = components(discord_server.messages_of(record)[-1])
    assert "👍" in last and "Follow up in a thread" not in last
