"""The shipped word embeddings: wordllama's own vectors, loaded offline, that place texts of
the same meaning close together even when they share no word."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.text.embeddings import DIMENSION, Embedder, default_embedder, package_folder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return default_embedder()


def test_embeddings_equal_wordllamas_own(embedder: Embedder) -> None:
    """Read from the package folder, they equal WordLlama.load(...).embed(norm=True) with downloads off."""
    from wordllama import WordLlama

    official = WordLlama.load(cache_dir=package_folder(), disable_download=True)
    texts = ["Who directed Ballerina?", "Jeon Jong-seo’s character Ok-ju, an elite security contractor"]
    assert np.allclose(embedder.embed(texts), official.embed(texts, norm=True), atol=1e-5)


def test_meaning_is_found_without_shared_words(embedder: Embedder) -> None:
    """A question is closer to the sentence that answers it in other words than to an unrelated one."""
    similar, unrelated = embedder.similarity(
        "Who made the movie?",
        ["The director, Lee Chung-hyun, crafted the film's action sequences.", "Roses bloom in June."],
    )
    assert similar > unrelated + 0.1


def test_rows_are_unit_length_and_empty_text_is_zero(embedder: Embedder) -> None:
    """Every text gets one 256-d unit row; a text without tokens gets zeros (similar to nothing)."""
    vectors = embedder.embed(["a film", "", "Korean cinema"])
    assert vectors.shape == (3, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert not vectors[1].any()
    assert embedder.embed([]).shape == (0, DIMENSION)
