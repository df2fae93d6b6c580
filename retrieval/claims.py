"""A question → the claim whose truth the sources are judged on.

A yes/no question asks about a statement: "Is Ballerina based on a true story?" asks
whether "Ballerina is based on a true story". A statement is its own claim. An open
question ("Who plays Choi Pro?") asserts nothing, so no source can support or refute
it; it is kept as asked and marked open (its disagreements are different answers).

This is word-order surgery with small word lists, not parsing: the claim is shown to
the user and compared word by word with the sources, so it has to be readable and
keep the question's words, not be grammatically perfect in every case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ClaimKind = Literal["yes_no", "statement", "open"]

# Auxiliaries that open a yes/no question, with the form used in the statement.
_COPULAS = {"is": "is", "are": "are", "was": "was", "were": "were", "isn't": "is", "aren't": "are"}
_COPULAS |= {"wasn't": "was", "weren't": "were"}
_DO = {"does": "does", "do": "do", "did": "did", "doesn't": "does", "don't": "do", "didn't": "did"}
_PERFECT = {"has": "has", "have": "have", "had": "had", "hasn't": "has", "haven't": "have", "hadn't": "had"}
_MODALS = {
    "can": "can",
    "could": "could",
    "will": "will",
    "would": "would",
    "should": "should",
    "may": "may",
    "might": "might",
    "must": "must",
    "can't": "can",
    "won't": "will",
}
_OPEN_WORDS = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how"})
# "Is it true that X?" / "Is it a fact that X" → X.
_TRUE_THAT = re.compile(
    r"^(?:is|was)\s+it\s+(?:really\s+|actually\s+)?(?:true|correct|a\s+fact|the\s+case|right)\s+that\s+",
    re.IGNORECASE,
)
_TAG = re.compile(r",?\s*(?:right|isn't it|is it not|true|correct|no)\s*\?*$", re.IGNORECASE)
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their"})
_SPLIT_ADVERBS = frozenset({"really", "actually", "still", "also", "ever", "truly", "not", "now", "already"})
# Prepositions that usually open a predicate ("on Netflix", "in Seoul"); "of" and "for"
# usually continue a noun phrase ("the director of Ballerina"), so they do not split.
_PREPOSITIONS = frozenset({"on", "in", "at", "about", "from", "into", "by", "with", "under", "over"})
_IRREGULAR_PARTICIPLES = frozenset(
    {
        "made",
        "set",
        "shot",
        "written",
        "done",
        "seen",
        "known",
        "born",
        "built",
        "told",
        "sold",
        "taken",
        "given",
        "found",
        "held",
        "run",
        "won",
        "lost",
        "left",
        "put",
        "cast",
        "hit",
        "bought",
        "brought",
        "thought",
        "kept",
        "paid",
    }
)
_ADJECTIVES = frozenset(
    {
        "real",
        "true",
        "false",
        "fake",
        "accurate",
        "good",
        "bad",
        "fictional",
        "dead",
        "alive",
        "married",
        "safe",
        "legal",
        "illegal",
        "available",
        "popular",
        "right",
        "wrong",
        "correct",
        "new",
        "old",
        "free",
        "banned",
        "violent",
    }
)
_ADJECTIVE_SUFFIXES = ("ful", "ous", "ive", "able", "ible", "ic", "less", "ical")
_THIRD_PERSON_IRREGULAR = {"have": "has", "do": "does", "be": "is", "go": "goes"}
_PAST_IRREGULAR = {
    "be": "was",
    "have": "had",
    "do": "did",
    "go": "went",
    "make": "made",
    "take": "took",
    "give": "gave",
    "get": "got",
    "see": "saw",
    "come": "came",
    "say": "said",
    "tell": "told",
    "find": "found",
    "win": "won",
    "lose": "lost",
    "write": "wrote",
    "shoot": "shot",
    "leave": "left",
    "know": "knew",
    "think": "thought",
    "buy": "bought",
    "bring": "brought",
    "pay": "paid",
    "run": "ran",
    "begin": "began",
    "break": "broke",
    "choose": "chose",
    "draw": "drew",
    "eat": "ate",
    "fall": "fell",
    "feel": "felt",
    "fly": "flew",
    "grow": "grew",
    "hold": "held",
    "keep": "kept",
    "lead": "led",
    "meet": "met",
    "put": "put",
    "set": "set",
    "sell": "sold",
    "send": "sent",
    "sing": "sang",
    "speak": "spoke",
    "spend": "spent",
    "stand": "stood",
    "steal": "stole",
    "teach": "taught",
    "wear": "wore",
    "die": "died",
}
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Claim:
    """What the sources are judged against.

    ``text`` is the claim as shown; ``kind`` says how it was read; ``wh_word`` is the
    question word of an open question ("who", "which", "how many", …), else None.
    """

    text: str
    kind: ClaimKind
    wh_word: str | None = None

    @property
    def is_open(self) -> bool:
        return self.kind == "open"


def _strip(question: str) -> str:
    return re.sub(r"\s+", " ", question).strip().rstrip("?!. ").strip()


def _is_participle(word: str) -> bool:
    lower = word.lower()
    return (
        (lower.endswith("ed") and len(lower) > 4)
        or (lower.endswith("ing") and len(lower) > 5)
        or lower in _IRREGULAR_PARTICIPLES
    )


def _is_adjective(word: str) -> bool:
    lower = word.lower().strip(",;:")
    return lower in _ADJECTIVES or (lower.endswith(_ADJECTIVE_SUFFIXES) and word[:1].islower())


def _predicate_start(words: list[str]) -> int:
    """Where the predicate starts in "<subject> <predicate>" (the words after the auxiliary)."""
    # The subject needs one content word: skip leading determiners and take that word.
    first = 0
    while first < len(words) - 1 and words[first].lower() in _DETERMINERS:
        first += 1
    for index in range(first + 1, len(words)):
        word = words[index]
        lower = word.lower()
        if word[:1].isupper() or word[:1].isdigit():
            continue  # names and numbers belong to the subject ("the 2023 film Ballerina")
        if lower in _PREPOSITIONS:
            # "the events in Ballerina real": a trailing adjective is the predicate;
            # otherwise the preposition opens it ("Ballerina on Netflix").
            return len(words) - 1 if _is_adjective(words[-1]) else index
        if lower in _SPLIT_ADVERBS or lower in _DETERMINERS or lower == "worth" or _is_participle(word):
            return index
    if len(words) > first + 1 and _is_adjective(words[-1]):
        return len(words) - 1
    return max(first + 1, len(words) - 1)


def _third_person(verb: str) -> str:
    lower = verb.lower()
    if lower in _THIRD_PERSON_IRREGULAR:
        return _THIRD_PERSON_IRREGULAR[lower]
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _past(verb: str) -> str:
    lower = verb.lower()
    if lower in _PAST_IRREGULAR:
        return _PAST_IRREGULAR[lower]
    if lower.endswith("e"):
        return verb + "d"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def _subject_end_for_verb(words: list[str]) -> int:
    """Index of the main verb after "Does/Did <subject>": the first lower-case non-determiner
    word after at least one subject word."""
    first = 0
    while first < len(words) - 1 and words[first].lower() in _DETERMINERS:
        first += 1
    for index in range(first + 1, len(words)):
        word = words[index]
        if word[:1].islower() and word.lower() not in _DETERMINERS:
            return index
    return min(first + 1, len(words) - 1)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _yes_no_claim(auxiliary: str, words: list[str]) -> str:
    lower = auxiliary.lower()
    if lower in _COPULAS or lower in _PERFECT:
        form = _COPULAS.get(lower) or _PERFECT[lower]
        split = _predicate_start(words)
        return " ".join([*words[:split], form, *words[split:]])
    if lower in _MODALS:
        # "Can dogs eat chocolate" → "dogs can eat chocolate": the modal goes before the verb.
        split = _subject_end_for_verb(words)
        return " ".join([*words[:split], _MODALS[lower], *words[split:]])
    form = _DO[lower]
    split = _subject_end_for_verb(words)
    verb, rest = words[split], words[split + 1 :]
    if form == "do":
        conjugated = verb
    elif form == "does":
        conjugated = _third_person(verb)
    else:
        conjugated = _past(verb)
    return " ".join([*words[:split], conjugated, *rest])


def extract_claim(question: str) -> Claim:
    """The claim a question asks about (see the module docstring)."""
    text = _strip(question)
    true_that = _TRUE_THAT.match(text)
    if true_that:
        return Claim(_capitalise(text[true_that.end() :]), "yes_no")
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Claim(text, "statement")
    head = tokens[0].lower().replace("’", "'")
    shouted = tokens[0].isupper() and len(tokens[0]) > 1 and not question.rstrip().endswith("?")
    if head in _OPEN_WORDS and not shouted:  # "WHO probing reports" is the World Health Organization
        wh_word = head
        if head in {"how", "what", "which"} and len(tokens) > 1:
            wh_word = f"{head} {tokens[1].lower()}" if head == "how" else head
        return Claim(text + "?", "open", wh_word)
    if (head in _COPULAS or head in _DO or head in _PERFECT or head in _MODALS) and len(tokens) >= 3:
        return Claim(_capitalise(_yes_no_claim(head, tokens[1:])), "yes_no")
    if question.strip().endswith("?"):
        text = _TAG.sub("", text) or text  # "Ballerina is fiction, right?" → the statement
    return Claim(text, "statement")
