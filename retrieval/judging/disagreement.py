"""The disagreement engine: each cited source's stance toward the claim, and the conflicts.

    assessment = assess(question, answer.sources, documents)

For a claim (a yes/no question or a statement):

1. **The stance rests on a sentence.** The stance model (``stance.model``) reads each
   source's document and judges its candidate sentences one by one: a source supports
   (refutes) the claim only when the model leans that way and one of its sentences is
   judged to state (deny) the claim. That sentence is the source's *stating quote*, shown
   with the source (cut to the per-source budget around the claim's words when longer).
   A source with no such sentence discusses the claim, whatever its overall lean.
2. **Conflicts.** A source that supports beside one that refutes is always a conflict,
   quoting each one's stating quote: nothing searches the text again for them, and every
   count of stances (the tally) counts these same stances.

For an open question every source discusses it; its conflicts are different answers of the
asked type (``conflicts.answer_conflicts``). A model's lean never makes a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from retrieval.answer import Conflict, Quote, SourceEvidence, Stance
from retrieval.corpus.documents import Document
from retrieval.judging.claims import ClaimKind, extract_claim
from retrieval.judging.conflicts import QuotedSource, answer_conflicts, stance_conflict
from retrieval.judging.quotes import MAX_QUOTE_CHARS, trim_to_words
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


def _stating_quote(source: SourceEvidence, document: Document, start: int, end: int, claim: str) -> Quote:
    """The quote showing a stating sentence: the shown quote holding it if there is one,
    else the sentence itself, cut to the per-source budget around the claim's words."""
    for quote in source.quotes:
        if quote.start <= start and end <= quote.end:
            return quote
    text = document.text
    cut_start, cut_end = start, end
    if end - start > MAX_QUOTE_CHARS:
        is_relevant = _ANALYZER.stems_to_one_of(_ANALYZER.words(claim))
        cut_start, cut_end = trim_to_words(text, start, end, budget=MAX_QUOTE_CHARS, is_relevant=is_relevant)
    return Quote(
        text[cut_start:cut_end], cut_start, cut_end, cut_before=cut_start > start, cut_after=cut_end < end
    )


def _judge(
    model: StanceModel, claim: str, source: SourceEvidence, document: Document | None
) -> tuple[int, Quote | None]:
    """(side, stating quote) of one source; a source whose document cannot be read discusses."""
    if document is None:
        return 0, None
    text = document.quotable_text
    judgement = model.judge(claim, text)
    if judgement.sentence is None:
        return 0, None
    start, end = model.extractor_.text_cues(text).spans[judgement.sentence]
    return _SIDE_OF_STANCE[judgement.stance], _stating_quote(source, document, start, end, claim)


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
    sides: list[int] = []
    stating: list[Quote | None] = []
    for source in sources:
        side, quote = _judge(model, claim.text, source, documents.get(source.id))
        sides.append(side)
        stating.append(quote)
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
