"""Exports for tools outside DuckDB: the comparison views as Parquet and CSV (DuckDB ``COPY``), and
claim clusters as ClaimReview-shaped JSON-LD (schema.org): the claim, its speaker, every
appearance with its URL, outlet and date, and the first appearance.

The ClaimReview carries no ``reviewRating``: the pipeline finds who said what where, it does not
rate claims; a fact-checker adds the verdict. Paths are the only strings formatted into SQL
(quoted, quotes doubled); the view names come from this module.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb

log = logging.getLogger(__name__)

# The views written by ``export_views``, in this order.
EXPORT_VIEWS: tuple[str, ...] = (
    "cluster_coverage",
    "contradictions",
    "claim_wording",
    "speaker_timeline",
    "claims_by_source",
    "speaker_outlets",
    "entity_claims",
    "claim_spread",
)
_SCHEMA_KIND = {"person": "Person", "organisation": "Organization", "country": "Country", "group": "Organization"}


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_views(con: duckdb.DuckDBPyConnection, out: Path, views: tuple[str, ...] = EXPORT_VIEWS) -> dict[str, int]:
    """Write each view to ``out/<view>.parquet`` and ``out/<view>.csv``; returns rows per view."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for view in views:
        if view not in EXPORT_VIEWS:
            raise ValueError(f"unknown view {view!r}; export one of {', '.join(EXPORT_VIEWS)}")
        con.execute(f"COPY (SELECT * FROM {view}) TO {_quoted(out / f'{view}.parquet')} (FORMAT parquet)")
        con.execute(f"COPY (SELECT * FROM {view}) TO {_quoted(out / f'{view}.csv')} (FORMAT csv, HEADER true)")
        row = con.execute(f"SELECT count(*) FROM read_parquet({_quoted(out / f'{view}.parquet')})").fetchone()
        counts[view] = int(row[0]) if row else 0
        log.info("exported %s: %d rows", view, counts[view])
    return counts


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else (None if value is None else str(value))


def _author(name: str | None, speaker_id: str | None, kind: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    author: dict[str, Any] = {"@type": _SCHEMA_KIND.get(kind or "", "Thing"), "name": name}
    if speaker_id:
        author["identifier"] = speaker_id
    return author


def _appearance(row: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "url": row["canonical_url"],
        "headline": row["title"],
        "datePublished": _iso(row["published_at"]),
        "publisher": {"@type": "Organization", "name": row["outlet"]},
        "text": row["content"],
        "identifier": row["claim_id"],
        "additionalProperty": [
            {"@type": "PropertyValue", "name": "stance", "value": row["stance"]},
            {"@type": "PropertyValue", "name": "polarity", "value": row["polarity"]},
            {"@type": "PropertyValue", "name": "cue", "value": row["cue"]},
            {"@type": "PropertyValue", "name": "firstSeenAt", "value": _iso(row["seen_at"])},
        ],
    }
    author = _author(row["speaker"], row["speaker_id"], row["kind"])
    if author:
        work["author"] = author
    return work


def claim_reviews(con: duckdb.DuckDBPyConnection, cluster_id: str | None = None) -> Iterator[dict[str, Any]]:
    """One ClaimReview-shaped dict per cluster (or only ``cluster_id``), claims in order of first sight."""
    where, params = ("WHERE c.cluster_id = ?", [cluster_id]) if cluster_id else ("WHERE c.cluster_id IS NOT NULL", [])
    cur = con.execute(
        f"""SELECT c.cluster_id, c.claim_id, c.canonical_url, c.title, c.published_at, c.seen_at, c.outlet,
                   c.content, c.stance, c.polarity, c.cue, c.speaker_id,
                   coalesce(c.canonical_speaker, c.speaker_name) AS speaker, s.kind
            FROM claims_by_source c LEFT JOIN speakers s ON s.speaker_id = c.speaker_id
            {where}
            ORDER BY c.cluster_id, c.seen_at NULLS LAST, c.claim_id""",
        params,
    )
    names = [d[0] for d in cur.description or []]
    group: list[dict[str, Any]] = []
    while True:
        batch = cur.fetchmany(2048)
        for values in batch:
            row = dict(zip(names, values, strict=True))
            if group and group[0]["cluster_id"] != row["cluster_id"]:
                yield _review(group)
                group = []
            group.append(row)
        if not batch:
            break
    if group:
        yield _review(group)


def _review(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    claim: dict[str, Any] = {
        "@type": "Claim",
        "text": first["content"],
        "firstAppearance": _appearance(first),
        "appearance": [_appearance(r) for r in rows],
    }
    author = _author(first["speaker"], first["speaker_id"], first["kind"])
    if author:
        claim["author"] = author
    if first["seen_at"] is not None:
        claim["datePublished"] = _iso(first["seen_at"])
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": first["cluster_id"],
        "claimReviewed": first["content"],
        "itemReviewed": claim,
    }


def export_claim_reviews(con: duckdb.DuckDBPyConnection, out: Path, cluster_id: str | None = None) -> tuple[Path, int]:
    """Write ClaimReview JSON-LD: one object to ``out/claimreview-<cluster>.jsonld`` for a named
    cluster, else every cluster as one ``@graph`` in ``out/claimreview.jsonld``. Returns (path, count).
    A named cluster that does not exist is a ValueError."""
    out.mkdir(parents=True, exist_ok=True)
    if cluster_id:
        reviews = list(claim_reviews(con, cluster_id))
        if not reviews:
            raise ValueError(f"no cluster {cluster_id!r}; see SELECT cluster_id FROM cluster_coverage")
        path = out / f"claimreview-{quote(cluster_id, safe='')}.jsonld"  # never a path of its own
        path.write_text(json.dumps(reviews[0], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path, 1
    path = out / "claimreview.jsonld"
    n = 0
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as fh:
        fh.write('{"@context": "https://schema.org", "@graph": [\n')
        for review in claim_reviews(con):
            review = {k: v for k, v in review.items() if k != "@context"}
            fh.write((",\n" if n else "") + json.dumps(review, ensure_ascii=False))
            n += 1
        fh.write("\n]}\n")
    partial.replace(path)
    return path, n
