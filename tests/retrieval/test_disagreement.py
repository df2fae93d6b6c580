"""assess() through the real engine: the default corpus's disagreement, and its absence."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.disagreement import Assessment, assess, warm_up
from retrieval.documents import Document
from retrieval.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSPIRED = "ballerina-inspired-by-nth-room.md"
NOT_BASED = "ballerina-not-based-on-true-story.md"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.from_path(PROJECT_ROOT / "corpus", cache_dir=tmp_path_factory.mktemp("cache"))


def _assess(engine: Engine, question: str) -> tuple[Assessment, dict[str, list[str]]]:
    answer = engine.ask(question)
    documents = {document.id: document for document in engine.documents}
    shown = {source.id: [quote.text for quote in source.quotes] for source in answer.sources}
    return assess(question, answer.sources, documents), shown


def test_true_story_question_shows_the_two_articles_disagreeing(engine: Engine) -> None:
    """The issue's example: one article says Ballerina draws on the real "Nth Room Case",
    the other that it is not based on real-life events; the conflict quotes exactly those
    shown words, and the stances say which side each takes."""
    assessment, shown = _assess(engine, "Is Ballerina based on a true story?")
    assert assessment.claim == "Ballerina is based on a true story"
    assert assessment.disagreement is True
    stance_of = dict(zip(shown, assessment.stances, strict=True))
    assert stance_of == {INSPIRED: "supports", NOT_BASED: "refutes"}
    [conflict] = assessment.conflicts
    assert conflict.sources == (INSPIRED, NOT_BASED)
    assert conflict.reason == "one source supports the claim, the other refutes it"
    supporting, refuting = conflict.quotes
    assert supporting in shown[INSPIRED] and refuting in shown[NOT_BASED]
    assert "inspiration from real-life events" in supporting or "inspired by" in supporting
    assert "not based on real-life events" in refuting or "neither inspired by nor based on" in refuting


def test_question_both_articles_answer_alike_has_no_conflict(engine: Engine) -> None:
    """ "Who plays Choi Pro?": Kim Ji Hoon and Kim Ji-hoon are one actor, so no disagreement;
    an open question takes no side, so every source discusses it."""
    assessment, shown = _assess(engine, "Who plays Choi Pro?")
    assert len(shown) == 2
    assert assessment.disagreement is False
    assert assessment.conflicts == ()
    assert assessment.stances == ("discusses", "discusses")


def test_different_release_years_in_two_sources_are_a_conflict() -> None:
    """Two articles giving different years for the same premiere disagree, with the years as
    the reason and each article's own sentence as its quote."""
    documents = [
        Document(
            id="early",
            title="Festival report",
            text=(
                "The thriller Night Harbour premiered at the Busan festival in 2021. "
                "Critics praised its score."
            ),
        ),
        Document(
            id="late",
            title="Streaming guide",
            text="Night Harbour premiered at the Busan festival in 2022, before arriving on streaming.",
        ),
    ]
    engine = Engine.from_documents(documents)
    answer = engine.ask("When did Night Harbour premiere at the Busan festival?")
    assessment = assess(answer.question, answer.sources, {d.id: d for d in documents})
    assert assessment.disagreement is True
    [conflict] = assessment.conflicts
    assert set(conflict.sources) == {"early", "late"}
    assert "2021" in conflict.reason and "2022" in conflict.reason
    assert all("premiered" in quote for quote in conflict.quotes)


def test_no_sources_means_no_stances_and_no_disagreement() -> None:
    """Nothing cited: an empty, undisputed assessment that still carries the claim."""
    assessment = assess("Is Ballerina based on a true story?", [], {})
    assert assessment == Assessment("Ballerina is based on a true story", (), False, ())


def test_assess_is_fast_once_documents_are_warm(engine: Engine) -> None:
    """After warm_up (done once at load), judging a two-source answer takes well under a
    millisecond at the median (generous bound here: shared test machines are noisy)."""
    answer = engine.ask("Is Ballerina based on a true story?")
    documents = {document.id: document for document in engine.documents}
    warm_up(engine.documents)
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        assess(answer.question, answer.sources, documents)
        timings.append(time.perf_counter() - started)
    assert np.median(timings) < 0.002
