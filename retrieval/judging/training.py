"""``citebot train``: every judging model, trained deterministically from ../shared/data.

    citebot train [--data-dir ../shared/data] [--seed 0] [--only NAME]

Trainers register here by name, each writing one model file in retrieval/models/; the
same data and seed give the same bytes. Benchmarks call the same functions on part of
the data (``train_judging_models(articles)``) to measure on the rest.

Relevance and quotes learn from SQuAD v1.1 dev articles. Each article's questions are
asked of a corpus of all the given articles' paragraphs (on-topic: the paragraph a
question was written from is the source to cite, and its sentence holding the answer the
one to quote) and of a corpus of all of them but its own article (off-topic: nothing
should be cited); the corpora are thus about as large as those the benchmark measures
on. Thresholds are chosen on predictions for the even-numbered articles' questions by
models fitted on the odd ones' and the reverse (cross-fitting), so that they hold for
questions the models never saw.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from retrieval.corpus.documents import Document
from retrieval.judging.evidence import examine, question_query, question_view, source_sentences
from retrieval.judging.linear import LinearScorer
from retrieval.judging.models import QUOTE_MODEL_PATH, RELEVANCE_MODEL_PATH, JudgingModels
from retrieval.judging.parameters import DEFAULT_PARAMETERS, JudgingParameters
from retrieval.judging.quotes import (
    SENTENCE_FEATURES,
    WORD_FEATURES,
    QuoteModel,
    choose_quotes,
    sentence_features,
    word_features,
    word_spans,
)
from retrieval.judging.reading import Reader
from retrieval.judging.relevance import (
    GATE_FEATURES,
    QUESTION_SELECTOR_FEATURES,
    SELECTOR_FEATURES,
    CandidateRows,
    GateAndSelector,
    RelevanceFeatures,
    RelevanceModel,
)
from retrieval.judging.squad import SQUAD_FILE, SquadArticle, SquadQuestion, documents_of, read_squad
from retrieval.judging.stance.data import FNC_FILES, Pair, read_pairs
from retrieval.search.index import PassageIndex
from retrieval.text.derivations import Derivations
from retrieval.text.embeddings import Embedder, default_embedder
from retrieval.text.sentences import sentence_spans

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / ".." / "shared" / "data"


def build_index(documents: Sequence[Document]) -> PassageIndex:
    texts = [document.quotable_text for document in documents]
    return PassageIndex().fit(texts, [sentence_spans(text) for text in texts])


# ---- examples --------------------------------------------------------------------------
@dataclass
class Corpus:
    """A SQuAD corpus (some articles' paragraphs) indexed, with a reader for its documents
    (which corpora may share: a document reads the same in any corpus)."""

    documents: list[Document]
    reader: Reader
    index: PassageIndex = field(init=False)
    numbers: dict[str, int] = field(init=False)
    derivations: Derivations | None = field(init=False)

    def __post_init__(self) -> None:
        self.index = build_index(self.documents)
        embedder = self.reader.embedder
        self.derivations = (
            None
            if embedder is None
            else Derivations(embedder.words().__contains__, self.index.analyzer.words)
        )
        self.numbers = {document.id: number for number, document in enumerate(self.documents)}


@dataclass(frozen=True)
class RelevanceExample:
    """One question (or claim) asked of a corpus that covers it and of one that does not."""

    group: int  # its cross-fitting group
    on_topic: RelevanceFeatures | None  # its candidates in the corpus that covers it (None: none)
    relevant: np.ndarray  # per on-topic candidate: a source that should be cited
    # Per on-topic candidate: the selector learns from it. Not from another paragraph of a
    # SQuAD question's own article (it may well address the question too, or not), nor
    # from an FNC-1 body of the claim's topic that is not paired with it.
    learn: np.ndarray
    n_relevant: int  # how many sources of the corpus should be cited (recall's denominator)
    off_topic: RelevanceFeatures | None  # its candidates in the corpus that does not cover it
    candidates: tuple[str, ...] = ()  # the on-topic candidates' document ids
    question: str = ""
    # Asked of corpora as large as the benchmark's: thresholds are chosen on these alone
    # (the small-corpus examples teach the models how corpus size shifts the evidence).
    calibrate: bool = True

    @property
    def gold(self) -> int:
        """The position of the first relevant candidate (-1: none)."""
        found = np.flatnonzero(self.relevant)
        return int(found[0]) if len(found) else -1


@dataclass(frozen=True)
class QuoteExample:
    group: int
    sentence_features: np.ndarray  # (sentences, SENTENCE_FEATURES) of its paragraph
    holds_answer: np.ndarray  # (sentences,) bool
    word_features: np.ndarray  # (words, WORD_FEATURES) of the first sentence holding the answer
    in_answer: np.ndarray  # (words,) bool
    # What choose_quotes needs to replay the choice with other settings:
    text: str
    spans: tuple[tuple[int, int], ...]
    penalties: np.ndarray
    answers: tuple[tuple[str, int], ...]
    words_of: Callable[[Sequence[tuple[int, int]]], np.ndarray] | None = None


@dataclass
class SquadExamples:
    relevance: list[RelevanceExample]
    quotes: list[QuoteExample]


def squad_examples(
    articles: Sequence[SquadArticle],
    *,
    embedder: Embedder | None,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    with_quotes: bool = True,
    with_relevance: bool = True,
) -> SquadExamples:
    """Relevance and quote examples from these articles (see the module's docstring)."""
    reader = Reader(embedder, max_documents=sum(len(a.paragraphs) for a in articles) + 1)
    everything = Corpus(documents_of(articles), reader)
    examples = SquadExamples([], [])
    for position, article in enumerate(articles):
        others = (
            Corpus(documents_of([a for a in articles if a is not article]), reader)
            if with_relevance
            else None
        )
        group = position % 2
        questions = article.questions
        if with_relevance:
            examples.relevance.extend(relevance_examples(questions, everything, others, group, parameters))
            # The same questions asked of their own article alone, and of the next one alone.
            alone = Corpus(documents_of([article]), reader)
            neighbour = Corpus(documents_of([articles[(position + 1) % len(articles)]]), reader)
            small = relevance_examples(questions, alone, neighbour, group, parameters)
            examples.relevance.extend(replace(example, calibrate=False) for example in small)
        if with_quotes:
            examples.quotes.extend(quote_examples(questions, everything, group, parameters))
    return examples


def relevance_examples(
    questions: Sequence[SquadQuestion],
    on_topic: Corpus,
    off_topic: Corpus,
    group: int,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
) -> list[RelevanceExample]:
    """Each question asked of a corpus holding its paragraph and of one that does not."""
    examples = []
    for question in questions:
        on, ids = _relevance_features(on_topic, question.question, parameters)
        off, _ = _relevance_features(off_topic, question.question, parameters)
        relevant = np.array([i == question.paragraph for i in ids], dtype=bool)
        article = _article(question.paragraph)
        learn = np.array([_article(i) != article or i == question.paragraph for i in ids], dtype=bool)
        examples.append(RelevanceExample(group, on, relevant, learn, 1, off, tuple(ids), question.question))
    return examples


def topics(pairs: Sequence[Pair]) -> dict[str, int]:
    """FNC-1 topics: the connected components of the headline–body graph over related
    pairs. Maps every headline (``"h:" + text``) and body (``"b:" + id``) to its topic."""
    nodes = sorted({f"h:{p.headline}" for p in pairs} | {f"b:{p.body_id}" for p in pairs})
    number = {node: i for i, node in enumerate(nodes)}
    related = [(number[f"h:{p.headline}"], number[f"b:{p.body_id}"]) for p in pairs if p.related]
    rows, columns = (
        (np.array(side, dtype=np.int64) for side in zip(*related, strict=True))
        if related
        else (
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
        )
    )
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    return {node: int(labels[number[node]]) for node in nodes}


def claim_examples(
    pairs: Sequence[Pair],
    *,
    reader: Reader,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    groups: int = 4,
    pool: int = 100,
) -> list[RelevanceExample]:
    """Each headline (a claim) asked of a corpus of every body (its related bodies are the
    sources to cite, however many) and of one without its topic's bodies (nothing to
    cite). Topics are dealt into ``groups`` cross-fitting groups."""
    topic = topics(pairs)
    bodies = {pair.body_id: pair.body for pair in pairs}
    documents = [Document(id=body_id, title=body_id, text=text) for body_id, text in sorted(bodies.items())]
    everything = Corpus(documents, reader)
    group_of = {t: k % groups for k, t in enumerate(sorted(set(topic.values())))}
    related: dict[str, set[str]] = {}
    pair_of: dict[str, set[str]] = {}  # the bodies each headline is paired with, related or not
    for pair in pairs:
        pair_of.setdefault(pair.headline, set()).add(pair.body_id)
        related.setdefault(pair.headline, set())
        if pair.related:
            related[pair.headline].add(pair.body_id)
    examples = []
    topic_documents: dict[int, list[Document]] = {}
    for document in documents:
        topic_documents.setdefault(topic[f"b:{document.id}"], []).append(document)
    topic_order = sorted(topic_documents)
    small_corpora: dict[int, Corpus] = {}

    def alone(of_topic: int) -> Corpus:
        if of_topic not in small_corpora:
            small_corpora[of_topic] = Corpus(topic_documents[of_topic], reader)
        return small_corpora[of_topic]

    for group in range(groups):
        others = Corpus([d for d in documents if group_of[topic[f"b:{d.id}"]] != group], reader)
        for headline in sorted(h for h in related if group_of[topic[f"h:{h}"]] == group):
            on, ids = _relevance_features(everything, headline, parameters, pool=pool)
            off, _ = _relevance_features(others, headline, parameters, pool=pool)
            relevant = np.array([i in related[headline] for i in ids], dtype=bool)
            own_topic = topic[f"h:{headline}"]
            learn = np.array(
                [i in related[headline] or topic[f"b:{i}"] != own_topic for i in ids], dtype=bool
            )
            examples.append(
                RelevanceExample(
                    group, on, relevant, learn, len(related[headline]), off, tuple(ids), headline
                )
            )
            # The claim asked of its topic's bodies alone, and of the next topic's alone.
            neighbour = topic_order[(topic_order.index(own_topic) + 1) % len(topic_order)]
            on, ids = _relevance_features(alone(own_topic), headline, parameters, pool=pool)
            off, _ = _relevance_features(alone(neighbour), headline, parameters, pool=pool)
            relevant = np.array([i in related[headline] for i in ids], dtype=bool)
            examples.append(
                RelevanceExample(
                    group,
                    on,
                    relevant,
                    np.array([i in pair_of[headline] for i in ids], dtype=bool),  # labelled pairs only
                    int(relevant.sum()),
                    off,
                    tuple(ids),
                    headline,
                    calibrate=False,
                )
            )
    return examples


def fit_relevance(
    question_examples: Sequence[RelevanceExample],
    claim_examples_: Sequence[RelevanceExample],
    *,
    seed: int = 0,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    gate_features: Sequence[str] = GATE_FEATURES,
    selector_features: Sequence[str] = SELECTOR_FEATURES,
) -> RelevanceModel:
    """Open questions' part from SQuAD (R@5 kept within a point of citing every candidate),
    claims' part from FNC-1 (every related article should be cited: the best F-score)."""
    options = {
        "seed": seed,
        "parameters": parameters,
        "gate_features": gate_features,
        "selector_features": selector_features,
    }
    questions = fit_gate_and_selector(
        question_examples,
        shown=parameters.sources_shown,
        off_topic_rate=parameters.training_off_topic_rate,
        source_rule="recall",
        **{**options, "selector_features": _without_corpus_size(selector_features)},  # type: ignore[arg-type]
    )
    claims = fit_gate_and_selector(
        claim_examples_,
        shown=None,
        off_topic_rate=parameters.training_claim_off_topic_rate,
        source_rule="f",
        **options,  # type: ignore[arg-type]
    )
    return RelevanceModel(questions, claims)


def _without_corpus_size(selector_features: Sequence[str]) -> tuple[str, ...]:
    """An open question's selector reads no corpus size (``QUESTION_SELECTOR_FEATURES``)."""
    return tuple(name for name in selector_features if name in QUESTION_SELECTOR_FEATURES)


def quote_examples(
    questions: Sequence[SquadQuestion],
    corpus: Corpus,
    group: int,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
) -> list[QuoteExample]:
    """Each question's paragraph (in ``corpus``) as the quote model reads it, with the answer."""
    examples = (_quote_example(corpus, question, group, parameters) for question in questions)
    return [example for example in examples if example is not None]


def _article(paragraph_id: str) -> str:
    return paragraph_id.split("-")[0]


def _relevance_features(
    corpus: Corpus, question: str, parameters: JudgingParameters, *, pool: int | None = None
) -> tuple[RelevanceFeatures | None, list[str]]:
    """The question's candidates' features in ``corpus``, and the candidates' ids."""
    index = corpus.index
    query = question_query(index, question, corpus.derivations, parameters)
    candidates = index.search(query, limit=pool or parameters.candidate_pool)
    if len(candidates.documents) == 0:
        return None, []
    examined = examine(index, corpus.documents, corpus.reader, question, query, candidates, parameters)
    return examined.features, [corpus.documents[int(number)].id for number in candidates.documents]


def _quote_example(
    corpus: Corpus, question: SquadQuestion, group: int, parameters: JudgingParameters
) -> QuoteExample | None:
    index = corpus.index
    query = question_query(index, question.question, corpus.derivations, parameters)
    number = corpus.numbers[question.paragraph]
    if len(query.term_ids) == 0:
        return None
    rows = CandidateRows.of(index, query, np.array([number]))
    (source,) = source_sentences(
        index, corpus.documents, corpus.reader, query, [number], rows, [0], parameters
    )
    view = question_view(
        index,
        question.question,
        query,
        corpus.reader.embed_question(question.question),
        corpus.reader.embedder,
        corpus.derivations,
    )
    features_ = sentence_features(source, view)
    holds = np.array(
        [
            any(start <= at and at + len(text) <= end for text, at in question.answers)
            for start, end in source.spans
        ]
    )
    if not holds.any():  # the answer crosses a sentence boundary: no sentence to learn from
        return None
    first = int(np.flatnonzero(holds)[0])
    words = word_spans(source.text, *source.spans[first])
    in_answer = np.array(
        [any(start < at + len(text) and at < end for text, at in question.answers) for start, end in words]
    )
    return QuoteExample(
        group=group,
        sentence_features=features_,
        holds_answer=holds,
        word_features=word_features(source.text, words, view),
        in_answer=in_answer,
        text=source.text,
        spans=tuple(source.spans),
        penalties=source.penalties,
        answers=question.answers,
        words_of=lambda spans_, text=source.text, view=view: word_features(text, spans_, view),
    )


# ---- fitting ---------------------------------------------------------------------------
def fit_gate_and_selector(
    examples: Sequence[RelevanceExample],
    *,
    shown: int | None,
    off_topic_rate: float,
    source_rule: str,
    seed: int = 0,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    gate_features: Sequence[str] = GATE_FEATURES,
    selector_features: Sequence[str] = SELECTOR_FEATURES,
) -> GateAndSelector:
    """The gate and selector fitted on all examples; thresholds from cross-fitted
    predictions: the answer threshold lets ``off_topic_rate`` of off-topic questions through;
    the source threshold keeps all but a small share of the relevant sources
    (``source_rule="recall"``) or gives the best F-score of citing them (``"f"``; recall
    weighted by ``claim_source_recall_weight``), counting the first ``shown`` sources cited
    (None: all)."""
    gate_columns = [GATE_FEATURES.index(name) for name in gate_features]
    selector_columns = [SELECTOR_FEATURES.index(name) for name in selector_features]

    def fitted(part: Sequence[RelevanceExample]) -> GateAndSelector:
        gate_x, gate_y, selector_x, selector_y = [], [], [], []
        for example in part:
            for features, label in ((example.on_topic, example.n_relevant > 0), (example.off_topic, False)):
                if features is not None:
                    gate_x.append(features.gate()[gate_columns])
                    gate_y.append(label)
            if example.on_topic is not None:
                selector_x.append(example.on_topic.selector()[example.learn][:, selector_columns])
                selector_y.append(example.relevant[example.learn])
        gate = LinearScorer.fit_logistic(np.array(gate_x), np.array(gate_y), gate_features, seed=seed)
        selector = LinearScorer.fit_logistic(
            np.vstack(selector_x), np.concatenate(selector_y), selector_features, seed=seed
        )
        return GateAndSelector(gate, selector, answer_threshold=0.5, source_threshold=0.0)

    # Cross-fitted predictions: each group's questions scored by a model of the others',
    # over the examples thresholds are chosen on.
    gate_on, gate_off, judged = [], [], []
    calibrating = [e for e in examples if e.calibrate]
    for group in sorted({e.group for e in examples}):
        model = fitted([e for e in examples if e.group != group])
        for example in (e for e in calibrating if e.group == group):
            gate_off.append(model.answer_probability(example.off_topic) if example.off_topic else 0.0)
            if example.on_topic is None:
                gate_on.append(0.0)
                judged.append((np.zeros(0), example.relevant, example.learn))
                continue
            gate_on.append(model.answer_probability(example.on_topic))
            judged.append((model.source_probabilities(example.on_topic), example.relevant, example.learn))
    answer_threshold = float(np.quantile(gate_off, 1.0 - off_topic_rate))
    answered = np.array(gate_on) >= answer_threshold
    total_relevant = sum(e.n_relevant for e in calibrating) or 1

    def cited_counts(threshold: float) -> tuple[int, int]:
        """(relevant sources cited, learnable sources cited) at this source threshold."""
        found = cited_learnable = 0
        for (probabilities, relevant, learn), answers in zip(judged, answered, strict=True):
            if answers and len(probabilities):
                order = np.argsort(-probabilities, kind="stable")
                cited = order[(probabilities[order] >= threshold) | (np.arange(len(order)) == 0)][:shown]
                found += int(relevant[cited].sum())
                cited_learnable += int(learn[cited].sum())
        return found, cited_learnable

    pooled = np.concatenate([p[r] for (p, r, _), a in zip(judged, answered, strict=True) if a and len(p)])
    grid = np.unique(np.quantile(pooled, np.linspace(0.0, 0.9, 91))) if len(pooled) else np.zeros(1)
    counts = {float(t): cited_counts(float(t)) for t in grid}
    if source_rule == "recall":
        # Keep all but a small share of the relevant sources citing every candidate would find.
        floor = cited_counts(0.0)[0] / total_relevant - parameters.training_source_recall_loss
        source_threshold = max(
            (t for t, (found, _) in counts.items() if found / total_relevant >= floor), default=0.0
        )
    else:
        # The best F-score of citing the relevant sources, recall weighted by beta (cited when it
        # should be, silent when it should not).
        beta2 = parameters.claim_source_recall_weight**2

        def f_score(found: int, cited: int) -> float:
            denominator = beta2 * total_relevant + cited
            return (1 + beta2) * found / denominator if denominator else 0.0

        source_threshold = max(counts, key=lambda t: f_score(*counts[t]))
    final = fitted(examples)
    return GateAndSelector(
        final.gate, final.selector, answer_threshold=answer_threshold, source_threshold=source_threshold
    )


def fit_quotes(
    examples: Sequence[QuoteExample],
    *,
    seed: int = 0,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    sentence_features: Sequence[str] = SENTENCE_FEATURES,
    word_features_: Sequence[str] = WORD_FEATURES,
) -> QuoteModel:
    """The ranker and locator fitted on all examples; the minimum probability of a further
    quote chosen on cross-fitted predictions."""

    def fitted(part: Sequence[QuoteExample], minimum: float) -> QuoteModel:
        sentence_columns = [SENTENCE_FEATURES.index(name) for name in sentence_features]
        word_columns = [WORD_FEATURES.index(name) for name in word_features_]
        features = np.vstack([e.sentence_features[:, sentence_columns] for e in part])
        groups = np.concatenate([np.full(len(e.holds_answer), k) for k, e in enumerate(part)])
        labels = np.concatenate([e.holds_answer for e in part])
        ranker = LinearScorer.fit_pairwise(features, groups, labels, sentence_features, seed=seed)
        words = np.vstack([e.word_features[:, word_columns] for e in part])
        in_answer = np.concatenate([e.in_answer for e in part])
        locator = LinearScorer.fit_logistic(words, in_answer, word_features_, seed=seed)
        return QuoteModel(ranker, locator, further_quote_min_probability=minimum)

    grid = (0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3)
    held = {minimum: 0 for minimum in grid}
    for group in (0, 1):
        model = fitted([e for e in examples if e.group != group], 0.0)
        for example in (e for e in examples if e.group == group):
            for minimum in grid:
                model.further_quote_min_probability = minimum
                shown = replay_quotes(model, example, parameters)
                held[minimum] += answer_in_quotes(example, shown)
    floor = held[0.0] - parameters.training_quote_recall_loss * len(examples)
    minimum = max(m for m in grid if held[m] >= floor)
    return fitted(examples, minimum)


def answer_in_quotes(example: QuoteExample, quotes: Sequence[tuple[int, int]]) -> bool:
    """Does one of the quotes hold one of the gold answers (case and spaces normalised)?"""
    shown = [normalised(example.text[start:end]) for start, end in quotes]
    return any(normalised(answer) in quote for answer, _ in example.answers for quote in shown)


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def train_judging_models(
    articles: Sequence[SquadArticle],
    claim_pairs: Sequence[Pair],
    *,
    seed: int = 0,
    embedder: Embedder | None = None,
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    use_embeddings: bool = True,
) -> JudgingModels:
    """Relevance and quote models trained on these SQuAD articles and FNC-1 pairs only,
    bundled with the shipped stance model (benchmarks: train on one part, measure on the
    rest; e.g. ``train_judging_models(first_half, fnc_training_pairs)``)."""
    embedder = (embedder or default_embedder()) if use_embeddings else None
    examples = squad_examples(articles, embedder=embedder, parameters=parameters)
    claims = claim_examples(
        claim_pairs, reader=Reader(embedder, max_documents=100_000), parameters=parameters
    )
    relevance = fit_relevance(examples.relevance, claims, seed=seed, parameters=parameters)
    quotes = fit_quotes(examples.quotes, seed=seed, parameters=parameters)
    return JudgingModels(relevance=relevance, quotes=quotes, embedder=embedder, parameters=parameters)


def replay_quotes(
    model: QuoteModel, example: QuoteExample, parameters: JudgingParameters = DEFAULT_PARAMETERS
) -> tuple[tuple[int, int], ...]:
    """The (start, end) of the quotes ``model`` would show for an example's paragraph."""
    scores = model.ranker.score(example.sentence_features[:, model._ranker_columns])
    scores = scores - example.penalties
    probabilities = np.exp(scores - scores.max())
    probabilities /= probabilities.sum()

    def weights(words: Sequence[tuple[int, int]]) -> np.ndarray:
        assert example.words_of is not None
        likelihood = model.locator.probability(example.words_of(words)[:, model._locator_columns])
        return likelihood / (float(likelihood.sum()) or 1.0)

    quotes = choose_quotes(
        example.text,
        example.spans,
        probabilities,
        weights,
        parameters,
        further_quote_min_probability=model.further_quote_min_probability,
    )
    return tuple((quote.start, quote.end) for quote in quotes)


# ---- the command -----------------------------------------------------------------------
@dataclass(frozen=True)
class Trainer:
    """One model file and how to make it from the data folder and a seed."""

    name: str
    output: Path
    train: Callable[[Path, int, Path], str]  # (data_dir, seed, output) → a summary line


TRAINERS: dict[str, Trainer] = {}


def register(trainer: Trainer) -> Trainer:
    TRAINERS[trainer.name] = trainer
    return trainer


_SQUAD_MODELS: dict[tuple[Path, int], JudgingModels] = {}


def _squad_models(data_dir: Path, seed: int) -> JudgingModels:
    """Relevance and quotes are trained together from all of SQuAD dev (once per run)."""
    key = (data_dir.resolve(), seed)
    if key not in _SQUAD_MODELS:
        _SQUAD_MODELS[key] = train_judging_models(
            read_squad(data_dir / SQUAD_FILE), read_pairs(data_dir, *FNC_FILES), seed=seed
        )
    return _SQUAD_MODELS[key]


def _train_relevance(data_dir: Path, seed: int, output: Path) -> str:
    model = _squad_models(data_dir, seed).relevance
    model.save(output, training={"data": [SQUAD_FILE, *FNC_FILES], "seed": seed})
    return (
        f"questions: answer threshold {model.questions.answer_threshold:.3f}, source threshold "
        f"{model.questions.source_threshold:.3f}; claims: {model.claims.answer_threshold:.3f}, "
        f"{model.claims.source_threshold:.3f} (chosen on cross-fitted SQuAD questions and FNC-1 headlines)"
    )


def _train_quotes(data_dir: Path, seed: int, output: Path) -> str:
    model = _squad_models(data_dir, seed).quotes
    model.save(output, training={"data": SQUAD_FILE, "seed": seed})
    return (
        f"sentence ranker and answer locator; further quotes from probability "
        f"{model.further_quote_min_probability:.2f} (chosen on cross-fitted SQuAD questions)"
    )


def _train_stance(data_dir: Path, seed: int, output: Path) -> str:
    from retrieval.judging.stance.model import shipped_embedder
    from retrieval.judging.stance.train import fit_stance, training_data

    pairs, nli_pairs = training_data(data_dir)
    fit_stance(pairs, nli_pairs, seed=seed, embedder=shipped_embedder()).save(output)
    n_related = sum(pair.related for pair in pairs)
    return f"{n_related:,} related FNC-1 and ARC pairs, {len(nli_pairs):,} SNLI pairs"


def _register_defaults() -> None:
    from retrieval.judging.stance.model import DEFAULT_MODEL_PATH

    register(Trainer("relevance", RELEVANCE_MODEL_PATH, _train_relevance))
    register(Trainer("quotes", QUOTE_MODEL_PATH, _train_quotes))
    register(Trainer("stance", DEFAULT_MODEL_PATH, _train_stance))


_register_defaults()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citebot train",
        description="Train every judging model (relevance, quotes, stance) with a fixed seed.",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder with squad-v1.1-dev.json, fnc1-train-*.csv and arc-*.csv (default: ../shared/data)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--only", choices=sorted(TRAINERS), help="train this model only")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    names = [arguments.only] if arguments.only else list(TRAINERS)
    for name in names:
        trainer = TRAINERS[name]
        started = time.perf_counter()
        try:
            summary = trainer.train(arguments.data_dir, arguments.seed, trainer.output)
        except (OSError, KeyError, ValueError) as error:
            print(f"citebot train: cannot train {name} from {arguments.data_dir}: {error}", file=sys.stderr)
            return 2
        size = trainer.output.stat().st_size / 1e3
        seconds = time.perf_counter() - started
        print(f"{name}: wrote {trainer.output} ({size:,.0f} kB) in {seconds:.1f} s: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
