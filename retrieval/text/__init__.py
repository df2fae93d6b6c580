"""Words and sentences: the one analyser, the one sentence splitter and the word embeddings
every stage shares."""

from retrieval.text.analysis import STOP_WORDS, Analyzer, term_id, term_ids
from retrieval.text.embeddings import Embedder, default_embedder
from retrieval.text.sentences import sentence_spans

__all__ = ["STOP_WORDS", "Analyzer", "Embedder", "default_embedder", "sentence_spans", "term_id", "term_ids"]
