"""Static word embeddings that ship inside their package: meaning beyond shared words, offline.

wordllama's wheel carries a 32,000-token vocabulary with 256-dimension token embeddings
(its ``l2_supercat`` model, distilled from large language models' input embeddings) and
the matching tokenizer. A text's embedding is the mean of its tokens' vectors, scaled to
unit length, exactly as ``WordLlama.embed(..., norm=True)`` computes it (a test checks).

The two files are read straight from the installed package folder with ``tokenizers`` and
``safetensors`` (both wordllama dependencies): nothing is downloaded, no model hub is
contacted, and importing the ``wordllama`` package itself is avoided, since it configures
the root logger on import (``logging.basicConfig(level=INFO)``), which would make every
library's INFO messages print in the bot; it also halves the load time (about 0.15 s).

    embedder = default_embedder()
    vectors = embedder.embed(["Who directed Ballerina?", "The director, Lee Chung-hyun, ..."])
    vectors[0] @ vectors[1]  # cosine similarity
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_NAME = "l2_supercat"
DIMENSION = 256
_WEIGHTS = f"weights/{MODEL_NAME}_{DIMENSION}.safetensors"
_TOKENIZER = f"tokenizers/{MODEL_NAME}_tokenizer_config.json"
_TENSOR = "embedding.weight"
# Words whose tokens are remembered (about 100 bytes each).
_WORD_CACHE_SIZE = 200_000
_WORD_VECTOR_CACHE_SIZE = 50_000


class EmbeddingsUnavailable(RuntimeError):
    """wordllama (or its weight files) is not installed."""


def package_folder() -> Path:
    """The installed wordllama package folder (found without importing the package)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsUnavailable("the wordllama package is not installed (pip install wordllama)")
    return Path(next(iter(spec.submodule_search_locations)))


class Embedder:
    """Text → unit-length mean of its token vectors. Safe to share between threads: its
    only state after loading is a cache of words' tokens (single dict operations)."""

    def __init__(self, vectors: np.ndarray, tokenizer: Tokenizer) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self._word_tokens: dict[str, list[int]] = {}
        self._words: frozenset[str] | None = None
        self._word_vectors: dict[str, np.ndarray] = {}

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def from_package(cls, folder: Path | None = None) -> Embedder:
        """Load the weights and tokenizer shipped in wordllama's wheel (never downloads)."""
        # The tokenizer's own thread pool would fight batch's worker processes for the
        # cores (and warns after a fork); texts here are short, so one thread is enough.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        folder = folder or package_folder()
        weights, tokenizer = folder / _WEIGHTS, folder / _TOKENIZER
        if not weights.is_file() or not tokenizer.is_file():
            raise EmbeddingsUnavailable(f"wordllama's {MODEL_NAME} files are missing from {folder}")
        return cls(load_file(str(weights))[_TENSOR], Tokenizer.from_file(str(tokenizer)))

    def words(self) -> frozenset[str]:
        """The vocabulary's whole English words (lower-case, alphabetic, 4+ letters; about
        16,000): a word list for checking that a derived form is a real word."""
        if self._words is None:
            self._words = frozenset(
                token[1:]
                for token in self.tokenizer.get_vocab()
                if token.startswith("▁") and len(token) > 4 and token[1:].isalpha() and token[1:].islower()
            )
        return self._words

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids (no special tokens, as wordllama embeds).

        The tokenizer (SentencePiece BPE) never merges across a space, so a text's tokens
        are its whitespace-separated words' tokens one after the other; each word is
        tokenized once and remembered (several times faster than tokenizing every
        sentence). The one difference from tokenizing whole texts: a run of several
        spaces adds no extra "▁" token.
        """
        flat, lengths = self._flat_token_ids(texts)
        bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
        return [flat[bounds[i] : bounds[i + 1]] for i in range(len(texts))]

    def _flat_token_ids(self, texts: Sequence[str]) -> tuple[list[int], list[int]]:
        """``token_ids`` concatenated, with each text's number of tokens."""
        cache = self._word_tokens
        if len(cache) > _WORD_CACHE_SIZE:
            cache.clear()  # bounded memory: refills with the words in use
        split = [text.split() for text in texts]
        words = list(chain.from_iterable(split))
        found = list(map(cache.get, words))
        if None in found:
            # Words not seen before are tokenized in one call (a call per word cost more
            # than the tokenizing itself when a new document is read).
            missing = list(dict.fromkeys(word for word, ids in zip(words, found, strict=True) if ids is None))
            encodings = self.tokenizer.encode_batch(missing, add_special_tokens=False)
            new = {word: encoding.ids for word, encoding in zip(missing, encodings, strict=True)}
            cache.update(new)
            found = [new[word] if ids is None else ids for word, ids in zip(words, found, strict=True)]
        per_word = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        word_ends = np.cumsum([len(words) for words in split], dtype=np.int64)
        token_ends = np.concatenate(([0], np.cumsum(per_word)))[word_ends]
        lengths = np.diff(token_ends, prepend=0).tolist()
        return list(chain.from_iterable(found)), lengths

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text (float32, shape (len(texts), 256)); a text with no
        tokens gets a zero row, so its similarity to anything is 0."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids, lengths = self._flat_token_ids(texts)
        flat = np.array(ids, dtype=np.int64)
        np.clip(flat, 0, len(self.vectors) - 1, out=flat)
        # Summing token rows is a sparse (texts × vocabulary) count matrix times the vectors:
        # several times faster than numpy's reduceat over gathered rows.
        counts = sp.csr_matrix(
            (np.ones(len(flat), dtype=np.float32), flat, np.concatenate(([0], np.cumsum(lengths)))),
            shape=(len(texts), len(self.vectors)),
        )
        sums = np.asarray(counts @ self.vectors, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return sums / np.where(norms > 0, norms, 1.0)

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """One unit row per word (lower-case it first for case-blind matching), remembered
        (bounded: about 1 KB a word)."""
        if not words:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cache = self._word_vectors
        rows = list(map(cache.get, words))
        if any(row is None for row in rows):
            missing = list(dict.fromkeys(word for word, row in zip(words, rows, strict=True) if row is None))
            if len(cache) + len(missing) > _WORD_VECTOR_CACHE_SIZE:
                cache.clear()  # refills with the words in use
            new = dict(zip(missing, self.embed(missing), strict=True))
            cache.update(new)
            rows = [new[word] if row is None else row for word, row in zip(words, rows, strict=True)]
        return np.array(rows)  # np.stack's checks cost more than the copying

    def similarity(self, text: str, others: Sequence[str]) -> np.ndarray:
        """Cosine similarity of ``text`` to each of ``others``."""
        vectors = self.embed([text, *others])
        return vectors[1:] @ vectors[0]


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The shipped embeddings, loaded once per process on first use (read-only afterwards)."""
    return Embedder.from_package()
