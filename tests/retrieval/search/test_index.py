"""The passage index: question-time scoring equals plain sparse-matrix scoring, saved
indexes load as plain arrays, and the per-question shortcuts give the same answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.search.index import PassageIndex, Query, _concatenated_ranges
from retrieval.text.sentences import sentence_spans

TEXTS = [
    "The cat sat on the mat. The dog chased the cat around the garden.",
    "Dogs are loyal animals. A dog guards the house at night.",
    "The garden has roses and tulips. Roses bloom in June.",
    "Quantum computers use qubits. A qubit can be in a superposition.",
    "Cats sleep most of the day. A cat purrs when it is happy.",
]
QUESTIONS = [
    "Which animal sat on the mat?",
    "What do dogs guard at night?",
    "When do roses bloom in the garden?",
    "What is a qubit?",
    "Do cats purr when happy?",
    "Nothing here matches zebras",
]


@pytest.fixture(scope="module")
def index() -> PassageIndex:
    return PassageIndex().fit(TEXTS, [sentence_spans(t) for t in TEXTS])


def _matrix(index: PassageIndex, prefix: str, shape: tuple[int, int], kind: type) -> sp.spmatrix:
    a = index.arrays
    return kind((a[f"{prefix}_data"], a[f"{prefix}_indices"], a[f"{prefix}_indptr"]), shape=shape)


def _doc_matrix(index: PassageIndex) -> sp.csr_matrix:
    """Documents × terms, from the stacked posting lists (documents are their first rows)."""
    rows = index.n_documents + index.n_passages
    return _matrix(index, "term", (rows, index.parameters.n_features), sp.csc_matrix)[
        : index.n_documents
    ].tocsr()


def test_stacked_postings_hold_the_passage_rows_after_the_documents(index: PassageIndex) -> None:
    rows = index.n_documents + index.n_passages
    stacked = _matrix(index, "term", (rows, index.parameters.n_features), sp.csc_matrix).tocsr()
    passages = _matrix(index, "passage", (index.n_passages, index.parameters.n_features), sp.csr_matrix)
    assert (stacked[index.n_documents :] != passages).nnz == 0
    assert stacked[: index.n_documents].nnz > 0


def _dense_passage_scores(index: PassageIndex, query: Query) -> np.ndarray:
    """Every passage's score the slow way: a sparse row matrix times a dense query vector."""
    vector = np.zeros(index.parameters.n_features)
    vector[query.term_ids] = query.weights
    shape = (index.n_passages, index.parameters.n_features)
    return _matrix(index, "passage", shape, sp.csr_matrix) @ vector


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 5)), max_size=8))
def test_concatenated_ranges_is_a_loop_of_aranges(ranges: list[tuple[int, int]]) -> None:
    starts = np.array([s for s, _ in ranges], dtype=np.int64)
    lengths = np.array([n for _, n in ranges], dtype=np.int64)
    expected = [i for s, n in ranges for i in range(s, s + n)]
    assert _concatenated_ranges(starts, lengths).tolist() == expected


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_scores_match_sparse_matrix_products(index: PassageIndex, question: str) -> None:
    """Posting-list scoring gives what multiplying the stored matrices by the query gives."""
    query = index.query(question)
    vector = np.zeros(index.parameters.n_features)
    vector[query.term_ids] = query.weights
    doc_scores = _doc_matrix(index) @ vector
    passages = _dense_passage_scores(index, query)
    ptr = index.arrays["doc_passage_ptr"]
    best = np.array([passages[ptr[d] : ptr[d + 1]].max() for d in range(index.n_documents)])
    combined = (doc_scores + index.parameters.passage_weight * best) / query.norm

    found = index.search(query, limit=3)
    expected = [d for d in np.argsort(-combined, kind="stable") if doc_scores[d] > 0][:3]
    assert found.documents.tolist() == expected
    np.testing.assert_allclose(found.scores, combined[expected], rtol=1e-6)
    np.testing.assert_allclose(found.best_passage, best[expected], rtol=1e-6)


@pytest.mark.parametrize("question", QUESTIONS)
def test_coverage_counts_the_question_words_a_document_contains(index: PassageIndex, question: str) -> None:
    query = index.query(question)
    found = index.search(query, limit=5)
    doc_terms = _doc_matrix(index)
    for number, coverage, matched in zip(found.documents, found.coverage, found.matched_terms, strict=True):
        present = np.isin(query.term_ids, doc_terms[number].indices) & query.is_unigram
        assert matched == present.sum()
        assert coverage == pytest.approx(query.weights[present].sum() / query.unigram_weight)


@pytest.mark.parametrize("question", QUESTIONS)
def test_score_rows_matches_sparse_matrix_products(index: PassageIndex, question: str) -> None:
    """Scanning passage rows (quote selection) and posting lists (search) agree with the matrices."""
    query = index.query(question)
    rows = np.arange(index.n_passages)
    dense = _dense_passage_scores(index, query)
    np.testing.assert_allclose(index.score_rows(query, rows).scores, dense, rtol=1e-6)
    found = index.search(query, limit=5)
    ptr = index.arrays["doc_passage_ptr"]
    for number, scores in zip(found.documents, found.passage_scores, strict=True):
        np.testing.assert_allclose(scores, dense[ptr[number] : ptr[number + 1]], rtol=1e-6)


def test_a_question_with_no_indexed_term_finds_nothing(index: PassageIndex) -> None:
    assert len(index.search(index.query("the of and"), limit=5).documents) == 0
    assert len(index.search(index.query("zebras xylophones"), limit=5).documents) == 0


def test_saved_index_loads_as_plain_read_only_arrays(index: PassageIndex, tmp_path: Path) -> None:
    """Memory-mapped, but not np.memmap objects: their indexing hooks doubled search time."""
    index.save(tmp_path)
    loaded = PassageIndex.load(tmp_path)
    for name, array in loaded.arrays.items():
        assert type(array) is np.ndarray and not array.flags.writeable, name
        np.testing.assert_array_equal(array, index.arrays[name])
    for question in QUESTIONS:
        a, b = index.search(index.query(question), limit=5), loaded.search(loaded.query(question), limit=5)
        assert a.documents.tolist() == b.documents.tolist()


def test_term_ids_are_remembered_within_a_bound(index: PassageIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("retrieval.search.index._TERM_CACHE_SIZE", 3)
    index._term_cache.clear()
    first = index.query("cat dog garden roses")
    assert len(index._term_cache) <= 3
    assert index.query("cat dog garden roses").term_ids.tolist() == first.term_ids.tolist()


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["cat", "dog", "garden", "roses", "qubit", "night", "happy", "mat"]), max_size=6)
)
def test_document_spans_are_the_passages(words: list[str]) -> None:
    idx = PassageIndex().fit(TEXTS, [sentence_spans(t) for t in TEXTS])
    for document, text in enumerate(TEXTS):
        assert idx.document_spans(document) == sentence_spans(text)
    found = idx.search(idx.query(" ".join(words) or "cat"), limit=2)
    assert len(found.documents) <= 2


@settings(max_examples=200)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=20))
def test_question_terms_hash_to_the_columns_scikit_learn_indexed_them_in(terms: list[str]) -> None:
    """Questions are hashed without scikit-learn (mmh3, no import at question time); every
    term lands in the column scikit-learn's HashingVectorizer gives it at index time, or a
    question word would miss its postings."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from retrieval.text.analysis import N_FEATURES, term_id

    terms = [term for term in terms if not any("\ud800" <= ch <= "\udfff" for ch in term)]
    hasher = HashingVectorizer(
        analyzer=lambda _: terms, n_features=N_FEATURES, alternate_sign=False, norm=None
    )
    expected = hasher.transform([""]).indices
    assert sorted({term_id(term) for term in terms}) == sorted(expected.tolist())
