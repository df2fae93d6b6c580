"""Reading the FNC-1 and ARC stance files (training and benchmarking only; never shipped).

Both come as a stances CSV (Headline, Body ID, Stance) and a bodies CSV (Body ID,
articleBody). FNC labels map to the bot's stances: agree → supports, disagree →
refutes, discuss → discusses; ``unrelated`` pairs are what retrieval must not cite.
"""

from __future__ import annotations

import csv
import random
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
