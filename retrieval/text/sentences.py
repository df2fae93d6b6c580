"""Documents → passages: sentences with character offsets into the document text.

Lines are split first (a heading or caption without a full stop is its own passage),
then blingfire splits each line into sentences: a compiled, well-tested sentence
splitter that is fast enough for a million passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import blingfire

_LINE = re.compile(r"[^\n]+")
_WORD_CHAR = re.compile(r"\w")


def line_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _LINE.finditer(text):
        start, end = match.span()
        # Trim surrounding spaces so a passage starts and ends on visible text.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, in order; ``text[start:end]`` is the sentence."""
    spans: list[tuple[int, int]] = []
    for line_start, line_end in line_spans(text):
        line = text[line_start:line_end]
        if not _WORD_CHAR.search(line):
            continue
        _, offsets = blingfire.text_to_sentences_and_offsets(line)
        for start, end in offsets:
            # blingfire counts in characters; clamp in case of trailing whitespace quirks.
            start, end = max(0, start), min(len(line), end)
            while start < end and line[start].isspace():
                start += 1
            while end > start and line[end - 1].isspace():
                end -= 1
            if end > start and _WORD_CHAR.search(line, start, end):
                spans.append((line_start + start, line_start + end))
    return spans
