"""The comparison report: what the latest loads say across outlets, as Markdown and JSON files.

Written by the ``claims_report`` DAG each time the ``factcheck_claims`` asset is updated (and by
``factcheck report``), under ``<data_dir>/reports/``: one pair of files per report plus
``latest.md`` / ``latest.json``. It reads DuckDB read-only through ``store``.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from pipeline import store
from pipeline.settings import Settings
from pipeline.staging import write_text_atomic

log = logging.getLogger(__name__)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def _markdown(title: str, names: list[str], rows: list[tuple[Any, ...]]) -> str:
    lines = [f"## {title}", ""]
    if not rows:
        return "\n".join(lines + ["(none)", ""])
    lines.append("| " + " | ".join(names) + " |")
    lines.append("|" + "---|" * len(names))
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines + [""])


def build(con: Any, limit: int = 25) -> tuple[str, dict[str, Any]]:
    """The report as Markdown text and as a JSON-ready dict, from an open connection."""
    counts = store.table_counts(con)
    parts = [
        "# Claims across outlets",
        "",
        f"{counts['outlets']} outlets, {counts['articles']} articles, {counts['claims']} claims.",
        "",
    ]
    data: dict[str, Any] = {"counts": counts, "sections": {}}
    for key, title, names, rows in store.report_sections(con, limit):
        parts.append(_markdown(title, names, rows))
        data["sections"][key] = [dict(zip(names, row, strict=True)) for row in rows]
    return "\n".join(parts), data


def write_report(settings: Settings, label: str, limit: int = 25) -> str:
    """Build the report from the DuckDB file and write it; return the Markdown file's path."""
    con = store.open_reader(settings)  # the read snapshot when the loads publish one, or the lake
    try:
        markdown, data = build(con, limit)
    finally:
        con.close()
    data["label"] = label
    data["written_at"] = datetime.now(UTC).isoformat()
    folder = settings.data_dir / "reports"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_.") or "report"
    payload = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    md_path = folder / f"{stem}.md"
    for path, text in ((md_path, markdown), (folder / f"{stem}.json", payload),
                       (folder / "latest.md", markdown), (folder / "latest.json", payload)):
        write_text_atomic(path, text)
    log.info("report written to %s", md_path)
    return str(md_path)
