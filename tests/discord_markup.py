"""What Discord would make of a message's text: the links, mentions and markup that are live.

A test-side reading of Discord's markdown, for checking the bot's output (never used by the
bot). Discord reads ``\\`` before any character other than an ASCII letter, digit or white
space as "this character is text"; everything else below is looked for only among the
characters left unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Discord's escape rule (simple-markdown's): a backslash before [^0-9A-Za-z\s].
ESCAPED = re.compile(r"\\([^0-9A-Za-z\s])")
INERT = "\ue000"  # stands for an escaped character: it can take part in nothing

MASKED_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?([^()\s>]+)>?\s*\)")
ANGLE_LINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]+)>")
AUTO_LINK = re.compile(r"(?<![\w<(])([a-zA-Z][a-zA-Z0-9+.-]*://[^\s<]+[^<.,:;\"')\]\s])")
MENTIONS = re.compile(
    r"<@[!&]?\d+>"  # user, role
    r"|<#\d+>"  # channel
    r"|</[^\s:>]+(?: [^\s:>]+){0,2}:\d+>"  # slash command
    r"|<t:-?\d+(?::[tTdDfFR])?>"  # timestamp
    r"|<a?:\w+:\d+>"  # custom emoji
    r"|<id:\w+>"  # server guide, browse, customize
    r"|@everyone|@here"
)
# Bidi controls that reorder text; the bot's own isolates (U+2068 … U+2069) are checked apart.
REORDERING = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066\u2067]")
LINE_MARKUP = re.compile(r"#{1,3} |-# |>{1,3} |[ \t]*(?:[-+*]|\d+[.)]) ")


def mask_escapes(text: str) -> str:
    """The text with every escaped character (and its backslash) replaced by an inert mark."""
    return ESCAPED.sub(INERT, text)


def links(text: str) -> list[str]:
    """Every live link target: masked ``[text](url)``, ``<url>`` and bare ``https://``."""
    masked = mask_escapes(text)
    found = [target for _, target in MASKED_LINK.findall(masked)]
    found += ANGLE_LINK.findall(masked)
    found += AUTO_LINK.findall(MASKED_LINK.sub("", ANGLE_LINK.sub("", masked)))
    return found


def mentions(text: str) -> list[str]:
    """Every live mention, timestamp or custom emoji (``@everyone`` with a zero-width space is not)."""
    return MENTIONS.findall(mask_escapes(text))


def live_around(text: str, marker: str) -> list[str]:
    """Markup delimiters left live right before ``marker`` (``**marker``, ``||marker``, ``` `marker```),
    outside link targets (a URL is not read as markdown)."""
    masked = ANGLE_LINK.sub(INERT, mask_escapes(text))
    masked = MASKED_LINK.sub(lambda link: f"[{link.group(1)}]({INERT})", masked)
    return re.findall(rf"(\*\*|\*|__|_|~~|\|\||`+){re.escape(marker)}", masked)


def line_markup(text: str, followed_by: str = "") -> list[str]:
    """Headings, subtext, nested quotes and list markers live at the start of a line (after the
    bot's own one level of ``> ``), optionally only those right before ``followed_by``."""
    found = []
    for line in mask_escapes(text).splitlines():
        rest = line.removeprefix("> ")
        match = LINE_MARKUP.match(rest)
        if match and rest[match.end() :].startswith(followed_by):
            found.append(match.group())
    return found


def unbalanced_isolates(text: str) -> bool:
    depth = 0
    for character in text:
        if character == "\u2068":
            depth += 1
        elif character == "\u2069":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


def message_texts(payload: Any) -> Iterable[str]:
    """Every text Discord renders with markdown in a message (content, embed title, description,
    field names and values); footers and author names show no markdown, links or mentions."""
    if isinstance(payload, dict) and ("content" in payload or "embeds" in payload):
        yield payload.get("content") or ""
        for embed in payload.get("embeds") or []:
            yield embed.get("title") or ""
            yield embed.get("description") or ""
            for field in embed.get("fields") or []:
                yield field.get("name") or ""
                yield field.get("value") or ""
