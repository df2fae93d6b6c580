"""Whether a sentence states the claim in words: plainly (+1), negated (-1), or neither (0).

The stance model reads a whole article and leans the way its training news leaned; a
stance shown to the user must rest on words the user can read. So a source's stance is
only shown when one of its sentences says so:

- **states the claim**: the sentence holds the claim's predicate ("based on a true story",
  paraphrases allowed: "draws inspiration from real-life events") and its subject (or
  "it", "the film" standing for it), close together, with no negation bearing on the
  predicate, no hedge ("whether", "reportedly", "may") and no question mark;
- **negates the claim**: the same, with a negation right before a predicate word ("is
  not based on", "neither inspired by nor based on"; "not only … but also" is no
  negation), or with a refutation cue such as "hoax", "denied", "false" that the claim
  itself does not use. Saying the subject is "not based on real events" (or "on a true
  story") also negates that it is based on any particular real case.

A negated claim ("Ballerina is not based on a true story") is matched on its positive
form and the side flipped. Word lists, not parsing: conservative by design.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from retrieval.judging.stance import lexicon as lex
from retrieval.judging.stance.features import SentenceCues

# Words that open the predicate of a statement ("Ballerina | is based on …").
_AUXILIARIES = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "does",
        "do",
        "did",
    }
)
# A sentence with one of these does not state anything: it asks, guesses or reports hearsay.
_HEDGE_STEMS = frozenset(
    lex.stem(word)
    for word in (
        "whether",
        "if",
        "may",
        "might",
        "could",
        "reportedly",
        "allegedly",
        "alleged",
        "rumour",
        "rumor",
        "rumoured",
        "rumored",
        "speculation",
        "speculated",
        "unconfirmed",
        "unverified",
        "purportedly",
        "supposedly",
        "possibly",
        "perhaps",
        "apparently",
    )
)
# Refutation cues strong enough to negate a sentence that restates the claim. "Fiction"
# is not one: "this story, while fictional, draws inspiration from real-life events".
_REFUTATION_STEMS = frozenset(
    lex.stem(word)
    for word in (
        "hoax",
        "fake",
        "faked",
        "false",
        "falsely",
        "untrue",
        "deny",
        "denied",
        "denies",
        "debunked",
        "debunk",
        "myth",
        "fabricated",
        "baseless",
        "bogus",
        "unfounded",
        "refuted",
        "misinformation",
    )
)
# "not only … but also", "no doubt", "not just": negation words that negate nothing.
_NOT_NEGATING_NEXT = frozenset(lex.stem(word) for word in ("only", "just", "merely", "doubt", "longer"))
# Words that can stand for the claim's subject in an article about it.
_ANAPHORS = frozenset(
    lex.stem(word) for word in ("it", "its", "film", "movie", "series", "show", "he", "she", "they")
)
# Saying the subject is not based on "real events" / "a true story" rules out any real case.
_REAL_WORLD = frozenset({lex.stem("true"), lex.stem("story")})
HEDGE_BEFORE = 8  # a hedge bears on the predicate from up to this many words before it
NEGATION_BEFORE = 4  # a negation bears on a predicate word up to this many words after it


@dataclass(frozen=True, slots=True)
class ClaimTerms:
    """The claim's content stems, split into subject and predicate, with IDF weights."""

    weights: Mapping[str, float]
    subject: frozenset[str]
    predicate: frozenset[str]
    head: str  # the predicate's first content stem ("base" in "is based on a true story")
    negated: bool
    predicate_weight: float

    def may_state(self, stems: frozenset[str]) -> bool:
        """A cheap first test: whether a sentence with these stems can state or negate the claim."""
        missing = len(self.predicate - stems)
        return (
            missing == 0
            or (missing == 1 and len(self.predicate) > 3)
            or (self.head in stems and stems >= _REAL_WORLD)
        )


@lru_cache(maxsize=256)
def _split(claim: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    tokens = lex.words(claim)
    negated = False
    for i, token in enumerate(tokens):
        if lex.is_negation(token) and (
            i + 1 >= len(tokens) or lex.stem(tokens[i + 1]) not in _NOT_NEGATING_NEXT
        ):
            negated = True
    split = next(
        (i for i, token in enumerate(tokens) if token in _AUXILIARIES or (token.endswith("n't") and i > 0)),
        None,
    )
    subject_tokens, predicate_tokens = (tokens[:split], tokens[split + 1 :]) if split else ([], tokens)
    subject = lex.content_stems(subject_tokens)
    predicate = lex.content_stems(predicate_tokens)
    if not subject and len(predicate) > 1:
        # No auxiliary ("Ballerina depicts real events"): the first content word is the subject.
        subject, predicate = predicate[:1], predicate[1:]
    return tuple(subject), tuple(predicate), negated


def claim_terms(claim: str, weights: Mapping[str, float]) -> ClaimTerms:
    """The claim's terms; ``weights`` are its content stems' IDF (the feature extractor's)."""
    subject, predicate, negated = _split(claim)
    predicate_set = frozenset(word for word in predicate if word in weights) or frozenset(weights)
    subject_set = frozenset(word for word in subject if word in weights) - predicate_set
    head = next((word for word in predicate if word in predicate_set), "")
    predicate_weight = sum(weights[word] for word in predicate_set) or 1.0
    return ClaimTerms(weights, subject_set, predicate_set, head, negated, predicate_weight)


def _smallest_span(positions: dict[str, list[int]]) -> int:
    """The fewest words a window needs to hold one occurrence of every stem in ``positions``."""
    events = sorted((position, word) for word, found in positions.items() for position in found)
    need, count = len(positions), 0
    have: dict[str, int] = {}
    best, left = len(events) and events[-1][0] - events[0][0], 0
    for position, word in events:
        have[word] = have.get(word, 0) + 1
        if have[word] == 1:
            count += 1
        while count == need:
            best = min(best, position - events[left][0])
            left_word = events[left][1]
            have[left_word] -= 1
            if have[left_word] == 0:
                count -= 1
            left += 1
    return best


def sentence_side(terms: ClaimTerms, sentence: SentenceCues) -> int:
    """+1 if the sentence states the (positive form of the) claim, -1 if it negates it, else 0."""
    if sentence.question or not terms.predicate or not terms.may_state(sentence.stem_set):
        return 0
    stems = sentence.stems
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(stems):
        if word in terms.weights:
            positions.setdefault(word, []).append(i)
    covered = {word for word in positions if word in terms.predicate}
    if not covered:
        return 0
    negations = [
        n for n in sentence.negations if n + 1 >= len(stems) or stems[n + 1] not in _NOT_NEGATING_NEXT
    ]
    negated_words = {
        word
        for word in covered
        for p in positions[word]
        if any(0 < p - n <= NEGATION_BEFORE for n in negations)
    }
    share = sum(terms.weights[word] for word in covered) / terms.predicate_weight
    full = covered == terms.predicate
    if not (full or (len(terms.predicate) > 3 and share >= 0.85)):
        # "not based on real-life events or true stories" rules out "based on the Nth Room case".
        if not (terms.head in negated_words and sentence.stem_set >= _REAL_WORLD):
            return 0
        if _hedged(terms, stems, positions) or not _subject_here(terms, sentence, positions):
            return 0
        return _signed(terms, -1)
    if not _subject_here(terms, sentence, positions):
        return 0
    used = {word: found for word, found in positions.items() if word in covered or word in terms.subject}
    if _smallest_span(used) > 3 * len(used) + 3:
        return 0  # the words are scattered over unrelated parts of a long sentence
    if _hedged(terms, stems, positions):
        return 0  # "whether or not it is inspired by real events" states neither side
    refuted = bool((sentence.stem_set & _REFUTATION_STEMS) - terms.weights.keys())
    if negated_words or refuted:
        return _signed(terms, -1)
    return _signed(terms, +1)


def _hedged(terms: ClaimTerms, stems: tuple[str, ...], positions: dict[str, list[int]]) -> bool:
    """A hedge in the claim's own clause: among its words or just before them ("whether or
    not they are inspired by"), not in a later aside ("even though the story may reflect")."""
    predicate = [p for word, found in positions.items() if word in terms.predicate for p in found]
    start, end = max(min(predicate) - HEDGE_BEFORE, 0), max(predicate)
    return any(word in _HEDGE_STEMS and word not in terms.weights for word in stems[start:end])


def _subject_here(terms: ClaimTerms, sentence: SentenceCues, positions: dict[str, list[int]]) -> bool:
    """The subject is named, or stood for by "it" / "the film" before the predicate, or the
    predicate is long enough (two words or more, all there) to identify what is meant."""
    if not terms.subject or any(word in positions for word in terms.subject):
        return True
    first = min(p for word, found in positions.items() if word in terms.predicate for p in found)
    if any(word in _ANAPHORS for word in sentence.stems[:first]):
        return True
    return len(terms.predicate) >= 2 and all(word in positions for word in terms.predicate)


def _signed(terms: ClaimTerms, side: int) -> int:
    return -side if terms.negated else side
