"""Shared fixtures: the project's paths and the default corpus's engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def default_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The default corpus, indexed into a temporary cache (the tests never write into corpus/)."""
    return Engine.from_path(DEFAULT_CORPUS, cache_dir=tmp_path_factory.mktemp("cache"))
