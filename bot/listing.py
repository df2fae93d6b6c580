"""Browsing a corpus's documents: all of them, by title initial, or by words in the title.

A corpus may hold hundreds of thousands of documents; ``/sources`` shows eight at a time.
:class:`TitleIndex` is built once per engine (from ids and titles only, no document text)
and answers "which documents, in which order" for a :class:`Selection`.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_lowercase
from typing import Any, Literal

Mode = Literal["a", "i", "q"]  # all, initial, query
DIGITS = "#"
OTHER = "~"
BUCKETS = (DIGITS, *ascii_lowercase, OTHER)
MAX_GROUPS = 24  # a select menu holds 25 options: "All" and these
QUERY_LIMIT = 40
LEADING_PUNCTUATION = re.compile(r"^[\W_]+")


@dataclass(frozen=True)
class Selection:
    """Which documents a listing shows: all; those whose title starts with a group of
    initials ("b", "a-c", "#" for digits, "~" for other scripts); or those whose title or id
    contains some text."""

    mode: Mode = "a"
    value: str = ""

    @classmethod
    def from_filter(cls, text: str | None) -> Selection:
        """``/sources filter:``: one letter or "#" is an initial; anything else, words to find."""
        text = " ".join((text or "").split())[:QUERY_LIMIT]
        if not text:
            return cls()
        if len(text) == 1 and (text.casefold() in ascii_lowercase or text == DIGITS):
            return cls("i", text.casefold())
        return cls("q", text)

    def buckets(self) -> set[str]:
        if "-" in self.value and len(self.value) == 3:
            first, last = self.value[0], self.value[2]
            return {bucket for bucket in BUCKETS if first <= bucket <= last and bucket in ascii_lowercase}
        return {self.value}

    def describe(self) -> str | None:
        """How the selection reads in a heading (unescaped), or None for all documents."""
        if self.mode == "i":
            return f"titles starting with {group_label(self.value)}"
        if self.mode == "q":
            return f"titles containing “{self.value}”"
        return None


def group_label(group: str) -> str:
    if group == DIGITS:
        return "0–9"
    if group == OTHER:
        return "other scripts"
    return group.upper().replace("-", "–")


def initial(title: str) -> str:
    """The bucket of a title: its first letter without accents, "#" for a digit, "~" otherwise."""
    for char in title:
        if char.isalnum():
            base = unicodedata.normalize("NFKD", char)[0].casefold()
            if base in ascii_lowercase:
                return base
            return DIGITS if char.isdigit() else OTHER
    return OTHER


class TitleIndex:
    """Every document's title, its initial, and the documents in title order."""

    def __init__(self, ids_and_titles: Sequence[tuple[str, str]]) -> None:
        self.labels_ = [f"{title}\n{doc_id}".casefold() for doc_id, title in ids_and_titles]
        self.initials_ = [initial(title) for _, title in ids_and_titles]
        # Title order ignores leading quotes and punctuation, as the initials do.
        keys = [LEADING_PUNCTUATION.sub("", label) for label in self.labels_]
        self.title_order_ = sorted(range(len(ids_and_titles)), key=keys.__getitem__)

    def __len__(self) -> int:
        return len(self.labels_)

    def numbers(self, selection: Selection) -> Sequence[int]:
        """The document numbers a selection shows: corpus order for all and for a search,
        title order for an initial."""
        if selection.mode == "i":
            wanted = selection.buckets()
            return [n for n in self.title_order_ if self.initials_[n] in wanted]
        if selection.mode == "q":
            needle = selection.value.casefold()
            return [n for n, label in enumerate(self.labels_) if needle in label]
        return range(len(self.labels_))

    def groups(self) -> list[str]:
        """The initials present, as at most MAX_GROUPS groups (adjacent letters merged when needed)."""
        present = [bucket for bucket in BUCKETS if bucket in set(self.initials_)]
        if len(present) <= MAX_GROUPS:
            return present
        letters = [bucket for bucket in present if bucket in ascii_lowercase]
        others = [bucket for bucket in present if bucket not in ascii_lowercase]
        slots = MAX_GROUPS - len(others)
        # As even as can be: the first (len % slots) groups take one letter more.
        size, longer = divmod(len(letters), slots)
        chunks, start = [], 0
        for group in range(slots):
            end = start + size + (1 if group < longer else 0)
            chunks.append(letters[start:end])
            start = end
        merged = [chunk[0] if len(chunk) == 1 else f"{chunk[0]}-{chunk[-1]}" for chunk in chunks if chunk]
        return [*(b for b in others if b == DIGITS), *merged, *(b for b in others if b == OTHER)]


_indexes: weakref.WeakKeyDictionary[Any, TitleIndex] = weakref.WeakKeyDictionary()


def title_index(engine: Any) -> TitleIndex:
    """The engine's title index, built on first use (call it off the event loop)."""
    index = _indexes.get(engine)
    if index is None:
        documents = engine.documents
        ids_and_titles = getattr(documents, "ids_and_titles", None)
        pairs = ids_and_titles() if ids_and_titles else [(d.id, d.title) for d in documents]
        index = _indexes[engine] = TitleIndex(pairs)
    return index
