"""The words every view of an Answer shares: headlines, stance labels, the claim line, the tally.

The Discord and the text renderers lay these out differently (markdown and escaping on
Discord, plain lines in a terminal) but never word them differently: a change of
wording is made here, once. Nothing here escapes or formats: the renderers do.
"""

from __future__ import annotations

from typing import Literal

from retrieval.answer import Answer, Quote, SourceEvidence

Kind = Literal["question", "claim"]
ELLIPSIS = "…"

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

# Feedback: each choice a click can make (bot.store.CHOICES), as buttons, menus and reports show it.
FEEDBACK_LABELS = {
    "up": "👍",
    "down": "👎",
    "wrong_quote": "Wrong quote",
    "wrong_stance": "Wrong stance",
    "should_not_answer": "Should not have answered",
}
REPORT_DESCRIPTIONS = {
    "wrong_quote": "A quote is wrong, or does not say what the answer uses it for",
    "wrong_stance": "A source's stance (supports / refutes) is wrong",
    "should_not_answer": "No source covers this: the bot should have said so",
}


def subject(kind: Kind) -> str:
    """What the user asked, as the headline names it."""
    return "this claim" if kind == "claim" else "this question"


def counted(count: int, noun: str) -> str:
    """ "1 answer", "2,000 answers": a count and its noun, plural where it must be."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def sources_count(count: int) -> str:
    return counted(count, "source")


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


def shown_stance(answer: Answer, source: SourceEvidence) -> str | None:
    """The stance label a source's block shows, or None: none was judged, or the question is open
    ("Who plays Choi Pro?" asserts nothing, so no source can support or refute it)."""
    if source.stance is None or answer.claim_kind == "open":
        return None
    return stance_label(source.stance)


def quote_text(quote: Quote) -> str:
    """The verbatim quote, with an ellipsis where it starts or ends inside its sentence."""
    return f"{ELLIPSIS if quote.cut_before else ''}{quote.text}{ELLIPSIS if quote.cut_after else ''}"


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
