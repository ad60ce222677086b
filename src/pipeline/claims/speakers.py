"""Who is speaking: the subject of a cue and the speaker phrase around it."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Speaker
from pipeline.claims.grammar import EXPLETIVES, RELATIVE_PRONOUNS, SUBJECTS, agent_of
from pipeline.claims.spans import contiguous, token_span

_CLIMB_DEPS = frozenset(("xcomp", "advcl", "conj", "acl", "pcomp"))


def subject_of(ix: DocIndex, verb: Token, depth: int = 0) -> Token | None:
    """The subject (or 'by' agent) of a cue verb, climbing to the verb it hangs on if it has none."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
    worded = [c for c in subjects if any(ch.isalnum() for ch in c.text)]
    for child in worded if worded and len(worded) < len(subjects) else subjects:
        # a dash the tagger took for a second subject ("made public ― Trump boasted") gives way
        if child.dep_ in SUBJECTS:
            if child.dep_ == "nsubjpass":
                return agent_of(verb)
            if child.lower_ in EXPLETIVES and child.dep_ == "nsubj" and child.lower_ == "there":
                return None
            return child
    agent = agent_of(verb)
    if agent is not None:
        return agent
    if depth < 3 and verb.dep_ in _CLIMB_DEPS and verb.head is not verb:
        head = verb.head
        if head.pos_ in ("NOUN", "PROPN") and verb.dep_ == "acl":
            # "a statement saying ...": the issuer of the statement, else the statement itself
            if head.dep_ in ("dobj", "pobj") and head.head.pos_ in ("VERB", "AUX"):
                found = subject_of(ix, head.head, depth + 1)
                return found if found is not None else head
            return head
        if head.pos_ in ("VERB", "AUX"):
            if verb.tag_ == "VBG" and head.dep_ == "ccomp" and ix.is_cue_verb(head.head):
                # "X denied that Y was coming, explaining ...": the parser hung the participle on
                # the reported clause; the one explaining is the reporter, not Y
                return subject_of(ix, head.head, depth + 1)
            return subject_of(ix, head, depth + 1)
    return None


def inverted_subject(verb: Token) -> Token | None:
    """``said the official`` parsed without a subject: the noun right after the cue."""
    for child in verb.children:
        if (
            child.i > verb.i
            and child.dep_ in ("dobj", "npadvmod", "attr", "nsubj", "dep")
            and child.pos_ in ("PROPN", "NOUN", "PRON")
        ):
            return child
    return None


def speaker_of(ix: DocIndex, head: Token | None) -> Speaker | None:
    """The speaker whose phrase is headed by ``head``, or None."""
    if head is None:
        return None
    if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
        # "Kim Gunn, his counterpart, who voiced ...": the speaker as written is "who"; it
        # stands for the noun the clause hangs on (the name rather than an appositive role)
        noun = head.head.head
        if noun.dep_ == "appos" and noun.head.pos_ == "PROPN":
            noun = noun.head
        tokens, _ = speaker_tokens(ix, noun)
        named = token_span(ix, tokens)
        antecedent = ix.text[named[0] : named[1]] if named else None
        return Speaker((head.idx, head.idx + len(head.text)), head, antecedent=antecedent)
    tokens, role = speaker_tokens(ix, head)
    span = token_span(ix, tokens)
    if span is None:
        return None
    name_head = head if role is None or head.pos_ == "PROPN" else _propn_in(tokens, head)
    return Speaker(span, name_head, role=role)


def speaker_tokens(ix: DocIndex, head: Token) -> tuple[list[Token], str | None]:
    """The speaker phrase of ``head`` without relative clauses, and an appositive role if any."""
    drop: set[int] = set()
    role: str | None = None
    name_head = head
    for child in head.children:
        if child.dep_ in ("relcl", "acl", "advcl"):
            drop |= {t.i for t in child.subtree}
        elif child.dep_ == "appos":
            appos_sub = list(child.subtree)
            if head.pos_ == "PROPN" and child.pos_ != "PROPN":
                role = _role_text(appos_sub)
                drop |= {t.i for t in appos_sub}
            elif child.pos_ == "PROPN" and head.pos_ != "PROPN":
                left = [t for t in head.subtree if t.i < child.i and t.i not in {x.i for x in appos_sub}]
                role = _role_text([t for t in left if t.dep_ not in ("poss", "case")]) or None
                name_head = child
                drop = {t.i for t in head.subtree} - {t.i for t in appos_sub}
                for grand in child.children:
                    if grand.dep_ in ("relcl", "acl", "appos"):
                        drop |= {t.i for t in grand.subtree}
            else:
                drop |= {t.i for t in appos_sub}
    tokens = contiguous(ix, name_head, drop)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens.pop()
    return tokens, role


def _role_text(tokens: list[Token]) -> str:
    words = [t for t in tokens if not t.is_punct]
    while words and words[0].dep_ == "det":
        words.pop(0)
    if not words:
        return ""
    return words[0].doc[words[0].i : words[-1].i + 1].text


def _propn_in(tokens: list[Token], fallback: Token) -> Token:
    for t in reversed(tokens):
        if t.pos_ == "PROPN":
            return t
    return fallback
