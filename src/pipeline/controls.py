"""Control characters: removed from page text at parse time, shown escaped when printed.

A page can carry terminal escape sequences (``\\x1b]0;...\\x07`` sets a terminal's title; ``\\x1b[2J``
clears it) in its title, byline or body. The parser removes the C0 and C1 control characters
(and DEL) from every field it extracts, keeping the newline and tab where the text needs them; the
CLI escapes whatever control character is still in a value it prints (a database written by an
older version, or a value computed in SQL), so nothing from a page reaches a terminal as a command.
"""

from __future__ import annotations

import re

# C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F); tab, newline and carriage return are decided apart
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n?")
# bidirectional overrides and isolates: they reorder what a terminal shows (printed escaped, kept in data)
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SHOWN_ESCAPED = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI}]")


def strip_controls(text: str) -> str:
    """``text`` without control characters; newlines and tabs are kept, a CR or CRLF becomes a newline."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


def strip_controls_line(text: str) -> str:
    """A one-line field (title, author): control characters removed, whitespace runs made one space."""
    return " ".join(_CONTROLS.sub("", text).split())


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every control character and bidirectional override written as a visible escape
    (``\\x1b``, ``\\n``, ``\\u202e``), for printing to a terminal; characters in ``keep`` (say "\\n"
    for a message of several lines) are left as they are."""
    return _SHOWN_ESCAPED.sub(lambda m: m.group() if m.group() in keep else _escape_one(m), text)


def escape_json_line(line: str) -> str:
    """A JSON text with the characters ``json.dumps(ensure_ascii=False)`` leaves raw and a terminal
    would act on (DEL, C1 controls, bidirectional overrides) written as ``\\uXXXX``: the same JSON."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
