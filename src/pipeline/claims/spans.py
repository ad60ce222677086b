"""Content bounds: turning tokens into character spans, and where reported content starts and ends."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.grammar import has_subject

Span = tuple[int, int]

# after a comma, the start of an aside appended to reported content
_TAIL_WORDS = frozenset(("which", "who", "despite", "compared", "according"))
_TAIL_MARKS = frozenset(("although",))  # only opening a clause: not "a crucial, although brief, chance"
_TAIL_PAIRS = frozenset((("even", "though"), ("even", "as")))  # ", even though ...", ", even as ..."
# what follows a closing quote mark and is the writer's setting, not the speaker's words:
# '"That makes me smart," when the rival said ...' (PolNeAR train: never inside a quoted content)
_AFTER_QUOTE_WORDS = frozenset(("when", "after", "while", "although"))
_TAIL_VBG_DEPS = frozenset(("advcl", "xcomp", "conj", "acl", "dep", "npadvmod"))


def trim(ix: DocIndex, start: int, end: int) -> Span | None:
    """Shrink a character span past spaces and separating punctuation (keeps quote marks)."""
    text = ix.text
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-("):
        end -= 1
    if end <= start:
        return None
    return start, end


def trim_end_punct(ix: DocIndex, span: Span) -> Span:
    """``span`` without the periods, commas, semicolons and colons at its end (one character kept at least)."""
    start, end = span
    while end > start + 1 and ix.text[end - 1] in ".,;:":
        end -= 1
    return start, end


def token_span(ix: DocIndex, tokens: list[Token]) -> Span | None:
    """The trimmed character span from the first to the last of ``tokens``; None when there are none."""
    if not tokens:
        return None
    first, last = tokens[0], tokens[-1]
    return trim(ix, first.idx, last.idx + len(last.text))


def contiguous(ix: DocIndex, head: Token, exclude: set[int] | None = None) -> list[Token]:
    """The run of ``head``'s subtree around ``head`` without gaps (drops non-projective bits)."""
    members = {t.i for t in head.subtree}
    if exclude:
        members -= exclude
    lo = hi = head.i
    doc = ix.doc
    while lo - 1 in members and "\n" not in doc[lo - 1].text_with_ws:
        lo -= 1
    while hi + 1 in members and "\n" not in doc[hi].text_with_ws:
        hi += 1
    span = [doc[i] for i in range(lo, hi + 1)]
    while span and span[-1].is_punct and span[-1].text not in '”"’)' and len(span) > 1:
        span.pop()
    while span and span[0].is_punct and span[0].text not in '“"‘(' and len(span) > 1:
        span.pop(0)
    return span


def run(ix: DocIndex, lo: int, hi: int) -> list[Token]:
    """Tokens lo..hi, cut at the first line break and without trailing punctuation."""
    doc = ix.doc
    out: list[Token] = []
    for i in range(lo, hi + 1):
        out.append(doc[i])
        if "\n" in doc[i].text_with_ws:
            break
    while len(out) > 1 and out[-1].is_punct and out[-1].text not in '”"’)':
        out.pop()
    return out


def own_reports(ix: DocIndex, head: Token) -> set[int]:
    """Conjoined cue verbs under a content head ("... that he was ill and vowed to ..."): the
    parser hangs the speaker's next report on the content; cut it off so it stands alone."""
    out: set[int] = set()
    for child in head.children:
        if child.dep_ == "conj" and child.tag_ in ("VBD", "VBZ") and ix.is_cue_verb(child):
            out |= {t.i for t in child.subtree}
            out |= {c.i for c in head.children if c.dep_ in ("cc", "punct") and c.i < child.i and c.i > head.i}
    return out


def roots_in(ix: DocIndex, start: int, end: int) -> tuple[Token, ...]:
    """The clause heads of a span: what decides whether it is denied."""
    span = ix.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return ()
    return tuple(
        t for t in span if t.dep_ == "ROOT" or (t.dep_ in ("ccomp", "conj") and not span.start <= t.head.i < span.end)
    )


def widen_to_quotes(ix: DocIndex, span: Span) -> Span:
    """A content edge inside a quote moves to the quote's mark, so quotes are kept whole."""
    start, end = span
    q = ix.quote_at(start)
    if q is not None and q.start < start:
        start = q.start
    q = ix.quote_at(end - 1)
    if q is not None and q.end > end:
        end = q.end
    return start, end


def kind_of(ix: DocIndex, span: Span) -> str:
    """direct (one whole quotation), mixed (part quoted) or indirect."""
    inside = [q for q in ix.quotes if q.start < span[1] and span[0] < q.end]
    if not inside:
        return "indirect"
    if inside[0].start == span[0] and inside[-1].end >= span[1] - 1 and len(inside) == 1:
        return "direct"
    return "mixed"


def cut_tail(ix: DocIndex, span: Span) -> Span:
    """Drop an appended remark after a comma from reported (unquoted) content: '..., which the
    court has put on hold', '..., calling them boring'. A quotation is never cut."""
    start, end = span
    if ix.quote_at(start) is not None:
        return cut_after_quote(ix, span)
    tokens = ix.doc.char_span(start, end, alignment_mode="expand")
    if tokens is None:
        return span
    for tok in tokens[:-1]:
        if tok.text != "," or tok.idx - start < 15:
            continue
        nxt = tok.nbor(1)
        pair = (nxt.lower_, nxt.nbor(1).lower_) if nxt.i + 1 < len(ix.doc) else None
        if (
            nxt.lower_ in _TAIL_WORDS
            or (nxt.lower_ in _TAIL_MARKS and nxt.dep_ == "mark" and has_subject(nxt.head))
            or pair in _TAIL_PAIRS
            or (nxt.tag_ == "VBG" and nxt.dep_ in _TAIL_VBG_DEPS)
        ):
            if ix.quote_at(tok.idx) is not None:
                return span
            return trim(ix, start, tok.idx) or span
    return span


def cut_after_quote(ix: DocIndex, span: Span) -> Span:
    """Content that opens with a quotation and runs on into a 'when ...', 'after ...' clause ends
    at the closing mark: the clause is the writer's setting of the words, never part of them."""
    start, end = span
    q = ix.quote_at(start)
    if q is None or not q.closed or q.end >= end:
        return span
    rest = ix.text[q.end : end].lstrip(" ,")
    if rest.split(" ", 1)[0].lower() not in _AFTER_QUOTE_WORDS:
        return span
    return trim(ix, start, q.end) or span
