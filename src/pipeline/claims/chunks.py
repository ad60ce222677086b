"""Split very long texts at paragraph boundaries so each piece can be parsed on its own."""

from __future__ import annotations

from collections.abc import Iterator

MAX_CHUNK_CHARS = 100_000


def split_chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering ``text``; pieces end at a blank line, else a line break, else a space.

    A text within ``limit`` is one piece; an empty text is one empty piece, so every text yields
    at least one.
    """
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    n = len(text)
    while start < n:
        if n - start <= limit:
            yield start, text[start:]
            return
        window_end = start + limit
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            pos = text.rfind(sep, start + limit // 2, window_end)
            if pos >= 0:
                cut = pos + len(sep)
                break
        if cut <= start:
            cut = window_end
        yield start, text[start:cut]
        start = cut
