"""'TAPPER: And obviously, ...' or 'Clinton: Time for a new strategy': a paragraph that opens
with a name and a colon is that speaker's words (transcripts, headlines)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft, Rule, Speaker
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.quotes import paragraphs
from pipeline.claims.spans import kind_of, roots_in, trim, trim_end_punct


def find(ix: DocIndex, lex: Lexicon) -> Iterator[Draft]:
    """Yield a draft for each paragraph that opens with a short name and a colon: the rest is that speaker's."""
    doc = ix.doc
    for p_start, p_end in paragraphs(ix.text):
        first = doc.char_span(p_start, p_start + 1, alignment_mode="expand")
        if first is None or not len(first):
            continue
        i = first[0].i
        label: list[Token] = []
        while i < len(doc) and len(label) <= 4 and doc[i].text != ":" and doc[i].idx < p_end:
            label.append(doc[i])
            i += 1
        if not label or i >= len(doc) or doc[i].text != ":" or len(label) > 4:
            continue
        if not all(t.pos_ == "PROPN" or (t.is_upper and t.is_alpha) or t.text in (".", "-") for t in label):
            continue
        colon = doc[i]
        span = trim(ix, colon.idx + 1, p_end)
        if span is None or len(ix.text[span[0] : span[1]].split()) < 3:
            continue
        span = trim_end_punct(ix, span)
        first_word = doc.char_span(span[0], span[1], alignment_mode="expand")
        lead = first_word[0].lemma_.lower() if first_word is not None and len(first_word) else ""
        # "North Korea: Denies Sending Arms": a headline whose verb is the denial
        yield Draft(
            kind_of(ix, span),
            span,
            cue_lemma="deny" if lead in lex.denial_cues else ":",
            cue_span=(colon.idx, colon.idx + 1),
            speaker=Speaker((label[0].idx, label[-1].idx + len(label[-1].text)), label[-1]),
            polarity_tokens=roots_in(ix, *span),
        )


RULE = Rule("labels", 60, find, outside_claims=True)
