"""Index candidates → evidence per source: which sources address the question, and the
quotes that hold its answer.

    judge = Judge(index, documents, models)
    sources = judge.evidence(question, query, index.search(query, limit=...), max_sources=5)

Per question: the candidates' passages are scored once (their matched terms feed both
relevance and quotes); each candidate document is read once per process (sentence
embeddings and answer kinds, ``reading.Reader``); the relevance model decides which to
cite (``relevance``), and the quote model what to quote of each (``quotes``). Training
(``training``) computes its examples with the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.answer import SourceEvidence
from retrieval.corpus.documents import Document
from retrieval.judging.answer_types import question_kind, question_tokens
from retrieval.judging.models import JudgingModels
from retrieval.judging.parameters import JudgingParameters
from retrieval.judging.quotes import QuestionView, SourceSentences, line_penalties
from retrieval.judging.reading import Reader, content_words
from retrieval.judging.relevance import (
    CandidateRows,
    RelevanceFeatures,
    question_capital_slots,
    relevance_features,
)
from retrieval.search.index import Candidates, PassageIndex, Query
from retrieval.text.analysis import STOP_WORDS, term_id
from retrieval.text.derivations import Derivations
from retrieval.text.embeddings import Embedder


def question_query(
    index: PassageIndex, question: str, derivations: Derivations | None, parameters: JudgingParameters
) -> Query:
    """The question's index query, widened by the words derived from its words ("directed"
    → director) at ``parameters.derivation_weight`` of their idf."""
    query = index.query(question)
    if derivations is None or parameters.derivation_weight <= 0:
        return query
    stems = derivations.of_text(question, STOP_WORDS)
    return index.with_derived(query, stems, weight=parameters.derivation_weight) if stems else query


@dataclass(frozen=True)
class Examined:
    """One question's candidates as the judges read them."""

    features: RelevanceFeatures
    rows: CandidateRows
    question_vector: np.ndarray | None


def examine(
    index: PassageIndex,
    documents: Sequence[Document],
    reader: Reader,
    question: str,
    query: Query,
    candidates: Candidates,
    parameters: JudgingParameters,
) -> Examined:
    """Score the candidates' passages and compute their relevance features (at least one candidate)."""
    rows = CandidateRows.of(index, query, candidates.documents)
    readings = reader.read_many(
        [
            (documents[int(number)].quotable_text, index.document_spans(int(number)))
            for number in candidates.documents
        ]
    )
    vector = reader.embed_question(question)
    features = relevance_features(
        index,
        query,
        candidates,
        rows,
        readings,
        vector,
        question_capital_slots(index, query, question),
        is_claim=question_kind(question) == "yes_no",
        summary_candidates=parameters.summary_candidates,
    )
    return Examined(features, rows, vector)


def word_slots(
    index: PassageIndex, query: Query, words: Sequence[str], derivations: Derivations | None
) -> tuple[np.ndarray, ...]:
    """For each of the question's content words, the query terms of its stems and of the
    words derived from it ("directed" → direct, director, direction): a sentence holding
    one of them holds that word."""
    n_features = index.parameters.n_features
    found = []
    for word in words:
        stems = set(index.analyzer.words(word))
        if derivations is not None:
            stems |= derivations.of_word(word)
        ids = np.array(sorted({term_id(stem, n_features) for stem in stems}), dtype=query.term_ids.dtype)
        positions = np.searchsorted(query.term_ids, ids)
        inside = positions < len(query.term_ids)
        hit = positions[inside][query.term_ids[positions[inside]] == ids[inside]]
        found.append(hit[query.is_unigram[hit] | query.derived[hit]])
    return tuple(found)


def question_view(
    index: PassageIndex,
    question: str,
    query: Query,
    vector: np.ndarray | None,
    embedder: Embedder | None,
    derivations: Derivations | None = None,
) -> QuestionView:
    words = content_words(question)
    return QuestionView(
        kind=question_kind(question),
        tokens=question_tokens(question),
        weights=query.weights,
        is_unigram=query.is_unigram,
        is_derived=query.derived,
        norm=query.norm,
        vector=vector,
        word_vectors=None if embedder is None else embedder.word_vectors(words),
        word_slots=word_slots(index, query, words, derivations),
        vectors_of=None if embedder is None else embedder.word_vectors,
        is_question_word=index.analyzer.stems_to_one_of((*query.words, *query.derived_words)),
    )


def source_sentences(
    index: PassageIndex,
    documents: Sequence[Document],
    reader: Reader,
    query: Query,
    numbers: Sequence[int],
    rows: CandidateRows,
    positions: Sequence[int],
    parameters: JudgingParameters,
) -> list[SourceSentences]:
    """The sentences of the candidates at ``positions`` (document ``numbers``) as the quote
    model reads them, with scores for the question widened by pseudo-relevance feedback
    from the best passages among them (the corpus's own wording for what it asks)."""
    own = [rows.candidate(position) for position in positions]
    passages = np.concatenate([rows.rows[part] for part in own])
    scores = np.concatenate([rows.scores[part] for part in own])
    priors = index.arrays["passage_prior"][passages]
    ranked = scores * priors
    best = np.argsort(-ranked, kind="stable")[: parameters.feedback_passages]
    top = passages[best[ranked[best] > 0]]
    expanded = index.expansion(query, np.sort(top), weight=parameters.feedback_weight)
    widened = index.score_rows(expanded, passages).scores
    found, offset = [], 0
    for number, part in zip(numbers, own, strict=True):
        document = documents[int(number)]
        spans = index.document_spans(int(number))
        count = part.stop - part.start
        window = slice(offset, offset + count)
        offset += count
        reading = reader.read(document.quotable_text, spans)
        found.append(
            SourceSentences(
                text=document.text,
                spans=spans,
                scores=rows.scores[part],
                feedback=widened[window],
                matched=rows.matched[part],
                penalties=line_penalties(reading, parameters),
                reading=reading,
            )
        )
    return found


class Judge:
    """Relevance and quotes for one engine's corpus. Safe to call from many threads."""

    def __init__(self, index: PassageIndex, documents: Sequence[Document], models: JudgingModels) -> None:
        self.index = index
        self.documents = documents
        self.models = models
        self.reader = Reader(models.embedder)
        self.derivations = (
            None
            if models.embedder is None
            else Derivations(models.embedder.words().__contains__, index.analyzer.words)
        )

    def query(self, question: str) -> Query:
        """The question's query for this corpus (with derived words)."""
        return question_query(self.index, question, self.derivations, self.models.parameters)

    def candidate_limit(self, max_sources: int | None) -> int:
        """How many of the retriever's best documents to judge."""
        if max_sources is None:
            return self.index.n_documents
        return max(max_sources, self.models.parameters.candidate_pool)

    def evidence(
        self,
        question: str,
        query: Query,
        candidates: Candidates,
        *,
        max_sources: int | None,
        answer_threshold: float | None = None,
    ) -> tuple[SourceEvidence, ...]:
        """The sources that address the question, most likely to hold the answer first,
        each with its verbatim quotes; () when none does."""
        if len(candidates.documents) == 0:
            return ()
        parameters = self.models.parameters
        examined = examine(self.index, self.documents, self.reader, question, query, candidates, parameters)
        verdict = self.models.relevance.judge(examined.features, answer_threshold=answer_threshold)
        cited = verdict.cited if max_sources is None else verdict.cited[:max_sources]
        if not cited:
            return ()
        numbers = [int(candidates.documents[position]) for position in cited]
        sources = source_sentences(
            self.index, self.documents, self.reader, query, numbers, examined.rows, cited, parameters
        )
        view = question_view(
            self.index, question, query, examined.question_vector, self.models.embedder, self.derivations
        )
        evidence = []
        for number, source, score in zip(numbers, sources, verdict.scores, strict=False):
            quotes = self.models.quotes.select(source, view, parameters)
            if not quotes:
                continue
            document = self.documents[number]
            evidence.append(
                SourceEvidence(
                    id=document.id,
                    title=document.title,
                    url=document.url,
                    publisher=document.publisher,
                    author=document.author,
                    score=score,
                    quotes=quotes,
                    path=document.path,
                    date=document.date,
                )
            )
        return tuple(evidence)
