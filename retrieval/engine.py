"""The engine: a corpus and its index, answering questions with an Answer.

    engine = Engine.from_path("corpus/")
    answer = engine.ask("Is Ballerina based on a true story?")
    answer.to_dict()
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from retrieval.answer import Answer
from retrieval.documents import Document, Warn


class Engine:
    """A loaded corpus with its passage index. Thread-safe for concurrent ``ask`` calls."""

    documents: Sequence[Document]

    @classmethod
    def from_path(cls, corpus: str | Path, *, cache_dir: Path | None = None, warn: Warn | None = None) -> Engine:
        """Load the corpus at ``corpus``, using the saved index when it matches the files."""
        raise NotImplementedError

    @classmethod
    def from_documents(cls, documents: Sequence[Document]) -> Engine:
        """An engine over documents in memory (no saved index)."""
        raise NotImplementedError

    def ask(self, question: str, *, max_sources: int | None = 5) -> Answer:
        """Answer a question or claim. Raises QuestionError with a user-facing message."""
        raise NotImplementedError

    def document(self, doc_id: str) -> Document | None:
        """The document with this id, if any."""
        raise NotImplementedError

    def find_documents(self, text: str, *, limit: int = 25) -> list[Document]:
        """Documents whose title or id contains ``text`` (case-insensitive), for autocomplete."""
        raise NotImplementedError
