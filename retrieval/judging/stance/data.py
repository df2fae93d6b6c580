"""Reading the FNC-1 and ARC stance files (training and benchmarking only; never shipped).

Both come as a stances CSV (Headline, Body ID, Stance) and a bodies CSV (Body ID,
articleBody). FNC labels map to the bot's stances: agree → supports, disagree →
refutes, discuss → discusses; ``unrelated`` pairs are what retrieval must not cite.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FNC_TO_STANCE = {"agree": "supports", "disagree": "refutes", "discuss": "discusses"}
STANCE_TO_FNC = {stance: label for label, stance in FNC_TO_STANCE.items()}

FNC_FILES = ("fnc1-train-stances.csv", "fnc1-train-bodies.csv")
ARC_TRAIN_FILES = ("arc-stances-train.csv", "arc-bodies.csv")
ARC_TEST_FILES = ("arc-stances-test.csv", "arc-bodies.csv")


@dataclass(frozen=True)
class Pair:
    """One labelled (headline, body) pair; ``label`` is the FNC label."""

    headline: str
    body_id: str
    body: str
    label: str

    @property
    def related(self) -> bool:
        return self.label != "unrelated"


def read_pairs(data_dir: Path, stances_file: str, bodies_file: str, *, body_prefix: str = "") -> list[Pair]:
    """The labelled pairs of one stances file, with body texts joined in.

    ``body_prefix`` keeps body ids of different data sets apart when they are mixed.
    """
    with (data_dir / bodies_file).open(encoding="utf-8", newline="") as handle:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}
    with (data_dir / stances_file).open(encoding="utf-8", newline="") as handle:
        return [
            Pair(row["Headline"], body_prefix + row["Body ID"], bodies[row["Body ID"]], row["Stance"])
            for row in csv.DictReader(handle)
        ]


def split_by_headline(
    pairs: list[Pair], *, held_out_fraction: float, seed: int
) -> tuple[list[Pair], list[Pair]]:
    """(training, held-out) with no headline on both sides, as FNC-1's own hold-out does."""
    headlines = sorted({pair.headline for pair in pairs})
    random.Random(seed).shuffle(headlines)
    held_out = set(headlines[: round(len(headlines) * held_out_fraction)])
    return (
        [pair for pair in pairs if pair.headline not in held_out],
        [pair for pair in pairs if pair.headline in held_out],
    )


def connected_components(edges: Iterable[tuple[str, str, bool]]) -> dict[str, int]:
    """Component number of every node of ``(node, node, linked)`` edges (an unlinked edge
    only adds its nodes), numbered in order of first appearance."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for first, second, linked in edges:
        first_root, second_root = root(first), root(second)
        if linked and first_root != second_root:
            parent[first_root] = second_root
    numbers: dict[str, int] = {}
    return {node: numbers.setdefault(root(node), len(numbers)) for node in parent}


def topics(pairs: list[Pair]) -> dict[str, int]:
    """Topic number of every headline and body (keys ``h:<headline>``, ``b:<body id>``).

    A topic is a connected component of the graph linking each headline to the bodies it
    has a related (agree / disagree / discuss) pair with; numbered in order of first
    appearance, so the numbering depends only on the file.
    """
    return connected_components(("h:" + pair.headline, "b:" + pair.body_id, pair.related) for pair in pairs)


def split_by_topic(
    pairs: list[Pair], *, held_out_fraction: float, seed: int
) -> tuple[list[Pair], list[Pair]]:
    """(training, held-out) with whole topics held out (see ``topics``).

    A pair is held out when its headline and its body are both in held-out topics, and
    trained on when both are in training topics; an unrelated pair straddling the two
    sides is dropped, so no body or headline of a held-out topic is ever trained on.
    """
    topic_of = topics(pairs)
    numbers = sorted(set(topic_of.values()))
    random.Random(seed).shuffle(numbers)
    held_out = set(numbers[: round(len(numbers) * held_out_fraction)])
    training, evaluation = [], []
    for pair in pairs:
        sides = {topic_of["h:" + pair.headline] in held_out, topic_of["b:" + pair.body_id] in held_out}
        if sides == {True}:
            evaluation.append(pair)
        elif sides == {False}:
            training.append(pair)
    return training, evaluation


@dataclass(frozen=True)
class NliPair:
    """One SNLI pair: the premise is the document, the hypothesis the claim."""

    premise: str
    hypothesis: str
    label: str  # entailment / contradiction / neutral
    group: str  # the premise's captionID: pairs of one premise stay in one fold

    @property
    def stance(self) -> str:
        return NLI_TO_STANCE[self.label]


NLI_TO_STANCE = {"entailment": "supports", "contradiction": "refutes", "neutral": "discusses"}
SNLI_FILE = "snli-1.0-dev.jsonl"


def read_snli(data_dir: Path, file_name: str = SNLI_FILE) -> list[NliPair]:
    """The labelled SNLI pairs (``-``, no annotator agreement, skipped)."""
    pairs = []
    with (data_dir / file_name).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            if row["gold_label"] in NLI_TO_STANCE:
                pairs.append(NliPair(row["sentence1"], row["sentence2"], row["gold_label"], row["captionID"]))
    return pairs


def grouped_folds(pairs: list[NliPair], *, n_folds: int, seed: int) -> list[int]:
    """Fold number of each pair, every premise's pairs in one fold (a fixed shuffle of the groups)."""
    groups = sorted({pair.group for pair in pairs})
    random.Random(seed).shuffle(groups)
    fold_of = {group: number % n_folds for number, group in enumerate(groups)}
    return [fold_of[pair.group] for pair in pairs]
