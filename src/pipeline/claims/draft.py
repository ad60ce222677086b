"""The records the claim rules pass between them: a ``Draft`` claim, its ``Speaker``, a ``Rule``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

    from pipeline.claims.doc_index import DocIndex
    from pipeline.claims.lexicons import Lexicon

Span = tuple[int, int]  # character offsets into the parsed text, end exclusive


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a rule found speaking: the phrase, its head word, an appositive role, and for a
    relative pronoun ("who") the noun phrase it stands for."""

    span: Span
    head: Token
    role: str | None = None
    antecedent: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Draft:
    """A claim under construction, in document character offsets (before chunk shifting).

    ``floating`` marks a quote paragraph with no cue of its own: arbitration may give it the
    speaker of the claim before it. Drafts compare by identity (``inherited_from`` points at one).
    """

    kind: str
    content: Span
    cue: Token | None = None
    cue_span: Span | None = None
    speaker: Speaker | None = None
    inherited_from: Draft | None = None
    polarity_tokens: tuple[Token, ...] = ()
    cue_lemma: str | None = None
    floating: bool = False


Finder = Callable[["DocIndex", "Lexicon"], Iterator[Draft]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One claim construction and how arbitration treats its drafts.

    ``order``: rules run in ascending order, and an earlier draft wins.
    ``exclusive_cue``: a draft whose cue token an earlier claim used is dropped; a kept one uses it.
    ``outside_direct``: a draft whose cue lies in the content of a kept direct quotation is dropped.
    ``outside_claims``: a draft whose content starts inside a kept claim's content is dropped.
    """

    name: str
    order: int
    find: Finder
    exclusive_cue: bool = False
    outside_direct: bool = False
    outside_claims: bool = False
