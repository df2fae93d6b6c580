"""Words, sentences and cue lexicons shared by stance features, claims and conflicts.

Unlike the retrieval analyser, nothing here drops "not", "no" or "never": for stance
they are the signal, not noise.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from retrieval.text.analysis import ENGLISH_STOP_WORDS  # scikit-learn's list, without importing scikit-learn

# Words keep inner apostrophes ("isn't", "film's") so that "n't" stays visible.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A sentence ends at . ! ? (or a line break) followed by space; cheap and good enough
# for finding the sentences that mention a claim's terms.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")

NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "neither",
        "nor",
        "none",
        "nobody",
        "nothing",
        "nowhere",
        "without",
        "cannot",
        "hardly",
        "barely",
        "lack",
        "lacks",
        "lacking",
    }
)
REFUTATION_CUES = frozenset(
    {
        "fake",
        "faked",
        "hoax",
        "hoaxes",
        "false",
        "falsely",
        "deny",
        "denies",
        "denied",
        "denial",
        "debunk",
        "debunked",
        "debunks",
        "untrue",
        "myth",
        "fabricated",
        "fabrication",
        "misleading",
        "satire",
        "satirical",
        "incorrect",
        "wrong",
        "refute",
        "refuted",
        "refutes",
        "baseless",
        "bogus",
        "dismiss",
        "dismissed",
        "dismisses",
        "doubt",
        "doubts",
        "retract",
        "retracted",
        "fiction",
        "fictional",
        "fictitious",
        "prank",
        "parody",
        "erroneous",
        "mistaken",
        "unfounded",
        "dispute",
        "disputed",
        "disputes",
        "contrary",
        "reject",
        "rejected",
        "rejects",
        "nonsense",
        "scam",
        "spoof",
        "photoshopped",
        "unsubstantiated",
        "misinformation",
        "disinformation",
        "rumour",
        "rumor",
        "rumours",
        "rumors",
        "debunking",
        "lie",
        "lies",
        "lied",
        "invented",
        "made-up",
    }
)
HEDGE_CUES = frozenset(
    {
        "reportedly",
        "allegedly",
        "alleged",
        "alleges",
        "claim",
        "claims",
        "claimed",
        "according",
        "report",
        "reports",
        "reported",
        "may",
        "might",
        "could",
        "appears",
        "appear",
        "apparently",
        "purportedly",
        "purported",
        "unconfirmed",
        "unverified",
        "speculate",
        "speculation",
        "speculated",
        "suggest",
        "suggests",
        "suggested",
        "believed",
        "believe",
        "possibly",
        "possible",
        "perhaps",
        "likely",
        "unclear",
        "whether",
        "supposedly",
        "seems",
        "seem",
        "said",
        "says",
        "say",
        "sources",
        "source",
        "rumoured",
        "rumored",
        "if",
        "would",
        "expected",
    }
)
SUPPORT_CUES = frozenset(
    {
        "confirm",
        "confirmed",
        "confirms",
        "confirmation",
        "official",
        "officially",
        "announced",
        "announces",
        "indeed",
        "verified",
        "proven",
        "proved",
        "revealed",
        "true",
        "actually",
        "evidence",
        "shows",
        "showed",
        "shown",
        "real",
        "fact",
        "definitely",
        "certainly",
        "clearly",
        "undoubtedly",
    }
)
# Sklearn's English stop list contains the negations; stance must keep them.
STOP_WORDS = (frozenset(ENGLISH_STOP_WORDS) | {"s", "t", "d", "ll", "ve", "re", "m"}) - NEGATIONS

_STEMMER = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes normalised ("isn’t" → "isn't")."""
    return [word.replace("’", "'") for word in _WORD.findall(text.lower())]


def is_negation(word: str) -> bool:
    """A negating word: "not", "never", … or any "…n't" contraction."""
    return word in NEGATIONS or word.endswith("n't")


# Paraphrases that word overlap cannot see but a claim's stance hangs on: "based on a
# true story" is said as "inspired by real-life events" or "adapted from actual
# incidents". Each stem maps to its group's first stem, for claim and text alike.
_PARAPHRASE_GROUPS = (
    ("base", "inspir", "adapt"),
    ("true", "real", "actual"),
    ("stori", "event", "incid"),
)
_CANONICAL = {member: group[0] for group in _PARAPHRASE_GROUPS for member in group[1:]}


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Snowball stem of a lower-cased word, paraphrases merged (cached: words recur)."""
    word_stem = _STEMMER.stemWord(word)
    return _CANONICAL.get(word_stem, word_stem)


def stems(tokens: list[str]) -> list[str]:
    """Stems of tokens, in order."""
    return [stem(token) for token in tokens]


def content_stems(tokens: list[str]) -> list[str]:
    """Stems of the non-stop, non-negation words, in order (the terms a claim is about)."""
    return [stem(token) for token in tokens if token not in STOP_WORDS and not is_negation(token)]


def sentences(text: str) -> list[str]:
    """The text cut into sentences (and lines); empty pieces dropped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and piece.strip()]
