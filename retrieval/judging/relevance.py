"""Relevance: does a source address the question? Learned, replacing a fixed floor.

The retriever hands over its best ``candidate_pool`` documents. For each, features the
index already computes at question time (the share of the question's idf weight it
holds, whether it holds the question's rarest words and its names, its best sentence's
match, its score against the best and the next) plus the semantic similarity of the
question to its sentences (static word embeddings). Two logistic models read them:

- the **answer gate**: is the question about this corpus at all? It reads the best
  candidate and the best values among the first few (trained on SQuAD questions asked of
  a corpus holding their article, against the same questions asked of one that does not);
- the **source selector**: which candidates address it? (trained on the questions whose
  article is present: the paragraph the question was written from, against the other
  articles' paragraphs the retriever brought; other paragraphs of its own article may
  address it too, so they teach neither side).

A question is answered when the gate's probability reaches its threshold; then the
source the selector likes best is cited, and every other whose probability reaches the
source threshold. Both thresholds are chosen on training questions only
(``retrieval/judging/training.py``). A source's score is P(gate) × P(selector): the
estimated probability that it holds the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.judging.answer_types import inner_capitals
from retrieval.judging.linear import LinearScorer, feature_columns, read_model_file, write_model_file
from retrieval.judging.reading import DocumentReading
from retrieval.search.index import Candidates, PassageIndex, Query
from retrieval.text.analysis import term_id

FORMAT_VERSION = 1

SOURCE_FEATURES = (
    "coverage",  # share of the question's unigram idf weight the document holds
    "matched_share",  # share of the question's words it holds
    "bigram_share",  # share of the question's word pairs (idf-weighted) it holds
    "rarest_word",  # it holds the question's rarest word
    "rarest_three",  # idf-weighted share of the question's three rarest words it holds
    "missing_idf",  # the idf of the rarest question word it lacks (÷ the largest possible idf)
    "missing_idf_sum",  # the idf of all the question words it lacks (÷ the largest possible idf)
    "score_share",  # its retrieval score ÷ the best candidate's
    "score_margin",  # best: (best − next) ÷ best; others: (own − best) ÷ best
    "log_rank",  # log(1 + its retrieval rank)
    "sentence_coverage",  # the largest share of the question's idf weight held by one of its sentences
    "best_sentence_score",  # its best sentence's retrieval score ÷ the question's norm
    "semantic_best",  # the highest cosine similarity of the question to one of its sentences
    "semantic_document",  # the cosine similarity of the question to the whole document
    "capitals",  # share of the question's capitalised words (names) it holds (1 when none)
    "derived_share",  # idf weight of words derived from the question's it holds ÷ the question's
)
# Read over the first ``summary_candidates`` candidates (their maximum) and from the best.
SUMMARY_FEATURES = (
    "coverage",
    "sentence_coverage",
    "semantic_best",
    "rarest_three",
    "bigram_share",
    "best_sentence_score",
    "capitals",
)
QUESTION_FEATURES = (
    "question_words",  # how many distinct words (stems) the question has
    "rarest_idf",  # its rarest word's idf ÷ the largest possible idf
    "absent_share",  # share of its idf weight in words no passage of the corpus has
    "question_capitals",  # how many capitalised words (names) it has
    # log of the corpus's passages: a question asked of a few documents is usually about
    # them even when it shares few words with them (a batch line's own documents).
    "log_passages",
)
_PER_CANDIDATE_ONLY = frozenset({"score_share", "log_rank"})
_RELATIVE = frozenset({"score_share", "score_margin", "log_rank"})
GATE_FEATURES = (
    *(f"best_{name}" for name in SOURCE_FEATURES if name not in _PER_CANDIDATE_ONLY),
    *(f"max_{name}" for name in SUMMARY_FEATURES),
    *QUESTION_FEATURES,
)
# The selector judges each source on its own: nothing relative to the other candidates
# (a corpus may hold several sources that answer, and each should be cited).
SELECTOR_FEATURES = (
    *(name for name in SOURCE_FEATURES if name not in _RELATIVE),
    *QUESTION_FEATURES,
)
# Open questions' selector does not read the corpus's size: that a question asked of a few
# documents is about them decides whether to answer (the gate), not which of them to cite;
# read by the selector, it cited every document of a small corpus ("Who composed the
# soundtrack?" quoted an article that never mentions it). Claims' selector does read it:
# every article of a small corpus that discusses the claim must be cited, so that a
# disagreement is never hidden.
QUESTION_SELECTOR_FEATURES = tuple(name for name in SELECTOR_FEATURES if name != "log_passages")
EMBEDDING_FEATURES = frozenset(name for name in (*GATE_FEATURES, *SELECTOR_FEATURES) if "semantic" in name)
_SOURCE_COLUMN = {name: i for i, name in enumerate(SOURCE_FEATURES)}


@dataclass(frozen=True)
class CandidateRows:
    """The candidates' passages scored for the question, with the question terms each holds."""

    rows: np.ndarray  # passage numbers, candidate after candidate
    scores: np.ndarray  # each passage's retrieval score for the question
    starts: np.ndarray  # where each candidate's rows begin in ``rows``
    counts: np.ndarray  # how many passages each candidate has
    matched: np.ndarray  # (rows, query terms) bool: the passage holds the term

    @classmethod
    def of(cls, index: PassageIndex, query: Query, documents: np.ndarray) -> CandidateRows:
        rows, counts = index.rows_of(documents)
        scored = index.score_rows(query, rows)
        matched = np.zeros((len(rows), len(query.term_ids)), dtype=bool)
        matched[scored.matched_rows, scored.matched_slots] = True
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        return cls(rows=rows, scores=scored.scores, starts=starts, counts=counts, matched=matched)

    def candidate(self, position: int) -> slice:
        start = int(self.starts[position])
        return slice(start, start + int(self.counts[position]))


@dataclass(frozen=True)
class RelevanceFeatures:
    """Everything the relevance models read about one question's candidates."""

    source: np.ndarray  # (candidates, SOURCE_FEATURES)
    summary_max: np.ndarray  # (SUMMARY_FEATURES,)
    question: np.ndarray  # (QUESTION_FEATURES,)
    is_claim: bool  # a statement or yes/no question (no wh-word): judged as a claim

    def gate(self) -> np.ndarray:
        best = [self.source[0, _SOURCE_COLUMN[n]] for n in SOURCE_FEATURES if n not in _PER_CANDIDATE_ONLY]
        return np.concatenate((best, self.summary_max, self.question))

    def selector(self) -> np.ndarray:
        own = self.source[:, [_SOURCE_COLUMN[name] for name in SOURCE_FEATURES if name not in _RELATIVE]]
        return np.hstack((own, np.tile(self.question, (len(self.source), 1))))


def question_capital_slots(index: PassageIndex, query: Query, question: str) -> np.ndarray:
    """Which of the query's terms are (stems of) the question's capitalised inner words."""
    slots = np.zeros(len(query.term_ids), dtype=bool)
    n_features = index.parameters.n_features
    for token in inner_capitals(question):
        for stem in index.analyzer.words(token):
            position = int(np.searchsorted(query.term_ids, term_id(stem, n_features)))
            if position < len(query.term_ids) and query.term_ids[position] == term_id(stem, n_features):
                slots[position] = query.is_unigram[position]
    return slots


def relevance_features(
    index: PassageIndex,
    query: Query,
    candidates: Candidates,
    rows: CandidateRows,
    readings: Sequence[DocumentReading],
    question_vector: np.ndarray | None,
    capital_slots: np.ndarray,
    *,
    is_claim: bool,
    summary_candidates: int,
) -> RelevanceFeatures:
    """The features of every candidate (``candidates`` best first, at least one)."""
    n = len(candidates.documents)
    weights, unigram, derived = query.weights, query.is_unigram, query.derived
    unigram_weights = weights * unigram
    pair_weights = weights * (~unigram & ~derived)
    total_unigram = float(unigram_weights.sum()) or 1.0
    total_pairs = float(pair_weights.sum())
    largest_idf = float(np.log1p(index.n_passages) + 1.0)

    holds = np.logical_or.reduceat(rows.matched, rows.starts, axis=0) if len(rows.rows) else None
    if holds is None or holds.shape[0] != n:  # a candidate without passages (cannot happen)
        holds = np.zeros((n, len(weights)), dtype=bool)
    coverage = holds @ unigram_weights / total_unigram
    by_idf = np.argsort(-unigram_weights, kind="stable")
    n_unigrams = int(unigram.sum())
    rarest = by_idf[: min(3, max(n_unigrams, 1))]
    missing = unigram & ~holds
    missing_weights = np.where(missing, weights, 0.0)
    sentence_share = rows.matched @ unigram_weights / total_unigram
    scores = candidates.scores
    best, following = float(scores[0]) or 1.0, float(scores[1]) if n > 1 else 0.0
    margin = (scores - best) / best
    margin[0] = (best - following) / best
    n_capitals = int(capital_slots.sum())

    source = np.zeros((n, len(SOURCE_FEATURES)))
    column = _SOURCE_COLUMN
    source[:, column["coverage"]] = coverage
    source[:, column["matched_share"]] = (holds & unigram).sum(axis=1) / max(n_unigrams, 1)
    source[:, column["bigram_share"]] = holds @ pair_weights / total_pairs if total_pairs else 0.0
    source[:, column["rarest_word"]] = holds[:, by_idf[0]] if n_unigrams else 0.0
    source[:, column["rarest_three"]] = (
        holds[:, rarest] @ weights[rarest] / (float(weights[rarest].sum()) or 1.0)
    )
    source[:, column["missing_idf"]] = missing_weights.max(axis=1) / largest_idf
    source[:, column["missing_idf_sum"]] = missing_weights.sum(axis=1) / largest_idf
    source[:, column["score_share"]] = scores / best
    source[:, column["score_margin"]] = margin
    source[:, column["log_rank"]] = np.log1p(np.arange(n))
    if len(rows.rows) and len(rows.counts) == n and rows.counts.all():
        source[:, column["sentence_coverage"]] = np.maximum(
            np.maximum.reduceat(sentence_share, rows.starts), 0.0
        )
    else:
        source[:, column["sentence_coverage"]] = [
            float(sentence_share[rows.candidate(i)].max(initial=0.0)) for i in range(n)
        ]
    source[:, column["best_sentence_score"]] = candidates.best_passage / query.norm
    if question_vector is not None:
        for i, reading in enumerate(readings):
            if len(reading.vectors):
                source[i, column["semantic_best"]] = float((reading.vectors @ question_vector).max())
                source[i, column["semantic_document"]] = float(reading.mean_vector @ question_vector)
    source[:, column["capitals"]] = holds[:, capital_slots].sum(axis=1) / n_capitals if n_capitals else 1.0
    source[:, column["derived_share"]] = holds @ (weights * derived) / total_unigram

    summary = source[:summary_candidates, [column[name] for name in SUMMARY_FEATURES]].max(axis=0)
    absent = unigram & (weights >= largest_idf - 1e-3)
    question = np.array(
        [
            n_unigrams,
            float(unigram_weights.max(initial=0.0)) / largest_idf,
            float(unigram_weights[absent].sum()) / total_unigram,
            n_capitals,
            float(np.log1p(index.n_passages)),
        ]
    )
    return RelevanceFeatures(source=source, summary_max=summary, question=question, is_claim=is_claim)


@dataclass(frozen=True)
class Verdict:
    """Which candidates to cite (positions into the candidates, best first) and their scores."""

    cited: tuple[int, ...]
    scores: tuple[float, ...]  # P(the source holds the answer), aligned with ``cited``
    answer_probability: float


class GateAndSelector:
    """An answer gate and a source selector, with their thresholds (one per kind of question)."""

    def __init__(
        self,
        gate: LinearScorer,
        selector: LinearScorer,
        *,
        answer_threshold: float,
        source_threshold: float,
    ) -> None:
        self.gate = gate
        self.selector = selector
        self.answer_threshold = answer_threshold
        self.source_threshold = source_threshold
        self._gate_columns = feature_columns(gate.names, GATE_FEATURES)
        self._selector_columns = feature_columns(selector.names, SELECTOR_FEATURES)

    def answer_probability(self, features: RelevanceFeatures) -> float:
        return float(self.gate.probability(features.gate()[self._gate_columns]))

    def source_probabilities(self, features: RelevanceFeatures) -> np.ndarray:
        return self.selector.probability(features.selector()[:, self._selector_columns])

    def judge(self, features: RelevanceFeatures, *, answer_threshold: float | None = None) -> Verdict:
        """Cite nothing when the gate says the corpus does not cover the question; else the
        selector's favourite and every other candidate reaching the source threshold."""
        threshold = self.answer_threshold if answer_threshold is None else answer_threshold
        answer = self.answer_probability(features)
        if answer < threshold:
            return Verdict(cited=(), scores=(), answer_probability=answer)
        probabilities = self.source_probabilities(features)
        order = np.argsort(-probabilities, kind="stable")
        cited = [int(order[0])] + [int(i) for i in order[1:] if probabilities[i] >= self.source_threshold]
        return Verdict(
            cited=tuple(cited),
            scores=tuple(float(answer * probabilities[i]) for i in cited),
            answer_probability=answer,
        )

    def to_arrays(self, prefix: str) -> tuple[dict[str, np.ndarray], dict[str, object]]:
        gate_arrays, gate_meta = self.gate.to_arrays(f"{prefix}_gate")
        selector_arrays, selector_meta = self.selector.to_arrays(f"{prefix}_selector")
        metadata = {
            f"{prefix}_answer_threshold": self.answer_threshold,
            f"{prefix}_source_threshold": self.source_threshold,
            **gate_meta,
            **selector_meta,
        }
        return {**gate_arrays, **selector_arrays}, metadata

    @classmethod
    def from_arrays(
        cls, prefix: str, arrays: dict[str, np.ndarray], metadata: dict[str, object]
    ) -> GateAndSelector:
        return cls(
            LinearScorer.from_arrays(f"{prefix}_gate", arrays, metadata),
            LinearScorer.from_arrays(f"{prefix}_selector", arrays, metadata),
            answer_threshold=float(metadata[f"{prefix}_answer_threshold"]),  # type: ignore[arg-type]
            source_threshold=float(metadata[f"{prefix}_source_threshold"]),  # type: ignore[arg-type]
        )


class RelevanceModel:
    """One gate and selector for open questions (learned from SQuAD), one for claims and
    yes/no questions (learned from FNC-1: a headline's related articles, however many)."""

    def __init__(self, questions: GateAndSelector, claims: GateAndSelector) -> None:
        self.questions = questions
        self.claims = claims

    def part(self, features: RelevanceFeatures) -> GateAndSelector:
        return self.claims if features.is_claim else self.questions

    def answer_probability(self, features: RelevanceFeatures) -> float:
        return self.part(features).answer_probability(features)

    def source_probabilities(self, features: RelevanceFeatures) -> np.ndarray:
        return self.part(features).source_probabilities(features)

    def judge(self, features: RelevanceFeatures, *, answer_threshold: float | None = None) -> Verdict:
        return self.part(features).judge(features, answer_threshold=answer_threshold)

    # ---- files ------------------------------------------------------------------------
    def save(self, path: Path, *, training: dict[str, object] | None = None) -> Path:
        question_arrays, question_meta = self.questions.to_arrays("questions")
        claim_arrays, claim_meta = self.claims.to_arrays("claims")
        metadata = {
            "format_version": FORMAT_VERSION,
            "kind": "relevance",
            "training": training or {},
            **question_meta,
            **claim_meta,
        }
        return write_model_file(path, {**question_arrays, **claim_arrays}, metadata)

    @classmethod
    def load(cls, path: Path) -> RelevanceModel:
        arrays, metadata = read_model_file(path, kind="relevance", format_version=FORMAT_VERSION)
        return cls(
            GateAndSelector.from_arrays("questions", arrays, metadata),
            GateAndSelector.from_arrays("claims", arrays, metadata),
        )
