"""Speakers and entities of every stored claim recomputed at once (``factcheck compare --respeak``).

A compare run resolves speakers only for the claims it adds, so a corrected alias file reaches the
claims compared after it and leaves the older ones where they were: one person becomes two. This
module reads every stored claim with its article text, and :func:`write_respeak` replaces the
speaker and entity tables in one transaction and rewrites every summary from them. Clusters,
stances and alerts are not touched: their ids stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from pipeline.store import summaries
from pipeline.store.compare import article_texts, claims_of_articles, row_count, rows_as_dicts, stage_rows
from pipeline.store.schema import transaction


def every_claim(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every stored claim as the compare stage reads one, all marked new so that all are resolved."""
    return [{**c, "is_new": True} for c in claims_of_articles(con, _articles(con))]


def every_text(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """article_id -> stored text, for every article holding a claim."""
    return article_texts(con, _articles(con))


def _articles(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(a) for (a,) in con.execute("SELECT DISTINCT article_id FROM claims ORDER BY 1").fetchall()]


@dataclass(slots=True)
class RespeakWrite:
    """Everything one recompute writes: the new speaker and entity tables, whole."""

    compare_run_id: str
    started_at: datetime
    speakers: list[dict[str, Any]] = field(default_factory=list)
    claim_speakers: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    claim_entities: list[dict[str, Any]] = field(default_factory=list)
    aliases: str | None = None


def write_respeak(con: duckdb.DuckDBPyConnection, w: RespeakWrite) -> dict[str, int]:
    """Replace speakers, claim speakers, entities and claim entities with ``w``'s, rewrite every
    cluster, speaker and entity summary, and record the recompute, all in one transaction (a run
    killed halfway leaves the tables as they were). Returns what it wrote."""
    with transaction(con):
        run = w.compare_run_id
        tables = (
            ("speakers", w.speakers, "speaker_id, name, kind, aliases"),
            ("claim_speakers", w.claim_speakers, "claim_id, speaker_id, principal_id, sub, how"),
            ("entities", w.entities, "entity_id, name, kind, aliases"),
            ("claim_entities", w.claim_entities, "claim_id, mention, entity_id"),
        )
        staged = {table: stage_rows(con, table, rows) for table, rows, _ in tables}
        changed = _count_changed(con)  # before the old claim speakers go
        for table, _, cols in tables:
            con.execute(f"DELETE FROM {table}")
            if table == "claim_entities":
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staged[table]}")
            else:
                con.execute(
                    f"INSERT INTO {table} ({cols}, compare_run_id) SELECT {cols}, ? FROM {staged[table]}", [run]
                )
        summaries.start_touched(con)
        con.execute("INSERT INTO _touched_speakers SELECT speaker_id FROM speakers")
        con.execute("INSERT INTO _touched_speakers SELECT speaker_id FROM speaker_summaries")
        con.execute("INSERT INTO _touched_entities SELECT entity_id FROM entities")
        con.execute("INSERT INTO _touched_entities SELECT entity_id FROM entity_summaries")
        summaries.summarise_touched(con)
        con.execute("DELETE FROM cluster_summaries")  # the sides name the canonical speakers
        con.execute("INSERT INTO cluster_summaries BY NAME SELECT * FROM cluster_coverage")
        counts = {
            "claims": len(w.claim_speakers),
            "changed": changed,
            "speakers": row_count(con, "speakers"),
            "entities": row_count(con, "entities"),
        }
        con.execute(
            """INSERT INTO speaker_recomputes (compare_run_id, recomputed_at, n_claims, n_changed, n_speakers, aliases)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [run, w.started_at, counts["claims"], changed, counts["speakers"], w.aliases],
        )
    return counts


def _count_changed(con: duckdb.DuckDBPyConnection) -> int:
    """Claims whose canonical speaker the staged rows (``_new_claim_speakers``) change."""
    row = con.execute(
        """SELECT count(*) FROM _new_claim_speakers n LEFT JOIN claim_speakers c USING (claim_id)
           WHERE n.speaker_id IS DISTINCT FROM c.speaker_id"""
    ).fetchone()
    return int(row[0]) if row else 0


def last_recompute(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The latest recompute of every claim's speakers, or None when there was none."""
    rows = rows_as_dicts(
        con,
        """SELECT compare_run_id, recomputed_at, n_claims, n_changed, n_speakers, aliases
           FROM speaker_recomputes ORDER BY recomputed_at DESC LIMIT 1""",
    )
    return rows[0] if rows else None
