"""Attributed-claim extraction: who said what, with character offsets into the article text.

    >>> from pipeline.claims import extract_claims
    >>> [c.speaker for c in extract_claims("“We are ready,” the minister said.")]
    ['the minister']

The rules read a spaCy parse (tagger, dependency parser, entities) and the word lists under
``lexicons/<lang>/``. Pure library: no I/O beyond reading those lists, no printing.
docs/ARCHITECTURE.md ("Claim extraction") describes how the modules fit together.
"""

from __future__ import annotations

from pipeline.claims.api import RULE_ERRORS, ExtractionError, claims_from_doc, extract_claims, extract_many
from pipeline.claims.chunks import MAX_CHUNK_CHARS
from pipeline.claims.nlp import load_nlp

__all__ = [
    "EXTRACTOR_VERSION",
    "MAX_CHUNK_CHARS",
    "RULE_ERRORS",
    "ExtractionError",
    "claims_from_doc",
    "extract_claims",
    "extract_many",
    "load_nlp",
]

EXTRACTOR_VERSION = "rules-8"
