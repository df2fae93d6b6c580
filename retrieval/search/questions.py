"""Checking and cleaning a user's question before it reaches the index."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 1_000

# Format characters (zero-width spaces and joiners, bidi marks and overrides, BOM) are
# invisible: they would split words for the tokenizer and could hide text from a reader.
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_SPACE = re.compile(r"\s+")
# Discord's mention syntax names nobody in the corpus: users and roles (<@123>, <@!123>,
# <@&123>), channels (<#123>), slash commands (</ask:123>, </config set:123>), timestamps
# (<t:0:R>), custom emoji (<:name:123>, <a:name:123>), @everyone and @here. A markdown link
# [text](url) means its text.
_MENTION = re.compile(
    r"<(?:@[!&]?|#)\d+>|</[^<>:]+:\d+>|<t:-?\d+(?::[tTdDfFR])?>|<a?:\w+:\d+>|@(?:everyone|here)\b"
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]+)\)")
# Emphasis, code, strike-through and spoiler marks: formatting, not words.
_MARKDOWN_MARKS = re.compile(r"[*`~|]+|__")


class QuestionError(ValueError):
    """A question that cannot be answered as asked; ``str(error)`` is a message for the user."""


def clean_question(question: str) -> str:
    """The question as the index reads it: NFC, no invisible characters, no mentions,
    markdown reduced to its words, single spaces.

    Raises QuestionError for a question that is empty once cleaned or longer than
    MAX_QUESTION_CHARS characters.
    """
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = unicodedata.normalize("NFC", question)
    text = _INVISIBLE.sub("", text)
    text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", _MENTION.sub(" ", text)))
    if not text.isprintable():  # printable text has no control or format characters (category C)
        text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = _SPACE.sub(" ", text).strip()
    if not text:
        raise QuestionError(
            "the question is empty: ask something, e.g. 'Is Ballerina based on a true story?'"
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is too long ({len(text):,} characters; the limit is {MAX_QUESTION_CHARS:,}): "
            "ask about one thing at a time"
        )
    return text
