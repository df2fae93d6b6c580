"""The held-out evaluation sets (bench/data/) and the new-user trial fixtures (tests/data/) are
what they claim: every file parses, and every expected answer or quote occurs verbatim in its
document as citebot's loader reads it. The engine is never run on them here."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import pytest

from bench import evalsets
from tests.retrieval.judging.test_film_club_questions import QUESTIONS

REPORTED_QUOTES = Path(__file__).resolve().parents[1] / "retrieval" / "judging" / "test_reported_quotes.py"


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_the_newsroom_set_holds_its_quotes_and_its_outlets_contradict_without_not() -> None:
    assert evalsets.check_newsroom() == []
    stories = evalsets.newsroom_stories()
    assert len(stories) >= 10
    kinds = [story["kind"] for story in stories]
    assert kinds.count("disagree") == kinds.count("agree")


@pytest.mark.parametrize("folder", [evalsets.TRIAL_NEWS, evalsets.TRIAL_DEBIAN], ids=["news", "debian"])
def test_the_trial_cases_name_real_documents_and_quotes(folder: Path) -> None:
    assert evalsets.check_trial(folder) == []


def test_the_trial_articles_reproduce_the_sentences_the_issues_quote() -> None:
    """Issues 17 and 22 quote these words from the six articles; the fixtures hold them verbatim."""
    articles = (evalsets.TRIAL_NEWS / "articles").glob("*.md")
    texts = " ".join(path.read_text(encoding="utf-8") for path in articles)
    for quoted in (
        "opened to traffic only in March 2021",
        "Contrary to earlier reports of a 2019 opening",
        "delayed the project by almost two years",
        "on schedule",
        "$48 million",
        "$61 million",
        "1.2 kilometres",
        "twice as long",
        "found no evidence that Zelotrin, Pellan Pharma's daily pill, reduces migraine attacks",
    ):
        assert quoted in texts, quoted


def test_the_conflict_pairs_hold_their_answers_and_half_of_them_conflict() -> None:
    assert evalsets.check_conflicts() == []


def test_the_film_club_questions_are_new_and_their_answers_are_quotable() -> None:
    known = [question for question, *_ in QUESTIONS] + sorted(_string_constants(REPORTED_QUOTES))
    assert evalsets.check_film_club(known) == []
    cases = evalsets.film_club_questions()
    assert sum(case.answerable for case in cases) >= 15 and not all(case.answerable for case in cases)


def test_the_claims_are_statements_of_their_questions() -> None:
    assert evalsets.check_claims() == []
    assert len(evalsets.claim_cases()) >= 80


def test_the_documentation_set_is_well_formed() -> None:
    assert evalsets.check_docs_schema() == []
    questions = evalsets.docs_questions()
    assert sum(q.answerable for q in questions) >= 60 and sum(not q.answerable for q in questions) >= 20


def test_the_documentation_answers_occur_in_the_pages_as_extracted() -> None:
    """Needs the Debian packages the set was written against (see bench/data/README.md);
    only the pages the questions name are built and read."""
    versions = evalsets.installed_docs_versions()
    if versions != evalsets.DOCS_PACKAGES:
        needed = "apt-get install postgresql-doc-15 git-doc"
        pytest.skip(f"needs {evalsets.DOCS_PACKAGES} ({needed}); found {versions}")
    pages = {page for q in evalsets.docs_questions() for page in q.pages + q.near_pages}
    with tempfile.TemporaryDirectory() as folder:
        corpus = evalsets.build_docs_corpus(Path(folder), only=pages)
        assert evalsets.check_docs(corpus) == []
