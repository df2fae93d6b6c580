"""Pairs of quotes from different sources that cannot both be true.

Two kinds, both precision first (a missed conflict is better than an invented one):

- **stance**: one source has a sentence that states the claim, another one a sentence
  that denies it (``disagreement.assess`` judges the sentences; this module pairs the
  quotes that state each side);
- **answers**: for an open question asking for a year, a number, a person or another
  name (``answers.asked_for``), the sentences of two sources that answer it (naming the
  question's subject and holding most of its words) give answers of that type that share
  no value, and neither source gives the other's answer anywhere in its text. A model's
  lean never makes a conflict, and numbers are compared only when the question asks for
  that quantity, in the unit it asks about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer import Conflict, Quote
from retrieval.judging.answers import (
    Asked,
    QuestionTerms,
    also_given,
    answers_in,
    answers_question,
    asked_for,
    question_terms,
    same_answer,
)
from retrieval.judging.numbers import NumberMention

STANCE_REASON = "one source supports the claim, the other refutes it"
_KIND_NAMES = {
    "year": "years",
    "count": "numbers",
    "money": "amounts",
    "percent": "percentages",
    "age": "ages",
    "person": "names",
    "name": "names",
}


@dataclass(frozen=True)
class QuotedSource:
    """A cited source as conflicts see it: its id, the quotes it is shown with, and its
    document's text (to check whether it gives another source's answer anywhere)."""

    id: str
    quotes: tuple[Quote, ...]
    text: str


def stance_conflict(
    supporting: str, supporting_quote: Quote, refuting: str, refuting_quote: Quote
) -> Conflict:
    """The conflict between a source stating the claim and one denying it, each with the
    quote that says so."""
    return Conflict(
        sources=(supporting, refuting), quotes=(supporting_quote, refuting_quote), reason=STANCE_REASON
    )


def _surface(answer: str | NumberMention) -> str:
    return answer if isinstance(answer, str) else answer.surface


def answer_conflicts(question: str, sources: Sequence[QuotedSource]) -> list[Conflict]:
    """Sources whose sentences answering an open question give different answers (see the
    module docstring); one conflict per pair of sources."""
    asked = asked_for(question)
    if asked is None:
        return []
    terms = question_terms(question, asked)
    if not terms.names and len(terms.stems) < 2:
        return []  # no subject to tie the answers to: "Who won?" could be any contest
    answered = [_answers(asked, terms, source) for source in sources]
    conflicts: list[Conflict] = []
    for i, first in enumerate(sources):
        for j in range(i + 1, len(sources)):
            second = sources[j]
            if first.id == second.id or not answered[i] or not answered[j]:
                continue
            first_answers = [answer for _, found in answered[i] for answer in found]
            second_answers = [answer for _, found in answered[j] for answer in found]
            if any(same_answer(a, b) for a in first_answers for b in second_answers):
                continue
            # A source that gives the other's answer somewhere does not dispute it.
            if any(also_given(a, second.text) for a in first_answers):
                continue
            if any(also_given(b, first.text) for b in second_answers):
                continue
            what = _KIND_NAMES.get(asked.kind, "answers")
            reason = (
                f"different {what} given for the same question: "
                f"{_surface(first_answers[0])} vs {_surface(second_answers[0])}"
            )
            conflicts.append(
                Conflict(
                    sources=(first.id, second.id),
                    quotes=(answered[i][0][0], answered[j][0][0]),
                    reason=reason,
                )
            )
    return conflicts


def _answers(
    asked: Asked, terms: QuestionTerms, source: QuotedSource
) -> list[tuple[Quote, tuple[str | NumberMention, ...]]]:
    """The source's shown quotes that answer the question, each with the answers it gives."""
    found = []
    for quote in source.quotes:
        if not answers_question(terms, quote.text):
            continue
        given = answers_in(asked, quote.text, terms)
        if given:
            found.append((quote, given))
    return found
