"""Claim extraction: a question → the statement whose truth the sources are judged on."""

from __future__ import annotations

import pytest

from retrieval.claims import extract_claim


def test_yes_no_question_becomes_the_statement_it_asks_about() -> None:
    """The issue's own example: the copula moves behind the subject, the "?" goes."""
    claim = extract_claim("Is Ballerina based on a true story?")
    assert claim.text == "Ballerina is based on a true story"
    assert claim.kind == "yes_no"
    assert not claim.is_open


def test_statement_is_its_own_claim() -> None:
    """A statement is judged as written (no inversion, no rewording)."""
    claim = extract_claim("Ballerina is based on a true story")
    assert claim.text == "Ballerina is based on a true story"
    assert claim.kind == "statement"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Is the 2023 film Ballerina based on a true story?",
            "The 2023 film Ballerina is based on a true story",
        ),
        ("Is Ballerina on Netflix?", "Ballerina is on Netflix"),
        ("Are the events in Ballerina real?", "The events in Ballerina are real"),
        ("Is the director of Ballerina married?", "The director of Ballerina is married"),
        ("Is Ballerina about human trafficking?", "Ballerina is about human trafficking"),
        ("Was Ballerina filmed in Seoul?", "Ballerina was filmed in Seoul"),
        ("Is Ballerina a true story?", "Ballerina is a true story"),
    ],
)
def test_copula_lands_between_subject_and_predicate(question: str, expected: str) -> None:
    """Subjects with determiners, years, names and "of" phrases stay whole; the predicate
    starts at a participle, article, preposition or trailing adjective."""
    assert extract_claim(question).text == expected


def test_do_support_is_folded_into_the_verb() -> None:
    """ "Does X depict" → "X depicts", "Did X direct" → "X directed"."""
    assert extract_claim("Does Ballerina depict real events?").text == "Ballerina depicts real events"
    assert extract_claim("Did Lee Chung-hyun direct Ballerina?").text == "Lee Chung-hyun directed Ballerina"


def test_modal_and_perfect_auxiliaries_move_behind_the_subject() -> None:
    """Modals go before the main verb; "has" before the participle."""
    assert extract_claim("Can dogs eat chocolate?").text == "Dogs can eat chocolate"
    assert extract_claim("Will the sequel be released in 2025?").text == "The sequel will be released in 2025"
    assert extract_claim("Has Ballerina won an award?").text == "Ballerina has won an award"


def test_negative_question_asks_about_the_positive_claim() -> None:
    """ "Isn't X inspired by real events?" presupposes and asks about "X is inspired …"."""
    assert (
        extract_claim("Isn’t Ballerina inspired by real events?").text
        == "Ballerina is inspired by real events"
    )


def test_is_it_true_that_unwraps_the_embedded_claim() -> None:
    """ "Is it true that X?" asks about X itself."""
    claim = extract_claim("Is it true that Ballerina is based on the Nth Room case?")
    assert claim.text == "Ballerina is based on the Nth Room case"
    assert claim.kind == "yes_no"


def test_open_question_is_kept_and_marked_open_with_its_question_word() -> None:
    """A who/how-many question asserts nothing: kept as asked, with the wh-word for conflicts."""
    who = extract_claim("Who plays Choi Pro?")
    assert (who.text, who.kind, who.wh_word) == ("Who plays Choi Pro?", "open", "who")
    assert extract_claim("How many people died?").wh_word == "how many"


def test_tag_question_reads_as_the_statement() -> None:
    """ "X, right?" is a statement asking for confirmation."""
    assert extract_claim("Ballerina is fiction, right?").text == "Ballerina is fiction"


def test_shouted_acronym_is_not_a_question_word() -> None:
    """ "WHO probing reports …" (the World Health Organization) is a statement, not "who …?"."""
    claim = extract_claim("WHO probing reports that fighters got Ebola")
    assert claim.kind == "statement"
