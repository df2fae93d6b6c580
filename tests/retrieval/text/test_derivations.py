"""Derived words: a question's "directed" also finds "director", never an invented form."""

from __future__ import annotations

from retrieval.text.analysis import STOP_WORDS, Analyzer
from retrieval.text.derivations import Derivations, bases, derived_words

WORDS = frozenset(
    {"direct", "director", "direction", "produce", "producer", "production", "govern", "governor"}
)


def test_derived_words_share_a_base_and_are_real_words() -> None:
    """'directed' → director and direction; only words the word list knows come back."""
    assert derived_words("directed", WORDS.__contains__) == {"direct", "director", "direction"}
    assert derived_words("governs", WORDS.__contains__) == {"govern", "governor"}
    assert "directment" not in derived_words("directed", lambda word: word != "directment" and word in WORDS)


def test_short_or_non_alphabetic_words_derive_nothing() -> None:
    """Three-letter words and numbers are left alone (too many false relatives)."""
    assert derived_words("act", WORDS.__contains__) == set()
    assert derived_words("2021", WORDS.__contains__) == set()
    assert "direct" in bases("directed") and "govern" in bases("governor")


def test_derivations_of_a_question_are_stems_other_than_its_own() -> None:
    """The question's own stems are not repeated; stop words derive nothing."""
    derivations = Derivations(WORDS.__contains__, Analyzer().words)
    stems = derivations.of_text("Who directed the film?", STOP_WORDS)
    assert "director" in stems and "direct" not in stems
    assert derivations.of_word("directed") is derivations.of_word("directed")  # remembered
