"""Quantities in text: years, amounts of money, percentages, ages and counts of a unit.

    number_mentions("The pair, together since 2020, announced it in 2021.")

Each mention has a kind ("year", "money:dollar", "count:screen" …), the range of values
it allows ("about 100" covers 85–115, "more than 5" is open above, a round "5 million"
may be rounded) and the content stems of its own clause, so that two numbers can be told
to be about the same thing, and to be different values, or not.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from retrieval.judging.stance import lexicon as lex

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
}
_CURRENCY_SYMBOLS = {"$": "dollar", "€": "euro", "£": "pound", "₩": "won", "¥": "yen"}
_CURRENCY_WORDS = {
    "dollar": "dollar",
    "dollars": "dollar",
    "usd": "dollar",
    "euro": "euro",
    "euros": "euro",
    "pound": "pound",
    "pounds": "pound",
    "won": "won",
    "yen": "yen",
}
_APPROXIMATE = (
    "about",
    "around",
    "roughly",
    "approximately",
    "nearly",
    "almost",
    "some",
    "estimated",
    "circa",
)
# "between 4,000 and 5,000": the first number is a lower bound (the second is read on its own).
_AT_LEAST = ("more than", "over", "at least", "above", "upwards of", "in excess of", "exceeding", "between")
_AT_MOST = ("less than", "under", "at most", "up to", "fewer than", "below", "no more than")
_APPROXIMATION = 0.15  # "about 100" covers 85–115

_NUMBER_PATTERN = re.compile(
    r"(?<![\w.])(?P<currency>[$€£₩¥])?\s?"
    # Digits may run into a scale ("£1.5million"); number words must stand alone.
    r"(?P<value>(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d)|(?:" + "|".join(_NUMBER_WORDS) + r")\b)"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|k|m|b)\b)?"
    r"(?P<percent>\s?%|\s(?:per\s?cent|percent)\b)?",
    re.IGNORECASE,
)
_MAY_HAVE_NUMBER = re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_CONTEXT_WINDOW = 6
# Words too general to show that two numbers are about the same thing.
_GENERIC = frozenset(
    lex.stems(["year", "years", "old", "time", "number", "total", "about", "also", "one", "said"])
)


@dataclass(frozen=True)
class NumberMention:
    """A quantity in a sentence: its kind, the range of values it allows, and its context stems."""

    kind: str
    low: float
    high: float
    surface: str
    context: frozenset[str]

    def disjoint_from(self, other: NumberMention) -> bool:
        """Whether the two cannot be the same value (amounts rounded differently, "$5.2 million"
        and "$5,200,000", are the same amount)."""
        tolerance = 1e-9 * max(abs(self.low), abs(other.low), 1.0)
        return self.high + tolerance < other.low or other.high + tolerance < self.low


def _qualifier_pattern(qualifiers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(qualifiers) + r")\s*$", re.IGNORECASE)


_AT_LEAST_BEFORE = _qualifier_pattern(_AT_LEAST)
_AT_MOST_BEFORE = _qualifier_pattern(_AT_MOST)
_APPROXIMATE_BEFORE = _qualifier_pattern(_APPROXIMATE)


def _rounding_range(value: float) -> tuple[float, float]:
    """A round number ("$2,000", "5 million") may be rounded: it covers a quarter of its
    last significant place either way; 27 or 2,084 are exact."""
    place = 1.0
    while value >= place * 10 and value % (place * 10) == 0:
        place *= 10
    if place < 100:
        return value, value
    return value - place / 4, value + place / 4


def _qualifier_bounds(before: str, value: float) -> tuple[float, float]:
    tail = before[-24:]
    if _AT_LEAST_BEFORE.search(tail):
        return value, math.inf
    if _AT_MOST_BEFORE.search(tail):
        return 0.0, value
    if _APPROXIMATE_BEFORE.search(tail):
        return value * (1 - _APPROXIMATION), value * (1 + _APPROXIMATION)
    return value, value


# Numbers are compared with the words of their own clause only: "together since 2020,
# announced their romance in 2021" has two years about two different things.
_CLAUSE_BREAK = re.compile(r"[;:()\[\]—–\"“”]|,\s|\s(?:and|but|while|whereas|which|who|when)\s")


@lru_cache(maxsize=8192)
def number_mentions(sentence: str) -> tuple[NumberMention, ...]:
    """The quantities of a sentence (or quote), each with the kind of thing it counts.

    Cached: the same passages are quoted again and again.
    """
    if not _MAY_HAVE_NUMBER.search(sentence):
        return ()
    return tuple(mention for clause in _CLAUSE_BREAK.split(sentence) for mention in _clause_numbers(clause))


def _clause_numbers(clause: str) -> list[NumberMention]:
    mentions: list[NumberMention] = []
    for match in _NUMBER_PATTERN.finditer(clause):
        raw = match.group("value")
        word_value = _NUMBER_WORDS.get(raw.lower())
        value = float(word_value) if word_value is not None else float(raw.replace(",", ""))
        scale = (match.group("scale") or "").lower()
        value *= _SCALES.get(scale, 1.0)
        after_words = lex.words(clause[match.end() :])
        before_words = lex.words(clause[: match.start()])
        unit_word = next((w for w in after_words if w not in lex.STOP_WORDS), "")
        currency = _CURRENCY_SYMBOLS.get(match.group("currency") or "") or _CURRENCY_WORDS.get(unit_word)
        if match.group("percent"):
            kind = "percent"
        elif currency:
            kind = f"money:{currency}"
        elif word_value is None and "," not in raw and "." not in raw and 1000 <= value <= 2099 and not scale:
            kind = "year"
        elif after_words[:2] in (["year", "old"], ["years", "old"]) or before_words[-1:] == ["aged"]:
            kind = "age"
        elif unit_word:
            kind = "count:" + lex.stem(unit_word)
        else:
            continue  # a bare number counting nothing named: nothing to compare
        if word_value is not None and kind.startswith("count:") and value <= 1:
            continue  # "one" is too often not a count ("one of the", "no one")
        low, high = _qualifier_bounds(clause[: match.start()], value)
        if kind == "year" and clause[match.end() : match.end() + 1] == "s" and value % 10 == 0:
            low, high = value, value + 9  # "the 1970s" is a decade
        elif kind not in ("year", "age") and low == high and "." not in raw:
            low, high = _rounding_range(value)
        context = set(lex.content_stems(before_words[-_CONTEXT_WINDOW:]))
        context |= set(lex.content_stems(after_words[:_CONTEXT_WINDOW]))
        context = {word for word in context - _GENERIC if not word[:1].isdigit()}
        context.discard(lex.stem(unit_word))
        mentions.append(NumberMention(kind, low, high, match.group(0).strip(), frozenset(context)))
    return mentions
