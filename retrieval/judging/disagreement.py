"""The disagreement engine: each cited source's stance toward the claim, and the conflicts.

    assessment = assess(question, answer.sources, documents)

For a claim (a yes/no question or a statement):

1. **Sentence by sentence.** Every sentence of a source's document that holds the claim's
   predicate is judged: does it state the claim, deny it, or neither
   (``retrieval.judging.stance.explicit``)?
2. **A stance rests on a sentence.** A source supports (refutes) the claim only when one of
   its sentences states (denies) it; that sentence becomes its *stating quote*, shown with
   the source (cut to the per-source budget around the claim's words when longer). When
   its sentences take both sides, the stance model's reading of the whole article picks
   one (or neither). A source with no such sentence discusses the claim, whatever the
   model's lean.
3. **Conflicts.** A source that supports beside one that refutes is always a conflict,
   quoting each one's stating quote: nothing searches the text again for them.

For an open question every source discusses it; its conflicts are different answers of the
asked type (``conflicts.answer_conflicts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from retrieval.answer import Conflict, Quote, SourceEvidence, Stance
from retrieval.corpus.documents import Document
from retrieval.judging.claims import ClaimKind, extract_claim
from retrieval.judging.conflicts import QuotedSource, answer_conflicts, stance_conflict
from retrieval.judging.quotes import MAX_QUOTE_CHARS, trim_to_words
from retrieval.judging.stance.explicit import ClaimTerms, claim_terms, sentence_side
from retrieval.judging.stance.model import StanceModel, default_model
from retrieval.text.analysis import Analyzer

_STANCE_OF_SIDE: dict[int, Stance] = {1: "supports", -1: "refutes", 0: "discusses"}
_SIDE_OF_STANCE = {"supports": 1, "refutes": -1}
_ANALYZER = Analyzer(ngram_range=(1, 1))


@dataclass(frozen=True)
class Assessment:
    """What the disagreement engine found for one answer."""

    claim: str
    stances: tuple[Stance, ...]  # aligned with the sources passed in
    disagreement: bool  # True when there is at least one conflict
    conflicts: tuple[Conflict, ...]
    # Aligned with the sources: the quote stating each one's stance (None when it discusses).
    stating: tuple[Quote | None, ...] = ()
    claim_kind: ClaimKind = "statement"  # how the question was read (claims.Claim.kind)


@dataclass(frozen=True)
class _Sentence:
    """A sentence that states (+1) or denies (-1) the claim, with where it stands."""

    side: int
    coverage: float
    start: int
    end: int


def _coverage(terms: ClaimTerms, stems: frozenset[str]) -> float:
    """How much of the claim a sentence holds: its predicate first, then the whole claim."""
    predicate = sum(terms.weights[word] for word in terms.predicate if word in stems)
    whole = sum(weight for word, weight in terms.weights.items() if word in stems)
    return 10 * predicate / terms.predicate_weight + whole / (sum(terms.weights.values()) or 1.0)


def _pieces(source: SourceEvidence, document: Document | None) -> list[tuple[str, int]]:
    """(text, offset in the document) to judge: the document, or its shown quotes when unread."""
    if document is not None:
        return [(document.quotable_text, 0)]
    return [(quote.text, quote.start) for quote in source.quotes]


def _stating_sentences(
    model: StanceModel, terms: ClaimTerms, pieces: Sequence[tuple[str, int]]
) -> list[_Sentence]:
    """The sentences that state or deny the claim, with their offsets in the document."""
    found = []
    for text, offset in pieces:
        cues = model.extractor_.text_cues(text)
        candidates = sorted({number for word in terms.predicate for number in cues.index.get(word, ())})
        for number in candidates:
            sentence = cues.sentences[number]
            side = sentence_side(terms, sentence)
            if side:
                start, end = cues.spans[number]
                found.append(
                    _Sentence(side, _coverage(terms, sentence.stem_set), offset + start, offset + end)
                )
    return found


def _decide(model: StanceModel, claim: str, text: str, sentences: Sequence[_Sentence]) -> int:
    """The side a source takes: the side its sentences state; when they state both, the
    side the model reads in the whole article, if it is one of them."""
    sides = {sentence.side for sentence in sentences}
    if len(sides) == 1:
        return sides.pop()
    if not sides:
        return 0
    lean = _SIDE_OF_STANCE.get(model.predict([claim], [text])[0], 0)
    return lean if lean in sides else 0


def _stating_quote(
    source: SourceEvidence, document: Document | None, sentences: Sequence[_Sentence], side: int, claim: str
) -> Quote:
    """The quote showing the side: a shown quote holding a stating sentence if there is one,
    else the stating sentence covering most of the claim (first of equals), cut to the
    per-source budget around the claim's words."""
    stating = [sentence for sentence in sentences if sentence.side == side]
    for quote in source.quotes:
        if any(quote.start <= s.start and s.end <= quote.end for s in stating):
            return quote
    best = max(stating, key=lambda sentence: (sentence.coverage, -sentence.start))
    text = document.text if document is not None else None
    if text is None:  # judged from the shown quotes themselves
        return next(q for q in source.quotes if q.start <= best.start and best.end <= q.end)
    start, end = best.start, best.end
    if end - start > MAX_QUOTE_CHARS:
        is_relevant = _ANALYZER.stems_to_one_of(_ANALYZER.words(claim))
        start, end = trim_to_words(text, start, end, budget=MAX_QUOTE_CHARS, is_relevant=is_relevant)
    return Quote(text[start:end], start, end, cut_before=start > best.start, cut_after=end < best.end)


def assess(
    question: str,
    sources: Sequence[SourceEvidence],
    documents: Mapping[str, Document],
    *,
    model: StanceModel | None = None,
) -> Assessment:
    """Stances of ``sources`` toward the question's claim, and the conflicts between them."""
    claim = extract_claim(question)
    n = len(sources)
    if claim.is_open or not sources:
        # An open question asserts nothing: every source that answers it discusses it.
        quoted = [
            QuotedSource(source.id, source.quotes, _text(source, documents.get(source.id)))
            for source in sources
        ]
        conflicts = tuple(answer_conflicts(question, quoted)) if claim.is_open else ()
        return Assessment(claim.text, ("discusses",) * n, bool(conflicts), conflicts, (None,) * n, claim.kind)
    model = model or default_model()
    terms = claim_terms(claim.text, model.extractor_.claim_cues(claim.text).weights)
    sides: list[int] = []
    stating: list[Quote | None] = []
    for source in sources:
        document = documents.get(source.id)
        sentences = _stating_sentences(model, terms, _pieces(source, document))
        side = _decide(model, claim.text, _text(source, document), sentences) if sentences else 0
        sides.append(side)
        stating.append(_stating_quote(source, document, sentences, side, claim.text) if side else None)
    conflicts = []
    for i, supporting in enumerate(sources):
        for j, refuting in enumerate(sources):
            if sides[i] == 1 and sides[j] == -1 and supporting.id != refuting.id:
                conflicts.append(stance_conflict(supporting.id, stating[i], refuting.id, stating[j]))  # type: ignore[arg-type]
    return Assessment(
        claim.text,
        tuple(_STANCE_OF_SIDE[side] for side in sides),
        bool(conflicts),
        tuple(conflicts),
        tuple(stating),
        claim.kind,
    )


def _text(source: SourceEvidence, document: Document | None) -> str:
    if document is not None:
        return document.quotable_text
    return "\n".join(quote.text for quote in source.quotes)  # a source we cannot read in full


def warm_up(documents: Iterable[Document], *, model: StanceModel | None = None) -> None:
    """Load the model and analyse every document now, so the first questions are fast too.

    Call once when a corpus is loaded; afterwards ``assess`` only does per-claim work.
    """
    model = model or default_model()
    for document in documents:
        model.extractor_.text_cues(document.quotable_text)
