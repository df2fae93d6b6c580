"""Passages → a TF-IDF index that scores only the posting lists of a question's terms.

Index time (retrieval.search.counts): scikit-learn's HashingVectorizer counts each
passage's terms, a document's counts are the sum of its passages', and the IDF and
sublinear-tf weights are TfidfTransformer's, recomputed from stored counts on update.
IDF is counted over passages, not documents: it measured better on SQuAD and stays
informative in a corpus of only a few documents. Each row is divided by a power of its
norm (cosine normalisation over-penalises long texts) so that, at question time, a score
is just a sum of stored weights: nothing is fitted, normalised or vectorised per question.

Question time: the question's terms are hashed to columns; a column of the document
matrix (CSC) is that term's posting list. Documents are scored from those lists alone,
the best candidates' passages (CSR rows, contiguous per document) are scored the same
way, and the two scores are combined.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from retrieval.search.counts import Counts, _in_memory, count_passages, index_arrays
from retrieval.text.analysis import N_FEATURES, Analyzer, term_id


@dataclass(frozen=True)
class IndexParameters:
    """Scoring choices, measured on SQuAD v1.1 dev (see bench/squad.py and the README)."""

    n_features: int = N_FEATURES
    ngram_range: tuple[int, int] = (1, 2)
    # Bigrams repeat what their unigrams already matched; half weight measured best.
    bigram_weight: float = 0.5
    # Scores are divided by norm ** exponent: 1.0 would be cosine similarity.
    document_norm_exponent: float = 0.8
    passage_norm_exponent: float = 0.5
    # How much the best single passage adds to its document's score.
    passage_weight: float = 0.1


@dataclass(frozen=True)
class Query:
    """A question's hashed terms with their weights (idf, bigrams down-weighted)."""

    term_ids: np.ndarray  # sorted, unique
    weights: np.ndarray
    is_unigram: np.ndarray
    words: tuple[str, ...]  # the stemmed unigrams, in question order
    # Terms added for words derived from the question's ("director" for "directed"):
    # scored like the others, but not question words (is_unigram is False for them).
    is_derived: np.ndarray | None = None
    derived_words: tuple[str, ...] = ()  # their stems

    @cached_property
    def derived(self) -> np.ndarray:
        return np.zeros(len(self.term_ids), dtype=bool) if self.is_derived is None else self.is_derived

    # Cached: search and quote selection read them several times per question.
    @cached_property
    def norm(self) -> float:
        return float(np.sqrt(np.dot(self.weights, self.weights))) or 1.0

    @cached_property
    def unigram_weight(self) -> float:
        return float(self.weights @ self.is_unigram)

    def match(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``terms`` that are query terms, and the matching positions in ``term_ids``."""
        if len(self.term_ids) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        found = np.searchsorted(self.term_ids, terms).clip(max=len(self.term_ids) - 1)
        confirmed = np.flatnonzero(self.term_ids[found] == terms)
        return confirmed, found[confirmed]


@dataclass(frozen=True)
class Candidates:
    """Documents that match a query, best first, with what the relevance floor needs."""

    documents: np.ndarray  # document numbers
    scores: np.ndarray  # combined score / query norm
    coverage: np.ndarray  # share of the question's unigram weight the document contains
    matched_terms: np.ndarray  # how many distinct question words it contains
    best_passage: np.ndarray  # the score of its best passage
    # Every passage's score for the question, and where each document's passages start:
    # ``passage_scores`` slices them only when (and if) quotes are chosen.
    all_passage_scores: np.ndarray
    doc_passage_ptr: np.ndarray

    @cached_property
    def passage_scores(self) -> list[np.ndarray]:
        """Per candidate: the score of each of its passages."""
        firsts = self.doc_passage_ptr[self.documents].tolist()
        lasts = self.doc_passage_ptr[self.documents + 1].tolist()
        return [self.all_passage_scores[i:j] for i, j in zip(firsts, lasts, strict=True)]


def _concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths)]) without a Python loop."""
    if len(lengths) == 1:  # common (one term, one document): a plain range
        return np.arange(starts[0], starts[0] + lengths[0], dtype=np.int64)
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)


@dataclass(frozen=True)
class RowScores:
    """Scores of a set of passages (rows) against a query, and which query terms each matched."""

    rows: np.ndarray  # passage numbers
    scores: np.ndarray  # one per row
    matched_rows: np.ndarray  # for every (row, term) match: the row's position in ``rows``
    matched_slots: np.ndarray  # ... and the term's position in ``query.term_ids``


def _no_candidates() -> Candidates:
    empty, none = np.zeros(0), np.zeros(0, dtype=np.int64)
    return Candidates(none, empty, empty, none, empty, empty, np.zeros(1, dtype=np.int64))


# Up to this many documents, the pool threshold is found by sorting every score.
_SORT_ALL_BELOW = 8192
# Hashed ids remembered per index; a bound keeps a long-running bot's memory flat.
_TERM_CACHE_SIZE = 100_000


class PassageIndex:
    """TF-IDF over passages and documents, stored as flat arrays (memory-mappable)."""

    ARRAYS = (
        "idf",
        "term_indptr",
        "term_indices",
        "term_data",
        "passage_indptr",
        "passage_indices",
        "passage_data",
        "doc_passage_ptr",
        "passage_start",
        "passage_end",
        "passage_prior",
    )

    # How many documents, at least, get their passages scored before the final ranking.
    candidate_pool = 20

    def __init__(self, parameters: IndexParameters | None = None) -> None:
        self.parameters = parameters or IndexParameters()
        self.analyzer = Analyzer(ngram_range=self.parameters.ngram_range)
        self.arrays: dict[str, np.ndarray] = {}
        self._term_cache: dict[str, tuple[int, tuple[float, bool]]] = {}

    # ---- index time -------------------------------------------------------------------
    def fit(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> PassageIndex:
        """Index documents given their texts and each one's passage spans (start, end)."""
        return self.fit_counts(count_passages(self.analyzer, self.parameters.n_features, texts, spans))

    def fit_counts(self, counts: Counts | Sequence[Counts], *, save_to: Path | None = None) -> PassageIndex:
        """Index documents from their stored term counts (see retrieval.search.counts), in
        one piece or consecutive parts: corpus-wide weights are recomputed, no text is read.
        With ``save_to``, the index is saved there as it is computed (the largest arrays go
        straight to their files) and the arrays are then memory-mapped from it."""
        params = self.parameters
        self._term_cache.clear()  # weights come from the idf being replaced
        parts = [counts] if isinstance(counts, Counts) else list(counts)
        allocate = _in_memory
        if save_to is not None:
            save_to.mkdir(parents=True, exist_ok=True)

            def allocate(name: str, length: int, dtype: type) -> np.ndarray:
                return np.lib.format.open_memmap(
                    save_to / f"{name}.npy", mode="w+", dtype=dtype, shape=(length,)
                )

        arrays = index_arrays(
            parts, params.n_features, params.document_norm_exponent, params.passage_norm_exponent, allocate
        )
        if save_to is None:
            self.arrays = arrays
            return self
        for name, array in arrays.items():
            if isinstance(array, np.memmap):
                array.flush()
            else:
                np.save(save_to / f"{name}.npy", array)
        del arrays
        (save_to / "parameters.json").write_text(json.dumps(asdict(params)))
        loaded = self.load(save_to)
        self.arrays = loaded.arrays
        return self

    # ---- persistence ------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in self.ARRAYS:
            np.save(folder / f"{name}.npy", self.arrays[name])
        (folder / "parameters.json").write_text(json.dumps(asdict(self.parameters)))

    @classmethod
    def load(cls, folder: Path, *, memory_map: bool = True) -> PassageIndex:
        """Load a saved index; arrays are memory-mapped so start-up reads almost nothing."""
        raw = json.loads((folder / "parameters.json").read_text())
        raw["ngram_range"] = tuple(raw["ngram_range"])
        index = cls(IndexParameters(**raw))
        mode = "r" if memory_map else None
        # np.asarray: a plain read-only ndarray view of the map. Indexing an np.memmap
        # itself goes through its Python subclass hooks, which doubled search time.
        index.arrays = {
            name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode=mode)) for name in cls.ARRAYS
        }
        index.check()
        return index

    def check(self) -> None:
        """Raise ValueError unless the arrays fit together (a corrupt cache must not be used)."""
        a = self.arrays
        n_docs = len(a["doc_passage_ptr"]) - 1
        n_passages = len(a["passage_start"])
        consistent = (
            len(a["idf"]) == self.parameters.n_features
            and len(a["term_indptr"]) == self.parameters.n_features + 1
            and a["term_indptr"][-1] == len(a["term_indices"]) == len(a["term_data"])
            and len(a["passage_indptr"]) == n_passages + 1
            and a["passage_indptr"][-1] == len(a["passage_indices"]) == len(a["passage_data"])
            and len(a["passage_end"]) == len(a["passage_prior"]) == n_passages
            and a["doc_passage_ptr"][-1] == n_passages
            and n_docs >= 0
        )
        if not consistent:
            raise ValueError("index arrays are inconsistent")

    @property
    def n_documents(self) -> int:
        return len(self.arrays["doc_passage_ptr"]) - 1

    @property
    def n_passages(self) -> int:
        return len(self.arrays["passage_start"])

    # ---- question time ----------------------------------------------------------------
    # Per question, the work is a few dozen numpy calls on arrays the size of the
    # question's posting lists and of its best documents' passages: no Python loop over
    # documents or passages, and nothing proportional to the vocabulary.

    def query(self, text: str) -> Query:
        words = self.analyzer.words(text)
        # id → (weight, is a unigram); the first term to hash to an id decides (unigrams
        # come first). Plain Python on a dozen terms beats numpy's per-call overhead.
        found: dict[int, tuple[float, bool]] = {}
        cache = self._term_cache
        for term in self.analyzer.terms(words):
            entry = cache.get(term) or self._remember(term)
            found.setdefault(entry[0], entry[1])
        ids = sorted(found)
        entries = [found[i] for i in ids]
        return Query(
            term_ids=np.array(ids, dtype=np.int64),
            weights=np.array([weight for weight, _ in entries], dtype=np.float64),
            is_unigram=np.array([unigram for _, unigram in entries], dtype=bool),
            words=tuple(dict.fromkeys(words)),
        )

    def with_derived(self, query: Query, stems: Sequence[str], *, weight: float) -> Query:
        """The query plus derived word stems (unigrams), each at ``weight`` × its idf; a stem
        no passage holds, or one the query has already, is left out."""
        largest_idf = float(np.log1p(self.n_passages) + 1.0) - 1e-3
        extra: dict[int, float] = {}
        for stem in stems:
            column, (idf, _) = self._term_cache.get(stem) or self._remember(stem)
            if idf < largest_idf and column not in extra:
                extra[column] = weight * idf
        present = set(query.term_ids.tolist())
        extra = {column: w for column, w in extra.items() if column not in present}
        if not extra:
            return query
        ids = np.concatenate((query.term_ids, np.fromiter(extra, dtype=np.int64, count=len(extra))))
        order = np.argsort(ids, kind="stable")
        derived = np.concatenate((query.derived, np.ones(len(extra), dtype=bool)))
        return Query(
            term_ids=ids[order],
            weights=np.concatenate((query.weights, np.fromiter(extra.values(), dtype=np.float64)))[order],
            is_unigram=np.concatenate((query.is_unigram, np.zeros(len(extra), dtype=bool)))[order],
            words=query.words,
            is_derived=derived[order],
            derived_words=(*query.derived_words, *(s for s in stems if s)),
        )

    def _remember(self, term: str) -> tuple[int, tuple[float, bool]]:
        """A term's hashed column and query weight (idf, bigrams down-weighted), remembered:
        questions repeat their words."""
        if len(self._term_cache) >= _TERM_CACHE_SIZE:
            self._term_cache.clear()  # bounded memory; refills with what is asked
        column = term_id(term, self.parameters.n_features)
        unigram = " " not in term
        weight = float(self.arrays["idf"][column]) * (1.0 if unigram else self.parameters.bigram_weight)
        entry = self._term_cache[term] = (column, (weight, unigram))
        return entry

    def search(self, query: Query, *, limit: int) -> Candidates:
        """The ``limit`` best documents for the query (only those sharing a term with it)."""
        a = self.arrays
        n_docs = self.n_documents
        if len(query.term_ids) == 0 or n_docs == 0:
            return _no_candidates()
        # One pass over the terms' posting lists scores documents and passages at once.
        starts = a["term_indptr"][query.term_ids]
        lengths = a["term_indptr"][query.term_ids + 1] - starts
        positions = _concatenated_ranges(starts, lengths)
        rows = a["term_indices"][positions]
        term_weights = np.repeat(query.weights, lengths)
        scores = np.bincount(
            rows, weights=a["term_data"][positions] * term_weights, minlength=n_docs + self.n_passages
        )
        doc_scores, passage_scores = scores[:n_docs], scores[n_docs:]
        hit = self._best_documents(doc_scores, max(4 * limit, self.candidate_pool))
        if len(hit) == 0:
            return _no_candidates()
        best_passage = self._best_passages(passage_scores, hit)
        combined = (doc_scores[hit] + self.parameters.passage_weight * best_passage) / query.norm
        order = np.argsort(-combined, kind="stable")[:limit]
        top = hit[order]
        # A document's posting in a unigram's list means it contains that question word.
        unigram = np.repeat(query.is_unigram, lengths) & (rows < n_docs)
        matched_docs = rows[unigram]
        coverage = np.bincount(matched_docs, weights=term_weights[unigram], minlength=n_docs)
        matched = np.bincount(matched_docs, minlength=n_docs)
        return Candidates(
            documents=top,
            scores=combined[order],
            coverage=coverage[top] / (query.unigram_weight or 1.0),
            matched_terms=matched[top],
            best_passage=best_passage[order],
            all_passage_scores=passage_scores,
            doc_passage_ptr=a["doc_passage_ptr"],
        )

    def _best_passages(self, passage_scores: np.ndarray, documents: np.ndarray) -> np.ndarray:
        """Each (sorted, non-empty) document's best passage score, reading only its passages."""
        ptr = self.arrays["doc_passage_ptr"]
        bounds = np.empty(2 * len(documents), dtype=np.int64)
        bounds[0::2] = ptr[documents]
        bounds[1::2] = ptr[documents + 1]
        # reduceat over [first, last) pairs: even results are the documents' maxima; the
        # last bound is dropped when it is the array's end (the last range then runs to it).
        if bounds[-1] == len(passage_scores):
            bounds = bounds[:-1]
        return np.maximum.reduceat(passage_scores, bounds)[0::2]

    def _best_documents(self, doc_scores: np.ndarray, pool: int) -> np.ndarray:
        """The documents scoring at least the ``pool``-th best positive score, in document order.

        The threshold comes from sorting (numpy's sort is vectorised: measured several
        times faster here than argpartition, which is slow on arrays of many equal
        values): the whole array when small, else only its positive scores. Ties at the
        threshold all stay in, so the pool never depends on the order of equal scores.
        """
        if len(doc_scores) <= _SORT_ALL_BELOW:
            threshold = np.sort(doc_scores)[-pool] if pool < len(doc_scores) else 0.0
            return np.flatnonzero(doc_scores >= threshold) if threshold > 0 else np.flatnonzero(doc_scores)
        hit = np.flatnonzero(doc_scores)
        if len(hit) <= pool:
            return hit
        scores = doc_scores[hit]
        return hit[scores >= np.sort(scores)[len(scores) - pool]]

    def rows_of(self, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The passage numbers of the documents, concatenated, and how many each has."""
        ptr = self.arrays["doc_passage_ptr"]
        first = ptr[documents]
        counts = ptr[documents + 1] - first
        return _concatenated_ranges(first, counts), counts

    def score_rows(self, query: Query, rows: np.ndarray) -> RowScores:
        """Score the given passages against the query by scanning their (short) rows."""
        a = self.arrays
        indptr = a["passage_indptr"]
        row_starts = indptr[rows]
        row_lengths = indptr[rows + 1] - row_starts
        positions = _concatenated_ranges(row_starts, row_lengths)
        matches, matched_slots = query.match(a["passage_indices"][positions])
        matched_rows = np.searchsorted(np.cumsum(row_lengths), matches, side="right")
        scores = np.bincount(
            matched_rows,
            weights=a["passage_data"][positions[matches]] * query.weights[matched_slots],
            minlength=len(rows),
        )
        return RowScores(rows=rows, scores=scores, matched_rows=matched_rows, matched_slots=matched_slots)

    def expansion(self, query: Query, passages: np.ndarray, *, weight: float) -> Query:
        """Pseudo-relevance feedback: the query plus the terms of its best passages.

        Sources rarely use the question's words for what they assert ("based on a true
        story" / "draws inspiration from real-life events"); the best-matching passages
        bring the corpus's own wording for it into the query used to choose quotes.
        """
        a = self.arrays
        indptr = a["passage_indptr"]
        starts = indptr[passages]
        positions = _concatenated_ranges(starts, indptr[passages + 1] - starts)
        terms, inverse = np.unique(a["passage_indices"][positions], return_inverse=True)
        centroid = np.bincount(inverse, weights=a["passage_data"][positions]) / max(len(passages), 1)
        scale = weight * query.norm / (float(np.sqrt(np.dot(centroid, centroid))) or 1.0)
        ids = np.union1d(query.term_ids, terms)
        weights = np.zeros(len(ids))
        weights[np.searchsorted(ids, query.term_ids)] += query.weights
        weights[np.searchsorted(ids, terms)] += scale * centroid
        return Query(term_ids=ids, weights=weights, is_unigram=np.ones(len(ids), bool), words=query.words)

    def passage_scores(self, query: Query, documents: np.ndarray) -> list[np.ndarray]:
        """Score every passage of the given documents against the query, one array per document."""
        rows, counts = self.rows_of(documents)
        scores = self.score_rows(query, rows).scores
        bounds = np.cumsum(counts).tolist()
        return [scores[end - n : end] for end, n in zip(bounds, counts.tolist(), strict=True)]

    def passage_span(self, passage: int) -> tuple[int, int]:
        return int(self.arrays["passage_start"][passage]), int(self.arrays["passage_end"][passage])

    def document_spans(self, document: int) -> list[tuple[int, int]]:
        """(start, end) of each of the document's passages, in order."""
        passages = self.document_passages(document)
        a = self.arrays
        starts = a["passage_start"][passages.start : passages.stop].tolist()
        return list(zip(starts, a["passage_end"][passages.start : passages.stop].tolist(), strict=True))

    def document_passages(self, document: int) -> range:
        ptr = self.arrays["doc_passage_ptr"]
        return range(int(ptr[document]), int(ptr[document + 1]))
