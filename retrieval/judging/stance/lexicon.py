"""The words that signal stance: negations, refutation, hedging and support cues, and the
few paraphrases a claim's stance hangs on.

Words come from the one analyser (``retrieval.text``): ``Analyzer.all_words`` keeps "not",
"no", "never" and contractions whole ("isn't"), since for stance they are the signal, not
noise; stems are the analyser's, with the paraphrase groups below merged.
"""

from __future__ import annotations

from functools import lru_cache

from retrieval.text.analysis import STOP_WORDS as INDEX_STOP_WORDS
from retrieval.text.analysis import Analyzer

_ANALYZER = Analyzer(ngram_range=(1, 1))

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
# The analyser's stop words, less the negations: stance must keep them.
STOP_WORDS = INDEX_STOP_WORDS - NEGATIONS


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes normalised and contractions whole ("isn’t" → "isn't")."""
    return _ANALYZER.all_words(text)


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
    word_stem = _ANALYZER.stem_word(word)
    return _CANONICAL.get(word_stem, word_stem)


def stems(tokens: list[str]) -> list[str]:
    """Stems of tokens, in order."""
    return [stem(token) for token in tokens]


def content_stems(tokens: list[str]) -> list[str]:
    """Stems of the non-stop, non-negation words, in order (the terms a claim is about)."""
    return [stem(token) for token in tokens if token not in STOP_WORDS and not is_negation(token)]
