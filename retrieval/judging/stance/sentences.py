"""Stance sentence by sentence: which sentences of a text to judge, and their features.

A source supports or refutes a claim only through a sentence that states or denies it, so
the stance model scores sentences, not whole articles: the (up to) four sentences that
cover most of the claim's words (every sentence of a one- or two-sentence text). Each
sentence is described by what it holds of the claim (its predicate, its subject or a
pronoun standing for it), what bears on those words (negation next to them, refutation
cues, hedges, a question mark, numbers that differ from the claim's), what the word rules
of ``explicit`` read in it, and a little of its document (how hedged or refuting the whole
text is, how many sentences it has): a sentence stating a rumour inside an article that
reports it as a rumour does not state it as the article's own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from retrieval.judging.stance import lexicon as lex
from retrieval.judging.stance.explicit import _ANAPHORS, claim_terms, sentence_side
from retrieval.judging.stance.features import FeatureExtractor, SentenceCues

SENTENCE_FEATURE_NAMES: tuple[str, ...] = (
    "cover",
    "cover_predicate",
    "cover_subject",
    "subject_here",
    "log_unaligned",
    "cosine",
    "negation_near_claim",
    "negation_any",
    "claim_negated",
    "negation_mismatch",
    "refutation",
    "hedge",
    "support",
    "question",
    "rule_states",
    "rule_denies",
    "claim_has_numbers",
    "claim_numbers_here",
    "number_mismatch",
    "first_sentence",
    "relative_position",
    "log_words",
    "doc_log_sentences",
    "doc_hedge_rate",
    "doc_refutation_rate",
    "doc_question_rate",
    "doc_best_cover",
    "cover_rank",
    "single_sentence",
    "claim_hedge",
    "claim_refutation",
    "unaligned_share",
    "length_ratio",
    "soft_alignment_mean",
    "soft_alignment_min",
    "log_unmatched_meaning",
    "log_near_substitutes",
    "embedding_cosine",
    "heading_like",
)
# Word-vector similarity below which a claim word has no counterpart in the sentence, and
# above which (short of the same word) the counterpart is a near substitute ("man" /
# "woman", "sitting" / "standing"; also synonyms and broader words).
UNMATCHED_SIMILARITY = 0.3
SAME_WORD_SIMILARITY = 0.95
# Sentences judged per text: the ones covering most of the claim (all of a short text),
# and any the word rules read as stating or denying it.
CANDIDATE_SENTENCES = 4
SHORT_TEXT_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class SentenceRows:
    """The candidate sentences of one (claim, text) pair, best covering first, and their features."""

    numbers: tuple[int, ...]  # sentence numbers in the text's cues (and spans)
    dense: np.ndarray  # (n_candidates, len(SENTENCE_FEATURE_NAMES))
    lexical: tuple[frozenset[str], ...]


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def sentence_rows(
    extractor: FeatureExtractor, claim: str, text: str, embedder: Embedder | None = None
) -> SentenceRows:
    """The candidate sentences of ``text`` for ``claim`` with their features (the meaning
    features are zero without an ``embedder``)."""
    claim_cues = extractor.claim_cues(claim)
    cues = extractor.text_cues(text)
    weights = claim_cues.weights
    total = claim_cues.total_weight
    coverage: dict[int, float] = {}
    for word_stem, weight in weights.items():
        for number in cues.index.get(word_stem, ()):
            coverage[number] = coverage.get(number, 0.0) + weight
    sentences = cues.sentences
    if len(sentences) <= SHORT_TEXT_SENTENCES:
        ranked = sorted(range(len(sentences)), key=lambda n: (-coverage.get(n, 0.0), n))
    else:
        ranked = sorted(coverage, key=lambda n: (sentences[n].question, -coverage[n], n))[
            :CANDIDATE_SENTENCES
        ]
    terms = claim_terms(claim, weights)
    # Beyond those, every sentence the word rules read as stating or denying the claim.
    stated = {
        number: sentence_side(terms, sentences[number])
        for number in sorted({n for word in terms.predicate for n in cues.index.get(word, ())})
    }
    ranked += [number for number, side in stated.items() if side and number not in ranked]
    if not ranked:
        return SentenceRows((), np.zeros((0, len(SENTENCE_FEATURE_NAMES))), ())
    subject_weight = sum(weights[word] for word in terms.subject) or 0.0
    best_cover = max(coverage.values(), default=0.0) / total
    n_sentences = len(sentences)
    rates = cues.rates
    claim_words = _content_words(claim)
    claim_stems = lex.stems(claim_words)
    texts = [text[start:end] for start, end in (cues.spans[number] for number in ranked)]
    meaning = _meaning(embedder, claim, claim_words, texts)
    rows = []
    lexical = []
    for rank, number in enumerate(ranked):
        sentence = sentences[number]
        stems = sentence.stem_set
        held = {word for word in weights if word in stems}
        predicate = sum(weights[word] for word in terms.predicate if word in stems) / terms.predicate_weight
        subject = (
            sum(weights[word] for word in terms.subject if word in stems) / subject_weight
            if subject_weight
            else 1.0
        )
        near = extractor._negation_near_claim(sentence, weights)
        side = stated[number] if number in stated else sentence_side(terms, sentence)
        numbers_here = (
            len(claim_cues.numbers & _numbers(sentence)) / len(claim_cues.numbers)
            if claim_cues.numbers
            else 0.0
        )
        mismatch = float(bool(claim_cues.numbers) and bool(_numbers(sentence)) and not numbers_here)
        cosine = sum(w * w for s, w in weights.items() if s in stems) / (
            claim_cues.norm * cues.sentence_norms[number]
        )
        rows.append(
            [
                coverage.get(number, 0.0) / total,
                predicate,
                subject,
                float(subject >= 0.5 or bool(stems & _ANAPHORS)),
                math.log1p(len(weights) - len(held)),
                cosine,
                float(near),
                float(bool(sentence.negations)),
                float(claim_cues.negated),
                float(claim_cues.negated != near),
                float(sentence.refutation),
                float(sentence.hedge),
                float(sentence.support),
                float(sentence.question),
                float(side > 0),
                float(side < 0),
                float(bool(claim_cues.numbers)),
                numbers_here,
                mismatch,
                float(number == 0),
                number / max(n_sentences - 1, 1),
                math.log1p(len(sentence.stems)),
                math.log1p(n_sentences),
                rates[1],
                rates[0],
                rates[4],
                best_cover,
                float(rank),
                float(n_sentences == 1),
                float(claim_cues.hedge),
                float(claim_cues.refutation),
                sum(stem not in stems for stem in claim_stems) / max(len(claim_stems), 1),
                len(claim_words) / max(len(sentence.stems), 1),
                *meaning[rank],
                _heading_like(texts[rank]),
            ]
        )
        words = set(claim_cues.lexical)
        words |= {
            name for name in sentence.lexical if name.removeprefix("R:").removeprefix("NEG_") not in weights
        }
        words |= {"U:" + stem for stem in claim_stems if stem not in stems}
        lexical.append(frozenset(words))
    return SentenceRows(tuple(ranked), np.array(rows, dtype=np.float64), tuple(lexical))


def _heading_like(sentence: str) -> float:
    """How much a sentence looks like a heading or a caption: no closing punctuation, and
    the share of its words that are capitalised ("The Unlikely Bond of Jang Ok Ju …")."""
    words = sentence.split()
    capitalised = sum(word[:1].isupper() for word in words) / max(len(words), 1)
    closed = sentence.rstrip("\"'”’)] ").endswith((".", "!", "?", "…"))
    return 0.0 if closed else 0.5 + 0.5 * capitalised


def _content_words(text: str) -> list[str]:
    return [word for word in lex.words(text) if word not in lex.STOP_WORDS and not lex.is_negation(word)]


def _meaning(
    embedder: Embedder | None, claim: str, claim_words: list[str], texts: list[str]
) -> list[tuple[float, float, float, float, float]]:
    """Per sentence: how closely its words' meanings cover the claim's words (mean and
    weakest of each claim word's best match), how many claim words have no counterpart or
    only a near substitute, and the cosine of the claim and sentence embeddings."""
    if embedder is None or not texts:
        return [(0.0, 0.0, 0.0, 0.0, 0.0)] * len(texts)
    sentence_words = [_content_words(text) for text in texts]
    vocabulary = list(dict.fromkeys([*claim_words, *(word for words in sentence_words for word in words)]))
    vectors = dict(zip(vocabulary, embedder.embed(vocabulary), strict=True)) if vocabulary else {}
    whole = embedder.embed([claim, *texts])
    found = []
    for number, words in enumerate(sentence_words):
        cosine = float(whole[number + 1] @ whole[0])
        if not claim_words or not words:
            found.append((0.0, 0.0, float(len(claim_words)), 0.0, cosine))
            continue
        similarity = np.array([vectors[w] for w in claim_words]) @ np.array([vectors[w] for w in words]).T
        best = similarity.max(axis=1)
        unmatched = float((best < UNMATCHED_SIMILARITY).sum())
        near = float(((best >= UNMATCHED_SIMILARITY) & (best < SAME_WORD_SIMILARITY)).sum())
        found.append((float(best.mean()), float(best.min()), math.log1p(unmatched), math.log1p(near), cosine))
    return found


def _numbers(sentence: SentenceCues) -> frozenset[str]:
    return frozenset(word for word in sentence.stems if word[:1].isdigit())
