"""The stance model: shipped file, real-text judgements, features, and reproducible training."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.corpus.documents import Document, load_documents
from retrieval.judging.stance import lexicon as lex
from retrieval.judging.stance.explicit import claim_terms, sentence_side
from retrieval.judging.stance.features import DENSE_FEATURE_NAMES
from retrieval.judging.stance.model import DEFAULT_MODEL_PATH, StanceModel, default_model, shipped_embedder
from retrieval.judging.stance.train import main as train_main

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = PROJECT_ROOT / ".." / "shared" / "data"
INSPIRED = "ballerina-inspired-by-nth-room.md"
NOT_BASED = "ballerina-not-based-on-true-story.md"
TRUE_STORY = "Ballerina is based on a true story"


@pytest.fixture(scope="module")
def corpus() -> dict[str, Document]:
    return {document.id: document for document in load_documents(PROJECT_ROOT / "corpus")}


def _feature(model: StanceModel, claim: str, text: str, name: str) -> float:
    dense, _ = model.extractor_.features(claim, text)
    return float(dense[DENSE_FEATURE_NAMES.index(name)])


def test_shipped_model_is_small_and_loaded_once() -> None:
    """The model ships as package data under 5 MB and is read from disk only once."""
    assert DEFAULT_MODEL_PATH.parent.name == "models"
    assert DEFAULT_MODEL_PATH.stat().st_size < 5_000_000
    assert default_model() is default_model()


def test_article_saying_not_based_on_true_events_refutes_the_claim(corpus: dict[str, Document]) -> None:
    """The TV Acute article ("neither inspired by nor based on true events") refutes the claim."""
    assert default_model().predict([TRUE_STORY], [corpus[NOT_BASED].quotable_text]) == ["refutes"]


def test_article_saying_inspired_by_real_case_supports_the_claim(corpus: dict[str, Document]) -> None:
    """The article saying the plot "is inspired by the shocking Nth Room Case" supports it."""
    assert default_model().predict([TRUE_STORY], [corpus[INSPIRED].quotable_text]) == ["supports"]


def test_a_side_rests_on_the_sentence_that_takes_it(corpus: dict[str, Document]) -> None:
    """The judgement names the sentence it rests on: for TV Acute, a sentence denying that
    Ballerina is based on real events; a text that only mentions the film takes no side and
    names no sentence."""
    model = default_model()
    text = corpus[NOT_BASED].quotable_text
    judgement = model.judge(TRUE_STORY, text)
    assert judgement.stance == "refutes" and judgement.sentence is not None
    start, end = model.extractor_.text_cues(text).spans[judgement.sentence]
    assert "not based on real-life events" in text[start:end] or "neither inspired by nor" in text[start:end]
    neutral = model.judge(TRUE_STORY, "Ballerina is a 2023 Korean action film. It is on Netflix.")
    assert (neutral.stance, neutral.sentence, neutral.probability) == ("discusses", None, 0.0)


def test_a_one_sentence_text_is_judged_like_an_nli_premise() -> None:
    """A one-sentence premise that says the opposite of the claim without negating it word
    for word (SNLI-style) is judged to refute it; one that restates it supports it."""
    model = default_model()
    claim = "A man is sleeping on a couch"
    assert model.predict([claim], ["A man is running down the street in the rain."]) == ["refutes"]
    assert model.predict([claim], ["A man sleeps on a red couch in the living room."]) == ["supports"]


def test_negation_next_to_the_claims_words_is_a_feature() -> None:
    """ "neither inspired by nor based on true events" negates the claim's own terms; the
    affirmative sentence does not."""
    model = default_model()
    negated = "Although it touches on grim subjects, it is neither inspired by nor based on true events."
    affirmed = "The gripping plot of Ballerina is inspired by the shocking Nth Room Case."
    assert _feature(model, TRUE_STORY, negated, "top_negation_near_claim") == 1.0
    assert _feature(model, TRUE_STORY, negated, "log_negated_restatements") > 0
    assert _feature(model, TRUE_STORY, affirmed, "top_negation_near_claim") == 0.0


def test_paraphrases_of_based_on_a_true_story_count_as_the_claims_words() -> None:
    """ "draws inspiration from real-life events" covers "based on a true story" (paraphrase groups)."""
    assert lex.stems(lex.words("inspired by real events")) == ["base", "by", "true", "stori"]
    assert lex.stems(lex.words("based on a true story")) == ["base", "on", "a", "true", "stori"]
    text = "This story, while fictional, draws inspiration from real-life events."
    assert _feature(default_model(), TRUE_STORY, text, "cover_best_sentence") > 0.5


def test_headline_questions_rank_after_statements() -> None:
    """A heading that restates the question takes no side, so statements are read first."""
    text = "Is Ballerina based on a true story? The film is not based on a true story."
    assert _feature(default_model(), TRUE_STORY, text, "best_negation_near_claim") == 1.0


@pytest.mark.skipif(not (DATA_DIR / "fnc1-train-stances.csv").exists(), reason="training data not available")
def test_training_is_reproducible_and_the_file_round_trips(tmp_path: Path) -> None:
    """A smoke `train-stance` on the first 400 pairs of each set, run twice with one seed, writes the
    same bytes, and the saved model predicts exactly as trained."""
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    arguments = ["--data-dir", str(DATA_DIR), "--limit", "400", "--seed", "0"]
    assert train_main([*arguments, "--output", str(first)]) == 0
    assert train_main([*arguments, "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    model = StanceModel.load(first, embedder=shipped_embedder())
    claims = [TRUE_STORY, "Apple will release a watch"]
    texts = ["It is not based on a true story.", "Apple reportedly plans to release a watch, sources say."]
    assert model.predict(claims, texts) == StanceModel.load(second, embedder=shipped_embedder()).predict(
        claims, texts
    )


def test_train_stance_reports_missing_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With no training files, train-stance exits with status 2 and says where it looked."""
    assert train_main(["--data-dir", str(tmp_path), "--output", str(tmp_path / "m.npz")]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def _side(claim: str, sentence: str) -> int:
    model = default_model()
    terms = claim_terms(claim, model.extractor_.claim_cues(claim).weights)
    [cues] = model.extractor_.text_cues(sentence).sentences
    return sentence_side(terms, cues)


@pytest.mark.parametrize(
    ("claim", "sentence", "side"),
    [
        (TRUE_STORY, "This captivating story, while fictional, draws inspiration from real-life events.", 1),
        (TRUE_STORY, "It is neither inspired by nor based on true events.", -1),
        (
            TRUE_STORY,
            "“Ballerina” is not based on real-life events or true stories, even though it may echo them.",
            -1,
        ),
        # a question, or "whether or not", states no side
        (TRUE_STORY, "Is Ballerina based on a true story?", 0),
        (
            "Ballerina was inspired by real events",
            "One question is whether or not they are inspired by real-life incidents.",
            0,
        ),
        # "not only … but also" is no negation
        (
            "Choi Pro is a sex trafficker",
            "Choi Pro is not only involved in sex trafficking but also drugs girls.",
            1,
        ),
        # a negated claim flips the side
        ("Ballerina is not based on a true story", "It is neither inspired by nor based on true events.", 1),
        # "not based on real events" rules out any particular real case
        (
            "Ballerina is based on the Nth Room case",
            "Ballerina is not based on real-life events or true stories.",
            -1,
        ),
        # a refutation cue the claim does not use
        ("The sky is green", "Claims that the sky is green are a hoax.", -1),
        # words of the claim scattered over a long sentence state nothing
        (
            "Ballerina is real",
            "Ballerina is proof of a power that isn't hampered by the demands of the real world.",
            0,
        ),
        ("The Eiffel Tower will be demolished", "The Eiffel Tower will not be demolished.", -1),
    ],
)
def test_sentence_states_or_negates_the_claim_in_words(claim: str, sentence: str, side: int) -> None:
    """The words that back a stance: a restatement (+1), a negated one (-1), or neither (0)."""
    assert _side(claim, sentence) == side
