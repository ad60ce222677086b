"""Two small helpers every layer may use, so that none reaches into another for them: a file name
made safe from any string (``safe_name``), and the charset a Content-Type header names (``charset_of``)."""

from __future__ import annotations

import re

from pipeline.records import sha256_hex


def safe_name(value: str) -> str:
    """A file-system-safe name that stays unique: readable slug plus a short hash of the original."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-.")[:60] or "x"
    return f"{slug}-{sha256_hex(value)[:8]}"


def charset_of(content_type: str) -> str | None:
    """The lower-cased charset named in a Content-Type header, or None."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None
