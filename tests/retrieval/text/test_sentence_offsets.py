"""Sentence offsets: the same as blingfire's own wrapper gives, for any text."""

from __future__ import annotations

import blingfire
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.text.sentences import _sentence_offsets, sentence_spans

pieces = st.sampled_from(
    [
        "The owl",
        " hunts.",
        " Does it?",
        " Yes!",
        "…",
        " naïve café",
        " 日本語。",
        " 😀",
        " Σ.",
        "\u00a0",
        "  ",
        "Dr. No",
        ". ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=25))
def test_offsets_are_blingfires(parts: list[str]) -> None:
    """ASCII or not (multi-byte characters shift byte offsets), the spans are blingfire's."""
    block = "".join(parts)
    assert _sentence_offsets(block) == blingfire.text_to_sentences_and_offsets(block)[1]


def test_long_and_repeated_blocks_reuse_buffers_correctly() -> None:
    """A long block, then a short one: nothing of the first is left in the second's result."""
    long_block = " ".join(f"Sentence number {n} ends here." for n in range(2000))
    assert _sentence_offsets(long_block) == blingfire.text_to_sentences_and_offsets(long_block)[1]
    assert _sentence_offsets("One. Two.") == [(0, 4), (5, 9)]
    text = "Die Eule jagt. Sie fängt Mäuse — 日本語も。\nNo wrap here."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Die Eule jagt.",
        "Sie fängt Mäuse — 日本語も。",
        "No wrap here.",
    ]
