"""Making corpus and user text inert in Discord: nothing it holds becomes markup, a link, a
mention or a reordering of the line.

    escape("See [a](https://x.example) and <#123>")  # shows the same text, links nothing

Discord's markdown reads a backslash before any punctuation character as "this character
is text" and hides the backslash, so escaping is lossless on screen. This escapes every
character that can open or close markup wherever it stands (``\\ * _ ~ | ` [ ] <``), the
colon of a scheme (``https://`` is linked on its own), and the markers that count only at
the start of a line (``#`` headings, ``-#`` subtext, ``>`` quotes, ``-``/``+`` and ``1.``
lists). Mentions of everyone, here, a user or a role also get a zero-width space after the
``@`` (discord.utils.escape_mentions), so even a raw reading finds no mention; and bidi
controls (U+202E and its kin), which would show a line's letters in another order than
they are, are dropped.

Not discord.utils.escape_markdown: its masked-link pattern ``\\[.+\\]\\(.+\\)`` is greedy, so
in ``[a](x) and [good](evil)`` only the first bracket is escaped and the second link stays
live; it leaves channel (``<#id>``) and command (``</ask:id>``) mentions, timestamps,
custom emoji and bare links untouched, and escapes ``*_~|``` only when a partner follows.
"""

from __future__ import annotations

import re

from discord.utils import escape_mentions

# Bidi embeddings, overrides, isolates and marks: invisible, and able to reorder what follows.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ANYWHERE = re.compile(r"[\\*_~|`\[\]<]|:(?=/)")
_LINE_START = re.compile(r"^(\s*)(?:([#>+\-])|(\d+)([.)]))")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, period = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\{period}"


def escape(text: str) -> str:
    """``text`` shown as it reads, with no markup, link, mention or bidi control in effect."""
    text = BIDI_CONTROLS.sub("", text)
    lines = text.splitlines(keepends=True)
    escaped = "".join(_LINE_START.sub(_escape_line_start, _ANYWHERE.sub(r"\\\g<0>", line)) for line in lines)
    return escape_mentions(escaped)
