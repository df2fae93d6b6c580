"""Conflicts between quotes: different answers to an open question, and what must not count."""

from __future__ import annotations

import pytest

from retrieval.answer import Quote
from retrieval.judging.conflicts import STANCE_REASON, QuotedSource, answer_conflicts, stance_conflict
from retrieval.judging.names import same_name
from retrieval.judging.numbers import number_mentions

# Real sentences from the two default-corpus articles.
INSPIRED_CHOI_PRO = 'Kim Ji Hoon from "Money Heist: Korea" as Choi Pro (Netflix)'
NOT_BASED_CHOI_PRO = (
    "Driven by sorrow, Ok-ju delves into the shadowy realm of drug trafficking and people smuggling, "
    "focusing on the vicious leader, Choi Pro (Kim Ji-hoon)."
)
ROMANCE = (
    "The pair, who had been working together since “The Call” in 2020, announced their romance to the "
    "public in 2021."
)


def source(source_id: str, *sentences: str, unquoted: str = "") -> QuotedSource:
    """A source whose document is its sentences (then ``unquoted`` text), each sentence a shown quote."""
    text = " ".join(sentences) + (" " + unquoted if unquoted else "")
    quotes, start = [], 0
    for sentence in sentences:
        start = text.index(sentence, start)
        quotes.append(Quote(sentence, start, start + len(sentence)))
    return QuotedSource(source_id, tuple(quotes), text)


def conflicts_between(question: str, first: str, second: str) -> list:
    return answer_conflicts(question, [source("a", first), source("b", second)])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Jun Jong-seo", "Jeon Jong-seo"),  # romanisation
        ("Kim Ji Hoon", "Kim Ji-hoon"),  # hyphen
        ("Ok-ju", "Ok Ju"),
        ("Ok-ju", "Jang Ok Ju"),  # given name alone
        ("Park Yoo Rim", "Park Yu-rim"),
        ("J. Smith", "John Smith"),  # initial
        ("Kim Jihoon", "Kim Ji-hoon"),  # run together
    ],
)
def test_spelling_variants_are_one_name(first: str, second: str) -> None:
    """Romanisations, hyphens, spacing, initials and partial names match each other."""
    assert same_name(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Kim Ji-hoon", "Park Yu-rim"), ("Lee Chung-hyun", "Kim Ji-hoon"), ("Bong Joon-ho", "Park Chan-wook")],
)
def test_different_people_are_different_names(first: str, second: str) -> None:
    """Different people's names do not match."""
    assert not same_name(first, second)


def test_same_actor_spelled_differently_is_not_a_conflict() -> None:
    """ "Who plays Choi Pro?": Kim Ji Hoon (one article) and Kim Ji-hoon (the other) agree."""
    assert conflicts_between("Who plays Choi Pro?", INSPIRED_CHOI_PRO, NOT_BASED_CHOI_PRO) == []


def test_different_actor_for_the_same_role_is_a_conflict() -> None:
    """Two sources naming different people for one role conflict, quoting both sentences with
    their offsets."""
    other = "Park Hyung-sik plays Choi Pro, the film's villain."
    [conflict] = conflicts_between("Who plays Choi Pro?", "Kim Ji Hoon plays Choi Pro.", other)
    assert conflict.sources == ("a", "b")
    assert [quote.text for quote in conflict.quotes] == ["Kim Ji Hoon plays Choi Pro.", other]
    assert conflict.quotes[1].start == 0 and conflict.quotes[1].end == len(other)
    assert "Kim Ji Hoon" in conflict.reason and "Park Hyung-sik" in conflict.reason


def test_names_away_from_the_questions_subject_are_ignored() -> None:
    """A name in a sentence that does not mention the question's subject is no answer to it."""
    unrelated = "Park Yoo Rim plays Choi Min Hee, Jang Ok Ju's childhood friend (Netflix)"
    assert conflicts_between("Who plays Choi Pro?", unrelated, "Park Hyung-sik plays Choi Pro.") == []


def test_a_sentence_naming_the_subject_but_not_what_is_asked_does_not_answer() -> None:
    """ "Who won Super Bowl 50?": a sentence about the halftime show of Super Bowl 50 names
    the subject but says nothing of who won, so its names are no answer (a SQuAD false alarm)."""
    halftime = "The Super Bowl 50 halftime show was headlined by the British rock group Coldplay."
    won = "The Denver Broncos won Super Bowl 50, beating the Carolina Panthers 24–10."
    assert conflicts_between("Who won Super Bowl 50?", halftime, won) == []
    assert conflicts_between("Who won Super Bowl 50?", won, "The Carolina Panthers won Super Bowl 50.") == []
    [conflict] = conflicts_between(
        "Which team won Super Bowl 50?",
        won.replace(", beating the Carolina Panthers 24–10", ""),
        "The Carolina Panthers won Super Bowl 50.",
    )
    assert "Denver Broncos" in conflict.reason and "Carolina Panthers" in conflict.reason


def test_no_conflicts_for_a_claim() -> None:
    """A yes/no claim has no answer slot to disagree on: its conflicts are stances."""
    assert (
        conflicts_between(
            "Does Kim Ji-hoon play Choi Pro?", "Park Hyung-sik plays Choi Pro.", INSPIRED_CHOI_PRO
        )
        == []
    )


ROMANCE_NAMED = (
    "Lee Chung-hyun and Jun Jong-seo, who had been working together since “The Call” in 2020, "
    "announced their romance to the public in 2021."
)
ROMANCE_QUESTION = "When did Lee Chung-hyun and Jun Jong-seo announce their romance?"


def test_different_years_for_the_same_event_conflict() -> None:
    """Two sources dating the same announcement to different years conflict; the reason gives
    the year of the announcement's own clause, not the year the pair started working together."""
    other = "Lee Chung-hyun and Jeon Jong-seo announced their romance in 2022."
    [conflict] = conflicts_between(ROMANCE_QUESTION, ROMANCE_NAMED, other)
    assert [quote.text for quote in conflict.quotes] == [ROMANCE_NAMED, other]
    assert "years" in conflict.reason and "2021" in conflict.reason and "2022" in conflict.reason


def test_same_year_or_years_of_different_things_do_not_conflict() -> None:
    """The same year agrees; a year of the film's release is not the year of the pair's romance."""
    same = "Lee Chung-hyun and Jun Jong-seo announced their romance in 2021."
    assert conflicts_between(ROMANCE_QUESTION, ROMANCE_NAMED, same) == []
    released = "Lee Chung-hyun and Jun Jong-seo released Ballerina on Netflix in 2023."
    assert conflicts_between(ROMANCE_QUESTION, ROMANCE_NAMED, released) == []


def test_a_question_naming_no_subject_ties_no_answers_together() -> None:
    """ "When did the pair announce their romance?" names no one: two sources' years may be
    about two different pairs, so they are not compared (precision first)."""
    other = "The pair announced their romance to the public in 2022."
    assert conflicts_between("When did the pair announce their romance to the public?", ROMANCE, other) == []


def test_a_longer_name_is_someone_else() -> None:
    """ "When did Tesla die?": "Milutin Tesla died in 1879" is about his father."""
    father = "On 17 April 1879, Milutin Tesla died at the age of 60."
    assert conflicts_between("In what year did Tesla die?", father, "Tesla died on 7 January 1943.") == []


def test_numbers_conflict_only_when_the_question_asks_for_that_quantity() -> None:
    """ "Which player was named MVP?" asks for a name: different yard counts in the two
    sentences are no conflict. "How many yards …?" asks for them."""
    first = "Von Miller was named MVP after a 28-yard run in Super Bowl 50."
    second = "Von Miller was named MVP after a 5-yard run in Super Bowl 50."
    assert conflicts_between("Which player was named MVP in Super Bowl 50?", first, second) == []
    [conflict] = conflicts_between(
        "How many yards was the run after which Von Miller was named MVP?", first, second
    )
    assert "28" in conflict.reason and "5" in conflict.reason


def test_counts_of_another_subject_or_unit_do_not_conflict() -> None:
    """ "How many people live in Fresno?": the Amazon's 5 million and Warsaw's 1,300,000 are
    about other places (the documentation false alarm of the issue)."""
    amazon = "The Amazon basin had some 5 million people in AD 1500."
    warsaw = "Warsaw had 1,300,000 people in 1939."
    assert conflicts_between("How many people live in Fresno?", amazon, warsaw) == []
    assert (
        conflicts_between(
            "How many people live in Fresno?", "Fresno has 500,000 people.", "Fresno has 40 parks."
        )
        == []
    )
    [conflict] = conflicts_between(
        "How many people live in Fresno?",
        "About 540,000 people live in Fresno.",
        "Some 2 million people live in Fresno.",
    )
    assert "numbers" in conflict.reason


def test_different_amounts_of_money_conflict_but_ranges_that_overlap_do_not() -> None:
    """$5 million vs $8 million conflict; "about $5 million" vs $5.2 million, or "more than
    $10 million" vs $12 million, can both be true."""
    question = "How much did Ballerina cost to make?"
    assert conflicts_between(
        question, "Ballerina cost $5 million to make.", "Ballerina cost $8 million to make."
    )
    assert not conflicts_between(
        question, "Ballerina cost about $5 million to make.", "Ballerina cost $5.2 million to make."
    )
    assert not conflicts_between(
        question, "Ballerina cost more than $10 million to make.", "Ballerina cost $12 million to make."
    )


def test_round_numbers_and_decades_cover_the_exact_values_they_round() -> None:
    """ "a $2,000 tip" and "a tip of $2,084" can both be true, as can "the 1970s" and 1974;
    27 and 28 bundles cannot."""
    assert not conflicts_between(
        "How much was the Uber driver paid as a tip?",
        "The Uber driver was paid a $2,000 tip.",
        "The Uber driver was paid a tip of $2,084.",
    )
    assert not conflicts_between(
        "When does the Lego letter date from?",
        "The Lego letter dates from the 1970s.",
        "The Lego letter dates from 1974.",
    )
    assert conflicts_between(
        "How many bundles did the planes drop on Mount Sinjar?",
        "Planes dropped 27 bundles of supplies on Mount Sinjar.",
        "Planes dropped 28 bundles of supplies on Mount Sinjar.",
    )


def test_a_value_the_other_source_also_gives_is_not_disputed() -> None:
    """ "gold at $5,000" against a source giving $500 for steel and $5,000 for gold somewhere
    in its text: no conflict, though $500 differs from $5,000."""
    question = "How much will the gold watch cost?"
    gold = "The gold watch will cost $5,000."
    both = source(
        "a", "The gold watch will cost $500, reports say.", unquoted="Others quote $5,000 for the gold watch."
    )
    assert answer_conflicts(question, [both, source("b", gold)]) == []


def test_quotes_of_one_source_never_conflict_with_each_other() -> None:
    """An article that gives two different years gives them for different things or updates itself;
    a conflict is always between two sources."""
    one = source("same", "Night Harbour premiered in 2022.", "Night Harbour premiered in 2023.")
    assert answer_conflicts("When did Night Harbour premiere?", [one, one]) == []


def test_number_mentions_know_kinds_and_qualifiers() -> None:
    """Years, money, percentages and counts are told apart; "about" widens to a range."""
    kinds = {
        m.kind for m in number_mentions("In 2023 it cost $5.2 million, 40% more, for about 300 screens.")
    }
    assert kinds == {"year", "money:dollar", "percent", "count:screen"}
    [approx] = [m for m in number_mentions("about 300 screens") if m.kind == "count:screen"]
    assert approx.low < 300 < approx.high


def test_stance_conflict_carries_both_quotes_and_the_reason() -> None:
    """A supports/refutes pair becomes a conflict with the quotes themselves and a plain reason."""
    supporting = Quote("The gripping plot of Ballerina is inspired by the shocking Nth Room Case.", 10, 83)
    refuting = Quote("It is neither inspired by nor based on true events.", 200, 252)
    conflict = stance_conflict("inspired", supporting, "not-based", refuting)
    assert conflict.sources == ("inspired", "not-based")
    assert conflict.quotes == (supporting, refuting)
    assert conflict.reason == STANCE_REASON == "one source supports the claim, the other refutes it"
    assert conflict.to_dict()["quotes"][1] == {
        "text": refuting.text,
        "start": 200,
        "end": 252,
        "cut_before": False,
        "cut_after": False,
    }


def test_subject_opening_the_sentence_still_counts_as_mentioned() -> None:
    """ "Ballerina was directed by …": the question's subject is the sentence's first word (which
    a name finder skips when it stands alone); two different directors still conflict."""
    question = "Who directed Ballerina?"
    [conflict] = conflicts_between(
        question, "Ballerina was directed by Lee Chung-hyun.", "Ballerina was directed by Bong Joon-ho."
    )
    assert "Lee Chung-hyun" in conflict.reason and "Bong Joon-ho" in conflict.reason
    assert (
        conflicts_between(
            question, "Ballerina was directed by Lee Chung-hyun.", "Ballerina was directed by Lee Chunghyun."
        )
        == []
    )
