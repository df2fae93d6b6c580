"""Stance benchmark: FNC-1 held-out headlines and the ARC test file, end to end.

    .venv/bin/python bench/stance.py [--data-dir ../shared/data] [--seed 0]

A model is trained here on FNC-1 training pairs minus 20% of the headlines (held out
whole, fixed seed) plus the ARC training file; the shipped model is not used, since it
has seen every FNC-1 headline. Then, as the bot does it:

- an Engine is built over the evaluation bodies and asked each headline with no cap on
  sources; a paired body that is not cited counts as ``unrelated``;
- the cited bodies get the stance from ``assess`` (supports → agree, refutes →
  disagree, discusses → discuss).

Also printed: the stance model alone on the gold related pairs (relatedness given), the
engine's relatedness decisions, ``assess`` latency and the training time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from retrieval.corpus.documents import Document  # noqa: E402
from retrieval.engine import Engine  # noqa: E402
from retrieval.judging.disagreement import assess, warm_up  # noqa: E402
from retrieval.judging.stance.data import (  # noqa: E402
    ARC_TEST_FILES,
    ARC_TRAIN_FILES,
    FNC_FILES,
    STANCE_TO_FNC,
    Pair,
    read_pairs,
    split_by_headline,
)
from retrieval.judging.stance.model import StanceModel  # noqa: E402
from retrieval.judging.stance.train import fit_on_pairs  # noqa: E402
from retrieval.search.questions import QuestionError  # noqa: E402

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
PUBLISHED = """\
Published reference points (data README):
  FNC-1 official baseline: 79.53 on its hold-out split, 75.20 on the competition test set; disagree F1 0.02
  best 2017 entries on the competition test set: 82.02 SOLAT (disagree F1 0.035), 81.97 Athene (0.151),
  81.72 UCL Machine Reading (about 0.11)
  (no ARC figure is given there; the competition test set is not in /work/shared/data)"""


def fnc_score(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """FNC-1 score as a percentage of the best possible: 0.25 for related/unrelated right,
    0.75 more for the exact related class."""
    score = best = 0.0
    for truth, guess in zip(gold, predicted, strict=True):
        best += 0.25 if truth == "unrelated" else 1.0
        if (truth == "unrelated") == (guess == "unrelated"):
            score += 0.25
        if truth != "unrelated" and truth == guess:
            score += 0.75
    return 100 * score / best


def row(name: str, gold: Sequence[str], predicted: Sequence[str]) -> str:
    f1 = f1_score(gold, predicted, labels=list(FNC_LABELS), average=None, zero_division=0)
    macro = f1_score(gold, predicted, labels=list(FNC_LABELS), average="macro", zero_division=0)
    return (
        f"{name:<48} {fnc_score(gold, predicted):6.2f}  "
        + "  ".join(f"{value:5.3f}" for value in f1)
        + f"  {macro:5.3f}  {len(gold):6d}"
    )


HEADER = (
    f"{'':<48} {'FNC':>6}  {'agree':>5}  {'disag':>5}  {'disc':>5}  {'unrel':>5}  {'macro':>5}  {'pairs':>6}"
)


def end_to_end(model: StanceModel, pairs: Sequence[Pair]) -> tuple[list[str], list[str], dict[str, float]]:
    """Gold and predicted FNC labels for every pair, the bot deciding relatedness and stance."""
    bodies = {pair.body_id: pair.body for pair in pairs}
    documents = [Document(id=body_id, title=body_id, text=text) for body_id, text in bodies.items()]
    by_id = {document.id: document for document in documents}
    started = time.perf_counter()
    engine = Engine.from_documents(documents)
    warm_up(documents, model=model)
    build_seconds = time.perf_counter() - started
    by_headline: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_headline[pair.headline].append(pair)
    gold: list[str] = []
    predicted: list[str] = []
    for headline, headline_pairs in by_headline.items():
        try:
            answer = engine.ask(headline, max_sources=None)
        except QuestionError:
            answer = None
        cited: dict[str, str] = {}
        if answer is not None and answer.status == "answered":
            assessment = assess(headline, answer.sources, by_id, model=model)
            cited = {
                source.id: STANCE_TO_FNC[stance]
                for source, stance in zip(answer.sources, assessment.stances, strict=True)
            }
        for pair in headline_pairs:
            gold.append(pair.label)
            predicted.append(cited.get(pair.body_id, "unrelated"))
    return gold, predicted, {"build_seconds": build_seconds, "documents": len(documents)}


def given_relatedness(model: StanceModel, pairs: Sequence[Pair]) -> tuple[list[str], list[str]]:
    """The stance model alone: gold related pairs get its stance, unrelated stay unrelated."""
    related = [pair for pair in pairs if pair.related]
    stances = iter(model.predict([pair.headline for pair in related], [pair.body for pair in related]))
    return [pair.label for pair in pairs], [
        STANCE_TO_FNC[next(stances)] if pair.related else "unrelated" for pair in pairs
    ]


def relatedness_report(gold: Sequence[str], predicted: Sequence[str]) -> str:
    gold_related = np.array([label != "unrelated" for label in gold])
    cited = np.array([label != "unrelated" for label in predicted])
    recall = (gold_related & cited).sum() / max(gold_related.sum(), 1)
    precision = (gold_related & cited).sum() / max(cited.sum(), 1)
    accuracy = (gold_related == cited).mean()
    return (
        f"related pairs cited (recall) {recall:.3f}, cited pairs related (precision) {precision:.3f}, "
        f"accuracy {accuracy:.3f}"
    )


def latency(model: StanceModel, pairs: Sequence[Pair], n_questions: int = 300) -> str:
    """p50/p99 of assess() with up to 5 sources, caches warm (as after warm_up at load)."""
    bodies = {pair.body_id: pair.body for pair in pairs}
    documents = [Document(id=body_id, title=body_id, text=text) for body_id, text in bodies.items()]
    by_id = {document.id: document for document in documents}
    engine = Engine.from_documents(documents)
    warm_up(documents, model=model)
    headlines = list(dict.fromkeys(pair.headline for pair in pairs))[:n_questions]
    answers = [engine.ask(headline, max_sources=5) for headline in headlines]
    answers = [(h, a) for h, a in zip(headlines, answers, strict=True) if a.status == "answered"]
    timings = []
    for _ in range(3):
        for headline, answer in answers:
            started = time.perf_counter()
            assess(headline, answer.sources, by_id, model=model)
            timings.append(time.perf_counter() - started)
    ask_timings = []
    for headline in headlines:
        started = time.perf_counter()
        engine.ask(headline, max_sources=5)
        ask_timings.append(time.perf_counter() - started)
    timings_ms = np.array(timings) * 1000
    mean_sources = statistics.mean(len(answer.sources) for _, answer in answers)
    return (
        f"assess() over {len(answers)} answered questions × 3, {mean_sources:.1f} sources each on average, "
        f"{len(documents)} documents: p50 {np.percentile(timings_ms, 50):.3f} ms, "
        f"p99 {np.percentile(timings_ms, 99):.3f} ms (whole engine.ask with retrieval, quotes, assess: p50 "
        f"{np.percentile(np.array(ask_timings) * 1000, 50):.3f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / ".." / "shared" / "data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--held-out-fraction", type=float, default=0.2)
    args = parser.parse_args(argv)

    fnc = read_pairs(args.data_dir, *FNC_FILES, body_prefix="fnc:")
    arc_train = read_pairs(args.data_dir, *ARC_TRAIN_FILES, body_prefix="arc:")
    arc_test = read_pairs(args.data_dir, *ARC_TEST_FILES, body_prefix="arc:")
    fnc_train, fnc_held_out = split_by_headline(fnc, held_out_fraction=args.held_out_fraction, seed=args.seed)
    n_held_out = len({pair.headline for pair in fnc_held_out})
    print(
        f"FNC-1: {len({p.headline for p in fnc_train})} training headlines, {n_held_out} held out "
        f"({len(fnc_held_out):,} pairs); ARC test: {len({p.headline for p in arc_test})} headlines "
        f"({len(arc_test):,} pairs)"
    )
    started = time.perf_counter()
    model = fit_on_pairs(fnc_train + arc_train, seed=args.seed)
    print(
        f"trained the held-out model in {time.perf_counter() - started:.1f} s "
        f"({len(model.vocabulary_):,} cue words)"
    )

    print()
    print(HEADER)
    reports = []
    for name, pairs in (("FNC-1 held-out", fnc_held_out), ("ARC test", arc_test)):
        started = time.perf_counter()
        gold, predicted, info = end_to_end(model, pairs)
        seconds = time.perf_counter() - started
        print(row(f"{name}: end to end (bot)", gold, predicted))
        gold_given, predicted_given = given_relatedness(model, pairs)
        print(row(f"{name}: stance model, relatedness given", gold_given, predicted_given))
        reports.append(
            f"{name}: engine over {info['documents']:,} bodies (built in {info['build_seconds']:.1f} s, "
            f"run {seconds:.1f} s): {relatedness_report(gold, predicted)}"
        )
    print()
    print("\n".join(reports))
    print()
    print(PUBLISHED)
    print()
    print(latency(model, fnc_held_out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
