"""Corpus ingestion and live updates, on real HTML and on the 1M-passage scale corpus.

    make bench-corpus        # = .venv/bin/python bench/corpus.py [--sizes 100000 1000000]
                             #   [--sample 200 (0: every page)] [--skip-html] [--skip-scale]
                             #   [--single-process]

HTML corpus: every page of Debian's python3-doc, postgresql-doc-15 and git-doc packages
(about 1,940; the bench installs them with apt-get when it is root and they are missing,
and says so when it cannot), copied under bench/out/corpus/html/ with a citebot.yaml per
package giving the pages' web links. Measured, each in a fresh process, on this machine's
cores:

- trafilatura defaults: one process running ``trafilatura.extract(page)`` (every option
  at its default) over every page: the reference time;
- extraction comparison on a sample of pages (or all), one process, page by page, in CPU
  seconds: trafilatura's default main text against its fast mode (no readability/jusText
  fallbacks), fast mode favouring recall, resiliparse's main-content extraction (when
  installed: the "bench" extra) and citebot's extraction (fast mode after removing code
  styling and collapsing whitespace): share of the default text's words kept (recall), of
  the extracted words the default also finds (precision), and pages whose words are the
  default's, in the same order; then citebot's whole per-page indexing work (extraction,
  sentences, term counts) against the default extraction of the same page;
- cold build: ``citebot index`` with an empty cache (all cores), wall time and pages/s,
  the peak memory of the whole process tree (sampled from /proc every 20 ms);
- add a page, change a page, remove a page: the wall time (and CPU seconds of its process
  tree) of ``citebot ask`` run right after the change (it brings the index up to date,
  then answers), checked to answer from the change; and the same changes seen by a
  running bot: ``LiveCorpus.watch``, from the file write to the new engine answering.

Scale corpora (bench/generate_corpus.py, as ``make bench-scale``): a folder holding the
JSONL file. Cold build (wall, peak memory), then a new file and one line appended to the
JSONL, each timed as above with ``citebot ask``; peak memory of serving (a warm
``citebot ask``) and of a running bot applying the append (``LiveCorpus.refresh``).
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT_DIR, PROJECT, PYTHON, table

SCRIPT = Path(__file__).resolve()
CITEBOT = [PYTHON, "-m", "bot.cli"]

# name: (Debian package, where its pages are, their web home)
HTML_PACKAGES = {
    "python": (
        "python3-doc",
        ["/usr/share/doc/python3-doc/html", "/usr/share/doc/python3*/html"],
        "https://docs.python.org/3/",
        "Python Software Foundation",
    ),
    "postgresql": (
        "postgresql-doc-15",
        ["/usr/share/doc/postgresql-doc-15/html", "/usr/share/doc/postgresql-doc-*/html"],
        "https://www.postgresql.org/docs/15/",
        "The PostgreSQL Global Development Group",
    ),
    "git": ("git-doc", ["/usr/share/doc/git-doc"], "https://git-scm.com/docs/", "Git"),
}

NEW_PAGE = """<html><head><title>Quokka habits</title>
<link rel="canonical" href="https://example.org/quokka"></head><body><article>
<h1>Quokka habits</h1>
<p>The quokka of Rottnest Island sleeps through the hot afternoon in the shade of
shrubs and feeds on succulent leaves after dusk.</p></article></body></html>
"""
NEW_QUESTION = "What does the quokka of Rottnest Island feed on after dusk?"
CHANGED_SENTENCE = "The zeppelin hangar of Friedrichshafen stores exactly seventeen brass propellers."
CHANGED_QUESTION = "How many brass propellers does the zeppelin hangar of Friedrichshafen store?"


# ---- measuring a process tree ---------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = collections.defaultdict(list)
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            tree[int(fields[1])].append(int(stat.split("/")[2]))
        except (OSError, IndexError, ValueError):
            continue
    return tree


def _tree_rss_mib(pid: int, cpu: dict[int, float]) -> float:
    """The resident memory of a process and its descendants; records each one's CPU seconds."""
    tree, pending, total = _children(), [pid], 0
    ticks = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        pending.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            cpu[current] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def run_measured(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Run a command; its wall time, the peak memory of its process tree, its output."""
    environment = {**os.environ, **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, cwd=PROJECT, text=True
    )
    peak = [0.0]
    cpu: dict[int, float] = {}

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mib(process.pid, cpu))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    own_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # max over children so far
    return {
        "cpu_seconds": sum(cpu.values()),
        "seconds": seconds,
        "peak_mib": max(peak[0], 0.0),
        "children_max_mib": own_peak,
        "out": out,
        "err": err,
    }


def ask(corpus: Path, question: str, cache: Path) -> dict:
    run = run_measured(
        [*CITEBOT, "ask", question, "--corpus", str(corpus), "--json"], {"CITEBOT_CACHE_DIR": str(cache)}
    )
    answer = json.loads(run["out"])
    run["sources"] = [source["id"] for source in answer["sources"]]
    return run


# ---- the HTML corpus ------------------------------------------------------------------------
def _package_folder(patterns: list[str]) -> Path | None:
    for pattern in patterns:
        for found in sorted(glob.glob(pattern)):
            folder = Path(found)
            if folder.is_dir() and any(folder.rglob("*.html")):
                return folder
    return None


def ensure_html_corpus(out: Path) -> tuple[Path | None, list[str]]:
    """The HTML pages copied under ``out`` (installed first if need be), and notes."""
    notes: list[str] = []
    missing = [
        name for name, (_, patterns, _, _) in HTML_PACKAGES.items() if _package_folder(patterns) is None
    ]
    if missing:
        packages = [HTML_PACKAGES[name][0] for name in missing]
        if os.geteuid() == 0 and shutil.which("apt-get"):
            print(f"installing {' '.join(packages)} with apt-get ...", file=sys.stderr)
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False)
            installed = subprocess.run(
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
            if installed.returncode != 0:
                notes.append(f"could not install {' '.join(packages)}: {installed.stderr.strip()[-300:]}")
            else:
                notes.append(f"installed {' '.join(packages)} with apt-get")
        else:
            notes.append(
                f"{' '.join(packages)} not installed, and apt-get needs root: install them to measure"
            )
    target = out / "html"
    pages = 0
    for name, (package, patterns, base_url, publisher) in HTML_PACKAGES.items():
        source = _package_folder(patterns)
        if source is None:
            notes.append(f"{package}: not installed, its pages are left out")
            continue
        folder = target / name
        if not folder.exists():
            for page in sorted(source.rglob("*.html")):
                destination = folder / page.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(page, destination)
            (folder / "citebot.yaml").write_text(f"base_url: {base_url}\npublisher: {publisher}\n")
        pages += sum(1 for _ in folder.rglob("*.html"))
    return (target if pages else None), notes


def html_pages(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.html"))


def worker_trafilatura(corpus: Path, mode: str) -> dict:
    """One process, trafilatura over every page: ``defaults`` (extract) or ``metadata``
    (bare_extraction with metadata, as citebot did before)."""
    import trafilatura

    pages = html_pages(corpus)
    start, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        data = page.read_bytes()
        if mode == "defaults":
            trafilatura.extract(data)
        else:
            trafilatura.bare_extraction(data, with_metadata=True)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "pages": len(pages),
    }


_WORD = re.compile(r"\w+")


def _overlap(reference: str, candidate: str) -> tuple[float, float]:
    ref = collections.Counter(_WORD.findall(reference.lower()))
    got = collections.Counter(_WORD.findall(candidate.lower()))
    common = sum((ref & got).values())
    return common / max(sum(ref.values()), 1), common / max(sum(got.values()), 1)


def _extractors() -> dict[str, object]:
    """Main-text extractors compared with trafilatura's defaults: the ones citebot could use."""
    import trafilatura

    from retrieval.corpus.formats import read_html

    extractors = {
        "fast": lambda data: trafilatura.extract(data, fast=True),
        "fast_recall": lambda data: trafilatura.extract(data, fast=True, favor_recall=True),
        "citebot": lambda data: read_html(data)["text"],
    }
    try:  # resiliparse: a bench dependency only (pyproject's "bench" extra)
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        extractors["resiliparse"] = lambda data: extract_plain_text(
            HTMLTree.parse_from_bytes(data), main_content=True, preserve_formatting=True, list_bullets=False
        )
    except ImportError:
        pass
    return extractors


EXTRACTOR_NAMES = {
    "fast": "trafilatura fast=True",
    "fast_recall": "trafilatura fast=True, favor_recall=True",
    "resiliparse": "resiliparse extract_plain_text(main_content=True)",
    "citebot": "citebot (trafilatura fast, code styling removed, whitespace collapsed)",
}


def worker_compare(corpus: Path, sample: int) -> dict:
    """On a sample of pages (every page with sample 0), one page at a time in one process:
    trafilatura's defaults, the other extractors, and citebot's per-page indexing work
    (extraction, sentences, term counts), each timed in CPU seconds (the machine's load
    weighs on all alike); each extractor's words against the defaults'."""
    import trafilatura

    from retrieval.search.counts import count_passages
    from retrieval.search.index import IndexParameters
    from retrieval.text.analysis import Analyzer
    from retrieval.text.sentences import sentence_spans

    analyzer, n_features = Analyzer(), IndexParameters().n_features
    every = html_pages(corpus)
    pages = every if sample <= 0 else random.Random(0).sample(every, min(sample, len(every)))
    extractors = _extractors()
    rows = collections.defaultdict(list)
    same_words = collections.Counter()
    seconds = collections.Counter()

    def timed(key: str, function, *arguments):
        start = time.process_time()
        try:
            return function(*arguments)
        except Exception:
            return None
        finally:
            seconds[key] += time.process_time() - start

    for page in pages:
        data = page.read_bytes()
        default = timed("default", trafilatura.extract, data) or ""
        reference_words = _WORD.findall(default.lower())
        texts = {key: timed(key, extract, data) or "" for key, extract in extractors.items()}
        for key, text in texts.items():
            rows[key].append(_overlap(default, text))
            same_words[key] += _WORD.findall(text.lower()) == reference_words
        ours = texts["citebot"]
        spans = timed("sentences", sentence_spans, ours)
        timed("counts", count_passages, analyzer, n_features, [ours], [spans])
    result = {
        "pages": len(pages),
        "ms": {key: 1000 * value / len(pages) for key, value in seconds.items()},
    }
    for key, pairs in rows.items():
        recalls = [recall for recall, _ in pairs]
        result[key] = {
            "recall": sum(recalls) / len(pairs),
            "precision": sum(precision for _, precision in pairs) / len(pairs),
            "pages_recall_95": sum(recall >= 0.95 for recall in recalls) / len(pairs),
            "worst_recall": min(recalls),
            "same_words": same_words[key] / len(pairs),
        }
    return result


def worker_watch(corpus: Path, cache: Path, changes: str) -> dict:
    """A running bot's view: LiveCorpus.watch; per change, write → new engine answers."""
    import asyncio

    from retrieval.corpus.live import LiveCorpus

    plan = json.loads(changes)
    live = LiveCorpus(corpus, name="bench", cache_dir=cache, warn=lambda message: None)
    results = {}

    async def run() -> None:
        seen: asyncio.Queue = asyncio.Queue()
        watcher = asyncio.create_task(live.watch(seen.put, debounce_ms=200, poll_seconds=60))
        await asyncio.sleep(1.0)
        for label, step in plan.items():
            start = time.perf_counter()
            _apply(step)
            changes = await asyncio.wait_for(seen.get(), timeout=600)
            answer = live.engine.ask(step["question"])
            results[label] = {
                "seconds": time.perf_counter() - start,
                "refresh_seconds": changes.seconds,
                "sources": [source.id for source in answer.sources],
                "summary": changes.summary(),
            }
        watcher.cancel()

    asyncio.run(run())
    results["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def _apply(step: dict) -> None:
    path = Path(step["path"])
    if step["kind"] == "write":
        path.write_text(step["text"])
    elif step["kind"] == "append":
        with path.open("a") as out:
            out.write(step["text"])
    elif step["kind"] == "remove":
        path.unlink()


def _worker(arguments: list[str]) -> dict:
    completed = subprocess.run(
        [PYTHON, str(SCRIPT), "--worker", *arguments],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"worker {arguments[:1]} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _changed_page_step(page: Path, question: str) -> dict:
    html = page.read_text(encoding="utf-8", errors="replace")
    at = html.lower().rfind("</p>")
    changed = (
        html[:at] + " " + CHANGED_SENTENCE + html[at:] if at >= 0 else html + f"<p>{CHANGED_SENTENCE}</p>"
    )
    return {"kind": "write", "path": str(page), "text": changed, "question": question}


def bench_html(out: Path, sample: int, single: bool) -> list[str]:
    lines: list[str] = []
    corpus, notes = ensure_html_corpus(out)
    for note in notes:
        lines.append(f"note: {note}")
    if corpus is None:
        lines.append("HTML corpus: no pages available, not measured")
        return lines
    for extra in corpus.glob("bench-*.html"):
        extra.unlink()
    pages = html_pages(corpus)
    cores = os.cpu_count() or 1
    print(f"[html] {len(pages)} pages; trafilatura defaults, one process ...", file=sys.stderr)
    reference = _worker(["trafilatura", str(corpus), "defaults"])
    print("[html] fast-mode comparison ...", file=sys.stderr)
    compare = _worker(["compare", str(corpus), str(sample)])
    cache = out / "cache-html"
    rows = []
    builds = [("citebot index, cold", [])]
    if single:
        builds.insert(0, ("citebot index --jobs 1, cold", ["--jobs", "1"]))
    for label, extra in builds:
        shutil.rmtree(cache, ignore_errors=True)
        print(f"[html] {label} ...", file=sys.stderr)
        build = run_measured(
            [*CITEBOT, "index", "--corpus", str(corpus), *extra], {"CITEBOT_CACHE_DIR": str(cache)}
        )
        summary = build["out"].splitlines()[-2]
        rows.append(
            [
                label,
                build["seconds"],
                len(pages) / build["seconds"],
                build["seconds"] / reference["seconds"],
                build["cpu_seconds"],
                build["cpu_seconds"] / cores / reference["cpu_seconds"],
                build["peak_mib"],
                summary,
            ]
        )
    rows.insert(
        0,
        [
            "trafilatura.extract defaults, 1 process",
            reference["seconds"],
            len(pages) / reference["seconds"],
            1.0,
            reference["cpu_seconds"],
            1.0,
            float("nan"),
            "extraction only (no index)",
        ],
    )
    lines.append(
        f"HTML corpus: {len(pages):,} pages (python3-doc, postgresql-doc-15, git-doc), {cores} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end (the CPU ratio is what the wall ratio "
        "would be with every core free)\n"
    )
    lines.append(
        table(
            [
                "build",
                "wall s",
                "pages/s",
                "wall × trafilatura defaults",
                "CPU s (process tree)",
                "CPU s / cores × trafilatura's CPU s",
                "peak MiB (process tree)",
                "summary",
            ],
            rows,
        )
    )

    ms = compare["ms"]
    lines.append(
        f"\nMain text against trafilatura's defaults ({compare['pages']:,} pages"
        f"{'' if sample <= 0 else ', sampled with seed 0'}; CPU ms per page, one process, "
        "page by page):\n"
    )
    extraction_rows = [["trafilatura defaults", ms["default"], 1.0, 1.0, 1.0, 1.0, 1.0]]
    for key, name in EXTRACTOR_NAMES.items():
        if key in compare:
            found = compare[key]
            extraction_rows.append(
                [
                    name,
                    ms[key],
                    found["recall"],
                    found["precision"],
                    found["pages_recall_95"],
                    found["worst_recall"],
                    found["same_words"],
                ]
            )
    lines.append(
        table(
            [
                "extraction",
                "CPU ms/page",
                "recall (default's words kept)",
                "precision",
                "pages with recall ≥ 0.95",
                "worst page recall",
                "pages with the same words in the same order",
            ],
            extraction_rows,
        )
    )
    per_page = ms["citebot"] + ms["sentences"] + ms["counts"]
    lines.append(
        "\ncitebot's indexing work per page, against one trafilatura-defaults extraction (same "
        "process, page by page):\n"
    )
    lines.append(
        table(
            ["work", "CPU ms/page", "× trafilatura defaults"],
            [
                ["trafilatura defaults (the reference)", ms["default"], 1.0],
                ["citebot extraction", ms["citebot"], ms["citebot"] / ms["default"]],
                ["sentences (passages)", ms["sentences"], ms["sentences"] / ms["default"]],
                ["term counts", ms["counts"], ms["counts"] / ms["default"]],
                ["total per page", per_page, per_page / ms["default"]],
                [
                    f"total / {cores} cores (the build's floor)",
                    per_page / cores,
                    per_page / cores / ms["default"],
                ],
            ],
        )
    )

    # Updates seen by `citebot ask` (a fresh process each time).
    target = pages[len(pages) // 2]
    removed = pages[len(pages) // 3]
    removed_id = removed.relative_to(corpus).as_posix()
    removed_question = _question_from(removed)
    before_removal = ask(corpus, removed_question, cache)
    steps = {
        "add a page": {
            "kind": "write",
            "path": str(corpus / "bench-quokka.html"),
            "text": NEW_PAGE,
            "question": NEW_QUESTION,
        },
        "change a page": _changed_page_step(target, CHANGED_QUESTION),
        "remove a page": {"kind": "remove", "path": str(removed), "question": removed_question},
    }
    originals = {str(target): target.read_bytes(), str(removed): removed.read_bytes()}
    update_rows = []
    expected = {"add a page": "bench-quokka.html", "change a page": target.relative_to(corpus).as_posix()}
    try:
        for label, step in steps.items():
            _apply(step)
            result = ask(corpus, step["question"], cache)
            if label == "remove a page":
                ok = removed_id in before_removal["sources"] and removed_id not in result["sources"]
            else:
                ok = expected[label] in result["sources"][:1]
            update_rows.append(
                [label, result["seconds"], result["cpu_seconds"], "yes" if ok else "NO", result["peak_mib"]]
            )
        # Back to the original pages, then the same changes seen by a running bot.
        _restore(corpus, originals)
        ask(corpus, NEW_QUESTION, cache)
        print("[html] the same changes through LiveCorpus.watch ...", file=sys.stderr)
        watched = _worker(["watch", str(corpus), str(cache), json.dumps(steps)])
        for row in update_rows:
            seen = watched[row[0]]
            if row[0] == "remove a page":
                ok = removed_id not in seen["sources"]
            else:
                ok = expected[row[0]] in seen["sources"][:1]
            row.extend([seen["seconds"], seen["refresh_seconds"], "yes" if ok else "NO"])
    finally:
        _restore(corpus, originals)
    lines.append("\nA change until it is answered from (target ≤ 3 s):\n")
    lines.append(
        table(
            [
                "change",
                "`citebot ask` wall s (update + answer)",
                "its CPU s (process tree)",
                "answered from the change",
                "ask peak MiB",
                "running bot: write → answer s",
                "of which refresh s",
                "bot answered from it",
            ],
            update_rows,
        )
    )
    lines.append(f"(running bot peak memory: {watched['peak_mib']:,.0f} MiB)")
    return lines


def _restore(corpus: Path, originals: dict[str, bytes]) -> None:
    (corpus / "bench-quokka.html").unlink(missing_ok=True)
    for path, data in originals.items():
        Path(path).write_bytes(data)


def _question_from(page: Path) -> str:
    """A question made of a distinctive sentence of the page (its longest paragraph's words)."""
    from retrieval.corpus.formats import read_html

    text = read_html(page.read_bytes())["text"]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(s) <= 200]
    words = (max(sentences, key=len) if sentences else text[:200]).split()
    return " ".join(words[:12])


# ---- the scale corpora ------------------------------------------------------------------------
def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def bench_scale(out: Path, sizes: list[int]) -> list[str]:
    lines = ["\nScale corpora (bench/generate_corpus.py; a folder holding the JSONL file):\n"]
    rows, update_rows = [], []
    for size in sizes:
        label = _label(size)
        source = OUT_DIR / "scale" / f"corpus-{label}.jsonl"
        if not source.exists():
            subprocess.run(
                [
                    PYTHON,
                    str(SCRIPT.parent / "generate_corpus.py"),
                    "--passages",
                    str(size),
                    "--out",
                    str(source),
                ],
                check=True,
            )
        corpus = out / f"scale-{label}"
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir(parents=True)
        shutil.copyfile(source, corpus / "corpus.jsonl")
        cache = out / f"cache-{label}"
        shutil.rmtree(cache, ignore_errors=True)
        print(f"[{label}] cold build ...", file=sys.stderr)
        build = run_measured([*CITEBOT, "index", "--corpus", str(corpus)], {"CITEBOT_CACHE_DIR": str(cache)})
        warm = ask(corpus, "Is Ballerina based on a true story?", cache)
        rows.append(
            [
                label,
                build["seconds"],
                build["cpu_seconds"],
                build["peak_mib"],
                warm["seconds"],
                warm["peak_mib"],
                build["out"].splitlines()[-2],
            ]
        )
        new_file = {
            "kind": "write",
            "path": str(corpus / "quokka.md"),
            "text": "Quokkas\n\nThe quokka of Rottnest Island feeds on succulent leaves after dusk.\n",
            "question": NEW_QUESTION,
        }
        record = {"id": "bench-zeppelin", "title": "Zeppelin hangar", "text": CHANGED_SENTENCE}
        append = {
            "kind": "append",
            "path": str(corpus / "corpus.jsonl"),
            "text": json.dumps(record) + "\n",
            "question": CHANGED_QUESTION,
        }
        for change, step, expected in (
            ("new file", new_file, "quokka.md"),
            ("line appended to the JSONL", append, "bench-zeppelin"),
        ):
            _apply(step)
            result = ask(corpus, step["question"], cache)
            update_rows.append(
                [
                    label,
                    change,
                    result["seconds"],
                    result["cpu_seconds"],
                    "yes" if expected in result["sources"][:1] else "NO",
                    result["peak_mib"],
                ]
            )
        # A running bot applying one more appended line (its memory while it updates).
        more = {
            "kind": "append",
            "path": str(corpus / "corpus.jsonl"),
            "text": json.dumps({**record, "id": "bench-zeppelin-2"}) + "\n",
            "question": CHANGED_QUESTION,
        }
        watched = _worker(["watch", str(corpus), str(cache), json.dumps({"append": more})])
        update_rows.append(
            [
                label,
                "line appended, running bot (write → answer)",
                watched["append"]["seconds"],
                float("nan"),
                "yes" if watched["append"]["sources"] else "NO",
                watched["peak_mib"],
            ]
        )
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    lines.append(
        table(
            [
                "size",
                "cold build s (citebot index)",
                "its CPU s (process tree)",
                "build peak MiB (process tree)",
                "warm `citebot ask` s",
                "serving peak MiB (warm ask)",
                "summary",
            ],
            rows,
        )
    )
    lines.append("\nA change until `citebot ask` answers from it (target ≤ 10 s at 1M):\n")
    lines.append(
        table(
            ["size", "change", "wall s (update + answer)", "CPU s", "answered from the change", "peak MiB"],
            update_rows,
        )
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "corpus")
    parser.add_argument("--skip-html", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--single-process", action="store_true", help="also time a one-process build")
    parser.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        kind, *rest = arguments.worker
        if kind == "trafilatura":
            result = worker_trafilatura(Path(rest[0]), rest[1])
        elif kind == "compare":
            result = worker_compare(Path(rest[0]), int(rest[1]))
        else:
            result = worker_watch(Path(rest[0]), Path(rest[1]), rest[2])
        print(json.dumps(result))
        return 0
    began = time.perf_counter()
    arguments.out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    if not arguments.skip_html:
        lines += bench_html(arguments.out, arguments.sample, arguments.single_process)
    if not arguments.skip_scale:
        lines += bench_scale(arguments.out, arguments.sizes)
    print("\n".join(lines))
    print(f"\nbench/corpus.py took {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
