"""Words and sentences: the one analyser and the one sentence splitter every stage shares."""

from retrieval.text.analysis import STOP_WORDS, Analyzer, term_id, term_ids
from retrieval.text.sentences import sentence_spans

__all__ = ["STOP_WORDS", "Analyzer", "sentence_spans", "term_id", "term_ids"]
