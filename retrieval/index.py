"""Passages → a TF-IDF index that scores only the posting lists of a question's terms.

Index time (scikit-learn): HashingVectorizer counts each passage's terms, a document's
counts are the sum of its passages', TfidfTransformer learns the IDF and weights both
with sublinear tf. IDF is counted over passages, not documents: it measured better on
SQuAD and stays informative in a corpus of only a few documents. Each row is divided by a
power of its norm (cosine normalisation over-penalises long texts) so that, at question
time, a score is just a sum of stored weights: nothing is fitted, normalised or
vectorised per question.

Question time: the question's terms are hashed to columns; a column of the document
matrix (CSC) is that term's posting list. Documents are scored from those lists alone,
the best candidates' passages (CSR rows, contiguous per document) are scored the same
way, and the two scores are combined.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from retrieval.analysis import N_FEATURES, Analyzer, term_ids


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

    @property
    def norm(self) -> float:
        return float(np.sqrt(np.dot(self.weights, self.weights))) or 1.0

    @property
    def unigram_weight(self) -> float:
        return float(self.weights[self.is_unigram].sum())


@dataclass(frozen=True)
class Candidates:
    """Documents that match a query, best first, with what the relevance floor needs."""

    documents: np.ndarray  # document numbers
    scores: np.ndarray  # combined score / query norm
    coverage: np.ndarray  # share of the question's unigram weight the document contains
    matched_terms: np.ndarray  # how many distinct question words it contains
    passage_scores: list[np.ndarray]  # per candidate: score of each of its passages


def _concatenated_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)]) without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets


# A question or a heading asserts nothing, so it is a poor quote: its score for quoting
# is scaled down (not to zero: in a corpus of headlines it may be all there is).
QUESTION_PRIOR = 0.3
HEADING_PRIOR = 0.6
_SENTENCE_END = frozenset(".!\"”’'»)…")


def passage_priors(
    texts: Sequence[str], owner: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """How quotable each passage is as a statement, from how it ends."""
    priors = np.ones(len(starts), dtype=np.float32)
    for number, (doc, end) in enumerate(zip(owner, ends, strict=True)):
        last = texts[doc][end - 1]
        if last == "?":
            priors[number] = QUESTION_PRIOR
        elif last not in _SENTENCE_END:
            priors[number] = HEADING_PRIOR
    return priors


class PassageIndex:
    """TF-IDF over passages and documents, stored as flat arrays (memory-mappable)."""

    ARRAYS = (
        "idf",
        "doc_indptr",
        "doc_indices",
        "doc_data",
        "passage_indptr",
        "passage_indices",
        "passage_data",
        "doc_passage_ptr",
        "passage_start",
        "passage_end",
        "passage_prior",
    )

    def __init__(self, parameters: IndexParameters | None = None) -> None:
        self.parameters = parameters or IndexParameters()
        self.analyzer = Analyzer(ngram_range=self.parameters.ngram_range)
        self.arrays: dict[str, np.ndarray] = {}

    # ---- index time -------------------------------------------------------------------
    def fit(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> PassageIndex:
        """Index documents given their texts and each one's passage spans (start, end)."""
        params = self.parameters
        counts = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))
        doc_passage_ptr = np.concatenate(([0], np.cumsum(counts)))
        passage_start = np.fromiter((a for s in spans for a, _ in s), dtype=np.int64, count=int(counts.sum()))
        passage_end = np.fromiter((b for s in spans for _, b in s), dtype=np.int64, count=int(counts.sum()))
        owner = np.repeat(np.arange(len(texts)), counts)
        passages = (texts[d][a:b] for d, a, b in zip(owner, passage_start, passage_end, strict=True))

        hasher = HashingVectorizer(
            analyzer=self.analyzer, n_features=params.n_features, alternate_sign=False, norm=None
        )
        passage_counts = hasher.transform(passages).astype(np.float32).tocsr()
        membership = sp.csr_matrix(
            (np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
            shape=(len(texts), len(owner)),
        )
        doc_counts = (membership @ passage_counts).tocsr()
        tfidf = TfidfTransformer(sublinear_tf=True, norm=None, smooth_idf=True).fit(passage_counts)
        idf = tfidf.idf_.astype(np.float32)

        doc_weights = self._weigh(tfidf.transform(doc_counts), params.document_norm_exponent).tocsc()
        passage_weights = self._weigh(tfidf.transform(passage_counts), params.passage_norm_exponent).tocsr()
        doc_weights.sort_indices()
        passage_weights.sort_indices()
        self.arrays = {
            "idf": idf,
            "doc_indptr": doc_weights.indptr.astype(np.int64),
            "doc_indices": doc_weights.indices.astype(np.int32),
            "doc_data": doc_weights.data.astype(np.float32),
            "passage_indptr": passage_weights.indptr.astype(np.int64),
            "passage_indices": passage_weights.indices.astype(np.int32),
            "passage_data": passage_weights.data.astype(np.float32),
            "doc_passage_ptr": doc_passage_ptr,
            "passage_start": passage_start,
            "passage_end": passage_end,
            "passage_prior": passage_priors(texts, owner, passage_start, passage_end),
        }
        return self

    @staticmethod
    def _weigh(matrix: sp.spmatrix, exponent: float) -> sp.csr_matrix:
        matrix = sp.csr_matrix(matrix, dtype=np.float32)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        scale = np.zeros_like(norms)
        nonzero = norms > 0
        scale[nonzero] = norms[nonzero] ** -exponent
        return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ matrix)

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
        index.arrays = {name: np.load(folder / f"{name}.npy", mmap_mode=mode) for name in cls.ARRAYS}
        index.check()
        return index

    def check(self) -> None:
        """Raise ValueError unless the arrays fit together (a corrupt cache must not be used)."""
        a = self.arrays
        n_docs = len(a["doc_passage_ptr"]) - 1
        n_passages = len(a["passage_start"])
        consistent = (
            len(a["idf"]) == self.parameters.n_features
            and len(a["doc_indptr"]) == self.parameters.n_features + 1
            and a["doc_indptr"][-1] == len(a["doc_indices"]) == len(a["doc_data"])
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
    def query(self, text: str) -> Query:
        terms = self.analyzer(text)
        words = tuple(dict.fromkeys(self.analyzer.words(text)))
        unique_terms = list(dict.fromkeys(terms))
        ids = term_ids(unique_terms, self.parameters.n_features)
        is_unigram = np.fromiter((" " not in t for t in unique_terms), dtype=bool, count=len(unique_terms))
        ids, first = np.unique(ids, return_index=True)
        is_unigram = is_unigram[first]
        weights = self.arrays["idf"][ids].astype(np.float64)
        weights[~is_unigram] *= self.parameters.bigram_weight
        return Query(term_ids=ids, weights=weights, is_unigram=is_unigram, words=words)

    def search(self, query: Query, *, limit: int) -> Candidates:
        """The ``limit`` best documents for the query (only those sharing a term with it)."""
        a = self.arrays
        starts, ends = a["doc_indptr"][query.term_ids], a["doc_indptr"][query.term_ids + 1]
        positions = _concatenated_ranges(starts, ends)
        lengths = ends - starts
        docs = a["doc_indices"][positions]
        term_weight = np.repeat(query.weights, lengths)
        doc_scores = np.bincount(
            docs, weights=a["doc_data"][positions] * term_weight, minlength=self.n_documents
        )

        unigram = np.repeat(query.is_unigram, lengths)
        coverage = np.bincount(docs[unigram], weights=term_weight[unigram], minlength=self.n_documents)
        matched = np.bincount(docs[unigram], minlength=self.n_documents)

        hit = np.flatnonzero(doc_scores > 0)
        pool = min(len(hit), max(4 * limit, 20))
        if pool < len(hit):
            hit = hit[np.argpartition(-doc_scores[hit], pool - 1)[:pool]]
        passage_scores = self.passage_scores(query, hit)
        best_passage = np.array([s.max() if len(s) else 0.0 for s in passage_scores])
        combined = (doc_scores[hit] + self.parameters.passage_weight * best_passage) / query.norm
        order = np.argsort(-combined, kind="stable")[:limit]
        total = query.unigram_weight or 1.0
        return Candidates(
            documents=hit[order],
            scores=combined[order],
            coverage=coverage[hit[order]] / total,
            matched_terms=matched[hit[order]],
            passage_scores=[passage_scores[i] for i in order],
        )

    def expansion(self, query: Query, passages: np.ndarray, *, weight: float) -> Query:
        """Pseudo-relevance feedback: the query plus the terms of its best passages.

        Sources rarely use the question's words for what they assert ("based on a true
        story" / "draws inspiration from real-life events"); the best-matching passages
        bring the corpus's own wording for it into the query used to choose quotes.
        """
        a = self.arrays
        positions = _concatenated_ranges(a["passage_indptr"][passages], a["passage_indptr"][passages + 1])
        terms, inverse = np.unique(a["passage_indices"][positions], return_inverse=True)
        centroid = np.bincount(inverse, weights=a["passage_data"][positions]) / max(len(passages), 1)
        scale = weight * query.norm / (float(np.sqrt(np.dot(centroid, centroid))) or 1.0)
        ids = np.union1d(query.term_ids, terms)
        weights = np.zeros(len(ids))
        weights[np.searchsorted(ids, query.term_ids)] += query.weights
        weights[np.searchsorted(ids, terms)] += scale * centroid
        return Query(term_ids=ids, weights=weights, is_unigram=np.ones(len(ids), bool), words=query.words)

    def passage_scores(self, query: Query, documents: np.ndarray) -> list[np.ndarray]:
        """Score every passage of the given documents against the query, in one pass."""
        a = self.arrays
        first, last = a["doc_passage_ptr"][documents], a["doc_passage_ptr"][documents + 1]
        rows = _concatenated_ranges(first, last)
        row_starts, row_ends = a["passage_indptr"][rows], a["passage_indptr"][rows + 1]
        positions = _concatenated_ranges(row_starts, row_ends)
        row_of_entry = np.repeat(np.arange(len(rows)), row_ends - row_starts)
        terms = a["passage_indices"][positions]
        slot = np.searchsorted(query.term_ids, terms).clip(max=len(query.term_ids) - 1)
        hit = query.term_ids[slot] == terms if len(query.term_ids) else np.zeros(len(terms), bool)
        scores = np.bincount(
            row_of_entry[hit],
            weights=a["passage_data"][positions[hit]] * query.weights[slot[hit]],
            minlength=len(rows),
        )
        return np.split(scores, np.cumsum(last - first)[:-1])

    def passage_span(self, passage: int) -> tuple[int, int]:
        return int(self.arrays["passage_start"][passage]), int(self.arrays["passage_end"][passage])

    def document_passages(self, document: int) -> range:
        ptr = self.arrays["doc_passage_ptr"]
        return range(int(ptr[document]), int(ptr[document + 1]))
