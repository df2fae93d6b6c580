"""Index time, split in two so that an index can be updated without reading text again.

1. ``count_passages``: each passage's term counts (scikit-learn's HashingVectorizer with
   the shared analyser), each document's counts (the sum of its passages'), the passage
   spans and how quotable each passage is. This is the expensive part (analysing text);
   it depends on nothing but the document itself, so it runs in worker processes and its
   result is stored per document.
2. ``index_arrays``: from the counts of every document, the corpus-wide weights (passage
   idf, sublinear tf, rows divided by a power of their norm) and the term-major posting
   lists that ``PassageIndex`` answers from. A few numpy passes over the stored counts:
   this is what an update re-runs, for the whole corpus, when a file changes.

The weights are those of scikit-learn's ``TfidfTransformer(sublinear_tf=True,
smooth_idf=True, norm=None)``: idf = ln((1 + n) / (1 + df)) + 1 over passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from retrieval.text.analysis import Analyzer

# A question or a heading asserts nothing, so it is a poor quote: its score for quoting
# is scaled down (not to zero: in a corpus of headlines it may be all there is).
QUESTION_PRIOR = 0.3
HEADING_PRIOR = 0.6
_SENTENCE_END = frozenset(".!\"”’'»)…")
_STACK_BLOCK = 1 << 16


@dataclass
class Counts:
    """Term counts of consecutive documents and their passages (CSR arrays, raw counts)."""

    doc_passage_ptr: np.ndarray  # int64, n_docs + 1: where each document's passages start
    passage_start: np.ndarray  # int64 offsets into the document's quotable text
    passage_end: np.ndarray
    passage_prior: np.ndarray  # float32
    passage_indptr: np.ndarray  # int64
    passage_indices: np.ndarray  # int32 hashed term columns, sorted within a row
    passage_counts: np.ndarray  # float32 raw counts
    doc_indptr: np.ndarray
    doc_indices: np.ndarray
    doc_counts: np.ndarray

    FIELDS = (
        "doc_passage_ptr",
        "passage_start",
        "passage_end",
        "passage_prior",
        "passage_indptr",
        "passage_indices",
        "passage_counts",
        "doc_indptr",
        "doc_indices",
        "doc_counts",
    )

    @property
    def n_documents(self) -> int:
        return len(self.doc_passage_ptr) - 1

    @property
    def n_passages(self) -> int:
        return len(self.passage_start)

    def take(self, runs: Sequence[tuple[int, int]]) -> Counts:
        """The documents in ``runs`` ([first, stop) document ranges), in that order."""
        return concatenate([self._slice(first, stop) for first, stop in runs])

    def _slice(self, first: int, stop: int) -> Counts:
        p0, p1 = int(self.doc_passage_ptr[first]), int(self.doc_passage_ptr[stop])
        e0, e1 = int(self.passage_indptr[p0]), int(self.passage_indptr[p1])
        d0, d1 = int(self.doc_indptr[first]), int(self.doc_indptr[stop])
        return Counts(
            doc_passage_ptr=np.asarray(self.doc_passage_ptr[first : stop + 1]) - p0,
            passage_start=self.passage_start[p0:p1],
            passage_end=self.passage_end[p0:p1],
            passage_prior=self.passage_prior[p0:p1],
            passage_indptr=np.asarray(self.passage_indptr[p0 : p1 + 1]) - e0,
            passage_indices=self.passage_indices[e0:e1],
            passage_counts=self.passage_counts[e0:e1],
            doc_indptr=np.asarray(self.doc_indptr[first : stop + 1]) - d0,
            doc_indices=self.doc_indices[d0:d1],
            doc_counts=self.doc_counts[d0:d1],
        )


def _concatenate_pointers(pointers: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate CSR-style pointer arrays (each starting at 0) into one."""
    out = np.empty(sum(len(p) - 1 for p in pointers) + 1, dtype=np.int64)
    out[0] = 0
    position, total = 1, 0
    for pointer in pointers:
        n = len(pointer) - 1
        out[position : position + n] = np.asarray(pointer[1:], dtype=np.int64) + total
        position += n
        total += int(pointer[-1])
    return out


def concatenate(parts: Sequence[Counts]) -> Counts:
    """The documents of several Counts, one after the other."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return empty_counts()

    def joined(name: str, dtype: type) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(part, name)) for part in parts]).astype(dtype, copy=False)

    return Counts(
        doc_passage_ptr=_concatenate_pointers([part.doc_passage_ptr for part in parts]),
        passage_start=joined("passage_start", np.int64),
        passage_end=joined("passage_end", np.int64),
        passage_prior=joined("passage_prior", np.float32),
        passage_indptr=_concatenate_pointers([part.passage_indptr for part in parts]),
        passage_indices=joined("passage_indices", np.int32),
        passage_counts=joined("passage_counts", np.float32),
        doc_indptr=_concatenate_pointers([part.doc_indptr for part in parts]),
        doc_indices=joined("doc_indices", np.int32),
        doc_counts=joined("doc_counts", np.float32),
    )


def empty_counts() -> Counts:
    zero = np.zeros(1, dtype=np.int64)
    none_i, none_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return Counts(zero, none_i, none_i, none_f, zero, none_i.astype(np.int32), none_f, zero, none_i, none_f)


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


def count_passages(
    analyzer: Analyzer, n_features: int, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
) -> Counts:
    """Term counts of every passage (``texts[d][start:end]`` for each span of document d)."""
    per_doc = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))
    doc_passage_ptr = np.concatenate(([0], np.cumsum(per_doc))).astype(np.int64)
    total = int(per_doc.sum())
    passage_start = np.fromiter((a for s in spans for a, _ in s), dtype=np.int64, count=total)
    passage_end = np.fromiter((b for s in spans for _, b in s), dtype=np.int64, count=total)
    owner = np.repeat(np.arange(len(texts)), per_doc)
    passages = (texts[d][a:b] for d, a, b in zip(owner, passage_start, passage_end, strict=True))
    hasher = HashingVectorizer(analyzer=analyzer, n_features=n_features, alternate_sign=False, norm=None)
    passage_matrix = hasher.transform(passages).astype(np.float32).tocsr()
    passage_matrix.sort_indices()
    membership = sp.csr_matrix(
        (np.ones(total, dtype=np.float32), (owner, np.arange(total))), shape=(len(texts), total)
    )
    doc_matrix = (membership @ passage_matrix).tocsr()
    doc_matrix.sort_indices()
    return Counts(
        doc_passage_ptr=doc_passage_ptr,
        passage_start=passage_start,
        passage_end=passage_end,
        passage_prior=passage_priors(texts, owner, passage_start, passage_end),
        passage_indptr=passage_matrix.indptr.astype(np.int64),
        passage_indices=passage_matrix.indices.astype(np.int32),
        passage_counts=passage_matrix.data.astype(np.float32),
        doc_indptr=doc_matrix.indptr.astype(np.int64),
        doc_indices=doc_matrix.indices.astype(np.int32),
        doc_counts=doc_matrix.data.astype(np.float32),
    )


def passage_idf(counts: Counts, n_features: int) -> np.ndarray:
    """Smoothed idf over passages: ln((1 + n) / (1 + df)) + 1."""
    df = np.bincount(counts.passage_indices, minlength=n_features).astype(np.float64)
    return (np.log((1 + counts.n_passages) / (1 + df)) + 1).astype(np.float32)


def _weights(
    indptr: np.ndarray, indices: np.ndarray, raw: np.ndarray, idf: np.ndarray, exponent: float
) -> np.ndarray:
    """Sublinear tf × idf, each row divided by its norm ** exponent (float32)."""
    weights = np.log(raw, dtype=np.float32)
    weights += 1
    weights *= idf[indices]
    rows = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    norms = np.sqrt(
        np.bincount(rows, weights=np.square(weights, dtype=np.float64), minlength=len(indptr) - 1)
    )
    scale = np.zeros(len(norms), dtype=np.float32)
    nonzero = norms > 0
    scale[nonzero] = norms[nonzero] ** -exponent
    weights *= scale[rows]
    return weights


def _stack_postings(
    docs: sp.csc_matrix, passages: sp.csc_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One term-major posting list per term over documents then passages: rows below the
    number of documents are documents, the rest passages (offset by it). A question then
    scores both in one pass. Built column block by column block to bound memory."""
    n_docs = docs.shape[0]
    indptr = docs.indptr.astype(np.int64) + passages.indptr.astype(np.int64)
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1], dtype=np.float32)
    n_terms = len(indptr) - 1
    for first in range(0, n_terms, _STACK_BLOCK):
        last = min(first + _STACK_BLOCK, n_terms)
        # A document entry moves right by the passage entries of the columns before its
        # own; a passage entry by the document entries of its own column and those before.
        for source, shift, offset in ((docs, passages.indptr, 0), (passages, docs.indptr[1:], n_docs)):
            lo, hi = int(source.indptr[first]), int(source.indptr[last])
            lengths = np.diff(source.indptr[first : last + 1])
            target = np.arange(lo, hi, dtype=np.int64) + np.repeat(
                shift[first:last].astype(np.int64), lengths
            )
            indices[target] = source.indices[lo:hi] + offset
            data[target] = source.data[lo:hi]
    return indptr, indices, data


def index_arrays(
    counts: Counts, n_features: int, document_norm_exponent: float, passage_norm_exponent: float
) -> dict[str, np.ndarray]:
    """The arrays of a ``PassageIndex`` (see its ARRAYS) from the corpus's counts."""
    idf = passage_idf(counts, n_features)
    n_docs, n_passages = counts.n_documents, counts.n_passages
    passage_indptr = np.asarray(counts.passage_indptr, dtype=np.int64)
    passage_indices = np.asarray(counts.passage_indices, dtype=np.int32)
    passage_data = _weights(
        passage_indptr, passage_indices, counts.passage_counts, idf, passage_norm_exponent
    )
    doc_weights = sp.csr_matrix(
        (
            _weights(counts.doc_indptr, counts.doc_indices, counts.doc_counts, idf, document_norm_exponent),
            counts.doc_indices,
            counts.doc_indptr,
        ),
        shape=(n_docs, n_features),
    ).tocsc()
    passage_csc = sp.csr_matrix(
        (passage_data, passage_indices, passage_indptr), shape=(n_passages, n_features)
    ).tocsc()
    term_indptr, term_indices, term_data = _stack_postings(doc_weights, passage_csc)
    del doc_weights, passage_csc
    return {
        "idf": idf,
        "term_indptr": term_indptr,
        "term_indices": term_indices,
        "term_data": term_data,
        "passage_indptr": passage_indptr,
        "passage_indices": passage_indices,
        "passage_data": passage_data,
        "doc_passage_ptr": np.asarray(counts.doc_passage_ptr, dtype=np.int64),
        "passage_start": np.asarray(counts.passage_start, dtype=np.int64),
        "passage_end": np.asarray(counts.passage_end, dtype=np.int64),
        "passage_prior": np.asarray(counts.passage_prior, dtype=np.float32),
    }
