"""Borrowing a thread's subject for follow-ups, and links that land on the quote (pure functions)."""

from __future__ import annotations

import pytest

from bot.followups import subject_of, understood_as
from bot.links import host, with_text_fragment
from bot.listing import Selection, TitleIndex, initial


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Is Ballerina based on a true story?", "Ballerina"),
        ("Who plays Choi Pro?", "Choi Pro"),
        ("Did Lee Chung-hyun direct Ballerina?", "Lee Chung-hyun"),
        ("Is the film based on real events?", "the film"),
        ("what is this about?", None),
    ],
)
def test_subject_of_the_first_question(question: str, subject: str | None) -> None:
    """The first name in the question, else the noun phrase after a yes/no question's auxiliary."""
    assert subject_of(question) == subject


@pytest.mark.parametrize(
    ("followup", "understood"),
    [
        ("Who directed it?", "Who directed Ballerina?"),
        ("When was it released?", "When was Ballerina released?"),
        ("What is its budget?", "What is Ballerina’s budget?"),
        ("Who stars in the movie?", "Who stars in Ballerina?"),
        ("Is it true that the film won awards?", "Is it true that Ballerina won awards?"),
        ("Who directed Parasite?", None),  # a subject of its own
        ("Who directed Ballerina?", None),  # already about it
    ],
)
def test_follow_ups_borrow_the_subject_only_when_they_lack_one(followup: str, understood: str | None) -> None:
    """A pronoun or "the movie" takes the first question's subject ("it" in "Is it true that" stays);
    a follow-up with a subject of its own, or already naming this one, is asked as it is."""
    assert understood_as(followup, "Is Ballerina based on a true story?") == understood


def test_text_fragment_names_the_quote_and_is_encoded() -> None:
    """Short quotes whole, long ones by their first and last words; '-', ',' and '&' encoded; a URL's
    own fragment kept; over the limit, the plain URL."""
    url = "https://example.com/a#section"
    short = with_text_fragment(url, ["Jeon Jong-seo, Park & co."], limit=400)
    assert short == "https://example.com/a#section:~:text=Jeon%20Jong%2Dseo%2C%20Park%20%26%20co."
    long_quote = "one two three four five six seven eight nine ten eleven twelve"
    assert with_text_fragment("https://e.com/", [long_quote], limit=400) == (
        "https://e.com/#:~:text=one%20two%20three%20four,nine%20ten%20eleven%20twelve"
    )
    assert with_text_fragment("https://e.com/", [long_quote], limit=20) == "https://e.com/"


def test_host_is_the_real_destination() -> None:
    """The host shown beside a link is where it leads: not the user part before "@", lower-cased, no port."""
    assert host("https://google.com@evil.example/path") == "evil.example"
    assert host("https://Example.ORG:8080/x") == "example.org"


def test_title_index_browses_by_initial_and_searches() -> None:
    """Initials ignore accents and leading punctuation; digits and other scripts have their own group."""
    titles = ["“Ballerina”", "ápple", "42 things", "발레리나", "banana", "Cherry"]
    index = TitleIndex([(f"d{n}", title) for n, title in enumerate(titles)])
    assert [initial(title) for title in titles] == ["b", "a", "#", "~", "b", "c"]
    assert list(index.numbers(Selection("i", "b"))) == [0, 4]  # title order: “ballerina” before banana
    assert list(index.numbers(Selection.from_filter("ANA"))) == [4]
    assert Selection.from_filter("c") == Selection("i", "c")
    assert index.groups() == ["#", "a", "b", "c", "~"]
