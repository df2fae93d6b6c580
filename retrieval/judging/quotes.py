"""Quotes that hold the answer: which sentences of a cited source to show, and where to cut.

A quote is always ``document.text[start:end]`` in whole words, at most ``max_quote_chars``
characters per source in all. Two learned linear models decide (``citebot train``, from
SQuAD, where the answer of each question is known):

- the **sentence ranker** scores each sentence of the source: the question's words it
  holds (idf-weighted, pairs too), its retrieval score and its neighbours', semantic
  similarity to the question (static word embeddings), and the answer kinds it holds
  crossed with the kind the question asks for (who → a name, when → a year or month,
  where → a place, how many → a number). It is fitted on pairs of sentences of the same
  paragraph (the one holding the answer against each other), so ``softmax(score)`` over a
  source's sentences estimates the probability that each holds the answer. A heading,
  question or photo caption keeps a prior below 1 (it asserts nothing);
- the **answer locator** scores each word of a sentence: how likely it is part of the
  answer (its kind against the question's, its distance to the question's words). A
  sentence too long for the room left is cut to the window of whole words holding the
  most of that likelihood, not at its start.

Sentences are taken most probable first while they fit the budget and are likely enough
to hold the answer; a sentence that opens by referring back ("The pair", "This", "She")
brings the sentence before it when both fit. Quotes are shown in document order, and
adjacent sentences join into one quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.answer import Quote
from retrieval.judging.answer_types import QUESTION_KINDS, SENTENCE_KINDS, has_new_name
from retrieval.judging.linear import LinearScorer, feature_columns, read_model_file, write_model_file
from retrieval.judging.parameters import DEFAULT_PARAMETERS, JudgingParameters
from retrieval.judging.reading import DocumentReading
from retrieval.text.analysis import STOP_WORDS

FORMAT_VERSION = 1
MAX_QUOTE_CHARS = DEFAULT_PARAMETERS.max_quote_chars

_BASE_FEATURES = (
    "score_share",  # retrieval score ÷ the source's best sentence's
    "score",  # retrieval score ÷ the question's norm
    "feedback_share",  # score for the question widened by its best passages' words ÷ the best
    "semantic",  # cosine similarity to the question
    "semantic_gap",  # ... minus the source's best
    "coverage",  # share of the question's unigram idf weight it holds
    "pairs",  # how many of the question's word pairs it holds
    "matched_words",  # how many of the question's words it holds
    "derived_matches",  # how many words derived from the question's it holds ("director")
    "top_score",  # it is the source's best by retrieval score
    "second_score",  # ... second best
    "top_semantic",  # it is the most similar to the question
    "first",  # it opens the document
    "last",
    "position",  # its position ÷ the number of sentences
    "log_length",  # log of its length in characters
    "refers_back",  # it opens with "The pair", "This", "She", ...
    "previous_score_share",
    "next_score_share",
    "previous_coverage",
    "next_coverage",
    "soft_coverage",  # mean over the question's words of their best cosine similarity to its words
    "soft_weakest",  # ... the least of them (a question word nothing in it resembles)
    "refers_back_to_best",  # refers back, times the previous sentence's score share
    "refers_back_to_coverage",  # refers back, times the previous sentence's coverage
)
SENTENCE_FEATURES = (
    *_BASE_FEATURES,
    *(f"{question}_{sentence}" for question in QUESTION_KINDS for sentence in SENTENCE_KINDS),
)
_WORD_KINDS = (
    "capital",
    "digit",
    "year",
    "month",
    "number_word",
    "stop",
    "question_word",
    "ends_clause",
    "lower",
)
_CROSSED_WORD_KINDS = ("capital", "digit", "year", "month", "number_word", "lower")
WORD_FEATURES = (
    *_WORD_KINDS,
    "log_distance",  # log(1 + words to the nearest question word)
    "log_distance_left",  # ... to the nearest one before it
    "log_distance_right",  # ... after it
    "question_words_within_3",
    "question_words_within_8",
    "position",  # its position in the sentence ÷ the sentence's words
    "no_question_word",  # the sentence holds none of the question's words
    *(f"{question}_{kind}" for question in QUESTION_KINDS for kind in _CROSSED_WORD_KINDS),
)
EMBEDDING_FEATURES = frozenset({"semantic", "semantic_gap", "top_semantic", "soft_coverage", "soft_weakest"})

# Matched at a sentence's start (``pattern.match(text, start)``: no "^", which would
# only match at the start of the whole text).
_REFERS_BACK = re.compile(
    r"(The (pair|two|couple|duo|latter|former|film|movie|company|group)|This|These|That|Those|Such|"
    r"It|Its|He|She|They|His|Her|Their|Both|The same)\b"
)
_WORD = re.compile(r"\S+")
_YEAR = re.compile(r"^(1\d{3}|20\d{2})s?$")
_MONTH = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|December)"
)
_NUMBER_WORD = re.compile(
    r"^(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen)",
    re.IGNORECASE,
)
_STRIP = ".,;:!?()[]\"'“”‘’"


@dataclass(frozen=True)
class SourceSentences:
    """One cited source's sentences as the quote ranker reads them for a question."""

    text: str  # the document's text (spans index into it)
    spans: Sequence[tuple[int, int]]
    scores: np.ndarray  # retrieval score of each sentence for the question
    feedback: np.ndarray  # score for the feedback-widened question
    matched: np.ndarray  # (sentences, query terms) bool
    penalties: np.ndarray  # log-odds held back per sentence (headings, questions, captions)
    reading: DocumentReading


@dataclass(frozen=True)
class QuestionView:
    """What the quote ranker reads of the question itself."""

    kind: str  # one of QUESTION_KINDS
    tokens: frozenset[str]  # lower-cased word tokens
    weights: np.ndarray  # query term weights
    is_unigram: np.ndarray
    is_derived: np.ndarray  # terms of words derived from the question's
    norm: float
    vector: np.ndarray | None  # its embedding
    word_vectors: np.ndarray | None  # (its content words, dimension), unit rows
    vectors_of: Callable[[Sequence[str]], np.ndarray] | None  # words → unit rows (the embedder's)
    # Per content word (the rows of ``word_vectors``): the query terms of its stems and of the
    # words derived from it; a sentence holding one holds the word ("director" for "directed").
    word_slots: tuple[np.ndarray, ...]
    is_question_word: Callable[[str], bool]  # does a whitespace token stem to a question word?


def line_penalties(reading: DocumentReading, parameters: JudgingParameters) -> np.ndarray:
    """The log-odds each sentence is held back by as a quote: a heading, a question or a
    photo caption asserts nothing. SQuAD has none of them, so these are set by hand
    (JudgingParameters), not learned."""
    table = np.array(
        [0.0, parameters.heading_penalty, parameters.question_line_penalty, parameters.caption_penalty]
    )
    return table[reading.line_kinds]


def sentence_features(source: SourceSentences, question: QuestionView) -> np.ndarray:
    """(sentences, SENTENCE_FEATURES) for one source."""
    n = len(source.spans)
    scores = source.scores
    best = float(scores.max(initial=0.0)) or 1.0
    feedback_best = float(source.feedback.max(initial=0.0)) or 1.0
    unigram_weights = question.weights * question.is_unigram
    total = float(unigram_weights.sum()) or 1.0
    coverage = source.matched @ unigram_weights / total
    if question.vector is not None and len(source.reading.vectors):
        semantic = source.reading.vectors @ question.vector
    else:
        semantic = np.zeros(n)
    by_score = np.argsort(-scores, kind="stable")
    lengths = np.array([end - start for start, end in source.spans], dtype=np.float64)
    share = scores / best
    base = np.zeros((n, len(_BASE_FEATURES)))
    columns = {name: i for i, name in enumerate(_BASE_FEATURES)}
    base[:, columns["score_share"]] = share
    base[:, columns["score"]] = scores / question.norm
    base[:, columns["feedback_share"]] = source.feedback / feedback_best
    base[:, columns["semantic"]] = semantic
    base[:, columns["semantic_gap"]] = semantic - semantic.max(initial=0.0)
    base[:, columns["coverage"]] = coverage
    base[:, columns["pairs"]] = (source.matched & ~question.is_unigram & ~question.is_derived).sum(axis=1)
    base[:, columns["derived_matches"]] = (source.matched & question.is_derived).sum(axis=1)
    base[:, columns["matched_words"]] = (source.matched & question.is_unigram).sum(axis=1)
    base[by_score[0], columns["top_score"]] = 1.0
    if n > 1:
        base[by_score[1], columns["second_score"]] = 1.0
    if question.vector is not None and n:
        base[int(np.argmax(semantic)), columns["top_semantic"]] = 1.0
    base[0, columns["first"]] = 1.0
    base[n - 1, columns["last"]] = 1.0
    base[:, columns["position"]] = np.arange(n) / n
    base[:, columns["log_length"]] = np.log(lengths)
    base[:, columns["refers_back"]] = [
        bool(_REFERS_BACK.match(source.text, start)) for start, _ in source.spans
    ]
    base[1:, columns["previous_score_share"]] = share[:-1]
    base[:-1, columns["next_score_share"]] = share[1:]
    base[1:, columns["previous_coverage"]] = coverage[:-1]
    base[:-1, columns["next_coverage"]] = coverage[1:]
    soft = _soft_matches(source.reading, question, source.matched)
    if soft is not None:
        base[:, columns["soft_coverage"]] = soft.mean(axis=0)
        base[:, columns["soft_weakest"]] = soft.min(axis=0)
    refers_back = base[:, columns["refers_back"]]
    base[:, columns["refers_back_to_best"]] = refers_back * base[:, columns["previous_score_share"]]
    base[:, columns["refers_back_to_coverage"]] = refers_back * base[:, columns["previous_coverage"]]

    kinds = source.reading.kinds.copy()
    kinds[:, 0] = [has_new_name(capitals, question.tokens) for capitals in source.reading.capitals]
    crossed = np.zeros((n, len(QUESTION_KINDS) * len(SENTENCE_KINDS)))
    block = QUESTION_KINDS.index(question.kind) * len(SENTENCE_KINDS)
    crossed[:, block : block + len(SENTENCE_KINDS)] = kinds
    return np.hstack((base, crossed))


def _soft_matches(reading: DocumentReading, question: QuestionView, matched: np.ndarray) -> np.ndarray | None:
    """(question words, sentences): each question word's best cosine similarity to the
    sentence's content words ("movie" ~ "film"), 1 where the sentence holds the word, an
    inflection of it or a word derived from it ("directed" → director); None without
    embeddings or question words."""
    if question.word_vectors is None or question.vectors_of is None or not len(question.word_vectors):
        return None
    n = len(reading.word_starts) - 1
    best = np.zeros((len(question.word_vectors), n))
    if reading.vocabulary and n:
        similarity = question.word_vectors @ question.vectors_of(reading.vocabulary).T
        per_word = similarity[:, reading.word_rows]
        starts = reading.word_starts[:-1]
        filled = starts < reading.word_starts[1:]
        if len(per_word.T):
            best[:, filled] = np.maximum.reduceat(per_word, starts[filled], axis=1)
    for row, slots in enumerate(question.word_slots[: len(best)]):
        if len(slots) and len(matched):
            best[row, matched[:, slots].any(axis=1)] = 1.0
    return best


def word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The whitespace-separated words of ``text[start:end]``, as (start, end) offsets."""
    return [match.span() for match in _WORD.finditer(text, start, end)]


# Each distinct token's question-independent word kinds (``_WORD_KINDS`` less "question_word",
# "capital" before its position is known), remembered: a corpus's words repeat, and these
# checks per word were the bulk of quote selection's time. Bounded: cleared when full.
_TOKEN_KINDS: dict[str, tuple[bool, ...]] = {}
_TOKEN_KINDS_SIZE = 200_000
_STATIC_COLUMNS = [i for i, kind in enumerate(_WORD_KINDS) if kind != "question_word"]
_CAPITAL, _QUESTION_WORD = _WORD_KINDS.index("capital"), _WORD_KINDS.index("question_word")
_CROSSED_COLUMNS = [_WORD_KINDS.index(kind) for kind in _CROSSED_WORD_KINDS]


def _token_kinds(token: str) -> tuple[bool, ...]:
    """The word kinds of one whitespace token that do not depend on the question."""
    core = token.strip(_STRIP)
    found = (
        bool(core[:1].isupper()),
        any(ch.isdigit() for ch in core),
        bool(_YEAR.match(core)),
        bool(_MONTH.match(core)),
        bool(_NUMBER_WORD.match(core)),
        core.lower() in STOP_WORDS,
        token[-1:] in ",;:.",
        core[:1].islower(),
    )
    if len(_TOKEN_KINDS) >= _TOKEN_KINDS_SIZE:
        _TOKEN_KINDS.clear()
    _TOKEN_KINDS[token] = found
    return found


def word_features(text: str, words: Sequence[tuple[int, int]], question: QuestionView) -> np.ndarray:
    """(words, WORD_FEATURES) for the words of one sentence."""
    n = len(words)
    tokens = [text[start:end] for start, end in words]
    kinds = np.zeros((n, len(_WORD_KINDS)))
    if n:
        known = _TOKEN_KINDS.get
        kinds[:, _STATIC_COLUMNS] = [known(token) or _token_kinds(token) for token in tokens]
        kinds[0, _CAPITAL] = 0.0  # a capital opening the sentence says nothing
        kinds[:, _QUESTION_WORD] = [question.is_question_word(token) for token in tokens]
    in_question = np.flatnonzero(kinds[:, _QUESTION_WORD])
    places = np.arange(n)
    if len(in_question):
        gaps = places[:, None] - in_question[None, :]
        distance = np.abs(gaps).min(axis=1)
        left = np.where(gaps > 0, gaps, 99).min(axis=1)
        right = np.where(gaps < 0, -gaps, 99).min(axis=1)
        within_3 = (np.abs(gaps) <= 3).sum(axis=1)
        within_8 = (np.abs(gaps) <= 8).sum(axis=1)
    else:
        distance = left = right = np.full(n, 99)
        within_3 = within_8 = np.zeros(n)
    # Filled in place (one array, not stacked from parts): the columns of WORD_FEATURES.
    features = np.zeros((n, len(WORD_FEATURES)))
    k = len(_WORD_KINDS)
    features[:, :k] = kinds
    features[:, k] = np.log1p(distance)
    features[:, k + 1] = np.log1p(np.minimum(left, 30))
    features[:, k + 2] = np.log1p(np.minimum(right, 30))
    features[:, k + 3] = within_3
    features[:, k + 4] = within_8
    features[:, k + 5] = places / max(n, 1)
    features[:, k + 6] = float(len(in_question) == 0)
    block = k + 7 + QUESTION_KINDS.index(question.kind) * len(_CROSSED_WORD_KINDS)
    features[:, block : block + len(_CROSSED_WORD_KINDS)] = kinds[:, _CROSSED_COLUMNS]
    return features


def best_window(words: Sequence[tuple[int, int]], weights: np.ndarray, budget: int) -> tuple[int, int, float]:
    """The run of whole words at most ``budget`` characters long holding the most weight
    (the earliest on ties): (first word, last word + 1, its weight); (0, 0, 0) if none fits."""
    best = (0, 0, -1.0)
    right, held = 0, 0.0
    for left in range(len(words)):
        while right < len(words) and words[right][1] - words[left][0] <= budget:
            held += float(weights[right])
            right += 1
        if right > left:
            if held > best[2] + 1e-12:
                best = (left, right, held)
            held -= float(weights[left])
        else:
            right = left + 1  # a single word longer than the budget cannot be quoted whole
    return best if best[2] >= 0 else (0, 0, 0.0)


def trim_to_words(
    text: str, start: int, end: int, *, budget: int, is_relevant: Callable[[str], bool]
) -> tuple[int, int]:
    """The span of whole words within [start, end), at most ``budget`` characters long,
    holding the most relevant words (the earliest such window on ties)."""
    words = word_spans(text, start, end)
    relevant = np.array([is_relevant(text[s:e]) for s, e in words], dtype=np.float64)
    first, last, _ = best_window(words, relevant, budget)
    if last <= first:
        return start, start
    return words[first][0], words[last - 1][1]


class QuoteModel:
    """The sentence ranker and the answer locator."""

    def __init__(
        self, ranker: LinearScorer, locator: LinearScorer, *, further_quote_min_probability: float
    ) -> None:
        self.ranker = ranker
        self.locator = locator
        # A further sentence is quoted while it is at least this likely to hold the answer
        # (chosen on training questions: ``training.fit_quotes``).
        self.further_quote_min_probability = further_quote_min_probability
        self._ranker_columns = feature_columns(ranker.names, SENTENCE_FEATURES)
        self._locator_columns = feature_columns(locator.names, WORD_FEATURES)

    def sentence_probabilities(self, source: SourceSentences, question: QuestionView) -> np.ndarray:
        """P(sentence holds the answer) for each sentence of the source (summing to 1)."""
        if not len(source.spans):
            return np.zeros(0)
        scores = self.ranker.score(sentence_features(source, question)[:, self._ranker_columns])
        scores = scores - source.penalties
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def word_weights(self, text: str, words: Sequence[tuple[int, int]], question: QuestionView) -> np.ndarray:
        """How likely each word is part of the answer, as shares of the sentence's total."""
        if not words:
            return np.zeros(0)
        likelihood = self.locator.probability(word_features(text, words, question)[:, self._locator_columns])
        return likelihood / (float(likelihood.sum()) or 1.0)

    def select(
        self,
        source: SourceSentences,
        question: QuestionView,
        parameters: JudgingParameters = DEFAULT_PARAMETERS,
    ) -> tuple[Quote, ...]:
        """The source's quotes, in document order."""
        probabilities = self.sentence_probabilities(source, question)
        return choose_quotes(
            source.text,
            source.spans,
            probabilities,
            lambda words: self.word_weights(source.text, words, question),
            parameters,
            further_quote_min_probability=self.further_quote_min_probability,
        )

    # ---- files ------------------------------------------------------------------------
    def save(self, path: Path, *, training: dict[str, object] | None = None) -> Path:
        ranker_arrays, ranker_meta = self.ranker.to_arrays("ranker")
        locator_arrays, locator_meta = self.locator.to_arrays("locator")
        metadata = {
            "format_version": FORMAT_VERSION,
            "kind": "quotes",
            "further_quote_min_probability": self.further_quote_min_probability,
            "training": training or {},
            **ranker_meta,
            **locator_meta,
        }
        return write_model_file(path, {**ranker_arrays, **locator_arrays}, metadata)

    @classmethod
    def load(cls, path: Path) -> QuoteModel:
        arrays, metadata = read_model_file(path, kind="quotes", format_version=FORMAT_VERSION)
        return cls(
            LinearScorer.from_arrays("ranker", arrays, metadata),
            LinearScorer.from_arrays("locator", arrays, metadata),
            further_quote_min_probability=float(metadata["further_quote_min_probability"]),
        )


def choose_quotes(
    text: str,
    spans: Sequence[tuple[int, int]],
    probabilities: np.ndarray,
    word_weights: Callable[[Sequence[tuple[int, int]]], np.ndarray],
    parameters: JudgingParameters = DEFAULT_PARAMETERS,
    *,
    further_quote_min_probability: float,
) -> tuple[Quote, ...]:
    """Sentences most probable first, within the budget; see the module's docstring."""
    minimum = further_quote_min_probability
    budget = parameters.max_quote_chars
    chosen: dict[int, tuple[int, int]] = {}  # sentence → the span of it quoted

    def acceptable(picked: dict[int, tuple[int, int]]) -> bool:
        quotes = _as_quotes(text, spans, picked)
        return len(quotes) <= parameters.max_quotes and sum(len(q.text) for q in quotes) <= budget

    def room() -> int:
        """Characters left, less one for the space that may join a new piece to a quote."""
        used = sum(len(quote.text) for quote in _as_quotes(text, spans, chosen))
        return budget - used - (1 if chosen else 0)

    order = np.argsort(-probabilities, kind="stable")
    for rank, sentence in enumerate(order.tolist()):
        if room() < parameters.min_quote_chars:
            break
        if rank and probabilities[sentence] < minimum:
            break
        start, end = spans[sentence]
        if any(text[start:end] == text[spans[other][0] : spans[other][1]] for other in chosen):
            continue  # the same words twice (a title repeated as a heading) add nothing
        trial = {**chosen, sentence: (start, end)}
        if not acceptable(trial):
            words = word_spans(text, start, end)
            first, last, held = best_window(words, word_weights(words), room())
            if last <= first or (rank and probabilities[sentence] * held < minimum):
                continue
            trial = {**chosen, sentence: (words[first][0], words[last - 1][1])}
            if not acceptable(trial):
                continue
        chosen = trial
        # The best sentence comes with the next one when that one refers back to it ("…
        # Lee Chung-hyun and Jun Jong-seo. The pair … announced their romance in 2021."):
        # what it says is about what the best one names.
        following = sentence + 1
        if (
            parameters.quote_following_reference
            and rank == 0
            and chosen[sentence] == (start, end)
            and following < len(spans)
            and _REFERS_BACK.match(text, spans[following][0])
        ):
            with_following = {**chosen, following: spans[following]}
            if acceptable(with_following):
                chosen = with_following
        # A sentence that refers back ("The pair …") comes with the one before it.
        previous = sentence - 1
        if (
            chosen[sentence] == (start, end)
            and previous >= 0
            and previous not in chosen
            and _REFERS_BACK.match(text, start)
        ):
            with_previous = {**chosen, previous: spans[previous]}
            if acceptable(with_previous):
                chosen = with_previous
    return _as_quotes(text, spans, chosen)


def _joins(text: str, before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Two quoted pieces join into one quote when only whitespace (no line break) separates them."""
    gap = text[before[1] : after[0]]
    return not gap.strip() and "\n" not in gap


def _as_quotes(
    text: str, spans: Sequence[tuple[int, int]], chosen: dict[int, tuple[int, int]]
) -> tuple[Quote, ...]:
    quotes: list[Quote] = []
    previous_sentence = None
    for sentence in sorted(chosen):
        start, end = chosen[sentence]
        cut_before, cut_after = start > spans[sentence][0], end < spans[sentence][1]
        if (
            quotes
            and previous_sentence == sentence - 1
            and not quotes[-1].cut_after
            and not cut_before
            and _joins(text, (quotes[-1].start, quotes[-1].end), (start, end))
        ):
            last = quotes[-1]
            quotes[-1] = Quote(
                text=text[last.start : end],
                start=last.start,
                end=end,
                cut_before=last.cut_before,
                cut_after=cut_after,
            )
        else:
            quotes.append(
                Quote(text=text[start:end], start=start, end=end, cut_before=cut_before, cut_after=cut_after)
            )
        previous_sentence = sentence
    return tuple(quotes)
