"""Judging the evidence: relevance, quotes, claims, stance and conflicts."""

from retrieval.judging.disagreement import Assessment, assess
from retrieval.judging.evidence import Judge
from retrieval.judging.models import JudgingModels
from retrieval.judging.parameters import DEFAULT_PARAMETERS, JudgingParameters

__all__ = ["DEFAULT_PARAMETERS", "Assessment", "Judge", "JudgingModels", "JudgingParameters", "assess"]
