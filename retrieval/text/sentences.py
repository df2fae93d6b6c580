"""Documents → passages: sentences with character offsets into the document text.

Text is cut into blocks first: a blank line always ends one, and so does a line break
that is not a hard wrap (a heading, a list item, a short line the next word would have
fitted on). A hard-wrapped sentence is therefore one passage, quoted whole, however many
lines it runs over. blingfire, a compiled sentence splitter that is fast enough for a
million passages, then splits each block into sentences.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator

import blingfire
import numpy as np

_LINE = re.compile(r"[^\n]+")
_WORD_CHAR = re.compile(r"\w")
_FIRST_WORD = re.compile(r"\s*(\S+)")
# A line that starts a block of its own in plain text or Markdown: a heading, a list
# item, a quotation, a table row, a code fence.
_BLOCK_START = re.compile(r"\s*(?:#|[-*+•>|]\s|\d{1,3}[.)]\s|```|~~~)")
# Text wrapped by hand or by an editor is narrower than this; a longer line is a
# paragraph of its own, never a wrap.
MAX_WRAP_WIDTH = 100
# Wrapped text is at least this wide (editors wrap at 60 to 100 columns); narrower
# paragraphs join lines only where a line runs on into a lowercase word (below
# MIN_WRAP_WIDTH, whatever the line's length).
GREEDY_WRAP_WIDTH = 60
MIN_WRAP_WIDTH = 40
_SENTENCE_END = (".", "!", "?", ":", ";")
# Where blingfire could end a sentence inside a block: a full stop (or ! ? …) and a space.
_INNER_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]»]*\s")


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


def _is_wrap(line: str, next_line: str, width: int) -> bool:
    """Was the break after ``line`` made by wrapping the paragraph to ``width`` (its
    longest line)? A greedy wrapper breaks only when the next word does not fit, so it
    was when that word would have made the line longer than ``width``. Markup that was
    removed (HTML tags) shortens lines unevenly, so a line at least half as wide that
    runs on into a lowercase word counts as wrapped too. In narrow text (short lines) only
    a line running on into a lowercase word is a wrap: a sentence wrapped over short
    lines is one passage, short lines of their own (list items, headings, single words)
    are not."""
    if len(line) > MAX_WRAP_WIDTH:
        return False
    if _BLOCK_START.match(line) or _BLOCK_START.match(next_line):
        return False
    word = _FIRST_WORD.match(next_line)
    if word is None:
        return False
    line = line.rstrip()
    if len(line) + 1 + len(word.group(1)) > width and width >= GREEDY_WRAP_WIDTH:
        return True
    runs_on = word.group(1)[0].islower() and not line.endswith(_SENTENCE_END)
    if width < MIN_WRAP_WIDTH:  # a one-word line (a list of words, a heading) stays apart
        return runs_on and " " in line.strip()
    return runs_on and 2 * len(line) >= width


def block_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each block: a paragraph's lines joined where they were wrapped."""
    lines = list(line_spans(text))
    group: list[tuple[int, int]] = []

    def flush() -> Iterator[tuple[int, int]]:
        if not group:
            return
        # Line lengths count from the start of the line, indentation included: that is
        # what the wrapper measured.
        raw = [text[text.rfind("\n", 0, start) + 1 : end] for start, end in group]
        width = max(len(line) for line in raw)
        first = group[0][0]
        for number in range(len(group) - 1):
            if not _is_wrap(raw[number], raw[number + 1], width):
                yield first, group[number][1]
                first = group[number + 1][0]
        yield first, group[-1][1]

    for span in lines:
        # A blank line between two lines ends the paragraph.
        if group and text.count("\n", group[-1][1], span[0]) > 1:
            yield from flush()
            group = []
        group.append(span)
    yield from flush()


# Output buffers up to this size (9 bytes per unit) are kept for the next call.
_KEPT_BUFFER_SIZE = 1 << 18


class _Buffers:
    """blingfire's output buffers for a block of ``size`` UTF-8 bytes × 2."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.output = ctypes.create_string_buffer(size)
        self.starts = (ctypes.c_int32 * size)()
        self.ends = (ctypes.c_int32 * size)()


class _KeptBuffers(threading.local):
    """Buffers reused (per thread) rather than allocated per call; a large block gets its
    own, so one huge paragraph does not keep megabytes allocated."""

    kept: _Buffers | None = None

    def at_least(self, size: int) -> _Buffers:
        if size > _KEPT_BUFFER_SIZE:
            return _Buffers(size)
        if self.kept is None or self.kept.size < size:
            self.kept = _Buffers(min(max(size, 4096), _KEPT_BUFFER_SIZE))
        return self.kept


_buffers = _KeptBuffers()


def _sentence_offsets(block: str) -> list[tuple[int, int]]:
    """``blingfire.text_to_sentences_and_offsets(block)[1]``: the same call into blingfire's
    library, without the per-byte Python loop its wrapper runs to map UTF-8 offsets to
    characters (most of the cost of splitting a corpus into sentences): ASCII offsets need
    no mapping, others are mapped with numpy."""
    data = block.encode("utf-8")
    buffers = _buffers.at_least(2 * len(data))
    length = blingfire.blingfire.TextToSentencesWithOffsets(
        ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(buffers.output),
        ctypes.byref(buffers.starts), ctypes.byref(buffers.ends), ctypes.c_int(buffers.size),
    )  # fmt: skip
    if length == -1 or length > buffers.size:
        return []
    count = buffers.output.value[:length].count(b"\n") + 1
    first = buffers.starts[:count]
    after = [end + 1 for end in buffers.ends[:count]]
    # The wrapper expects offsets in order, each on a character's first byte; anything
    # else is left to it.
    bounds = [offset for pair in zip(first, after, strict=True) for offset in pair]
    if bounds[0] < 0 or first[-1] >= len(data) or after[-1] > len(data) or bounds != sorted(bounds):
        return blingfire.text_to_sentences_and_offsets(block)[1]
    if len(data) == len(block):  # ASCII: bytes are characters
        return list(zip(first, after, strict=True))
    character_start = np.append((np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80, True)
    if not (character_start[first].all() and character_start[after].all()):
        return blingfire.text_to_sentences_and_offsets(block)[1]
    characters_before = np.concatenate(([0], np.cumsum(character_start[:-1])))
    return list(zip(characters_before[first].tolist(), characters_before[after].tolist(), strict=True))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, in order; ``text[start:end]`` is the sentence."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in block_spans(text):
        block = text[block_start:block_end]
        if not _WORD_CHAR.search(block):
            continue
        if _INNER_SENTENCE_END.search(block):
            # Line breaks inside a block are wraps: blingfire sees spaces (same length, so
            # its offsets still point into the text).
            offsets = _sentence_offsets(block.replace("\n", " "))
        else:  # no full stop inside: one sentence (most headings, captions, code lines)
            offsets = [(0, len(block))]
        for start, end in offsets:
            # blingfire counts in characters; clamp in case of trailing whitespace quirks.
            start, end = max(0, start), min(len(block), end)
            while start < end and block[start].isspace():
                start += 1
            while end > start and block[end - 1].isspace():
                end -= 1
            if end > start and _WORD_CHAR.search(block, start, end):
                spans.append((block_start + start, block_start + end))
    return spans
