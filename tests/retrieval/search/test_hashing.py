"""Index-time term counts: exactly what scikit-learn's HashingVectorizer counts with the
shared analyser (same terms, same columns, same values), however the counting is done."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from retrieval.search import hashing
from retrieval.search.hashing import TermHasher
from retrieval.text.analysis import ENGLISH_STOP_WORDS, Analyzer, term_id, term_ids
from retrieval.text.sentences import sentence_spans
from tests.conftest import DEFAULT_CORPUS

N_FEATURES = 2**21


def _seed_texts() -> list[str]:
    texts = [path.read_text() for path in sorted(DEFAULT_CORPUS.glob("*.md"))]
    assert len(texts) >= 2
    return texts


def _hashing_vectorizer(analyzer: Analyzer, texts: list[str], spans: list[list[tuple[int, int]]]):
    passages = [text[a:b] for text, text_spans in zip(texts, spans, strict=True) for a, b in text_spans]
    vectorizer = HashingVectorizer(analyzer=analyzer, n_features=N_FEATURES, alternate_sign=False, norm=None)
    matrix = vectorizer.transform(passages).astype(np.float32).tocsr()
    matrix.sort_indices()
    return matrix


def _assert_same_counts(hasher: TermHasher, texts: list[str], spans: list[list[tuple[int, int]]]) -> None:
    indptr, indices, counts = hasher.count(texts, spans)
    expected = _hashing_vectorizer(hasher.analyzer, texts, spans)
    assert indptr.tolist() == expected.indptr.tolist()
    assert indices.tolist() == expected.indices.tolist()
    assert counts.dtype == np.float32
    assert counts.tolist() == expected.data.tolist()


@pytest.mark.parametrize("ngram_range", [(1, 2), (1, 1), (2, 2), (1, 3)])
def test_counts_equal_hashing_vectorizers_on_real_articles(ngram_range: tuple[int, int]) -> None:
    """On the seed articles, every passage's counts are HashingVectorizer's, for the fast
    path (unigrams, bigrams) and the general one, and again once the hasher has seen them."""
    texts = _seed_texts()
    spans = [sentence_spans(text) for text in texts]
    hasher = TermHasher(Analyzer(ngram_range=ngram_range), N_FEATURES)
    _assert_same_counts(hasher, texts, spans)
    _assert_same_counts(hasher, texts[::-1], spans[::-1])


words = st.sampled_from(
    ["the", "Owl", "owls", "hunting", "isn't", "film’s", "Ballerina", "ΣΟΦΙΑ", "naïve", "日本語", "a_b", "42"]
)
separators = st.sampled_from([" ", ", ", ". ", "\n", " — ", "'", "`"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(words, separators), max_size=30), min_size=1, max_size=4))
def test_counts_equal_hashing_vectorizers_on_any_text(documents: list[list[tuple[str, str]]]) -> None:
    """Stop words, apostrophes, case, non-Latin scripts, empty passages: the same counts."""
    texts = ["".join(word + separator for word, separator in document) for document in documents]
    spans = [[(0, len(text)), *sentence_spans(text)] for text in texts]
    _assert_same_counts(TermHasher(Analyzer(), N_FEATURES), texts, spans)


def test_what_it_remembers_is_bounded_and_forgetting_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its bound the hasher forgets what it learnt, and counts the same afterwards."""
    monkeypatch.setattr(hashing, "MAX_TOKENS", 20)
    texts = _seed_texts()
    spans = [sentence_spans(text) for text in texts]
    hasher = TermHasher(Analyzer(), N_FEATURES)
    for _ in range(2):
        _assert_same_counts(hasher, texts, spans)
        assert len(hasher._token_numbers) > 20  # learnt again from scratch, then bounded at the next call


def test_term_columns_equal_scikit_learns_murmurhash() -> None:
    """mmh3 over UTF-8 is scikit-learn's murmurhash3_32 (seed 0), so columns are unchanged;
    a lone surrogate is an encoding error, not a crash."""
    rng = np.random.default_rng(0)
    terms = ["", "owl", "snowy owl", "naïve café", "日本語 テキスト", "😀 emoji", "x" * 300]
    terms += ["".join(map(chr, rng.integers(32, 0xD7FF, size=int(rng.integers(1, 12))))) for _ in range(3000)]
    for n_features in (N_FEATURES, 2**10, 7):
        expected = []
        for term in terms:
            h = murmurhash3_32(term, seed=0)
            expected.append(
                (2**31 - 1 - (n_features - 1)) % n_features if h == -(2**31) else abs(h) % n_features
            )
        assert [term_id(term, n_features) for term in terms] == expected
        assert term_ids(terms, n_features).tolist() == expected
    with pytest.raises(UnicodeEncodeError):
        term_id("owl\ud800")


def test_stop_words_are_scikit_learns() -> None:
    """The stop-word list read from scikit-learn's source file is the one it exports."""
    assert frozenset(SKLEARN_STOP_WORDS) == ENGLISH_STOP_WORDS
