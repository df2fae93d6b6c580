"""Answers to open questions: the type of answer a question asks for, and the answers a
sentence gives to it.

    asked = asked_for("In what year did Night Harbour premiere at Busan?")  # Asked("year")
    given = answers_in(asked, "Night Harbour premiered at Busan in 2021.", question)

Two sources disagree on an open question only when the sentences that answer it give
different answers of the asked type for the same subject (``conflicts.answer_conflicts``).
So a sentence *answers* the question only when it names everything the question names
(its subject) and holds most of the question's other words (what is asked about it), and
its answers are the values of the asked type that the question does not itself hold:

- a year for "when", "what year";
- a count of the asked unit for "how many <unit>", an amount for "how much … cost",
  a percentage, an age for "how old";
- a person's name (two words or more) for "who", a name for "where", "which <noun>" and
  "what <team, company, city …>".

Anything else ("what", "why", "how") asks for no comparable value: no conflict is looked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.judging.names import mentions_name, name_tokens, names, same_name
from retrieval.judging.numbers import NumberMention, number_mentions
from retrieval.text.analysis import Analyzer

# A sentence answers a question when it holds at least this share of the question's other
# content words (names aside, which it must all hold). Looser lets sentences about another
# fact of the same subject in.
ANSWERING_SHARE = 0.75

_ANALYZER = Analyzer(ngram_range=(1, 1))
_QUESTION_WORDS = frozenset(
    {"who", "whom", "whose", "what", "which", "when", "where", "why", "how", "whence"}
)
# Words that carry the question's grammar, not what it asks about.
_AUXILIARIES = frozenset(
    {"do", "does", "did", "done", "is", "was", "are", "were", "be", "been", "am", "has", "have", "had"}
    | {"can", "could", "will", "would", "shall", "should", "may", "might", "must"}
)
_PLACE_NOUNS = frozenset(
    {"city", "country", "state", "town", "village", "county", "province", "region", "continent"}
    | {"island", "river", "nation", "capital", "place", "location", "venue", "stadium", "site"}
)
# "What <noun>" asks for a name only with nouns that are named things.
_NAMED_NOUNS = _PLACE_NOUNS | frozenset(
    {"team", "club", "company", "band", "group", "network", "party", "university", "school", "college"}
    | {"newspaper", "magazine", "film", "movie", "album", "song", "book", "studio", "airline", "league"}
    | {"person", "player", "actor", "actress", "director", "singer", "author", "president", "king"}
)
_PERSON_NOUNS = frozenset(
    {"person", "player", "actor", "actress", "director", "singer", "author", "president", "king", "queen"}
)


# Capitalised words that name no one: dates and eras.
_NOT_NAMES = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    | {"ad", "bc", "bce", "ce", "i", "an", "a", "the"}
)


def _is_answer_name(name: str) -> bool:
    """Whether a capitalised span can be an answer: not a date or an era ("September", "AD")."""
    return any(token not in _NOT_NAMES for token in name_tokens(name))


@dataclass(frozen=True)
class Asked:
    """What an open question asks for: a ``kind`` of value, and for counts the unit's stem."""

    kind: str  # "year", "count", "money", "percent", "age", "person", "name"
    unit: str | None = None
    type_words: frozenset[str] = frozenset()  # the question's words naming the asked type


def _words(text: str) -> list[str]:
    return _ANALYZER.all_words(text)


def _stem(word: str) -> str:
    found = _ANALYZER.words(word)
    return found[0] if found else word


def asked_for(question: str) -> Asked | None:
    """The type of answer an open question asks for, or None when it asks for none that
    two sources could be compared on."""
    words = _words(question)
    position = next((i for i, word in enumerate(words) if word.removesuffix("'s") in _QUESTION_WORDS), None)
    if position is None:
        return None
    head = words[position].removesuffix("'s")
    following = words[position + 1 : position + 3]
    nxt = following[0] if following else ""
    if head == "when" or (head in {"what", "which"} and nxt in {"year", "years"}):
        return Asked("year", type_words=frozenset({_stem("year")}))
    if head == "how":
        if nxt == "many" and len(following) > 1:
            unit = _stem(following[1])
            return Asked("count", unit=unit, type_words=frozenset({unit}))
        if nxt == "much" and any(_stem(word) in {"cost", "pay", "paid", "spend", "spent"} for word in words):
            return Asked("money")
        if nxt == "old":
            return Asked("age")
        return None
    if head in {"what", "which"} and nxt in {"percentage", "percent", "proportion", "share"}:
        return Asked("percent", type_words=frozenset({_stem(nxt)}))
    if head in {"who", "whom", "whose"}:
        return Asked("person")
    if head == "where":
        return Asked("name")
    if head in {"what", "which"} and nxt:
        noun = nxt
        if head == "which" or noun in _NAMED_NOUNS:
            kind = "person" if noun in _PERSON_NOUNS else "name"
            return Asked(kind, type_words=frozenset({_stem(noun)}))
    return None


@dataclass(frozen=True)
class QuestionTerms:
    """What a sentence must hold to answer the question: its names, and its other content stems."""

    names: tuple[str, ...]
    stems: frozenset[str]


@lru_cache(maxsize=1024)
def question_terms(question: str, asked: Asked) -> QuestionTerms:
    body = question.split(maxsplit=1)[1] if " " in question.strip() else ""
    found = tuple(name for name in names(" " + body) if name.lower() not in _QUESTION_WORDS)
    name_stems = {stem for name in found for stem in _ANALYZER.words(name)}
    stems = set(_ANALYZER.words(question)) - name_stems - asked.type_words
    stems -= {_stem(word) for word in _QUESTION_WORDS | _AUXILIARIES}
    return QuestionTerms(found, frozenset(stems))


def answers_question(terms: QuestionTerms, sentence: str) -> bool:
    """Whether the sentence names everything the question names, as the question names it,
    and holds most of its other words (what is asked about the subject).

    A question naming nothing ("Who sold the rights?") or asking nothing about what it
    names ("When was the French and Indian War?") ties no two answers to one fact: no
    sentence answers it for comparison.
    """
    if not terms.names or not terms.stems:
        return False
    held = terms.stems & set(_ANALYZER.words(sentence))
    if len(held) < ANSWERING_SHARE * len(terms.stems):  # the cheap test first
        return False
    sentence_names = names(sentence)
    return all(_names_it(sentence, sentence_names, name) for name in terms.names)


def _names_it(sentence: str, sentence_names: Sequence[str], name: str) -> bool:
    """The sentence names ``name`` itself: "Milutin Tesla" (his father) is not "Tesla"."""
    if not mentions_name(sentence, sentence_names, name):
        return False
    matching = [found for found in sentence_names if same_name(found, name)]
    asked = len(name_tokens(name))
    return (
        not matching
        or any(len(name_tokens(found)) <= asked for found in matching)
        or (_fold_search(name, sentence, matching))
    )


def _fold_search(name: str, sentence: str, longer: Sequence[str]) -> bool:
    """Whether ``name`` stands alone in the sentence, outside the longer names holding it."""
    for found in longer:
        sentence = sentence.replace(found, " ")
    return mentions_name(sentence, (), name)


def answers_in(asked: Asked, sentence: str, terms: QuestionTerms) -> tuple[str | NumberMention, ...]:
    """The answers of the asked type the sentence gives (values the question does not hold)."""
    if asked.kind in {"person", "name"}:
        found = []
        for name in names(sentence):
            if any(same_name(name, asked_name) for asked_name in terms.names) or not _is_answer_name(name):
                continue
            if asked.kind == "person" and len(name_tokens(name)) < 2:
                continue  # a person is named with two parts or more ("Kim Ji-hoon")
            found.append(name)
        return tuple(found)
    mentions = [
        m
        for m in number_mentions(sentence)
        if (
            m.kind == f"count:{asked.unit}"
            if asked.kind == "count"
            else m.kind.partition(":")[0] == asked.kind
        )
    ]
    # Of several, the values in the clause about what is asked ("announced … in 2021", not
    # "working together since 2020").
    about = [m for m in mentions if m.context & terms.stems]
    return tuple(about or mentions)


def also_given(answer: str | NumberMention, text: str) -> bool:
    """Whether a text gives this answer anywhere (a name in any spelling, an overlapping value)."""
    if isinstance(answer, str):
        return mentions_name(text, names(text), answer)
    return any(
        other.kind.partition(":")[0] == answer.kind.partition(":")[0] and not answer.disjoint_from(other)
        for other in number_mentions(text)
    )


def same_answer(first: str | NumberMention, second: str | NumberMention) -> bool:
    if isinstance(first, str) or isinstance(second, str):
        return isinstance(first, str) and isinstance(second, str) and same_name(first, second)
    return not first.disjoint_from(second)
