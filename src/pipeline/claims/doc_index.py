"""One parsed document, indexed once for the claim rules: sentences, quotations, cue candidates."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from pipeline.claims.lexicons import Lexicon
from pipeline.claims.quotes import Quote, find_quotes


@dataclass(frozen=True, slots=True)
class DocIndex:
    """What every rule reads, built in one walk over the tokens; rules never change it.

    (``Token.sent`` and ``Doc.sents`` walk the document again on every call, so sentences are
    looked up here; the only mutable part is that lookup's cache.)
    """

    doc: Doc
    text: str
    ents: tuple[Span, ...]
    cue_verbs: frozenset[str]
    quotes: tuple[Quote, ...]
    quote_starts: tuple[int, ...]
    verb_candidates: tuple[Token, ...]  # lemma among the cue verbs
    noun_candidates: tuple[Token, ...]  # a NOUN whose lemma is among the cue nouns
    according: tuple[Token, ...]  # the word "according"
    attitude_candidates: tuple[Token, ...]  # attitude, raising or clause-cue verbs
    sent_start: tuple[int, ...]  # token index -> the index of its sentence's first token
    _sents: dict[int, Span] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, doc: Doc, lex: Lexicon) -> DocIndex:
        """Index ``doc`` in one pass: sentence starts, quotes, and the candidate cue tokens of ``lex``."""
        sent_start: list[int] = []
        verbs: list[Token] = []
        nouns: list[Token] = []
        according: list[Token] = []
        attitude: list[Token] = []
        attitudes = lex.attitude_verbs | lex.raising_verbs | lex.clause_cue_verbs
        start = 0
        for tok in doc:
            if tok.is_sent_start and tok.i > 0:
                start = tok.i
            sent_start.append(start)
            lemma = tok.lemma_.lower()
            if lemma in lex.cue_verbs:
                verbs.append(tok)
            if lemma in lex.cue_nouns and tok.pos_ == "NOUN":
                nouns.append(tok)
            if tok.lower_ == "according":
                according.append(tok)
            if attitude_lemma(tok) in attitudes:
                attitude.append(tok)
        text = doc.text
        quotes = tuple(find_quotes(text))
        return cls(
            doc=doc,
            text=text,
            ents=tuple(doc.ents),
            cue_verbs=lex.cue_verbs,
            quotes=quotes,
            quote_starts=tuple(q.start for q in quotes),
            verb_candidates=tuple(verbs),
            noun_candidates=tuple(nouns),
            according=tuple(according),
            attitude_candidates=tuple(attitude),
            sent_start=tuple(sent_start),
        )

    def sent(self, tok: Token) -> Span:
        """The sentence that holds ``tok`` (cached)."""
        start = self.sent_start[tok.i]
        found = self._sents.get(start)
        if found is None:
            end = start + 1
            n = len(self.sent_start)
            while end < n and self.sent_start[end] == start:
                end += 1
            found = self._sents[start] = self.doc[start:end]
        return found

    def quote_at(self, char: int) -> Quote | None:
        """The quote that covers character offset ``char``, or None."""
        i = bisect.bisect_right(self.quote_starts, char) - 1
        if i >= 0 and self.quotes[i].start <= char < self.quotes[i].end:
            return self.quotes[i]
        return None

    def is_cue_verb(self, tok: Token) -> bool:
        """True when ``tok`` is tagged as a verb and its lemma is a cue verb."""
        if tok.pos_ not in ("VERB", "AUX") and tok.tag_ not in ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB"):
            return False
        return tok.lemma_.lower() in self.cue_verbs

    def claim_like(self, q: Quote) -> bool:
        """The quotation reads as a statement: a verb, and a closing punctuation mark or 8 words."""
        span = self.doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            return False
        words = [t for t in span if not t.is_punct and not t.is_space]
        if len(words) < 4:
            return False
        has_verb = any(t.pos_ in ("VERB", "AUX") for t in words)
        inner = self.text[q.start + 1 : q.end - 1].rstrip()
        ends_clause = bool(inner) and inner[-1] in ".,!?…"
        return has_verb and (ends_clause or len(words) >= 8)


def attitude_lemma(tok: Token) -> str:
    """The lemma, mending the tagger's 'hopes' -> 'hop'."""
    lemma = tok.lemma_.lower()
    return "hope" if lemma == "hop" and tok.lower_.startswith("hope") or tok.lower_ == "hoping" else lemma
