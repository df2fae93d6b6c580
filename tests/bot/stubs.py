"""An engine stand-in that returns one fixed Answer: for layouts the corpus cannot produce on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from retrieval.answer import Answer
from retrieval.corpus.documents import Document


class FixedAnswerEngine:
    """Answers every question with ``answer`` (its question replaced by the one asked)."""

    def __init__(self, answer: Answer, documents: Sequence[Document] = ()) -> None:
        self.answer = answer
        self.documents = list(documents)

    def ask(self, question: str, *, max_sources: int | None = 5) -> Answer:
        return replace(self.answer, question=question)

    def document(self, doc_id: str) -> Document | None:
        return next((document for document in self.documents if document.id == doc_id), None)

    def find_documents(self, text: str, *, limit: int = 25) -> list[Document]:
        text = text.lower()
        return [d for d in self.documents if text in d.title.lower() or text in d.id.lower()][:limit]
