"""The Answer: one plain data object, built once, rendered by every front end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["answered", "no_answer"]
Stance = Literal["supports", "refutes", "discusses"]
ClaimKind = Literal["yes_no", "statement", "open"]
STANCES: tuple[Stance, ...] = ("supports", "refutes", "discusses")


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a document: always ``document.text[start:end]``."""

    text: str
    start: int
    end: int
    # True when the quote starts (ends) inside its sentence: renderers show an ellipsis.
    cut_before: bool = False
    cut_after: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "cut_before": self.cut_before,
            "cut_after": self.cut_after,
        }


@dataclass(frozen=True)
class SourceEvidence:
    """One cited source: its citation, its relevance and its best quotes."""

    id: str
    title: str
    url: str | None
    publisher: str | None
    author: str | None
    score: float
    quotes: tuple[Quote, ...]
    path: str | None = None
    date: str | None = None
    # Set by the disagreement engine; None means it has not judged this source.
    stance: Stance | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "author": self.author,
            "score": round(self.score, 6),
            "quotes": [quote.to_dict() for quote in self.quotes],
        }
        if self.path is not None:
            data["path"] = self.path
        if self.date is not None:
            data["date"] = self.date
        if self.stance is not None:
            data["stance"] = self.stance
        return data


@dataclass(frozen=True)
class Conflict:
    """Two quotes from different sources that cannot both be true.

    Each quote is the verbatim span (with its offsets) that states its source's side, and
    it is one of the quotes that source is shown with.
    """

    sources: tuple[str, str]
    quotes: tuple[Quote, Quote]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "quotes": [quote.to_dict() for quote in self.quotes],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Answer:
    """Everything any front end shows about one question."""

    question: str
    status: Status
    sources: tuple[SourceEvidence, ...] = ()
    # None until the disagreement engine has judged the answer: then the JSON omits them.
    disagreement: bool | None = None
    conflicts: tuple[Conflict, ...] | None = None
    # The claim the stance of each source is judged against (a yes/no question read as a statement).
    claim: str | None = None
    # How the question was read: a yes/no question, a statement (a claim to check), or an
    # open question, which asserts nothing, so its sources are not tallied by stance.
    claim_kind: ClaimKind | None = None
    # True when exactly one source in the corpus covers the question (however many were
    # asked for): the user is told there is nothing to compare it with.
    single_source: bool = False
    id: Any = field(default=None, compare=False)

    @property
    def stance_counts(self) -> dict[str, int]:
        """How many sources take each stance (the tally), from the same per-source stances
        the conflicts are found between; empty for an open question or when no source was judged."""
        if self.claim_kind == "open":
            return {}
        counts = {stance: sum(source.stance == stance for source in self.sources) for stance in STANCES}
        return {stance: count for stance, count in counts.items() if count}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.id is not None:
            data["id"] = self.id
        data["question"] = self.question
        data["status"] = self.status
        data["sources"] = [source.to_dict() for source in self.sources]
        data["single_source"] = self.single_source
        if self.claim is not None:
            data["claim"] = self.claim
        if self.claim_kind is not None:
            data["claim_kind"] = self.claim_kind
        if self.stance_counts:
            data["tally"] = self.stance_counts
        if self.disagreement is not None:
            data["disagreement"] = self.disagreement
        if self.conflicts is not None:
            data["conflicts"] = [conflict.to_dict() for conflict in self.conflicts]
        return data
