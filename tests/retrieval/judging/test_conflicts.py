"""Conflicts between quotes: numbers, names, and what must not count as a conflict."""

from __future__ import annotations

import pytest

from retrieval.judging.conflicts import (
    STANCE_REASON,
    QuotedSource,
    name_conflicts,
    number_conflicts,
    number_mentions,
    same_name,
    stance_conflict,
)

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
    sources = [
        QuotedSource("inspired", (INSPIRED_CHOI_PRO,)),
        QuotedSource("not-based", (NOT_BASED_CHOI_PRO,)),
    ]
    assert name_conflicts("Who plays Choi Pro?", "who", sources) == []


def test_different_actor_for_the_same_role_is_a_conflict() -> None:
    """Two sources naming different people for one role conflict, quoting both sentences."""
    other = "Park Hyung-sik was cast as Choi Pro, the film's villain."
    sources = [QuotedSource("inspired", (INSPIRED_CHOI_PRO,)), QuotedSource("other", (other,))]
    [conflict] = name_conflicts("Who plays Choi Pro?", "who", sources)
    assert conflict.sources == ("inspired", "other")
    assert conflict.quotes == (INSPIRED_CHOI_PRO, other)
    assert "Kim Ji Hoon" in conflict.reason and "Park Hyung-sik" in conflict.reason


def test_names_away_from_the_questions_subject_are_ignored() -> None:
    """A name in a sentence that does not mention the question's subject is no answer to it."""
    unrelated = "Park Yoo Rim plays Choi Min Hee, Jang Ok Ju's childhood friend (Netflix)"
    sources = [QuotedSource("inspired", (unrelated,)), QuotedSource("not-based", (NOT_BASED_CHOI_PRO,))]
    assert name_conflicts("Who plays Choi Pro?", "who", sources) == []


def test_name_conflicts_only_for_who_and_which_questions() -> None:
    """A yes/no claim has no name slot to disagree on."""
    sources = [
        QuotedSource("a", ("Park Hyung-sik plays Choi Pro.",)),
        QuotedSource("b", (INSPIRED_CHOI_PRO,)),
    ]
    assert name_conflicts("Does Kim Ji-hoon play Choi Pro?", None, sources) == []


def test_different_years_for_the_same_event_conflict() -> None:
    """Two sources dating the same announcement to different years conflict; the reason says so."""
    other = "Lee Chung-hyun and Jun Jong-seo announced their romance to the public in 2022."
    sources = [QuotedSource("tvacute", (ROMANCE,)), QuotedSource("other", (other,))]
    [conflict] = number_conflicts(sources)
    assert conflict.quotes == (ROMANCE, other)
    assert "years" in conflict.reason and "2021" in conflict.reason and "2022" in conflict.reason


def test_same_year_or_years_of_different_things_do_not_conflict() -> None:
    """The same year agrees; a year of the pair's first film is not the year of their romance."""
    same = "Their romance was made public in 2021."
    other_thing = "Ballerina was released on Netflix in 2023."
    assert number_conflicts([QuotedSource("a", (ROMANCE,)), QuotedSource("b", (same,))]) == []
    assert number_conflicts([QuotedSource("a", (ROMANCE,)), QuotedSource("b", (other_thing,))]) == []


def test_different_amounts_of_money_conflict_but_ranges_that_overlap_do_not() -> None:
    """$5 million vs $8 million budgets conflict; "about $5 million" vs $5.2 million, or
    "more than $10 million" vs $12 million, can both be true."""

    def conflicts(first: str, second: str) -> list:
        return number_conflicts([QuotedSource("a", (first,)), QuotedSource("b", (second,))])

    assert conflicts("The film's budget was $5 million.", "Its budget was $8 million.")
    assert not conflicts("The film's budget was about $5 million.", "Its budget was $5.2 million.")
    assert not conflicts("The film grossed more than $10 million.", "The film grossed $12 million.")


def test_quotes_of_one_source_never_conflict_with_each_other() -> None:
    """An article that gives two different years gives them for different things or updates itself;
    a conflict is always between two sources."""
    one = QuotedSource("same", ("It premiered in 2022.", "It premiered in 2023."))
    assert number_conflicts([one]) == []


def test_number_mentions_know_kinds_and_qualifiers() -> None:
    """Years, money, percentages and counts are told apart; "about" widens to a range."""
    kinds = {
        m.kind for m in number_mentions("In 2023 it cost $5.2 million, 40% more, for about 300 screens.")
    }
    assert kinds == {"year", "money:dollar", "percent", "count:screen"}
    [approx] = [m for m in number_mentions("about 300 screens") if m.kind == "count:screen"]
    assert approx.low < 300 < approx.high


def test_stance_conflict_carries_both_quotes_and_the_reason() -> None:
    """A supports/refutes pair becomes a conflict with the shown quotes and a plain reason."""
    supporting = QuotedSource(
        "inspired", ("The gripping plot of Ballerina is inspired by the shocking Nth Room Case.",)
    )
    refuting = QuotedSource("not-based", ("It is neither inspired by nor based on true events.",))
    conflict = stance_conflict(supporting, supporting.quotes[0], refuting, refuting.quotes[0])
    assert conflict.sources == ("inspired", "not-based")
    assert conflict.reason == STANCE_REASON == "one source supports the claim, the other refutes it"


def test_round_numbers_and_decades_cover_the_exact_values_they_round() -> None:
    """ "a $2,000 tip" and "a tip of $2,084" can both be true, as can "the 1970s" and 1974;
    27 and 28 bundles cannot."""

    def conflicts(first: str, second: str) -> list:
        return number_conflicts([QuotedSource("a", (first,)), QuotedSource("b", (second,))])

    assert not conflicts("The driver received a $2,000 tip.", "The driver received a tip of $2,084.")
    assert not conflicts("The Lego letter dates from the 1970s.", "The Lego letter dates from 1974.")
    assert conflicts("Planes dropped 27 bundles of supplies.", "Planes dropped 28 bundles of supplies.")


def test_a_value_the_other_source_also_gives_is_not_disputed() -> None:
    """Prices for two models ($500 steel, $5,000 gold) against "gold at $5,000": no conflict,
    though $500 differs from $5,000."""
    both = "The steel watch will cost $500 and the gold watch will cost $5,000."
    gold = "The gold watch will cost $5,000."
    assert number_conflicts([QuotedSource("a", (both,)), QuotedSource("b", (gold,))]) == []


def test_subject_opening_the_sentence_still_counts_as_mentioned() -> None:
    """ "Ballerina was directed by …": the question's subject is the sentence's first word (which
    a name finder skips when it stands alone); two different directors still conflict."""
    sources = [
        QuotedSource("a", ("Ballerina was directed by Lee Chung-hyun.",)),
        QuotedSource("b", ("Ballerina was directed by Bong Joon-ho.",)),
    ]
    [conflict] = name_conflicts("Who directed Ballerina?", "who", sources)
    assert "Lee Chung-hyun" in conflict.reason and "Bong Joon-ho" in conflict.reason
    same = [sources[0], QuotedSource("c", ("Ballerina was directed by Lee Chunghyun.",))]
    assert name_conflicts("Who directed Ballerina?", "who", same) == []
