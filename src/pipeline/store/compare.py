"""The comparison tables: what a compare run reads (new claims, the stored state it compares them
with) and the one transaction it writes (``write_compare``).

A compare run holds one writable connection from its first read to its commit, so no load slips
in between; everything it writes goes in one transaction, written last, so a run killed before the
commit leaves the previous clusters exactly as they were and the next run finds the same claims
still new and completes them.

What is read back is bounded: the new claims of the articles that have any (with those articles'
other claims, for in-article speaker resolution), and, as the clusters to compare with, only the
clusters within the time window around the new claims that share a term or the speaker with one
(the package's own blocking, done in SQL on the stored ``terms``), so the Python work of one run
grows with the new claims and their blocks, not with the store or the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from pipeline.store import summaries
from pipeline.store.queries import rows_as_dicts
from pipeline.store.schema import transaction


def pending_articles(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[str]:
    """Articles holding at least one claim no compare run has assigned yet, oldest first."""
    sql = """SELECT c.article_id FROM claims c JOIN articles a USING (article_id)
             WHERE NOT EXISTS (SELECT 1 FROM claim_clusters k WHERE k.claim_id = c.claim_id)
             GROUP BY c.article_id
             ORDER BY min(coalesce(a.published_at, a.first_seen_at)) NULLS LAST, c.article_id"""
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [str(r[0]) for r in con.execute(sql).fetchall()]


def claims_of_articles(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every claim of these articles, with its article's outlet, date and whether it is new (not yet
    assigned a cluster), in article and text order."""
    if not article_ids:
        return []
    return rows_as_dicts(
        con,
        """SELECT c.claim_id, c.article_id, a.outlet, coalesce(a.published_at, a.first_seen_at) AS seen_at,
                  c.speaker, c.speaker_resolved, c.speaker_start, c.content, c.content_start, c.polarity,
                  c.cue, coalesce(c.entities, []) AS entities,
                  coalesce(l.original_article_id, c.article_id) AS origin_article_id,
                  k.claim_id IS NULL AS is_new
           FROM claims c JOIN articles a USING (article_id)
           LEFT JOIN article_links l ON l.article_id = c.article_id
           LEFT JOIN claim_clusters k ON k.claim_id = c.claim_id
           WHERE c.article_id IN (SELECT unnest(?::VARCHAR[]))
           ORDER BY c.article_id, c.content_start, c.claim_id""",
        [list(article_ids)],
    )


def article_texts(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> dict[str, str]:
    """article_id -> stored text, for the in-article speaker resolution."""
    if not article_ids:
        return {}
    rows = con.execute(
        "SELECT article_id, text FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(article_ids)],
    ).fetchall()
    return {str(a): str(t or "") for a, t in rows}


@dataclass(slots=True)
class ClusterStateRows:
    """What a run needs of earlier runs to cluster new claims: the stored members of the clusters
    the new claims can join, and the term frequencies over the whole time window."""

    rows: list[dict[str, Any]]
    df: dict[str, int]  # term -> stored claims in the window holding it
    n_claims: int  # stored claims in the window


def cluster_state_rows(
    con: duckdb.DuckDBPyConnection,
    first: datetime | None,
    last: datetime | None,
    window_days: int,
    terms: Sequence[str],
    speaker_ids: Sequence[str],
    block_max: int,
) -> ClusterStateRows:
    """The stored state new claims are compared with, bounded by the time window and the blocks.

    The window is ``window_days`` around [first, last] (the new claims' dates); with no dated new
    claim it ends at the newest stored claim; undated stored claims are always in it. Of the
    compared claims in the window, only the members of candidate clusters are returned: clusters
    with a member of one of ``speaker_ids``, or with a member holding one of ``terms`` that no more
    than ``block_max`` clusters of the window share (the blocking of ``pipeline.compare.clusters``).
    ``df`` and ``n_claims`` count every compared claim in the window, so term weights are those a
    run holding the whole window would use. Rows come in (date, claim_id) order."""
    if first is None or last is None:
        row = con.execute(
            "SELECT max(coalesce(a.published_at, a.first_seen_at)) FROM claims c JOIN articles a USING (article_id)"
        ).fetchone()
        first = last = row[0] if row else None
    dated = "TRUE" if first is None else (
        "(seen_at IS NULL OR seen_at BETWEEN ?::TIMESTAMPTZ - to_days(?) AND ?::TIMESTAMPTZ + to_days(?))"
    )  # fmt: skip
    window: list[Any] = [] if first is None else [first, int(window_days), last, int(window_days)]
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _window AS
            SELECT * FROM (
                SELECT k.claim_id, c.article_id AS doc_id, c.content, c.polarity, s.speaker_id,
                       coalesce(a.published_at, a.first_seen_at) AS seen_at,
                       k.cluster_id, k.stance, k.sign, k.reason, coalesce(k.terms, []) AS terms
                FROM claim_clusters k
                JOIN claims c USING (claim_id) JOIN articles a ON a.article_id = c.article_id
                LEFT JOIN claim_speakers s ON s.claim_id = k.claim_id)
            WHERE {dated}""",
        window,
    )
    try:
        df = dict(
            con.execute(
                "SELECT term, count(*) FROM (SELECT unnest(terms) AS term FROM _window) GROUP BY term"
            ).fetchall()
        )
        counted = con.execute("SELECT count(*) FROM _window").fetchone()
        rows = rows_as_dicts(
            con,
            """WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS term),
                    postings AS (
                        SELECT t.term, w.cluster_id
                        FROM (SELECT unnest(terms) AS term, cluster_id FROM _window WHERE cluster_id IS NOT NULL) w
                        JOIN wanted t USING (term)),
                    open_terms AS (SELECT term FROM postings GROUP BY term HAVING count(DISTINCT cluster_id) <= ?),
                    candidates AS (
                        SELECT cluster_id FROM postings WHERE term IN (SELECT term FROM open_terms)
                        UNION SELECT cluster_id FROM _window
                              WHERE cluster_id IS NOT NULL AND speaker_id IN (SELECT unnest(?::VARCHAR[])))
               SELECT * EXCLUDE (terms) FROM _window
               WHERE cluster_id IN (SELECT cluster_id FROM candidates)
               ORDER BY seen_at NULLS LAST, claim_id""",
            [list(terms), int(block_max), list(speaker_ids)],
        )
    finally:
        con.execute("DROP TABLE IF EXISTS _window")
    return ClusterStateRows(rows, {str(k): int(v) for k, v in df.items()}, int(counted[0]) if counted else 0)


def alerted_pairs(con: duckdb.DuckDBPyConnection, cluster_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """The stored alerts of ``cluster_ids`` as (asserting speaker, denying speaker) per cluster, one
    entry per alert; a claim with no canonical speaker stands for itself (``claim:<id>``, as
    ``pipeline.compare.clusters.speaker_key``)."""
    ids = sorted(set(cluster_ids))
    if not ids:
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    for cluster_id, a_key, d_key in con.execute(
        """SELECT al.cluster_id,
                  coalesce(sa.speaker_id, 'claim:' || al.asserting_claim_id),
                  coalesce(sd.speaker_id, 'claim:' || al.denying_claim_id)
           FROM alerts al
           LEFT JOIN claim_speakers sa ON sa.claim_id = al.asserting_claim_id
           LEFT JOIN claim_speakers sd ON sd.claim_id = al.denying_claim_id
           WHERE al.cluster_id IN (SELECT unnest(?::VARCHAR[]))""",
        [ids],
    ).fetchall():
        out.setdefault(str(cluster_id), []).append((str(a_key), str(d_key)))
    return out


def stored_speakers(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every canonical speaker: id, name, kind, aliases."""
    return rows_as_dicts(con, "SELECT speaker_id, name, kind, aliases FROM speakers ORDER BY speaker_id")


def stored_entities(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every canonical entity: id, name, kind, aliases."""
    return rows_as_dicts(con, "SELECT entity_id, name, kind, aliases FROM entities ORDER BY entity_id")


@dataclass(slots=True)
class CompareWrite:
    """Everything one compare run writes, as rows (lists of dicts)."""

    compare_run_id: str
    started_at: datetime
    speakers: list[dict[str, Any]] = field(default_factory=list)  # speaker_id, name, kind, aliases
    claim_speakers: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)  # entity_id, name, kind, aliases
    claim_entities: list[dict[str, Any]] = field(default_factory=list)  # claim_id, mention, entity_id
    assignments: list[dict[str, Any]] = field(default_factory=list)  # Assignment.to_dict()
    alerts: list[dict[str, Any]] = field(default_factory=list)  # asserting/denying claim ids, cluster_id
    # (folded id, kept id, +1 keep / -1 turn the stances over), in order
    merges: list[tuple[str, str, int]] = field(default_factory=list)
    n_restored: int = 0


_COLUMNS = {
    "speakers": ("speaker_id", "name", "kind", "aliases"),
    "claim_speakers": ("claim_id", "speaker_id", "principal_id", "sub", "how"),
    "entities": ("entity_id", "name", "kind", "aliases"),
    "claim_entities": ("claim_id", "mention", "entity_id"),
    "claim_clusters": ("claim_id", "cluster_id", "stance", "sign", "reason", "score", "terms"),
    "alerts": ("asserting_claim_id", "denying_claim_id", "cluster_id"),
}
_TYPES = {"aliases": "VARCHAR[]", "terms": "VARCHAR[]", "sign": "INTEGER", "score": "DOUBLE"}


def stage_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]]) -> str:
    """A temporary table ``_new_<table>`` holding ``rows`` (bound as one list parameter per column)."""
    cols = _COLUMNS[table]
    name = f"_new_{table}"
    select = (
        ", ".join(f"unnest(?::{_TYPES.get(c, 'VARCHAR')}[]) AS {c}" for c in cols)
        if rows
        else ", ".join(f"NULL::{_TYPES.get(c, 'VARCHAR')} AS {c}" for c in cols)
    )
    where = "" if rows else " WHERE FALSE"
    lists = {c for c in cols if _TYPES.get(c) == "VARCHAR[]"}
    params = [[list(r.get(c) or []) if c in lists else r.get(c) for r in rows] for c in cols] if rows else []
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}{where}", params)
    return name


def write_compare(con: duckdb.DuckDBPyConnection, w: CompareWrite) -> dict[str, int]:
    """Write one compare run in a single transaction; returns what it wrote.

    Assignments and speakers of claims already assigned are never overwritten (a re-run adds
    nothing), except that the members of a cluster a new claim folded into an older one take the
    older one's id; speakers and entities are upserted (a new alias extends the list); alerts are inserted
    once per pair; rows of claims no longer stored are deleted; ``compare_runs`` is written last."""
    counts: dict[str, int] = {}
    with transaction(con):
        run = w.compare_run_id
        stage_rows(con, "speakers", w.speakers)
        con.execute("CREATE OR REPLACE TEMP TABLE _touched (cluster_id VARCHAR)")
        summaries.start_touched(con)
        renamed = """SELECT n.speaker_id FROM _new_speakers n JOIN speakers s USING (speaker_id)
                     WHERE s.name IS DISTINCT FROM n.name"""
        con.execute(f"INSERT INTO _touched_speakers {renamed}")  # and the entity rows naming them
        summaries.touch_claims(con, f"SELECT claim_id FROM claim_speakers WHERE speaker_id IN ({renamed})")
        con.execute(  # a canonical name that changes changes the asserted_by / denied_by of its clusters
            """INSERT INTO _touched SELECT k.cluster_id FROM claim_speakers cs JOIN claim_clusters k USING (claim_id)
               WHERE cs.speaker_id IN (SELECT n.speaker_id FROM _new_speakers n JOIN speakers s USING (speaker_id)
                                       WHERE s.name IS DISTINCT FROM n.name)"""
        )
        before = row_count(con, "speakers")
        con.execute(
            """MERGE INTO speakers AS t USING (SELECT *, ?::VARCHAR AS compare_run_id FROM _new_speakers) AS s
               ON t.speaker_id = s.speaker_id
               WHEN MATCHED THEN UPDATE SET name = s.name, kind = s.kind,
                   aliases = list_distinct(list_concat(t.aliases, s.aliases)), compare_run_id = s.compare_run_id
               WHEN NOT MATCHED THEN INSERT (speaker_id, name, kind, aliases, compare_run_id)
                   VALUES (s.speaker_id, s.name, s.kind, s.aliases, s.compare_run_id)""",
            [run],
        )
        counts["speakers"] = len(w.speakers)
        counts["new_speakers"] = row_count(con, "speakers") - before
        stage_rows(con, "claim_speakers", w.claim_speakers)
        summaries.touch_claims(con, "SELECT claim_id FROM _new_claim_speakers")  # a speaker it may lose
        con.execute(
            """MERGE INTO claim_speakers AS t
               USING (SELECT *, ?::VARCHAR AS compare_run_id FROM _new_claim_speakers
                      WHERE claim_id NOT IN (SELECT claim_id FROM claim_clusters)) AS s
               ON t.claim_id = s.claim_id
               WHEN MATCHED THEN UPDATE SET speaker_id = s.speaker_id, principal_id = s.principal_id, sub = s.sub,
                   how = s.how, compare_run_id = s.compare_run_id
               WHEN NOT MATCHED THEN INSERT (claim_id, speaker_id, principal_id, sub, how, compare_run_id)
                   VALUES (s.claim_id, s.speaker_id, s.principal_id, s.sub, s.how, s.compare_run_id)""",
            [run],
        )
        stage_rows(con, "entities", w.entities)
        con.execute(
            """MERGE INTO entities AS t USING (SELECT *, ?::VARCHAR AS compare_run_id FROM _new_entities) AS s
               ON t.entity_id = s.entity_id
               WHEN MATCHED THEN UPDATE SET name = s.name, kind = s.kind,
                   aliases = list_distinct(list_concat(t.aliases, s.aliases)), compare_run_id = s.compare_run_id
               WHEN NOT MATCHED THEN INSERT (entity_id, name, kind, aliases, compare_run_id)
                   VALUES (s.entity_id, s.name, s.kind, s.aliases, s.compare_run_id)""",
            [run],
        )
        con.execute("INSERT INTO _touched_entities SELECT entity_id FROM _new_entities")
        stage_rows(con, "claim_entities", w.claim_entities)
        summaries.touch_claims(con, "SELECT claim_id FROM _new_claim_entities")
        con.execute(
            """MERGE INTO claim_entities AS t
               USING (SELECT claim_id, mention, entity_id FROM _new_claim_entities
                      WHERE claim_id NOT IN (SELECT claim_id FROM claim_clusters)) AS s
               ON t.claim_id = s.claim_id AND t.mention = s.mention
               WHEN MATCHED THEN UPDATE SET entity_id = s.entity_id
               WHEN NOT MATCHED THEN INSERT (claim_id, mention, entity_id)
                   VALUES (s.claim_id, s.mention, s.entity_id)"""
        )
        stage_rows(con, "claim_clusters", w.assignments)
        before = row_count(con, "claim_clusters")
        con.execute(
            """INSERT INTO claim_clusters (claim_id, cluster_id, stance, sign, reason, score, terms, assigned_at,
                                           compare_run_id)
               SELECT claim_id, cluster_id, stance, sign, reason, score, terms, ?, ? FROM _new_claim_clusters
               WHERE claim_id NOT IN (SELECT claim_id FROM claim_clusters)""",
            [w.started_at, run],
        )
        counts["assigned"] = row_count(con, "claim_clusters") - before
        con.execute(  # the clusters of every claim of the articles compared (a reload may have changed them)
            """INSERT INTO _touched SELECT k.cluster_id FROM claim_clusters k JOIN claims c USING (claim_id)
               WHERE c.article_id IN
                     (SELECT c2.article_id FROM claims c2 JOIN _new_claim_clusters n USING (claim_id))"""
        )
        summaries.touch_claims(
            con,
            """SELECT c.claim_id FROM claims c WHERE c.article_id IN
               (SELECT c2.article_id FROM claims c2 JOIN _new_claim_clusters n USING (claim_id))""",
        )
        for folded, keep, agree in w.merges:
            # every stored member of a folded cluster moves, those outside the run's window too; its
            # stance turns over when the folded founder was on the other side from the kept one
            con.execute(
                """UPDATE claim_clusters SET cluster_id = ?,
                          stance = CASE WHEN ? > 0 OR stance IS NULL THEN stance
                                        WHEN stance = '+' THEN '-' ELSE '+' END,
                          reason = CASE WHEN reason = 'new' THEN 'merged' ELSE reason END
                   WHERE cluster_id = ?""",
                [keep, int(agree), folded],
            )
            con.execute("UPDATE alerts SET cluster_id = ? WHERE cluster_id = ?", [keep, folded])
            # the folded id keeps leading to its claims; earlier folds into it now lead to the kept one
            con.execute("UPDATE cluster_merges SET kept_id = ? WHERE kept_id = ?", [keep, folded])
            con.execute(
                """MERGE INTO cluster_merges AS t
                   USING (SELECT ?::VARCHAR AS folded_id, ?::VARCHAR AS kept_id, ?::VARCHAR AS compare_run_id,
                                 ?::TIMESTAMPTZ AS merged_at) AS s
                   ON t.folded_id = s.folded_id
                   WHEN MATCHED THEN UPDATE SET kept_id = s.kept_id, compare_run_id = s.compare_run_id,
                       merged_at = s.merged_at
                   WHEN NOT MATCHED THEN INSERT (folded_id, kept_id, compare_run_id, merged_at)
                       VALUES (s.folded_id, s.kept_id, s.compare_run_id, s.merged_at)""",
                [folded, keep, run, w.started_at],
            )
            con.execute("INSERT INTO _touched VALUES (?), (?)", [folded, keep])  # the folded one's summary goes
        counts["merged"] = len(w.merges)
        stage_rows(con, "alerts", w.alerts)
        before = row_count(con, "alerts")
        con.execute(
            """INSERT INTO alerts (asserting_claim_id, denying_claim_id, cluster_id, created_at, compare_run_id)
               SELECT asserting_claim_id, denying_claim_id, cluster_id, ?, ? FROM _new_alerts n
               WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.asserting_claim_id = n.asserting_claim_id
                                 AND a.denying_claim_id = n.denying_claim_id)""",
            [w.started_at, run],
        )
        counts["alerts"] = row_count(con, "alerts") - before
        pruned = 0
        con.execute(
            """INSERT INTO _touched SELECT cluster_id FROM claim_clusters
               WHERE claim_id NOT IN (SELECT claim_id FROM claims)"""
        )
        summaries.touch_claims(
            con,
            """SELECT claim_id FROM claim_speakers WHERE claim_id NOT IN (SELECT claim_id FROM claims)
               UNION ALL SELECT claim_id FROM claim_entities WHERE claim_id NOT IN (SELECT claim_id FROM claims)""",
        )
        for table in ("claim_clusters", "claim_speakers", "claim_entities"):  # (DuckLake has no DELETE RETURNING)
            pruned += _one_count(con, f"DELETE FROM {table} WHERE claim_id NOT IN (SELECT claim_id FROM claims)")
        # an alert whose claim is gone (re-extracted under a new id, or its article replaced) would
        # push live contradictions off the front page: it goes with its claim
        gone = _one_count(
            con,
            """DELETE FROM alerts WHERE asserting_claim_id NOT IN (SELECT claim_id FROM claims)
                   OR denying_claim_id NOT IN (SELECT claim_id FROM claims)""",
        )
        counts["pruned"] = pruned + gone
        counts["summarised"] = _summarise_touched(con)
        counts["speakers_entities_summarised"] = summaries.summarise_touched(con)
        new = w.assignments
        con.execute(
            """INSERT INTO compare_runs (compare_run_id, started_at, finished_at, n_claims, n_new_clusters,
                   n_joined, n_unclustered, n_restored, n_speakers, n_alerts, n_pruned)
               VALUES (?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                run,
                w.started_at,
                counts["assigned"],
                sum(a.get("reason") == "new" for a in new),
                sum(a.get("reason") == "joined" for a in new),
                sum(a.get("cluster_id") is None for a in new),
                w.n_restored,
                counts["speakers"],
                counts["alerts"],
                pruned,
            ],
        )
        for table in _COLUMNS:
            con.execute(f"DROP TABLE IF EXISTS _new_{table}")
        con.execute("DROP TABLE IF EXISTS _touched")
    return counts


def _summarise_touched(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite the ``cluster_summaries`` rows of the clusters in ``_touched`` from ``cluster_coverage``
    (a cluster left without claims loses its row); returns how many clusters were rewritten."""
    con.execute("DELETE FROM _touched WHERE cluster_id IS NULL")
    con.execute("DELETE FROM cluster_summaries WHERE cluster_id IN (SELECT cluster_id FROM _touched)")
    con.execute(
        """INSERT INTO cluster_summaries BY NAME
           SELECT * FROM cluster_coverage WHERE cluster_id IN (SELECT cluster_id FROM _touched)"""
    )
    row = con.execute("SELECT count(DISTINCT cluster_id) FROM _touched").fetchone()
    return int(row[0]) if row else 0


def _one_count(con: duckdb.DuckDBPyConnection, statement: str) -> int:
    """The number of rows a DELETE or UPDATE changed (its one result row)."""
    row = con.execute(statement).fetchone()
    return int(row[0]) if row else 0


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
