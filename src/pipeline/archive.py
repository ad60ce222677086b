"""Raw responses kept by content hash, so parsing and claim extraction can be re-run offline.

Layout under the archive root: ``ab/abcdef....gz`` (the gzip-compressed body, named by the SHA-256
of the uncompressed bytes) and ``ab/abcdef....json`` (the URL, final URL and headers of the
response that last delivered it). A reference is the string ``sha256:<hex>``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from pipeline.files import atomic_write
from pipeline.records import sha256_hex

REF_PREFIX = "sha256:"


class ArchiveError(LookupError):
    """A reference that does not name a stored body."""


class Archive:
    """Raw response bodies under ``root``, gzipped once per content hash, each with its response metadata."""
    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, digest: str) -> tuple[Path, Path]:
        folder = self.root / digest[:2]
        return folder / f"{digest}.gz", folder / f"{digest}.json"

    def put(self, body: bytes, meta: dict[str, Any]) -> str:
        """Store a body (once per content) and its response metadata; return its reference."""
        digest = sha256_hex(body)
        body_path, meta_path = self._paths(digest)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        if not body_path.exists():
            atomic_write(body_path, gzip.compress(body, compresslevel=6))
        atomic_write(meta_path, json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        return REF_PREFIX + digest

    def _digest(self, ref: str) -> str:
        digest = ref.removeprefix(REF_PREFIX)
        if not ref.startswith(REF_PREFIX) or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ArchiveError(f"not an archive reference: {ref!r}")
        return digest

    def has(self, ref: str) -> bool:
        """True when ``ref`` names a body in the archive."""
        try:
            return self._paths(self._digest(ref))[0].exists()
        except ArchiveError:
            return False

    def get(self, ref: str) -> bytes:
        """The body ``ref`` names; ArchiveError when it is not stored."""
        body_path, _ = self._paths(self._digest(ref))
        try:
            return gzip.decompress(body_path.read_bytes())
        except FileNotFoundError as e:
            raise ArchiveError(f"{ref} is not in the archive at {self.root}") from e

    def meta(self, ref: str) -> dict[str, Any]:
        """The response metadata stored with ``ref``; ArchiveError when there is none."""
        _, meta_path = self._paths(self._digest(ref))
        try:
            data: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise ArchiveError(f"{ref} has no metadata in the archive at {self.root}") from e
        return data
