"""The cue verb next to a quotation: ``“...,” X said`` after it, ``X said: “...”`` before it.

``used`` holds the token indices of cues that earlier claims already took; they are passed over.
"""

from __future__ import annotations

from collections.abc import Container

from spacy.tokens import Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.grammar import SUBJECTS
from pipeline.claims.quotes import Quote

MAX_SPEAKER_GAP = 8  # words between a closing quote mark and its cue verb, when unparsed
_MAX_SPEAKER_SCAN = 45  # tokens scanned after a closing quote mark for the cue
_NOMINAL_POS = frozenset(("PROPN", "NOUN", "DET", "ADJ", "NUM", "PRON", "ADP", "CCONJ", "PART"))


def cue_after(ix: DocIndex, q: Quote, used: Container[int]) -> Token | None:
    """A cue verb right after a closing quote mark: ``,” X said`` or ``,” said X``.

    Everything between the mark and the verb must belong to the verb's subject (so a long
    speaker with an appositive still counts, but another clause does not).
    """
    doc = ix.doc
    span = doc.char_span(q.end, len(ix.text), alignment_mode="expand") if q.end < len(ix.text) else None
    if span is None or not len(span):
        return None
    start = span[0].i
    between: list[Token] = []
    for i in range(start, min(len(doc), start + _MAX_SPEAKER_SCAN)):
        tok = doc[i]
        if "\n" in tok.text or (i > start and "\n" in doc[i - 1].text_with_ws):
            return None
        if ix.is_cue_verb(tok) and tok.i not in used:
            return tok if _subject_only(tok, between) else None
        if tok.text in (".", "?", "!", ";") and any(not t.is_punct for t in between):
            return None
        if tok.text in '“”"«»' or tok.text in ("``", "''"):
            q2 = ix.quote_at(tok.idx)
            if q2 is None or ix.claim_like(q2):
                return None
        between.append(tok)
    return None


def _subject_only(verb: Token, between: list[Token]) -> bool:
    words = [t for t in between if not t.is_punct and not t.is_space]
    if not words:
        return True
    subject = set()
    for child in verb.children:
        if child.dep_ in SUBJECTS:
            subject |= {t.i for t in child.subtree}
    loose = [t for t in words if t.i not in subject and t.dep_ not in ("advmod", "aux", "neg")]
    if not loose:
        return True
    # a parse that lost the subject: accept a plain noun phrase ('Tulsa police Chief Chuck Jordan')
    nominal = all(t.pos_ in _NOMINAL_POS or t.is_title for t in words)
    return not subject and len(words) <= MAX_SPEAKER_GAP and (nominal or len(loose) <= 4)


def cue_before(ix: DocIndex, q: Quote, used: Container[int]) -> Token | None:
    """A cue verb right before an opening mark: ``X said: “`` / ``X told reporters, “``."""
    span = ix.doc.char_span(q.start, q.start + 1, alignment_mode="expand")
    if span is None or not len(span):
        return None
    doc = ix.doc
    i = span[0].i - 1
    crossed = False
    while i >= 0 and doc[i].is_space:
        crossed = crossed or "\n" in doc[i].text
        i -= 1
    if i < 0:
        return None
    crossed = crossed or "\n" in doc[i].text_with_ws
    if doc[i].text in (",", ":", "—", "-", "--"):
        # "In a 1963 speech, he declared:" closing one paragraph introduces the next one's quote
        if crossed and doc[i].text != ":":
            return None
        i -= 1
    elif crossed or not ix.is_cue_verb(doc[i]) or doc[i].tag_ not in ("VBD", "VBZ", "VBP"):
        return None  # only a bare 'he said “...”' may do without punctuation ("so-called" may not)
    elif doc[i].dep_ in ("amod", "acl", "compound"):
        return None
    # the cue phrase: the verb, perhaps with an addressee or a time after it ("told reporters")
    for j in range(i, max(-1, i - 4), -1):
        tok = doc[j]
        if "\n" in tok.text_with_ws or tok.is_punct:
            return None
        if ix.is_cue_verb(tok):
            return tok if tok.i not in used else None
        if tok.pos_ in ("VERB", "AUX"):
            return None
    return None
