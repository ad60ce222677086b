"""Attributed-claim extraction: who said what, with character offsets into the article text.

    >>> from pipeline.claims import extract_claims
    >>> [c.speaker for c in extract_claims("“We are ready,” the minister said.")]
    ['the minister']

The rules read a spaCy parse (tagger, dependency parser, entities) and the word lists under
``lexicons/<lang>/``. Pure library: no I/O beyond reading those lists, no printing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pipeline.claims.chunks import MAX_CHUNK_CHARS, split_chunks
from pipeline.claims.extract import claims_from_doc
from pipeline.claims.nlp import load_nlp
from pipeline.records import Claim

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "EXTRACTOR_VERSION",
    "MAX_CHUNK_CHARS",
    "claims_from_doc",
    "extract_claims",
    "extract_many",
    "load_nlp",
]

EXTRACTOR_VERSION = "rules-6"

log = logging.getLogger(__name__)


def extract_claims(text: str, nlp: Language | None = None) -> list[Claim]:
    """The claims of one text, in text order."""
    return next(extract_many([text], nlp=nlp, batch_size=1))


def extract_many(
    texts: Iterable[str], nlp: Language | None = None, batch_size: int = 16
) -> Iterator[list[Claim]]:
    """One list of claims per text, in the order given; long texts are parsed in chunks."""
    nlp = nlp or load_nlp()

    total = 0

    def numbered() -> Iterator[tuple[str, tuple[int, int]]]:
        nonlocal total
        for n, text in enumerate(texts):
            total = n + 1
            if not isinstance(text, str):
                raise TypeError(f"text {n} is {type(text).__name__}, not str")
            for offset, chunk in split_chunks(text):
                yield chunk, (n, offset)

    current = 0
    found: list[Claim] = []
    piped: Iterator[Any] = nlp.pipe(numbered(), as_tuples=True, batch_size=batch_size)
    for doc, (n, offset) in piped:
        while n > current:
            yield found
            found = []
            current += 1
        try:
            piece = list(claims_from_doc(doc, offset=offset))
        except (IndexError, KeyError, AttributeError) as e:
            # a rule tripped over an unusual parse: lose this piece's claims, not the batch
            log.warning(
                "text %d: claim rules failed at offset %d (%s: %s); piece skipped",
                n,
                offset,
                type(e).__name__,
                e,
            )
            continue
        found.extend(piece)
    while current < total:
        yield found
        found = []
        current += 1
