"""Fuzzing corpus folders: FIFOs, sockets, odd and non-UTF-8 names, deep trees, broken
encodings, links in and out, duplicate ids across formats. Loading never hangs or crashes,
every good file loads, every bad one is named in a warning, and nothing outside is read."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.engine import Engine
from tests.fuzz.profile import TIMEOUT, fuzz, tally
from tests.trees import remove_tree

pytestmark = pytest.mark.timeout(TIMEOUT)

SENTINEL_QUESTION = "What does the zebrafish sentinel swim in?"
SENTINEL = "Sentinel\n\nThe zebrafish sentinel swims in the fuzz river every morning."
SECRET = "swordfishsecret"

GOOD = ("text", "markdown", "no_sentence", "jsonl", "non_utf8_name", "deep", "folder_named_like_a_file")
BAD = ("broken_encoding", "bad_front_matter", "empty", "fifo", "socket", "dangling_link", "outside_link")
QUIET = ("hidden", "not_a_corpus_file", "inside_link", "loop_link", "html")

odd_names = st.text(
    alphabet=st.characters(exclude_characters="/\x00", exclude_categories=("Cs",)), min_size=1, max_size=24
).filter(lambda name: len(name.encode()) < 150)


@dataclass
class Expected:
    """What loading the generated folder must give."""

    documents: set[str] = field(default_factory=lambda: {"sentinel.txt"})
    named_in_warnings: set[str] = field(default_factory=set)
    fifos: list[Path] = field(default_factory=list)


@st.composite
def corpus_entries(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    """(kind, a generated name, a number) for each entry of the folder."""
    kinds = draw(st.lists(st.sampled_from(GOOD + BAD + QUIET), min_size=1, max_size=8))
    return [(kind, draw(odd_names), draw(st.integers(1, 1_100))) for kind in kinds]


def _text(number: int) -> str:
    return f"Entry {number}\n\nThe owl number {number} hunts lemmings on the tundra."


def build(root: Path, outside: Path, entries: list[tuple[str, str, int]], sockets: ExitStack) -> Expected:
    """Make the folder; say what must load and which names the warnings must give."""
    expected = Expected()
    (root / "sentinel.txt").write_text(SENTINEL)
    (outside / "secret.txt").write_text(f"Secret\n\nThe {SECRET} is here.")
    jsonl_ids: set[str] = set()
    for position, (kind, raw_name, number) in enumerate(entries):
        base = f"{position:02d}-{raw_name.lstrip('.') or 'x'}"
        name = f"{base}.txt"
        if kind == "text":
            (root / name).write_text(_text(number), encoding="utf-8")
            expected.documents.add(name)
        elif kind == "markdown":
            name = f"{base}.md"
            (root / name).write_text(
                f"---\ntitle: Title {number}\n---\n{raw_name}\n{_text(number)}", encoding="utf-8"
            )
            expected.documents.add(name)
        elif kind == "no_sentence":
            name = f"{base}.md"
            body = ("\U0001f600", "...", "\ufe20", "\u200b", raw_name)[number % 5]
            (root / name).write_text(f"---\ntitle: Title {number}\n---\n{body}\n", encoding="utf-8")
            if body.strip():
                expected.documents.add(name)
            else:
                expected.named_in_warnings.add(name)
        elif kind == "jsonl":
            name = f"{base}.jsonl"
            fresh = f"line-{position}-{number}"
            lines = [
                json.dumps({"id": fresh, "title": raw_name, "text": _text(number)}),
                json.dumps({"id": "sentinel.txt", "title": "Impostor", "text": f"The {SECRET} impostor."}),
                '{"id": NaN, "title": "t", "text": "x"}',
                '{"id": ' + "9" * 4_301 + ', "title": "t", "text": "x"}',
                "[" * 5_000,
                json.dumps({"id": fresh, "title": "Duplicate", "text": "A second line with the same id."}),
            ]
            if fresh not in jsonl_ids:
                expected.documents.add(fresh)
                jsonl_ids.add(fresh)
            (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif kind == "non_utf8_name":
            raw = os.fsencode(root / base) + b"-caf\xe9\xff.txt"
            with open(raw, "w", encoding="utf-8") as handle:
                handle.write(_text(number))
            # Shown (and kept as its id) with each byte that is not UTF-8 as \xNN.
            expected.documents.add(f"{base}-caf\\xe9\\xff.txt")
        elif kind == "deep":
            folder = root / base
            folder.mkdir()
            for _ in range(number):
                folder = folder / "d"
                folder.mkdir()
            (folder / "deep.txt").write_text(_text(number))
            expected.documents.add(f"{base}/" + "d/" * number + "deep.txt")
        elif kind == "folder_named_like_a_file":
            (root / name).mkdir()
            (root / name / "inner.md").write_text(_text(number))
            expected.documents.add(f"{name}/inner.md")
        elif kind == "broken_encoding":
            (root / name).write_bytes(b"Title\n\n\xff\xfe\x80 broken " + bytes([number % 256]))
            expected.named_in_warnings.add(name)
        elif kind == "bad_front_matter":
            name = f"{base}.md"
            (root / name).write_text("---\ntitle: [unclosed\n---\nBody.")
            expected.named_in_warnings.add(name)
        elif kind == "empty":
            (root / name).write_text(" \n\t\n")
            expected.named_in_warnings.add(name)
        elif kind == "fifo":
            os.mkfifo(root / name)
            expected.fifos.append(root / name)
            expected.named_in_warnings.add(name)
        elif kind == "socket":
            # A socket path must be short: bind it from inside the folder.
            listening = sockets.enter_context(socket.socket(socket.AF_UNIX))
            previous = os.getcwd()
            os.chdir(root)
            try:
                listening.bind(f"s{position}.md")
            finally:
                os.chdir(previous)
            expected.named_in_warnings.add(f"s{position}.md")
        elif kind == "dangling_link":
            (root / name).symlink_to(root / f"gone-{position}.txt")
            expected.named_in_warnings.add(name)
        elif kind == "outside_link":
            (root / name).symlink_to(outside / "secret.txt")
            expected.named_in_warnings.add(name)
        elif kind == "hidden":
            (root / f".{base}.txt").write_text(f"Hidden\n\nThe {SECRET} hides here.")
        elif kind == "not_a_corpus_file":
            (root / f"{base}.csv").write_text(f"1,{SECRET}")
        elif kind == "inside_link":
            (root / name).symlink_to(root / "sentinel.txt")
        elif kind == "loop_link":
            (root / base).symlink_to(root)
        elif kind == "html":
            (root / f"{base}.html").write_text(
                f"<html><body><p>{raw_name}</p><script>{SECRET}</script></body></html>"
            )
    return expected


def load_with_a_deadline(root: Path, cache: Path, fifos: list[Path]) -> tuple[Engine, list[str]]:
    """Engine.from_path, failing (not hanging) if it does not finish in time."""
    warnings: list[str] = []
    outcome: dict[str, object] = {}

    def load() -> None:
        try:
            outcome["engine"] = Engine.from_path(root, cache_dir=cache, warn=warnings.append)
        except BaseException as error:  # reported below, in the test's thread
            outcome["error"] = error

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(120)
    if worker.is_alive():
        for fifo in fifos:  # let a reader stuck on a FIFO go, so the process can end
            with suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("loading the corpus hung")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["engine"], warnings  # type: ignore[return-value]


@fuzz(20)
@given(entries=corpus_entries())
def test_a_hostile_corpus_folder_loads_the_rest_and_names_what_it_skips(entries) -> None:
    """Whatever the folder holds, loading ends, every good file (and JSONL line with a fresh id)
    is a document, every bad file is named in a warning, the impostor and what lies outside the
    folder are never read, answers quote verbatim, and a warm start finds the same documents."""
    tally("examples")
    tally("corpus folders")
    tally("corpus entries", len(entries) + 1)
    with tempfile.TemporaryDirectory(prefix="citebot-fuzz-") as temporary, ExitStack() as sockets:
        base = Path(temporary)
        root, outside, cache = base / "corpus", base / "outside", base / "cache"
        root.mkdir()
        outside.mkdir()
        try:
            expected = build(root, outside, entries, sockets)
            engine, warnings = load_with_a_deadline(root, cache, expected.fifos)
            ids = {document.id for document in engine.documents}
            assert expected.documents <= ids, (sorted(expected.documents - ids), warnings)
            for name in expected.named_in_warnings:
                assert any(name in warning for warning in warnings), (name, warnings)
            assert not any(SECRET in engine.document(doc_id).text for doc_id in ids)
            assert "impostor" not in engine.document("sentinel.txt").text

            answer = engine.ask(SENTINEL_QUESTION)
            assert "sentinel.txt" in {source.id for source in answer.sources}
            for source in answer.sources:
                text = engine.document(source.id).text
                assert all(quote.text == text[quote.start : quote.end] for quote in source.quotes)

            warm, _ = load_with_a_deadline(root, cache, expected.fifos)
            assert {document.id for document in warm.documents} == ids
        finally:
            for child in base.iterdir():  # deep trees: shutil.rmtree would recurse too far
                if child.is_dir() and not child.is_symlink():
                    remove_tree(child)
