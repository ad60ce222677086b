"""Cue verbs with a clause, an infinitive or a noun phrase as content: ``X said that ...``,
``X told Y to ...``, ``X cited concerns about ...``, ``X, Y said, Z``, ``Y, as X noted``."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft, Rule
from pipeline.claims.grammar import ADDRESSEE_VERBS, RELATIVE_PRONOUNS, agent_of, has_subject, overlaps, when
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.spans import (
    contiguous,
    cut_tail,
    kind_of,
    own_reports,
    roots_in,
    run,
    token_span,
    trim,
    widen_to_quotes,
)
from pipeline.claims.speakers import inverted_subject, speaker_of, subject_of

Content = tuple[tuple[int, int], list[Token]]  # the span and the heads that decide its polarity

_CLAUSE_DEPS = frozenset(("ccomp",))
_NP_TAIL_DEPS = frozenset(("prep", "oprd", "advmod", "xcomp", "ccomp", "acomp", "dobj", "attr"))
_TOPIC_PREPS = frozenset(("about", "for", "of", "on", "against", "over"))
_TO_TOPIC_VERBS = frozenset(("refer", "point", "respond", "reply", "object", "allude", "testify", "react"))


def find(ix: DocIndex, lex: Lexicon) -> Iterator[Draft]:
    """Yield a draft for each cue verb whose content is not the speaker and that is not inside a long quote."""
    for tok in ix.verb_candidates:
        if not ix.is_cue_verb(tok):
            continue
        if _in_long_quote(ix, tok) or tok.dep_ in ("amod", "compound", "nmod"):
            continue  # quoted speech, or an adjective-like participle ("so-called", "stated aims")
        if tok.tag_ == "VB" and tok.dep_ in ("acl", "relcl"):
            continue  # "its commitment to defend South Korea": a purpose, not a report
        if tok.dep_ == "xcomp" and tok.tag_ == "VB" and tok.head.lemma_.lower() in lex.non_speech_verbs:
            continue  # "they continue to oppose", "she wants to say": an intention, not a report
        content = verb_content(ix, lex, tok)
        if content is None:
            continue
        span, roots = content
        span = cut_tail(ix, span)
        cue_span = (tok.idx, tok.idx + len(tok.text))
        speaker = speaker_of(ix, subject_of(ix, tok) or inverted_subject(tok))
        inside = span[0] < cue_span[0] and cue_span[1] < span[1]  # "X, Y said, Z"
        if speaker is not None and overlaps(speaker.span, span) and not inside:
            continue
        yield Draft(
            kind_of(ix, span),
            span,
            cue=tok,
            cue_lemma=tok.lemma_.lower(),
            cue_span=cue_span,
            speaker=speaker,
            polarity_tokens=tuple(roots),
        )


RULE = Rule("verbs", 20, find, exclusive_cue=True, outside_direct=True)


def _in_long_quote(ix: DocIndex, tok: Token) -> bool:
    q = ix.quote_at(tok.idx)
    return q is not None and len(ix.text[q.start : q.end].split()) > 3


def verb_content(ix: DocIndex, lex: Lexicon, verb: Token) -> Content | None:
    """What the cue verb reports, tried construction by construction."""
    colon = _after_colon(ix, verb)
    if colon is not None:
        return colon
    aside = _as_clause_content(ix, lex, verb)
    if aside is not None:
        return aside
    lemma = verb.lemma_.lower()
    clause = [c for c in verb.children if c.dep_ in _CLAUSE_DEPS]
    right = [c for c in clause if c.i > verb.i and not (ix.is_cue_verb(c) and has_subject(c))]
    if not clause:
        clause = [c for c in verb.children if c.dep_ == "xcomp"]
        right = [c for c in clause if c.i > verb.i]
    elif right:
        near = _adjacent_infinitive(verb, right[0])
        if near is not None:
            clause = right = [near]
    if not clause:
        late = _late_that_clause(ix, verb)
        if late is not None:
            return late
    if clause:
        head = right[0] if right else clause[0]
        tokens = contiguous(ix, head, own_reports(ix, head))
        if head.dep_ in _CLAUSE_DEPS and len(right) > 1:
            tokens = _join_clauses(ix, tokens, right[1:])
        if head.dep_ in _CLAUSE_DEPS:
            tokens = _stray_conjunct(ix, verb, tokens)
        obj = next((c for c in verb.children if c.dep_ == "dobj" and verb.i < c.i < head.i), None)
        raised = next((c for c in verb.children if c.dep_ == "nsubjpass" and c.i < verb.i), None)
        if head.dep_ == "xcomp" and obj is not None and tokens:
            # "urged the department to process ...": the addressee belongs to the request
            tokens = run(ix, obj.left_edge.i, tokens[-1].i)
        elif head.dep_ == "xcomp" and raised is not None and tokens and agent_of(verb) is None:
            # "Clinton is expected to capture ...": what is expected is about the subject
            if raised.pos_ != "PRON" or raised.lower_ not in RELATIVE_PRONOUNS:
                tokens = run(ix, raised.left_edge.i, tokens[-1].i)
        span = token_span(ix, tokens)
        if span is None:
            return None
        return widen_to_quotes(ix, span), [head]
    if verb.dep_ == "parataxis":
        return _parenthetical_content(ix, verb)
    passive = _passive_content(ix, verb)
    if passive is not None:
        return passive
    # noun-phrase content: "X denied the report", "X accused Y of ..."
    if lemma in lex.clause_only_verbs:
        return None
    objs = [c for c in verb.children if c.dep_ in ("dobj", "oprd") and c.i > verb.i]
    if not objs:
        topic = _prep_object(ix, verb)
        if topic is not None:
            return topic
    if lemma in ADDRESSEE_VERBS or not objs:
        return _clause_after(ix, verb)
    obj = objs[0]
    # the object and whatever the verb takes after it: "showed Trump 16 points ahead in Iowa",
    # "called it the mark of a desperate candidate"
    tail = [c for c in verb.children if c.i > obj.i and c.dep_ in _NP_TAIL_DEPS and not when(c)]
    if obj.pos_ == "PRON" and obj.lower_ in ("it", "this", "that", "so") and not tail:
        return None
    last = max([obj.right_edge.i] + [c.right_edge.i for c in tail])
    span = token_span(ix, run(ix, obj.left_edge.i, last))
    if span is None:
        return None
    return widen_to_quotes(ix, span), [obj]


def _adjacent_infinitive(verb: Token, clause: Token) -> Token | None:
    """'promising to lift the rules ... - what no one had in mind': an infinitive right after the
    cue is its content, and a clause the parser hung on the cue beyond it is not."""
    for child in verb.children:
        if child.dep_ != "xcomp" or not verb.i < child.i < clause.i or child.left_edge.i > verb.i + 2:
            continue
        infinitive = any(t.dep_ == "aux" and t.lower_ == "to" for t in child.children)
        if infinitive and child.right_edge.i < clause.left_edge.i:
            return child
    return None


def _join_clauses(ix: DocIndex, tokens: list[Token], more: list[Token]) -> list[Token]:
    """'said Trump has X and his remark was Y': the parser hangs each conjoined clause on the cue;
    the content runs on through every one that follows with only commas and conjunctions between."""
    if not tokens:
        return tokens
    last = tokens[-1].i
    for clause in more:
        part = contiguous(ix, clause, own_reports(ix, clause))
        if not part or part[0].i <= last:
            continue
        gap = ix.doc[last + 1 : part[0].i]
        if any(not (t.is_punct or t.dep_ == "cc") or t.text in ";:" for t in gap):
            break
        if any("\n" in t.text_with_ws for t in ix.doc[last : part[0].i]):
            break
        last = part[-1].i
    return run(ix, tokens[0].i, last) if last > tokens[-1].i else tokens


def _stray_conjunct(ix: DocIndex, verb: Token, tokens: list[Token]) -> list[Token]:
    """'said she wanted to speak to them and let them know ...': a bare infinitive the parser
    joined to a finite cue continues an infinitive of the content, so the content runs on."""
    if not tokens or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return tokens
    if not any(t.tag_ == "VB" for t in tokens):
        return tokens
    last = tokens[-1].i
    for child in verb.children:
        if child.dep_ != "conj" or child.tag_ != "VB" or child.i <= last or has_subject(child):
            continue
        gap = ix.doc[last + 1 : child.left_edge.i]
        if child.left_edge.i <= last or any(not (t.is_punct or t.dep_ == "cc") or t.text in ";:" for t in gap):
            return tokens
        if any("\n" in t.text_with_ws for t in ix.doc[last : child.i]):
            return tokens
        return run(ix, tokens[0].i, child.right_edge.i)
    return tokens


def _as_clause_content(ix: DocIndex, lex: Lexicon, verb: Token) -> Content | None:
    """'As experts have pointed out, Y' and 'Y, as the mayor noted': a cue in an 'as' clause with
    no complement reports the clause it hangs on; a verb naming only the act of speaking ('as the
    senator spoke, ...') makes the clause a time, not a report."""
    if verb.dep_ != "advcl" or verb.lemma_.lower() in lex.speech_act_verbs:
        return None
    if not any(c.dep_ == "mark" and c.lower_ == "as" and c.i < verb.i for c in verb.children):
        return None
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return None  # "as expected", "as reported": no one said it
    if any(c.dep_ in ("ccomp", "xcomp", "dobj", "oprd") for c in verb.children):
        return None  # "as she said she would": the clause has content of its own
    head = verb.head
    if head.pos_ not in ("VERB", "AUX") or "\n" in ix.doc[verb.i : head.i].text:
        return None
    own = {t.i for t in verb.subtree}
    span = token_span(ix, contiguous(ix, head, own | own_reports(ix, head)))
    if span is None or span[1] - span[0] < 10:
        return None
    return widen_to_quotes(ix, span), [head]


def _passive_content(ix: DocIndex, verb: Token) -> Content | None:
    """'The meeting was first reported by Politico', 'the country described by the president':
    with a 'by' agent, what the passive is about is the content."""
    if agent_of(verb) is None:
        return None
    target = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    exclude: set[int] = set()
    if target is None and verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        target = verb.head
        exclude = {t.i for t in verb.subtree}
    if target is None or target.lower_ in RELATIVE_PRONOUNS or target.pos_ == "PRON":
        return None
    span = token_span(ix, contiguous(ix, target, exclude))
    if span is None:
        return None
    return widen_to_quotes(ix, span), [verb]


def _prep_object(ix: DocIndex, verb: Token) -> Content | None:
    """'talked about the economy', 'called for a ban', 'warned of a crisis': the object of the
    preposition right after the cue is what the speaker addressed."""
    for child in verb.children:
        if child.dep_ != "prep" or child.i <= verb.i or child.i > verb.i + 6:
            continue
        if when(child):
            continue  # "talked on Monday about ..."
        to_ok = child.lower_ == "to" and verb.lemma_.lower() in _TO_TOPIC_VERBS
        if child.lower_ not in _TOPIC_PREPS and not to_ok:
            return None
        pobj = next((g for g in child.children if g.dep_ in ("pobj", "pcomp")), None)
        if pobj is None:
            return None
        span = token_span(ix, run(ix, pobj.left_edge.i, pobj.right_edge.i))
        if span is None:
            return None
        return widen_to_quotes(ix, span), [pobj]
    return None


def _late_that_clause(ix: DocIndex, verb: Token) -> Content | None:
    """'said following a vote in 2001 that he had ...', 'told customers at a diner that ...':
    the parser hung the reported clause on a nearby noun; take it from its ``that``/``if``."""
    doc = ix.doc
    sent_end = ix.sent(verb).end
    for i in range(verb.i + 1, min(sent_end, verb.i + 16)):
        tok = doc[i]
        if tok.text in (";", ".", "?", "!") or "\n" in tok.text_with_ws or ix.is_cue_verb(tok):
            return None
        if tok.lower_ in ("that", "if", "whether") and tok.dep_ == "mark" and tok.head.i > tok.i:
            head = tok.head
            span = token_span(ix, run(ix, tok.i, max(head.right_edge.i, tok.i)))
            if span is None:
                return None
            return widen_to_quotes(ix, span), [head]
    return None


def _clause_after(ix: DocIndex, verb: Token) -> Content | None:
    """'telling reporters on Thursday he viewed Obama as ...': a clause right after the cue
    phrase that the parser attached elsewhere."""
    doc = ix.doc
    sent_end = ix.sent(verb).end
    for i in range(verb.i + 1, min(sent_end, verb.i + 8)):
        tok = doc[i]
        if tok.text in (";", ".", "?", "!", ",", ":") or "\n" in tok.text_with_ws:
            return None
        if tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("amod", "compound"):
            return None
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.i > tok.i and tok.head.i != verb.i:
            head = tok.head
            if ix.is_cue_verb(head):
                return None
            span = token_span(ix, run(ix, tok.left_edge.i, head.right_edge.i))
            if span is None or span[1] - span[0] < 10:
                return None
            return widen_to_quotes(ix, span), [head]
    return None


def _parenthetical_content(ix: DocIndex, verb: Token) -> Content | None:
    """``X, Mr. Abboud said, Y``: the clause around the parenthetical cue."""
    head = verb.head
    members = sorted(t.i for t in head.subtree)
    if not members:
        return None
    sent = ix.sent(verb)
    lo, hi = max(members[0], sent.start), min(members[-1], sent.end - 1)
    verb_side = {t.i for t in verb.subtree}
    if all(i in verb_side for i in range(lo, hi + 1)):
        return None
    if verb.right_edge.i >= hi:
        hi = verb.left_edge.i - 1
    if verb.left_edge.i <= lo:
        lo = verb.right_edge.i + 1
    if hi < lo:
        return None
    span = token_span(ix, run(ix, lo, hi))
    if span is None or span[1] - span[0] < 10:
        return None
    return widen_to_quotes(ix, span), [head]


def _after_colon(ix: DocIndex, verb: Token) -> Content | None:
    """``X said: ...`` up to the end of the sentence after the colon (or the quote there)."""
    i = verb.i + 1
    doc = ix.doc
    steps = 0
    while i < len(doc) and steps < 4 and doc[i].text != ":":
        if doc[i].is_punct or "\n" in doc[i].text_with_ws:
            return None
        i += 1
        steps += 1
    if i >= len(doc) - 1 or doc[i].text != ":" or "\n" in doc[i].text_with_ws:
        return None
    start_tok = doc[i + 1]
    q = ix.quote_at(start_tok.idx)
    if q is not None:
        return (q.start, q.end), list(roots_in(ix, q.start, q.end))
    end_tok = start_tok
    for t in doc[start_tok.i :]:
        if "\n" in t.text_with_ws and t.i > start_tok.i:
            break
        end_tok = t
        if t.is_sent_end and t.i > start_tok.i + 2:
            break
    span = trim(ix, start_tok.idx, end_tok.idx + len(end_tok.text))
    if span is None:
        return None
    return span, list(roots_in(ix, *span))
