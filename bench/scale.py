"""How citebot grows with corpus size: about 10k, 100k and 1M passages.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--questions 400] [--out bench/out/scale]

Corpora come from bench/generate_corpus.py (real text first, then synthetic text from a
word-bigram chain fitted on it; documented there), written once and reused. For each
size, each in a fresh process:

- build: ``Engine.from_path`` with an empty cache: read, split, index and save (time,
  peak memory); the saved index's size on disk (index arrays, and the whole cache entry
  with the document store);
- serve: ``Engine.from_path`` again, now loading the saved index (start-up time: the
  up-to-date check of every corpus file + memory-mapped load), then questions answered
  one at a time, timing each stage as ``Engine.ask`` runs it (see ``common.StagedAnswerer``): retrieve
  (``index.query`` + ``index.search``), judge (relevance and quote selection),
  stance (``retrieval.judging.disagreement.assess``), render (text and Discord renderers), and
  the whole answer (retrieve + judge + stance); peak memory of the serving process.

Questions: half SQuAD dev questions, half made from corpus sentences (a random passage's
words 2–9, as a user quoting a phrase would), sampled with a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    OUT_DIR,
    PYTHON,
    STAGES,
    StagedAnswerer,
    dir_size_mib,
    load_squad,
    peak_rss_mib,
    percentile_ms,
    run_worker,
    table,
)

SCRIPT = Path(__file__).resolve()


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def corpus_for(size: int, out: Path) -> Path:
    path = out / f"corpus-{label(size)}.jsonl"
    if not path.exists():
        generator = SCRIPT.parent / "generate_corpus.py"
        subprocess.run([PYTHON, str(generator), "--passages", str(size), "--out", str(path)], check=True)
    return path


def questions_for(corpus: Path, n: int, out: Path) -> Path:
    """Half SQuAD questions, half phrases taken from the corpus's own sentences."""
    rng = random.Random(0)
    _, squad = load_squad()
    asked = [q.question for q in rng.sample(squad, n // 2)]
    with corpus.open(encoding="utf-8") as lines:
        offsets = []
        position = 0
        for line in lines:
            offsets.append(position)
            position += len(line.encode("utf-8"))
    with corpus.open("rb") as handle:
        while len(asked) < n:
            handle.seek(rng.choice(offsets))
            words = json.loads(handle.readline())["text"].split()
            start = rng.randrange(max(len(words) - 10, 1))
            if len(words) >= 4:
                asked.append(" ".join(words[start + 1 : start + 9]))
    path = out / f"questions-{corpus.stem}.json"
    path.write_text(json.dumps(asked))
    return path


# ---- workers ---------------------------------------------------------------------------
def worker_build(corpus: Path, cache: Path) -> dict:
    from retrieval.engine import Engine

    start = time.perf_counter()
    engine = Engine.from_path(corpus, cache_dir=cache)
    build = time.perf_counter() - start
    (folder,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    (entry,) = folder.glob("generation-*")
    return {
        "build_s": build,
        "documents": len(engine.documents),
        "passages": engine.index.n_passages,
        "index_mib": dir_size_mib(entry / "index"),
        "entry_mib": dir_size_mib(folder),
        "build_peak_mib": peak_rss_mib(),
    }


def worker_serve(corpus: Path, cache: Path, questions: Path) -> dict:
    from retrieval.corpus.store import IndexStore
    from retrieval.engine import Engine

    start = time.perf_counter()
    engine = Engine.from_path(corpus, cache_dir=cache)
    startup = time.perf_counter() - start
    start = time.perf_counter()
    store = IndexStore(corpus, cache_dir=cache)
    store._plan(store._read_current())  # the up-to-date check: stat every file
    fingerprint = time.perf_counter() - start
    asked = json.loads(questions.read_text())
    answerer = StagedAnswerer(engine)
    for question in asked[:50]:  # warm-up (first use of each code path)
        answerer.answer(question)
    stage_s: dict[str, list[float]] = {stage: [] for stage in STAGES}
    answer_s = []
    for question in asked:
        times, _, _ = answerer.answer(question)
        for stage, seconds in times.items():
            stage_s[stage].append(seconds)
        answer_s.append(times["retrieve"] + times["judge"] + times["stance"])
    result = {
        "startup_s": startup,
        "fingerprint_s": fingerprint,
        "serve_peak_mib": peak_rss_mib(),
        "notes": answerer.notes,
        "answer_p50": percentile_ms(answer_s, 50),
        "answer_p99": percentile_ms(answer_s, 99),
    }
    for stage in STAGES:
        result[f"{stage}_p50"] = percentile_ms(stage_s[stage], 50)
        result[f"{stage}_p99"] = percentile_ms(stage_s[stage], 99)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "scale")
    parser.add_argument("--worker", choices=("build", "serve"))
    parser.add_argument("--files", nargs="+", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        work = worker_build if arguments.worker == "build" else worker_serve
        print(json.dumps(work(*arguments.files)))
        return 0

    began = time.perf_counter()
    arguments.out.mkdir(parents=True, exist_ok=True)
    rows, stage_rows, notes = [], [], set()
    for size in arguments.sizes:
        corpus = corpus_for(size, arguments.out)
        questions = questions_for(corpus, arguments.questions, arguments.out)
        with tempfile.TemporaryDirectory(dir=arguments.out) as cache:
            b = run_worker(SCRIPT, ["--worker", "build", "--files", str(corpus), cache])
            s = run_worker(SCRIPT, ["--worker", "serve", "--files", str(corpus), cache, str(questions)])
        notes.update(s["notes"])
        rows.append(
            [
                label(size),
                b["documents"],
                b["passages"],
                b["build_s"],
                b["index_mib"],
                b["entry_mib"],
                s["startup_s"],
                s["fingerprint_s"],
                b["build_peak_mib"],
                s["serve_peak_mib"],
            ]
        )
        stage_rows.append(
            [
                label(size),
                *[f"{s[f'{st}_p50']:.3f} / {s[f'{st}_p99']:.3f}" for st in STAGES],
                f"{s['answer_p50']:.3f} / {s['answer_p99']:.3f}",
            ]
        )
        print(f"[{label(size)} done after {time.perf_counter() - began:.0f} s]", file=sys.stderr)
    print("Build, size and start-up (each in a fresh process):\n")
    print(
        table(
            [
                "size",
                "documents",
                "passages",
                "build s",
                "index MiB",
                "cache entry MiB",
                "start-up s",
                "of which up-to-date check s",
                "build peak MiB",
                "serve peak MiB",
            ],
            rows,
        )
    )
    print(f"\nAnswer latency per stage, p50 / p99 ms ({arguments.questions} questions, one at a time):\n")
    print(table(["size", *STAGES, "answer (retrieve+judge+stance)"], stage_rows))
    for note in sorted(notes):
        print(f"note: {note}")
    print(f"\nbench/scale.py took {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
