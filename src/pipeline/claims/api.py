"""The entry points: claims of a parsed ``Doc``, of one text, or of many texts in batches."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pipeline.claims.arbitrate import arbitrate
from pipeline.claims.assemble import assemble
from pipeline.claims.chunks import split_chunks
from pipeline.claims.doc_index import DocIndex
from pipeline.claims.lexicons import load_lexicon
from pipeline.claims.nlp import load_nlp
from pipeline.claims.rules import RULES
from pipeline.records import Claim

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

# What a rule raises when it trips over a parse it was not written for: a bug to fix, and one
# document's failure, never the batch's. Anything else (spaCy itself failing, memory) propagates.
RULE_ERRORS: tuple[type[Exception], ...] = (IndexError, KeyError, AttributeError, ValueError, TypeError)


class ExtractionError(RuntimeError):
    """The claim rules failed on one text; ``index`` is its position among the texts given."""

    def __init__(self, index: int, offset: int, cause: Exception) -> None:
        super().__init__(f"text {index}: claim rules failed at offset {offset} ({type(cause).__name__}: {cause})")
        self.index = index
        self.offset = offset
        self.__cause__ = cause


def claims_from_doc(doc: Doc, offset: int = 0, lang: str = "en") -> Iterator[Claim]:
    """Yield the claims of a parsed document; ``offset`` is added to every character offset."""
    if len(doc) and not doc.has_annotation("DEP"):
        raise ValueError(
            "claim extraction needs a dependency parse: use a spaCy pipeline with a parser "
            "(pipeline.claims.load_nlp() loads one)"
        )
    lex = load_lexicon(lang)
    ix = DocIndex.build(doc, lex)
    drafts = arbitrate(ix, lex, RULES)
    yield from assemble(ix, lex, drafts, offset)


def extract_claims(text: str, nlp: Language | None = None) -> list[Claim]:
    """The claims of one text, in text order."""
    return next(extract_many([text], nlp=nlp, batch_size=1))


def extract_many(
    texts: Iterable[str],
    nlp: Language | None = None,
    batch_size: int = 16,
    on_error: Callable[[int, ExtractionError], None] | None = None,
) -> Iterator[list[Claim]]:
    """One list of claims per text, in the order given; long texts are parsed in chunks.

    When the rules fail on a text (``RULE_ERRORS``), ``ExtractionError`` is raised, unless
    ``on_error`` is given: then it is called once with the text's index and the error, and that
    text yields no claims at all (none of its chunks: a text is extracted whole or not at all),
    so the caller can record the failure and go on with the other texts.
    """
    nlp = nlp or load_nlp()

    total = 0

    def numbered() -> Iterator[tuple[str, tuple[int, int]]]:
        """Yield each text's chunks with (text index, offset); TypeError on a text that is not a str."""
        nonlocal total
        for n, text in enumerate(texts):
            total = n + 1
            if not isinstance(text, str):
                raise TypeError(f"text {n} is {type(text).__name__}, not str")
            for offset, chunk in split_chunks(text):
                yield chunk, (n, offset)

    current = 0
    found: list[Claim] = []
    failed = False  # the current text failed: its remaining chunks are not read
    piped: Iterator[Any] = nlp.pipe(numbered(), as_tuples=True, batch_size=batch_size)
    for doc, (n, offset) in piped:
        while n > current:
            yield found
            found, failed = [], False
            current += 1
        if failed:
            continue
        try:
            piece = list(claims_from_doc(doc, offset=offset))
        except RULE_ERRORS as e:
            if len(doc) and not doc.has_annotation("DEP"):
                raise  # a pipeline without a parser: configuration, the same for every text
            error = ExtractionError(n, offset, e)
            if on_error is None:
                raise error from e
            log.warning("%s; the text yields no claims", error, exc_info=True)
            on_error(n, error)
            found, failed = [], True
            continue
        found.extend(piece)
    while current < total:
        yield found
        found = []
        current += 1
