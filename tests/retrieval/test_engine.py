"""Retrieval on the default corpus: who is cited, with which passages, and when nothing is."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from retrieval.corpus.documents import Document
from retrieval.engine import Engine
from retrieval.search.questions import QuestionError
from tests.conftest import DEFAULT_CORPUS, TRUE_STORY_PHRASINGS

NOT_BASED = "ballerina-not-based-on-true-story.md"
INSPIRED = "ballerina-inspired-by-nth-room.md"


def _quotes(answer, source_id: str) -> str:
    source = next(source for source in answer.sources if source.id == source_id)
    return " ".join(quote.text for quote in source.quotes)


def test_true_story_question_cites_both_articles_with_the_passages_that_answer_it(
    default_engine: Engine,
) -> None:
    """One article is quoted denying true events, the other drawing on the Nth Room case."""
    answer = default_engine.ask("Is Ballerina based on a true story?")
    assert answer.status == "answered"
    assert {source.id for source in answer.sources} == {NOT_BASED, INSPIRED}
    assert re.search(
        r"not based on real-life events|neither inspired by nor based on true events",
        _quotes(answer, NOT_BASED),
    )
    assert "Nth Room" in _quotes(answer, INSPIRED)


def test_a_claim_is_answered_like_a_question(default_engine: Engine) -> None:
    """A plain statement finds the passage that makes it."""
    answer = default_engine.ask("Ballerina was inspired by the Nth Room case")
    assert answer.sources[0].id == INSPIRED
    assert 'inspired by the shocking "Nth Room Case,"' in _quotes(answer, INSPIRED)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "How do I bake sourdough bread?",
        "What is the weather in Seoul today?",
    ],
)
def test_questions_no_source_covers_get_no_answer(default_engine: Engine, question: str) -> None:
    """Nothing loosely related is quoted: no sources, status no_answer (Seoul alone is a stray word)."""
    answer = default_engine.ask(question)
    assert answer.status == "no_answer"
    assert answer.sources == ()


def test_sources_are_ranked_and_capped(default_engine: Engine) -> None:
    """Scores descend, and max_sources caps how many sources are cited."""
    answer = default_engine.ask("Who plays Choi Pro in Ballerina?")
    scores = [source.score for source in answer.sources]
    assert scores == sorted(scores, reverse=True) and len(scores) == 2
    assert len(default_engine.ask("Who plays Choi Pro in Ballerina?", max_sources=1).sources) == 1


def test_quotes_stay_within_the_per_source_budget(default_engine: Engine) -> None:
    """Each source's quotes add up to at most 300 characters and are never the site's teasers."""
    for question in (
        "Is Ballerina based on a true story?",
        "Gilded Age labor strike",
        "Who is Olivia Wilson?",
    ):
        answer = default_engine.ask(question)
        for source in answer.sources:
            assert sum(len(quote.text) for quote in source.quotes) <= 300
            assert "Gilded Age" not in _quotes(answer, source.id)


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200b", "x" * 20_000])
def test_unanswerable_input_raises_a_clear_question_error(default_engine: Engine, question: str) -> None:
    """Empty, invisible-only and overlong questions raise QuestionError with a message for the user."""
    with pytest.raises(QuestionError) as caught:
        default_engine.ask(question)
    assert re.search(r"empty|too long", str(caught.value))


def test_zero_width_characters_do_not_split_words(default_engine: Engine) -> None:
    """'Bal\u200blerina' is read as 'Ballerina'."""
    plain = default_engine.ask("Is Ballerina based on a true story?")
    hidden = default_engine.ask("Is Bal\u200blerina based on a tr\u200due story?")
    assert [s.id for s in hidden.sources] == [s.id for s in plain.sources]


def _copy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".citebot-cache"))
    return corpus


def test_saved_index_is_reused_then_rebuilt_when_a_file_changes(tmp_path: Path) -> None:
    """A second start loads the saved index; editing a file gives a new index that sees the edit."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    Engine.from_path(corpus, cache_dir=cache)
    entries = sorted(cache.rglob("*"))
    assert len(list(cache.iterdir())) == 1  # one folder for the corpus
    second = Engine.from_path(corpus, cache_dir=cache)
    assert type(second.documents).__name__ == "GenerationDocuments"
    assert second.ask("Is Ballerina based on a true story?").status == "answered"

    (corpus / "volcano.txt").write_text("Volcanoes\n\nThe Krakatoa volcano erupted violently in 1883.")
    third = Engine.from_path(corpus, cache_dir=cache)
    assert third.ask("When did Krakatoa erupt?").sources[0].id == "volcano.txt"
    assert sorted(cache.rglob("*")) != entries


def test_corrupt_saved_index_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    """Truncated index arrays are detected, reported, and replaced by a fresh index."""
    corpus, cache = _copy_corpus(tmp_path), tmp_path / "cache"
    Engine.from_path(corpus, cache_dir=cache)
    (arrays,) = cache.glob("*/generation-*/index/term_indices.npy")
    arrays.write_bytes(b"garbage")
    warnings: list[str] = []
    engine = Engine.from_path(corpus, cache_dir=cache, warn=warnings.append)
    assert any("rebuilding the index" in warning for warning in warnings)
    assert engine.ask("Is Ballerina based on a true story?").status == "answered"
    assert (
        Engine.from_path(corpus, cache_dir=cache, warn=warnings.append).ask("Nth Room case").status
        == "answered"
    )


def test_capping_sources_never_hides_a_disagreement(default_engine: Engine) -> None:
    """With max_sources=1 the conflicting source is still shown, and the answer does not claim one source."""
    answer = default_engine.ask("Is Ballerina based on a true story?", max_sources=1)
    assert answer.disagreement is True
    assert {source.id for source in answer.sources} == {NOT_BASED, INSPIRED}
    assert answer.single_source is False


def test_mentions_and_markdown_in_a_question_do_not_change_the_answer(default_engine: Engine) -> None:
    """@everyone, user, command and emoji mentions, a timestamp, bold, code and a markdown link
    are read as the plain question."""
    plain = default_engine.ask("Is Ballerina based on a true story?")
    marked = default_engine.ask(
        "@everyone </ask:123456789012345678> **Is** `Ballerina` <@123456789012345678> based on a "
        "[true story](http://x.y)? <t:1700000000:R> <:ballet:123456789012345678>"
    )
    assert marked.question == plain.question
    assert [s.id for s in marked.sources] == [s.id for s in plain.sources]
    assert marked.disagreement == plain.disagreement


@pytest.mark.parametrize("question", [*TRUE_STORY_PHRASINGS, "Ballerina is not based on a true story"])
def test_every_conflicting_quote_is_shown_in_its_sources_block(default_engine: Engine, question: str) -> None:
    """A conflict's quotes are among its sources' quotes (the same quotes, offsets and all),
    each exactly document_text[start:end]."""
    answer = default_engine.ask(question)
    assert answer.disagreement is True
    by_id = {source.id: source for source in answer.sources}
    for conflict in answer.conflicts:
        for source_id, quote in zip(conflict.sources, conflict.quotes, strict=True):
            assert quote in by_id[source_id].quotes
            document_text = default_engine.document(source_id).text
            assert document_text[quote.start : quote.end] == quote.text


def test_a_long_conflicting_sentence_is_cut_to_the_budget_and_quoted_as_shown() -> None:
    """A conflict resting on a 500-character sentence shows it cut at words (≤ 300, with an
    ellipsis flag), and the conflict quotes exactly the shown text."""
    filler = ", ".join(["the critics wrote at length about the acting, the music and the sets"] * 6)
    long_sentence = f"Ballerina is based on a true story, {filler}, the director said."
    engine = Engine.from_documents(
        [
            Document(id="long", title="Long", text=long_sentence),
            Document(
                id="short", title="Short", text="Ballerina is not based on a true story. It is fiction."
            ),
        ]
    )
    answer = engine.ask("Is Ballerina based on a true story?")
    assert answer.disagreement is True
    for source in answer.sources:
        assert sum(len(quote.text) for quote in source.quotes) <= 300
        text = engine.document(source.id).text
        assert all(text[q.start : q.end] == q.text for q in source.quotes)
    long_quotes = next(s for s in answer.sources if s.id == "long").quotes
    assert any(quote.cut_after for quote in long_quotes)
    (conflict,) = [c for c in answer.conflicts if "long" in c.sources]
    shown = {q for s in answer.sources for q in s.quotes}
    assert set(conflict.quotes) <= shown


def test_answering_from_a_saved_index_never_imports_scikit_learn(tmp_path: Path) -> None:
    """A fresh process answering from a saved index does not import scikit-learn (about a second
    of start-up for every `citebot ask`): it is needed to build an index or train, not to answer."""
    import subprocess
    import sys

    cache = tmp_path / "cache"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from retrieval.engine import Engine\n"
        f"engine = Engine.from_path(Path({str(DEFAULT_CORPUS)!r}), cache_dir=Path({str(cache)!r}))\n"
        "for question in ('Is Ballerina based on a true story?', 'Who directed it?', 'Did Min-hee die?'):\n"
        "    assert engine.ask(question).sources\n"
        "print(sorted({name.split('.')[0] for name in sys.modules if name.startswith('sklearn')}))\n"
    )
    build = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert build.stdout.strip() == "['sklearn']"  # building the index is scikit-learn's TF-IDF
    warm = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert warm.stdout.strip() == "[]", warm.stderr
