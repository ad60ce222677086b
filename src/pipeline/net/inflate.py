"""Streaming gzip/deflate decompression under an output cap, with an end-of-stream check. Pure.

Used for HTTP bodies (``pipeline.net.client``) and gzip-compressed feed files (``discover``).
Going over the cap raises ``TooLarge`` (a gzip bomb stays small); a stream without its end marker
raises ``Truncated`` at ``finish()`` (see docs/FETCHING.md, "Robustness").
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

GZIP_WBITS = 16 + zlib.MAX_WBITS
CODINGS = ("gzip", "x-gzip", "deflate", "identity")


class InflateError(ValueError):
    """A compressed stream that cannot be used; the message says why."""


class TooLarge(InflateError):
    """The decompressed data would exceed the cap."""


class Truncated(InflateError):
    """The compressed stream ended before its end marker."""


class Corrupt(InflateError):
    """The bytes are not a valid stream of the declared coding."""


class Unsupported(InflateError):
    """A content coding this module does not decode (br, zstd, compress...)."""


def _zlib_header(two: bytes) -> bool:
    """Whether two bytes are a valid zlib (RFC 1950) header rather than raw deflate data."""
    return len(two) == 2 and two[0] & 0x0F == 8 and (two[0] * 256 + two[1]) % 31 == 0


class Inflater:
    """Decodes one content coding incrementally: ``feed`` chunks, then ``finish``.

    ``gzip`` accepts several members one after another (as gzip(1) writes them) and ignores bytes
    after a finished member that are not another member (padding some servers add). ``deflate`` is
    the zlib format HTTP asks for, or the raw deflate data some servers send instead.
    """

    def __init__(self, coding: str, limit: int) -> None:
        coding = coding.strip().lower()
        if coding not in CODINGS:
            raise Unsupported(f"unsupported content coding {coding!r}")
        self.coding = "gzip" if coding == "x-gzip" else coding
        self.limit = limit
        self.size = 0  # bytes produced so far
        self._d: zlib._Decompress | None = None  # the stream (gzip: the member) being decoded
        self._head = b""  # deflate: the first bytes, until the format is known
        self._members = 0  # streams that reached their end marker
        self._member_out = 0  # bytes the current stream produced
        self._ended = False  # the data is over; whatever follows is ignored padding
        self._started = False

    def _count(self, out: bytes) -> bytes:
        self.size += len(out)
        self._member_out += len(out)
        if self.size > self.limit:
            raise TooLarge(f"over {self.limit} bytes once decompressed")
        return out

    def _open(self, data: bytes) -> tuple[zlib._Decompress | None, bytes]:
        """A decompressor for the next stream and the input to give it (None: need more bytes)."""
        self._member_out = 0
        if self.coding == "gzip":
            return zlib.decompressobj(GZIP_WBITS), data
        self._head += data
        if len(self._head) < 2:
            return None, b""
        data, self._head = self._head, b""
        return zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data[:2]) else -zlib.MAX_WBITS), data

    def feed(self, data: bytes) -> bytes:
        """Decompress the next chunk; raise ``TooLarge`` or ``Corrupt``."""
        if data:
            self._started = True
        if self.coding == "identity":
            return self._count(data)
        out = bytearray()
        while data and not self._ended:
            if self._d is None:
                self._d, data = self._open(data)
                if self._d is None:
                    break
            try:
                out += self._count(self._d.decompress(data, self.limit - self.size + 1))
            except zlib.error as e:
                if self._members and not self._member_out:
                    self._ended = True  # not another gzip member: padding after the last one
                    self._d = None
                    break
                raise Corrupt(f"{self.coding} data is corrupt: {e}") from e
            if self._d.eof:
                self._members += 1
                data = self._d.unused_data
                self._d = None
                self._ended = self.coding != "gzip"  # only gzip has members one after another
            else:
                data = self._d.unconsumed_tail
        return bytes(out)

    def finish(self) -> bytes:
        """End of input: raise ``Truncated`` unless the stream is complete; return what was held back."""
        if self.coding == "identity":
            return b""
        if not self._started:
            raise Truncated(f"empty {self.coding} stream")
        if self._d is None:
            if self._members or self._ended:
                return b""
            raise Truncated(f"{self.coding} stream ends after {len(self._head)} byte(s)")
        try:
            tail = self._count(self._d.flush())
        except zlib.error as e:
            raise Corrupt(f"{self.coding} data is corrupt: {e}") from e
        if not self._d.eof:
            raise Truncated(f"{self.coding} stream cut short: its end marker never arrived")
        return tail


class Decoder:
    """The codings of a ``Content-Encoding`` header, undone in reverse order, with one cap."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        # the last coding applied is undone first
        self._chain = [Inflater(c, limit) for c in reversed(codings)] or [Inflater("identity", limit)]

    @property
    def size(self) -> int:
        """Decoded bytes produced so far."""
        return self._chain[-1].size

    def feed(self, data: bytes) -> bytes:
        """Decode one more chunk through every coding and return the bytes that came out."""
        for inflater in self._chain:
            data = inflater.feed(data)
        return data

    def finish(self) -> bytes:
        """Flush every coding at the end of the body and return the last bytes."""
        out = b""
        for i, inflater in enumerate(self._chain):
            out = inflater.finish() if i == 0 else inflater.feed(out) + inflater.finish()
        return out


def inflate(chunks: Iterable[bytes], coding: str, limit: int) -> bytes:
    """Decompress a whole stream given in chunks; raise an ``InflateError`` subclass."""
    decoder = Decoder(coding, limit)
    parts = [decoder.feed(chunk) for chunk in chunks]
    parts.append(decoder.finish())
    return b"".join(parts)
