"""Answer kinds: what a question asks for, and what a sentence can answer with."""

from __future__ import annotations

import pytest

from retrieval.judging.answer_types import (
    SENTENCE_KINDS,
    has_new_name,
    inner_capitals,
    question_kind,
    question_tokens,
    sentence_kinds_without_names,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who plays the villain?", "who"),
        ("When was the film released?", "when"),
        ("In what year did they meet?", "when"),
        ("Where is it set?", "where"),
        ("In which city does it take place?", "where"),
        ("How many people saw it?", "quantity"),
        ("What percentage of critics liked it?", "quantity"),
        ("Why did she leave?", "why"),
        ("How does the story end?", "how"),
        ("What is the film about?", "what"),
        ("Is the film on Netflix?", "yes_no"),
        ("Ballerina is based on a true story", "yes_no"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    """The most specific kind wins: 'how many' is a quantity, 'what year' a time."""
    assert question_kind(question) == kind


def test_sentence_kinds_see_years_months_numbers_and_places() -> None:
    """Pattern kinds of one sentence; names are decided against the question."""
    kinds = dict(
        zip(SENTENCE_KINDS, sentence_kinds_without_names("It opened in Seoul on 3 May 2023."), strict=True)
    )
    assert kinds["year"] and kinds["month"] and kinds["number"] and kinds["place"]
    assert not kinds["name"] and not kinds["reason"]


def test_a_new_name_is_one_the_question_lacks() -> None:
    """A sentence naming Jeon Jong-seo names someone new to 'Who plays Ok-ju?', not to a
    question that names her already."""
    capitals = inner_capitals("The role went to Jeon Jong-seo as Ok-ju.")
    assert {"jeon", "jong", "seo", "ok", "ju"} <= capitals
    assert has_new_name(capitals, question_tokens("Who plays Ok-ju?"))
    assert not has_new_name(capitals, question_tokens("Did Jeon Jong-seo play Ok-ju?"))
