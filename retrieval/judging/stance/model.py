"""The stance model: does a text support, refute or only discuss a claim, and which
sentence says so.

Two logistic regressions, trained together (scikit-learn), shipped as one ``.npz`` and
scored with plain numpy at run time:

- the **sentence judge** scores each candidate sentence of a text (``sentences``): does it
  state the claim, deny it, or neither? It learns from SNLI's one-sentence premises
  directly and from FNC-1 and ARC articles as multiple instances: an agreeing article's
  stating sentence is the candidate the judge finds most stating (first guess: the one
  covering most of the claim), a discussing article's candidates state nothing;
- the **document reader** leans from the whole text: the best-covering sentence's
  features, the strongest of every candidate's, and whole-text rates (hedging, refuting).

A text supports (refutes) the claim only when the reader leans that way *and* one of its
sentences is judged to state (deny) it with at least the learned gate's probability;
that sentence is the one shown. Otherwise it discusses the claim, whatever its lean.

Every feature appears twice more, once for short texts (one or two sentences, a batch
line's own document) and once for articles, so one model learns what carries across
both and what differs (feature augmentation, Daumé 2007). The gates, one pair per kind of
text, are chosen on a third of the training claims held out from a first fit, precision
first (F0.5 for each side); the model is then refitted on everything.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval.answer import Stance
from retrieval.judging.linear import write_npz
from retrieval.judging.stance import lexicon as lex
from retrieval.judging.stance.data import connected_components
from retrieval.judging.stance.features import DENSE_FEATURE_NAMES, FeatureExtractor
from retrieval.judging.stance.sentences import (
    SENTENCE_FEATURE_NAMES,
    SHORT_TEXT_SENTENCES,
    UNMATCHED_SIMILARITY,
    Embedder,
    sentence_rows,
)

LABELS: tuple[Stance, ...] = ("supports", "refutes", "discusses")
SUPPORTS, REFUTES, DISCUSSES = range(3)
DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "stance.npz"
FORMAT_VERSION = 2
_GATE_GRID = tuple(round(0.2 + 0.05 * step, 2) for step in range(15))  # 0.20 … 0.90
_KINDS = ("short", "article")
_FEATURE_DECIMALS = 9
_COEFFICIENT_DECIMALS = 4
_RULE_STATES = SENTENCE_FEATURE_NAMES.index("rule_states")
_COVER_PREDICATE = SENTENCE_FEATURE_NAMES.index("cover_predicate")
_QUESTION = SENTENCE_FEATURE_NAMES.index("question")
_SOFT_ALIGNMENT_MIN = SENTENCE_FEATURE_NAMES.index("soft_alignment_min")
_DENIAL_WORDS = [
    SENTENCE_FEATURE_NAMES.index(name)
    for name in ("negation_near_claim", "refutation", "rule_denies", "number_mismatch")
]
_RULE_DENIES = SENTENCE_FEATURE_NAMES.index("rule_denies")


def _idf_table(texts: Iterable[str], *, min_document_frequency: int) -> tuple[dict[str, float], float]:
    """Smoothed IDF of every stem seen in at least ``min_document_frequency`` texts."""
    frequency: dict[str, int] = {}
    n_texts = 0
    for text in texts:
        n_texts += 1
        for word_stem in set(lex.stems(lex.words(text))):
            frequency[word_stem] = frequency.get(word_stem, 0) + 1
    idf = {
        word_stem: round(float(np.log((1 + n_texts) / (1 + count)) + 1), 4)
        for word_stem, count in sorted(frequency.items())  # sorted: the saved file must not depend on hashing
        if count >= min_document_frequency
    }
    return idf, round(float(np.log((1 + n_texts) / (1 + min_document_frequency)) + 1), 4)


@dataclass(frozen=True)
class Judgement:
    """A text's stance toward a claim, and the sentence it rests on (None when it discusses)."""

    stance: Stance
    sentence: int | None  # sentence number in the text (``FeatureExtractor.text_cues(text).spans``)
    probability: float  # the sentence judge's probability for the stance (0 when it discusses)


@dataclass
class _Scorer:
    """A fitted multinomial logistic regression over standardised dense features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (3, n_features)
    intercept: np.ndarray

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        scores = ((rows - self.mean) / self.scale) @ self.coef.T + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class _Example:
    """One (claim, text) pair's features: its candidate sentences' rows and its document row."""

    short: bool
    sentences: np.ndarray  # (n_candidates, n_sentence_features), augmented
    numbers: tuple[int, ...]
    document: np.ndarray  # (n_document_features,), augmented
    rules: np.ndarray  # each candidate's side by the word rules: +1 states, -1 denies, 0
    # (n_candidates, 2): whether each candidate can carry supports / refutes (``_eligible``).
    eligible: np.ndarray


def _augment(rows: np.ndarray, short: bool) -> np.ndarray:
    """[general copy, short-text copy, article copy] of every feature."""
    zeros = np.zeros_like(rows)
    return np.hstack([rows, rows, zeros] if short else [rows, zeros, rows])


class StanceModel:
    """Stance of a text toward a claim: ``supports``, ``refutes`` or ``discusses``, and the
    sentence it rests on.

    Parameters
    ----------
    regularization_strength:
        Inverse L2 strength ``C`` of the document reader.
    sentence_regularization_strength:
        Inverse L2 strength ``C`` of the sentence judge.
    class_weight_power:
        Classes are weighted by ``(n_samples / (n_classes * n_class)) ** power``.
    embedder:
        Static word embeddings (``retrieval.text.embeddings``) for the meaning features;
        None leaves them at zero. Not saved: the same embedder must be given at load.
    random_state:
        Seed for the split that chooses the gates (the solver is deterministic).
    """

    def __init__(
        self,
        *,
        regularization_strength: float = 0.02,
        sentence_regularization_strength: float = 0.2,
        class_weight_power: float = 0.75,
        min_document_frequency: int = 2,
        max_iterations: int = 3000,
        random_state: int = 0,
        embedder: Embedder | None = None,
    ) -> None:
        self.regularization_strength = regularization_strength
        self.sentence_regularization_strength = sentence_regularization_strength
        self.class_weight_power = class_weight_power
        self.min_document_frequency = min_document_frequency
        self.max_iterations = max_iterations
        self.random_state = random_state
        self.embedder = embedder

    # ------------------------------------------------------------------ features
    def _example(self, claim: str, text: str) -> _Example:
        extractor = self.extractor_
        rows = sentence_rows(extractor, claim, text, self.embedder)
        short = len(extractor.text_cues(text).sentences) <= SHORT_TEXT_SENTENCES
        document_features, _ = extractor.features(claim, text)
        # Some features sum over sets of words, whose order (and so the last bits of the sum)
        # changes with each process's string hashing: rounded, a model file is the same
        # bytes from every run.
        document_features = np.round(document_features, _FEATURE_DECIMALS)
        dense = np.round(rows.dense, _FEATURE_DECIMALS)
        if not rows.numbers:
            width = len(SENTENCE_FEATURE_NAMES) + len(DENSE_FEATURE_NAMES)
            empty = np.zeros((0, 3 * width))
            document = np.concatenate(
                [
                    np.zeros(len(SENTENCE_FEATURE_NAMES)),
                    document_features,
                    np.zeros(len(SENTENCE_FEATURE_NAMES)),
                ]
            )
            return _Example(
                short,
                empty,
                (),
                _augment(document[None, :], short)[0],
                np.zeros(0),
                np.zeros((0, 2), dtype=bool),
            )
        context = np.tile(document_features, (len(rows.numbers), 1))
        sentences = np.hstack([dense, context])
        document = np.concatenate([sentences[0], dense.max(axis=0)])
        rules = dense[:, _RULE_STATES] - dense[:, _RULE_DENIES]
        return _Example(
            short,
            _augment(sentences, short),
            rows.numbers,
            _augment(document[None, :], short)[0],
            rules,
            _eligible(dense, short),
        )

    # ------------------------------------------------------------------ training
    def fit(self, claims: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> StanceModel:
        """Learn from (claim, text, stance) triples; stances are values of LABELS."""
        idf, default_idf = _idf_table(
            dict.fromkeys(texts), min_document_frequency=self.min_document_frequency
        )
        self.extractor_ = FeatureExtractor(idf, default_idf=default_idf, cache_size=len(set(texts)) + 16)
        from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

        with threadpool_limits(limits=1):  # one BLAS thread: the same sums on every machine
            return self._fit_on(claims, texts, labels)

    def _fit_on(self, claims: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> StanceModel:
        examples = [self._example(claim, text) for claim, text in zip(claims, texts, strict=True)]
        y = np.array([LABELS.index(label) for label in labels])  # type: ignore[arg-type]
        # The gates are chosen on a third of the topics (claims and texts linked by a pair)
        # that the first fit did not see: new topics, as the model will meet them.
        topic = _topics(claims, texts)
        distinct = sorted(set(topic))
        random.Random(self.random_state).shuffle(distinct)
        held = set(distinct[: len(distinct) // 3])
        tuning = np.array([number in held for number in topic])
        self._fit_scorers([e for e, t in zip(examples, tuning, strict=True) if not t], y[~tuning])
        self.gates_ = self._choose_gates([e for e, t in zip(examples, tuning, strict=True) if t], y[tuning])
        self._fit_scorers(examples, y)
        return self

    def _class_weights(self, y: np.ndarray) -> np.ndarray:
        counts = np.bincount(y, minlength=len(LABELS))
        return (len(y) / (len(LABELS) * np.maximum(counts, 1))) ** self.class_weight_power

    def _fit(self, rows: np.ndarray, y: np.ndarray, strength: float) -> _Scorer:
        mean = rows.mean(axis=0)
        scale = rows.std(axis=0)
        scale[scale == 0] = 1.0
        # Fitted tightly and rounded: the last bits of numpy's sums depend on where arrays
        # happen to sit in memory, and the gate search would amplify them (the model file
        # must be the same bytes from every run).
        from sklearn.linear_model import LogisticRegression  # training only: answering never imports it

        classifier = LogisticRegression(
            C=strength, max_iter=self.max_iterations, solver="newton-cg", tol=1e-8
        )
        classifier.fit((rows - mean) / scale, y, sample_weight=self._class_weights(y)[y])
        return _Scorer(
            mean,
            scale,
            np.round(classifier.coef_, _COEFFICIENT_DECIMALS),
            np.round(classifier.intercept_, _COEFFICIENT_DECIMALS),
        )

    def _fit_scorers(self, examples: Sequence[_Example], y: np.ndarray) -> None:
        self.document_ = self._fit(np.vstack([e.document for e in examples]), y, self.regularization_strength)
        # The sentence judge, multiple-instance: a discussing text's candidates all discuss;
        # an agreeing (refuting) text has one stating (denying) sentence: first guessed as the
        # candidate covering most of the claim, then the one the judge finds most so.
        owners = [i for i, e in enumerate(examples) for _ in e.numbers]
        rows = np.vstack([e.sentences for e in examples if e.numbers])
        labels = y[owners]
        eligible = np.vstack([e.eligible for e in examples if e.numbers])
        # Only a sentence that can carry the text's side is its stating (denying) sentence;
        # a text with none teaches the judge nothing about that side.
        can_carry = np.ones(len(owners), dtype=bool)
        sides = labels != DISCUSSES
        can_carry[sides] = eligible[sides, labels[sides]]
        chosen = np.zeros(len(owners), dtype=bool)
        for owner in sorted(set(owners)):
            rows_of = [row for row, o in enumerate(owners) if o == owner and can_carry[row]]
            if rows_of and labels[rows_of[0]] != DISCUSSES:
                chosen[rows_of[0]] = True
        for round_number in range(2):
            use = (labels == DISCUSSES) | chosen
            self.sentence_ = self._fit(rows[use], labels[use], self.sentence_regularization_strength)
            if round_number == 1:
                break
            probabilities = self.sentence_.probabilities(rows)
            best: dict[int, int] = {}
            for row, (owner, label) in enumerate(zip(owners, labels, strict=True)):
                if (
                    label != DISCUSSES
                    and can_carry[row]
                    and (owner not in best or probabilities[row, label] > probabilities[best[owner], label])
                ):
                    best[owner] = row
            chosen = np.zeros(len(owners), dtype=bool)
            chosen[list(best.values())] = True

    def _choose_gates(self, examples: Sequence[_Example], y: np.ndarray) -> dict[str, tuple[float, float]]:
        """Per kind of text, the (supports, refutes) gates that score best on ``examples``."""
        scored = [self._scores(example) for example in examples]
        gates = {}
        for kind in _KINDS:
            chosen = [i for i, e in enumerate(examples) if e.short == (kind == "short")]
            best = (-1.0, 0.5, 0.5)
            for supports_gate in _GATE_GRID:
                for refutes_gate in _GATE_GRID:
                    gate = (supports_gate, refutes_gate)
                    predicted = [
                        _decide(*scored[i], gate, examples[i].rules, examples[i].eligible)[0] for i in chosen
                    ]
                    score = _precision_first_score(y[chosen], predicted)
                    if score > best[0] + 1e-9:
                        best = (score, supports_gate, refutes_gate)
            gates[kind] = best[1:]
        return gates

    # ----------------------------------------------------------------- inference
    def _scores(self, example: _Example) -> tuple[int, np.ndarray]:
        """The reader's lean and the judge's probabilities for each candidate sentence."""
        lean = int(self.document_.probabilities(example.document[None, :])[0].argmax())
        if not example.numbers:
            return lean, np.zeros((0, len(LABELS)))
        return lean, self.sentence_.probabilities(example.sentences)

    def judge(self, claim: str, text: str) -> Judgement:
        """The text's stance toward the claim and the sentence it rests on."""
        example = self._example(claim, text)
        lean, sentences = self._scores(example)
        gates = self.gates_["short" if example.short else "article"]
        label, candidate = _decide(lean, sentences, gates, example.rules, example.eligible)
        if candidate is None:
            return Judgement("discusses", None, 0.0)
        return Judgement(LABELS[label], example.numbers[candidate], float(sentences[candidate, label]))

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> list[Stance]:
        """The stance of each text toward its claim."""
        return [self.judge(claim, text).stance for claim, text in zip(claims, texts, strict=True)]

    # ------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write the model to one compressed ``.npz`` file; returns its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        idf = self.extractor_.idf
        metadata = {
            "format_version": FORMAT_VERSION,
            "labels": list(LABELS),
            "sentence_features": list(SENTENCE_FEATURE_NAMES),
            "document_features": list(DENSE_FEATURE_NAMES),
            "idf_stems": list(idf),
            "default_idf": self.extractor_.default_idf,
            "gates": {kind: list(gate) for kind, gate in self.gates_.items()},
            "embeddings": self.embedder is not None,
            "parameters": {
                "regularization_strength": self.regularization_strength,
                "sentence_regularization_strength": self.sentence_regularization_strength,
                "class_weight_power": self.class_weight_power,
                "min_document_frequency": self.min_document_frequency,
                "random_state": self.random_state,
            },
        }
        arrays = {
            "metadata": np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8),
            "idf_values": np.array(list(idf.values()), dtype=np.float32),
        }
        for name, scorer in (("sentence", self.sentence_), ("document", self.document_)):
            for part in ("mean", "scale", "coef", "intercept"):
                arrays[f"{name}_{part}"] = getattr(scorer, part).astype(np.float32)
        write_npz(path, arrays)
        return path

    @classmethod
    def load(cls, path: str | Path, *, embedder: Embedder | None = None) -> StanceModel:
        """Read a model written by ``save``; ``embedder`` must be the one it was trained with."""
        with np.load(path, allow_pickle=False) as archive:
            metadata = json.loads(archive["metadata"].tobytes().decode("utf-8"))
            if metadata["format_version"] != FORMAT_VERSION or tuple(metadata["labels"]) != LABELS:
                raise ValueError(f"{path}: not a stance model this code can read; run `citebot train`")
            if (
                tuple(metadata["sentence_features"]) != SENTENCE_FEATURE_NAMES
                or tuple(metadata["document_features"]) != DENSE_FEATURE_NAMES
            ):
                raise ValueError(f"{path}: trained with other features; run `citebot train`")
            if metadata["embeddings"] != (embedder is not None):
                raise ValueError(
                    f"{path}: trained {'with' if metadata['embeddings'] else 'without'} embeddings"
                )
            model = cls(**metadata["parameters"], embedder=embedder)
            idf = dict(zip(metadata["idf_stems"], archive["idf_values"].astype(float).tolist(), strict=True))
            model.extractor_ = FeatureExtractor(idf, default_idf=metadata["default_idf"])
            model.gates_ = {kind: tuple(gate) for kind, gate in metadata["gates"].items()}
            for name in ("sentence", "document"):
                parts = {
                    part: archive[f"{name}_{part}"].astype(np.float64)
                    for part in ("mean", "scale", "coef", "intercept")
                }
                setattr(model, f"{name}_", _Scorer(**parts))
        return model


def _topics(claims: Sequence[str], texts: Sequence[str]) -> list[int]:
    """Each pair's topic: the connected component of the graph linking claims and texts
    that are paired, numbered in order of first appearance."""
    numbers = connected_components(
        ("c:" + claim, "t:" + text, True) for claim, text in zip(claims, texts, strict=True)
    )
    return [numbers["c:" + claim] for claim in claims]


def _precision_first_score(gold: np.ndarray, predicted: Sequence[int]) -> float:
    """What the gates maximise: the mean of F0.5 for supports and for refutes (a wrong side
    costs twice a missed one: a false "the sources disagree" is worse than a silent one)
    and F1 for discusses."""
    from sklearn.metrics import f1_score, fbeta_score  # training only

    sides = fbeta_score(gold, predicted, beta=0.5, labels=[SUPPORTS, REFUTES], average=None, zero_division=0)
    discusses = f1_score(gold, predicted, labels=[DISCUSSES], average=None, zero_division=0)
    return float((sides.sum() + discusses.sum()) / 3)


def _decide(
    lean: int, sentences: np.ndarray, gates: tuple[float, float], rules: np.ndarray, eligible: np.ndarray
) -> tuple[int, int | None]:
    """(label, candidate) of a text.

    Words first: when the word rules read its sentences as taking one side only, that side
    (resting on the rule sentence the judge finds most so); when they take both, the lean
    if it is one of them. Otherwise the lean, when it is a side and a candidate that can
    carry that side is judged to take it with at least the gate's probability; else
    discusses. ``rules`` holds each candidate's side by the word rules (+1 states, -1
    denies, 0), ``eligible`` whether it can carry supports / refutes.
    """
    if not len(sentences):
        return DISCUSSES, None
    ruled = {SUPPORTS if side > 0 else REFUTES for side in rules if side}
    if len(ruled) == 2 and lean in ruled:
        ruled = {lean}
    if len(ruled) == 1:
        label = ruled.pop()
        sign = 1 if label == SUPPORTS else -1
        candidates = np.flatnonzero(rules == sign)
        return label, int(candidates[sentences[candidates, label].argmax()])
    if ruled or lean == DISCUSSES:
        return DISCUSSES, None
    candidates = np.flatnonzero(eligible[:, lean])
    if not len(candidates):
        return DISCUSSES, None
    candidate = int(candidates[sentences[candidates, lean].argmax()])
    if sentences[candidate, lean] < gates[lean]:
        return DISCUSSES, None
    return lean, candidate


def _eligible(dense: np.ndarray, short: bool) -> np.ndarray:
    """(n_candidates, 2): which candidate sentences can carry supports and refutes.

    In an article, a stating sentence holds at least half of the claim's predicate and
    asks nothing; a denying sentence also says so in words of denial: a negation next to
    the claim's words, a refutation cue ("hoax", "denied"), a number that differs from the
    claim's, or a denial the word rules read. A sentence of a one- or two-sentence text
    can deny the claim by saying something else (a premise contradicts a claim without
    negating it word for word), but states it only when it holds the claim's predicate or
    a counterpart in meaning for each of the claim's words.
    """
    holds_predicate = dense[:, _COVER_PREDICATE] >= 0.5
    if short:
        # Every claim word has a counterpart in meaning ("sleeps" / "sleeping", "couch" /
        # "sofa"), or the sentence holds the predicate: a premise naming only the subject
        # ("Ballerina is a 2023 Korean action film") cannot state that it is a true story.
        states = holds_predicate | (dense[:, _SOFT_ALIGNMENT_MIN] >= UNMATCHED_SIMILARITY)
        return np.column_stack([states, np.ones(len(dense), dtype=bool)])
    states = holds_predicate & (dense[:, _QUESTION] == 0)
    denial = dense[:, _DENIAL_WORDS].max(axis=1) > 0
    return np.column_stack([states, states & denial])


def shipped_embedder() -> Embedder | None:
    """The embeddings the shipped model is trained and read with (None if not installed)."""
    from retrieval.text.embeddings import EmbeddingsUnavailable, default_embedder

    try:
        return default_embedder()
    except EmbeddingsUnavailable:
        return None


@lru_cache(maxsize=1)
def default_model() -> StanceModel:
    """The shipped model, loaded once on first use."""
    return StanceModel.load(DEFAULT_MODEL_PATH, embedder=shipped_embedder())
