"""The disagreement engine: each cited source's stance toward the claim, and the conflicts.

    assessment = assess(question, answer.sources, documents)

The stance of a source is judged on its whole (quotable) document text, not only on
the quotes shown: a quote of 300 characters can miss the "however, this is false"
two sentences later. The conflicts, though, always pair quotes the sources show, so
the user sees the disagreeing words themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.answer import Conflict, SourceEvidence, Stance
from retrieval.claims import extract_claim
from retrieval.conflicts import QuotedSource, name_conflicts, number_conflicts, stance_conflict
from retrieval.documents import Document
from retrieval.stance.features import DENSE_FEATURE_NAMES
from retrieval.stance.model import LABELS, StanceModel, default_model

_SUPPORTS, _REFUTES = LABELS.index("supports"), LABELS.index("refutes")


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


_FEATURE = {name: i for i, name in enumerate(DENSE_FEATURE_NAMES)}


def _takes_side(model: StanceModel, claim: str, text: str, side: int) -> bool:
    """Whether the text says so in words, beyond the model's overall lean.

    A conflict is a strong statement, so the model's label is not enough on its own:
    a refuting source must negate the claim's own words or use a refutation cue in the
    sentences about it; a supporting one must restate the claim plainly (no negation,
    hedge or refutation cue). Without this, a lean learnt from news (long debunking
    articles) makes "refutes" of an article that merely has other negative sentences.
    """
    dense, _ = model.extractor_.features(claim, text)
    if side == _REFUTES:
        return (
            dense[_FEATURE["log_negated_restatements"]] > 0
            or dense[_FEATURE["top_negation_near_claim"]] > 0
            or dense[_FEATURE["top_refutation"]] > 0
        )
    return dense[_FEATURE["log_affirmed_restatements"]] > 0


def _best_quote(model: StanceModel, claim: str, source: SourceEvidence, label: int) -> str:
    """The quote of the source that most clearly takes the side ``label``: by the model's
    margin over the opposite side, and for refutation a quote that negates the claim's
    words (or has a refutation cue) first. Supporting quotes get no such preference: a
    plain sentence sharing two words with the claim is not yet support for it."""
    quotes = [quote.text for quote in source.quotes]
    if len(quotes) == 1:
        return quotes[0]
    scores = model.decision_function([claim] * len(quotes), quotes)
    opposite = _REFUTES if label == _SUPPORTS else _SUPPORTS
    margins = scores[:, label] - scores[:, opposite]
    if label == _REFUTES:
        explicit = np.array([_takes_side(model, claim, quote, label) for quote in quotes], dtype=float)
        margins += 10.0 * explicit  # margins are log-odds, rarely beyond ±5: explicit wins
    return quotes[int(np.argmax(margins))]


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
    texts = [_source_text(source, documents) for source in sources]
    if claim.is_open or not sources:
        # An open question asserts nothing: every source that answers it discusses it.
        stances: tuple[Stance, ...] = ("discusses",) * len(sources)
    else:
        stances = tuple(model.predict([claim.text] * len(texts), texts))

    shown = [QuotedSource(source.id, tuple(quote.text for quote in source.quotes)) for source in sources]
    conflicts: list[Conflict] = []
    sides: dict[tuple[int, int], bool] = {}

    def takes_side(index: int, side: int) -> bool:
        if (index, side) not in sides:
            sides[index, side] = _takes_side(model, claim.text, texts[index], side)
        return sides[index, side]

    for i, stance in enumerate(stances):
        if stance != "supports" or not sources[i].quotes:
            continue
        for j, other in enumerate(stances):
            if other != "refutes" or not sources[j].quotes or sources[j].id == sources[i].id:
                continue
            if takes_side(i, _SUPPORTS) and takes_side(j, _REFUTES):
                conflicts.append(
                    stance_conflict(
                        shown[i],
                        _best_quote(model, claim.text, sources[i], _SUPPORTS),
                        shown[j],
                        _best_quote(model, claim.text, sources[j], _REFUTES),
                    )
                )
    conflicts += number_conflicts(shown, question=question)
    conflicts += name_conflicts(question, claim.wh_word, shown)
    return Assessment(
        claim=claim.text, stances=stances, disagreement=bool(conflicts), conflicts=tuple(conflicts)
    )


def warm_up(documents: Iterable[Document], *, model: StanceModel | None = None) -> None:
    """Load the model and analyse every document now, so the first questions are fast too.

    Call once when a corpus is loaded; afterwards ``assess`` only does per-claim work.
    """
    model = model or default_model()
    for document in documents:
        model.extractor_.text_cues(document.quotable_text)
