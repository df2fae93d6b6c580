"""Judging the evidence: relevance, quotes, claims, stance and conflicts."""

from retrieval.judging.disagreement import Assessment, assess
from retrieval.judging.evidence import gather_evidence

__all__ = ["Assessment", "assess", "gather_evidence"]
