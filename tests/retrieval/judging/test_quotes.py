"""Quotes are verbatim: always document.text[start:end], whole words, within budget."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.corpus.documents import Document
from retrieval.engine import Engine
from retrieval.judging.quotes import trim_to_words
from tests.conftest import PROJECT_ROOT

_WORDS = sorted(
    {
        w
        for path in (PROJECT_ROOT / "corpus").glob("*.md")
        for w in re.findall(r"[A-Za-z][\w'-]+", path.read_text())
    }
)


def _assert_verbatim(engine: Engine, answer) -> None:
    for source in answer.sources:
        text = engine.document(source.id).text
        for quote in source.quotes:
            assert quote.text == text[quote.start : quote.end]
            assert quote.text == quote.text.strip() and quote.text
            # Whole words: no word character continues on either side of the span.
            assert quote.start == 0 or not (text[quote.start - 1].isalnum() and quote.text[0].isalnum())
            assert quote.end == len(text) or not (text[quote.end].isalnum() and quote.text[-1].isalnum())
        assert sum(len(q.text) for q in source.quotes) <= 300


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12))
def test_every_quote_is_an_exact_span_of_its_document(default_engine: Engine, words: list[str]) -> None:
    """Over hundreds of questions made of corpus words, every quote equals text[start:end] in whole words."""
    _assert_verbatim(default_engine, default_engine.ask(" ".join(words) + "?", max_sources=None))


def test_long_sentences_are_cut_at_word_boundaries_around_the_question_words() -> None:
    """A passage longer than 300 characters is quoted as whole words holding the question's words."""
    filler = " ".join(f"word{i}" for i in range(80))
    sentence = f"{filler} the rare marmoset lives in Brazilian forests {filler}."
    engine = Engine.from_documents([Document(id="long", title="Long", text=sentence)])
    answer = engine.ask("Where does the rare marmoset live?")
    (quote,) = answer.sources[0].quotes
    assert "rare marmoset lives" in quote.text and len(quote.text) <= 300
    assert quote.cut_before and quote.cut_after
    _assert_verbatim(engine, answer)


def test_squad_paragraphs_quote_verbatim_with_unicode() -> None:
    """Offsets stay exact in real text with accents, dashes and non-Latin scripts (SQuAD dev sample)."""
    squad = PROJECT_ROOT.parent / "shared" / "data" / "squad-v1.1-dev.json"
    if not squad.is_file():
        pytest.skip(f"SQuAD dev is not at {squad}")
    data = json.loads(squad.read_text())
    paragraphs = [p for article in data["data"][:6] for p in article["paragraphs"]]
    documents = [Document(id=str(i), title=str(i), text=p["context"]) for i, p in enumerate(paragraphs)]
    engine = Engine.from_documents(documents)
    for paragraph in paragraphs[::3]:
        for qa in paragraph["qas"][:2]:
            _assert_verbatim(engine, engine.ask(qa["question"], max_sources=None))


@given(st.text(min_size=1, max_size=400), st.integers(min_value=5, max_value=120))
def test_trim_to_words_returns_whole_words_within_budget(text: str, budget: int) -> None:
    """Any text and budget: the window is within budget and never splits a whitespace-delimited word."""
    start, end = trim_to_words(text, 0, len(text), budget=budget, is_relevant=lambda word: "a" in word)
    assert 0 <= start <= end <= len(text) and end - start <= budget
    if end > start:
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert start == 0 or text[start - 1].isspace()
        assert end == len(text) or text[end].isspace()
