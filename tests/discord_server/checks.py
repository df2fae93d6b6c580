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


CUSTOM_ID_LIMIT = 100
ROWS_PER_MESSAGE = 5
BUTTONS_PER_ROW = 5
SELECT_OPTIONS_LIMIT = 25
LABEL_LIMIT = 80


def component_problems(rows: list[dict[str, Any]]) -> list[str]:
    """Why Discord would refuse these message components (action rows of buttons and selects)."""
    problems: list[str] = []
    if len(rows) > ROWS_PER_MESSAGE:
        problems.append(f"{len(rows)} action rows > {ROWS_PER_MESSAGE}")
    custom_ids: list[str] = []
    for row in rows:
        items = row.get("components") or []
        if row.get("type") != 1 or not items:
            problems.append("a component outside an action row, or an empty row")
        selects = [item for item in items if item.get("type") in (3, 5, 6, 7, 8)]
        if selects and len(items) > 1:
            problems.append("a select menu shares its action row")
        if len(items) > BUTTONS_PER_ROW:
            problems.append(f"{len(items)} buttons in a row > {BUTTONS_PER_ROW}")
        for item in items:
            custom_id = item.get("custom_id")
            if item.get("style") != 5 and item.get("type") in (2, 3):
                if not custom_id or len(custom_id) > CUSTOM_ID_LIMIT:
                    problems.append(f"custom_id {custom_id!r} missing or over {CUSTOM_ID_LIMIT} characters")
                custom_ids.append(custom_id or "")
            if len(item.get("label") or "") > LABEL_LIMIT:
                problems.append(f"label over {LABEL_LIMIT} characters")
            options = item.get("options")
            if options is not None and not 1 <= len(options) <= SELECT_OPTIONS_LIMIT:
                problems.append(f"{len(options)} select options (1 to {SELECT_OPTIONS_LIMIT})")
            for option in options or []:
                if len(option.get("label") or "") > 100 or len(option.get("description") or "") > 100:
                    problems.append("a select option's label or description is over 100 characters")
    if len(custom_ids) != len(set(custom_ids)):
        problems.append("two components share a custom_id")
    return problems


def payload_problems(body: dict[str, Any]) -> list[str]:
    """Why Discord would refuse this message body (400 Invalid Form Body); empty if it is fine."""
    problems: list[str] = component_problems(body.get("components") or [])
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
