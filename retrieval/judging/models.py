"""The judging models an engine answers with, as one bundle passed to it (no hidden
global state): benchmarks build engines with models trained on one half of SQuAD.

    models = JudgingModels.shipped()           # the files in retrieval/models/
    engine = Engine.from_path("corpus/", models=models)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from retrieval.judging.parameters import DEFAULT_PARAMETERS, JudgingParameters
from retrieval.judging.quotes import QuoteModel
from retrieval.judging.relevance import RelevanceModel
from retrieval.judging.stance.model import StanceModel, default_model
from retrieval.text.embeddings import Embedder, default_embedder

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
RELEVANCE_MODEL_PATH = MODELS_DIR / "relevance.npz"
QUOTE_MODEL_PATH = MODELS_DIR / "quotes.npz"


@dataclass(frozen=True)
class JudgingModels:
    """Everything learned that judging reads; read-only, shared by threads and engines."""

    relevance: RelevanceModel
    quotes: QuoteModel
    stance: StanceModel = field(default_factory=default_model)
    # The static word embeddings; None turns the semantic features off (they read 0), which
    # is how the benchmark measures what the embeddings add.
    embedder: Embedder | None = field(default_factory=default_embedder)
    parameters: JudgingParameters = DEFAULT_PARAMETERS

    @classmethod
    def shipped(cls) -> JudgingModels:
        """The models shipped in retrieval/models/ (loaded once per process)."""
        return _shipped()

    @classmethod
    def from_files(cls, relevance: Path, quotes: Path, **others: object) -> JudgingModels:
        return cls(RelevanceModel.load(relevance), QuoteModel.load(quotes), **others)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> JudgingModels:
        """A copy with some parts replaced (e.g. ``stance=...`` or ``embedder=None``)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _shipped() -> JudgingModels:
    return JudgingModels.from_files(RELEVANCE_MODEL_PATH, QUOTE_MODEL_PATH)
