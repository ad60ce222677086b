"""Small questions the claim rules ask of a dependency parse."""

from __future__ import annotations

from spacy.tokens import Token

SUBJECTS = frozenset(("nsubj", "nsubjpass", "csubj"))
RELATIVE_PRONOUNS = frozenset(("who", "which", "that", "whom"))
EXPLETIVES = frozenset(("it", "there"))
# cue verbs whose object is the one addressed, not what was said ("told reporters")
ADDRESSEE_VERBS = frozenset(("tell", "ask", "assure", "remind", "warn", "urge", "advise", "promise", "inform"))


def has_subject(tok: Token) -> bool:
    """True when ``tok`` has a subject among its children."""
    return any(c.dep_ in SUBJECTS for c in tok.children)


def agent_of(verb: Token) -> Token | None:
    """The 'by' agent of a passive verb."""
    for child in verb.children:
        if child.dep_ == "agent":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def when(prep: Token) -> bool:
    """'on Thursday', 'in 2012': a time adjunct of the cue, not part of what was said."""
    if prep.dep_ != "prep":
        return False
    return any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in prep.children)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when the half-open spans ``a`` and ``b`` share at least one position."""
    return a[0] < b[1] and b[0] < a[1]
