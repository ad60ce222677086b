"""Organisations a byline credits in place of a person: the outlet itself, its newsroom or a section of
it, a wire agency (the project's agency lexicon, shared with ``pipeline.dedupe``)."""

from __future__ import annotations

import lxml.html

from pipeline.dedupe import WIRE_AGENCIES
from pipeline.parse.byline_words import (
    BRACKETED,
    BYLINE_WORDS,
    LEADING_ROLES,
    NOT_NAME,
    ORG_WORDS,
    ROLE_WORDS,
    without_by,
    without_label,
)
from pipeline.parse.rules import enabled
from pipeline.parse.tree import header_pieces, norm

_NEWSROOM = frozenset(BYLINE_WORDS["newsroom"])


def credits_outlet(part: str, sites: set[str]) -> bool:
    """Whether ``part`` credits the outlet rather than a person: its newsroom ("Redacción La Razón"),
    or its name followed by a section or a desk ("Example Gazette Sport", "Example Gazette Andalucía")."""
    words = norm(part).split()
    if words and words[0] in _NEWSROOM:
        return True
    squeezed = [s.replace(" ", "") for s in sites if len(s.split()) >= 2]
    return any("".join(words[:k]) in squeezed for k in range(2, len(words)))


def outlet_kind(name: str, sites: set[str]) -> str | None:
    """None for a name that is not the outlet's; "personal" when the outlet's name reads as a person's
    (a personal site: kept only when nobody else is named); "outlet" otherwise (always dropped)."""
    n = norm(name)
    if n.replace(" ", "") not in {s.replace(" ", "") for s in sites}:
        return None
    words = name.split()
    looks_personal = (
        2 <= len(words) <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(w.lower() in ORG_WORDS for w in words)
    )
    return "personal" if looks_personal else "outlet"


# wire agencies as bylines name them (the project's agency lexicon, shared with pipeline.dedupe); a
# byline crediting one of these (or the outlet) names no person
_AGENCIES = frozenset(norm(name).removeprefix("the ") for agency in WIRE_AGENCIES for name in agency.names)


def names_agency(text: str) -> bool:
    """Whether ``text`` is a wire agency's name and nothing else ("The Associated Press", "JIJI")."""
    return norm(text).removeprefix("the ") in _AGENCIES
_CREDIT_TAIL = {"staff", "reports", "report", "wire", "wires", "service", "services", "writers", "reporters"}


def organisation_credit(raw: str, sites: set[str]) -> str | None:
    """The organisation a byline value credits in place of a person: the outlet itself ("By Example
    Gazette") or a wire agency ("By The Associated Press", "Reuters staff"); None for anything else,
    generic words alone ("Staff", "Admin") included."""
    s = LEADING_ROLES.sub("", without_label(without_by(raw)))
    words = BRACKETED.sub("", s).strip(" .:-–—·•").split()
    while words and words[-1].lower() in _CREDIT_TAIL:
        words.pop()  # "Reuters staff"
    name = " ".join(words)
    if not name or len(words) > 5 or NOT_NAME.search(name):
        return None
    if names_agency(name):
        return name
    if words[0].lower() in _NEWSROOM and len(words) > 1:
        return organisation_credit(" ".join(words[1:]), sites)  # "Redacción La Razón": the outlet's newsroom
    for k in range(len(words) - 1, 1, -1):  # "Example Gazette Andalucía": the outlet and a section
        if outlet_kind(" ".join(words[:k]), sites) == "outlet":
            return " ".join(words[:k])
    key = norm(name)
    if all(w in ROLE_WORDS or w in ORG_WORDS for w in key.split()):
        return None  # "News", "Staff and News": generic words, even where they match a site name
    return name if outlet_kind(name, sites) == "outlet" else None


HEADER_SENTENCE_CHARS = 80  # a header piece longer than this is a sentence of the text (or a standfirst)


def header_agency(tree: lxml.html.HtmlElement, head: list[str] | None) -> list[str]:
    """A wire agency named alone in the article's header ("JIJI", "Reuters" on a credit line of
    its own, without "By"): the article is the agency's."""
    for piece in header_pieces(tree, head):
        if len(piece) > HEADER_SENTENCE_CHARS:
            break  # the text has begun: a name further on is not the header's
        if names_agency(piece):
            return [piece.strip(" .:-–—·•|")] if enabled("authors.header_agency") else []
    return []
