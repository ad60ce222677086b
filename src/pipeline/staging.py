"""Staging files: where each stage leaves its output for the next one.

    <data_dir>/staging/<run id>/<stage>/<outlet>.jsonl     one stage's records for one outlet
    <data_dir>/staging/<run id>/log/<outlet>.<stage>.jsonl fetch-log rows of that stage

Files are written whole and renamed into place, so a reader never sees half a file, and names are
derived from run ids and outlet names through ``safe_name``, so no feed or page content ever
becomes part of a path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.files import atomic_write
from pipeline.records import sha256_hex
from pipeline.settings import Settings


def safe_name(value: str) -> str:
    """A file-system-safe name that stays unique: readable slug plus a short hash of the original."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-.")[:60] or "x"
    return f"{slug}-{sha256_hex(value)[:8]}"


@dataclass(frozen=True, slots=True)
class RunPaths:
    settings: Settings
    run_id: str

    @property
    def root(self) -> Path:
        return self.settings.staging_dir / safe_name(self.run_id)

    def stage_file(self, stage: str, outlet: str) -> Path:
        return self.root / stage / f"{safe_name(outlet)}.jsonl"

    def log_file(self, stage: str, outlet: str) -> Path:
        return self.root / "log" / f"{safe_name(outlet)}.{stage}.jsonl"


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write all rows, then rename into place: a reader never sees a half-written staging file."""
    return write_text_atomic(path, "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows))


def write_text_atomic(path: Path, text: str) -> Path:
    """Write a whole UTF-8 text file through a temporary file and a rename."""
    return atomic_write(path, text.encode("utf-8"))


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
