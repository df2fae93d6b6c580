"""The held-out evaluation sets in bench/data/ (and the new-user trial fixtures in tests/data/):
loaders, the documentation corpus builder, and the checks tests/bench/test_evalsets.py runs.

Nobody tunes on these sets: they measure citebot on text and domains no model was trained on.
The checks only prove that the data is what it says (every file parses, every expected answer
occurs verbatim in its document as citebot's loader reads it); they never run the engine.

    python bench/evalsets.py build-docs DEST   # the documentation corpus from the installed packages
    python bench/evalsets.py check [--docs]    # every check; --docs also the documentation set
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from retrieval.corpus import Document, DocumentError, document_from_json, load_documents  # noqa: E402

DATA = PROJECT / "bench" / "data"
TESTS_DATA = PROJECT / "tests" / "data"
DEFAULT_CORPUS = PROJECT / "corpus"

STANCES = frozenset({"supports", "refutes", "discusses", "unrelated"})
KINDS = frozenset({"open", "yes_no", "statement"})

# ---- the documentation corpus (issue 17 §4) ------------------------------------------------

# The Debian packages the documentation set was written against (bookworm), and where each of
# the corpus's two folders comes from. Only *.html is copied: git-doc also ships the AsciiDoc
# sources (*.txt) of the same pages, which would be read as duplicate documents.
DOCS_PACKAGES = {"postgresql-doc-15": "15.18-0+deb12u1", "git-doc": "1:2.39.5-0+deb12u3"}
DOCS_SOURCES = {
    "postgresql": Path("/usr/share/doc/postgresql-doc-15/html"),
    "git": Path("/usr/share/doc/git-doc"),
}
DOCS_METADATA = {
    "postgresql": (
        "base_url: https://www.postgresql.org/docs/15/\npublisher: The PostgreSQL Global Development Group\n"
    ),
    "git": (
        "base_url: https://mirrors.edge.kernel.org/pub/software/scm/git/docs/\npublisher: The Git Project\n"
    ),
}


def installed_docs_versions() -> dict[str, str | None]:
    """The installed version of each documentation package (None: not installed)."""
    versions: dict[str, str | None] = {}
    for package in DOCS_PACKAGES:
        try:
            run = subprocess.run(
                ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}${Version}", package],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError:
            versions[package] = None
            continue
        status, _, version = run.stdout.partition(" ")
        versions[package] = version.strip() if run.returncode == 0 and status.startswith("ii") else None
    return versions


def docs_pages() -> Iterator[tuple[str, Path]]:
    """(page id in the corpus, installed file) for every HTML page of both packages."""
    for folder, source in DOCS_SOURCES.items():
        for path in sorted(source.rglob("*.html")):
            yield f"{folder}/{path.relative_to(source).as_posix()}", path


def build_docs_corpus(destination: Path, only: Iterable[str] | None = None) -> Path:
    """Copy the installed pages into ``destination`` (``postgresql/…``, ``git/…``) with a
    citebot.yaml per folder; ``only`` limits it to those page ids. Returns ``destination``."""
    wanted = None if only is None else set(only)
    for folder, metadata in DOCS_METADATA.items():
        (destination / folder).mkdir(parents=True, exist_ok=True)
        (destination / folder / "citebot.yaml").write_text(metadata, encoding="utf-8")
    for page, path in docs_pages():
        if wanted is None or page in wanted:
            target = destination / page
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return destination


# ---- records -----------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class DocsQuestion:
    id: str
    question: str
    answerable: bool
    pages: tuple[str, ...]  # page ids that answer it
    answers: tuple[str, ...]  # a correct quote holds at least one of these, verbatim
    absent_terms: tuple[str, ...] = ()  # unanswerable: words no page holds
    near_pages: tuple[str, ...] = ()  # unanswerable: pages sharing many of its words


def docs_questions() -> list[DocsQuestion]:
    return [
        DocsQuestion(
            id=r["id"],
            question=r["question"],
            answerable=r["answerable"],
            pages=tuple(r["pages"]),
            answers=tuple(r["answers"]),
            absent_terms=tuple(r.get("absent_terms", ())),
            near_pages=tuple(r.get("near_pages", ())),
        )
        for r in read_jsonl(DATA / "docs_qa.jsonl")
    ]


Stance = str | list[str]  # one expected stance, or the stances that are all acceptable


@dataclass(frozen=True)
class StanceCase:
    """A question or claim put to a folder of articles, with what each article should say."""

    id: str
    question: str
    kind: str  # open | yes_no | statement
    claim: str | None  # the statement a yes/no question or statement is judged against
    stances: Mapping[str, Stance]  # yes_no/statement: document id -> expected stance
    quotes: Mapping[str, list[str]]  # document id -> one of these is in its quotes
    answers: Mapping[str, list[str]]  # open: document id -> its answer, verbatim
    cited: tuple[str, ...]  # open: documents that answer it
    banner: bool  # "the sources disagree" expected
    record: Mapping[str, Any]


def _stance_case(r: dict[str, Any]) -> StanceCase:
    return StanceCase(
        id=r["id"],
        question=r["question"],
        kind=r["kind"],
        claim=r.get("claim"),
        stances=r.get("stances", {}),
        quotes=r.get("quotes", {}),
        answers=r.get("answers", {}),
        cited=tuple(r.get("cited", ())),
        banner=r["banner"],
        record=r,
    )


NEWSROOM = DATA / "newsroom"
NEWSROOM_ARTICLES = NEWSROOM / "articles"
TRIAL_NEWS = TESTS_DATA / "news"
TRIAL_DEBIAN = TESTS_DATA / "debian"


def newsroom_questions() -> list[StanceCase]:
    return [_stance_case(r) for r in read_jsonl(NEWSROOM / "questions.jsonl")]


def newsroom_stories() -> list[dict[str, Any]]:
    return read_jsonl(NEWSROOM / "stories.jsonl")


def trial_cases(folder: Path) -> list[StanceCase]:
    """tests/data/news or tests/data/debian: its cases.jsonl (the corpus is the folder's
    articles/ or documents/ subfolder, see trial_corpus)."""
    return [_stance_case(r) for r in read_jsonl(folder / "cases.jsonl")]


def trial_corpus(folder: Path) -> Path:
    (corpus,) = [path for path in (folder / "articles", folder / "documents") if path.is_dir()]
    return corpus


@dataclass(frozen=True)
class ConflictPair:
    id: str
    question: str
    conflict: bool
    kind: str
    answers: Mapping[str, str]  # document id -> its answer, verbatim
    documents: tuple[dict[str, Any], ...]  # inline documents, as `citebot batch` takes them


def conflict_pairs() -> list[ConflictPair]:
    return [
        ConflictPair(r["id"], r["question"], r["conflict"], r["kind"], r["answers"], tuple(r["documents"]))
        for r in read_jsonl(DATA / "conflicts.jsonl")
    ]


@dataclass(frozen=True)
class FilmClubQuestion:
    id: str
    question: str
    answerable: bool
    source: str | None  # the document that must be cited; None: either
    answers: tuple[str, ...]


def film_club_questions() -> list[FilmClubQuestion]:
    return [
        FilmClubQuestion(r["id"], r["question"], r["answerable"], r["source"], tuple(r["answers"]))
        for r in read_jsonl(DATA / "film_club.jsonl")
    ]


@dataclass(frozen=True)
class ClaimCase:
    id: str
    question: str
    claim: str
    shape: str
    topic: str


def claim_cases() -> list[ClaimCase]:
    return [
        ClaimCase(r["id"], r["question"], r["claim"], r["shape"], r["topic"])
        for r in read_jsonl(DATA / "claims.jsonl")
    ]


# ---- checks: each returns the problems found (empty: all good) -------------------------------


def _documents(root: Path) -> dict[str, Document]:
    warnings: list[str] = []
    documents = {document.id: document for document in load_documents(root, warn=warnings.append)}
    if warnings:
        raise AssertionError(f"{root}: {warnings}")
    return documents


def _quotable(document: Document) -> str:
    return document.quotable_text


def _definite(stance: Stance) -> str | None:
    return stance if isinstance(stance, str) else None


def _stances_of(stance: Stance) -> list[str]:
    return [stance] if isinstance(stance, str) else list(stance)


def check_stance_cases(cases: list[StanceCase], documents: Mapping[str, Document]) -> list[str]:
    """Every named document exists; every quote and answer occurs in it; stances are known;
    a banner is expected exactly when one article surely supports and another surely refutes."""
    problems: list[str] = []
    seen: set[str] = set()
    for case in cases:
        where = case.id
        if case.id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(case.id)
        if case.kind not in KINDS:
            problems.append(f"{where}: kind {case.kind!r}")
        named = [*case.stances, *case.quotes, *case.answers, *case.cited]
        named += list(case.record.get("neighbours", ())) + list(case.record.get("may_cite", ()))
        named += list(case.record.get("not_cited", ())) + list(case.record.get("first_quote", {}))
        named += [name for pair in case.record.get("conflicts", ()) for name in pair]
        problems += [f"{where}: no document {name!r}" for name in named if name not in documents]
        for table in (case.quotes, case.answers, case.record.get("first_quote", {})):
            for name, texts in table.items():
                if name in documents:
                    problems += [
                        f"{where}: {text!r} is not in {name}"
                        for text in texts
                        if text not in _quotable(documents[name])
                    ]
        if case.kind == "open":
            if case.claim is not None or case.stances:
                problems.append(f"{where}: an open question has answers, not a claim or stances")
            if not case.answers:
                problems.append(f"{where}: no answers")
            continue
        if not case.claim or case.claim.endswith("?"):
            problems.append(f"{where}: claim {case.claim!r}")
        for name, stance in case.stances.items():
            if not set(_stances_of(stance)) <= STANCES:
                problems.append(f"{where}: stance {stance!r} of {name}")
        definite = [_definite(stance) for stance in case.stances.values()]
        disagree = "supports" in definite and "refutes" in definite
        if disagree != case.banner:
            problems.append(f"{where}: banner {case.banner} but the stances say {disagree}")
        for name in case.quotes:
            stance = case.stances.get(name, "unrelated")
            if stance == "unrelated":
                problems.append(f"{where}: a quote is expected from {name}, which is unrelated")
    return problems


NOT = re.compile(r"\bnot\b|n't\b", re.IGNORECASE)


def check_newsroom() -> list[str]:
    """Issue 22's newsroom set: 3–5 articles of 150–400 words per story from different outlets,
    each a markdown file with front matter; in a disagreeing story no article says 'not'."""
    documents = _documents(NEWSROOM_ARTICLES)
    problems = check_stance_cases(newsroom_questions(), documents)
    stories = {story["id"]: story for story in newsroom_stories()}
    for name, document in documents.items():
        words = len(document.text.split())
        if not 150 <= words <= 400:
            problems.append(f"{name}: {words} words")
        if not (document.publisher and document.url and document.date and document.title):
            problems.append(f"{name}: title, publisher, url and date are all needed")
        elif not document.url.startswith("https://example-outlet.test/"):
            problems.append(f"{name}: url {document.url}")
        folder = name.split("/")[0]
        if folder != "neighbours" and folder not in stories:
            problems.append(f"{name}: in no story")
    for story_id, story in stories.items():
        articles = [document for name, document in documents.items() if name.startswith(f"{story_id}/")]
        publishers = {document.publisher for document in articles}
        if not 3 <= len(articles) <= 5 or len(publishers) != len(articles):
            problems.append(f"{story_id}: {len(articles)} articles from {len(publishers)} outlets")
        if story["kind"] == "disagree":
            if story["contradicting"] not in documents:
                problems.append(f"{story_id}: contradicting article {story['contradicting']!r}")
            problems += [f"{d.id}: says 'not'" for d in articles if NOT.search(d.text)]
        questions = [case for case in newsroom_questions() if case.record["story"] == story_id]
        if not 2 <= len(questions) <= 4:
            problems.append(f"{story_id}: {len(questions)} questions")
        for case in questions:
            covered = set(case.stances) | set(case.cited)
            missing = {d.id for d in articles} - covered
            if missing:
                problems.append(f"{case.id}: no expected stance for {sorted(missing)}")
        if story["kind"] == "disagree" and not any(case.banner for case in questions):
            problems.append(f"{story_id}: a disagreeing story with no banner question")
        if story["kind"] == "agree" and any(case.banner for case in questions):
            problems.append(f"{story_id}: an agreeing story with a banner question")
    return problems


def check_trial(folder: Path) -> list[str]:
    """As check_stance_cases; a claim also names the stance of every document of the corpus."""
    documents = _documents(trial_corpus(folder))
    cases = trial_cases(folder)
    problems = check_stance_cases(cases, documents)
    for case in cases:
        if case.kind != "open" and set(case.stances) != set(documents):
            problems.append(f"{case.id}: stances for {sorted(case.stances)}, documents {sorted(documents)}")
        if case.kind == "open":
            listed = [*case.cited, *case.record.get("may_cite", ()), *case.record.get("not_cited", ())]
            if sorted(listed) != sorted(documents) and len(documents) > len(listed):
                problems.append(f"{case.id}: cited, may_cite and not_cited leave out documents")
    return problems


def check_conflicts() -> list[str]:
    """Each pair: two inline documents from different outlets that load as `citebot batch`
    loads them, each holding its answer verbatim; about half of the pairs conflict."""
    problems: list[str] = []
    pairs = conflict_pairs()
    for pair in pairs:
        if len(pair.documents) != 2 or len({d["publisher"] for d in pair.documents}) != 2:
            problems.append(f"{pair.id}: two documents from two outlets are needed")
        for record in pair.documents:
            try:
                document = document_from_json(record, path=None)
            except DocumentError as error:
                problems.append(f"{pair.id}: {record.get('id')}: {error}")
                continue
            answer = pair.answers.get(document.id)
            if answer is None or answer not in document.text:
                problems.append(f"{pair.id}: answer {answer!r} is not in {document.id}")
        if set(pair.answers) != {d["id"] for d in pair.documents}:
            problems.append(f"{pair.id}: answers name other documents")
    conflicting = sum(pair.conflict for pair in pairs)
    if len(pairs) < 30 or abs(2 * conflicting - len(pairs)) > len(pairs) // 5:
        problems.append(f"{len(pairs)} pairs, {conflicting} conflicting")
    if len({pair.id for pair in pairs}) != len(pairs):
        problems.append("duplicate pair ids")
    return problems


CAPTION = re.compile(r"\((Netflix|Google Images)\)\s*$")


def check_film_club(known_questions: Iterable[str]) -> list[str]:
    """New questions only (none of ``known_questions``), answers verbatim in the quotable text."""
    documents = _documents(DEFAULT_CORPUS)
    known = {question.casefold() for question in known_questions}
    problems: list[str] = []
    for case in film_club_questions():
        if case.question.casefold() in known:
            problems.append(f"{case.id}: already asked by a test: {case.question!r}")
        if case.answerable != bool(case.answers):
            problems.append(f"{case.id}: answerable is {case.answerable} with {len(case.answers)} answers")
        if case.source is not None and case.source not in documents:
            problems.append(f"{case.id}: no document {case.source!r}")
            continue
        pool = [documents[case.source]] if case.source else list(documents.values())
        for answer in case.answers:
            lines = [line for d in pool for line in _quotable(d).splitlines() if answer in line]
            if not lines:
                problems.append(f"{case.id}: {answer!r} is in no quotable text")
            elif all(CAPTION.search(line) for line in lines):
                problems.append(f"{case.id}: {answer!r} is only in a photo caption, which is never quoted")
    return problems


def check_claims() -> list[str]:
    problems: list[str] = []
    cases = claim_cases()
    for case in cases:
        if not case.question.endswith("?"):
            problems.append(f"{case.id}: {case.question!r} is no question")
        claim = case.claim
        if not claim or claim.endswith(("?", ".")) or claim != claim.strip() or "  " in claim:
            problems.append(f"{case.id}: claim {claim!r}")
        if claim.casefold() == case.question.rstrip("?").casefold():
            problems.append(f"{case.id}: the claim is the question")
        if NOT.search(claim):
            problems.append(f"{case.id}: a claim asks about the positive statement: {claim!r}")
    if len({case.id for case in cases}) != len(cases) or len({c.question for c in cases}) != len(cases):
        problems.append("duplicate ids or questions")
    return problems


def check_docs_schema() -> list[str]:
    """What can be checked without the packages: ids, fields, page ids under a corpus folder."""
    problems: list[str] = []
    questions = docs_questions()
    if len({q.id for q in questions}) != len(questions):
        problems.append("duplicate ids")
    for q in questions:
        pages = q.pages + q.near_pages
        problems += [f"{q.id}: page {p!r}" for p in pages if p.split("/")[0] not in DOCS_SOURCES]
        if q.answerable and not (q.pages and q.answers):
            problems.append(f"{q.id}: an answerable question needs pages and answers")
        if not q.answerable and (q.pages or q.answers):
            problems.append(f"{q.id}: an unanswerable question has no pages or answers")
    return problems


def check_docs(corpus: Path) -> list[str]:
    """Against a corpus built by build_docs_corpus (all pages, or at least the named ones):
    every answer occurs in its page's text as citebot extracts it, every page holds an answer,
    and no page of the installed packages (raw HTML) holds an unanswerable one's absent terms."""
    documents = _documents(corpus)
    problems = check_docs_schema()
    for q in docs_questions():
        for page in q.pages + q.near_pages:
            if page not in documents:
                problems.append(f"{q.id}: no page {page}")
        texts = {page: documents[page].text for page in q.pages if page in documents}
        problems += [
            f"{q.id}: {answer!r} is in none of {list(texts)}"
            for answer in q.answers
            if not any(answer in text for text in texts.values())
        ]
        problems += [
            f"{q.id}: {page} holds none of its answers"
            for page, text in texts.items()
            if not any(answer in text for answer in q.answers)
        ]
    absent = {
        term: re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
        for q in docs_questions()
        for term in q.absent_terms
    }
    for page, path in docs_pages():
        raw = path.read_text(encoding="utf-8", errors="replace")
        problems += [
            f"{term!r} occurs in {page}"
            for term, pattern in absent.items()
            if term in raw and pattern.search(raw)  # the substring test first: 10x faster
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-docs", help="copy the installed documentation pages into DEST")
    build.add_argument("destination", type=Path)
    check = commands.add_parser("check", help="check every set")
    check.add_argument("--docs", action="store_true", help="also the documentation set (builds a corpus)")
    arguments = parser.parse_args(argv)
    if arguments.command == "build-docs":
        print(build_docs_corpus(arguments.destination))
        return 0
    from tests.retrieval.judging.test_film_club_questions import QUESTIONS

    problems = check_newsroom() + check_trial(TRIAL_NEWS) + check_trial(TRIAL_DEBIAN)
    problems += check_conflicts() + check_film_club(q for q, *_ in QUESTIONS) + check_claims()
    problems += check_docs_schema()
    if arguments.docs:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            problems += check_docs(build_docs_corpus(Path(folder)))
    print("\n".join(problems) or "all sets check out")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
