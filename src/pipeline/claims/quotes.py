"""Find quotations in raw text, tolerant of unbalanced marks.

Only double quotation marks (curly, straight, guillemets, and the typewriter pairs of two
backticks or two apostrophes) open a quotation here; single marks are left alone because in news
copy they are mostly apostrophes (``don’t``, ``States’``) or quotes nested inside a double-quoted
passage. A quotation never crosses a paragraph break, except in the newspaper convention where a
quoted paragraph is left open and the next paragraph starts with an opening mark: the two are
joined into one quotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_OPENERS = "“„«"
_CLOSERS = "”»"
_STRAIGHT = '"'
_MARKS = re.compile("(?=[“„«”»\"]|``|'')")  # zero-width: a run of apostrophes is seen at each offset
_BEFORE_OPEN = " \t\n\u00a0([{—–-/"


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted passage: ``start`` is the opening mark, ``end`` is just past the closing mark."""

    start: int
    end: int
    closed: bool  # False when the paragraph (or the text) ended before a closing mark
    paragraph_start: bool  # the opening mark is the first visible character of its paragraph


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-empty line-delimited paragraph."""
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        if text[pos:end].strip():
            yield pos, end
        if nl < 0:
            break
        pos = nl + 1


def _mark_at(text: str, i: int, end: int) -> tuple[str, int]:
    """The quotation mark starting at ``i`` as (role, length): role is open, close, either or none."""
    ch = text[i]
    if ch in _OPENERS:
        return "open", 1
    if ch in _CLOSERS:
        return "close", 1
    if ch == _STRAIGHT:
        return "either", 1
    pair = text[i : i + 2]
    if pair == "``":
        return "open", 2
    if pair == "''" and (i + 2 >= end or text[i + 2] != "'"):
        return "either", 2
    return "none", 0


def _scan_paragraph(text: str, start: int, end: int) -> list[Quote]:
    found: list[Quote] = []
    first_visible = start
    while first_visible < end and text[first_visible].isspace():
        first_visible += 1
    open_at: int | None = None
    busy_until = start
    for m in _MARKS.finditer(text, start, end):
        i = m.start()
        if i < busy_until:
            continue  # the second half of a two-character mark
        role, size = _mark_at(text, i, end)
        if not size:
            continue
        busy_until = i + size
        if role == "open":
            if open_at is None:
                open_at = i
            elif (
                i > start and not text[i - 1].isspace() and (i + size >= end or not text[i + size].isalnum())
            ):
                # '“It's unusual,“ said ...': an opening mark typed where the closing one belongs
                found.append(Quote(open_at, i + size, True, open_at == first_visible))
                open_at = None
            # otherwise a second opener while open is a typo or a nested quote: keep the first
        elif role == "close":
            if open_at is not None:
                found.append(Quote(open_at, i + size, True, open_at == first_visible))
                open_at = None
        else:
            prev = text[i - 1] if i > start else " "
            nxt = text[i + size] if i + size < end else " "
            opening_shape = prev in _BEFORE_OPEN and not nxt.isspace()
            if open_at is None:
                if opening_shape or (i == start and nxt.isalnum()):
                    open_at = i
            elif not opening_shape or i + size >= end:
                found.append(Quote(open_at, i + size, True, open_at == first_visible))
                open_at = None
    if open_at is not None:
        stop = end
        while stop > open_at + 1 and text[stop - 1].isspace():
            stop -= 1
        found.append(Quote(open_at, stop, False, open_at == first_visible))
    return found


def find_quotes(text: str) -> list[Quote]:
    """All double-quoted passages of ``text`` in order, joining quotes continued across paragraphs."""
    quotes: list[Quote] = []
    for p_start, p_end in paragraphs(text):
        for q in _scan_paragraph(text, p_start, p_end):
            if (
                quotes
                and q.paragraph_start
                and not quotes[-1].closed
                and _only_space(text, quotes[-1].end, q.start)
            ):
                prev = quotes.pop()
                q = Quote(prev.start, q.end, q.closed, prev.paragraph_start)
            quotes.append(q)
    return [q for q in quotes if q.end - q.start > 2]


def _only_space(text: str, a: int, b: int) -> bool:
    return not text[a:b].strip()
