"""Answer → plain text, as `citebot ask` prints it."""

from __future__ import annotations

import textwrap

from bot import wording
from bot.wording import quote_text
from retrieval.answer import Answer, SourceEvidence

NO_ANSWER = f"{wording.NO_SOURCE} this."


def citation(source: SourceEvidence) -> str:
    parts = [source.title]
    byline = ", ".join(part for part in (source.publisher, source.author) if part)
    if byline:
        parts.append(byline)
    return " — ".join(parts)


def _wrap_quote(text: str, indent: str, label: str = "") -> list[str]:
    return textwrap.wrap(
        f"“{text}”",
        width=88,
        initial_indent=f"{indent}{label}> ",
        subsequent_indent=indent + " " * len(label) + "  ",
    )


def render_source(number: int, source: SourceEvidence, answer: Answer) -> list[str]:
    lines = [f"[{number}] {citation(source)}", f"    {source.url or '(no link)'}  · {source.id}"]
    stance = wording.shown_stance(answer, source)
    if stance is not None:
        lines.append(f"    {wording.STANCE} {stance}")
    for quote in source.quotes:
        lines.extend(_wrap_quote(quote_text(quote), "    "))
        lines.append(f"      (characters {quote.start}–{quote.end})")
    return lines


def render_conflicts(answer: Answer, numbers: dict[str, int]) -> list[str]:
    """Each conflict's quotes, numbered by source (the disagreement line comes before them)."""
    lines = []
    for conflict in answer.conflicts or ():
        lines.append(f"  On this point ({conflict.reason}):")
        for source_id, quote in zip(conflict.sources, conflict.quotes, strict=True):
            lines.extend(_wrap_quote(quote_text(quote), "    ", f"[{numbers.get(source_id, '?')}] "))
    return lines


def render_summary(answer: Answer) -> list[str]:
    """What to know before the sources: disagreement, single source, the claim, the tally."""
    lines = []
    if answer.disagreement and answer.conflicts:
        lines.append(f"{wording.DISAGREEMENT.upper()}.")
    if answer.single_source:
        lines.append(f"{wording.SINGLE_SOURCE} this.")
    tally = wording.tally(answer)
    if tally is not None:
        lines.append(tally)
    claim = wording.shown_claim(answer)
    if claim is not None:
        lines.append(f"{wording.CLAIM_LINE} {claim}")
    return lines


def render_answer(answer: Answer) -> str:
    lines = [f"Q: {answer.question}", ""]
    if answer.status == "no_answer":
        lines.append(NO_ANSWER)
        return "\n".join(lines) + "\n"
    numbers = {source.id: number for number, source in enumerate(answer.sources, start=1)}
    summary = render_summary(answer)
    if answer.disagreement:
        summary.extend(render_conflicts(answer, numbers))
    if summary:
        lines.extend([*summary, ""])
    for number, source in enumerate(answer.sources, start=1):
        lines.extend(render_source(number, source, answer))
        lines.append("")
    return "\n".join(lines)
