"""Comparison across outlets: canonical speakers, entity ids and claim clusters, as pure functions
over claims.

    >>> from pipeline.compare import canonical_speakers, assign, ClusterState
    >>> # speakers, registry = canonical_speakers([(claims_of_article, article_text), ...])
    >>> # assignments = assign(claim_dicts, ClusterState())
    >>> # entities, entity_registry = canonical_entities([mentions_of_article, ...])

No database I/O here: the store writes what these functions return.
"""

from pipeline.compare.aliases import load_alias_file, parse_alias_file
from pipeline.compare.clusters import Assignment, ClusterState, assign, contradictions
from pipeline.compare.entities import Entity, EntityRegistry, canonical_entities, resolve_entities
from pipeline.compare.mentions import resolve_article
from pipeline.compare.speakers import Speaker, SpeakerAssignment, SpeakerRegistry, canonical_speakers

__all__ = [
    "Assignment",
    "ClusterState",
    "Entity",
    "EntityRegistry",
    "Speaker",
    "SpeakerAssignment",
    "SpeakerRegistry",
    "assign",
    "canonical_entities",
    "canonical_speakers",
    "contradictions",
    "load_alias_file",
    "parse_alias_file",
    "resolve_article",
    "resolve_entities",
]
