"""Discord API objects as the real API sends them (the fields discord.py reads)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL = 1 << 6
ATTACHMENT_SIZE_LIMIT = 8 * 1024 * 1024
ALL_PERMISSIONS = str((1 << 50) - 1)

JSON = dict[str, Any]


class Snowflakes:
    """Real-looking, increasing snowflake ids (17-20 digits, as mention escaping expects)."""

    def __init__(self) -> None:
        self._increment = itertools.count()

    def __call__(self) -> int:
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._increment) & 0xFFF)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: int, name: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


def member(user_data: JSON) -> JSON:
    return {
        "user": user_data,
        "roles": [],
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "permissions": ALL_PERMISSIONS,
    }


def text_channel(channel_id: int, guild_id: int, name: str = "general") -> JSON:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "parent_id": None,
        "rate_limit_per_user": 0,
    }


def thread_channel(thread_id: int, parent: JSON, *, owner_id: int, name: str) -> JSON:
    """A public thread (type 11) in a guild text channel."""
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": str(owner_id),
        "name": name,
        "member_count": 1,
        "message_count": 0,
        "total_message_sent": 0,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now_iso(),
            "locked": False,
            "create_timestamp": now_iso(),
        },
    }


def dm_channel(channel_id: int, recipient: JSON) -> JSON:
    return {"id": str(channel_id), "type": 1, "recipients": [recipient], "last_message_id": None}


def role(role_id: int, name: str) -> JSON:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "position": 0,
        "permissions": ALL_PERMISSIONS,
        "managed": False,
        "mentionable": True,
        "flags": 0,
    }


def guild(guild_id: int, name: str, *, owner_id: int, channels: list[JSON], roles: list[JSON]) -> JSON:
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "unavailable": False,
        "member_count": 3,
        "large": False,
        "features": [],
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "channels": channels,
        "threads": [],
        "members": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "joined_at": now_iso(),
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "system_channel_flags": 0,
    }


def message(
    message_id: int,
    channel_id: int,
    author: JSON,
    content: str,
    *,
    guild_id: int | None = None,
    embeds: list[JSON] | None = None,
    components: list[JSON] | None = None,
    flags: int = 0,
    webhook_id: int | None = None,
    application_id: int | None = None,
) -> JSON:
    data: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "type": 0,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    return data


def interaction(
    *,
    interaction_id: int,
    application_id: int,
    token: str,
    kind: int,
    data: JSON | None,
    user_data: JSON,
    channel: JSON,
    guild_id: int | None,
    message_data: JSON | None = None,
    user_install: bool = False,
    context: int | None = None,
    app_permissions: int | None = None,
) -> JSON:
    """An INTERACTION_CREATE payload: in a guild (with ``member``) or in a DM (with ``user``).

    ``user_install``: the user added the app to their account (not the server), so the
    interaction's authorizing owner is the user; ``context`` 0 guild, 1 bot DM, 2 private channel.
    """
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "token": token,
        "version": 1,
        "channel": channel,
        "channel_id": channel["id"],
        "app_permissions": ALL_PERMISSIONS if app_permissions is None else str(app_permissions),
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": (
            {"1": user_data["id"]} if user_install or not guild_id else {"0": str(guild_id)}
        ),
        "context": context if context is not None else (0 if guild_id else 1),
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if data is not None:
        payload["data"] = data
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["member"] = member(user_data)
    else:
        payload["user"] = user_data
    if message_data is not None:
        payload["message"] = message_data
    return payload
