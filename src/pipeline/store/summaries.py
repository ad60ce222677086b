"""The stored speaker and entity summaries (migration 7), kept by each compare run.

``speaker_summaries`` and ``entity_summaries`` hold the rows of the views ``speaker_outlets`` and
``entity_claims`` for the canonical speakers and entities, so that the comparison page reads a
top-N of one narrow table instead of aggregating every claim per request. ``write_compare`` calls
:func:`summarise_touched` inside its transaction, after noting in ``_touched_speakers`` and
``_touched_entities`` whose claims it added, moved, renamed or pruned. The aggregates are those
of ``sql/migrations/007_speaker_entity_summaries.sql``, which backfills an older database.
"""

from __future__ import annotations

import duckdb

SPEAKER_SUMMARY_SQL = """
WITH members AS (
    SELECT cs.speaker_id, sp.name AS canonical_speaker, coalesce(c.speaker_resolved, c.speaker) AS speaker_name,
           a.outlet, coalesce(a.published_at, a.first_seen_at) AS seen_at, c.polarity
    FROM claim_speakers cs
    JOIN claims c USING (claim_id)
    JOIN articles a ON a.article_id = c.article_id
    LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
    WHERE cs.speaker_id IN (SELECT speaker_id FROM _touched_speakers))
SELECT speaker_id,
       any_value(regexp_replace(lower(trim(coalesce(canonical_speaker, speaker_name))), '^the ', '')),
       coalesce(any_value(canonical_speaker), min(speaker_name)),
       list(DISTINCT speaker_name ORDER BY speaker_name),
       count(*),
       count(DISTINCT outlet),
       list(DISTINCT outlet ORDER BY outlet),
       count(*) FILTER (WHERE polarity = 'asserts'),
       count(*) FILTER (WHERE polarity = 'denies'),
       min(seen_at),
       arg_min(outlet, seen_at)
FROM members
GROUP BY speaker_id"""

ENTITY_SUMMARY_SQL = """
WITH members AS (
    SELECT ce.entity_id, e.name, e.kind, ce.mention, c.claim_id, a.outlet,
           coalesce(a.published_at, a.first_seen_at) AS seen_at, c.polarity,
           coalesce(sp.name, c.speaker_resolved, c.speaker) AS who
    FROM claim_entities ce
    JOIN claims c ON c.claim_id = ce.claim_id AND list_contains(c.entities, ce.mention)
    JOIN articles a ON a.article_id = c.article_id
    LEFT JOIN entities e ON e.entity_id = ce.entity_id
    LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
    LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
    WHERE ce.entity_id IN (SELECT entity_id FROM _touched_entities))
SELECT entity_id,
       coalesce(any_value(name), any_value(mention)),
       any_value(kind),
       list(DISTINCT mention ORDER BY mention),
       count(DISTINCT claim_id),
       count(DISTINCT outlet),
       list(DISTINCT outlet ORDER BY outlet),
       list(DISTINCT who ORDER BY who) FILTER (WHERE polarity = 'asserts'),
       list(DISTINCT who ORDER BY who) FILTER (WHERE polarity = 'denies'),
       min(seen_at),
       arg_min(outlet, seen_at)
FROM members
GROUP BY entity_id"""


def start_touched(con: duckdb.DuckDBPyConnection) -> None:
    """Empty temporary tables ``_touched_speakers`` and ``_touched_entities`` for a compare run to fill."""
    con.execute("CREATE OR REPLACE TEMP TABLE _touched_speakers (speaker_id VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE _touched_entities (entity_id VARCHAR)")


def touch_claims(con: duckdb.DuckDBPyConnection, claims_sql: str) -> None:
    """Note the speakers and entities of the claims ``claims_sql`` selects (one ``claim_id`` column)."""
    con.execute(
        f"""INSERT INTO _touched_speakers SELECT speaker_id FROM claim_speakers
            WHERE speaker_id IS NOT NULL AND claim_id IN ({claims_sql})"""
    )
    con.execute(f"INSERT INTO _touched_entities SELECT entity_id FROM claim_entities WHERE claim_id IN ({claims_sql})")


def summarise_touched(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite the summary rows of the noted speakers and entities (one left without claims loses
    its row), drop the temporary tables; returns how many rows were rewritten."""
    n = 0
    for table, touched, key, sql in (
        ("speaker_summaries", "_touched_speakers", "speaker_id", SPEAKER_SUMMARY_SQL),
        ("entity_summaries", "_touched_entities", "entity_id", ENTITY_SUMMARY_SQL),
    ):
        con.execute(f"DELETE FROM {touched} WHERE {key} IS NULL")
        con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {touched})")
        con.execute(f"INSERT INTO {table} {sql}")
        row = con.execute(f"SELECT count(DISTINCT {key}) FROM {touched}").fetchone()
        n += int(row[0]) if row else 0
        con.execute(f"DROP TABLE IF EXISTS {touched}")
    return n


def rebuild_all(con: duckdb.DuckDBPyConnection) -> None:
    """Every speaker and entity summary from scratch (a benchmark filling the comparison in bulk)."""
    start_touched(con)
    con.execute("INSERT INTO _touched_speakers SELECT DISTINCT speaker_id FROM claim_speakers")
    con.execute("INSERT INTO _touched_entities SELECT DISTINCT entity_id FROM claim_entities")
    summarise_touched(con)
