"""Shared fixtures: the project's paths and the default corpus's engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from retrieval.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"

# Every property test runs derandomized (the same inputs each run, from a fixed seed), so a
# random find never blocks CI; `make fuzz` is where inputs are fresh (tests/fuzz/profile.py).
settings.register_profile("citebot-tests", derandomize=True, database=None)
settings.load_profile("citebot-tests")

# Ways of asking the default corpus's central question: every one must show the disagreement.
TRUE_STORY_PHRASINGS = (
    "Is Ballerina based on a true story?",
    "Is Ballerina a true story?",
    "Is the movie Ballerina based on true events?",
    "Was Ballerina inspired by real events?",
    "Is Ballerina based on the Nth Room case?",
    "Is Ballerina real?",
)


@pytest.fixture(scope="session")
def default_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The default corpus, indexed into a temporary cache (the tests never write into corpus/)."""
    return Engine.from_path(DEFAULT_CORPUS, cache_dir=tmp_path_factory.mktemp("cache"))
