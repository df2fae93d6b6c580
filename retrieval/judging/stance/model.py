"""The stance model: multinomial logistic regression over stance features.

Trained with scikit-learn, shipped as one compressed ``.npz`` (coefficients, feature
scaling, IDF table and vocabulary as JSON), and scored with plain numpy at run time:
a handful of dot products, no scikit-learn call per question.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from retrieval.answer import Stance
from retrieval.judging.stance import text as lex
from retrieval.judging.stance.features import DENSE_FEATURE_NAMES, FeatureExtractor

LABELS: tuple[Stance, ...] = ("supports", "refutes", "discusses")
DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "stance.npz"
FORMAT_VERSION = 1


def _idf_table(texts: Iterable[str], *, min_document_frequency: int) -> tuple[dict[str, float], float]:
    """Smoothed IDF of every stem seen in at least ``min_document_frequency`` texts."""
    frequency: Counter[str] = Counter()
    n_texts = 0
    for text in texts:
        n_texts += 1
        frequency.update(set(lex.stems(lex.words(text))))
    idf = {
        word_stem: round(math.log((1 + n_texts) / (1 + count)) + 1, 4)
        for word_stem, count in sorted(frequency.items())  # sorted: the saved file must not depend on hashing
        if count >= min_document_frequency
    }
    default = math.log((1 + n_texts) / (1 + min_document_frequency)) + 1
    return idf, round(default, 4)


class StanceModel:
    """Stance of a text toward a claim: ``supports``, ``refutes`` or ``discusses``.

    Parameters
    ----------
    regularization_strength:
        Inverse L2 strength ``C`` of the logistic regression.
    class_weight_power:
        Classes are weighted by ``(n_samples / (n_classes * n_class)) ** power``:
        0 is unweighted, 1 is scikit-learn's "balanced". Refutation is the rare class
        that matters most, so it is up-weighted, but not all the way.
    min_claims_per_word:
        A lexical feature is kept only if it occurs with this many distinct claims in
        training, so that the model learns cue words, not one story's vocabulary.
    random_state:
        Seed for the solver.
    """

    def __init__(
        self,
        *,
        regularization_strength: float = 0.2,
        class_weight_power: float = 0.75,
        min_claims_per_word: int = 3,
        min_document_frequency: int = 2,
        max_iterations: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.regularization_strength = regularization_strength
        self.class_weight_power = class_weight_power
        self.min_claims_per_word = min_claims_per_word
        self.min_document_frequency = min_document_frequency
        self.max_iterations = max_iterations
        self.random_state = random_state

    # ----------------------------------------------------------------- training
    def fit(self, claims: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> StanceModel:
        """Learn from (claim, text, stance) triples; stances are values of LABELS."""
        idf, default_idf = _idf_table(
            dict.fromkeys(texts), min_document_frequency=self.min_document_frequency
        )
        self.extractor_ = FeatureExtractor(idf, default_idf=default_idf, cache_size=len(set(texts)) + 16)
        dense_rows, lexical_rows = self._raw_features(claims, texts)

        claims_per_word: dict[str, set[str]] = {}
        for claim, names in zip(claims, lexical_rows, strict=True):
            for name in names:
                claims_per_word.setdefault(name, set()).add(claim)
        self.vocabulary_ = {
            name: i
            for i, name in enumerate(
                sorted(n for n, c in claims_per_word.items() if len(c) >= self.min_claims_per_word)
            )
        }
        dense = np.vstack(dense_rows)
        self.mean_ = dense.mean(axis=0)
        self.scale_ = dense.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        matrix = self._design_matrix((dense - self.mean_) / self.scale_, lexical_rows)

        y = np.array([LABELS.index(label) for label in labels])  # type: ignore[arg-type]
        counts = np.bincount(y, minlength=len(LABELS))
        weights = (len(y) / (len(LABELS) * np.maximum(counts, 1))) ** self.class_weight_power
        from sklearn.linear_model import LogisticRegression  # training only: answering never imports it

        classifier = LogisticRegression(
            C=self.regularization_strength,
            class_weight=dict(enumerate(weights)),
            max_iter=self.max_iterations,
            random_state=self.random_state,
        )
        classifier.fit(matrix, y)
        n_dense = dense.shape[1]
        self.dense_coef_ = classifier.coef_[:, :n_dense].copy()
        self.lexical_coef_ = np.ascontiguousarray(classifier.coef_[:, n_dense:].T)  # (n_words, n_classes)
        self.intercept_ = classifier.intercept_.copy()
        return self

    def _raw_features(
        self, claims: Sequence[str], texts: Sequence[str]
    ) -> tuple[list[np.ndarray], list[set[str]]]:
        dense_rows: list[np.ndarray] = []
        lexical_rows: list[set[str]] = []
        for claim, text in zip(claims, texts, strict=True):
            dense, lexical = self.extractor_.features(claim, text)
            dense_rows.append(dense)
            lexical_rows.append(lexical)
        return dense_rows, lexical_rows

    def _design_matrix(self, dense: np.ndarray, lexical_rows: list[set[str]]) -> sparse.csr_matrix:
        rows, cols = [], []
        for row, names in enumerate(lexical_rows):
            for name in sorted(names):  # a fixed order keeps the solver's sums (and the model) reproducible
                column = self.vocabulary_.get(name)
                if column is not None:
                    rows.append(row)
                    cols.append(column)
        lexical = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(lexical_rows), len(self.vocabulary_))
        )
        return sparse.hstack([sparse.csr_matrix(dense), lexical], format="csr")

    # ---------------------------------------------------------------- inference
    def decision_function(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Class scores, shape (n_pairs, 3), columns in LABELS order."""
        if not claims:
            return np.zeros((0, len(LABELS)))
        dense_rows, lexical_rows = self._raw_features(claims, texts)
        dense = (np.vstack(dense_rows) - self.mean_) / self.scale_
        scores = dense @ self.dense_coef_.T + self.intercept_
        vocabulary = self.vocabulary_
        for row, names in enumerate(lexical_rows):
            ids = [vocabulary[name] for name in names if name in vocabulary]
            if ids:
                scores[row] += self.lexical_coef_[ids].sum(axis=0)
        return scores

    def predict_proba(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape (n_pairs, 3), columns in LABELS order."""
        scores = self.decision_function(claims, texts)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> list[Stance]:
        """The most probable stance of each text toward its claim."""
        return [LABELS[i] for i in self.decision_function(claims, texts).argmax(axis=1)]

    # ------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write the model to one compressed ``.npz`` file; returns its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        idf = self.extractor_.idf
        metadata = {
            "format_version": FORMAT_VERSION,
            "labels": list(LABELS),
            "dense_features": list(DENSE_FEATURE_NAMES),
            "vocabulary": sorted(self.vocabulary_, key=self.vocabulary_.__getitem__),
            "idf_stems": list(idf),
            "default_idf": self.extractor_.default_idf,
            "parameters": {
                "regularization_strength": self.regularization_strength,
                "class_weight_power": self.class_weight_power,
                "min_claims_per_word": self.min_claims_per_word,
                "min_document_frequency": self.min_document_frequency,
                "random_state": self.random_state,
            },
        }
        arrays = {
            "metadata": np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8),
            "idf_values": np.array(list(idf.values()), dtype=np.float32),
            "dense_coef": self.dense_coef_.astype(np.float32),
            "lexical_coef": self.lexical_coef_.astype(np.float32),
            "intercept": self.intercept_.astype(np.float32),
            "mean": self.mean_.astype(np.float32),
            "scale": self.scale_.astype(np.float32),
        }
        _write_npz(path, arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> StanceModel:
        """Read a model written by ``save``."""
        with np.load(path, allow_pickle=False) as archive:
            metadata = json.loads(archive["metadata"].tobytes().decode("utf-8"))
            if metadata["format_version"] != FORMAT_VERSION or tuple(metadata["labels"]) != LABELS:
                raise ValueError(f"{path}: not a stance model this code can read")
            if tuple(metadata["dense_features"]) != DENSE_FEATURE_NAMES:
                raise ValueError(f"{path}: trained with other features; run `citebot train-stance`")
            model = cls(**metadata["parameters"])
            idf = dict(zip(metadata["idf_stems"], archive["idf_values"].astype(float).tolist(), strict=True))
            model.extractor_ = FeatureExtractor(idf, default_idf=metadata["default_idf"])
            model.vocabulary_ = {name: i for i, name in enumerate(metadata["vocabulary"])}
            model.dense_coef_ = archive["dense_coef"].astype(np.float64)
            model.lexical_coef_ = archive["lexical_coef"].astype(np.float64)
            model.intercept_ = archive["intercept"].astype(np.float64)
            model.mean_ = archive["mean"].astype(np.float64)
            model.scale_ = archive["scale"].astype(np.float64)
        return model


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed`` but byte-for-byte reproducible (fixed zip timestamps)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


@lru_cache(maxsize=1)
def default_model() -> StanceModel:
    """The shipped model, loaded once on first use."""
    return StanceModel.load(DEFAULT_MODEL_PATH)
