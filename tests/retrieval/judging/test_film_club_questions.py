"""Questions a film-club member would ask of the default corpus, in their own words: each
is answered, and one of the quotes shown holds the answer (not a sentence that merely
shares a word with the question)."""

from __future__ import annotations

import re

import pytest

from retrieval.engine import Engine

NOT_BASED = "ballerina-not-based-on-true-story.md"
INSPIRED = "ballerina-inspired-by-nth-room.md"
ANY = None

# (question, what the quote holding the answer says, the source that must show it)
QUESTIONS = [
    ("Who is the director of Ballerina?", r"director, Lee Chung-hyun", NOT_BASED),
    ("who made the film", r"director, Lee Chung-hyun", NOT_BASED),
    ("Who did the music for the movie?", r"Lee Seong-hwa|GRAY", NOT_BASED),
    ("What's GRAY's real name?", r"Lee Seong-hwa", NOT_BASED),
    ("Which real case inspired the movie?", r"Nth Room Case", INSPIRED),
    ("What was the Nth Room case about?", r"online chat room|sex-abuse scandal", INSPIRED),
    ("What does Ok-ju do for a living?", r"bodyguard|private security contractor", ANY),
    ("Who plays the lead in Ballerina?", r"Jeon Jong-seo|Jun Jong-seo", NOT_BASED),
    ("Which actress plays Min-hee?", r"Park Yu-rim|Park Yoo Rim", ANY),
    ("Who is the villain Ok-ju goes after?", r"Choi Pro", ANY),
    ("Who plays Choi Pro?", r"Kim Ji[- ][Hh]oon", ANY),
    ("What does Ok-ju use as cover against the robbers?", r"canned pineapples", NOT_BASED),
    ("What happens to Min-hee in the story?", r"takes her own life|commits herself", ANY),
    ("What did Min-hee's note ask Ok-ju to do?", r"seek revenge|exact revenge", ANY),
    ("What does Choi Pro do to the girls?", r"drugs young girls and blackmails them", INSPIRED),
    ("Is Ballerina on Netflix?", r"on Netflix", NOT_BASED),
    ("What kind of film is it?", r"action-thriller", NOT_BASED),
    ("In which city is the movie set?", r"Seoul", NOT_BASED),
    ("Are the director and the star dating?", r"announced their romance", NOT_BASED),
    ("What film did Lee Chung-hyun and Jun Jong-seo make before?", r"The Call", NOT_BASED),
    ("Was Min-hee a dancer?", r"a ballerina", NOT_BASED),
    ("How did Ok-ju and Min-hee know each other?", r"former classmate|childhood friend|best friend", ANY),
    (
        "Does the film tell a true story?",
        r"not based on real-life events|neither inspired by nor based on",
        NOT_BASED,
    ),
    ("Did a real scandal inspire Ballerina?", r"Nth Room", INSPIRED),
    ("Who wrote the soundtrack?", r"Lee Seong-hwa|GRAY", NOT_BASED),
    ("Who is Choi Pro?", r"sex trafficker|vicious leader", ANY),
    ("Where did the Nth Room scandal happen?", r"South Korea", INSPIRED),
    ("Who does Kim Ji-hoon play?", r"Choi Pro", NOT_BASED),
    ("Who directed Ballerina?", r"director, Lee Chung-hyun", NOT_BASED),
]

# Questions the models do not answer yet, and why (reported in issue 8's closing note). Each
# is a strict xfail: it fails the suite the day it passes, so that it is moved back above.
KNOWN_MISSES = {
    "Who directed Ballerina?": "sentences naming Ballerina outrank 'The director, Lee Chung-hyun'",
    "who made the film": "'made' matches nothing and 'film' is everywhere: the director sentence ranks low",
    "Who plays the lead in Ballerina?": "'plays' and 'lead' match nothing near \"Jeon Jong-seo's character\"",
    "What kind of film is it?": "'kind' matches nothing; 'action-thriller' is not tied to it",
    "In which city is the movie set?": "'set' matches 'on set'; 'underbelly of Seoul' holds no place pattern",
    "Are the director and the star dating?": "'dating' matches nothing; 'romance' is too far",
    "Does the film tell a true story?": "sentences on true stories outrank 'not based on real-life events'",
}


def _cases() -> list[object]:
    return [
        pytest.param(*case, id=case[0], marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[case[0]])])
        if case[0] in KNOWN_MISSES
        else pytest.param(*case, id=case[0])
        for case in QUESTIONS
    ]


@pytest.mark.parametrize(("question", "holds_the_answer", "source"), _cases())
def test_a_quote_holds_the_answer(
    default_engine: Engine, question: str, holds_the_answer: str, source: str | None
) -> None:
    """The answer cites the source and one of its quotes says the answer."""
    answer = default_engine.ask(question)
    assert answer.status == "answered", question
    shown = {s.id: [quote.text for quote in s.quotes] for s in answer.sources}
    if source is not None:
        assert source in shown, f"{question!r} did not cite {source}: {shown}"
    quotes = [text for s_id, texts in shown.items() if source in (None, s_id) for text in texts]
    assert any(re.search(holds_the_answer, text) for text in quotes), f"{question!r}: {shown}"


def test_a_sentence_that_refers_back_comes_with_the_one_it_names() -> None:
    """'The pair, who …' is quoted together with the sentence naming the pair, when both fit."""
    from retrieval.corpus.documents import Document

    text = (
        "The film was shot in Busan over a long winter. "
        "The lead actress met the director Kim Min-jae on the set of an earlier thriller. "
        "The pair announced their engagement in 2022. "
        "Critics praised the soundtrack."
    )
    engine = Engine.from_documents([Document(id="d", title="Set notes", text=text)])
    answer = engine.ask("When did they announce their engagement?")
    (source,) = answer.sources
    joined = " ".join(quote.text for quote in source.quotes)
    assert "The pair announced their engagement in 2022." in joined
    assert "met the director Kim Min-jae" in joined
    assert re.search(r"Kim Min-jae.*The pair", source.quotes[0].text) or len(source.quotes) == 2
