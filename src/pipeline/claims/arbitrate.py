"""Which drafts become claims: cues taken once, quotations continued, nested reports dropped.

The rules propose drafts independently; this is the one place where they meet. In rule order, a
draft is kept unless its rule's ``Rule`` flags say an earlier claim wins. Then a quotation that
opens the sentence after a claim joins it, a floating quote paragraph takes the speaker of the
claim before it, and a claim whose cue sits inside another claim's content (a report nested in a
report) is dropped.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import replace

from pipeline.claims.cues import cue_after
from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft, Rule
from pipeline.claims.lexicons import Lexicon
from pipeline.claims.quotes import Quote
from pipeline.claims.spans import roots_in


def arbitrate(ix: DocIndex, lex: Lexicon, rules: Iterable[Rule]) -> list[Draft]:
    """The drafts that stand, in content order."""
    kept: list[Draft] = []
    floating: list[Draft] = []
    used: set[int] = set()  # token indices of the cues kept claims took
    for rule in rules:
        for d in rule.find(ix, lex):
            if d.floating:
                floating.append(d)
            elif _admitted(rule, d, kept, used):
                if rule.exclusive_cue and d.cue is not None:
                    used.add(d.cue.i)
                kept.append(d)
    kept, floating = _trailing_quotes(ix, kept, floating, used)
    kept = _floating_quotes(ix, kept, floating)
    return _drop_nested(kept)


def _admitted(rule: Rule, d: Draft, kept: list[Draft], used: set[int]) -> bool:
    if d.inherited_from is not None and not any(k is d.inherited_from for k in kept):
        return False  # an inherited draft goes with its source
    cue = d.cue
    if rule.exclusive_cue and cue is not None and cue.i in used:
        return False
    if rule.outside_direct and cue is not None:
        if any(k.kind == "direct" and k.content[0] <= cue.idx < k.content[1] for k in kept):
            return False  # the cue is quoted speech of a claim already made
    if rule.outside_claims:
        return not any(k.content[0] <= d.content[0] < k.content[1] for k in kept)
    return True


def _trailing_quotes(
    ix: DocIndex, kept: list[Draft], floating: list[Draft], used: set[int]
) -> tuple[list[Draft], list[Draft]]:
    """'X said Clinton “drew well” in 2008. “That was more her constituency.”': a quote that
    opens the next sentence of the paragraph, with no cue of its own, goes on with the claim."""
    claimed = [d.content for d in kept]
    out: list[Draft] = []
    now: dict[int, Draft] = {}  # id of a kept draft -> the draft that replaces it
    for d in kept:
        new = d
        q = _trailing_quote(ix, d, claimed, used)
        if q is not None:
            new = replace(d, content=(d.content[0], q.end), kind="mixed" if d.kind == "indirect" else d.kind)
            claimed.append((q.start, q.end))
            floating = [f for f in floating if f.content[0] != q.start]
        source = d.inherited_from
        if source is not None and now.get(id(source), source) is not source:
            new = replace(new, inherited_from=now[id(source)])
        now[id(d)] = new
        out.append(new)
    return out, floating


def _trailing_quote(ix: DocIndex, d: Draft, claimed: list[tuple[int, int]], used: set[int]) -> Quote | None:
    if d.cue is None or d.kind == "according_to":
        return None
    sent_end = ix.sent(d.cue).end_char
    if d.content[1] > sent_end + 1:
        return None
    k = bisect.bisect_left(ix.quote_starts, sent_end)
    if k >= len(ix.quotes):
        return None
    q = ix.quotes[k]
    if ix.text[sent_end : q.start].strip() or "\n" in ix.text[d.content[1] : q.start]:
        return None
    if any(c[0] <= q.start < c[1] for c in claimed) or not ix.claim_like(q):
        return None
    if cue_after(ix, q, used) is not None:
        return None
    return q


def _floating_quotes(ix: DocIndex, kept: list[Draft], floating: list[Draft]) -> list[Draft]:
    """A quote paragraph without a cue continues the speaker of the claim just before it."""
    kept = list(kept)
    for f in floating:
        start, end = f.content
        before = [d for d in kept if d.content[1] <= start and d.speaker is not None]
        if not before:
            continue
        last = max(before, key=lambda d: d.content[1])
        between = ix.text[last.content[1] : start]
        if _paragraph_breaks(between) > 1 or ix.quote_at(last.content[1]) is not None:
            continue
        speaker = replace(last.speaker, antecedent=None) if last.speaker is not None else None
        kept.append(
            Draft(
                "direct", (start, end), inherited_from=last, speaker=speaker, polarity_tokens=roots_in(ix, start, end)
            )
        )
    return kept


def _paragraph_breaks(between: str) -> int:
    """How many paragraph breaks (runs of line breaks) a stretch of text holds."""
    count = 0
    in_break = False
    for ch in between:
        if ch == "\n":
            if not in_break:
                count += 1
            in_break = True
        elif not ch.isspace():
            in_break = False
    return count


def _drop_nested(drafts: list[Draft]) -> list[Draft]:
    """Drop drafts whose cue lies inside another (non ``according to``) draft's content, and a
    second draft over the same content (a verb and a noun cue over one clause); sort by content."""
    keep: list[Draft] = []
    outers = sorted((d for d in drafts if d.kind != "according_to"), key=lambda d: d.content[0] - d.content[1])
    for d in drafts:
        anchor = d.cue_span or d.content
        nested = False
        for o in outers:
            if o is d or o.content[1] - o.content[0] <= d.content[1] - d.content[0]:
                continue
            if o.content[0] <= anchor[0] and anchor[1] <= o.content[1]:
                # the report must sit in the other claim's content, not just its cue
                inside = min(o.content[1], d.content[1]) - max(o.content[0], d.content[0])
                if inside * 2 >= d.content[1] - d.content[0]:
                    nested = True
                    break
        if not nested:
            keep.append(d)
    keep.sort(key=lambda d: d.content)
    out: list[Draft] = []
    seen: set[tuple[int, int]] = set()
    for d in keep:
        if d.content in seen:
            continue
        seen.add(d.content)
        out.append(d)
    return out
