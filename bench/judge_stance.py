"""Judgment, part 2: stance and "the sources disagree", measured on held-out data only.

    .venv/bin/python bench/judge_stance.py [--data-dir ../shared/data] [--seed 0] [--only fnc,snli,arc,squad]

Every figure comes from a model that never saw the pairs it is measured on:

- **FNC-1 by topic.** Topics are the connected components of the graph linking headlines
  to the bodies they have a related pair with (191); 20 % of them are held out whole
  (seed ``--seed``), with every headline and body in them; held-out unrelated pairs are
  those whose headline and body are both held out. A model is trained on the rest (plus
  ARC train and SNLI, as ``citebot train`` does), and relevance and quotes on SQuAD and
  the same training pairs (the shipped relevance model has seen every headline), then the
  bot runs end to end: an Engine over the held-out bodies is asked each held-out headline
  with no cap on sources; a body not cited counts as ``unrelated``, a cited one gets its stance
  (supports → agree, refutes → disagree, discusses → discuss). The headline split (the
  old, inflated figure: held-out headlines share bodies and topics with training) is
  printed beside it.
- **Disagreement flag.** Each held-out headline is asked as a claim of its related bodies
  alone (as a batch line's own documents): is "the sources disagree" raised? Wanted for
  headlines with both an agreeing and a disagreeing body, unwanted for those with no
  disagreeing body.
- **SNLI dev.** The hypothesis is asked as a claim of its premise, given as the batch
  line's only document: entailment → supports, contradiction → refutes, neutral →
  discusses; a premise not cited counts as discusses. 5 folds grouped by premise
  (captionID): each fold is judged by a model trained without it.
- **ARC test**, end to end and with relatedness given, by a model trained on FNC-1, ARC
  train and SNLI.
- **SQuAD v1.1 dev false disagreement.** All 2,067 paragraphs as one corpus, every
  question asked; Wikipedia paragraphs do not contradict each other, so every answer
  that raises "the sources disagree" is a false alarm. The articles are split in two
  halves and each half's questions are answered with the models trained on the other
  half (relevance and quotes; the stance model learns nothing from SQuAD). Whole-answer
  latency (``Engine.ask``) is timed on the way.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

from common import load_squad  # noqa: E402

from retrieval.answer import Answer  # noqa: E402
from retrieval.corpus.documents import Document  # noqa: E402
from retrieval.engine import Engine  # noqa: E402
from retrieval.judging.disagreement import warm_up  # noqa: E402
from retrieval.judging.models import JudgingModels  # noqa: E402
from retrieval.judging.squad import SQUAD_FILE, SquadArticle, halves, read_squad  # noqa: E402
from retrieval.judging.stance.data import (  # noqa: E402
    ARC_TEST_FILES,
    ARC_TRAIN_FILES,
    FNC_FILES,
    STANCE_TO_FNC,
    NliPair,
    Pair,
    grouped_folds,
    read_pairs,
    read_snli,
    split_by_headline,
    split_by_topic,
)
from retrieval.judging.stance.model import StanceModel, shipped_embedder  # noqa: E402
from retrieval.judging.stance.train import claim_of, fit_stance  # noqa: E402
from retrieval.judging.training import train_judging_models  # noqa: E402
from retrieval.search.questions import QuestionError  # noqa: E402

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
STANCES = ("supports", "refutes", "discusses")
SNLI_FOLDS = 5
PUBLISHED = """\
Published reference points (data README): FNC-1 official baseline 79.53 on its hold-out split
(disagree F1 0.02), 75.20 on the competition test set; best 2017 entries on the competition
test set (new topics, not in ../shared/data): 82.02 SOLAT (disagree F1 0.035), 81.97 Athene
(0.151), 81.72 UCL Machine Reading (about 0.11)."""


# ------------------------------------------------------------------------------ training


@dataclass(frozen=True)
class TrainingData:
    fnc: Sequence[Pair]
    arc: Sequence[Pair]
    snli: Sequence[NliPair]


def train(data: TrainingData, *, seed: int) -> StanceModel:
    """The stance model ``citebot train`` would make from exactly this data."""
    return fit_stance([*data.fnc, *data.arc], data.snli, seed=seed, embedder=shipped_embedder())


_FULL_MODELS: dict[int, StanceModel] = {}


def full_model(fnc: list[Pair], arc_train: list[Pair], snli: list[NliPair], *, seed: int) -> StanceModel:
    """The model trained on all of FNC-1, ARC train and SNLI (for ARC test and SQuAD), once."""
    if seed not in _FULL_MODELS:
        _FULL_MODELS[seed] = train(TrainingData(fnc, arc_train, snli), seed=seed)
    return _FULL_MODELS[seed]


# ------------------------------------------------------------------------------ asking


def retrieval_models(
    articles: Sequence[SquadArticle], claim_pairs: Sequence[Pair], *, seed: int
) -> JudgingModels:
    """Relevance and quotes trained on exactly these SQuAD articles and FNC-1 pairs (as
    ``citebot train`` trains them from all of both): the shipped relevance model has seen
    every FNC-1 headline and SQuAD article, so a held-out figure needs one that has not."""
    return train_judging_models(articles, claim_pairs, seed=seed)


_SQUAD: dict[Path, list[SquadArticle]] = {}


def squad_articles(args: argparse.Namespace) -> list[SquadArticle]:
    if args.data_dir not in _SQUAD:
        _SQUAD[args.data_dir] = read_squad(args.data_dir / SQUAD_FILE)
    return _SQUAD[args.data_dir]


def judged_answer(engine: Engine, question: str, *, max_sources: int | None) -> Answer | None:
    """The engine's answer, exactly as ``citebot ask`` gives it (None for a refused question)."""
    try:
        return engine.ask(question, max_sources=max_sources)
    except QuestionError:
        return None


def stances_of(answer: Answer | None) -> dict[str, str]:
    if answer is None or answer.status != "answered":
        return {}
    return {source.id: source.stance or "discusses" for source in answer.sources}


# ------------------------------------------------------------------------------ FNC-1


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


FNC_HEADER = (
    f"{'':<44} {'FNC':>6}  {'agree':>5}  {'disag':>5}  {'disc':>5}  {'unrel':>5}  {'macro':>5}  "
    f"{'heads':>5}  {'pairs':>5}"
)


def fnc_row(name: str, gold: Sequence[str], predicted: Sequence[str], headlines: int) -> str:
    f1 = f1_score(gold, predicted, labels=list(FNC_LABELS), average=None, zero_division=0)
    macro = f1_score(gold, predicted, labels=list(FNC_LABELS), average="macro", zero_division=0)
    return (
        f"{name:<44} {fnc_score(gold, predicted):6.2f}  "
        + "  ".join(f"{value:5.3f}" for value in f1)
        + f"  {macro:5.3f}  {headlines:5d}  {len(gold):5d}"
    )


def by_headline(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    grouped: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[pair.headline].append(pair)
    return grouped


def fnc_end_to_end(models: JudgingModels, pairs: Sequence[Pair]) -> tuple[list[str], list[str]]:
    """Gold and predicted FNC labels of every pair, the bot deciding relatedness and stance."""
    bodies = {pair.body_id: pair.body for pair in pairs}
    documents = [Document(id=body_id, title=body_id, text=text) for body_id, text in bodies.items()]
    engine = Engine.from_documents(documents, models=models)
    warm_up(documents, model=models.stance)
    gold: list[str] = []
    predicted: list[str] = []
    for headline, headline_pairs in by_headline(pairs).items():
        cited = stances_of(judged_answer(engine, headline, max_sources=None))
        for pair in headline_pairs:
            gold.append(pair.label)
            predicted.append(STANCE_TO_FNC[cited[pair.body_id]] if pair.body_id in cited else "unrelated")
    return gold, predicted


def fnc_given_relatedness(model: StanceModel, pairs: Sequence[Pair]) -> tuple[list[str], list[str]]:
    """The stance model alone on whole bodies: gold related pairs get its stance."""
    related = [pair for pair in pairs if pair.related]
    # Read as the bot reads a question (and as training reads a headline): its claim.
    stances = iter(
        model.predict([claim_of(pair.headline) for pair in related], [pair.body for pair in related])
    )
    predicted = [STANCE_TO_FNC[next(stances)] if pair.related else "unrelated" for pair in pairs]
    return [pair.label for pair in pairs], predicted


def disagreement_flags(models: JudgingModels, pairs: Sequence[Pair]) -> dict[str, tuple[int, int]]:
    """(flagged, headlines) per kind of headline, each asked as a claim of its related bodies."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for headline, headline_pairs in by_headline(pairs).items():
        related = [pair for pair in headline_pairs if pair.related]
        labels = {pair.label for pair in related}
        if len(related) < 2:
            continue  # one source cannot disagree with itself
        if {"agree", "disagree"} <= labels:
            kind = "agreeing and disagreeing bodies (flag wanted)"
        elif "disagree" not in labels:
            kind = "no disagreeing body (flag unwanted)"
        else:
            kind = "disagreeing, no agreeing body"
        documents = [Document(id=pair.body_id, title=pair.body_id, text=pair.body) for pair in related]
        answer = judged_answer(Engine.from_documents(documents, models=models), headline, max_sources=None)
        counts[kind][0] += bool(answer is not None and answer.disagreement)
        counts[kind][1] += 1
    return {kind: (flagged, total) for kind, (flagged, total) in counts.items()}


def run_fnc(args: argparse.Namespace, fnc: list[Pair], arc_train: list[Pair], snli: list[NliPair]) -> None:
    print("== FNC-1, end to end as the bot runs (retrieval decides which bodies are cited)")
    print(FNC_HEADER)
    flags = None
    for split_name, split in (("topic", split_by_topic), ("headline", split_by_headline)):
        training, held_out = split(fnc, held_out_fraction=0.2, seed=args.seed)
        model = train(TrainingData(training, arc_train, snli), seed=args.seed)
        # Relevance learns from FNC-1 headlines too: this split's training pairs only.
        models = retrieval_models(squad_articles(args), training, seed=args.seed).with_(stance=model)
        headlines = len({pair.headline for pair in held_out})
        gold, predicted = fnc_end_to_end(models, held_out)
        print(fnc_row(f"split by {split_name}: end to end", gold, predicted, headlines))
        gold, predicted = fnc_given_relatedness(model, held_out)
        print(fnc_row(f"split by {split_name}: relatedness given", gold, predicted, headlines))
        if split_name == "topic":
            counts = Counter(pair.label for pair in held_out)
            topics_note = (
                f"  (topic split, seed {args.seed}: {headlines} held-out headlines, "
                + ", ".join(f"{counts[label]} {label}" for label in FNC_LABELS)
                + f"; {len({p.headline for p in training})} training headlines)"
            )
            flags = disagreement_flags(models, held_out)
    print(topics_note)
    print()
    print("== Disagreement flag, FNC-1 topic split: each held-out headline asked of its related bodies")
    for kind, (flagged, total) in sorted((flags or {}).items()):
        print(f"  {kind:<48} flagged {flagged / max(total, 1):6.1%}  ({flagged} of {total} headlines)")
    print()
    print(PUBLISHED)
    print()


# ------------------------------------------------------------------------------ SNLI


def snli_predictions(model: StanceModel, pairs: Sequence[NliPair]) -> tuple[list[str], int]:
    """The stance the bot gives each premise (not cited → discusses), and how many were cited.
    Relevance and quotes are the shipped ones: they never saw SNLI."""
    models = JudgingModels.shipped().with_(stance=model)
    predicted, cited_count = [], 0
    for pair in pairs:
        engine = Engine.from_documents(
            [Document(id="premise", title="premise", text=pair.premise)], models=models
        )
        cited = stances_of(judged_answer(engine, pair.hypothesis, max_sources=None))
        cited_count += "premise" in cited
        predicted.append(cited.get("premise", "discusses"))
    return predicted, cited_count


def stance_table(name: str, gold: Sequence[str], predicted: Sequence[str], extra: str = "") -> str:
    f1 = f1_score(gold, predicted, labels=list(STANCES), average=None, zero_division=0)
    macro = f1_score(gold, predicted, labels=list(STANCES), average="macro", zero_division=0)
    accuracy = float(np.mean([g == p for g, p in zip(gold, predicted, strict=True)]))
    return (
        f"{name:<44} {macro:5.3f}  "
        + "  ".join(f"{value:5.3f}" for value in f1)
        + f"  {accuracy:5.3f}  {len(gold):5d}  {extra}"
    )


STANCE_HEADER = f"{'':<44} {'macro':>5}  {'supp':>5}  {'refut':>5}  {'disc':>5}  {'acc':>5}  {'pairs':>5}"


def run_snli(args: argparse.Namespace, fnc: list[Pair], arc_train: list[Pair], snli: list[NliPair]) -> None:
    print(f"== SNLI dev: hypothesis asked as a claim of its premise ({SNLI_FOLDS} folds grouped by premise)")
    folds = grouped_folds(snli, n_folds=SNLI_FOLDS, seed=args.seed)
    gold, predicted, given, cited = [], [], [], 0
    for fold in range(SNLI_FOLDS):
        training = [pair for pair, f in zip(snli, folds, strict=True) if f != fold]
        held_out = [pair for pair, f in zip(snli, folds, strict=True) if f == fold]
        model = train(TrainingData(fnc, arc_train, training), seed=args.seed)
        fold_predicted, fold_cited = snli_predictions(model, held_out)
        gold += [pair.stance for pair in held_out]
        predicted += fold_predicted
        cited += fold_cited
        # The stance model alone, every premise judged (as if retrieval cited it).
        given += model.predict(
            [claim_of(pair.hypothesis) for pair in held_out], [p.premise for p in held_out]
        )
    print(STANCE_HEADER)
    print(
        stance_table("SNLI dev, end to end (bot)", gold, predicted, f"premise cited {cited / len(gold):.1%}")
    )
    print(stance_table("SNLI dev, stance model, premise given", gold, given))
    matrix = Counter(zip(gold, predicted, strict=True))
    print(
        "  confusion (gold → predicted): "
        + "; ".join(f"{g} → " + " ".join(f"{p[:4]} {matrix[g, p]}" for p in STANCES) for g in STANCES)
    )
    print()


# ------------------------------------------------------------------------------ ARC


def run_arc(args: argparse.Namespace, fnc: list[Pair], arc_train: list[Pair], snli: list[NliPair]) -> None:
    arc_test = read_pairs(args.data_dir, *ARC_TEST_FILES, body_prefix="arc:")
    model = full_model(fnc, arc_train, snli, seed=args.seed)
    headlines = len({pair.headline for pair in arc_test})
    print("== ARC test (stance trained on FNC-1, ARC train, SNLI; relevance on SQuAD and FNC-1)")
    print(FNC_HEADER)
    gold, predicted = fnc_end_to_end(JudgingModels.shipped().with_(stance=model), arc_test)
    print(fnc_row("ARC test: end to end", gold, predicted, headlines))
    gold, predicted = fnc_given_relatedness(model, arc_test)
    print(fnc_row("ARC test: relatedness given", gold, predicted, headlines))
    print()


# ------------------------------------------------------------------------------ SQuAD


def squad_halves(n_articles: int) -> list[int]:
    """Half (0 or 1) of each SQuAD article: even-numbered articles in one, odd in the other."""
    return [number % 2 for number in range(n_articles)]


_REASON_KINDS = (
    ("stance", re.compile(r"supports|refutes|leans")),
    ("names", re.compile(r"names")),
    ("numbers", re.compile(r"years|amounts|percentages|ages|numbers")),
)


def reason_kind(reason: str) -> str:
    return next((kind for kind, pattern in _REASON_KINDS if pattern.search(reason)), "other")


def run_squad(args: argparse.Namespace, fnc: list[Pair], arc_train: list[Pair], snli: list[NliPair]) -> None:
    paragraphs, questions = load_squad(args.data_dir / "squad-v1.1-dev.json")
    article_of = {p.id: int(p.id[1:].split("-")[0]) for p in paragraphs}
    half_of = squad_halves(max(article_of.values()) + 1)
    documents = [Document(id=p.id, title=p.title, text=p.text) for p in paragraphs]
    # The stance model learns nothing from SQuAD, so both halves share it; relevance and
    # quotes are trained on the other half's articles (and every FNC-1 pair).
    model = full_model(fnc, arc_train, snli, seed=args.seed)
    warm_up(documents, model=model)
    engines = {
        half: Engine.from_documents(
            documents,
            models=retrieval_models(halves(squad_articles(args))[1 - half], fnc, seed=args.seed).with_(
                stance=model
            ),
        )
        for half in (0, 1)
    }
    flagged = Counter()
    asked = Counter()
    kinds: Counter[str] = Counter()
    timings: list[float] = []
    examples: list[str] = []
    for question in questions:
        half = half_of[article_of[question.paragraph]]
        started = time.perf_counter()
        answer = judged_answer(engines[half], question.question, max_sources=5)
        timings.append(time.perf_counter() - started)
        asked[half] += 1
        if answer is not None and answer.disagreement:
            flagged[half] += 1
            found = {reason_kind(conflict.reason) for conflict in answer.conflicts or ()}
            kinds.update(found)
            if len(examples) < args.examples:
                conflict = answer.conflicts[0]
                examples.append(
                    f"  {question.question!r} → {conflict.reason} | {conflict.quotes[0].text[:90]!r}"
                )
    total = sum(flagged.values()) / max(sum(asked.values()), 1)
    print("== SQuAD v1.1 dev: false disagreement (2,067 paragraphs as one corpus, every question)")
    for half in (0, 1):
        print(
            f"  half {half} questions (models of half {1 - half}): {flagged[half] / asked[half]:.4f} "
            f"({flagged[half]} of {asked[half]})"
        )
    print(
        f"  all questions: {total:.4f} ({sum(flagged.values())} of {sum(asked.values())}); "
        "answers flagged, by kind of conflict: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common())
    )
    print(
        f"  whole answer (ask + judging) p50 {np.percentile(timings, 50) * 1000:.3f} ms, "
        f"p99 {np.percentile(timings, 99) * 1000:.3f} ms over {len(timings):,} questions"
    )
    if examples:
        print("\n".join(examples))
    print()


SECTIONS = {"fnc": run_fnc, "snli": run_snli, "arc": run_arc, "squad": run_squad}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / ".." / "shared" / "data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections to run: " + ",".join(SECTIONS))
    parser.add_argument("--examples", type=int, default=0, help="print this many SQuAD false alarms")
    args = parser.parse_args(argv)
    if not (args.data_dir / FNC_FILES[0]).exists():
        print(f"no benchmark data in {args.data_dir}", file=sys.stderr)
        return 2
    fnc = read_pairs(args.data_dir, *FNC_FILES, body_prefix="fnc:")
    arc_train = read_pairs(args.data_dir, *ARC_TRAIN_FILES, body_prefix="arc:")
    snli = read_snli(args.data_dir)
    for name in args.only.split(","):
        started = time.perf_counter()
        SECTIONS[name.strip()](args, fnc, arc_train, snli)
        print(f"  ({name}: {time.perf_counter() - started:.0f} s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
