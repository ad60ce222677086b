"""Comparison across outlets: canonical speakers and claim clusters, as pure functions over claims.

    >>> from pipeline.compare import canonical_speakers, assign, ClusterState
    >>> # speakers, registry = canonical_speakers([(claims_of_article, article_text), ...])
    >>> # assignments = assign(claim_dicts, ClusterState())

No database I/O here: the store writes what these functions return.
"""

from pipeline.compare.clusters import Assignment, ClusterState, assign, contradictions
from pipeline.compare.speakers import (
    Speaker,
    SpeakerAssignment,
    SpeakerRegistry,
    canonical_speakers,
    load_alias_file,
    parse_alias_file,
    resolve_article,
)

__all__ = [
    "Assignment",
    "ClusterState",
    "Speaker",
    "SpeakerAssignment",
    "SpeakerRegistry",
    "assign",
    "canonical_speakers",
    "contradictions",
    "load_alias_file",
    "parse_alias_file",
    "resolve_article",
]
