"""Index time, split in two so that an index can be updated without reading text again.

1. ``count_passages``: each passage's term counts (scikit-learn's ``HashingVectorizer``
   with the shared analyser), each document's counts (the sum of its passages'), the
   passage spans and how quotable each passage is. This is the expensive part (analysing
   text); it depends on nothing but the document itself, so it runs in worker processes
   and its result is stored per document.
2. ``index_arrays``: from the counts of every document, the corpus-wide weights and the
   term-major posting lists that ``PassageIndex`` answers from. scikit-learn's
   ``TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm=None)`` learns the idf over
   passages and weighs documents and passages with it; rows are then divided by a power of
   their norm. A few passes over the stored counts, no text read: this is what an update
   re-runs, for the whole corpus, when a file changes.

scikit-learn is imported only here, at index time: answering a question needs neither it
nor its import time (question terms are hashed with the same MurmurHash3 by mmh3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.text.analysis import Analyzer

# A question or a heading asserts nothing, so it is a poor quote: its score for quoting
# is scaled down (not to zero: in a corpus of headlines it may be all there is).
QUESTION_PRIOR = 0.3
HEADING_PRIOR = 0.6
_SENTENCE_END = frozenset(".!\"”’'»)…")


@dataclass
class Counts:
    """Raw term counts of consecutive documents and their passages (CSR arrays; a
    document's counts are the sum of its passages')."""

    doc_passage_ptr: np.ndarray  # int64, n_docs + 1: where each document's passages start
    passage_start: np.ndarray  # int64 offsets into the document's quotable text
    passage_end: np.ndarray
    passage_prior: np.ndarray  # float32
    passage_indptr: np.ndarray  # int64
    passage_indices: np.ndarray  # int32 hashed term columns, sorted within a row
    passage_counts: np.ndarray  # float32 term counts
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
        return concatenate([self.slice(first, stop) for first, stop in runs])

    def slice(self, first: int, stop: int) -> Counts:
        """Documents [first, stop): views of these arrays, nothing copied."""
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


def _document_sums(
    indptr: np.ndarray,
    indices: np.ndarray,
    counts: np.ndarray,
    owner: np.ndarray,
    n_documents: int,
    n_features: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each document's counts (CSR): the sum of its passages' rows."""
    rows = np.repeat(owner.astype(np.int64), np.diff(indptr))
    unique, inverse = np.unique(rows * n_features + indices, return_inverse=True)
    sums = np.bincount(inverse.reshape(-1), weights=counts, minlength=len(unique)).astype(np.float32)
    doc_indptr = np.zeros(n_documents + 1, dtype=np.int64)
    np.cumsum(np.bincount(unique // n_features, minlength=n_documents), out=doc_indptr[1:])
    return doc_indptr, (unique % n_features).astype(np.int32), sums


def _hashed_counts(
    analyzer: Analyzer,
    n_features: int,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    total: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (indptr, indices, counts) of every passage's hashed term counts."""
    if total == 0:  # documents without a sentence: the hasher cannot take an empty input
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    from sklearn.feature_extraction.text import HashingVectorizer

    hasher = HashingVectorizer(
        analyzer=analyzer, n_features=n_features, alternate_sign=False, norm=None, dtype=np.float32
    )
    passages = (
        text[start:end] for text, text_spans in zip(texts, spans, strict=True) for start, end in text_spans
    )
    matrix = hasher.transform(passages).tocsr()
    matrix.sort_indices()
    return matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data


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
    indptr, indices, counts = _hashed_counts(analyzer, n_features, texts, spans, total)
    doc_indptr, doc_indices, doc_counts = _document_sums(
        indptr, indices, counts, owner, len(texts), n_features
    )
    return Counts(
        doc_passage_ptr=doc_passage_ptr,
        passage_start=passage_start,
        passage_end=passage_end,
        passage_prior=passage_priors(texts, owner, passage_start, passage_end),
        passage_indptr=indptr,
        passage_indices=indices,
        passage_counts=counts,
        doc_indptr=doc_indptr,
        doc_indices=doc_indices,
        doc_counts=doc_counts,
    )


def _tfidf_in_place(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n_docs: int, n_features: int
) -> np.ndarray:
    """scikit-learn's TF-IDF over the stacked matrix (documents' rows, then passages'):
    the idf learnt over the passages, then every row's counts turned into sublinear tf ×
    idf, in place (``data`` is this index's own copy of the stored counts). Returns the idf."""
    n_passages = len(indptr) - 1 - n_docs
    if n_passages == 0:  # nothing to learn from (documents without a sentence): idf is 1
        return np.ones(n_features, dtype=np.float32)
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    first = int(indptr[n_docs])
    passages = sp.csr_matrix(
        (data[first:], indices[first:], indptr[n_docs:] - first), shape=(n_passages, n_features), copy=False
    )
    tfidf = TfidfTransformer(norm=None, smooth_idf=True, sublinear_tf=True).fit(passages)
    stacked = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_features), copy=False)
    weighted = tfidf.transform(stacked, copy=False)
    if not np.shares_memory(weighted.data, data):  # scikit-learn copied after all
        data[:] = weighted.data
    return tfidf.idf_.astype(np.float32)


def _weigh_rows(indptr: np.ndarray, data: np.ndarray, rows: slice, exponent: float) -> None:
    """Divide each row in ``rows`` of a CSR matrix by its norm ** exponent, in place."""
    pointers = indptr[rows.start : rows.stop + 1]
    lengths = np.diff(pointers)
    first, last = int(pointers[0]), int(pointers[-1])
    norms = np.zeros(len(lengths), dtype=np.float32)
    filled = lengths > 0
    if filled.any():
        squares = np.square(data[first:last])
        norms[filled] = np.sqrt(np.add.reduceat(squares, (pointers[:-1][filled] - first).astype(np.intp)))
    scale = np.zeros(len(lengths), dtype=np.float32)
    nonzero = norms > 0
    scale[nonzero] = norms[nonzero] ** -exponent
    data[first:last] *= np.repeat(scale, lengths.astype(np.intp))


Allocate = Callable[[str, int, type], np.ndarray]


def _in_memory(name: str, length: int, dtype: type) -> np.ndarray:
    return np.empty(length, dtype=dtype)


def _to_csc(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n_columns: int, allocate: Allocate
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR → CSC (row indices sorted within each column), written into arrays from
    ``allocate`` (memory-mapped files, when saving): the largest arrays of the index are
    then written once, as they are computed."""
    term_indices = allocate("term_indices", len(indices), np.int32)
    term_data = allocate("term_data", len(indices), np.float32)
    pointers = np.empty(n_columns + 1, dtype=indptr.dtype)
    try:
        from scipy.sparse import _sparsetools  # what csr_matrix.tocsc calls, with our outputs

        wide = indptr.dtype != np.int32
        rows = np.empty(len(indices), dtype=indptr.dtype) if wide else term_indices
        _sparsetools.csr_tocsc(
            len(indptr) - 1, n_columns, indptr, indices.astype(indptr.dtype, copy=False), data,
            pointers, rows, term_data,
        )  # fmt: skip
        if wide:
            term_indices[:] = rows
    except (ImportError, AttributeError, TypeError, ValueError):  # another scipy: its public API
        import scipy.sparse as sp

        stacked = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_columns)).tocsc()
        pointers, term_indices[:], term_data[:] = stacked.indptr, stacked.indices, stacked.data
    term_indptr = allocate("term_indptr", n_columns + 1, np.int64)
    term_indptr[:] = pointers
    return term_indptr, term_indices, term_data


def index_arrays(
    parts: Sequence[Counts],
    n_features: int,
    document_norm_exponent: float,
    passage_norm_exponent: float,
    allocate: Allocate = _in_memory,
) -> dict[str, np.ndarray]:
    """The arrays of a ``PassageIndex`` (see its ARRAYS) from the counts of the corpus's
    documents, given as consecutive parts (e.g. slices of stored segments).

    Documents and passages are laid out as one CSR matrix, documents' rows first, copied
    once from the parts; weighted in place; and turned term-major by one CSR → CSC
    conversion: a column of that matrix is exactly the stacked posting list (document
    rows, then passage rows offset by the number of documents) that questions read.
    """
    parts = list(parts) or [empty_counts()]
    n_docs = sum(part.n_documents for part in parts)
    n_passages = sum(part.n_passages for part in parts)
    doc_nnz = sum(len(part.doc_indices) for part in parts)
    nnz = doc_nnz + sum(len(part.passage_indices) for part in parts)
    index_type = np.int32 if nnz < np.iinfo(np.int32).max else np.int64
    indptr = np.empty(n_docs + n_passages + 1, dtype=index_type)
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float32)
    indptr[0] = 0
    row, entry = 0, 0
    for kind in ("doc", "passage"):
        for part in parts:
            part_indptr = np.asarray(getattr(part, f"{kind}_indptr"))
            n_rows, n_entries = len(part_indptr) - 1, int(part_indptr[-1])
            indptr[row + 1 : row + 1 + n_rows] = part_indptr[1:] + entry
            indices[entry : entry + n_entries] = getattr(part, f"{kind}_indices")
            data[entry : entry + n_entries] = getattr(part, f"{kind}_counts")
            row, entry = row + n_rows, entry + n_entries
    idf = _tfidf_in_place(indptr, indices, data, n_docs, n_features)
    _weigh_rows(indptr, data, slice(0, n_docs), document_norm_exponent)
    _weigh_rows(indptr, data, slice(n_docs, n_docs + n_passages), passage_norm_exponent)
    term_indptr, term_indices, term_data = _to_csc(indptr, indices, data, n_features, allocate)

    def joined(name: str, dtype: type) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(part, name)) for part in parts]).astype(dtype, copy=False)

    return {
        "idf": idf,
        "term_indptr": term_indptr,
        "term_indices": term_indices,
        "term_data": term_data,
        "passage_indptr": (indptr[n_docs:] - indptr[n_docs]).astype(np.int64),
        "passage_indices": indices[doc_nnz:],
        "passage_data": data[doc_nnz:],
        "doc_passage_ptr": _concatenate_pointers([part.doc_passage_ptr for part in parts]),
        "passage_start": joined("passage_start", np.int64),
        "passage_end": joined("passage_end", np.int64),
        "passage_prior": joined("passage_prior", np.float32),
    }
