"""The disagreement engine: each cited source's stance toward the claim, and the conflicts.

    assessment = assess(question, answer.sources, documents)

A stance is decided in three steps:

1. **The model's lean.** The stance model reads the whole (quotable) document text, not
   only the quotes shown: a quote of 300 characters can miss the "however, this is
   false" two sentences later.
2. **The words.** A sentence that states the claim, or negates it, in so many words
   (``retrieval.judging.stance.explicit``) outranks the lean: when an article only says the
   opposite of its lean in words, the words win ("is not based on real-life events"
   refutes, whatever the model read into the rest of the article).
3. **Consistency with the conflicts.** One source supporting the claim while another
   refutes it is a conflict, always shown, with a quote of each. Words beat a lean:
   against a source that states the opposite in words, a source whose side rests on the
   model's lean alone must have words pointing its way next to the claim's words (a
   negation or refutation cue; a plain restatement), or it is shown as discussing the
   claim. A source the model reads as discussing the claim, but with a sentence taking a
   side, takes that side only against a source stating the opposite in words (news
   restating a claim is rarely taking it up).

Conflict quotes are, in order of preference, a shown quote of the source that states
its side, else the document's sentence that does (verbatim: the engine's quotes for the
source missed it), else the shown quote (or sentence) that points its way most; then the
reason says that the quote does not state it outright. A source alone on its side keeps
the model's lean, as the benchmark (bench/stance.py) measures it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.answer import Conflict, SourceEvidence, Stance
from retrieval.corpus.documents import Document
from retrieval.judging.claims import extract_claim
from retrieval.judging.conflicts import (
    STANCE_REASON,
    QuotedSource,
    name_conflicts,
    number_conflicts,
    stance_conflict,
)
from retrieval.judging.stance import text as lex
from retrieval.judging.stance.explicit import ClaimTerms, claim_terms, sentence_side
from retrieval.judging.stance.features import DENSE_FEATURE_NAMES
from retrieval.judging.stance.model import LABELS, StanceModel, default_model

_SUPPORTS, _REFUTES = LABELS.index("supports"), LABELS.index("refutes")
_FEATURE = {name: i for i, name in enumerate(DENSE_FEATURE_NAMES)}
_LEANING_CANDIDATES = 6
_STANCE_OF_SIDE: dict[int, Stance] = {1: "supports", -1: "refutes", 0: "discusses"}


@dataclass(frozen=True)
class Assessment:
    """What the disagreement engine found for one answer."""

    claim: str
    stances: tuple[Stance, ...]  # aligned with the sources passed in
    disagreement: bool  # True when there is at least one conflict
    conflicts: tuple[Conflict, ...]


def _source_text(source: SourceEvidence, documents: Mapping[str, Document]) -> str:
    document = documents.get(source.id)
    if document is not None:
        return document.quotable_text
    return "\n".join(quote.text for quote in source.quotes)  # a source we cannot read in full


@lru_cache(maxsize=4096)
def _sentence_texts(text: str) -> tuple[str, ...]:
    return tuple(lex.sentences(text))


@dataclass(frozen=True)
class _Words:
    """Where a source states a side in words: side (+1/-1) → [(coverage, text)]."""

    quotes: dict[int, list[tuple[float, str]]]  # its shown quotes
    document: dict[int, list[tuple[float, str]]]  # its document's sentences

    def says(self, side: int) -> bool:
        return bool(self.quotes[side] or self.document[side])

    def best(self, side: int) -> str | None:
        """The stating text covering most of the claim: a shown quote first (first of equals)."""
        found = self.quotes[side] or self.document[side]
        return max(found, key=lambda item: item[0])[1] if found else None


def _coverage(terms: ClaimTerms, stems: frozenset[str]) -> float:
    """How much of the claim a sentence holds: its predicate first, then the whole claim."""
    predicate = sum(terms.weights[word] for word in terms.predicate if word in stems)
    whole = sum(weight for word, weight in terms.weights.items() if word in stems)
    return 10 * predicate / terms.predicate_weight + whole / (sum(terms.weights.values()) or 1.0)


def _words(model: StanceModel, terms: ClaimTerms, source: SourceEvidence, text: str) -> _Words:
    extractor = model.extractor_
    quotes: dict[int, list[tuple[float, str]]] = {1: [], -1: []}
    for quote in source.quotes:
        sides: dict[int, float] = {}
        for sentence in extractor.text_cues(quote.text).sentences:
            side = sentence_side(terms, sentence)
            if side:
                sides[side] = max(sides.get(side, 0.0), _coverage(terms, sentence.stem_set))
        for side, coverage in sides.items():
            quotes[side].append((coverage, quote.text))
    document: dict[int, list[tuple[float, str]]] = {1: [], -1: []}
    cues = extractor.text_cues(text)
    candidates = sorted({number for word in terms.predicate for number in cues.index.get(word, ())})
    if candidates:
        texts = _sentence_texts(text)
        for number in candidates:
            sentence = cues.sentences[number]
            side = sentence_side(terms, sentence)
            if side and number < len(texts):
                document[side].append((_coverage(terms, sentence.stem_set), texts[number]))
    return _Words(quotes, document)


def _points_its_way(model: StanceModel, claim: str, text: str, side: int) -> bool:
    """Whether the text has words pointing to ``side`` next to the claim's words, short of
    stating it: for refutation a negated restatement, a negation next to the claim's words or
    a refutation cue in the sentences about it; for support a plain restatement (no
    negation, hedge or refutation cue)."""
    dense, _ = model.extractor_.features(claim, text)
    if side == -1:
        return bool(
            dense[_FEATURE["log_negated_restatements"]] > 0
            or dense[_FEATURE["top_negation_near_claim"]] > 0
            or dense[_FEATURE["top_refutation"]] > 0
        )
    return bool(dense[_FEATURE["log_affirmed_restatements"]] > 0)


def _decide(lean: Stance, words: _Words) -> tuple[int, bool]:
    """(side, stated): the model's lean, overruled by what the source states in words."""
    side = {"supports": 1, "refutes": -1}.get(lean, 0)
    if side and words.says(side):
        return side, True
    if words.says(1) != words.says(-1):
        return (1 if words.says(1) else -1), True
    return side, False


def _leaning_quote(
    model: StanceModel, claim: str, source: SourceEvidence, text: str, side: int
) -> str | None:
    """For a side that no sentence states: the shown quote that points its way most (by the
    model's margin), else the document sentence that does, else the shown quote leaning most."""
    label, opposite = (_SUPPORTS, _REFUTES) if side == 1 else (_REFUTES, _SUPPORTS)
    weights = model.extractor_.claim_cues(claim).weights
    index = model.extractor_.text_cues(text).index
    hits: dict[int, float] = {}
    for word, weight in weights.items():
        for number in index.get(word, ()):
            hits[number] = hits.get(number, 0.0) + weight
    sentences = _sentence_texts(text)
    # The sentences that hold most of the claim's words (a few: this runs per conflict).
    about = sorted(hits, key=lambda number: (-hits[number], number))[:_LEANING_CANDIDATES]
    about_claim = [sentences[number] for number in sorted(about) if number < len(sentences)]
    for candidates in ([quote.text for quote in source.quotes], about_claim):
        pointing = [
            candidate
            for candidate in candidates
            if _points_its_way(model, claim, candidate, side)
            and not candidate.rstrip("\"'”’) ").endswith("?")
        ]
        if pointing:
            scores = model.decision_function([claim] * len(pointing), pointing)
            return pointing[int((scores[:, label] - scores[:, opposite]).argmax())]
    quotes = [quote.text for quote in source.quotes]
    if not quotes:
        return None
    scores = model.decision_function([claim] * len(quotes), quotes)
    return quotes[int((scores[:, label] - scores[:, opposite]).argmax())]


def _reason(supporting_stated: bool, refuting_stated: bool) -> str:
    if supporting_stated and refuting_stated:
        return STANCE_REASON
    if refuting_stated:
        return "one source leans towards the claim (its quote does not say so outright), the other refutes it"
    if supporting_stated:
        return (
            "one source supports the claim, the other leans against it (its quote does not say so outright)"
        )
    return "one source leans towards the claim, the other against it (neither quote says so outright)"


def assess(
    question: str,
    sources: Sequence[SourceEvidence],
    documents: Mapping[str, Document],
    *,
    model: StanceModel | None = None,
) -> Assessment:
    """Stances of ``sources`` toward the question's claim, and the conflicts between them."""
    model = model or default_model()
    claim = extract_claim(question)
    shown = [QuotedSource(source.id, tuple(quote.text for quote in source.quotes)) for source in sources]
    conflicts: list[Conflict] = []
    stances: list[Stance] = ["discusses"] * len(sources)
    if not claim.is_open and sources:
        # (An open question asserts nothing: every source that answers it discusses it.)
        texts = [_source_text(source, documents) for source in sources]
        leans = model.predict([claim.text] * len(texts), texts)
        terms = claim_terms(claim.text, model.extractor_.claim_cues(claim.text).weights)
        words = [_words(model, terms, source, text) for source, text in zip(sources, texts, strict=True)]
        decided = [_decide(lean, found) for lean, found in zip(leans, words, strict=True)]
        stated = [was_stated for _, was_stated in decided]
        # The model read a discussion but a sentence takes a side: kept aside for now (news
        # restating a claim is rarely taking it up).
        sides = [side if lean != "discusses" else 0 for lean, (side, _) in zip(leans, decided, strict=True)]
        settled = list(sides)
        for i, side in enumerate(sides):
            # Words beat a lean: against a source stating the opposite, a lean needs words too.
            opposed = any(side and other == -side and stated[j] for j, other in enumerate(sides))
            if opposed and not stated[i] and not _points_its_way(model, claim.text, texts[i], side):
                settled[i] = 0
        for i, (lean, (side, _)) in enumerate(zip(leans, decided, strict=True)):
            # ... unless it stands against a source that states the opposite in words.
            if lean == "discusses" and side and any(o == -side and stated[j] for j, o in enumerate(settled)):
                settled[i] = side
        sides = settled
        quotes: dict[int, str | None] = {}

        def quote_of(index: int) -> str | None:
            if index not in quotes:
                side = sides[index]
                quotes[index] = words[index].best(side) if stated[index] else None
                if quotes[index] is None:
                    quotes[index] = _leaning_quote(model, claim.text, sources[index], texts[index], side)
            return quotes[index]

        for i, side in enumerate(sides):
            if side and -side in sides and quote_of(i) is None:
                sides[i] = 0  # nothing to quote for it (no quotes, no text): it cannot be shown
        for i, side in enumerate(sides):
            if side != 1:
                continue
            for j, other in enumerate(sides):
                if other != -1 or sources[j].id == sources[i].id:
                    continue
                supporting, refuting = quote_of(i), quote_of(j)
                if supporting is None or refuting is None:  # not after the loop above
                    continue
                reason = _reason(stated[i], stated[j])
                conflicts.append(stance_conflict(shown[i], supporting, shown[j], refuting, reason=reason))
        stances = [_STANCE_OF_SIDE[side] for side in sides]
    conflicts += number_conflicts(shown, question=question)
    conflicts += name_conflicts(question, claim.wh_word, shown)
    return Assessment(
        claim=claim.text, stances=tuple(stances), disagreement=bool(conflicts), conflicts=tuple(conflicts)
    )


def warm_up(documents: Iterable[Document], *, model: StanceModel | None = None) -> None:
    """Load the model and analyse every document now, so the first questions are fast too.

    Call once when a corpus is loaded; afterwards ``assess`` only does per-claim work.
    """
    model = model or default_model()
    for document in documents:
        model.extractor_.text_cues(document.quotable_text)
