"""Passages → hashed term counts, exactly as scikit-learn's HashingVectorizer counts them.

``HashingVectorizer(analyzer=Analyzer(), alternate_sign=False, norm=None)`` calls the
analyser on every passage and hashes every term it returns: most of the cost of indexing
after HTML extraction, and almost all of it repeated work, since a corpus's words repeat.
``TermHasher`` gives the same counts (same terms, same columns) doing per token only what
must be per token (finding the words of each passage, one dictionary lookup): each
distinct token is lower-cased, checked against the stop words and stemmed once, each
distinct stem and each distinct pair of stems (a bigram) is hashed once, and the counting
is numpy. What it remembers is bounded, so a long-running process stays flat.

Analysers other than ``Analyzer`` with n-grams (1, 1) or (1, 2) take the general path:
the analyser on each passage, each distinct term hashed once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import mmh3
import numpy as np

from retrieval.text.analysis import STOP_WORDS, Analyzer, hashed_columns, term_id, term_ids

# Beyond this many remembered tokens (or twice as many stem pairs or terms; about 100
# bytes each: at most ~40 MB), everything remembered is dropped and learnt again. Larger
# bounds measured no faster on the HTML corpus (most stem pairs are seen once).
MAX_TOKENS = 1 << 17
_SHIFT = np.int64(32)


class _Remembered(dict):
    """A dict that computes a missing value with ``compute`` (so a C-level ``map`` of
    ``__getitem__`` runs Python only for what it has not seen)."""

    def __init__(self, compute: Callable) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


class TermHasher:
    """Counts the hashed terms of passages; see the module's docstring."""

    def __init__(self, analyzer: Analyzer, n_features: int) -> None:
        self.analyzer = analyzer
        self.n_features = n_features
        self._fast = type(analyzer) is Analyzer and analyzer.ngram_range in ((1, 1), (1, 2))
        self._reset()

    def _reset(self) -> None:
        self._new_tokens: list[str] = []
        self._token_numbers = _Remembered(self._number_token)  # token → its number
        self._token_stem = np.zeros(1024, dtype=np.int64)  # token number → stem number, -1: stop word
        self._stem_numbers: dict[str, int] = {}
        self._stems: list[str] = []
        self._stem_bytes: list[bytes] = []  # each stem in UTF-8, to hash the bigrams it is in
        self._stem_column = np.zeros(1024, dtype=np.int64)  # stem number → hashed column
        self._hashed_stems = 0  # stems whose column is in _stem_column
        self._pair_columns: dict[int, int] = {}  # (stem << 32 | stem) → column
        self._term_columns = _Remembered(lambda term: term_id(term, self.n_features))

    def _number_token(self, token: str) -> int:
        self._new_tokens.append(token)
        return len(self._token_numbers)

    def _columns_of_pairs(self, keys: np.ndarray) -> np.ndarray:
        """The bigram column of each (stem << 32 | stem) key; those not seen before are
        hashed together (the UTF-8 of "stem stem", as term_id hashes it)."""
        keys_list = keys.tolist()
        columns = list(map(self._pair_columns.get, keys_list))
        missing = [key for key, column in zip(keys_list, columns, strict=True) if column is None]
        if missing:
            stems, hash_ = self._stem_bytes, mmh3.hash
            hashes = np.fromiter(
                (hash_(stems[key >> 32] + b" " + stems[key & 0xFFFFFFFF], 0, True) for key in missing),
                dtype=np.int64,
                count=len(missing),
            )
            found = hashed_columns(hashes, self.n_features).tolist()
            self._pair_columns.update(zip(missing, found, strict=True))
            columns = list(map(self._pair_columns.__getitem__, keys_list))
        return np.asarray(columns, dtype=np.int64)

    def _learn_new_tokens(self) -> None:
        """Stem numbers (and the stems' columns) for the tokens seen for the first time."""
        new, self._new_tokens = self._new_tokens, []
        if not new:
            return
        first = len(self._token_numbers) - len(new)
        content = [token for token in new if token not in STOP_WORDS]
        stems = iter(self.analyzer.stem_words(content))
        numbers = []
        for token in new:
            if token in STOP_WORDS:
                numbers.append(-1)
                continue
            stem = next(stems)
            number = self._stem_numbers.get(stem)
            if number is None:
                number = self._stem_numbers[stem] = len(self._stems)
                self._stems.append(stem)
                self._stem_bytes.append(stem.encode("utf-8"))
            numbers.append(number)
        self._token_stem = _fit(self._token_stem, first + len(new))
        self._token_stem[first : first + len(new)] = numbers
        self._stem_column = _fit(self._stem_column, len(self._stems))
        self._stem_column[self._hashed_stems : len(self._stems)] = term_ids(
            self._stems[self._hashed_stems :], self.n_features
        )
        self._hashed_stems = len(self._stems)

    def count(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR (indptr, indices, counts) of every passage's term counts, one row per span
        (``texts[d][start:end]`` for each span of document d), columns sorted in a row."""
        remembered = (len(self._token_numbers), len(self._pair_columns) // 2, len(self._term_columns) // 2)
        if max(remembered) > MAX_TOKENS:
            self._reset()
        if not self._fast:
            return self._count_general(texts, spans)
        tokens_of = self.analyzer.tokens
        tokens: list[str] = []
        lengths: list[int] = []
        for text, text_spans in zip(texts, spans, strict=True):
            for start, end in text_spans:
                found = tokens_of(text[start:end])
                tokens.extend(found)
                lengths.append(len(found))
        numbers = np.fromiter(map(self._token_numbers.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        self._learn_new_tokens()
        stems = self._token_stem[numbers]
        rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        kept = stems >= 0
        stems, rows = stems[kept], rows[kept]
        columns = [self._stem_column[stems]]
        term_rows = [rows]
        if self.analyzer.ngram_range[1] == 2 and len(stems) > 1:
            same = np.flatnonzero(rows[1:] == rows[:-1])
            pairs = (stems[same] << _SHIFT) | stems[same + 1]
            distinct, inverse = np.unique(pairs, return_inverse=True)
            columns.append(self._columns_of_pairs(distinct)[inverse.reshape(-1)])
            term_rows.append(rows[same])
        return _csr(np.concatenate(term_rows), np.concatenate(columns), len(lengths), self.n_features)

    def _count_general(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        columns: list[int] = []
        lengths: list[int] = []
        lookup = self._term_columns.__getitem__
        for text, text_spans in zip(texts, spans, strict=True):
            for start, end in text_spans:
                found = list(map(lookup, self.analyzer(text[start:end])))
                columns.extend(found)
                lengths.append(len(found))
        rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        return _csr(rows, np.asarray(columns, dtype=np.int64), len(lengths), self.n_features)


def _fit(array: np.ndarray, length: int) -> np.ndarray:
    """``array`` grown (doubling) to hold at least ``length`` entries."""
    if length <= len(array):
        return array
    grown = np.zeros(max(length, 2 * len(array)), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _csr(rows: np.ndarray, columns: np.ndarray, n_rows: int, n_features: int):
    """Sum duplicate (row, column) entries into CSR arrays with sorted columns."""
    keys, counts = np.unique(rows * n_features + columns, return_counts=True)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n_features, minlength=n_rows), out=indptr[1:])
    return indptr, (keys % n_features).astype(np.int32), counts.astype(np.float32)


_hashers: dict[tuple[tuple[int, int], bool, int], TermHasher] = {}


def term_hasher(analyzer: Analyzer, n_features: int) -> TermHasher:
    """A hasher for this analyser: for an ``Analyzer``, the process's one for its settings
    (what it remembers is shared between calls)."""
    if type(analyzer) is not Analyzer:
        return TermHasher(analyzer, n_features)
    key = (analyzer.ngram_range, analyzer.stem, n_features)
    hasher = _hashers.get(key)
    if hasher is None:
        hasher = _hashers[key] = TermHasher(analyzer, n_features)
    return hasher
