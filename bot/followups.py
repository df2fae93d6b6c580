"""Follow-up questions in a thread: borrowing the subject of the thread's first question.

In a thread opened on an answer to "Is Ballerina based on a true story?", the follow-up
"Who directed it?" has no subject of its own: "it" stands for the first question's
subject, so it is asked as "Who directed Ballerina?". A follow-up that names its own
subject ("Who directed Parasite?") is asked as it is.

The subject of a question is its first name (a run of capitalised words: "Ballerina",
"Choi Pro", "Lee Chung-hyun"), else the noun phrase right after a yes/no question's
auxiliary ("Is *the film* based on a true story?"). A follow-up borrows it when it refers
back with a pronoun ("it", "they", "his"…) or a definite "the film"/"the movie"/….
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_][\w’'\-]*")
# Words that open a question or sentence and are capitalised only for that reason.
_FUNCTION_WORDS_TEXT = """
    a an the this that these those is are was were be been being am do does did done have has
    had can could will would shall should may might must who whom whose what which when where
    why how i you he she it we they me him her us them my your his its our their and or but if
    whether tell show give list please in on at of for from to by with about as than then so not
    no yes there here any some all every each
"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
_AUXILIARIES_TEXT = """
    is are was were am do does did has have had can could will would shall should may might must
"""
_AUXILIARIES = frozenset(_AUXILIARIES_TEXT.split())
# Pronouns that stand for a thing or person named earlier, and what replaces them.
_PRONOUNS = {
    "it": "{subject}",
    "its": "{subject}’s",
    "they": "{subject}",
    "them": "{subject}",
    "their": "{subject}’s",
    "he": "{subject}",
    "him": "{subject}",
    "his": "{subject}’s",
    "she": "{subject}",
    "her": "{subject}",
}
_DEFINITE = re.compile(
    r"\bthe\s+(?:film|movie|show|series|book|article|story|documentary|novel|play|game|song|album)\b",
    re.IGNORECASE,
)
# "it" is not a reference in "Is it true that …", "it seems", "it is said".
_DUMMY_IT = re.compile(
    r"\bit\s+(?:seems?|appears?|(?:is\s+|was\s+)?(?:said|true|false|claimed|reported|possible|likely))\b",
    re.IGNORECASE,
)


def _is_name(word: str) -> bool:
    return word[:1].isupper() and word.casefold() not in _FUNCTION_WORDS


def subject_of(question: str) -> str | None:
    """The subject of a thread's first question, or None if it has none to lend."""
    matches = list(_WORD.finditer(question))
    run: list[re.Match[str]] = []
    for position, match in enumerate(matches):
        word = match.group()
        # The first word is capitalised for being first: it is a name only if it is no function word.
        if _is_name(word) and (position > 0 or word.casefold() not in _FUNCTION_WORDS):
            if run and question[run[-1].end() : match.start()].strip() not in ("",):
                break  # names separated by punctuation: keep the first
            run.append(match)
        elif run:
            break
    if run:
        return question[run[0].start() : run[-1].end()]
    words = [match.group() for match in matches]
    if len(words) >= 3 and words[0].casefold() in _AUXILIARIES and words[1].casefold() == "the":
        return f"the {words[2]}"
    return None


def _mentions_subject(followup: str, subject: str) -> bool:
    wanted = {word.casefold() for word in _WORD.findall(subject)} - _FUNCTION_WORDS
    return bool(wanted) and wanted <= {word.casefold() for word in _WORD.findall(followup)}


def understood_as(followup: str, first_question: str) -> str | None:
    """The follow-up with the first question's subject in place of its references to it,
    or None when it needs none (it has a subject of its own, or there is none to borrow)."""
    subject = subject_of(first_question)
    if subject is None or _mentions_subject(followup, subject):
        return None
    protected = {match.start() for match in _DUMMY_IT.finditer(followup)}

    def pronoun(match: re.Match[str]) -> str:
        word = match.group()
        if match.start() in protected:
            return word
        replacement = _PRONOUNS[word.casefold()].format(subject=subject)
        return replacement[:1].upper() + replacement[1:] if match.start() == 0 else replacement

    pattern = re.compile(r"\b(?:" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)
    rewritten = pattern.sub(pronoun, followup)
    rewritten = _DEFINITE.sub(subject, rewritten)
    return rewritten if rewritten != followup else None
