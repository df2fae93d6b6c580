"""Claim extraction: a question → the statement whose truth the sources are judged on."""

from __future__ import annotations

import pytest

from retrieval.judging.claims import extract_claim


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


def test_do_support_moves_behind_the_subject_and_nothing_is_reinflected() -> None:
    """ "Does X depict" → "X does depict": the claim keeps the question's own words and
    spelling, never a re-inflected verb such as "commited"."""
    assert extract_claim("Does Ballerina depict real events?").text == "Ballerina does depict real events"
    assert extract_claim("Did Lee Chung-hyun direct Ballerina?").text == "Lee Chung-hyun did direct Ballerina"
    assert extract_claim("Did Min-hee commit suicide?").text == "Min-hee did commit suicide"


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


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Did real events inspire Ballerina?", "Real events did inspire Ballerina"),
        ("Didn't the Nth Room case inspire Ballerina?", "The Nth Room case did inspire Ballerina"),
        ("Did the film's director write the script?", "The film's director did write the script"),
        ("Did the real story of Ok-ju inspire the film?", "The real story of Ok-ju did inspire the film"),
        ("Did the events really happen?", "The events really did happen"),
        ("Did Jun Jong-seo star in Ballerina?", "Jun Jong-seo did star in Ballerina"),
        ("Does tea help you sleep?", "Tea does help you sleep"),
        ("Does the film's ending leave them hopeful?", "The film's ending does leave them hopeful"),
    ],
)
def test_do_support_finds_the_verb_after_a_many_word_subject(question: str, expected: str) -> None:
    """The verb follows the whole subject, lower-case words included ("real events", "the
    Nth Room case"), and comes before an object pronoun ("help you"); "Didn't X …?" asks
    whether X did, so the claim is positive."""
    claim = extract_claim(question)
    assert (claim.text, claim.kind) == (expected, "yes_no")


def test_all_capitals_question_reads_like_the_lower_case_one() -> None:
    """Capitals mark no names in a shouted question: the copula still lands before "based"."""
    claim = extract_claim("IS BALLERINA BASED ON A TRUE STORY?")
    assert claim.text == "BALLERINA IS BASED ON A TRUE STORY"  # as typed: the claim keeps its spelling
    assert claim.kind == "yes_no"
    assert extract_claim("DID REAL EVENTS INSPIRE BALLERINA?").text == "REAL EVENTS DID INSPIRE BALLERINA"


def test_either_or_question_is_open() -> None:
    """ "Is X real or fake?" asks which, asserting neither; "… or not?" is a plain yes/no question."""
    claim = extract_claim("Is Ballerina real or fake?")
    assert claim.is_open
    assert claim.text == "Is Ballerina real or fake?"
    assert (
        extract_claim("Is Ballerina based on a true story or not?").text
        == "Ballerina is based on a true story"
    )


@pytest.mark.parametrize(
    "query",
    [
        "Ballerina",
        "true story",
        "Ballerina true story?",
        "Tell me about Ballerina",
        "What about Ballerina?",
        "info on Ballerina",
        "Can you tell me about Ballerina?",
        "Ballerina cast",
    ],
)
def test_keyword_queries_and_requests_are_open(query: str) -> None:
    """A bare noun phrase or a request asserts nothing: no source can support or refute it."""
    assert extract_claim(query).is_open


def test_request_about_whether_asks_about_the_embedded_claim() -> None:
    """ "Tell me whether X" asks about X."""
    claim = extract_claim("Tell me whether Ballerina is based on a true story")
    assert (claim.text, claim.kind) == ("Ballerina is based on a true story", "yes_no")


def test_statements_with_a_verb_stay_claims() -> None:
    """Only verbless text is a topic: statements keep being judged as written."""
    for statement in ["Dogs eat chocolate", "The sequel exists", "Ballerina depicts real events"]:
        assert extract_claim(statement).kind == "statement"


def test_contractions_in_questions_and_statements() -> None:
    """ "Isn't X …?" asks about the positive claim; "X isn't …" is a negated claim, kept as written."""
    question = extract_claim("Isn't Ballerina based on a true story?")
    assert (question.text, question.kind) == ("Ballerina is based on a true story", "yes_no")
    statement = extract_claim("Ballerina isn't based on a true story")
    assert (statement.text, statement.kind) == ("Ballerina isn't based on a true story", "statement")


def test_contracted_negation_is_judged_like_is_not() -> None:
    """ "X isn't Y" negates the claim just as "X is not Y" does (every stance flips)."""
    from retrieval.judging.stance.explicit import claim_terms

    weights = {"ballerina": 1.0, "base": 1.0, "true": 1.0, "stori": 1.0}
    contracted = claim_terms(extract_claim("Ballerina isn't based on a true story").text, weights)
    spelt_out = claim_terms(extract_claim("Ballerina is not based on a true story").text, weights)
    positive = claim_terms(extract_claim("Isn't Ballerina based on a true story?").text, weights)
    assert contracted.negated and spelt_out.negated and not positive.negated
    assert (contracted.subject, contracted.predicate) == (spelt_out.subject, spelt_out.predicate)


@pytest.mark.parametrize(
    ("question", "wh_word"),
    [
        ("In which city was Ballerina filmed?", "which"),
        ("For how long had the pair worked together?", "how long"),
        ("To whom did Min-hee write her letter?", "whom"),
        ("Up to what age did Ok-ju train?", "what"),
        ("In Ballerina, who plays Ok-ju?", "who"),
        ("Super Bowl 50 decided the NFL champion for what season?", "what"),
        ("The Broncos beat which team in the AFC Championship?", "which"),
        ("X.25 uses what type of network", "what"),
    ],
)
def test_a_wh_question_is_never_a_claim(question: str, wh_word: str) -> None:
    """A question word after a preposition, after a fronted phrase or inside the question
    asks for an answer: the question is open, and its question word is kept for conflicts."""
    claim = extract_claim(question)
    assert (claim.kind, claim.wh_word) == ("open", wh_word)


def test_a_question_ending_in_a_blank_is_open() -> None:
    """ "The name of the NFL championship game is?" waits for an answer; it asserts nothing."""
    assert extract_claim("The name of the NFL championship game is?").is_open


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("In Ballerina, is Ok-ju a bodyguard?", "In Ballerina, Ok-ju is a bodyguard"),
        (
            "According to the article, did Lee Chung-hyun direct Ballerina?",
            "According to the article, Lee Chung-hyun did direct Ballerina",
        ),
        ("In the film, was Min-hee murdered?", "In the film, Min-hee was murdered"),
    ],
)
def test_a_yes_no_question_after_a_fronted_phrase_is_a_claim(question: str, expected: str) -> None:
    """The fronted phrase stays in front; the question after it is read as usual."""
    claim = extract_claim(question)
    assert (claim.text, claim.kind) == (expected, "yes_no")


def test_a_relative_clause_after_the_subject_is_no_question() -> None:
    """ ", which is on Netflix," describes the subject: the statement stays a claim."""
    claim = extract_claim("Ballerina, which is on Netflix, is based on a true story?")
    assert claim.kind == "statement"
    assert claim.text == "Ballerina, which is on Netflix, is based on a true story"
