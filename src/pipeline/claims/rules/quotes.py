"""Quotations: ``“...,” X said`` / ``X said: “...”``, split quotes joined, ``“...” ― Name`` bylines.

A quote paragraph with no cue of its own is yielded as a ``floating`` draft: arbitration may give
it the speaker of the claim before it.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

from pipeline.claims.cues import MAX_SPEAKER_GAP, cue_after, cue_before
from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft, Rule, Speaker
from pipeline.claims.grammar import ADDRESSEE_VERBS
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.quotes import Quote
from pipeline.claims.spans import roots_in, trim
from pipeline.claims.speakers import inverted_subject, speaker_of, subject_of


def find(ix: DocIndex, lex: Lexicon) -> Iterator[Draft]:
    """Yield a draft for each quotation: with its cue and speaker, as a dash byline, or floating."""
    quotes = ix.quotes
    used: set[int] = set()  # cues taken by the quotations before
    consumed: set[int] = set()  # quotations joined to an earlier one
    for n, q in enumerate(quotes):
        if n in consumed:
            continue
        cue = cue_after(ix, q, used) if _opens_sentence(ix, q) else None
        segments = [q]
        if cue is not None:
            # "“A,” X said, “B.”": a second quote right after the cue phrase continues the claim
            m = n + 1
            while m < len(quotes) and quotes[m].start < cue.idx:
                m += 1  # a title inside the speaker phrase
            nxt = quotes[m] if m < len(quotes) else None
            if nxt is not None and _joins(ix, cue, nxt):
                segments.append(nxt)
                consumed.update(range(n + 1, m + 1))
            elif _has_own_content(ix, cue):
                cue = None
        if cue is None:
            cue = cue_before(ix, q, used)
            if cue is not None and not ix.claim_like(q) and q.end - q.start < 12:
                cue = None
        if cue is None:
            byline = _dash_byline(ix, q)
            if byline is not None:
                dash, name = byline
                yield Draft(
                    "direct",
                    (q.start, q.end),
                    cue_lemma="—",
                    cue_span=(dash, dash + 1),
                    speaker=Speaker((name[0].idx, name[-1].idx + len(name[-1].text)), name[-1]),
                    polarity_tokens=roots_in(ix, q.start, q.end),
                )
            elif q.paragraph_start and ix.claim_like(q):
                yield Draft("direct", (q.start, q.end), floating=True)
            continue
        # '“A,” he said. “B.”': the quote that follows in the same paragraph goes on with it
        k = max(consumed | {n}) + 1
        sent_end = ix.sent(cue).end_char
        while k < len(quotes) and quotes[k].end <= sent_end:
            k += 1  # a title inside the cue phrase: 'he said on ABC’s “This Week.”'
        apart: list[Quote] = []  # continued quotes too far from the rest to share one span
        while k < len(quotes) and _continues(ix, segments[-1].end, quotes[k], cue, used):
            nxt = quotes[k]
            consumed.add(k)
            k += 1
            if apart or _too_far(ix, segments, nxt):
                apart.append(nxt)
            else:
                segments.append(nxt)
        content = (segments[0].start, segments[-1].end)
        speaker = speaker_of(ix, subject_of(ix, cue) or inverted_subject(cue))
        if speaker is None and cue.idx > segments[0].end:
            between = trim(ix, segments[0].end, cue.idx)  # the noun phrase between quote and cue
            if between is not None:
                speaker = Speaker(between, ix.doc[cue.i - 1])
        d = Draft(
            "direct",
            content,
            cue=cue,
            cue_lemma=cue.lemma_.lower(),
            cue_span=(cue.idx, cue.idx + len(cue.text)),
            speaker=speaker,
            polarity_tokens=roots_in(ix, *content),
        )
        used.add(cue.i)
        yield d
        for q2 in apart:
            yield Draft(
                "direct",
                (q2.start, q2.end),
                inherited_from=d,
                speaker=d.speaker,
                polarity_tokens=roots_in(ix, q2.start, q2.end),
            )


RULE = Rule("quotes", 10, find, exclusive_cue=True)


def _too_far(ix: DocIndex, segments: list[Quote], nxt: Quote) -> bool:
    """'“A,” said X, a pollster who worked for ... . “B.”': when the cue phrase between outweighs
    the quotes, B becomes a claim of its own by the same speaker."""
    quoted = sum(q.end - q.start for q in segments) + nxt.end - nxt.start
    between = sum(len(ix.text[a.end : b.start].strip()) for a, b in zip(segments, [*segments[1:], nxt], strict=True))
    return between > quoted


def _dash_byline(ix: DocIndex, q: Quote) -> tuple[int, list[Token]] | None:
    """'“I just hope ...” ― Jorge Falcon': a dash and a name closing the quote's paragraph."""
    text = ix.text
    i = q.end
    while i < len(text) and text[i] in " \t\u00a0":
        i += 1
    if i >= len(text) or text[i] not in "―—–-":
        return None
    dash = i
    span = ix.doc.char_span(dash + 1, len(text), alignment_mode="expand")
    if span is None:
        return None
    name: list[Token] = []
    for tok in span:
        if tok.idx <= dash or tok.is_space and not name:
            continue
        if "\n" in tok.text or tok.text in (".", ",", "/") or len(name) > 6:
            break
        name.append(tok)
        if "\n" in tok.text_with_ws:
            break
    if not name or not all(t.pos_ == "PROPN" or t.text in (".", "-") or t.is_title for t in name):
        return None
    return dash, name


def _opens_sentence(ix: DocIndex, q: Quote) -> bool:
    """The quote stands as a clause of its own: nothing but a sentence break before it."""
    i = q.start - 1
    while i >= 0 and ix.text[i] in " \t\u00a0":
        i -= 1
    return i < 0 or ix.text[i] in "\n.!?:;—–(”\"'"


def _has_own_content(ix: DocIndex, cue: Token) -> bool:
    """A cue after a quote that has its own clause or object belongs to another claim."""
    for child in cue.children:
        if child.i <= cue.i:
            continue
        if child.dep_ in ("ccomp", "xcomp"):
            if ix.quote_at(child.idx) is not None:
                continue  # the next quoted sentence, parsed into this one
            if any(t.text == "," for t in ix.doc[cue.i + 1 : child.left_edge.i]):
                continue  # '“...,” Warren told Stumpf, after he admitted he had ...'
            return True
        if child.dep_ == "dobj" and cue.lemma_.lower() not in ADDRESSEE_VERBS:
            return True
    nxt = cue.nbor(1) if cue.i + 1 < len(cue.doc) else None
    return nxt is not None and nxt.text == ":"


def _continues(ix: DocIndex, prev_end: int, nxt: Quote, cue: Token, used: set[int]) -> bool:
    """``nxt`` carries on the claim ending at ``prev_end``: same paragraph, no cue of its own."""
    between = ix.text[prev_end : nxt.start]
    if "\n" in between:
        return False
    stripped = between.strip()
    if stripped and not stripped.endswith((".", "!", "?")):
        return False
    after_cue_sentence = not ix.text[ix.sent(cue).end_char : nxt.start].strip()
    if len(stripped.split()) > MAX_SPEAKER_GAP and not after_cue_sentence:
        return False
    return cue_after(ix, nxt, used) is None


def _joins(ix: DocIndex, cue: Token, nxt: Quote) -> bool:
    sent_end = ix.sent(cue).end_char
    if nxt.start > sent_end + 2:
        return False
    # only the cue phrase (speaker, cue, a comma) may stand between the two quotes
    between = ix.doc.char_span(cue.idx, nxt.start, alignment_mode="expand")
    if between is None:
        return False
    words = [t for t in between if not t.is_punct and not t.is_space]
    if any(t.i != cue.i and ix.is_cue_verb(t) and t.i > cue.i for t in words):
        return False  # '“A,” he said, adding, “B.”': B is reported by 'adding', a claim of its own
    return len(words) <= MAX_SPEAKER_GAP and between.text.rstrip().endswith((",", ":", "—"))
