"""Character set and input guards: decide how to decode a page's bytes, and refuse bytes that are not a web page."""


from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

PRESCAN_BYTES = 8192  # how far to look for <meta charset>



_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG Encoding Standard: these labels are decoded as windows-1252 by every browser.
_AS_CP1252 = {"iso8859-1", "latin-1", "ascii", "cp819", "iso-8859-1", "latin1", "us-ascii"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def _codec_name(label: str | bytes | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _AS_CP1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _AS_CP1252:
        return "cp1252"
    return name


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp", "iso8859", "windows", "koi8", "mac", "latin")) or codec in {"tis-620"}


def _valid_utf8_with_multibyte(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # a page cut at MAX_BYTES may end inside a character
        try:
            data[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def decide_charset(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Return ``(codec, how)``: the character set of ``data`` and which evidence decided it.

    Order: byte-order mark, the HTTP header's charset, ``<meta charset>`` / http-equiv in the first
    bytes, then detection. Two corrections to declarations: when a single-byte charset is declared but
    the bytes are valid UTF-8 containing multi-byte sequences, they are UTF-8 (legacy text almost never
    is valid UTF-8 by chance, while mislabelled UTF-8 pages are common); and a UTF-8 declaration whose
    non-ASCII bytes are mostly invalid UTF-8 is passed over (a stray bad byte is not enough).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, "bom"
    for how, label in (("header", header_charset), ("meta", _meta_charset(data[:PRESCAN_BYTES]))):
        declared = _codec_name(label)
        if declared is None:
            continue
        codec = declared
        if codec.startswith("utf-16") or codec.startswith("utf-32"):
            if how == "meta":  # a byte-oriented page cannot declare UTF-16 about itself (WHATWG)
                codec = "utf-8"
            elif b"\x00" not in data[:4096]:
                continue
        if _is_single_byte(codec) and _valid_utf8_with_multibyte(data):
            return "utf-8", f"{how}-overridden-by-utf8"
        if codec == "utf-8" and _mostly_not_utf8(data):
            continue  # declared UTF-8, but the non-ASCII bytes are nearly all invalid UTF-8
        return codec, how
    if data.isascii() or _valid_utf8_with_multibyte(data):
        return "utf-8", "detected"
    return _detect(data), "detected"


def _mostly_not_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    sample = data[:200_000]
    try:
        sample.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    bad = sample.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = len(sample.translate(None, _ASCII_BYTES))
    return bad > 10 and bad > 0.2 * non_ascii


_ASCII_BYTES = bytes(range(128))


def _meta_charset(head: bytes) -> bytes | None:
    m = _META_CHARSET.search(head)
    return m.group(1) if m else None


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:200_000]).best()
    except (ValueError, RuntimeError, LookupError) as e:  # defensive: detection is best effort
        log.debug("charset detection failed: %s", e)
        best = None
    codec = _codec_name(best.encoding) if best is not None else None
    return codec or "cp1252"


def decode_html(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text; undecodable bytes become U+FFFD. Returns ``(text, codec)``."""
    codec, how = decide_charset(data, header_charset)
    log.debug("charset %s (%s)", codec, how)
    if how == "bom":
        data = data[len(next(b for b, c in _BOMS if c == codec)) :]
    return data.decode(codec, errors="replace"), codec



_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"BZh",
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"OggS",
    b"ID3",
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def binary_reason(data: bytes, text: str) -> str | None:
    """Why the page is not HTML text (binary signature, empty, control characters, no markup), or None."""
    if data.lstrip()[:8].startswith(_BINARY_MAGIC):
        return "binary content (file signature), not HTML"
    sample = text[:65536]
    if not sample.strip():
        return "empty page"
    bad = len(_CONTROL.findall(sample))
    if bad > 0.05 * len(sample):
        return f"binary or undecodable content ({bad} control or invalid characters in {len(sample)})"
    if "<" not in sample:
        return "no HTML markup"
    return None


