"""Names in text, and whether two names can be spellings of one name.

Spelling variants of one name (romanisations such as Jun/Jeon, hyphens and spacing,
initials, a surname alone) are matched by a consonant skeleton.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from retrieval.judging.stance import lexicon as lex

# A name: capitalised words (hyphenated parts allowed: "Ji-hoon", "Ok-ju"), or initials.
# A possessive ends a name: "Sony's Aaron Sorkin" is two names.
_NAME_WORD = r"(?:[A-Z]\w*(?:['’](?!s\b)\w+)?(?:-[A-Za-z]\w*)*|[A-Z]\.)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*")
_VOWELS = frozenset("aeiouy")


# Conflicts compare every name of every cited sentence with the question's, per question:
# the same few strings again and again. These pure functions remember their results.
@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=8192)
def name_tokens(name: str) -> tuple[str, ...]:
    return tuple(token for token in re.split(r"[\s\-.’']+", _fold(name)) if token and token != "s")


@lru_cache(maxsize=8192)
def _skeleton(token: str) -> str:
    """First letter plus the consonants, doubled letters collapsed: "Jeon"/"Jun" → "jn"."""
    kept = token[0] + "".join(ch for ch in token[1:] if ch not in _VOWELS and ch != "h" and ch != "w")
    return re.sub(r"(.)\1+", r"\1", kept)


@lru_cache(maxsize=16384)
def same_name(first: str, second: str) -> bool:
    """Whether two names can be spellings of one name (romanisation, hyphens, initials, part)."""
    a, b = name_tokens(first), name_tokens(second)
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


def mentions_name(sentence: str, sentence_names: Sequence[str], name: str) -> bool:
    """Whether a sentence names ``name``: among its names, or as its first word ("Ballerina
    was directed by …"), which ``names`` skips when it stands alone."""
    if any(same_name(name, found) for found in sentence_names):
        return True
    return _whole_word(_fold(name)).search(_fold(sentence)) is not None


@lru_cache(maxsize=4096)
def _whole_word(folded: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")
