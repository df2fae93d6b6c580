"""The engine: a corpus and its index, answering questions with an Answer.

engine = Engine.from_path("corpus/")
answer = engine.ask("Is Ballerina based on a true story?")
answer.to_dict()
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from retrieval.answer import Answer, Quote, SourceEvidence
from retrieval.corpus.documents import (
    CorpusError,
    Document,
    DocumentError,
    Warn,
    document_from_json,
)
from retrieval.corpus.store import IndexStore
from retrieval.judging.disagreement import assess
from retrieval.judging.evidence import Judge
from retrieval.judging.models import JudgingModels
from retrieval.judging.quotes import MAX_QUOTE_CHARS
from retrieval.search.index import IndexParameters, PassageIndex
from retrieval.search.questions import clean_question
from retrieval.text.sentences import sentence_spans

logger = logging.getLogger(__name__)

# Sources judged for stance and conflicts even when fewer are asked for, so that capping
# the sources shown can never hide a disagreement.
DISAGREEMENT_POOL = 5


def build_index(documents: Sequence[Document], parameters: IndexParameters | None = None) -> PassageIndex:
    """Split every document's quotable text into sentences and index them."""
    texts = [document.quotable_text for document in documents]
    return PassageIndex(parameters).fit(texts, [sentence_spans(text) for text in texts])


def with_stating_quote(source: SourceEvidence, stating: Quote | None) -> SourceEvidence:
    """The source shown with the quote that states its stance: first, and the source's
    other quotes after it while they fit the per-source budget (an overlapping one left out)."""
    if stating is None or stating in source.quotes:
        return source
    kept = [stating]
    used = len(stating.text)
    for quote in source.quotes:
        overlaps = quote.start < stating.end and stating.start < quote.end
        if not overlaps and used + len(quote.text) <= MAX_QUOTE_CHARS:
            kept.append(quote)
            used += len(quote.text)
    return replace(source, quotes=tuple(sorted(kept, key=lambda quote: quote.start)))


class Engine:
    """A loaded corpus with its passage index. Read-only once built, so ``ask`` is safe to
    call from many threads at once."""

    def __init__(
        self, documents: Sequence[Document], index: PassageIndex, models: JudgingModels | None = None
    ) -> None:
        """``models``: the judging models to answer with (default: the shipped ones)."""
        if index.n_documents != len(documents):
            raise ValueError("index and documents disagree")
        self.documents = documents
        self.index = index
        self.models = models or JudgingModels.shipped()
        self.judge = Judge(index, documents, self.models)
        if hasattr(documents, "ids_and_titles"):
            ids_and_titles = documents.ids_and_titles()  # no text decoded at start-up
        else:
            ids_and_titles = [(document.id, document.title) for document in documents]
        self._by_id = {doc_id: number for number, (doc_id, _) in enumerate(ids_and_titles)}
        # Searched by autocomplete: kept lower-cased so a search decodes no document text.
        self._labels = [f"{doc_id}\n{title}".casefold() for doc_id, title in ids_and_titles]

    @classmethod
    def from_documents(
        cls,
        documents: Sequence[Document],
        parameters: IndexParameters | None = None,
        *,
        models: JudgingModels | None = None,
    ) -> Engine:
        """An engine over documents in memory (nothing saved)."""
        if not documents:
            raise CorpusError("no documents to answer from")
        return cls(list(documents), build_index(documents, parameters), models)

    @classmethod
    def from_records(cls, records: object, *, models: JudgingModels | None = None) -> Engine:
        """An engine over JSON records ``[{"id", "title", "text", "url"?, ...}]`` (batch lines'
        own documents). Raises DocumentError naming the first bad record."""
        if not isinstance(records, list) or not records:
            raise DocumentError("'documents' must be a non-empty list of {id, title, text, url?}")
        documents = []
        for position, record in enumerate(records):
            try:
                documents.append(document_from_json(record, path=None))
            except DocumentError as error:
                raise DocumentError(f"documents[{position}]: {error}") from error
        if len({document.id for document in documents}) != len(documents):
            raise DocumentError("'documents' has two documents with the same id")
        return cls.from_documents(documents, models=models)

    @classmethod
    def from_path(
        cls,
        corpus: str | Path,
        *,
        cache_dir: Path | None = None,
        warn: Warn | None = None,
        parameters: IndexParameters | None = None,
        progress: bool | None = None,
        report: Callable[[str], None] | None = None,
        follow_outside_links: bool = False,
        models: JudgingModels | None = None,
    ) -> Engine:
        """Load the corpus at ``corpus``: the saved index, brought up to date with the files
        (only files added or changed since it was saved are read; see retrieval.corpus.store).

        ``cache_dir``: where indexes are kept (default: the user's cache folder, never the
        corpus folder); ``progress``: a progress bar on stderr (default: when it is a
        terminal); ``report``: called with the one-line summary when files were read;
        ``follow_outside_links``: read files that symbolic links lead to outside the corpus
        folder (see retrieval.corpus.files); ``models``: the judging models to answer with
        (default: the shipped ones)."""
        store = IndexStore(
            Path(corpus),
            cache_dir=cache_dir,
            warn=warn or logger.warning,
            parameters=parameters,
            progress=progress,
            report=report,
            follow_outside_links=follow_outside_links,
        )
        loaded = store.update().loaded
        return cls(loaded.documents, loaded.index, models)

    def ask(self, question: str, *, max_sources: int | None = 5, question_id: Any = None) -> Answer:
        """Answer a question or claim. Raises QuestionError with a user-facing message."""
        text = clean_question(question)
        if max_sources is not None and max_sources < 1:
            raise ValueError("max_sources must be at least 1")
        query = self.judge.query(text)
        pool = None if max_sources is None else max(max_sources, DISAGREEMENT_POOL)
        candidates = self.index.search(query, limit=self.judge.candidate_limit(pool))
        found = self.judge.evidence(text, query, candidates, max_sources=pool)
        if not found:
            return Answer(question=text, status="no_answer", id=question_id)
        cited = {source.id: self.documents[self._by_id[source.id]] for source in found}
        assessment = assess(text, found, cited, model=self.models.stance)
        judged = [
            replace(with_stating_quote(source, stating), stance=stance)
            for source, stance, stating in zip(found, assessment.stances, assessment.stating, strict=True)
        ]
        conflicts = assessment.conflicts
        in_conflict = {source_id for conflict in conflicts for source_id in conflict.sources}
        shown = [
            source
            for rank, source in enumerate(judged)
            if max_sources is None or rank < max_sources or source.id in in_conflict
        ]
        return Answer(
            question=text,
            status="answered",
            sources=tuple(shown),
            disagreement=assessment.disagreement,
            conflicts=conflicts,
            claim=assessment.claim,
            claim_kind=assessment.claim_kind,
            single_source=len(found) == 1,
            id=question_id,
        )

    def document(self, doc_id: str) -> Document | None:
        """The document with this id, if any."""
        number = self._by_id.get(doc_id)
        return None if number is None else self.documents[number]

    def find_documents(self, text: str, *, limit: int = 25) -> list[Document]:
        """Documents whose title or id contains ``text`` (case-insensitive), for autocomplete."""
        needle = text.casefold().strip()
        found = []
        for number, label in enumerate(self._labels):
            if needle in label:
                found.append(self.documents[number])
                if len(found) == limit:
                    break
        return found
