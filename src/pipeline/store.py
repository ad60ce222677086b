"""DuckDB: the only module that talks to the database.

The schema is created and migrated by ``migrate`` (versions recorded in ``schema_migrations``);
the comparison views are recreated after every migration. ``load_batch`` bulk-loads one batch of
staging files inside a single transaction: either all of a batch is in the database, or none.

Natural keys make every load idempotent:
- ``articles.article_id`` is derived from the canonical URL (unique), so a re-fetch updates in place;
- ``claims.claim_id`` is derived from article, content span and extractor version, and a batch
  replaces all claims of the articles it carries, so re-extraction replaces and never adds;
- ``fetch_log`` keeps one row per URL and stage (the latest attempt, with attempts counted
  across runs), so a re-run of the same run changes nothing.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import duckdb

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "outlets, fetch_log, articles, claims, runs",
        (
            """CREATE TABLE outlets (
                name VARCHAR PRIMARY KEY,
                domain VARCHAR,
                feeds VARCHAR[],
                urls VARCHAR[],
                first_run_id VARCHAR,
                last_run_id VARCHAR
            )""",
            """CREATE TABLE fetch_log (
                url VARCHAR NOT NULL,
                stage VARCHAR NOT NULL,          -- discover | fetch | parse
                outlet VARCHAR,
                ok BOOLEAN NOT NULL,
                status INTEGER,
                reason VARCHAR,
                final_url VARCHAR,
                content_type VARCHAR,
                n_bytes BIGINT,
                attempts INTEGER,                -- attempts in the latest run
                total_attempts INTEGER,          -- attempts summed over runs
                failures INTEGER,                -- runs that ended in failure
                started_at TIMESTAMPTZ,
                elapsed_ms DOUBLE,
                archive_ref VARCHAR,
                run_id VARCHAR,
                PRIMARY KEY (url, stage)
            )""",
            """CREATE TABLE articles (
                article_id VARCHAR PRIMARY KEY,
                canonical_url VARCHAR NOT NULL UNIQUE,
                url VARCHAR NOT NULL,
                outlet VARCHAR NOT NULL,
                title VARCHAR,
                authors VARCHAR[],
                published_at TIMESTAMPTZ,
                first_seen_at TIMESTAMPTZ,
                last_seen_at TIMESTAMPTZ,
                language VARCHAR,
                text VARCHAR NOT NULL,
                content_hash VARCHAR NOT NULL,
                raw_ref VARCHAR,
                run_id VARCHAR
            )""",
            """CREATE TABLE claims (
                claim_id VARCHAR PRIMARY KEY,
                article_id VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                speaker VARCHAR,
                speaker_start INTEGER,
                speaker_end INTEGER,
                speaker_resolved VARCHAR,
                speaker_role VARCHAR,
                cue VARCHAR,
                cue_start INTEGER,
                cue_end INTEGER,
                cue_strength VARCHAR,
                content VARCHAR NOT NULL,
                content_start INTEGER NOT NULL,
                content_end INTEGER NOT NULL,
                polarity VARCHAR NOT NULL,
                entities VARCHAR[],
                extractor_version VARCHAR NOT NULL,
                run_id VARCHAR
            )""",
            """CREATE TABLE runs (
                run_id VARCHAR PRIMARY KEY,
                loaded_at TIMESTAMPTZ,
                n_outlets INTEGER,
                n_articles INTEGER,
                n_claims INTEGER,
                n_failures INTEGER
            )""",
        ),
    ),
)

# The comparison views, recreated after migrations. ``speaker_name`` prefers the resolved speaker
# (a pronoun's antecedent) over the mention as written; ``seen_at`` is the earliest evidence of
# when an outlet had the claim: its stated publication time, else when we first fetched it.
VIEWS: tuple[str, ...] = (
    """CREATE OR REPLACE VIEW claims_by_source AS
    SELECT c.claim_id, c.article_id, a.outlet, a.canonical_url, a.title, a.published_at, a.first_seen_at,
           coalesce(a.published_at, a.first_seen_at) AS seen_at,
           c.kind, c.speaker, c.speaker_resolved, coalesce(c.speaker_resolved, c.speaker) AS speaker_name,
           c.speaker_role, c.cue, c.cue_strength, c.polarity, c.content, c.entities,
           c.content_start, c.content_end, c.extractor_version,
           regexp_replace(lower(c.content), '[^a-z0-9]+', ' ', 'g') AS content_key
    FROM claims c JOIN articles a USING (article_id)""",
    """CREATE OR REPLACE VIEW speaker_outlets AS
    SELECT regexp_replace(lower(trim(speaker_name)), '^the ', '') AS speaker_key,
           min(speaker_name) AS speaker,
           count(*) AS n_claims,
           count(DISTINCT outlet) AS n_outlets,
           list(DISTINCT outlet ORDER BY outlet) AS outlets,
           count(*) FILTER (WHERE polarity = 'asserts') AS n_asserts,
           count(*) FILTER (WHERE polarity = 'denies') AS n_denies,
           min(seen_at) AS first_seen_at,
           arg_min(outlet, seen_at) AS first_outlet
    FROM claims_by_source WHERE speaker_name IS NOT NULL
    GROUP BY 1""",
    """CREATE OR REPLACE VIEW entity_claims AS
    SELECT entity,
           count(*) AS n_claims,
           count(DISTINCT outlet) AS n_outlets,
           list(DISTINCT outlet ORDER BY outlet) AS outlets,
           list(DISTINCT speaker_name ORDER BY speaker_name) FILTER (WHERE polarity = 'asserts') AS asserted_by,
           list(DISTINCT speaker_name ORDER BY speaker_name) FILTER (WHERE polarity = 'denies') AS denied_by,
           min(seen_at) AS first_seen_at,
           arg_min(outlet, seen_at) AS first_outlet
    FROM (SELECT unnest(entities) AS entity, * EXCLUDE (entities) FROM claims_by_source)
    GROUP BY entity""",
    """CREATE OR REPLACE VIEW claim_spread AS
    SELECT content_key,
           arg_min(content, seen_at) AS content,
           count(*) AS n_reports,
           count(DISTINCT outlet) AS n_outlets,
           list(DISTINCT outlet ORDER BY outlet) AS outlets,
           list(DISTINCT speaker_name ORDER BY speaker_name) AS speakers,
           list(DISTINCT polarity ORDER BY polarity) AS polarities,
           min(seen_at) AS first_seen_at,
           arg_min(outlet, seen_at) AS first_outlet
    FROM claims_by_source
    GROUP BY content_key""",
)



def _stopwords_sql(language: str = "en") -> str:
    """The packaged stop-word lexicon as a SQL list literal (trusted package data, quotes escaped)."""
    text = (resources.files("pipeline") / "data" / "stopwords" / f"{language}.txt").read_text(encoding="utf-8")
    words = sorted({w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")})
    return "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def _term_views() -> tuple[str, ...]:
    """Views that compare the wording of claims: content words of four letters or more, stop words out.

    ``contested_claims`` pairs an assertion with a denial by another speaker when their wording
    overlaps: at least two shared content words and a weighted Jaccard score of 0.2 or more, each
    word weighted by its rarity across all claims (inverse document frequency), so that the words
    every claim of a story shares count little and the words of the disputed point count much.
    It proposes candidates for a reader to check, ranked by score; it does not decide.
    """
    return (
        f"""CREATE OR REPLACE VIEW claim_terms AS
        SELECT claim_id, term FROM (
            SELECT claim_id, unnest(list_distinct(string_split_regex(trim(content_key), '\\s+'))) AS term
            FROM claims_by_source)
        WHERE length(term) >= 4 AND NOT list_contains({_stopwords_sql()}, term)""",
        """CREATE OR REPLACE VIEW contested_claims AS
        WITH idf AS (
            SELECT term, ln((SELECT count(DISTINCT claim_id) FROM claim_terms) / count(*)) + 0.1 AS w
            FROM claim_terms GROUP BY term),
        weighted AS (SELECT t.claim_id, t.term, idf.w FROM claim_terms t JOIN idf USING (term)),
        mass AS (SELECT claim_id, sum(w) AS w FROM weighted GROUP BY claim_id),
        pairs AS (
            SELECT a.claim_id AS asserting_id, d.claim_id AS denying_id,
                   count(*) AS shared_terms, sum(a.w) AS shared_w, list(a.term ORDER BY a.w DESC) AS terms
            FROM weighted a
            JOIN weighted d ON a.term = d.term
            JOIN claims ca ON ca.claim_id = a.claim_id AND ca.polarity = 'asserts'
            JOIN claims cd ON cd.claim_id = d.claim_id AND cd.polarity = 'denies'
            GROUP BY ALL)
        SELECT round(p.shared_w / (ma.w + md.w - p.shared_w), 2) AS score,
               p.terms AS shared_terms,
               a.speaker_name AS asserted_by, a.outlet AS asserting_outlet, a.content AS assertion,
               a.seen_at AS asserted_at,
               d.speaker_name AS denied_by, d.outlet AS denying_outlet, d.content AS denial,
               d.seen_at AS denied_at,
               p.asserting_id AS asserting_claim_id, p.denying_id AS denying_claim_id
        FROM pairs p
        JOIN mass ma ON ma.claim_id = p.asserting_id
        JOIN mass md ON md.claim_id = p.denying_id
        JOIN claims_by_source a ON a.claim_id = p.asserting_id
        JOIN claims_by_source d ON d.claim_id = p.denying_id
        WHERE p.shared_terms >= 2 AND p.shared_w / (ma.w + md.w - p.shared_w) >= 0.2
          AND coalesce(lower(a.speaker_name), '') <> coalesce(lower(d.speaker_name), '')""",
    )


SCHEMA_VERSION = MIGRATIONS[-1].version


class StoreError(RuntimeError):
    """The database cannot be used as it is (for example, a newer schema than this code knows)."""


DEFAULT_LOCK_WAIT = 120.0


def _retry_on_lock(action: Callable[[], T], path: Path, lock_wait: float) -> T:
    """Run ``action`` (an open or an ATTACH of ``path``), waiting while another process holds a lock.

    DuckDB lets one process write a file, or many read it, never both at once. Every holder here
    keeps the file open only for one load batch or one query, so a short wait replaces a lock error.
    """
    deadline = time.monotonic() + lock_wait
    delay = 0.05
    while True:
        try:
            return action()
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"{path} stayed locked by another process for {lock_wait:.0f} s; "
                    "a load or a long query is holding it (see the PID in the message below)\n" + str(e)
                ) from e
            log.info("%s is locked by another process; waiting %.2f s", path, delay)
            time.sleep(delay * (1 + random.random() / 2))
            delay = min(delay * 2, 1.0)


def _open(path: Path, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    return _retry_on_lock(lambda: duckdb.connect(str(path), read_only=read_only), path, lock_wait)


def connect(path: Path, read_only: bool = False, lock_wait: float = DEFAULT_LOCK_WAIT) -> duckdb.DuckDBPyConnection:
    """Open the database; a writable connection is migrated to the current schema first.

    Open late and close early: a reader blocks the writer and the writer blocks readers.
    """
    if read_only:
        if not path.exists():
            raise StoreError(f"no database at {path}; run the ingest first (factcheck run or the news_ingest DAG)")
        return _open(path, True, lock_wait)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, False, lock_wait)
    try:
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The applied schema version (0 for an empty database); works on read-only connections."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply missing migrations, each in its own transaction; recreate the views. Returns the version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"database schema version {current} is newer than this code ({SCHEMA_VERSION}); upgrade factcheck"
        )
    for m in MIGRATIONS:
        if m.version <= current:
            continue
        log.info("migrating database to version %d: %s", m.version, m.description)
        with transaction(con):
            for statement in m.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [m.version, m.description]
            )
    with transaction(con):
        for view in VIEWS + _term_views():
            con.execute(view)
    return SCHEMA_VERSION


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


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
    "fetched_at": "TIMESTAMPTZ",
    "language": "VARCHAR",
    "text": "VARCHAR",
    "content_hash": "VARCHAR",
    "raw_ref": "VARCHAR",
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


@dataclass(frozen=True, slots=True)
class Batch:
    """The staging files of one outlet's share of a run: what one load transaction carries."""

    run_id: str
    outlet: dict[str, Any]  # Outlet.to_dict()
    log_files: tuple[Path, ...]
    article_file: Path | None
    claim_file: Path | None


def _relation(con: duckdb.DuckDBPyConnection, files: Sequence[Path], columns: dict[str, str]) -> str | None:
    """A SQL table expression reading the non-empty staging files, or None when they hold nothing."""
    present = [str(f) for f in files if f.exists() and f.stat().st_size > 0]
    if not present:
        return None
    cols = ", ".join(f"{name!r}: '{kind}'" for name, kind in columns.items())
    paths = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in present) + "]"
    return f"read_json({paths}, format='newline_delimited', columns={{{cols}}})"


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, int]:
    """Load one batch in a single transaction; return row counts of what it carried."""
    logs = _relation(con, batch.log_files, LOG_COLUMNS)
    arts = _relation(con, [batch.article_file] if batch.article_file else [], ARTICLE_COLUMNS)
    clms = _relation(con, [batch.claim_file] if batch.claim_file else [], CLAIM_COLUMNS)
    counts = {"fetch_log": 0, "articles": 0, "claims": 0, "failures": 0}
    o = batch.outlet
    with transaction(con):
        con.execute(
            """INSERT INTO outlets VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET domain = excluded.domain, feeds = excluded.feeds,
                   urls = excluded.urls, last_run_id = excluded.last_run_id""",
            [
                o["name"],
                o.get("domain"),
                list(o.get("feeds") or []),
                list(o.get("urls") or []),
                batch.run_id,
                batch.run_id,
            ],
        )
        if logs:
            counts["fetch_log"], counts["failures"] = _one(
                con, f"SELECT count(*), count(*) FILTER (NOT ok) FROM {logs}"
            )
            con.execute(
                f"""INSERT INTO fetch_log
                SELECT url, stage, outlet, ok, status, reason, final_url, content_type, n_bytes, attempts,
                       attempts, CASE WHEN ok THEN 0 ELSE 1 END, started_at, elapsed_ms, archive_ref, ?
                FROM {logs}
                QUALIFY row_number() OVER (PARTITION BY url, stage ORDER BY started_at DESC NULLS LAST) = 1
                ON CONFLICT (url, stage) DO UPDATE SET
                    outlet = excluded.outlet, ok = excluded.ok, status = excluded.status,
                    reason = excluded.reason, final_url = excluded.final_url,
                    content_type = excluded.content_type, n_bytes = excluded.n_bytes,
                    attempts = excluded.attempts,
                    total_attempts = CASE WHEN fetch_log.run_id = excluded.run_id THEN fetch_log.total_attempts
                                          ELSE fetch_log.total_attempts + excluded.attempts END,
                    failures = CASE WHEN fetch_log.run_id = excluded.run_id THEN fetch_log.failures
                                    ELSE fetch_log.failures + excluded.failures END,
                    started_at = excluded.started_at, elapsed_ms = excluded.elapsed_ms,
                    archive_ref = excluded.archive_ref, run_id = excluded.run_id""",
                [batch.run_id],
            )
        if arts:
            counts["articles"] = _one(con, f"SELECT count(DISTINCT article_id) FROM {arts}")[0]
            con.execute(
                f"""INSERT INTO articles
                SELECT article_id, canonical_url, url, outlet, title, authors, published_at,
                       fetched_at, fetched_at, language, text, content_hash, raw_ref, ?
                FROM {arts}
                QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY fetched_at DESC NULLS LAST, url) = 1
                ON CONFLICT (article_id) DO UPDATE SET
                    url = excluded.url, outlet = excluded.outlet, title = excluded.title,
                    authors = excluded.authors, published_at = excluded.published_at,
                    first_seen_at = least(articles.first_seen_at, excluded.first_seen_at),
                    last_seen_at = greatest(articles.last_seen_at, excluded.last_seen_at),
                    language = excluded.language, text = excluded.text,
                    content_hash = excluded.content_hash, raw_ref = excluded.raw_ref, run_id = excluded.run_id""",
                [batch.run_id],
            )
            # Re-extraction replaces an article's claims: drop what the batch's articles had before.
            con.execute(f"DELETE FROM claims WHERE article_id IN (SELECT article_id FROM {arts})")
        if clms:
            counts["claims"] = _one(con, f"SELECT count(DISTINCT claim_id) FROM {clms}")[0]
            con.execute(
                f"""INSERT INTO claims
                SELECT *, ? FROM {clms}
                QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY article_id) = 1""",
                [batch.run_id],
            )
    return counts


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(int(v or 0) for v in row)


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, totals: dict[str, int], n_outlets: int) -> None:
    con.execute(
        """INSERT INTO runs VALUES (?, current_timestamp, ?, ?, ?, ?)
           ON CONFLICT (run_id) DO UPDATE SET loaded_at = excluded.loaded_at, n_outlets = excluded.n_outlets,
               n_articles = excluded.n_articles, n_claims = excluded.n_claims, n_failures = excluded.n_failures""",
        [run_id, n_outlets, totals.get("articles", 0), totals.get("claims", 0), totals.get("failures", 0)],
    )


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
    """Run a query; return column names and rows."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description or []]
    return names, cur.fetchall()


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        name: int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]
        for name in ("outlets", "fetch_log", "articles", "claims")
    }


def base_table_counts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, int]:
    """Row counts of every base table (views excluded) of a database, by table name."""
    catalog = catalog or _one_str(con, "SELECT current_database()")
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = ? AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1",
            [catalog],
        ).fetchall()
    ]
    return {n: int(con.execute(f'SELECT count(*) FROM "{catalog}".main."{n}"').fetchone()[0]) for n in names}  # type: ignore[index]


def _one_str(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    row = con.execute(sql).fetchone()
    assert row is not None
    return str(row[0])


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def backup(path: Path, target: Path, lock_wait: float = DEFAULT_LOCK_WAIT) -> dict[str, int]:
    """Write a consistent copy of the database to ``target``; return the row counts it holds.

    The source is attached read-only (so it waits for a running load, like any reader, and never
    blocks other readers), copied table by table with ``COPY FROM DATABASE`` inside one read
    snapshot, into a temporary file beside ``target``. The copy is then opened on its own and its
    row counts are checked against the source before it is renamed into place,
    so ``target`` is either the previous file or a verified copy, never half of one. The check
    counts rows of every table, ``schema_migrations`` included, so the copy has the same schema.
    """
    if not path.exists():
        raise StoreError(f"no database at {path}; nothing to back up")
    if target.resolve() == path.resolve():
        raise StoreError("the backup must go to another file than the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    con = duckdb.connect()  # in memory: only attaches the two files
    try:
        _retry_on_lock(lambda: con.execute(f"ATTACH {_sql_literal(str(path))} AS src (READ_ONLY)"), path, lock_wait)
        con.execute(f"ATTACH {_sql_literal(str(tmp))} AS dst")
        con.execute("BEGIN TRANSACTION")
        expected = base_table_counts(con, "src")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("COMMIT")
        con.execute("DETACH dst")
        con.execute("DETACH src")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    check = duckdb.connect(str(tmp), read_only=True)
    try:
        copied = base_table_counts(check)
    finally:
        check.close()
    if copied != expected:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"the copy of {path} does not match it (source {expected}, copy {copied}); nothing written")
    os.replace(tmp, target)
    return copied
