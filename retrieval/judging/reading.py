"""What the judges read of a document, once per document text: each sentence's embedding
and the kinds of answer it can hold.

Judging a question reads its candidate documents' sentences (the index's passages).
Their embeddings and answer kinds do not depend on the question, so a ``Reader`` keeps
them per document text in a bounded cache owned by the engine (nothing at index time:
the saved index stays as the corpus package builds it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from retrieval.judging.answer_types import SENTENCE_KINDS, inner_capitals, sentence_kinds_without_names
from retrieval.text.analysis import STOP_WORDS
from retrieval.text.embeddings import Embedder

_TOKEN = re.compile(r"[^\W_]+")
# What a sentence is as a quote: a statement, or a heading, question or photo caption,
# none of which asserts anything (quote selection holds them back: JudgingParameters).
STATEMENT, HEADING, QUESTION, CAPTION = 0, 1, 2, 3
_SENTENCE_END = frozenset(".!\"”’'»)…")
# A photo caption: a line ending in a parenthesised credit, "… as Choi Pro (Netflix)".
_CAPTION = re.compile(r"\((?:[A-Z][\w.&'’-]*\s?){1,4}\)\s*$")

# Documents remembered per engine: a few MB (a SQuAD paragraph's reading is ~5 KB).
READ_CACHE_DOCUMENTS = 8192


@dataclass(frozen=True, eq=False)
class DocumentReading:
    """One document's sentences as the judges see them (rows follow the index's passages).

    The embeddings are read at once (relevance reads every candidate's); the rest only
    when quote selection first asks (only cited sources' are needed), then remembered."""

    text: str
    spans: tuple[tuple[int, int], ...]
    vectors: np.ndarray  # (sentences, dimension) unit rows; zeros without embeddings
    mean_vector: np.ndarray  # the whole document's direction (unit length, or zeros)

    @cached_property
    def sentences(self) -> list[str]:
        return [self.text[start:end] for start, end in self.spans]

    @cached_property
    def kinds(self) -> np.ndarray:
        """(sentences, len(SENTENCE_KINDS)) bool; the "name" column is filled per question."""
        kinds = np.zeros((len(self.spans), len(SENTENCE_KINDS)), dtype=bool)
        for row, sentence in enumerate(self.sentences):
            kinds[row] = sentence_kinds_without_names(sentence)
        return kinds

    @cached_property
    def capitals(self) -> tuple[frozenset[str], ...]:
        """Each sentence's ``inner_capitals``."""
        return tuple(inner_capitals(sentence) for sentence in self.sentences)

    @cached_property
    def line_kinds(self) -> np.ndarray:
        """(sentences,) STATEMENT, HEADING, QUESTION or CAPTION."""
        return _line_kinds(self.text, self.spans, self.sentences)

    @cached_property
    def _words(self) -> dict[str, object]:
        return _content_words(self.sentences)

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The document's distinct content words, lower-cased."""
        return self._words["vocabulary"]  # type: ignore[return-value]

    @property
    def word_rows(self) -> np.ndarray:
        """Each sentence's content words, as rows of ``vocabulary``, concatenated."""
        return self._words["word_rows"]  # type: ignore[return-value]

    @property
    def word_starts(self) -> np.ndarray:
        """Where each sentence's words begin in ``word_rows`` (+ the end)."""
        return self._words["word_starts"]  # type: ignore[return-value]


def content_words(text: str) -> list[str]:
    """The lower-cased word tokens of ``text`` that are not stop words."""
    return [word for word in _TOKEN.findall(text.lower()) if word not in STOP_WORDS]


def _content_words(sentences: Sequence[str]) -> dict[str, object]:
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    starts = [0]
    for sentence in sentences:
        for word in dict.fromkeys(content_words(sentence)):
            rows.append(vocabulary.setdefault(word, len(vocabulary)))
        starts.append(len(rows))
    return {
        "vocabulary": tuple(vocabulary),
        "word_rows": np.array(rows, dtype=np.int64),
        "word_starts": np.array(starts, dtype=np.int64),
    }


def _line_kinds(text: str, spans: Sequence[tuple[int, int]], sentences: Sequence[str]) -> np.ndarray:
    kinds = np.array([line_kind(sentence) for sentence in sentences], dtype=np.int8)
    # A document's first line, alone on its line, is its title (whatever its punctuation).
    if len(spans) and not text[: spans[0][0]].strip() and text[spans[0][1] :].lstrip(" \t")[:1] == "\n":
        kinds[0] = max(int(kinds[0]), HEADING)
    return kinds


def line_kind(sentence: str) -> int:
    """STATEMENT, HEADING (no closing punctuation), QUESTION or CAPTION."""
    if _CAPTION.search(sentence):
        return CAPTION
    if sentence.endswith("?"):
        return QUESTION
    return STATEMENT if sentence[-1:] in _SENTENCE_END else HEADING


class Reader:
    """Reads documents for the judges, remembering the last READ_CACHE_DOCUMENTS texts."""

    def __init__(self, embedder: Embedder | None, *, max_documents: int = READ_CACHE_DOCUMENTS) -> None:
        self.embedder = embedder
        self.max_documents = max_documents
        self._cache: dict[str, DocumentReading] = {}
        self._lock = threading.Lock()

    def embed_question(self, question: str) -> np.ndarray | None:
        return None if self.embedder is None else self.embedder.embed([question])[0]

    def read(self, text: str, spans: Sequence[tuple[int, int]]) -> DocumentReading:
        """The reading of ``text`` whose sentences are ``spans`` (the index's passages)."""
        return self.read_many([(text, spans)])[0]

    def read_many(self, documents: Sequence[tuple[str, Sequence[tuple[int, int]]]]) -> list[DocumentReading]:
        """The readings of several (text, spans): those not remembered have all their
        sentences embedded in one call (each row as embedding it alone would give)."""
        found: list[DocumentReading | None] = []
        for text, spans in documents:
            known = self._cache.get(text)
            found.append(known if known is not None and len(known.spans) == len(spans) else None)
        unread = [i for i, reading in enumerate(found) if reading is None]
        if not unread:
            return found  # type: ignore[return-value]
        sentences = [
            [text[start:end] for start, end in spans] for text, spans in (documents[i] for i in unread)
        ]
        dimension = 0 if self.embedder is None else self.embedder.dimension
        every = [sentence for part in sentences for sentence in part]
        if self.embedder is not None and every:
            embedded = self.embedder.embed(every)
        else:
            embedded = np.zeros((len(every), dimension), dtype=np.float32)
        offset = 0
        for i, part in zip(unread, sentences, strict=True):
            text, spans = documents[i]
            vectors = embedded[offset : offset + len(part)].copy()
            offset += len(part)
            if self.embedder is not None and part:
                total = vectors.sum(axis=0)
                norm = float(np.linalg.norm(total))
                mean_vector = total / norm if norm > 0 else total
            else:
                mean_vector = np.zeros(dimension, dtype=np.float32)
            reading = DocumentReading(text=text, spans=tuple(spans), vectors=vectors, mean_vector=mean_vector)
            reading.__dict__["sentences"] = part
            with self._lock:
                if len(self._cache) >= self.max_documents:
                    self._cache.clear()  # bounded memory; refills with the documents in use
                self._cache[text] = reading
            found[i] = reading
        return found  # type: ignore[return-value]
