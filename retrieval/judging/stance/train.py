"""``citebot train-stance``: train the stance model on FNC-1, ARC and SNLI dev, and save it.

Only related pairs are used: whether a body is about the claim at all is decided by
retrieval (what gets cited), so the model only learns supports / refutes / discusses.
Each headline (or SNLI hypothesis) is read as the bot reads a question: its claim
(``claims.extract_claim``), so that training and answering see the same text. The same
seed and data give the same model file, byte for byte.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from retrieval.judging.claims import extract_claim
from retrieval.judging.stance.data import (
    ARC_TRAIN_FILES,
    FNC_FILES,
    FNC_TO_STANCE,
    NliPair,
    Pair,
    read_pairs,
    read_snli,
)
from retrieval.judging.stance.model import DEFAULT_MODEL_PATH, StanceModel, shipped_embedder
from retrieval.judging.stance.sentences import Embedder

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA_DIR = PROJECT_ROOT / ".." / "shared" / "data"


def claim_of(question: str) -> str:
    """The claim the bot judges a question against (an open question is kept as it is)."""
    claim = extract_claim(question)
    return question if claim.is_open else claim.text


def fit_stance(
    pairs: Sequence[Pair],
    nli_pairs: Sequence[NliPair] = (),
    *,
    seed: int = 0,
    embedder: Embedder | None = None,
) -> StanceModel:
    """A stance model fitted on the related (claim, article) pairs and the NLI pairs."""
    related = [pair for pair in pairs if pair.related]
    claims = [claim_of(pair.headline) for pair in related] + [claim_of(pair.hypothesis) for pair in nli_pairs]
    texts = [pair.body for pair in related] + [pair.premise for pair in nli_pairs]
    labels = [FNC_TO_STANCE[pair.label] for pair in related] + [pair.stance for pair in nli_pairs]
    return StanceModel(random_state=seed, embedder=embedder).fit(claims, texts, labels)


def training_data(data_dir: Path) -> tuple[list[Pair], list[NliPair]]:
    """Every FNC-1 train and ARC train pair (body ids prefixed so the two sets stay apart),
    and every labelled SNLI dev pair."""
    pairs = read_pairs(data_dir, *FNC_FILES, body_prefix="fnc:") + read_pairs(
        data_dir, *ARC_TRAIN_FILES, body_prefix="arc:"
    )
    return pairs, read_snli(data_dir)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citebot train-stance", description="Train the stance model on FNC-1, ARC and SNLI dev."
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder with fnc1-train-*.csv, arc-*.csv and snli-1.0-dev.jsonl (default: ../shared/data)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help=f"model file to write (default: {DEFAULT_MODEL_PATH})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="use only the first N pairs of each set (for a quick smoke run)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Train and save; returns the process exit status."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        pairs, nli_pairs = training_data(args.data_dir)
    except (OSError, KeyError, ValueError) as error:
        print(f"citebot train-stance: cannot read training data in {args.data_dir}: {error}", file=sys.stderr)
        return 2
    if args.limit is not None:
        pairs, nli_pairs = pairs[: args.limit], nli_pairs[: args.limit]
    model = fit_stance(pairs, nli_pairs, seed=args.seed, embedder=shipped_embedder())
    path = model.save(args.output)
    elapsed = time.perf_counter() - started
    n_related = sum(pair.related for pair in pairs)
    print(
        f"trained on {n_related:,} related pairs and {len(nli_pairs):,} SNLI pairs in {elapsed:.1f} s; "
        f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
