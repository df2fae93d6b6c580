"""SQuAD v1.1 dev paragraph retrieval: citebot against bm25s, side by side, in one run.

    .venv/bin/python bench/squad.py [--data ../shared/data/squad-v1.1-dev.json] [--out bench/out/squad]

The 2,067 paragraphs become a JSONL corpus (id ``a<article>-p<n>``, title ``<article> ¶<n>``,
text = the paragraph). Neither system indexes the title: citebot indexes only a document's
``quotable_text`` (its text), bm25s is given the texts alone. Each of the 10,570 questions
must find its own paragraph.

Each system is measured in its own fresh subprocess (so peak memory is its own):

- citebot: ``Engine.from_path`` over the JSONL with an empty cache (index build, includes
  reading and sentence-splitting the corpus), then again from the saved index (start-up),
  then every question answered one at a time. R@k is read from the sources the answer
  cites (after the relevance judge, so an answer may cite fewer than 5 or say
  ``no_answer``) and, labelled "raw ranking", from ``index.search`` (no judge). "answer"
  = retrieval, the judge (relevance and quotes), and stance, as ``Engine.ask`` runs them, timed
  stage by stage (``common.StagedAnswerer``; rendering is timed too, not part of "answer").
- bm25s: its README's set-up (``bm25s.tokenize`` with English stop words and PyStemmer's
  English stemmer; ``bm25s.BM25()`` defaults: lucene, k1=1.5, b=0.75, numpy backend).

Retrieval latency ("retrieve") is measured for both in one more process holding both
indexes: each question is asked of both, one at a time, back to back (which goes first
alternates), so the machine's load weighs on both alike. citebot: ``index.query`` +
``index.search`` on the saved (memory-mapped) index; bm25s: ``bm25s.tokenize`` +
``retrieve(k=5)``.

Then, as whole processes (wall time, start to exit): ``citebot batch`` (the console
command) over all questions, cold (empty cache: index built) and warm (saved index),
against ``bench/bm25s_top5.py`` (load, index, batched top-5 retrieval, JSON lines out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    DATA_DIR,
    OUT_DIR,
    PROJECT,
    PYTHON,
    STAGES,
    StagedAnswerer,
    load_squad,
    peak_rss_mib,
    percentile_ms,
    read_jsonl,
    run_worker,
    table,
    write_jsonl,
)

K = 5


def prepare(data: Path, out: Path) -> tuple[Path, Path, Path]:
    paragraphs, questions = load_squad(data)
    corpus = write_jsonl(
        out / "corpus.jsonl", ({"id": p.id, "title": p.title, "text": p.text} for p in paragraphs)
    )
    asked = write_jsonl(out / "questions.jsonl", ({"id": q.id, "question": q.question} for q in questions))
    gold = out / "gold.json"
    gold.write_text(json.dumps({q.id: q.paragraph for q in questions}))
    return corpus, asked, gold


def recall(ranked: dict[str, list[str]], gold: dict[str, str], k: int) -> float:
    return sum(gold[q] in ranked.get(q, [])[:k] for q in gold) / len(gold)


# ---- workers (each in its own process) ---------------------------------------------------
def worker_citebot(corpus: Path, questions: Path, gold_path: Path) -> dict:
    from retrieval.engine import Engine

    gold = json.loads(gold_path.read_text())
    requests = read_jsonl(questions)
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        engine = Engine.from_path(corpus, cache_dir=Path(cache))
        build = time.perf_counter() - start
        start = time.perf_counter()
        engine = Engine.from_path(corpus, cache_dir=Path(cache))
        startup = time.perf_counter() - start
        answerer = StagedAnswerer(engine, max_sources=K)
        for request in requests[:200]:  # warm-up: page in the memory-mapped arrays
            answerer.answer(request["question"])
        raw, shown, stage_s = {}, {}, {stage: [] for stage in STAGES}
        answer_s = []
        for request in requests:
            times, sources, ranked = answerer.answer(request["question"])
            for stage, seconds in times.items():
                stage_s[stage].append(seconds)
            answer_s.append(times["retrieve"] + times["judge"] + times["stance"])
            raw[request["id"]], shown[request["id"]] = ranked, sources
    result = {
        "build_s": build,
        "startup_s": startup,
        "r1": recall(shown, gold, 1),
        "r5": recall(shown, gold, 5),
        "raw_r1": recall(raw, gold, 1),
        "raw_r5": recall(raw, gold, 5),
        "no_answer": sum(not s for s in shown.values()) / len(requests),
        "answer_p50": percentile_ms(answer_s, 50),
        "answer_p99": percentile_ms(answer_s, 99),
        "peak_mib": peak_rss_mib(),
        "notes": answerer.notes,
    }
    for stage in STAGES:
        result[f"{stage}_p50"] = percentile_ms(stage_s[stage], 50)
        result[f"{stage}_p99"] = percentile_ms(stage_s[stage], 99)
    return result


def bm25s_retriever(documents: list[dict]):  # type: ignore[no-untyped-def]
    """bm25s as its README sets it up; returns retrieve(question) → top-K document numbers."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([d["text"] for d in documents], stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )

    def retrieve(text: str):  # type: ignore[no-untyped-def]
        tokens = bm25s.tokenize(text, stopwords="en", stemmer=stemmer, show_progress=False)
        return retriever.retrieve(tokens, k=K, show_progress=False)[0][0]

    return retrieve


def worker_latency(corpus: Path, questions: Path, _gold: Path) -> dict:
    """Both retrievers in one process, each question asked of both back to back (which goes
    first alternates): the machine's load then weighs on both alike."""
    from retrieval.engine import Engine

    requests = read_jsonl(questions)
    retrieve = bm25s_retriever(read_jsonl(corpus))
    with tempfile.TemporaryDirectory() as cache:
        Engine.from_path(corpus, cache_dir=Path(cache))
        index = Engine.from_path(corpus, cache_dir=Path(cache)).index  # the saved index, as served
        for request in requests[:200]:
            retrieve(request["question"])
            index.search(index.query(request["question"]), limit=K)
        seconds: dict[str, list[float]] = {"citebot": [], "bm25s": []}
        for number, request in enumerate(requests):
            text = request["question"]
            for system in ("citebot", "bm25s") if number % 2 else ("bm25s", "citebot"):
                t0 = time.perf_counter()
                if system == "citebot":
                    index.search(index.query(text), limit=K)
                else:
                    retrieve(text)
                seconds[system].append(time.perf_counter() - t0)
    return {f"{system}_{q}": percentile_ms(values, q) for system, values in seconds.items() for q in (50, 99)}


def worker_bm25s(corpus: Path, questions: Path, gold_path: Path) -> dict:
    gold = json.loads(gold_path.read_text())
    requests = read_jsonl(questions)
    start = time.perf_counter()
    documents = read_jsonl(corpus)
    retrieve = bm25s_retriever(documents)
    build = time.perf_counter() - start

    for request in requests[:200]:
        retrieve(request["question"])
    ranked, retrieve_s = {}, []
    for request in requests:
        t0 = time.perf_counter()
        found = retrieve(request["question"])
        retrieve_s.append(time.perf_counter() - t0)
        ranked[request["id"]] = [documents[int(d)]["id"] for d in found]
    return {
        "build_s": build,
        "r1": recall(ranked, gold, 1),
        "r5": recall(ranked, gold, 5),
        "retrieve_alone_p50": percentile_ms(retrieve_s, 50),
        "peak_mib": peak_rss_mib(),
    }


# ---- whole processes -----------------------------------------------------------------------
def wall(command: list[str], questions: Path, output: Path, env: dict[str, str]) -> float:
    with questions.open("rb") as stdin, output.open("wb") as stdout:
        start = time.perf_counter()
        subprocess.run(command, stdin=stdin, stdout=stdout, env=env, cwd=PROJECT, check=True)
        return time.perf_counter() - start


def whole_processes(corpus: Path, questions: Path, gold: dict[str, str], out: Path) -> list[list[object]]:
    citebot = str(Path(PYTHON).parent / "citebot")
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CITEBOT_CACHE_DIR": cache}
        for label in ("cold: index built", "warm: saved index"):
            seconds = wall([citebot, "batch", "--corpus", str(corpus)], questions, out / "citebot.jsonl", env)
            shown = {
                a["id"]: [s["id"] for s in a.get("sources", [])] for a in read_jsonl(out / "citebot.jsonl")
            }
            rows.append(
                [f"`citebot batch` ({label})", seconds, recall(shown, gold, 1), recall(shown, gold, 5)]
            )
    seconds = wall(
        [PYTHON, str(PROJECT / "bench" / "bm25s_top5.py"), str(corpus)],
        questions,
        out / "bm25s.jsonl",
        dict(os.environ),
    )
    ranked = {a["id"]: [h["id"] for h in a["top"]] for a in read_jsonl(out / "bm25s.jsonl")}
    rows.append(["`bench/bm25s_top5.py`", seconds, recall(ranked, gold, 1), recall(ranked, gold, 5)])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-dev.json")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "squad")
    parser.add_argument("--worker", choices=("citebot", "bm25s", "latency"))
    parser.add_argument("--files", nargs=3, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        work = {"citebot": worker_citebot, "bm25s": worker_bm25s, "latency": worker_latency}[arguments.worker]
        print(json.dumps(work(*arguments.files)))
        return 0

    began = time.perf_counter()
    corpus, questions, gold_path = prepare(arguments.data, arguments.out)
    gold = json.loads(gold_path.read_text())
    files = ["--files", str(corpus), str(questions), str(gold_path)]
    script = Path(__file__).resolve()
    c = run_worker(script, ["--worker", "citebot", *files])
    b = run_worker(script, ["--worker", "bm25s", *files])
    duel = run_worker(script, ["--worker", "latency", *files])
    n_docs = sum(1 for _ in corpus.open())
    print(f"SQuAD v1.1 dev: {n_docs:,} paragraphs, {len(gold):,} questions, one process per system\n")
    print(
        table(
            [
                "system",
                "R@1",
                "R@5",
                "build s",
                "start-up s",
                "retrieve p50 ms",
                "retrieve p99 ms",
                "answer p50 ms",
                "answer p99 ms",
                "peak MiB",
            ],
            [
                [
                    "citebot (answers shown)",
                    c["r1"],
                    c["r5"],
                    c["build_s"],
                    c["startup_s"],
                    duel["citebot_50"],
                    duel["citebot_99"],
                    c["answer_p50"],
                    c["answer_p99"],
                    c["peak_mib"],
                ],
                ["citebot (raw ranking)", c["raw_r1"], c["raw_r5"], "", "", "", "", "", "", ""],
                [
                    "bm25s",
                    b["r1"],
                    b["r5"],
                    b["build_s"],
                    "–",
                    duel["bm25s_50"],
                    duel["bm25s_99"],
                    "–",
                    "–",
                    b["peak_mib"],
                ],
            ],
        )
    )
    stages = ", ".join(f"{st} {c[st + '_p50']:.3f}/{c[st + '_p99']:.3f}" for st in STAGES)
    print(f"\ncitebot stages within whole answers, p50/p99 ms: {stages}")
    for note in c["notes"]:
        print(f"note: {note}")
    print(
        f"citebot no_answer rate: {c['no_answer']:.4f}; retrieve p50 citebot/bm25s: "
        f"{duel['citebot_50'] / duel['bm25s_50']:.2f}x (both in one process, alternating per question)"
    )
    rows = whole_processes(corpus, questions, gold, arguments.out)
    baseline = rows[-1][1]
    print("\nWhole processes over all questions (wall time, start to exit):\n")
    print(
        table(["command", "wall s", "R@1", "R@5", "× bm25s"], [[*r, f"{r[1] / baseline:.2f}x"] for r in rows])
    )
    print(f"\nbench/squad.py took {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
