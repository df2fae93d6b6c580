"""Relevance: the features a source is judged on, and the models' decisions and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.corpus.documents import Document
from retrieval.engine import Engine
from retrieval.judging.evidence import examine
from retrieval.judging.linear import LinearScorer
from retrieval.judging.models import JudgingModels
from retrieval.judging.relevance import (
    GATE_FEATURES,
    SELECTOR_FEATURES,
    SOURCE_FEATURES,
    GateAndSelector,
    RelevanceModel,
)

DOCUMENTS = [
    Document(id="tesla", title="Tesla", text="Nikola Tesla moved to New York in 1884. He worked for Edison."),
    Document(
        id="edison", title="Edison", text="Thomas Edison ran a laboratory in New Jersey. He hired engineers."
    ),
    Document(
        id="rhine", title="Rhine", text="The Rhine flows through Basel. Barges carry coal on the river."
    ),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_documents(DOCUMENTS)


def _features(engine: Engine, question: str):  # type: ignore[no-untyped-def]
    query = engine.judge.query(question)
    candidates = engine.index.search(query, limit=20)
    found = examine(
        engine.index,
        engine.documents,
        engine.judge.reader,
        question,
        query,
        candidates,
        engine.models.parameters,
    )
    ids = [engine.documents[int(n)].id for n in candidates.documents]
    return found.features, ids


def test_a_source_holding_every_question_word_covers_it_whole(engine: Engine) -> None:
    """Coverage, rarest word and names: the source that holds them all scores 1 on each."""
    features, ids = _features(engine, "When was Nikola Tesla in New York?")
    column = {name: i for i, name in enumerate(SOURCE_FEATURES)}
    tesla = features.source[ids.index("tesla")]
    assert tesla[column["coverage"]] == pytest.approx(1.0)
    assert tesla[column["rarest_word"]] == 1.0 and tesla[column["capitals"]] == 1.0
    assert tesla[column["missing_idf"]] == 0.0
    edison = features.source[ids.index("edison")]
    assert edison[column["coverage"]] < 0.5 and edison[column["missing_idf"]] > 0
    assert tesla[column["semantic_best"]] > edison[column["semantic_best"]]


def test_claims_and_questions_are_told_apart(engine: Engine) -> None:
    """A statement or yes/no question is judged as a claim; a wh-question is not."""
    assert _features(engine, "Tesla moved to New York")[0].is_claim
    assert _features(engine, "Did Tesla move to New York?")[0].is_claim
    assert not _features(engine, "Where did Tesla move?")[0].is_claim


def _constant_part(answer_threshold: float) -> GateAndSelector:
    gate = LinearScorer(GATE_FEATURES, np.zeros(len(GATE_FEATURES)), 0.0)  # always 0.5
    selector = LinearScorer(SELECTOR_FEATURES, np.zeros(len(SELECTOR_FEATURES)), 0.0)
    return GateAndSelector(gate, selector, answer_threshold=answer_threshold, source_threshold=0.6)


def test_the_engine_answers_with_the_models_it_is_given(engine: Engine) -> None:
    """No hidden global state: a gate that never passes makes every answer no_answer."""
    closed = JudgingModels.shipped().with_(relevance=RelevanceModel(_constant_part(0.9), _constant_part(0.9)))
    strict = Engine(engine.documents, engine.index, closed)
    assert strict.ask("When was Nikola Tesla in New York?").status == "no_answer"
    opened = JudgingModels.shipped().with_(relevance=RelevanceModel(_constant_part(0.1), _constant_part(0.1)))
    answer = Engine(engine.documents, engine.index, opened).ask("When was Nikola Tesla in New York?")
    # The gate passes; every selector probability is 0.5 < 0.6, so only the favourite is cited.
    assert answer.status == "answered" and len(answer.sources) == 1


def test_the_relevance_model_file_round_trips(tmp_path: Path, engine: Engine) -> None:
    """Saved and loaded, the shipped model judges exactly as before."""
    model = JudgingModels.shipped().relevance
    again = RelevanceModel.load(model.save(tmp_path / "relevance.npz"))
    features, _ = _features(engine, "When was Nikola Tesla in New York?")
    assert again.judge(features) == model.judge(features)
