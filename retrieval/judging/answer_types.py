"""What kind of answer a question asks for, and what kinds of answer a sentence holds.

Who asks for a person's name, where for a place, when for a date or year, how many or how
much for a number. A sentence that holds a thing of the asked kind near the question's
words is likelier to hold the answer: the quote ranker learns how much likelier, per pair
of kinds, from SQuAD (``retrieval/judging/quotes.py``). These are cheap patterns, not a
parser: the weights decide how far to trust them.
"""

from __future__ import annotations

import re

from retrieval.text.analysis import STOP_WORDS

QUESTION_KINDS = ("who", "when", "where", "quantity", "why", "what", "how", "yes_no")

_QUANTITY = re.compile(
    r"\bhow\s+(many|much|long|far|old|large|big|tall|high|often|fast|wide|deep|heavy)\b"
    r"|\bwhat\s+(percentage|percent|number|amount|proportion|share|fraction)\b",
    re.IGNORECASE,
)
_TIME_NOUNS = r"(year|years|century|decade|date|day|month|time|period|era|age|season)"
_WHEN = re.compile(rf"\bwhen\b|\b(what|which)\s+{_TIME_NOUNS}\b|\bhow\s+long\s+ago\b", re.IGNORECASE)
_PLACE_NOUNS = (
    r"(city|cities|country|countries|place|state|region|town|continent|location|area|river|island|"
    r"county|province|nation|street|building|venue|stadium)"
)
_WHERE = re.compile(rf"\bwhere\b|\b(what|which)\s+{_PLACE_NOUNS}\b|\bin\s+what\s+\w+\s*\?*$", re.IGNORECASE)
_WHO = re.compile(r"\b(who|whom|whose)\b|\b(what|which)\s+(person|people|man|woman|actor|actress)\b", re.I)
_WHY = re.compile(r"\bwhy\b|\bfor\s+what\s+reason\b|\bwhat\s+(caused|causes|led)\b", re.IGNORECASE)
_HOW = re.compile(r"\bhow\b", re.IGNORECASE)
_WHAT = re.compile(r"\b(what|which)\b", re.IGNORECASE)


def question_kind(question: str) -> str:
    """One of QUESTION_KINDS (the most specific that applies)."""
    for kind, pattern in (
        ("quantity", _QUANTITY),
        ("when", _WHEN),
        ("where", _WHERE),
        ("who", _WHO),
        ("why", _WHY),
        ("how", _HOW),
        ("what", _WHAT),
    ):
        if pattern.search(question):
            return kind
    return "yes_no"


_MONTHS = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
SENTENCE_KINDS = ("name", "year", "month", "number", "measure", "reason", "place")
_SENTENCE_PATTERNS = {
    "year": re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b|\b\d{1,2}(st|nd|rd|th)[- ]century\b|\bcentury\b"),
    "month": re.compile(rf"\b{_MONTHS}\b"),
    "number": re.compile(
        r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
        r"hundred|thousand|million|billion|dozen|half|several)\b",
        re.IGNORECASE,
    ),
    "measure": re.compile(
        r"%|[$£€¥]|\b(per ?cent|dollars?|pounds?|euros?|miles?|km|kilometres?|kilometers?|metres?|meters?|"
        r"feet|tons?|tonnes?|hours?|minutes?|years? old)\b",
        re.IGNORECASE,
    ),
    "reason": re.compile(
        r"\b(because|due to|since|so that|in order to|as a result|led to|caused|owing to)\b", re.I
    ),
    "place": re.compile(r"\b(in|at|near|from|into|across|outside|inside|throughout)\s+(the\s+)?[A-Z][a-z]+"),
}
_TOKEN = re.compile(r"[^\W_]+")
# A capitalised word that does not open the sentence (nor follow a full stop or a quote mark).
_INNER_CAPITAL = re.compile(r"(?<=[\s(,;:–—-])([A-Z][\w’'-]*)")


def inner_capitals(text: str) -> frozenset[str]:
    """The lower-cased word tokens of the capitalised words of ``text`` that do not open it
    (names, mostly): "Jeon Jong-seo’s" → {"jong", "seo"} (stop words such as the possessive
    "s" left out), comparable with ``question_tokens``."""
    return frozenset(
        token
        for word in _INNER_CAPITAL.findall(text)
        for token in _TOKEN.findall(word.lower())
        if token not in STOP_WORDS
    )


def question_tokens(question: str) -> frozenset[str]:
    """The question's lower-cased word tokens."""
    return frozenset(_TOKEN.findall(question.lower()))


# The case-blind patterns, case-sensitive, for ASCII text lower-cased first: the same
# matches (on ASCII text ignoring case is comparing lower-cased letters), twice as fast.
_LOWER_CASE_PATTERNS = {
    kind: re.compile(pattern.pattern)
    for kind, pattern in _SENTENCE_PATTERNS.items()
    if pattern.flags & re.IGNORECASE
}


def sentence_kinds_without_names(sentence: str) -> list[bool]:
    """Which of SENTENCE_KINDS occur in the sentence, "name" left False: whether a sentence
    names someone the question does not is decided per question (``has_new_name``)."""
    if not sentence.isascii():
        return [False] + [bool(_SENTENCE_PATTERNS[kind].search(sentence)) for kind in SENTENCE_KINDS[1:]]
    lowered = sentence.lower()
    return [False] + [
        bool(
            _LOWER_CASE_PATTERNS[kind].search(lowered)
            if kind in _LOWER_CASE_PATTERNS
            else _SENTENCE_PATTERNS[kind].search(sentence)
        )
        for kind in SENTENCE_KINDS[1:]
    ]


def has_new_name(capitals: frozenset[str], question: frozenset[str]) -> bool:
    """Does a sentence with these ``inner_capitals`` name something the question (its
    ``question_tokens``) does not? The answer to "who" is what the question lacks."""
    return not capitals <= question
