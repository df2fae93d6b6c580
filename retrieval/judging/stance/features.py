"""(claim, text) → stance features: a short dense vector plus sparse lexical cues.

Stance lives in the sentences that talk about the claim, so most features are read
from the (up to) three sentences that best cover the claim's terms, weighted by IDF:
negation near the claim's own words, refutation and hedging cues, how much of the
claim is covered. A few whole-text rates (how much of the article is hedged or
refuting) and features of the claim itself complete the dense part. The sparse part
is the words of those sentences (``R:``; ``R:NEG_`` when a negation precedes them
closely) and the claim's own cue words (``C:``: "denies", "reportedly", "not"), so the
model can learn cue words beyond the lists. The claim's topic words are left out on
purpose: they would teach the model which stories were true in the training data.

Everything about a text that does not depend on the claim is computed once and cached
(keyed by the text string, whose hash Python caches), so judging the same document
again costs a few dictionary look-ups.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from retrieval.judging.stance import lexicon as lex
from retrieval.text.sentences import sentence_spans

TOP_SENTENCES = 3
# How many words before (and after) a claim term a negation still bears on it.
NEGATION_WINDOW_BEFORE = 4
NEGATION_WINDOW_AFTER = 1
# A negation scopes over the next few words for the ``R:NEG_`` lexical features.
NEGATION_SCOPE = 4

_NOT_NEGATING_NEXT = frozenset({"only", "just", "merely", "doubt"})
_CLAIM_CUES = lex.REFUTATION_CUES | lex.HEDGE_CUES | lex.SUPPORT_CUES | lex.NEGATIONS
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

DENSE_FEATURE_NAMES: tuple[str, ...] = (
    "cover_text",
    "cover_best_sentence",
    "cover_top_mean",
    "log_sentences_half_covered",
    "cover_lead",
    "cosine_best_sentence",
    "top_negation_near_claim",
    "top_negation_any",
    "top_refutation",
    "top_hedge",
    "top_support",
    "top_question",
    "best_negation_near_claim",
    "best_refutation",
    "best_hedge",
    "text_refutation_rate",
    "text_hedge_rate",
    "text_support_rate",
    "text_negation_rate",
    "text_question_rate",
    "log_text_sentences",
    "claim_negated",
    "claim_refutation",
    "claim_hedge",
    "claim_negated_x_negation_near",
    "claim_refutation_x_top_refutation",
    "claim_has_numbers",
    "claim_numbers_found",
    "log_negated_restatements",
    "log_affirmed_restatements",
    "negated_restatement_share",
)
# A sentence "restates" the claim when it holds at least this share of the claim's weight.
RESTATEMENT_COVERAGE = 0.5


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """One sentence of a text, analysed once."""

    stems: tuple[str, ...]
    stem_set: frozenset[str]
    negations: tuple[int, ...]
    refutation: bool
    hedge: bool
    support: bool
    question: bool
    lexical: frozenset[str]


@dataclass(frozen=True, slots=True)
class TextCues:
    """Everything about a text that does not depend on the claim."""

    sentences: tuple[SentenceCues, ...]
    spans: tuple[tuple[int, int], ...]  # each sentence's (start, end) in the text
    index: Mapping[str, tuple[int, ...]]  # stem → sentences containing it
    sentence_norms: tuple[float, ...]  # Euclidean norm of each sentence's (binary) IDF vector
    rates: tuple[float, float, float, float, float]  # refutation, hedge, support, negation, question
    numbers: frozenset[str]


@dataclass(frozen=True, slots=True)
class ClaimCues:
    """Everything about a claim that does not depend on the text."""

    weights: Mapping[str, float]  # content stem → IDF
    total_weight: float
    norm: float
    negated: bool
    refutation: bool
    hedge: bool
    numbers: frozenset[str]
    lexical: frozenset[str]


def _sentence_cues(sentence: str) -> SentenceCues:
    tokens = lex.words(sentence)
    stems = tuple(lex.stems(tokens))
    # "not only … but also", "no doubt", "not just": negation words that negate nothing.
    negations = tuple(
        i
        for i, token in enumerate(tokens)
        if lex.is_negation(token) and (i + 1 == len(tokens) or tokens[i + 1] not in _NOT_NEGATING_NEXT)
    )
    lexical: set[str] = set()
    scope_end = -1
    for i, (token, word_stem) in enumerate(zip(tokens, stems, strict=True)):
        if lex.is_negation(token):
            scope_end = i + NEGATION_SCOPE
            lexical.add("R:" + word_stem)
        elif token not in lex.STOP_WORDS:
            lexical.add(("R:NEG_" if i <= scope_end else "R:") + word_stem)
    return SentenceCues(
        stems=stems,
        stem_set=frozenset(stems),
        negations=negations,
        refutation=any(token in lex.REFUTATION_CUES for token in tokens),
        hedge=any(token in lex.HEDGE_CUES for token in tokens),
        support=any(token in lex.SUPPORT_CUES for token in tokens),
        question=sentence.rstrip("\"'”’) ").endswith("?"),
        lexical=frozenset(lexical),
    )


class FeatureExtractor:
    """Turns (claim, text) pairs into features; ``idf`` maps stems to inverse document frequency.

    Stems missing from ``idf`` get ``default_idf`` (rare words are the informative ones).
    """

    def __init__(self, idf: Mapping[str, float], *, default_idf: float, cache_size: int = 16_384) -> None:
        self.idf = idf
        self.default_idf = default_idf
        self.text_cues = lru_cache(maxsize=cache_size)(self._text_cues)
        self.claim_cues = lru_cache(maxsize=256)(self._claim_cues)

    def _weight(self, word_stem: str) -> float:
        return self.idf.get(word_stem, self.default_idf)

    def _text_cues(self, text: str) -> TextCues:
        spans = tuple(sentence_spans(text))
        sentences = tuple(_sentence_cues(text[start:end]) for start, end in spans)
        index: dict[str, list[int]] = {}
        for number, sentence in enumerate(sentences):
            for word_stem in sentence.stems:
                postings = index.setdefault(word_stem, [])
                if not postings or postings[-1] != number:
                    postings.append(number)
        n = max(len(sentences), 1)
        rates = (
            sum(s.refutation for s in sentences) / n,
            sum(s.hedge for s in sentences) / n,
            sum(s.support for s in sentences) / n,
            sum(bool(s.negations) for s in sentences) / n,
            sum(s.question for s in sentences) / n,
        )
        sentence_norms = tuple(
            math.sqrt(sum(self._weight(s) ** 2 for s in dict.fromkeys(sentence.stems)) or 1.0)
            for sentence in sentences
        )
        return TextCues(
            sentences=sentences,
            spans=spans,
            sentence_norms=sentence_norms,
            index={key: tuple(value) for key, value in index.items()},
            rates=rates,
            numbers=frozenset(_NUMBER.findall(text)),
        )

    def _claim_cues(self, claim: str) -> ClaimCues:
        tokens = lex.words(claim)
        weights = {word_stem: self._weight(word_stem) for word_stem in lex.content_stems(tokens)}
        # Only the claim's cue words: its topic words would teach the model which stories
        # were true in the training data, not how texts take sides.
        lexical = {"C:" + lex.stem(token) for token in tokens if token in _CLAIM_CUES}
        negated = any(lex.is_negation(token) for token in tokens)
        if negated:
            lexical.add("C:NEGATED")
        return ClaimCues(
            weights=weights,
            total_weight=sum(weights.values()) or 1.0,
            norm=math.sqrt(sum(w * w for w in weights.values())) or 1.0,
            negated=negated,
            refutation=any(token in lex.REFUTATION_CUES for token in tokens),
            hedge=any(token in lex.HEDGE_CUES for token in tokens),
            numbers=frozenset(_NUMBER.findall(claim)),
            lexical=frozenset(lexical),
        )

    def features(self, claim: str, text: str) -> tuple[np.ndarray, set[str]]:
        """The dense feature vector (see DENSE_FEATURE_NAMES) and the sparse feature names."""
        claim_cues = self.claim_cues(claim)
        cues = self.text_cues(text)
        weights = claim_cues.weights
        # Each sentence's IDF-weighted share of the claim's terms, via the inverted index.
        coverage: dict[int, float] = {}
        found_weight = 0.0
        for word_stem, weight in weights.items():
            postings = cues.index.get(word_stem)
            if not postings:
                continue
            found_weight += weight
            for number in postings:
                coverage[number] = coverage.get(number, 0.0) + weight
        total = claim_cues.total_weight
        # Questions rank after statements: a heading "Is X based on a true story?" restates
        # the claim but takes no side on it.
        sentences = cues.sentences
        ranked = sorted(coverage, key=lambda n: (sentences[n].question, -coverage[n], n))[:TOP_SENTENCES]
        top = [cues.sentences[number] for number in ranked]
        top_cover = [coverage[number] / total for number in ranked]

        near = [self._negation_near_claim(sentence, weights) for sentence in top]
        lexical = set(claim_cues.lexical)
        for sentence in top:
            lexical |= sentence.lexical
        # The claim's own words say nothing about stance; cue words around them do.
        lexical -= {"R:" + word_stem for word_stem in weights}

        def mean(values: list[float]) -> float:
            return sum(values) / len(values) if values else 0.0

        best = top[0] if top else None
        best_cosine = 0.0
        if best is not None:
            best_terms = best.stem_set
            best_cosine = sum(w * w for s, w in weights.items() if s in best_terms) / (
                claim_cues.norm * cues.sentence_norms[ranked[0]]
            )
        top_negation_near = mean([float(value) for value in near])
        top_refutation = mean([float(s.refutation) for s in top])
        half_covered = 0
        negated_restatements = affirmed_restatements = 0
        for number, value in coverage.items():
            if value / total < RESTATEMENT_COVERAGE:
                continue
            half_covered += 1
            sentence = sentences[number]
            if sentence.question:
                continue
            if self._negation_near_claim(sentence, weights):
                negated_restatements += 1
            elif not sentence.hedge and not sentence.refutation:
                affirmed_restatements += 1
        numbers = claim_cues.numbers
        dense = np.array(
            [
                found_weight / total,
                top_cover[0] if top_cover else 0.0,
                mean(top_cover),
                math.log1p(half_covered),
                max((coverage.get(n, 0.0) / total for n in (0, 1)), default=0.0),
                best_cosine,
                top_negation_near,
                mean([float(bool(s.negations)) for s in top]),
                top_refutation,
                mean([float(s.hedge) for s in top]),
                mean([float(s.support) for s in top]),
                mean([float(s.question) for s in top]),
                float(near[0]) if near else 0.0,
                float(best.refutation) if best else 0.0,
                float(best.hedge) if best else 0.0,
                *cues.rates,
                math.log1p(len(cues.sentences)),
                float(claim_cues.negated),
                float(claim_cues.refutation),
                float(claim_cues.hedge),
                float(claim_cues.negated) * top_negation_near,
                float(claim_cues.refutation) * top_refutation,
                float(bool(numbers)),
                len(numbers & cues.numbers) / len(numbers) if numbers else 0.0,
                math.log1p(negated_restatements),
                math.log1p(affirmed_restatements),
                negated_restatements / (negated_restatements + affirmed_restatements)
                if negated_restatements + affirmed_restatements
                else 0.5,
            ],
            dtype=np.float64,
        )
        return dense, lexical

    @staticmethod
    def _negation_near_claim(sentence: SentenceCues, weights: Mapping[str, float]) -> bool:
        """Whether a negation stands just before (or after) one of the claim's terms."""
        if not sentence.negations:
            return False
        for position, word_stem in enumerate(sentence.stems):
            if word_stem not in weights:
                continue
            for negation in sentence.negations:
                if -NEGATION_WINDOW_BEFORE <= negation - position <= NEGATION_WINDOW_AFTER:
                    return True
        return False
