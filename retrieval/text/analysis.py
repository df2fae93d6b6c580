"""Text → index terms: the analyser shared by indexing and questions.

Lower-cased word tokens, English stop words dropped, Snowball-stemmed (PyStemmer, a C
stemmer), then unigrams plus bigrams of adjacent kept words. The choice was measured on
SQuAD v1.1 dev paragraph retrieval (see bench/squad.py).

Nothing here imports scikit-learn, whose import (scipy.stats and more) costs more than a
second of every fresh ``citebot ask``: its stop-word list is read from its own source file,
and terms are hashed with mmh3, the same 32-bit MurmurHash3 (seed 0, UTF-8) as scikit-learn's
``murmurhash3_32``, so columns are exactly HashingVectorizer's.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterable

import mmh3
import numpy as np
import Stemmer

N_FEATURES = 2**21


def _english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (``ENGLISH_STOP_WORDS``), loaded from the one
    file that defines them without importing the rest of scikit-learn."""
    package = importlib.util.find_spec("sklearn")
    if package is not None and package.submodule_search_locations:
        for folder in package.submodule_search_locations:
            spec = importlib.util.spec_from_file_location(
                "_citebot_sklearn_stop_words", f"{folder}/feature_extraction/_stop_words.py"
            )
            if spec is None or spec.loader is None:
                continue
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
                return frozenset(module.ENGLISH_STOP_WORDS)
            except (OSError, AttributeError):
                continue
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # the layout changed: pay the import

    return frozenset(ENGLISH_STOP_WORDS)


ENGLISH_STOP_WORDS = _english_stop_words()

_WORD = re.compile(r"[^\W_]+")
# A word with its inner apostrophes kept ("isn't"), for ``Analyzer.all_words``.
_WORD_WITH_APOSTROPHES = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Typographic apostrophes would otherwise split "film’s" differently from "film's".
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
# scikit-learn's list, less the words that carry content in questions ("first", "found",
# "fire", "system", numbers...): keeping them measured better on SQuAD.
_CONTENT_WORDS = frozenset(
    [
        "amount",
        "bill",
        "bottom",
        "call",
        "con",
        "cry",
        "de",
        "describe",
        "detail",
        "eight",
        "eleven",
        "empty",
        "fifteen",
        "fifty",
        "fill",
        "find",
        "fire",
        "first",
        "five",
        "forty",
        "found",
        "four",
        "front",
        "full",
        "give",
        "hundred",
        "interest",
        "keep",
        "last",
        "made",
        "mill",
        "move",
        "name",
        "nine",
        "one",
        "part",
        "serious",
        "show",
        "side",
        "sincere",
        "six",
        "sixty",
        "system",
        "take",
        "ten",
        "thick",
        "thin",
        "third",
        "three",
        "top",
        "twelve",
        "twenty",
        "two",
    ]
)
# What a contraction leaves when the apostrophe splits it ("isn't" → "isn", "t"): without
# these, "Isn't it…?" would count "isn" as a content word the sources lack. ("won" and
# "don" stay words: "won" is a verb, "Don" a name.)
_CONTRACTION_PARTS = frozenset(
    [
        "s",
        "t",
        "d",
        "ll",
        "ve",
        "re",
        "m",
        "isn",
        "aren",
        "wasn",
        "weren",
        "doesn",
        "didn",
        "hasn",
        "haven",
        "hadn",
        "wouldn",
        "shouldn",
        "couldn",
        "mustn",
        "needn",
        "shan",
        "ain",
    ]
)
STOP_WORDS = (frozenset(ENGLISH_STOP_WORDS) - _CONTENT_WORDS) | _CONTRACTION_PARTS

_TOKEN_CACHE_SIZE = 200_000


class _StemMemo(dict):
    """token → stem, computing a missing one with ``compute``."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, token: str) -> str:
        stem = self[token] = self.compute(token)
        return stem


class Analyzer:
    """Callable text → list of terms; picklable, so scikit-learn can call it in workers."""

    def __init__(self, *, ngram_range: tuple[int, int] = (1, 2), stem: bool = True) -> None:
        self.ngram_range = ngram_range
        self.stem = stem
        self._stemmer = Stemmer.Stemmer("english") if stem else None
        self._token_stems: dict[str, tuple[str, ...]] = {}
        self._stem_of = _StemMemo(self._stem_one)

    def __getstate__(self) -> dict[str, object]:
        return {"ngram_range": self.ngram_range, "stem": self.stem}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def tokens(self, text: str) -> list[str]:
        """The lower-cased word tokens of the text, stop words included."""
        if not text.isascii() or "`" in text:  # most text has no apostrophe to normalise
            text = text.translate(_APOSTROPHES)
        return _WORD.findall(text.lower())

    def stem_words(self, tokens: list[str]) -> list[str]:
        """Each token stemmed (or as it is, without stemming)."""
        return self._stemmer.stemWords(tokens) if self._stemmer else tokens

    def words(self, text: str) -> list[str]:
        """The kept (non-stop) words of the text, stemmed."""
        # Indexing calls this for every passage, and a corpus's words repeat: each distinct
        # token is stemmed once (a C-level dict lookup after that), the bulk of index time.
        if len(self._stem_of) > _TOKEN_CACHE_SIZE:
            self._stem_of.clear()  # bounded memory
        return [stem for stem in map(self._stem_of.__getitem__, self.tokens(text)) if stem]

    def _stem_one(self, token: str) -> str:
        """The token's stem, or "" for a stop word."""
        if token in STOP_WORDS:
            return ""
        return self._stemmer.stemWord(token) if self._stemmer else token

    def all_words(self, text: str) -> list[str]:
        """Every lower-cased word of the text in order, unstemmed, stop words and negations
        kept and contractions whole ("isn't", "film's"): for judging stance, where "not" and
        "no" are the signal, not noise."""
        if not text.isascii() or "`" in text:
            text = text.translate(_APOSTROPHES)
        return _WORD_WITH_APOSTROPHES.findall(text.lower())

    def stem_word(self, word: str) -> str:
        """The stem of one lower-cased word, as ``words`` stems it."""
        return self._stemmer.stemWord(word) if self._stemmer else word

    def token_stems(self, token: str) -> tuple[str, ...]:
        """``words(token)`` for one whitespace token of a passage, remembered: quote trimming
        asks it for every word of a long passage, and a corpus's words repeat."""
        found = self._token_stems.get(token)
        if found is None:
            if len(self._token_stems) >= _TOKEN_CACHE_SIZE:
                self._token_stems.clear()  # bounded memory
            found = self._token_stems[token] = tuple(self.words(token))
        return found

    def stems_to_one_of(self, stems: Iterable[str]) -> Callable[[str], bool]:
        """A test for one whitespace token: does it stem to one of ``stems`` (the output of
        ``words``)? Quote trimming keeps the window holding the most such tokens."""
        wanted = set(stems)

        def stems_to_one(token: str) -> bool:
            return not wanted.isdisjoint(self.token_stems(token))

        return stems_to_one

    def __call__(self, text: str) -> list[str]:
        return self.terms(self.words(text))

    def terms(self, words: list[str]) -> list[str]:
        """The index terms (n-grams) of already analysed words."""
        low, high = self.ngram_range
        terms = list(words) if low == 1 else []
        for n in range(max(2, low), high + 1):
            terms.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return terms


def term_id(term: str, n_features: int = N_FEATURES) -> int:
    """A term's hashed column id, exactly as scikit-learn's HashingVectorizer assigns it."""
    # Encoded first, as scikit-learn does: a lone surrogate raises UnicodeEncodeError here
    # (mmh3 given such a str directly crashes the process).
    h = mmh3.hash(term.encode("utf-8"), 0, signed=True)
    return (2147483647 - (n_features - 1)) % n_features if h == -2147483648 else abs(h) % n_features


def term_ids(terms: Iterable[str], n_features: int = N_FEATURES) -> np.ndarray:
    """Hashed column ids, exactly as scikit-learn's HashingVectorizer assigns them."""
    hashes = np.fromiter((mmh3.hash(term.encode("utf-8"), 0, signed=True) for term in terms), dtype=np.int64)
    return hashed_columns(hashes, n_features)


def hashed_columns(hashes: np.ndarray, n_features: int = N_FEATURES) -> np.ndarray:
    """The columns of signed 32-bit MurmurHash3 values (int64), as HashingVectorizer assigns them."""
    columns = np.abs(hashes) % n_features
    columns[hashes == -2147483648] = (2147483647 - (n_features - 1)) % n_features
    return columns
