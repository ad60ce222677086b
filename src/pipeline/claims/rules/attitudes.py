"""Beliefs and intentions with a clause or an infinitive: 'Democrats want to raise taxes',
'she decided that ...'; and raising verbs, whose subject is part of the content: 'the lack of
enthusiasm seems to be a real issue'."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.claims.doc_index import DocIndex, attitude_lemma
from pipeline.claims.draft import Draft, Rule
from pipeline.claims.grammar import EXPLETIVES, RELATIVE_PRONOUNS, overlaps
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.spans import contiguous, cut_tail, kind_of, own_reports, run, token_span, widen_to_quotes
from pipeline.claims.speakers import speaker_of, subject_of


def find(ix: DocIndex, lex: Lexicon) -> Iterator[Draft]:
    """Yield a draft for each attitude or raising verb whose clause or infinitive states its subject's view."""
    for tok in ix.attitude_candidates:
        if tok.pos_ != "VERB" or tok.dep_ in ("amod", "compound", "nmod"):
            continue
        if ix.quote_at(tok.idx) is not None:
            continue  # "I want to ..." inside a quotation is the quote's business
        lemma = attitude_lemma(tok)
        raising = lemma in lex.raising_verbs
        clause_only = lemma in lex.clause_cue_verbs
        deps = ("xcomp", "acomp", "oprd", "attr") if raising else ("ccomp",) if clause_only else ("xcomp", "ccomp")
        comp = next((c for c in tok.children if c.dep_ in deps and c.i > tok.i), None)
        if comp is None and raising:
            comp = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "like"), None)
        if comp is None:
            continue  # "it seems that", "wants a deal": no clause to attribute
        if ix.is_cue_verb(comp) and lemma not in lex.non_speech_verbs:
            continue  # "appeared to suggest ...": the inner report is the claim
            # (the verbs rule leaves the report under a wish to this one: "wanted to know whether")
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None and not raising:
            subj = subject_of(ix, tok)
        if subj is None or subj.lower_ in EXPLETIVES:
            continue
        tokens = contiguous(ix, comp, own_reports(ix, comp))
        if raising and tokens and subj.i < tok.i:
            first = subj.left_edge.i
            if subj.lower_ in RELATIVE_PRONOUNS and tok.dep_ == "relcl" and tok.head.i < subj.i:
                first = tok.head.left_edge.i  # "a ritual that may seem to be ...": what 'that' stands for
            tokens = run(ix, first, tokens[-1].i)
        span = token_span(ix, tokens)
        if span is None:
            continue
        span = cut_tail(ix, widen_to_quotes(ix, span))
        speaker = None
        if not raising:
            speaker = speaker_of(ix, subj)
            if speaker is not None and overlaps(speaker.span, span):
                continue
        yield Draft(
            kind_of(ix, span),
            span,
            cue=tok,
            cue_lemma=lemma,
            cue_span=(tok.idx, tok.idx + len(tok.text)),
            speaker=speaker,
            polarity_tokens=(tok, comp),
        )


RULE = Rule("attitudes", 30, find, exclusive_cue=True, outside_direct=True)
