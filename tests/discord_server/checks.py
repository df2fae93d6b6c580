"""Discord's rules for a message body, checked independently of the bot's own renderer."""

from __future__ import annotations

from typing import Any

CONTENT_LIMIT = 2_000
EMBEDS_PER_MESSAGE = 10
EMBEDS_TOTAL_LIMIT = 6_000
EMBED_LIMITS = {"title": 256, "description": 4_096, "footer": 2_048, "author": 256}
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1_024


def embed_size(embed: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6,000 per message."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def embed_problems(embed: dict[str, Any]) -> list[str]:
    sizes = {
        "title": len(embed.get("title") or ""),
        "description": len(embed.get("description") or ""),
        "footer": len((embed.get("footer") or {}).get("text") or ""),
        "author": len((embed.get("author") or {}).get("name") or ""),
    }
    problems = [f"embed {key} {n} > {EMBED_LIMITS[key]}" for key, n in sizes.items() if n > EMBED_LIMITS[key]]
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_PER_EMBED:
        problems.append(f"{len(fields)} fields > {FIELDS_PER_EMBED}")
    for field in fields:
        if not field.get("name") or len(field["name"]) > FIELD_NAME_LIMIT:
            problems.append(f"field name of {len(field.get('name') or '')} characters")
        if not field.get("value") or len(field["value"]) > FIELD_VALUE_LIMIT:
            problems.append(f"field value of {len(field.get('value') or '')} characters")
    return problems


def payload_problems(body: dict[str, Any]) -> list[str]:
    """Why Discord would refuse this message body (400 Invalid Form Body); empty if it is fine."""
    problems: list[str] = []
    content = body.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        problems.append(f"content {len(content)} > {CONTENT_LIMIT}")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    total = sum(embed_size(embed) for embed in embeds)
    if total > EMBEDS_TOTAL_LIMIT:
        problems.append(f"embeds total {total} > {EMBEDS_TOTAL_LIMIT}")
    for embed in embeds:
        problems.extend(embed_problems(embed))
    return problems


def mention_problems(body: dict[str, Any]) -> list[str]:
    """Ways this message body could ping someone; empty when allowed_mentions allows nothing."""
    allowed = body.get("allowed_mentions")
    if allowed is None:
        return ["no allowed_mentions: Discord would parse @everyone, roles and users"]
    problems = []
    if allowed.get("parse"):
        problems.append(f"allowed_mentions parses {allowed['parse']}")
    if allowed.get("users") or allowed.get("roles"):
        problems.append(f"allowed_mentions lists {allowed}")
    if allowed.get("replied_user"):
        problems.append("allowed_mentions pings the replied-to user")
    return problems
