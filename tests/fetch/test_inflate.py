"""Streaming decompression: whole streams decode in any chunking; cut, corrupt or oversized ones raise."""

from __future__ import annotations

import gzip
import zlib

import pytest

from pipeline.net.inflate import Corrupt, TooLarge, Truncated, Unsupported, inflate

DATA = b"".join(b"line %d of a page that compresses well enough\n" % i for i in range(4000))
GZ = gzip.compress(DATA)


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 7, 4096, 10**7])
@pytest.mark.parametrize(
    ("packed", "coding", "expected"),
    [
        (GZ, "gzip", DATA),
        (GZ, "x-gzip", DATA),
        (GZ + GZ, "gzip", DATA + DATA),  # two members, as gzip(1) writes them
        (GZ + b"\0" * 16, "gzip", DATA),  # padding after the last member
        (zlib.compress(DATA), "deflate", DATA),
        (_raw_deflate(DATA), "deflate", DATA),  # what some servers send as "deflate"
        (DATA, "identity", DATA),
        (gzip.compress(zlib.compress(DATA)), "deflate, gzip", DATA),
    ],
)
def test_whole_streams_decode_in_any_chunking(packed: bytes, coding: str, expected: bytes, size: int) -> None:
    assert inflate(_chunks(packed, size), coding, 10**7) == expected


@pytest.mark.parametrize("size", [1, 4096, 10**7])
@pytest.mark.parametrize(
    ("packed", "coding"),
    [
        (GZ[: len(GZ) * 4 // 5], "gzip"),
        (GZ[:-4], "gzip"),  # only the length trailer missing
        (GZ[:5], "gzip"),
        (GZ + GZ[:30], "gzip"),  # a second member begun and cut
        (zlib.compress(DATA)[:-3], "deflate"),
        (_raw_deflate(DATA)[:-20], "deflate"),
        (b"", "gzip"),
    ],
)
def test_streams_cut_short_raise(packed: bytes, coding: str, size: int) -> None:
    with pytest.raises(Truncated):
        inflate(_chunks(packed, size) or [b""], coding, 10**7)


def test_output_over_the_cap_raises_early() -> None:
    bomb = gzip.compress(b"0" * 20_000_000)  # about 20 KB
    with pytest.raises(TooLarge, match="over 1000000 bytes"):
        inflate(_chunks(bomb, 65536), "gzip", 1_000_000)


def test_corrupt_and_unknown_codings_raise() -> None:
    with pytest.raises(Corrupt):
        inflate([b"\x1f\x8b" + b"\xff" * 40], "gzip", 1000)
    with pytest.raises(Unsupported):
        inflate([b"x"], "br", 1000)
