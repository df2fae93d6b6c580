"""assess() through the real engine: the default corpus's disagreement, and its absence.

Outcomes are checked as the user sees them: the stance of each source, the disagreement
flag, and the words of the conflicting quotes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answer import Answer
from retrieval.corpus.documents import Document
from retrieval.engine import Engine
from retrieval.judging.disagreement import Assessment, assess
from tests.conftest import TRUE_STORY_PHRASINGS

PROJECT_ROOT = Path(__file__).resolve().parents[3]
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


def _texts(conflict) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return tuple(quote.text for quote in conflict.quotes)  # type: ignore[return-value]


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
    supporting, refuting = _texts(conflict)
    assert supporting in shown[INSPIRED] and refuting in shown[NOT_BASED]
    assert "inspiration from real-life events" in supporting or "inspired by" in supporting
    assert "not based on real-life events" in refuting or "neither inspired by nor based on" in refuting


def test_question_both_articles_answer_alike_has_no_conflict(engine: Engine) -> None:
    """ "Who plays Choi Pro?": an open question takes no side, so every source discusses it, and
    nothing the two articles show conflicts. (Their shown quotes need not hold both spellings
    of the actor's name: the name-variant check is exercised end to end with inline documents
    below.)"""
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
    assert all("premiered" in quote.text for quote in conflict.quotes)


def test_no_sources_means_no_stances_and_no_disagreement() -> None:
    """Nothing cited: an empty, undisputed assessment that still carries the claim."""
    assessment = assess("Is Ballerina based on a true story?", [], {})
    assert assessment == Assessment("Ballerina is based on a true story", (), False, (), (), "yes_no")


# ------------------------------------------------------------------ phrasings of one question

STATES_INSPIRED = ("inspiration from real-life events", "inspired by", "Inspired by Real-Life")
STATES_NOT_BASED = ("not based on real-life events", "neither inspired by nor based on")


def _ask(engine: Engine, question: str) -> tuple[Answer, dict[str, str]]:
    answer = engine.ask(question)
    return answer, {source.id: source.stance for source in answer.sources}


def _stance_conflict(answer: Answer) -> tuple[str, str]:
    """The quotes (supporting, refuting) of the answer's one stance conflict, each checked to
    be one of its source's shown quotes."""
    [conflict] = [c for c in answer.conflicts if "support" in c.reason]
    shown = {source.id: source.quotes for source in answer.sources}
    for source_id, quote in zip(conflict.sources, conflict.quotes, strict=True):
        assert quote in shown[source_id]
    return _texts(conflict)


@pytest.mark.parametrize("question", TRUE_STORY_PHRASINGS)
def test_every_phrasing_of_the_true_story_question_shows_the_disagreement(
    engine: Engine, question: str
) -> None:
    """However the question is put, the Nth Room article supports it and TV Acute refutes it,
    and the conflict quotes the words that say so (never "whether or not they are inspired")."""
    answer, stance_of = _ask(engine, question)
    assert stance_of == {INSPIRED: "supports", NOT_BASED: "refutes"}
    assert answer.disagreement is True
    supporting, refuting = _stance_conflict(answer)
    assert any(words in supporting for words in STATES_INSPIRED)
    assert any(words in refuting for words in STATES_NOT_BASED)
    assert "whether" not in refuting


def test_negated_claim_flips_both_stances(engine: Engine) -> None:
    """ "Ballerina is not based on a true story": TV Acute supports it, the Nth Room article
    refutes it, and that is still a disagreement."""
    answer, stance_of = _ask(engine, "Ballerina is not based on a true story")
    assert answer.claim == "Ballerina is not based on a true story"
    assert stance_of == {INSPIRED: "refutes", NOT_BASED: "supports"}
    assert answer.disagreement is True
    supporting, refuting = _stance_conflict(answer)
    assert any(words in supporting for words in STATES_NOT_BASED)
    assert any(words in refuting for words in STATES_INSPIRED)


def test_not_only_is_no_negation(engine: Engine) -> None:
    """ "Choi Pro is not only involved in sex trafficking but also …" states that he is; TV
    Acute names him a leader of drug trafficking, which neither says nor denies it."""
    answer, stance_of = _ask(engine, "Is Choi Pro a sex trafficker?")
    assert stance_of[INSPIRED] == "supports"
    assert stance_of[NOT_BASED] == "discusses"
    assert answer.disagreement is False


def test_not_only_but_also_drugs_does_not_refute_that_choi_pro_deals_drugs(engine: Engine) -> None:
    """ "Choi Pro is not only involved in sex trafficking but also drugs young girls" denies
    nothing: no source refutes "Is Choi Pro a drug dealer?", so no banner."""
    answer, stance_of = _ask(engine, "Is Choi Pro a drug dealer?")
    assert answer.sources
    assert "refutes" not in stance_of.values()
    assert answer.disagreement is False


def test_took_her_own_life_never_supports_that_min_hee_was_murdered(engine: Engine) -> None:
    """The Nth Room article says Min-hee "takes her own life": it does not support "Was
    Min-hee murdered?", so the two articles are never both shown supporting it; a banner
    only if one supports and the other refutes."""
    answer, stance_of = _ask(engine, "Was Min-hee murdered?")
    assert INSPIRED in stance_of
    assert stance_of[INSPIRED] != "supports"
    assert list(stance_of.values()).count("supports") < 2
    assert answer.disagreement == ({"supports", "refutes"} <= set(stance_of.values()))


def test_true_story_disagreement_is_said_first_with_both_quotes_side_by_side(engine: Engine) -> None:
    """What `citebot ask` prints: the banner right after the question, then the supporting and
    the refuting quote one after the other, each with its source's number."""
    from bot.render_text import render_answer

    answer = engine.ask("Is Ballerina based on a true story?")
    body = render_answer(answer).split("\n", 2)[2]
    banner = body.split("\n\n")[0]
    assert banner.startswith("THE SOURCES DISAGREE.")
    numbers = {source.id: n for n, source in enumerate(answer.sources, start=1)}
    supporting, refuting = _stance_conflict(answer)
    flat = " ".join(banner.split())
    assert f"[{numbers[INSPIRED]}] >" in banner and f"[{numbers[NOT_BASED]}] >" in banner
    for quote in (supporting, refuting):
        assert " ".join(quote.split())[:60] in flat


def test_a_fiction_cue_next_to_the_claims_words_does_not_refute_it(engine: Engine) -> None:
    """ "this fictitious technique … delve into themes of … human trafficking" is about human
    trafficking: the cue word "fictitious" does not make it a refutation."""
    answer, stance_of = _ask(engine, "Ballerina is about human trafficking")
    assert stance_of[NOT_BASED] == "supports"
    assert "refutes" not in stance_of.values()
    assert answer.disagreement is False


def test_a_stance_without_a_conflict_is_not_shown_against_one_that_states_the_opposite(
    engine: Engine,
) -> None:
    """ "Ballerina is fiction": TV Acute says "The film is a work of fiction"; the Nth Room
    article says nothing to the contrary in words, so it is not shown refuting the claim
    (a support and a refutation side by side would be a conflict)."""
    answer, stance_of = _ask(engine, "Ballerina is fiction")
    assert stance_of == {NOT_BASED: "supports", INSPIRED: "discusses"}
    assert answer.disagreement is False


# --------------------------------------------------------------------------- inline documents


def _inline(question: str, *texts: str) -> Answer:
    documents = [Document(id=f"doc-{i}", title=f"Doc {i}", text=text) for i, text in enumerate(texts, 1)]
    return Engine.from_documents(documents).ask(question)


def test_plain_statement_and_its_negation_conflict() -> None:
    """ "The sky is green." against "The sky is not green.": one supports, one refutes, and
    that is a disagreement quoting both sentences."""
    answer = _inline("Is the sky green?", "The sky is green.", "The sky is not green.")
    assert {s.id: s.stance for s in answer.sources} == {"doc-1": "supports", "doc-2": "refutes"}
    assert answer.disagreement is True
    assert _stance_conflict(answer) == ("The sky is green.", "The sky is not green.")


def test_short_text_that_negates_the_claim_refutes_it() -> None:
    """A three-sentence text saying the tower "will not be demolished" refutes "Will the
    Eiffel Tower be demolished?", and conflicts with one saying it will be."""
    answer = _inline(
        "Will the Eiffel Tower be demolished?",
        "The Eiffel Tower will not be demolished. The city council voted to keep it. "
        "Officials said the tower is safe.",
        "The Eiffel Tower will be demolished next year. The city council voted for it. "
        "Officials said the tower is unsafe.",
    )
    assert {s.id: s.stance for s in answer.sources} == {"doc-1": "refutes", "doc-2": "supports"}
    supporting, refuting = _stance_conflict(answer)
    assert "will be demolished" in supporting and "will not be demolished" in refuting


def test_one_actor_spelled_two_ways_is_no_conflict_end_to_end() -> None:
    """ "Kim Ji-hoon" and "Kim Ji Hoon" are one actor: both sentences are shown, no conflict."""
    answer = _inline(
        "Who plays Choi Pro?", "Choi Pro is played by Kim Ji-hoon.", "Kim Ji Hoon plays Choi Pro."
    )
    shown = " ".join(quote.text for source in answer.sources for quote in source.quotes)
    assert "Kim Ji-hoon" in shown and "Kim Ji Hoon" in shown  # the variant check really ran
    assert answer.disagreement is False and answer.conflicts == ()


def test_different_actors_for_one_role_conflict_end_to_end() -> None:
    """Two different actors named for Choi Pro: a name conflict quoting both sentences."""
    answer = _inline(
        "Who plays Choi Pro?", "Choi Pro is played by Kim Ji-hoon.", "Park Hyung-sik plays Choi Pro."
    )
    assert answer.disagreement is True
    [conflict] = answer.conflicts
    assert set(_texts(conflict)) == {"Choi Pro is played by Kim Ji-hoon.", "Park Hyung-sik plays Choi Pro."}
    assert "Kim Ji-hoon" in conflict.reason and "Park Hyung-sik" in conflict.reason


def test_different_directors_conflict_when_the_subject_opens_the_sentence() -> None:
    """ "Ballerina was directed by …": the subject is the sentence's first word, and the two
    different directors are still a conflict."""
    answer = _inline(
        "Who directed Ballerina?",
        "Ballerina was directed by Lee Chung-hyun.",
        "Ballerina was directed by Bong Joon-ho.",
    )
    assert answer.disagreement is True
    [conflict] = answer.conflicts
    assert "Lee Chung-hyun" in conflict.reason and "Bong Joon-ho" in conflict.reason
