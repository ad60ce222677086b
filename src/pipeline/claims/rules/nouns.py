"""Cue nouns with a ``that`` clause, an infinitive or an object: 'the denial by Moscow that ...',
'his promise to build a wall', 'her support for Clinton'."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft, Rule
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.spans import contiguous, kind_of, token_span, widen_to_quotes
from pipeline.claims.speakers import speaker_of

_OBJECT_PREPS = frozenset(("of", "for", "about", "over", "against", "on", "to"))


def find(ix: DocIndex, lex: Lexicon) -> Iterator[Draft]:
    """Yield a draft for each cue noun with a "that" clause, an infinitive or an object as its content."""
    for tok in ix.noun_candidates:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in lex.cue_nouns:
            continue
        clause = None
        for child in tok.children:
            if child.dep_ in ("acl", "ccomp", "relcl") and child.i > tok.i:
                if any(g.dep_ == "mark" and g.lower_ == "that" for g in child.children):
                    clause = child
                    break
                if child.dep_ == "acl" and child.tag_ == "VB" and tok.lemma_.lower() in lex.infinitive_nouns:
                    clause = child  # "his promise to build a wall"
                    break
        if clause is None and tok.lemma_.lower() in lex.object_nouns:
            clause = _noun_object(tok)
        if clause is None:
            continue
        span = token_span(ix, contiguous(ix, clause))
        if span is None:
            continue
        speaker = None
        for child in tok.children:
            if child.dep_ == "poss":
                speaker = child
            elif child.dep_ == "prep" and child.lower_ in ("by", "from") and child.i < clause.i:
                speaker = next((g for g in child.children if g.dep_ == "pobj"), None)
            elif child.dep_ == "compound" and child.pos_ == "PROPN" and speaker is None:
                speaker = child
        content = widen_to_quotes(ix, span)
        yield Draft(
            kind_of(ix, content),
            content,
            cue=tok,
            cue_lemma=tok.lemma_.lower(),
            cue_span=(tok.idx, tok.idx + len(tok.text)),
            speaker=speaker_of(ix, speaker) if speaker is not None else None,
            polarity_tokens=(clause,),
        )


RULE = Rule("nouns", 50, find)


def _noun_object(noun: Token) -> Token | None:
    """'criticism of the plan', 'support for Clinton': the object of the noun's preposition,
    when someone holds the position (a possessive or a 'by'/'from' phrase names them)."""
    holder = any(c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("by", "from")) for c in noun.children)
    if not holder:
        return None
    for child in noun.children:
        if child.dep_ == "prep" and child.i > noun.i and child.lower_ in _OBJECT_PREPS:
            return next((g for g in child.children if g.dep_ in ("pobj", "pcomp")), None)
    return None
