"""Linear scorers: the learned part of every judging step, and byte-reproducible model files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from retrieval.judging.linear import LinearScorer, feature_columns, read_model_file, write_model_file


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(400, 3)) * [1.0, 50.0, 0.01] + [0.0, 100.0, 0.0]
    labels = features[:, 0] + features[:, 1] / 50 - features[:, 2] * 100 + rng.normal(size=400) > 2
    return features, labels


def test_folded_scaling_gives_scikit_learns_probabilities() -> None:
    """Standardisation folded into the weights: one dot product equals scaler + logistic regression."""
    features, labels = _data()
    scorer = LinearScorer.fit_logistic(features, labels, ("a", "b", "c"))
    scaler = StandardScaler().fit(features)
    reference = LogisticRegression(max_iter=5000).fit(scaler.transform(features), labels)
    expected = reference.predict_proba(scaler.transform(features))[:, 1]
    assert np.allclose(scorer.probability(features), expected, atol=1e-4)


def test_pairwise_ranking_puts_the_positive_row_of_each_group_first() -> None:
    """Fitted on groups with one positive each, the scorer ranks positives above their group."""
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(200), 5)
    labels = np.zeros(1000, dtype=bool)
    labels[::5] = True
    features = rng.normal(size=(1000, 2)) + labels[:, None] * [2.0, 0.0]
    scorer = LinearScorer.fit_pairwise(features, groups, labels, ("signal", "noise"))
    scores = scorer.score(features).reshape(200, 5)
    oracle = features[:, 0].reshape(200, 5)  # the signal alone: the best any ranking can do
    assert (scores.argmax(axis=1) == 0).mean() >= (oracle.argmax(axis=1) == 0).mean() - 0.02
    assert abs(scorer.coef[0]) > 5 * abs(scorer.coef[1])


def test_model_files_are_byte_for_byte_reproducible(tmp_path: Path) -> None:
    """The same data and seed write the same bytes, and read back the same weights."""
    features, labels = _data()
    paths = []
    for name in ("one.npz", "two.npz"):
        scorer = LinearScorer.fit_logistic(features, labels, ("a", "b", "c"), seed=0)
        arrays, metadata = scorer.to_arrays("model")
        paths.append(write_model_file(tmp_path / name, arrays, {"kind": "test", **metadata}))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    arrays, metadata = read_model_file(paths[0])
    again = LinearScorer.from_arrays("model", arrays, metadata)
    assert again.names == ("a", "b", "c") and np.allclose(
        again.score(features), scorer.score(features), atol=1e-4
    )


def test_a_model_may_read_a_subset_of_the_features_but_no_unknown_one() -> None:
    """Column lookup by name; a feature the code does not compute is a clear error."""
    assert feature_columns(("c", "a"), ("a", "b", "c")).tolist() == [2, 0]
    try:
        feature_columns(("d",), ("a", "b"))
    except ValueError as error:
        assert "citebot train" in str(error)
    else:
        raise AssertionError("an unknown feature must be refused")
