"""Choosing quotes: most likely sentences first within the budget, a cut around the answer,
sentences that refer back quoted with the one they refer to, non-statements held back."""

from __future__ import annotations

import numpy as np

from retrieval.judging.parameters import DEFAULT_PARAMETERS
from retrieval.judging.quotes import best_window, choose_quotes, word_spans
from retrieval.judging.reading import CAPTION, HEADING, QUESTION, STATEMENT, Reader
from retrieval.text.sentences import sentence_spans

TEXT = (
    "Kim Ji Hoon as Choi Pro (Netflix)\n\n"
    "The studio opened in 1998. The founders met in Busan. "
    "They built the first stage in a shipyard. Critics called it bold."
)


def _choose(probabilities: list[float], *, minimum: float = 0.05, weights=None):  # type: ignore[no-untyped-def]
    spans = sentence_spans(TEXT)
    return choose_quotes(
        TEXT,
        spans,
        np.array(probabilities),
        weights or (lambda words: np.ones(len(words)) / len(words)),
        DEFAULT_PARAMETERS,
        further_quote_min_probability=minimum,
    )


def test_quotes_are_verbatim_adjacent_sentences_join_and_the_budget_holds() -> None:
    """The two most likely sentences, adjacent, become one verbatim quote within 300 characters."""
    quotes = _choose([0.0, 0.5, 0.3, 0.1, 0.1], minimum=0.2)
    assert len(quotes) == 1
    assert quotes[0].text == "The studio opened in 1998. The founders met in Busan."
    assert TEXT[quotes[0].start : quotes[0].end] == quotes[0].text


def test_an_unlikely_further_sentence_is_not_quoted() -> None:
    """Below the minimum probability, a second sentence stays out even when it would fit."""
    assert [q.text for q in _choose([0.0, 0.9, 0.01, 0.01, 0.01])] == ["The studio opened in 1998."]


def test_a_sentence_that_refers_back_brings_the_one_before_it() -> None:
    """'They built …' is quoted with 'The founders met in Busan.', which says who they are."""
    quotes = _choose([0.0, 0.01, 0.01, 0.97, 0.01], minimum=0.5)
    assert quotes[0].text == "The founders met in Busan. They built the first stage in a shipyard."


def test_a_long_sentence_is_cut_around_the_answer_not_at_its_start() -> None:
    """The window of whole words holding the most answer likelihood, flagged as cut."""
    filler = " ".join(f"word{i}" for i in range(60))
    text = f"{filler} the answer is Busan {filler}."
    words = word_spans(text, 0, len(text))
    weights = np.array([5.0 if text[s:e] == "Busan" else 0.01 for s, e in words])
    first, last, held = best_window(words, weights, 100)
    window = text[words[first][0] : words[last - 1][1]]
    assert "Busan" in window and len(window) <= 100 and held > 5
    quotes = choose_quotes(
        text,
        [(0, len(text))],
        np.array([1.0]),
        lambda spans: np.array([5.0 if text[s:e] == "Busan" else 0.01 for s, e in spans]),
        DEFAULT_PARAMETERS,
        further_quote_min_probability=0.05,
    )
    (quote,) = quotes
    assert "Busan" in quote.text and quote.cut_before and quote.cut_after and len(quote.text) <= 300


def test_captions_headings_questions_and_titles_are_not_statements() -> None:
    """What each line is, as quote selection holds non-statements back."""
    text = (
        "A Title Line\n\nIs it true?\n\nKim Ji Hoon as Choi Pro (Netflix)\n\nA plain sentence.\n\nA Heading"
    )
    reading = Reader(None).read(text, sentence_spans(text))
    assert reading.line_kinds.tolist() == [HEADING, QUESTION, CAPTION, STATEMENT, HEADING]
