"""The loader: one batch of staging files into the database in one transaction (``load_batch``),
near-identical articles linked to the earliest of their group, and each run's totals (``record_run``).

SQL text never carries feed or page content: values are bound parameters, and the only strings
formatted into SQL are column names from this module and staging paths built by ``pipeline.staging``
(quoted, with quotes doubled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.store.schema import StoreError, transaction

# Column types of the staging files, so that DuckDB reads them the same way whatever they hold.
LOG_COLUMNS = {
    "url": "VARCHAR",
    "stage": "VARCHAR",
    "outlet": "VARCHAR",
    "ok": "BOOLEAN",
    "status": "INTEGER",
    "reason": "VARCHAR",
    "final_url": "VARCHAR",
    "content_type": "VARCHAR",
    "n_bytes": "BIGINT",
    "attempts": "INTEGER",
    "started_at": "TIMESTAMPTZ",
    "elapsed_ms": "DOUBLE",
    "archive_ref": "VARCHAR",
}
ARTICLE_COLUMNS = {
    "article_id": "VARCHAR",
    "canonical_url": "VARCHAR",
    "url": "VARCHAR",
    "outlet": "VARCHAR",
    "title": "VARCHAR",
    "authors": "VARCHAR[]",
    "published_at": "TIMESTAMPTZ",
    "modified_at": "TIMESTAMPTZ",
    "fetched_at": "TIMESTAMPTZ",
    "language": "VARCHAR",
    "text": "VARCHAR",
    "content_hash": "VARCHAR",
    "raw_ref": "VARCHAR",
    "minhash": "BIGINT[]",
    "bands": "VARCHAR[]",
    "wire": "VARCHAR",
    "claimed_canonical_url": "VARCHAR",
}
CLAIM_COLUMNS = {
    "claim_id": "VARCHAR",
    "article_id": "VARCHAR",
    "kind": "VARCHAR",
    "speaker": "VARCHAR",
    "speaker_start": "INTEGER",
    "speaker_end": "INTEGER",
    "speaker_resolved": "VARCHAR",
    "speaker_role": "VARCHAR",
    "cue": "VARCHAR",
    "cue_start": "INTEGER",
    "cue_end": "INTEGER",
    "cue_strength": "VARCHAR",
    "content": "VARCHAR",
    "content_start": "INTEGER",
    "content_end": "INTEGER",
    "polarity": "VARCHAR",
    "entities": "VARCHAR[]",
    "extractor_version": "VARCHAR",
}

# The claims columns a staging file carries, named in the INSERT so that it never depends on the
# order of the table's columns (a later migration may add one).
CLAIM_COLUMN_LIST = ", ".join(CLAIM_COLUMNS)


@dataclass(frozen=True, slots=True)
class Batch:
    """The staging files of one outlet's share of a run: what one load transaction carries."""

    run_id: str
    outlet: dict[str, Any] | None  # Outlet.to_dict(); None leaves the outlets table alone (reprocessing)
    log_files: tuple[Path, ...]
    article_file: Path | None
    claim_file: Path | None


def _relation(con: duckdb.DuckDBPyConnection, files: Sequence[Path], columns: dict[str, str]) -> str | None:
    """A SQL table expression reading the non-empty staging files, or None when they hold nothing."""
    present = [str(f) for f in files if f.exists() and f.stat().st_size > 0]
    if not present:
        return None
    globbing = [p for p in present if any(c in p for c in "*?[")]
    if globbing:  # read_json would expand them as a pattern and read other files
        raise StoreError(f"staging path {globbing[0]!r} contains * ? or [; choose a data directory without them")
    cols = ", ".join(f"{name!r}: '{kind}'" for name, kind in columns.items())
    paths = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in present) + "]"
    return f"read_json({paths}, format='newline_delimited', columns={{{cols}}})"


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, int]:
    """Load one batch in a single transaction; return row counts of what it carried.

    Articles: an article whose text (content hash) equals one already stored for the same outlet
    under another canonical URL is not stored again; its URL is recorded in ``article_urls`` against
    the stored one. Then every new article is linked (``article_links``) to the earliest article whose
    MinHash signature agrees on at least ``dedupe.NEAR_DUPLICATE`` of its positions, found through
    shared LSH bands, so a wire story reprinted by several outlets counts once in ``claim_spread``.
    """
    from pipeline.dedupe import NEAR_DUPLICATE, NUM_PERM

    logs = _relation(con, batch.log_files, LOG_COLUMNS)
    arts = _relation(con, [batch.article_file] if batch.article_file else [], ARTICLE_COLUMNS)
    clms = _relation(con, [batch.claim_file] if batch.claim_file else [], CLAIM_COLUMNS)
    counts = {"fetch_log": 0, "articles": 0, "claims": 0, "failures": 0, "duplicates": 0, "copies": 0}
    o = batch.outlet
    with transaction(con):
        if o is not None:
            con.execute(
                """MERGE INTO outlets AS t
                   USING (SELECT ?::VARCHAR AS name, ?::VARCHAR AS domain, ?::VARCHAR[] AS feeds,
                                 ?::VARCHAR[] AS urls, ?::VARCHAR AS run_id) AS s
                   ON t.name = s.name
                   WHEN MATCHED THEN UPDATE SET domain = s.domain, feeds = s.feeds, urls = s.urls,
                       last_run_id = s.run_id
                   WHEN NOT MATCHED THEN INSERT (name, domain, feeds, urls, first_run_id, last_run_id)
                       VALUES (s.name, s.domain, s.feeds, s.urls, s.run_id, s.run_id)""",
                [o["name"], o.get("domain"), list(o.get("feeds") or []), list(o.get("urls") or []), batch.run_id],
            )
        if logs:
            counts["fetch_log"], counts["failures"] = _one(
                con, f"SELECT count(*), count(*) FILTER (NOT ok) FROM {logs}"
            )
            con.execute(
                f"""MERGE INTO fetch_log AS t
                USING (
                    SELECT url, stage, outlet, ok, status, reason, final_url, content_type, n_bytes, attempts,
                           CASE WHEN ok THEN 0 ELSE 1 END AS failures, started_at, elapsed_ms, archive_ref,
                           ?::VARCHAR AS run_id
                    FROM {logs}
                    QUALIFY row_number() OVER (PARTITION BY url, stage ORDER BY started_at DESC NULLS LAST) = 1
                ) AS s
                ON t.url = s.url AND t.stage = s.stage
                WHEN MATCHED THEN UPDATE SET
                    outlet = s.outlet, ok = s.ok, status = s.status, reason = s.reason, final_url = s.final_url,
                    content_type = s.content_type, n_bytes = s.n_bytes, attempts = s.attempts,
                    total_attempts = CASE WHEN t.run_id = s.run_id THEN t.total_attempts
                                          ELSE t.total_attempts + s.attempts END,
                    failures = CASE WHEN t.run_id = s.run_id THEN t.failures ELSE t.failures + s.failures END,
                    started_at = s.started_at, elapsed_ms = s.elapsed_ms, archive_ref = s.archive_ref,
                    run_id = s.run_id
                WHEN NOT MATCHED THEN INSERT (url, stage, outlet, ok, status, reason, final_url, content_type,
                    n_bytes, attempts, total_attempts, failures, started_at, elapsed_ms, archive_ref, run_id)
                VALUES (s.url, s.stage, s.outlet, s.ok, s.status, s.reason, s.final_url, s.content_type, s.n_bytes,
                    s.attempts, s.attempts, s.failures, s.started_at, s.elapsed_ms, s.archive_ref, s.run_id)""",
                [batch.run_id],
            )
        keepers = "(SELECT article_id FROM _batch_articles WHERE keeper = article_id)"
        if arts:
            # One row per article; ``keeper`` is the article this row's text is already stored as.
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _batch_articles AS
                WITH b AS (
                    SELECT * FROM {arts}
                    QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC NULLS LAST, url) = 1
                )
                SELECT b.*, coalesce(
                    (SELECT min(a.article_id) FROM articles a
                     WHERE a.outlet = b.outlet AND a.content_hash = b.content_hash AND a.article_id <> b.article_id),
                    first_value(b.article_id) OVER (
                        PARTITION BY b.outlet, b.content_hash ORDER BY b.fetched_at NULLS LAST, b.article_id)
                ) AS keeper
                FROM b"""
            )
            counts["articles"], counts["duplicates"] = _one(
                con, "SELECT count(*) FILTER (keeper = article_id), count(*) FILTER (keeper <> article_id) "
                "FROM _batch_articles",
            )
            con.execute(
                """MERGE INTO articles AS t
                USING (SELECT *, ?::VARCHAR AS run_id FROM _batch_articles WHERE keeper = article_id) AS s
                ON t.article_id = s.article_id
                WHEN MATCHED THEN UPDATE SET
                    url = s.url, outlet = s.outlet, title = s.title, authors = s.authors,
                    published_at = s.published_at, modified_at = s.modified_at,
                    claimed_canonical_url = s.claimed_canonical_url,
                    first_seen_at = least(t.first_seen_at, s.fetched_at),
                    last_seen_at = greatest(t.last_seen_at, s.fetched_at),
                    language = s.language, text = s.text, content_hash = s.content_hash, raw_ref = s.raw_ref,
                    run_id = s.run_id, minhash = coalesce(s.minhash, t.minhash), wire = s.wire
                WHEN NOT MATCHED THEN INSERT (article_id, canonical_url, url, outlet, title, authors, published_at,
                       first_seen_at, last_seen_at, language, text, content_hash, raw_ref, run_id, minhash, wire,
                       modified_at, claimed_canonical_url)
                VALUES (s.article_id, s.canonical_url, s.url, s.outlet, s.title, s.authors, s.published_at,
                       s.fetched_at, s.fetched_at, s.language, s.text, s.content_hash, s.raw_ref, s.run_id, s.minhash,
                       s.wire, s.modified_at, s.claimed_canonical_url)""",
                [batch.run_id],
            )
            con.execute(
                """MERGE INTO article_urls AS t
                   USING (SELECT url, min(keeper) AS article_id, ?::VARCHAR AS run_id FROM (
                              SELECT url, keeper FROM _batch_articles
                              UNION ALL SELECT canonical_url, keeper FROM _batch_articles WHERE keeper = article_id)
                          GROUP BY url) AS s
                   ON t.url = s.url
                   WHEN MATCHED THEN UPDATE SET article_id = s.article_id, run_id = s.run_id
                   WHEN NOT MATCHED THEN INSERT (url, article_id, run_id) VALUES (s.url, s.article_id, s.run_id)""",
                [batch.run_id],
            )
            # Re-extraction replaces an article's claims: drop what the batch's articles had before.
            con.execute(f"DELETE FROM claims WHERE article_id IN {keepers}")
            con.execute(f"DELETE FROM article_bands WHERE article_id IN {keepers}")
            con.execute(
                f"""INSERT INTO article_bands (band, article_id)
                SELECT DISTINCT unnest(bands), article_id FROM _batch_articles
                WHERE article_id IN {keepers} AND bands IS NOT NULL"""
            )
            _link_copies(con, batch.run_id, NEAR_DUPLICATE, NUM_PERM)
            # the batch's articles that are copies of another (the same on a redo of the batch)
            counts["copies"] = _one(con, f"SELECT count(*) FROM article_links WHERE article_id IN {keepers}")[0]
        if clms:
            only = f"WHERE article_id IN {keepers}" if arts else ""
            counts["claims"] = _one(con, f"SELECT count(DISTINCT claim_id) FROM {clms} {only}")[0]
            # no key is enforced on DuckLake: a claim stored already is not inserted twice
            con.execute(
                f"""INSERT INTO claims ({CLAIM_COLUMN_LIST}, run_id)
                SELECT {CLAIM_COLUMN_LIST}, ? FROM {clms} {only}
                {"AND" if only else "WHERE"} claim_id NOT IN (SELECT claim_id FROM claims)
                QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY article_id) = 1""",
                [batch.run_id],
            )
        if arts:
            con.execute("DROP TABLE _batch_articles")
    return counts


def _link_copies(con: duckdb.DuckDBPyConnection, run_id: str, threshold: float, num_perm: int) -> int:
    """Link the batch's articles and their near-identical peers to the earliest of each group.

    Returns the number of links written (peers relinked included).
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _pairs AS
        SELECT DISTINCT n.article_id AS new_id, o.article_id AS old_id,
               list_sum(list_transform(range(1, {num_perm} + 1), lambda i: (n.minhash[i] = o.minhash[i])::INT))
                   / {num_perm} AS similarity
        FROM articles n
        JOIN article_bands bn ON bn.article_id = n.article_id
        JOIN article_bands bo ON bo.band = bn.band AND bo.article_id <> n.article_id
        JOIN articles o ON o.article_id = bo.article_id
        WHERE n.article_id IN (SELECT article_id FROM _batch_articles WHERE keeper = article_id)
          AND len(n.minhash) = {num_perm} AND len(o.minhash) = {num_perm}"""
    )
    con.execute("DELETE FROM _pairs WHERE similarity < ?", [threshold])
    # A group: the new article, its matches, and the originals those matches already point to.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _groups AS
        WITH members AS (
            SELECT new_id, new_id AS member, 1.0 AS similarity FROM _pairs
            UNION SELECT new_id, old_id, similarity FROM _pairs
            UNION SELECT p.new_id, l.original_article_id, p.similarity
                  FROM _pairs p JOIN article_links l ON l.article_id = p.old_id
        )
        SELECT m.new_id, m.member, max(m.similarity) AS similarity,
               any_value(a.outlet) AS outlet, any_value(a.wire) AS wire,
               any_value(coalesce(a.published_at, a.first_seen_at)) AS seen_at
        FROM members m JOIN articles a ON a.article_id = m.member
        GROUP BY m.new_id, m.member"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _roots AS
        SELECT new_id, arg_min(member, (seen_at, member)) AS root FROM _groups GROUP BY new_id"""
    )
    n_links = _one(
        con,
        "SELECT count(DISTINCT g.member) FROM _groups g JOIN _roots r USING (new_id) WHERE g.member <> r.root",
    )[0]
    con.execute(
        """MERGE INTO article_links AS t
        USING (
            SELECT g.member AS article_id, r.root AS original_article_id,
                   CASE WHEN g.outlet = ro.outlet THEN 'duplicate' ELSE 'copy' END AS relation,
                   g.similarity, coalesce(g.wire, ro.wire) AS wire, ?::VARCHAR AS run_id
            FROM _groups g JOIN _roots r USING (new_id) JOIN articles ro ON ro.article_id = r.root
            WHERE g.member <> r.root
            QUALIFY row_number() OVER (PARTITION BY g.member ORDER BY g.seen_at, r.root) = 1
        ) AS s
        ON t.article_id = s.article_id
        WHEN MATCHED THEN UPDATE SET original_article_id = s.original_article_id, relation = s.relation,
            similarity = s.similarity, wire = s.wire, run_id = s.run_id
        WHEN NOT MATCHED THEN INSERT (article_id, original_article_id, relation, similarity, wire, run_id)
            VALUES (s.article_id, s.original_article_id, s.relation, s.similarity, s.wire, s.run_id)""",
        [run_id],
    )
    # A root is an original: it points nowhere.
    con.execute("DELETE FROM article_links WHERE article_id IN (SELECT root FROM _roots)")
    for table in ("_pairs", "_groups", "_roots"):
        con.execute(f"DROP TABLE {table}")
    return n_links


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    """The one row ``sql`` returns, as integers (NULL as 0)."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(int(v or 0) for v in row)


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, totals: dict[str, int], n_outlets: int) -> None:
    """Record a run's load totals. A load that found nothing of the run (its staging pruned, say)
    does not overwrite the totals of an earlier load of the same run."""
    con.execute(
        """MERGE INTO runs AS t
           USING (SELECT ?::VARCHAR AS run_id, current_timestamp AS loaded_at, ?::INTEGER AS n_outlets,
                         ?::INTEGER AS n_articles, ?::INTEGER AS n_claims, ?::INTEGER AS n_failures) AS s
           ON t.run_id = s.run_id
           WHEN MATCHED AND (s.n_outlets > 0 OR t.n_outlets = 0) THEN UPDATE SET loaded_at = s.loaded_at,
               n_outlets = s.n_outlets, n_articles = s.n_articles, n_claims = s.n_claims, n_failures = s.n_failures
           WHEN NOT MATCHED THEN INSERT (run_id, loaded_at, n_outlets, n_articles, n_claims, n_failures)
               VALUES (s.run_id, s.loaded_at, s.n_outlets, s.n_articles, s.n_claims, s.n_failures)""",
        [run_id, n_outlets, totals.get("articles", 0), totals.get("claims", 0), totals.get("failures", 0)],
    )
