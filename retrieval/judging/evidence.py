"""Index candidates → evidence per source: the relevance floor and each source's quotes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.answer import SourceEvidence
from retrieval.corpus.documents import Document
from retrieval.judging.quotes import select_quotes
from retrieval.search.index import Candidates, PassageIndex, Query

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
        and candidates.best_passage[position] > 0
    )


def quote_scores(
    index: PassageIndex, query: Query, documents: np.ndarray, passage_scores: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """How well each passage of the cited documents would serve as a quote: relevance to
    the question widened by feedback from the best passages, times how quotable it is.
    ``passage_scores`` are the documents' passages scored for the question (by search)."""
    rows, counts = index.rows_of(documents)
    priors = index.arrays["passage_prior"][rows]
    flat = np.concatenate(passage_scores) * priors
    best = np.argsort(-flat, kind="stable")[:FEEDBACK_PASSAGES]
    top = rows[best[flat[best] > 0]]
    expanded = index.expansion(query, np.sort(top), weight=FEEDBACK_WEIGHT)
    flat = index.score_rows(expanded, rows).scores * priors
    ends = np.cumsum(counts).tolist()
    return [flat[end - n : end] for end, n in zip(ends, counts.tolist(), strict=True)]


def gather_evidence(
    index: PassageIndex,
    documents: Sequence[Document],
    query: Query,
    *,
    max_sources: int | None,
) -> tuple[SourceEvidence, ...]:
    """The sources that address the query, best first, each with its verbatim quotes."""
    limit = index.n_documents if max_sources is None else max_sources
    return evidence_from_candidates(index, documents, query, index.search(query, limit=limit))


def evidence_from_candidates(
    index: PassageIndex, documents: Sequence[Document], query: Query, candidates: Candidates
) -> tuple[SourceEvidence, ...]:
    """The relevance floor and quote selection over already-ranked candidates (a stage of
    its own, so that benchmarks can time retrieval and quoting apart)."""
    is_relevant = index.analyzer.stems_to_one_of(query.words)

    cited = [
        position for position in range(len(candidates.documents)) if passes_floor(candidates, position, query)
    ]
    if not cited:
        return ()
    cited_documents = candidates.documents[cited]
    first_scores = [candidates.passage_scores[position] for position in cited]
    evidence = []
    for position, number, scores in zip(
        cited, cited_documents, quote_scores(index, query, cited_documents, first_scores), strict=True
    ):
        document = documents[int(number)]
        spans = index.document_spans(int(number))
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
                date=document.date,
            )
        )
    return tuple(evidence)
