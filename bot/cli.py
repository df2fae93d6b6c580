"""The `citebot` command: the offline harness (ask, batch), the bot (serve) and training.

Run with no command, it does the main job: serve on Discord when a token is configured,
otherwise answer a sample question offline and say how to connect.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from bot import feedback_cli
from bot.render_text import render_answer
from bot.settings import Settings, SettingsError, load_settings
from retrieval.corpus.documents import CorpusError, DocumentError
from retrieval.engine import Engine
from retrieval.search.questions import QuestionError

SAMPLE_QUESTION = "Is Ballerina based on a true story?"
EXIT_USAGE = 2


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def _warn(message: str) -> None:
    print(f"citebot: warning: {message}", file=sys.stderr)


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (not usage + error) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="citebot", description="Answer questions from a corpus with verbatim, cited quotes."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    corpus_help = (
        "corpus folder or file, or a configured corpus's name (default: $CITEBOT_CORPUS, else corpus/)"
    )

    ask = commands.add_parser("ask", help="answer one question and print the answer")
    ask.add_argument("question")
    ask.add_argument("--corpus", type=_corpus_argument, help=corpus_help)
    ask.add_argument("--max-sources", type=_positive_int, default=5, metavar="N")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")

    batch = commands.add_parser("batch", help="answer JSON lines from stdin, one JSON answer per line")
    batch.add_argument("--corpus", type=_corpus_argument, help=corpus_help)
    batch.add_argument("--max-sources", type=_positive_int, default=5, metavar="N")
    batch.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="worker processes (default: one per CPU when stdin is a file or pipe, 1 at a terminal)",
    )

    index = commands.add_parser("index", help="build or update the corpus's index and print what changed")
    index.add_argument("--corpus", type=_corpus_argument, help=corpus_help)
    index.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="worker processes reading files (default: one per CPU)",
    )
    sources = commands.add_parser("sources", help="list the corpus's documents: id, title, link, date")
    sources.add_argument("--corpus", type=_corpus_argument, help=corpus_help)
    sources.add_argument("--json", action="store_true", help="one JSON object per document")

    commands.add_parser("serve", help="run the Discord bot (needs DISCORD_TOKEN)")
    every = commands.add_parser(
        "train",
        help="train every judging model (relevance, quotes, stance) from ../shared/data",
        add_help=False,
    )
    every.add_argument("rest", nargs=argparse.REMAINDER)
    feedback_cli.add_parser(commands)
    train = commands.add_parser(
        "train-stance", help="train the stance model from ../shared/data", add_help=False
    )
    train.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("citebot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _report(summary: str) -> None:
    """The one summary line of an index build or update (stderr: stdout is the answer)."""
    print(f"citebot: {summary}", file=sys.stderr)


def _corpus_argument(raw: str) -> Path:
    """``--corpus``'s value; an empty one is refused (as a path it would be the current folder)."""
    if not raw.strip():
        raise argparse.ArgumentTypeError("needs a folder, a file or a configured corpus's name")
    return Path(raw)


def corpus_path(settings: Settings, corpus: Path | None) -> Path:
    """``--corpus`` as given: a path, or the name of a corpus in CITEBOT_CONFIG. A bad
    CITEBOT_CONFIG is a SettingsError whether or not this command uses a name from it: a
    maintainer learns of a broken file from the first command, not from the bot."""
    named = settings.corpora  # SettingsError for a bad CITEBOT_CONFIG
    if corpus is None:
        return settings.corpus
    if corpus.exists():
        return corpus
    return named.get(str(corpus), corpus)


def open_engine(settings: Settings, corpus: Path | None) -> Engine:
    try:
        return Engine.from_path(
            corpus_path(settings, corpus),
            cache_dir=settings.cache_dir,
            warn=_warn,
            report=_report,
            follow_outside_links=settings.follow_outside_links,
        )
    except CorpusError as error:
        raise CommandError(str(error)) from error


def command_index(arguments: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Build or update the index; print each changed file and the summary line."""
    from retrieval.corpus.store import IndexStore

    root = corpus_path(settings, arguments.corpus)
    summaries: list[str] = []
    store = IndexStore(
        root,
        cache_dir=settings.cache_dir,
        warn=_warn,
        report=summaries.append,
        jobs=arguments.jobs,
        follow_outside_links=settings.follow_outside_links,
    )
    try:
        update = store.update()
    except CorpusError as error:
        raise CommandError(str(error)) from error
    added, changed, removed = update.changed_files()
    for sign, files in (("+", added), ("~", changed), ("-", removed)):
        for name in files:
            out.write(f"{sign} {name}\n")
    if not summaries:
        loaded = update.loaded
        summaries.append(
            f"up to date: {len(loaded.documents):,} documents, {loaded.index.n_passages:,} passages"
        )
    out.write(f"{summaries[0]}\nindex: {store.folder}\n")
    return 0


_SOURCE_FIELDS = ("id", "title", "url", "date", "publisher", "author", "path")


def command_sources(arguments: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Every document: id, title, link and date (tab-separated), or JSON lines."""
    engine = open_engine(settings, arguments.corpus)
    for document in engine.documents:
        if arguments.json:
            fields = document.to_dict()
            out.write(_json_line({key: fields[key] for key in _SOURCE_FIELDS}))
            out.write("\n")
        else:
            cells = (document.id, document.title, document.url or "-", document.date or "-")
            out.write("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in cells) + "\n")
    return 0


def command_ask(arguments: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    engine = open_engine(settings, arguments.corpus)
    try:
        answer = engine.ask(arguments.question, max_sources=arguments.max_sources)
    except QuestionError as error:
        raise CommandError(str(error)) from error
    out.write(_json_line(answer.to_dict()) + "\n" if arguments.json else render_answer(answer))
    return 0


class NotStrictJSON(ValueError):
    """A value JSON cannot carry back out: NaN, Infinity, or a number out of range."""


def _refuse_constant(name: str) -> float:
    raise NotStrictJSON(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStrictJSON(f"the number {text[:40]} is too large")
    return value


def parse_request(text: str) -> Any:
    """A batch line as JSON (RFC 8259): no NaN or Infinity, no number that cannot be written back.

    Raises ValueError (JSONDecodeError, NotStrictJSON, or int's digit limit) or RecursionError.
    """
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


EMPTY_LINE_ERROR = "empty line: each line must be a JSON object with 'question'"


def answer_line(line: str | bytes, engine: Engine, max_sources: int) -> dict[str, Any]:
    """One batch input line → one output object (an answer, or an error that names the problem)."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        if not text.strip():
            return {"id": None, "error": EMPTY_LINE_ERROR}
        request = parse_request(text)
    except UnicodeDecodeError as error:
        return {"id": None, "error": f"not UTF-8 text ({error.reason} at byte {error.start})"}
    except json.JSONDecodeError as error:
        return {"id": None, "error": f"not valid JSON ({error.msg} at column {error.colno})"}
    except NotStrictJSON as error:
        return {"id": None, "error": f"not valid JSON ({error})"}
    except ValueError:
        # The one other ValueError json raises: an integer longer than int's digit limit.
        digits = sys.get_int_max_str_digits()
        return {"id": None, "error": f"a number in this line is too long (more than {digits:,} digits)"}
    except RecursionError:
        return {"id": None, "error": "not valid JSON (nested too deeply)"}
    if not isinstance(request, dict):
        return {"id": None, "error": "each line must be a JSON object with 'question'"}
    question_id = request.get("id")
    question = request.get("question")
    if not isinstance(question, str):
        problem = "missing 'question'" if question is None else "'question' must be a string"
        return {"id": question_id, "error": f"{problem}: the text of the question"}
    try:
        if "documents" in request:
            engine = Engine.from_records(request["documents"])
        return engine.ask(question, max_sources=max_sources, question_id=question_id).to_dict() | {
            "id": question_id
        }
    except (QuestionError, DocumentError, CorpusError) as error:
        return {"id": question_id, "error": str(error)}
    except Exception as error:  # one line must never end a batch of thousands
        return {"id": question_id, "error": f"could not answer this line ({error.__class__.__name__})"}


def _json_line(result: dict[str, Any]) -> str:
    """One line of strict JSON (RFC 8259), always.

    ASCII escapes, so any id a caller sends (even a lone surrogate) is written back as valid
    JSON. A result that cannot be written strictly (a non-finite number, nesting deeper than
    the encoder goes) becomes an error line: a line the caller cannot parse is never written.
    """
    try:
        return json.dumps(result, ensure_ascii=True, allow_nan=False)
    except (ValueError, RecursionError) as error:
        deep = isinstance(error, RecursionError)
        why = "is nested too deeply" if deep else "holds a value JSON cannot carry"
        problem = f"the answer to this line could not be written as JSON (it {why})"
        return json.dumps({"id": None, "error": problem}, ensure_ascii=True)


# The engine a forked batch worker answers with: set in the parent just before the fork,
# so the workers share its memory-mapped index instead of each loading their own.
_BATCH_ENGINE: Engine | None = None
BATCH_CHUNK = 64


def _answer_in_worker(task: tuple[str | bytes, int]) -> str:
    assert _BATCH_ENGINE is not None
    line, max_sources = task
    return _json_line(answer_line(line, _BATCH_ENGINE, max_sources))


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def answered_lines(
    lines: Iterable[str | bytes], engine: Engine, max_sources: int, jobs: int
) -> Iterator[str]:
    """One JSON line per input line (an empty one gets an error line), in input order, over
    ``jobs`` processes.

    With one job each line is answered as soon as it is read; with several, input is read
    ahead in chunks of BATCH_CHUNK lines per worker.
    """
    requests = iter(lines)
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for line in requests:
            yield _json_line(answer_line(line, engine, max_sources))
        return
    global _BATCH_ENGINE
    _BATCH_ENGINE = engine
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=jobs, initializer=_ignore_interrupts) as pool:
        tasks = ((line, max_sources) for line in requests)
        yield from pool.imap(_answer_in_worker, tasks, chunksize=BATCH_CHUNK)


def command_batch(
    arguments: argparse.Namespace, settings: Settings, lines: Iterable[str | bytes], out: TextIO
) -> int:
    engine = open_engine(settings, arguments.corpus)
    interactive = getattr(lines, "isatty", lambda: False)()
    jobs = arguments.jobs or (1 if interactive else os.cpu_count() or 1)
    for answered in answered_lines(lines, engine, arguments.max_sources, jobs):
        out.write(answered + "\n")
        out.flush()  # a program driving the batch line by line sees each answer at once
    return 0


def command_serve(settings: Settings) -> int:
    from bot.app import serve  # imported here: discord.py is only needed to serve

    return serve(settings)


def command_main_job(settings: Settings, out: TextIO) -> int:
    """With a token, serve; without one, show the offline harness and how to connect."""
    if settings.discord_token:
        return command_serve(settings)
    print(
        "citebot: no DISCORD_TOKEN set, so answering a sample question offline. To run the Discord bot, "
        "put DISCORD_TOKEN=... in .env (see .env.example and the README) and run `citebot serve`.",
        file=sys.stderr,
    )
    engine = open_engine(settings, None)
    out.write(f"Corpus: {len(engine.documents)} documents from {settings.corpus}\n\n")
    out.write(render_answer(engine.ask(SAMPLE_QUESTION)))
    return 0


def command_train(rest: list[str]) -> int:
    from retrieval.judging.training import main as train_main

    return train_main(rest)


def command_train_stance(rest: list[str]) -> int:
    from retrieval.judging.stance.train import main as train_main

    return train_main(rest)


def main(
    argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        return command_train(argv[1:])
    if argv[:1] == ["train-stance"]:
        return command_train_stance(argv[1:])
    arguments = build_parser().parse_args(argv)
    out = stdout or sys.stdout
    try:
        settings = load_settings()
        if arguments.command == "ask":
            return command_ask(arguments, settings, out)
        if arguments.command == "batch":
            # Bytes, decoded per line: a badly encoded line gets an error line, not a crash.
            return command_batch(arguments, settings, stdin or sys.stdin.buffer, out)
        if arguments.command == "index":
            return command_index(arguments, settings, out)
        if arguments.command == "sources":
            return command_sources(arguments, settings, out)
        if arguments.command == "serve":
            return command_serve(settings)
        if arguments.command == "feedback":
            return feedback_cli.run(arguments, settings, out)
        return command_main_job(settings, out)
    except (CommandError, SettingsError, feedback_cli.FeedbackError) as error:
        print(f"citebot: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`citebot batch | head -1`): stop quietly, like any filter.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
