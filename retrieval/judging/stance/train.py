"""``citebot train-stance``: train the stance model on FNC-1 + ARC training files and save it.

Only related pairs are used: whether a body is about the claim at all is decided by
retrieval (what gets cited), so the model only learns supports / refutes / discusses.
The same seed and data give the same model file.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from retrieval.judging.stance.data import ARC_TRAIN_FILES, FNC_FILES, FNC_TO_STANCE, Pair, read_pairs
from retrieval.judging.stance.model import DEFAULT_MODEL_PATH, StanceModel

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA_DIR = PROJECT_ROOT / ".." / "shared" / "data"


def training_pairs(data_dir: Path) -> list[Pair]:
    """Every FNC-1 train and ARC train pair (body ids prefixed so the two sets stay apart)."""
    return read_pairs(data_dir, *FNC_FILES, body_prefix="fnc:") + read_pairs(
        data_dir, *ARC_TRAIN_FILES, body_prefix="arc:"
    )


def fit_on_pairs(pairs: Sequence[Pair], *, seed: int) -> StanceModel:
    """A stance model fitted on the related pairs among ``pairs``."""
    related = [pair for pair in pairs if pair.related]
    return StanceModel(random_state=seed).fit(
        [pair.headline for pair in related],
        [pair.body for pair in related],
        [FNC_TO_STANCE[pair.label] for pair in related],
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citebot train-stance", description="Train the stance model on FNC-1 and ARC training data."
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder with fnc1-train-*.csv and arc-*.csv (default: ../shared/data from the project root)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help=f"model file to write (default: {DEFAULT_MODEL_PATH})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N pairs (for a quick smoke run)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Train and save; returns the process exit status."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        pairs = training_pairs(args.data_dir)
    except (OSError, KeyError) as error:
        print(f"citebot train-stance: cannot read training data in {args.data_dir}: {error}", file=sys.stderr)
        return 2
    if args.limit is not None:
        pairs = pairs[: args.limit]
    model = fit_on_pairs(pairs, seed=args.seed)
    path = model.save(args.output)
    elapsed = time.perf_counter() - started
    n_related = sum(pair.related for pair in pairs)
    print(
        f"trained on {n_related:,} related pairs ({len(model.vocabulary_):,} cue words) in {elapsed:.1f} s; "
        f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
