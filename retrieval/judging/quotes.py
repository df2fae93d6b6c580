"""Choosing the verbatim quotes a source is cited with.

A quote is always ``document.text[start:end]`` cut at word boundaries. A source gets its
best passage, and the next best when both fit in the per-source budget; a passage longer
than the budget is cut to the window of whole words holding most of the question's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from retrieval.answer import Quote

MAX_QUOTE_CHARS = 300
MAX_QUOTES = 2
# A second passage is quoted only when it scores at least this share of the best one.
SECOND_QUOTE_MIN_SHARE = 0.7

_WORD = re.compile(r"\S+")


def trim_to_words(
    text: str, start: int, end: int, *, budget: int, is_relevant: Callable[[str], bool]
) -> tuple[int, int]:
    """The span of whole words within [start, end), at most ``budget`` characters long,
    holding the most relevant words (the earliest such window on ties)."""
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
    relevant = [is_relevant(text[s:e]) for s, e in words]
    best_count, best_span = -1, (start, start)
    right = running = 0
    for left in range(len(words)):
        while right < len(words) and words[right][1] - words[left][0] <= budget:
            running += relevant[right]
            right += 1
        if right > left and running > best_count:
            best_count, best_span = running, (words[left][0], words[right - 1][1])
        if right > left:
            running -= relevant[left]
        else:
            right = left + 1  # a single word longer than the budget cannot be quoted whole
    return best_span


def select_quotes(
    text: str,
    spans: Sequence[tuple[int, int]],
    scores: np.ndarray,
    *,
    is_relevant: Callable[[str], bool],
    budget: int = MAX_QUOTE_CHARS,
) -> tuple[Quote, ...]:
    """Up to MAX_QUOTES passages within ``budget`` characters, chosen best first, shown in
    document order."""
    order = np.argsort(-scores, kind="stable")
    ranked = order[scores[order] > 0][: 2 * MAX_QUOTES].tolist()
    ranked_scores = scores[ranked].tolist()
    chosen: list[Quote] = []
    used = 0
    for passage, score in zip(ranked, ranked_scores, strict=True):
        if chosen and score < SECOND_QUOTE_MIN_SHARE * ranked_scores[0]:
            break
        span_start, span_end = spans[passage]
        start, end = span_start, span_end
        if end - start > budget - used:
            if chosen:
                continue
            start, end = trim_to_words(text, start, end, budget=budget, is_relevant=is_relevant)
            if start == end:
                continue
        chosen.append(
            Quote(
                text=text[start:end],
                start=start,
                end=end,
                cut_before=start > span_start,
                cut_after=end < span_end,
            )
        )
        used += end - start
        if len(chosen) == MAX_QUOTES:
            break
    return tuple(sorted(chosen, key=lambda quote: quote.start))
