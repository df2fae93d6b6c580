"""Pairs of quotes from different sources that cannot both be true.

Three kinds, each conservative (a missed conflict is better than an invented one):

- **stance**: one source supports the claim, another refutes it (the stances come from
  the stance model; this module only pairs the quotes chosen for them);
- **numbers**: the same kind of quantity (a year, an amount of money, a percentage, a
  count of the same thing) about the same thing — the words around the two numbers
  overlap — with values that cannot both hold. "About", "more than", "under" widen a
  number into a range, and only disjoint ranges conflict;
- **names**: for a who/which question, the names each source gives next to the
  question's own subject share no name at all. Spelling variants of one name
  (romanisations such as Jun/Jeon, hyphens and spacing, initials, a surname alone) are
  matched by a consonant skeleton, so they are not conflicts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.answer import Conflict
from retrieval.judging.stance import text as lex

# ---------------------------------------------------------------------------- numbers

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
_ASKS_QUANTITY = re.compile(r"\s*how\s+(?:many|much|long|old|big|tall)\b", re.IGNORECASE)
# Words too general to show that two numbers are about the same thing.
_GENERIC = frozenset(
    lex.stems(["year", "years", "old", "time", "number", "total", "about", "also", "one", "said"])
)


@dataclass(frozen=True)
class NumberMention:
    """A quantity in a quote: its kind, the range of values it allows, and its context stems."""

    kind: str
    low: float
    high: float
    surface: str
    context: frozenset[str]


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


def _ranges_disjoint(first: NumberMention, second: NumberMention) -> bool:
    # Amounts rounded differently ("$5.2 million" / "$5,200,000") are the same amount.
    tolerance = 1e-9 * max(abs(first.low), abs(second.low), 1.0)
    return first.high + tolerance < second.low or second.high + tolerance < first.low


@dataclass(frozen=True)
class QuotedSource:
    """A cited source as conflicts see it: its id and the quote texts it shows."""

    id: str
    quotes: tuple[str, ...]


def _about_same_thing(
    first: NumberMention, second: NumberMention, question_stems: set[str], *, asks_quantity: bool
) -> bool:
    """Same kind, and the clauses share a word (or both count the unit a "how many"
    question asks about); with a question, the number must also be about it."""
    if first.kind != second.kind:
        return False
    unit = first.kind.partition(":")[2]
    if not (first.context & second.context) and not (asks_quantity and unit in question_stems):
        return False
    if not question_stems:
        return True
    return bool((first.context | second.context | {unit}) & question_stems)


def number_conflicts(sources: Sequence[QuotedSource], *, question: str = "") -> list[Conflict]:
    """Quotes of different sources giving different numbers for the same thing.

    Two numbers are about the same thing when the words of their clauses overlap, or
    when both count the unit the question asks about ("How many screens …"). A value
    that the other source also gives somewhere is not disputed: articles quoting "$500
    for steel and $5,000 for gold" and "gold at $5,000" agree, though $500 ≠ $5,000.
    """
    question_stems = set(lex.content_stems(lex.words(question)))
    asks_quantity = bool(_ASKS_QUANTITY.match(question))
    mentions = [
        [(quote, mention) for quote in source.quotes for mention in number_mentions(quote)]
        for source in sources
    ]

    def also_given(mention: NumberMention, others: list[tuple[str, NumberMention]]) -> bool:
        # Counts match whatever they count: the unit guessed after a number is often wrong
        # ("400 of his 50 million followers" counts "followers", not "of").
        family = mention.kind.partition(":")[0]
        return any(
            other.kind.partition(":")[0] == family and not _ranges_disjoint(other, mention)
            for _, other in others
        )

    conflicts: list[Conflict] = []
    for i, first_source in enumerate(sources):
        for j in range(i + 1, len(sources)):
            second_source = sources[j]
            if first_source.id == second_source.id:
                continue
            for first_quote, first in mentions[i]:
                if also_given(first, mentions[j]):
                    continue
                for second_quote, second in mentions[j]:
                    if not _about_same_thing(first, second, question_stems, asks_quantity=asks_quantity):
                        continue
                    if not _ranges_disjoint(first, second) or also_given(second, mentions[i]):
                        continue
                    what = _KIND_NAMES.get(first.kind.split(":")[0], "numbers")
                    reason = f"different {what} for the same thing: {first.surface} vs {second.surface}"
                    conflicts.append(
                        Conflict(
                            sources=(first_source.id, second_source.id),
                            quotes=(first_quote, second_quote),
                            reason=reason,
                        )
                    )
    return _unique(conflicts)


_KIND_NAMES = {
    "year": "years",
    "money": "amounts",
    "percent": "percentages",
    "age": "ages",
    "count": "numbers",
}

# ------------------------------------------------------------------------------ names

# A name: capitalised words (hyphenated parts allowed: "Ji-hoon", "Ok-ju"), or initials.
# A possessive ends a name: "Sony's Aaron Sorkin" is two names.
_NAME_WORD = r"(?:[A-Z]\w*(?:['’](?!s\b)\w+)?(?:-[A-Za-z]\w*)*|[A-Z]\.)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*")
_VOWELS = frozenset("aeiouy")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _name_tokens(name: str) -> list[str]:
    return [token for token in re.split(r"[\s\-.’']+", _fold(name)) if token and token != "s"]


def _skeleton(token: str) -> str:
    """First letter plus the consonants, doubled letters collapsed: "Jeon"/"Jun" → "jn"."""
    kept = token[0] + "".join(ch for ch in token[1:] if ch not in _VOWELS and ch != "h" and ch != "w")
    return re.sub(r"(.)\1+", r"\1", kept)


def same_name(first: str, second: str) -> bool:
    """Whether two names can be spellings of one name (romanisation, hyphens, initials, part)."""
    a, b = _name_tokens(first), _name_tokens(second)
    if not a or not b:
        return False
    if _skeleton("".join(a)) == _skeleton("".join(b)):
        return True  # same letters but for vowels and spacing: "Jihoon" / "Ji-hoon", "Jun" / "Jeon"
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    longer_skeletons = [_skeleton(token) for token in longer]
    for token in shorter:
        if len(token) == 1:  # an initial matches any word with that first letter
            if not any(other.startswith(token) for other in longer):
                return False
        elif _skeleton(token) not in longer_skeletons:
            return False
    return True


def names(sentence: str) -> list[str]:
    """Capitalised name-like spans of a sentence; a lone capitalised first word is skipped."""
    found = []
    for match in _NAME.finditer(sentence):
        name = match.group(0).strip()
        starts_sentence = not sentence[: match.start()].strip(" \"'“‘(")
        if starts_sentence and " " not in name:
            continue
        if starts_sentence and name.split()[0].lower() in lex.STOP_WORDS:
            name = name.split(maxsplit=1)[1]  # "The Call" at the start keeps "Call"
        found.append(re.sub(r"['’]s$", "", name))
    return found


def _question_names(question: str) -> list[str]:
    # The question's first word is capitalised for grammar, not because it is a name.
    body = question.split(maxsplit=1)[1] if " " in question else ""
    words = body.split()
    if len(words) >= 4 and sum(word[:1].isupper() for word in words) >= 0.6 * len(words):
        return []  # a Title Case Headline: capitals no longer mark names
    return [name for name in names(" " + body) if name.lower() not in lex.STOP_WORDS]


def _answer_names(quote: str, subject: Sequence[str], *, person: bool) -> list[str]:
    """Names a quote gives in the sentences that mention the question's subject (anywhere,
    the sentence's first word included)."""
    answers = []
    for sentence in lex.sentences(quote):
        sentence_names = names(sentence)
        if not all(_mentions(sentence, sentence_names, s) for s in subject):
            continue
        for name in sentence_names:
            if any(same_name(name, s) for s in subject):
                continue
            if person and len(_name_tokens(name)) < 2:
                continue  # a person is named with two parts or more ("Kim Ji-hoon")
            answers.append(name)
    return answers


def _mentions(sentence: str, sentence_names: Sequence[str], name: str) -> bool:
    """Whether a sentence names ``name``: among its names, or as its first word ("Ballerina
    was directed by …"), which ``names`` skips when it stands alone."""
    if any(same_name(name, found) for found in sentence_names):
        return True
    return re.search(rf"(?<!\w){re.escape(_fold(name))}(?!\w)", _fold(sentence)) is not None


def name_conflicts(question: str, wh_word: str | None, sources: Sequence[QuotedSource]) -> list[Conflict]:
    """For who/which questions: sources whose answers share no name (variants allowed)."""
    if wh_word not in {"who", "whom", "whose", "which"}:
        return []
    subject = _question_names(question)
    if not subject:
        return []  # without a named subject, "the names near it" would be any names
    person = wh_word != "which"
    answers = [
        [(quote, _answer_names(quote, subject, person=person)) for quote in source.quotes]
        for source in sources
    ]
    conflicts: list[Conflict] = []
    for i, first_source in enumerate(sources):
        first_names = [name for _, found in answers[i] for name in found]
        for j in range(i + 1, len(sources)):
            second_source = sources[j]
            second_names = [name for _, found in answers[j] for name in found]
            if first_source.id == second_source.id or not first_names or not second_names:
                continue
            if any(same_name(a, b) for a in first_names for b in second_names):
                continue
            first_quote = next(quote for quote, found in answers[i] if found)
            second_quote = next(quote for quote, found in answers[j] if found)
            first_name = next(found[0] for _, found in answers[i] if found)
            second_name = next(found[0] for _, found in answers[j] if found)
            reason = f"different names given for the same question: {first_name} vs {second_name}"
            conflicts.append(
                Conflict(
                    sources=(first_source.id, second_source.id),
                    quotes=(first_quote, second_quote),
                    reason=reason,
                )
            )
    return conflicts


# ----------------------------------------------------------------------------- stance

STANCE_REASON = "one source supports the claim, the other refutes it"


def stance_conflict(
    supporting: QuotedSource,
    supporting_quote: str,
    refuting: QuotedSource,
    refuting_quote: str,
    *,
    reason: str = STANCE_REASON,
) -> Conflict:
    """The conflict between a source that supports the claim and one that refutes it."""
    return Conflict(
        sources=(supporting.id, refuting.id), quotes=(supporting_quote, refuting_quote), reason=reason
    )


def _unique(conflicts: list[Conflict]) -> list[Conflict]:
    """One conflict per pair of quotes (the first reason found for it)."""
    seen: set[tuple[str, str, str, str]] = set()
    unique = []
    for conflict in conflicts:
        key = (*conflict.sources, *conflict.quotes)
        if key not in seen:
            seen.add(key)
            unique.append(conflict)
    return unique
