"""Exports for tools outside DuckDB: the comparison views as Parquet and CSV (DuckDB ``COPY``), and
claim clusters as ClaimReview-shaped JSON-LD (schema.org): the claim, its speaker, every
appearance with its URL, outlet and date, and the first appearance.

The ClaimReview carries no ``reviewRating``: the pipeline finds who said what where, it does not
rate claims; a fact-checker adds the verdict. Paths are the only strings formatted into SQL
(quoted, quotes doubled); view and column names come from this module and the schema.

The exported values came from web pages, so the files are written for the programs that open them:

- CSV: a text cell a spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return) gets a leading ``'``, as OWASP's advice on CSV injection has it;
  list and struct columns are JSON (``["a","b"]``, ``null`` for a missing element). Parquet keeps
  every value as stored, with its type.
- JSON-LD: ``</`` is written ``<\\/`` and ``<!--`` as ``\\u003c!--``, so the text can go into a page's
  ``<script type="application/ld+json">`` without closing it; a JSON reader gets the same strings.

``export`` reads what readers read (the read snapshot when there is one, so no load is held up),
writes every file into a new folder beside the target and only then moves them into it: a file or
symlink already in the target is replaced, never written through.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb

from pipeline.store.reviews import SCHEMA as REVIEWS_SCHEMA
from pipeline.store.reviews import reviews_path
from pipeline.store.schema import DEFAULT_LOCK_WAIT
from pipeline.store.snapshot import attach_reader

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

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_column(name: str, type_: str) -> str:
    """The SELECT expression of one column in the CSV: text neutralised, nested values as JSON."""
    col = _ident(name)
    if type_.endswith("]") or type_.startswith(("STRUCT", "MAP", "UNION")):
        return f"to_json({col})::VARCHAR AS {col}"
    if type_ in ("VARCHAR", "JSON"):
        starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
        text = f"{col}::VARCHAR"
        return f"CASE WHEN left({text}, 1) IN ({starts}) THEN chr(39) || {text} ELSE {text} END AS {col}"
    return col


def export_views(con: duckdb.DuckDBPyConnection, out: Path, views: tuple[str, ...] = EXPORT_VIEWS) -> dict[str, int]:
    """Write each view to ``out/<view>.parquet`` (as stored) and ``out/<view>.csv`` (safe to open in a
    spreadsheet, see the module); returns rows per view. ``out`` is an existing folder."""
    counts: dict[str, int] = {}
    for view in views:
        if view not in EXPORT_VIEWS:
            raise ValueError(f"unknown view {view!r}; export one of {', '.join(EXPORT_VIEWS)}")
        columns = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
        select = ", ".join(_csv_column(str(c[0]), str(c[1])) for c in columns)
        con.execute(f"COPY (SELECT * FROM {view}) TO {_quoted(out / f'{view}.parquet')} (FORMAT parquet)")
        con.execute(f"COPY (SELECT {select} FROM {view}) TO {_quoted(out / f'{view}.csv')} (FORMAT csv, HEADER true)")
        row = con.execute(f"SELECT count(*) FROM read_parquet({_quoted(out / f'{view}.parquet')})").fetchone()
        counts[view] = int(row[0]) if row else 0
        log.info("exported %s: %d rows", view, counts[view])
    return counts


def json_for_pages(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON that can sit inside an HTML ``<script>`` element: no ``</``, no ``<!--``."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.replace("<!--", "\\u003c!--").replace("</", "<\\/")


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


def claim_reviews(
    con: duckdb.DuckDBPyConnection, cluster_id: str | None = None, cluster_ids: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """One ClaimReview-shaped dict per cluster (or only ``cluster_id``, or only those of
    ``cluster_ids``), claims in order of first sight."""
    where: str
    params: list[Any]
    if cluster_id:
        where, params = "WHERE c.cluster_id = ?", [cluster_id]
    elif cluster_ids is not None:
        where, params = "WHERE list_contains(?::VARCHAR[], c.cluster_id)", [list(cluster_ids)]
    else:
        where, params = "WHERE c.cluster_id IS NOT NULL", []
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
    A named cluster that does not exist is a ValueError. ``out`` is an existing folder."""
    if cluster_id:
        reviews = list(claim_reviews(con, cluster_id))
        if not reviews:
            raise ValueError(f"no cluster {cluster_id!r}; see SELECT cluster_id FROM cluster_coverage")
        path = out / f"claimreview-{quote(cluster_id, safe='')}.jsonld"  # never a path of its own
        with path.open("x", encoding="utf-8") as fh:
            fh.write(json_for_pages(reviews[0], indent=2) + "\n")
        return path, 1
    path = out / "claimreview.jsonld"
    with path.open("x", encoding="utf-8") as fh:
        n = write_review_graph(fh, claim_reviews(con))
    return path, n


def write_review_graph(fh: Any, reviews: Iterator[dict[str, Any]]) -> int:
    """Write ``reviews`` as one JSON-LD ``@graph`` (the form of ``claimreview.jsonld``); returns how many."""
    n = 0
    fh.write('{"@context": "https://schema.org", "@graph": [\n')
    for review in reviews:
        review = {k: v for k, v in review.items() if k != "@context"}
        fh.write((",\n" if n else "") + json_for_pages(review))
        n += 1
    fh.write("\n]}\n")
    return n


def export_reviews(con: duckdb.DuckDBPyConnection, reviews_file: Path, out: Path) -> int:
    """Write the fact-checkers' verdicts (``pair_reviews`` of ``reviews_file``, see
    ``pipeline.store.reviews``) as ``out/pair_reviews.parquet`` and ``.csv``, like the views (no
    rows, the columns alone, before the first verdict); returns how many."""
    attached = reviews_file.exists()
    if attached:
        con.execute(f"ATTACH {_quoted(reviews_file)} AS reviews (READ_ONLY)")
        table = "reviews.main.pair_reviews"
    else:
        con.execute(REVIEWS_SCHEMA.replace("CREATE TABLE IF NOT EXISTS pair_reviews", "CREATE TEMP TABLE pair_reviews"))
        table = "temp.main.pair_reviews"
    try:
        columns = con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()
        select = ", ".join(_csv_column(str(c[0]), str(c[1])) for c in columns)
        order = "ORDER BY reviewed_at, asserting_claim_id, denying_claim_id"
        con.execute(f"COPY (SELECT * FROM {table} {order}) TO {_quoted(out / 'pair_reviews.parquet')} (FORMAT parquet)")
        csv_file = _quoted(out / "pair_reviews.csv")
        con.execute(f"COPY (SELECT {select} FROM {table} {order}) TO {csv_file} (FORMAT csv, HEADER true)")
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    finally:
        con.execute("DETACH reviews" if attached else f"DROP TABLE {table}")
    log.info("exported pair_reviews: %d verdicts", int(row[0]) if row else 0)
    return int(row[0]) if row else 0


# --- downloads from the Claims view: the same columns, neutralisation and JSON-LD as the files above ---

DOWNLOAD_ROWS = 10_000  # rows one download holds at most (the page says so); ``factcheck export`` has all


def view_rows(
    con: duckdb.DuckDBPyConnection, view: str, where: str, params: list[Any], order: str, limit: int = DOWNLOAD_ROWS
) -> tuple[list[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of ``view`` (one of ``EXPORT_VIEWS``) matching ``where``: (columns, rows as the CSV
    file of ``export_views`` writes them, rows as stored). ``where`` and ``order`` are fixed SQL of
    the caller, values bound from ``params``."""
    if view not in EXPORT_VIEWS:
        raise ValueError(f"unknown view {view!r}; export one of {', '.join(EXPORT_VIEWS)}")
    columns = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
    names = [str(c[0]) for c in columns]
    as_text = ", ".join(f"{_csv_column(str(c[0]), str(c[1])).rsplit(' AS ', 1)[0]}::VARCHAR" for c in columns)
    stored = con.execute(
        f"SELECT * FROM {view} WHERE {where} ORDER BY {order} LIMIT ?", [*params, int(limit)]
    ).fetchall()
    text = con.execute(
        f"SELECT {as_text} FROM {view} WHERE {where} ORDER BY {order} LIMIT ?", [*params, int(limit)]
    ).fetchall()
    return names, text, stored


@dataclass(frozen=True, slots=True)
class Exported:
    """What one export wrote: the folder, rows per view, the ClaimReview file and how many it holds,
    and the database file read (the read snapshot, or the live file when there is none)."""

    folder: Path
    counts: dict[str, int]
    claim_reviews: Path
    n_reviews: int
    source: Path


def export(path: Path, to: Path, cluster_id: str | None = None, lock_wait: float = DEFAULT_LOCK_WAIT) -> Exported:
    """Export the database at ``path`` into the folder ``to``: every view and every ClaimReview, or
    only ``cluster_id``'s ClaimReview.

    ``to`` must be a folder, or a name where one can be created; anything else (a file, a path under
    a file, a place this user cannot write) is a ValueError saying so, before anything is read. The
    files are written into a new folder beside ``to``, then moved into it (the folder renamed whole
    when ``to`` did not exist), so a failed export leaves ``to`` as it was, and a symlink planted in
    ``to`` is replaced, never followed.
    """
    folder = Path(os.path.abspath(to))
    staging = _new_folder_beside(folder)
    try:
        con = duckdb.connect()  # in memory: attaches the database read-only, writes the files
        try:
            source = attach_reader(con, path, "store", lock_wait)
            counts = {} if cluster_id else export_views(con, staging)
            written, n = export_claim_reviews(con, staging, cluster_id)
            if not cluster_id:
                counts["pair_reviews"] = export_reviews(con, reviews_path(path), staging)
        finally:
            con.close()
        _move_into(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("exported %s to %s (%d views, %d ClaimReviews)", source, folder, len(counts), n)
    return Exported(folder, counts, folder / written.name, n, source)


def _new_folder_beside(folder: Path) -> Path:
    """A new, empty folder beside ``folder`` (on the same file system, so files move by rename)."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder; give the export a folder (new or existing)")
    if folder.is_symlink() and not folder.exists():
        raise ValueError(f"{folder} is a symlink to nothing; give the export a folder (new or existing)")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.parent / f".{folder.name or 'export'}.partial-{secrets.token_hex(6)}"
        staging.mkdir()  # fails on anything already there, a planted symlink included
    except OSError as e:
        raise ValueError(
            f"cannot create the export folder {folder}: {e.strerror or e}"
            f"{f' ({e.filename})' if e.filename else ''}; give a folder you can create and write"
        ) from e
    return staging


def _move_into(staging: Path, folder: Path) -> None:
    """Move the files of ``staging`` into ``folder``: rename the folder whole when ``folder`` does not
    exist, else each file over its name (``os.replace`` replaces a symlink there, never follows it)."""
    if not folder.exists() and not folder.is_symlink():
        try:
            staging.rename(folder)
            return
        except OSError:  # created meanwhile: move the files one by one
            log.info("%s appeared while exporting; moving the files into it", folder)
    for item in sorted(staging.iterdir()):
        target = folder / item.name
        if target.is_dir() and not target.is_symlink():
            raise ValueError(f"{target} is a folder where the export writes a file; move it away or export elsewhere")
        os.replace(item, target)
    staging.rmdir()
