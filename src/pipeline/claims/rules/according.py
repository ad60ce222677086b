"""``according to X`` around a clause: the clause is X's claim."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft, Rule
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.spans import token_span, trim_end_punct
from pipeline.claims.speakers import speaker_of


def find(ix: DocIndex, lex: Lexicon) -> Iterator[Draft]:
    """Yield a draft for each "according to X" phrase: the clause on its longer side is X's claim."""
    doc = ix.doc
    for tok in ix.according:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        pp_tokens = {t.i for t in tok.subtree} | {tok.i, to.i}
        if pobj is not None:
            pp_tokens |= {t.i for t in pobj.subtree}
        head = tok.head if tok.head is not tok else None
        sent = ix.sent(tok)
        if head is None or head.i in pp_tokens:
            head = sent.root
        clause = [t for t in sent if t.i not in pp_tokens]
        # the clause: the sentence minus the "according to X" phrase, kept to one side of it
        before = [t for t in clause if t.i < tok.i]
        after = [t for t in clause if t.i > max(pp_tokens)]
        side = (
            before if len([t for t in before if not t.is_punct]) > len([t for t in after if not t.is_punct]) else after
        )
        span = token_span(ix, side)
        if span is None or span[1] - span[0] < 15:
            continue
        yield Draft(
            "according_to",
            trim_end_punct(ix, span),
            cue_lemma="according to",
            cue_span=(tok.idx, to.idx + len(to.text)),
            speaker=speaker_of(ix, pobj) if pobj is not None else None,
            polarity_tokens=(head,) if head.i not in pp_tokens else (),
        )


RULE = Rule("according", 40, find)
