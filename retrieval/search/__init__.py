"""Searching: questions → the TF-IDF passage index's candidates."""

from retrieval.search.index import Candidates, IndexParameters, PassageIndex, Query
from retrieval.search.questions import MAX_QUESTION_CHARS, QuestionError, clean_question

__all__ = [
    "MAX_QUESTION_CHARS",
    "Candidates",
    "IndexParameters",
    "PassageIndex",
    "Query",
    "QuestionError",
    "clean_question",
]
