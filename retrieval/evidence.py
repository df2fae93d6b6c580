"""Index candidates → evidence per source: the relevance floor and each source's quotes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.analysis import Analyzer
from retrieval.answer import SourceEvidence
from retrieval.documents import Document
from retrieval.index import Candidates, PassageIndex, Query
from retrieval.quotes import select_quotes

# The relevance floor. A source is cited only when it contains at least this share of the
# question's word weight (idf) and, for a question of several words, at least two of them:
# a source that shares one stray word with the question is not evidence.
# A source holding most of the question's weight passes on fewer words.
MIN_COVERAGE = 0.35
MIN_MATCHED_WORDS = 2
SUFFICIENT_COVERAGE = 0.6
# Pseudo-relevance feedback for choosing quotes: how many top passages, and their weight.
FEEDBACK_PASSAGES = 3
FEEDBACK_WEIGHT = 0.5


def passes_floor(candidates: Candidates, position: int, query: Query) -> bool:
    needed_words = min(MIN_MATCHED_WORDS, int(query.is_unigram.sum()))
    coverage = candidates.coverage[position]
    return (
        coverage >= MIN_COVERAGE
        and (candidates.matched_terms[position] >= needed_words or coverage >= SUFFICIENT_COVERAGE)
        and candidates.passage_scores[position].max(initial=0.0) > 0
    )


def quote_scores(index: PassageIndex, query: Query, documents: np.ndarray) -> list[np.ndarray]:
    """How well each passage of the cited documents would serve as a quote: relevance to
    the question widened by feedback from the best passages, times how quotable it is."""
    priors = [index.arrays["passage_prior"][index.document_passages(int(d))] for d in documents]
    scores = [s * p for s, p in zip(index.passage_scores(query, documents), priors, strict=True)]
    passage_numbers = np.concatenate([np.asarray(index.document_passages(int(d))) for d in documents])
    flat = np.concatenate(scores)
    top = passage_numbers[np.argsort(-flat, kind="stable")[:FEEDBACK_PASSAGES]]
    top = top[flat[np.argsort(-flat, kind="stable")[:FEEDBACK_PASSAGES]] > 0]
    expanded = index.expansion(query, np.sort(top), weight=FEEDBACK_WEIGHT)
    return [s * p for s, p in zip(index.passage_scores(expanded, documents), priors, strict=True)]


def gather_evidence(
    index: PassageIndex,
    documents: Sequence[Document],
    query: Query,
    *,
    max_sources: int | None,
) -> tuple[SourceEvidence, ...]:
    """The sources that address the query, best first, each with its verbatim quotes."""
    limit = index.n_documents if max_sources is None else max_sources
    candidates = index.search(query, limit=limit)
    question_words = set(query.words)
    analyzer: Analyzer = index.analyzer

    def is_relevant(word: str) -> bool:
        return any(stem in question_words for stem in analyzer.words(word))

    cited = [
        position for position in range(len(candidates.documents)) if passes_floor(candidates, position, query)
    ]
    if not cited:
        return ()
    cited_documents = candidates.documents[cited]
    evidence = []
    for position, number, scores in zip(
        cited, cited_documents, quote_scores(index, query, cited_documents), strict=True
    ):
        document = documents[int(number)]
        spans = [index.passage_span(p) for p in index.document_passages(int(number))]
        quotes = select_quotes(document.text, spans, scores, is_relevant=is_relevant)
        if not quotes:
            continue
        evidence.append(
            SourceEvidence(
                id=document.id,
                title=document.title,
                url=document.url,
                publisher=document.publisher,
                author=document.author,
                score=float(candidates.scores[position]),
                quotes=quotes,
                path=document.path,
            )
        )
    return tuple(evidence)
