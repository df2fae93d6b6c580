"""Linear scorers: the learned part of every judging step, and their model files.

A judging model is a weighted sum of named features. It is fitted with scikit-learn's
``LogisticRegression`` on standardised features (so one regularisation strength suits
features of any scale); the scaling is then folded into the weights, so that scoring a
question is one small matrix product, with no scikit-learn call at question time.

Model files are ``.npz`` archives written byte for byte the same from the same data and
seed (fixed zip timestamps, float32 weights, sorted JSON metadata).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # scikit-learn is imported to fit only: answering never pays its ~1 s import
    from sklearn.preprocessing import StandardScaler


@dataclass(frozen=True)
class LinearScorer:
    """``score(X) = X @ coef + intercept`` over the features named in ``names``."""

    names: tuple[str, ...]
    coef: np.ndarray
    intercept: float = 0.0

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self.coef + self.intercept

    def probability(self, features: np.ndarray) -> np.ndarray:
        """The logistic probability of the positive class."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.score(features), -30.0, 30.0)))

    @classmethod
    def fit_logistic(
        cls,
        features: np.ndarray,
        labels: np.ndarray,
        names: Sequence[str],
        *,
        regularization: float = 1.0,
        seed: int = 0,
    ) -> LinearScorer:
        """Logistic regression of ``labels`` on standardised ``features``, scaling folded in."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(features)
        model = LogisticRegression(C=regularization, max_iter=5000, random_state=seed)
        model.fit(scaler.transform(features), labels)
        return cls._folded(names, model.coef_[0], float(model.intercept_[0]), scaler)

    @classmethod
    def fit_pairwise(
        cls,
        features: np.ndarray,
        groups: np.ndarray,
        labels: np.ndarray,
        names: Sequence[str],
        *,
        regularization: float = 1.0,
        seed: int = 0,
    ) -> LinearScorer:
        """A ranking within groups: logistic regression on the difference between each
        positive row and every negative row of its group (a Bradley–Terry model), so that
        ``softmax(score)`` over a group estimates which of its rows is the positive one."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(features)
        scaled = scaler.transform(features)
        rng = np.random.default_rng(seed)
        differences = []
        for group in np.unique(groups):
            rows = np.flatnonzero(groups == group)
            positives, negatives = rows[labels[rows]], rows[~labels[rows]]
            if len(positives) and len(negatives):
                differences.append(scaled[positives[0]] - scaled[negatives])
        pairs = np.vstack(differences)
        # Half the pairs flipped, so that both classes are present; no intercept.
        flip = rng.random(len(pairs)) < 0.5
        pairs[flip] *= -1
        model = LogisticRegression(C=regularization, max_iter=5000, fit_intercept=False, random_state=seed)
        model.fit(pairs, ~flip)
        return cls._folded(names, model.coef_[0], 0.0, scaler, keep_intercept=False)

    @classmethod
    def _folded(
        cls,
        names: Sequence[str],
        coef: np.ndarray,
        intercept: float,
        scaler: StandardScaler,
        *,
        keep_intercept: bool = True,
    ) -> LinearScorer:
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        folded = coef / scale
        shift = intercept - float(folded @ scaler.mean_) if keep_intercept else 0.0
        return cls(tuple(names), folded.astype(np.float32).astype(np.float64), float(np.float32(shift)))

    def to_arrays(self, prefix: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {f"{prefix}_coef": self.coef.astype(np.float32)}
        return arrays, {f"{prefix}_names": list(self.names), f"{prefix}_intercept": self.intercept}

    @classmethod
    def from_arrays(
        cls, prefix: str, arrays: Mapping[str, np.ndarray], metadata: Mapping[str, Any]
    ) -> LinearScorer:
        names = tuple(metadata[f"{prefix}_names"])
        coef = np.asarray(arrays[f"{prefix}_coef"], dtype=np.float64)
        return cls(names, coef, float(metadata[f"{prefix}_intercept"]))


def write_model_file(path: Path, arrays: Mapping[str, np.ndarray], metadata: Mapping[str, Any]) -> Path:
    """Write arrays and JSON metadata to ``path`` as an ``.npz``, byte-for-byte reproducibly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = json.dumps(metadata, sort_keys=True).encode("utf-8")
    everything = {"metadata": np.frombuffer(encoded, dtype=np.uint8), **arrays}
    write_npz(path, {name: everything[name] for name in sorted(everything)})
    return path


def write_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed``, in the order given, but byte-for-byte reproducible
    (fixed zip timestamps)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def read_model_file(
    path: Path, *, kind: str | None = None, format_version: int | None = None
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata written by ``write_model_file``; with ``kind`` and
    ``format_version``, a ValueError unless the file's metadata names both."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files if name != "metadata"}
        metadata = json.loads(archive["metadata"].tobytes().decode("utf-8"))
    if kind is not None and (metadata.get("kind"), metadata.get("format_version")) != (kind, format_version):
        raise ValueError(f"{path}: not a {kind} model this code can read (run `citebot train`)")
    return arrays, metadata


def feature_columns(names: Sequence[str], available: Sequence[str]) -> np.ndarray:
    """Where each of a model's features sits among those computed: a model may read a
    subset (the benchmark trains some without the embedding features, to measure them)."""
    position = {name: i for i, name in enumerate(available)}
    unknown = [name for name in names if name not in position]
    if unknown:
        raise ValueError(
            f"the model reads features this code does not compute ({unknown}): run `citebot train`"
        )
    return np.array([position[name] for name in names], dtype=np.int64)
