"""Shared helpers for the performance benchmarks (bench/squad.py, bench/scale.py).

Every measured system runs in its own fresh subprocess (``python bench/X.py --worker ...``)
so that its peak memory (ru_maxrss) and start-up are its own, not the parent's.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT.parent / "shared" / "data"
OUT_DIR = PROJECT / "bench" / "out"
PYTHON = sys.executable
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))


@dataclass(frozen=True)
class SquadParagraph:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    paragraph: str  # the id of the paragraph it was written from


def load_squad(path: Path | None = None) -> tuple[list[SquadParagraph], list[SquadQuestion]]:
    """SQuAD v1.1 dev: every paragraph (id ``a<article>-p<n>``) and every question with its paragraph."""
    raw = json.loads((path or DATA_DIR / "squad-v1.1-dev.json").read_text())
    paragraphs: list[SquadParagraph] = []
    questions: list[SquadQuestion] = []
    for a, article in enumerate(raw["data"]):
        title = article["title"].replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            pid = f"a{a}-p{p}"
            paragraphs.append(SquadParagraph(pid, f"{title} ¶{p + 1}", paragraph["context"]))
            questions.extend(SquadQuestion(qa["id"], qa["question"], pid) for qa in paragraph["qas"])
    return paragraphs, questions


def write_jsonl(path: Path, records: Iterable[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000, q)) if len(seconds) else float("nan")


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def run_worker(script: Path, arguments: Sequence[str], *, env: dict[str, str] | None = None) -> dict:
    """Run ``python script --worker ...`` in a fresh process; its last stdout line is a JSON result."""
    completed = subprocess.run(
        [PYTHON, str(script), *arguments], capture_output=True, text=True, env=env, cwd=PROJECT, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"worker {arguments} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def dir_size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (readable as printed and pasteable into the README)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:.4f}" if abs(value) < 1 else f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


# ---- one answer, stage by stage -----------------------------------------------------------
STAGES = ("retrieve", "judge", "stance", "render")


class StagedAnswerer:
    """Answers a question as ``Engine.ask`` does, timing each stage on its own.

    retrieve = ``index.query`` + ``index.search`` (the candidates the judge reads); judge =
    relevance and quote selection (``engine.judge.evidence``); stance =
    ``retrieval.judging.disagreement.assess`` (skipped, with the reason, when it cannot run);
    render = ``bot.render_text.render_answer`` plus ``bot.render_discord.render_answer``
    when importable.
    """

    def __init__(self, engine, max_sources: int = 5) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.max_sources = max_sources
        self.notes: list[str] = []
        self.assess = self._stance()
        self.renderers = self._renderers()

    def _stance(self):  # type: ignore[no-untyped-def]
        try:
            from retrieval.answer import SourceEvidence
            from retrieval.judging.disagreement import assess

            probe = SourceEvidence("x", "x", None, None, None, 1.0, ())
            assess("Is the sky blue?", [probe], {})
        except Exception as error:  # any failure: the stage is left out, with the reason
            self.notes.append(f"stance skipped: {error.__class__.__name__}: {str(error)[:120]}")
            return None
        return assess

    def _renderers(self) -> list:  # type: ignore[type-arg]
        from bot.render_text import render_answer

        renderers = [render_answer]
        try:
            from bot.render_discord import render_answer as render_discord

            renderers.append(render_discord)
        except Exception as error:
            self.notes.append(f"Discord renderer skipped: {error.__class__.__name__}")
        return renderers

    def answer(self, question: str) -> tuple[dict[str, float], list[str], list[str]]:
        """Seconds per stage, the cited source ids, and the raw ranking's ids (no judge)."""
        from dataclasses import replace

        from retrieval.answer import Answer

        engine, index = self.engine, self.engine.index
        t0 = time.perf_counter()
        query = engine.judge.query(question)
        candidates = index.search(query, limit=engine.judge.candidate_limit(self.max_sources))
        t1 = time.perf_counter()
        sources = engine.judge.evidence(question, query, candidates, max_sources=self.max_sources)
        t2 = time.perf_counter()
        answer = Answer(question=question, status="answered" if sources else "no_answer", sources=sources)
        if self.assess is not None and sources:
            cited = {s.id: engine.document(s.id) for s in sources}
            found = self.assess(question, sources, cited, model=engine.models.stance)
            answer = replace(
                answer,
                sources=tuple(replace(s, stance=x) for s, x in zip(sources, found.stances, strict=True)),
                disagreement=found.disagreement,
                conflicts=found.conflicts,
                claim=found.claim,
            )
        t3 = time.perf_counter()
        for render in self.renderers:
            render(answer)
        t4 = time.perf_counter()
        times = {"retrieve": t1 - t0, "judge": t2 - t1, "stance": t3 - t2, "render": t4 - t3}
        ranked = [engine.documents[int(d)].id for d in candidates.documents[: self.max_sources]]
        return times, [s.id for s in sources], ranked
