"""The words every view of an Answer shares: headlines, stance labels, the claim line, the tally.

The Discord and the text renderers lay these out differently (markdown and escaping on
Discord, plain lines in a terminal) but never word them differently: a change of
wording is made here, once. Nothing here escapes or formats: the renderers do.
"""

from __future__ import annotations

from typing import Literal

from retrieval.answer import Answer

Kind = Literal["question", "claim"]

STANCE_LABELS = {
    "supports": "supports the claim",
    "refutes": "refutes the claim",
    "discusses": "discusses it without taking a side",
}
# The tally's verb for one source, then for several.
TALLY_VERBS = {
    "supports": ("supports", "support"),
    "refutes": ("refutes", "refute"),
    "discusses": ("only mentions it", "only mention it"),
}
TALLY_SEPARATOR = " · "

DISAGREEMENT = "The sources disagree"
SINGLE_SOURCE = "Only one source in the corpus covers"
NO_SOURCE = "No source in the corpus covers"
CLAIM_LINE = "Stances are judged against the claim:"
STANCE = "Stance:"
UNDERSTOOD_AS = "Understood as:"
SHORTENED_CLAIM = "The message is long: only its first {limit:,} characters were checked."
CORPUS_NAMED = "Corpus:"


def subject(kind: Kind) -> str:
    """What the user asked, as the headline names it."""
    return "this claim" if kind == "claim" else "this question"


def sources_count(count: int) -> str:
    return f"{count} source{'s' if count != 1 else ''}"


def headline(answer: Answer, kind: Kind) -> tuple[str, str]:
    """The first line's two parts: its lead (shown strongest) and the rest, before the question."""
    about = subject(kind)
    if answer.status == "no_answer" or not answer.sources:
        return f"{NO_SOURCE} {about}", ""
    if answer.disagreement:
        return DISAGREEMENT, f"on {about}"
    if answer.single_source:
        return f"{SINGLE_SOURCE} {about}", ""
    count = sources_count(len(answer.sources))
    if answer.disagreement is False:
        return f"{count}, no disagreement found", f"on {about}"
    return f"What {count} say", f"on {about}"


def stance_label(stance: str) -> str:
    return STANCE_LABELS.get(stance, stance)


def tally(answer: Answer) -> str | None:
    """ "2 sources support · 1 refutes · 1 only mentions it", or None when no stance was judged.

    Counted by :attr:`Answer.stance_counts`, the same per-source stances the conflicts use.
    """
    counts = answer.stance_counts
    if not counts:
        return None
    parts = []
    for stance, count in counts.items():
        one, several = TALLY_VERBS.get(stance, (stance, stance))
        noun = f" source{'s' if count != 1 else ''}" if not parts else ""
        parts.append(f"{count}{noun} {one if count == 1 else several}")
    return TALLY_SEPARATOR.join(parts)


def _comparable(text: str) -> str:
    """Text for "is this the same sentence?": one line, no end punctuation, any case."""
    return " ".join(text.split()).rstrip(" .?!").casefold()


def shown_claim(answer: Answer) -> str | None:
    """The claim the stances were judged against, when the user needs telling which it is.

    Only when some source was judged (an open question has no stances, so no claim line)
    and the claim reads differently from what was asked.
    """
    if answer.claim is None or not any(source.stance for source in answer.sources):
        return None
    if _comparable(answer.claim) == _comparable(answer.question):
        return None
    return answer.claim
