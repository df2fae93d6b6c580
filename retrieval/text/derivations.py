"""Words derived from a question's words: "directed" → director, direction.

Snowball stems inflections together (direct, directed, directing) but not derivations
(director, direction): "Who directed it?" shares no stem with "The director, Lee
Chung-hyun". A few suffix rules propose derived forms; only those that are English
words are kept, checked against a word list (the whole-word entries of the embeddings'
vocabulary: about 16,000 common words), so that no invented form ("directment") can
match a corpus term by a hash collision. Rare derivations the list lacks are missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Agent, action, result and quality suffixes, and the inflections a base takes.
_DERIVING = (
    "or",
    "ors",
    "er",
    "ers",
    "ion",
    "ions",
    "ment",
    "ments",
    "ive",
    "ist",
    "ure",
    "al",
    "ance",
    "ence",
)
_INFLECTING = ("ed", "ing", "s", "es", "d")
MIN_BASE = 4
_CACHE_SIZE = 50_000
_TOKEN = re.compile(r"[^\W_]+")


def bases(word: str) -> set[str]:
    """Candidate bases of a lower-cased word: itself, less an inflection or derivation
    ("directed" → direct; "production" → product, produce; "governor" → govern)."""
    found = {word}
    for suffix in (*_INFLECTING, *_DERIVING):
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_BASE:
            base = word[: -len(suffix)]
            found |= {base, base + "e"}
    return found


def derived_words(word: str, is_word: Callable[[str], bool]) -> set[str]:
    """English words sharing a base with ``word`` (not ``word`` itself), as ``is_word`` knows them."""
    word = word.lower()
    if len(word) < MIN_BASE or not word.isalpha():
        return set()
    found = set()
    for base in bases(word):
        stem = base[:-1] if base.endswith("e") else base
        for form in (
            base,
            *(stem + suffix for suffix in _DERIVING),
            *(base + suffix for suffix in _DERIVING),
        ):
            if form != word and len(form) >= MIN_BASE and is_word(form):
                found.add(form)
    return found


class Derivations:
    """The derived-word stems of a question's words, remembered per word (bounded)."""

    def __init__(self, is_word: Callable[[str], bool], stem: Callable[[str], list[str]]) -> None:
        self.is_word = is_word
        self.stem = stem
        self._known: dict[str, frozenset[str]] = {}

    def of_word(self, word: str) -> frozenset[str]:
        """Stems of the words derived from ``word`` (lower-cased), less its own stem."""
        found = self._known.get(word)
        if found is None:
            own = set(self.stem(word))
            found = frozenset(
                {s for form in derived_words(word, self.is_word) for s in self.stem(form)} - own
            )
            if len(self._known) >= _CACHE_SIZE:
                self._known.clear()  # bounded memory; refills with the words asked
            self._known[word] = found
        return found

    def of_text(self, text: str, stop_words: frozenset[str]) -> list[str]:
        """The derived stems of every (non-stop) word of ``text``, in order, without repeats."""
        found: dict[str, None] = {}
        for word in _TOKEN.findall(text.lower()):
            if word not in stop_words:
                found.update(dict.fromkeys(sorted(self.of_word(word))))
        return list(found)
