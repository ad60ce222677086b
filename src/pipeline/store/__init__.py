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

Identity across URLs and outlets (migration 2): an article whose text equals one already stored
for its outlet is recorded in ``article_urls`` and not stored again; a near-identical text (a wire
story reprinted elsewhere) is linked in ``article_links`` to the earliest of its group, so
``claim_spread.n_independent`` counts reports, not copies.

SQL text never carries feed or page content: values are bound parameters, and the only strings
formatted into SQL are column names from this module and staging paths built by
``pipeline.staging`` (quoted, with quotes doubled).
"""

from __future__ import annotations

import logging
import os
import random
import re
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
    """One numbered file of ``sql/migrations``: applied once, recorded by version and description."""

    version: int
    description: str
    statements: tuple[str, ...]


SQL = resources.files(__name__) / "sql"
_DESCRIPTION = re.compile(r"^--\s*description:\s*(.+?)\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _read_migrations() -> tuple[Migration, ...]:
    """The migrations in ``sql/migrations/NNN_name.sql``, in order of their number.

    Each file states its description in a ``-- description: ...`` line (recorded in
    ``schema_migrations`` as before) and holds one or more statements separated by semicolons.
    The numbers must run 1, 2, 3, ... without a gap, so a new migration is the next numbered file.
    """
    found: list[Migration] = []
    for entry in (SQL / "migrations").iterdir():
        match = _NUMBERED.match(entry.name)
        if not match:
            continue
        text = entry.read_text(encoding="utf-8")
        described = _DESCRIPTION.search(text)
        if not described:
            raise StoreError(f"migration {entry.name} has no '-- description: ...' line")
        statements = tuple(s.query.strip() for s in duckdb.extract_statements(text))
        found.append(Migration(int(match.group(1)), described.group(1), statements))
    found.sort(key=lambda m: m.version)
    numbers = [m.version for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise StoreError(f"the migration files must be numbered 1, 2, 3, ... without gaps or repeats; found {numbers}")
    return tuple(found)


def _read_views() -> tuple[tuple[str, str], ...]:
    """The views of ``sql/views/<name>.sql`` as (name, statement), each after the views it reads.

    A view file holds one ``CREATE OR REPLACE VIEW <name>`` statement. The order comes from the
    files themselves: a view that names another view is created after it.
    """
    texts = {
        entry.name.removesuffix(".sql"): entry.read_text(encoding="utf-8")
        for entry in (SQL / "views").iterdir()
        if entry.name.endswith(".sql")
    }
    needs = {
        name: {other for other in texts if other != name and re.search(rf"\b{other}\b", _strip_comments(text))}
        for name, text in texts.items()
    }
    ordered: list[tuple[str, str]] = []
    done: set[str] = set()
    while len(done) < len(texts):
        ready = sorted(name for name in texts if name not in done and needs[name] <= done)
        if not ready:
            raise StoreError(f"the views {sorted(set(texts) - done)} read each other in a cycle")
        for name in ready:
            ordered.append((name, texts[name]))
            done.add(name)
    return tuple(ordered)


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


# contested_claims: the least weighted Jaccard score of a pair, and how far apart in time (days, either
# way) the assertion and the denial may have been seen (sql/views/contested_claims.sql). Both are
# written to the one-row table ``contested_settings`` that the view reads.
CONTESTED_MIN_SCORE = 0.2
CONTESTED_WINDOW_DAYS = 30


def _stopwords(language: str = "en") -> list[str]:
    """The packaged stop-word lexicon of a language, lower-cased and sorted."""
    text = (resources.files("pipeline") / "data" / "stopwords" / f"{language}.txt").read_text(encoding="utf-8")
    return sorted({w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")})


def create_views(
    con: duckdb.DuckDBPyConnection,
    min_score: float = CONTESTED_MIN_SCORE,
    window_days: int = CONTESTED_WINDOW_DAYS,
) -> None:
    """(Re)create the comparison views and the small tables of values they read, in one transaction.

    ``stopwords`` (language, word) holds the packaged stop-word lists and ``contested_settings``
    the thresholds of ``contested_claims``; both are bound as parameters, never formatted into SQL.
    """
    if int(window_days) <= 0:
        raise ValueError(f"the contested_claims window must be at least one day, not {window_days!r}")
    with transaction(con):
        con.execute(
            "CREATE OR REPLACE TABLE stopwords AS SELECT ?::VARCHAR AS language, unnest(?::VARCHAR[]) AS word",
            ["en", _stopwords("en")],
        )
        con.execute(
            "CREATE OR REPLACE TABLE contested_settings AS SELECT ?::DOUBLE AS min_score, ?::BIGINT AS window_seconds",
            [float(min_score), int(window_days) * 86_400],
        )
        for _name, statement in VIEWS:
            con.execute(statement)


class StoreError(RuntimeError):
    """The database cannot be used as it is (for example, a newer schema than this code knows)."""


MIGRATIONS: tuple[Migration, ...] = _read_migrations()
VIEWS: tuple[tuple[str, str], ...] = _read_views()
SCHEMA_VERSION = MIGRATIONS[-1].version


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


# A query that spills (contested_claims on a very large file) stops with an error at this size
# instead of filling the disk; the benchmark saw one write over 70 GB of temporary files.
MAX_TEMP_DIRECTORY_SIZE = "8GB"


def _open(path: Path, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {"max_temp_directory_size": MAX_TEMP_DIRECTORY_SIZE}
    return _retry_on_lock(lambda: duckdb.connect(str(path), read_only=read_only, config=config), path, lock_wait)


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
    create_views(con)
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
    "modified_at": "TIMESTAMPTZ",
    "fetched_at": "TIMESTAMPTZ",
    "language": "VARCHAR",
    "text": "VARCHAR",
    "content_hash": "VARCHAR",
    "raw_ref": "VARCHAR",
    "minhash": "BIGINT[]",
    "bands": "VARCHAR[]",
    "wire": "VARCHAR",
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
                """INSERT INTO articles (article_id, canonical_url, url, outlet, title, authors, published_at,
                       first_seen_at, last_seen_at, language, text, content_hash, raw_ref, run_id, minhash, wire,
                       modified_at)
                SELECT article_id, canonical_url, url, outlet, title, authors, published_at,
                       fetched_at, fetched_at, language, text, content_hash, raw_ref, ?, minhash, wire,
                       modified_at
                FROM _batch_articles WHERE keeper = article_id
                ON CONFLICT (article_id) DO UPDATE SET
                    url = excluded.url, outlet = excluded.outlet, title = excluded.title,
                    authors = excluded.authors, published_at = excluded.published_at,
                    modified_at = excluded.modified_at,
                    first_seen_at = least(articles.first_seen_at, excluded.first_seen_at),
                    last_seen_at = greatest(articles.last_seen_at, excluded.last_seen_at),
                    language = excluded.language, text = excluded.text,
                    content_hash = excluded.content_hash, raw_ref = excluded.raw_ref, run_id = excluded.run_id,
                    minhash = coalesce(excluded.minhash, articles.minhash), wire = excluded.wire""",
                [batch.run_id],
            )
            con.execute(
                """INSERT INTO article_urls SELECT url, keeper, ? FROM _batch_articles
                   UNION ALL SELECT canonical_url, keeper, ? FROM _batch_articles WHERE keeper = article_id
                   ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id, run_id = excluded.run_id""",
                [batch.run_id, batch.run_id],
            )
            # Re-extraction replaces an article's claims: drop what the batch's articles had before.
            con.execute(f"DELETE FROM claims WHERE article_id IN {keepers}")
            con.execute(f"DELETE FROM article_bands WHERE article_id IN {keepers}")
            con.execute(
                f"""INSERT INTO article_bands
                SELECT DISTINCT unnest(bands), article_id FROM _batch_articles
                WHERE article_id IN {keepers} AND bands IS NOT NULL"""
            )
            _link_copies(con, batch.run_id, NEAR_DUPLICATE, NUM_PERM)
            # the batch's articles that are copies of another (the same on a redo of the batch)
            counts["copies"] = _one(con, f"SELECT count(*) FROM article_links WHERE article_id IN {keepers}")[0]
        if clms:
            only = f"WHERE article_id IN {keepers}" if arts else ""
            counts["claims"] = _one(con, f"SELECT count(DISTINCT claim_id) FROM {clms} {only}")[0]
            con.execute(
                f"""INSERT INTO claims
                SELECT *, ? FROM {clms} {only}
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
        """INSERT INTO article_links
        SELECT g.member, r.root,
               CASE WHEN g.outlet = ro.outlet THEN 'duplicate' ELSE 'copy' END,
               g.similarity, coalesce(g.wire, ro.wire), ?
        FROM _groups g JOIN _roots r USING (new_id) JOIN articles ro ON ro.article_id = r.root
        WHERE g.member <> r.root
        QUALIFY row_number() OVER (PARTITION BY g.member ORDER BY g.seen_at, r.root) = 1
        ON CONFLICT (article_id) DO UPDATE SET original_article_id = excluded.original_article_id,
            relation = excluded.relation, similarity = excluded.similarity, wire = excluded.wire,
            run_id = excluded.run_id""",
        [run_id],
    )
    # A root is an original: it points nowhere.
    con.execute("DELETE FROM article_links WHERE article_id IN (SELECT root FROM _roots)")
    for table in ("_pairs", "_groups", "_roots"):
        con.execute(f"DROP TABLE {table}")
    return n_links


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(int(v or 0) for v in row)


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, totals: dict[str, int], n_outlets: int) -> None:
    """Record a run's load totals. A load that found nothing of the run (its staging pruned, say)
    does not overwrite the totals of an earlier load of the same run."""
    con.execute(
        """INSERT INTO runs VALUES (?, current_timestamp, ?, ?, ?, ?)
           ON CONFLICT (run_id) DO UPDATE SET loaded_at = excluded.loaded_at, n_outlets = excluded.n_outlets,
               n_articles = excluded.n_articles, n_claims = excluded.n_claims, n_failures = excluded.n_failures
           WHERE excluded.n_outlets > 0 OR runs.n_outlets = 0""",
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


def articles_for_reprocess(path: Path) -> list[dict[str, Any]]:
    """Every stored article with an archived body: what ``reprocess`` re-parses.

    Opens the file read-only and closes it before returning, so the caller holds no lock while
    the load task writes (a reader and a writer conflict in DuckDB).
    """
    con = connect(path, read_only=True)
    try:
        names, rows = query(
            con,
            """SELECT article_id, raw_ref, url, canonical_url, outlet, last_seen_at AS fetched_at
               FROM articles WHERE raw_ref IS NOT NULL ORDER BY outlet, article_id""",
        )
    finally:
        con.close()
    out = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        item["fetched_at"] = item["fetched_at"].isoformat() if item["fetched_at"] is not None else None
        out.append(item)
    return out


# --- Read-side queries for the Claims view (the Airflow plugin and its JSON API) --------------------
# Each takes an open (read-only) connection and returns plain dicts. Filters are bound as parameters;
# the only SQL assembled here is a fixed set of WHERE fragments chosen by which filters are present.

SPEAKER_KEY_SQL = "regexp_replace(lower(trim({})), '^the ', '')"  # the normalisation of speaker_outlets

# How much article text around a claim is returned as its evidence, and how far away the speaker
# or cue may sit from the content and still be shown in the same window.
EVIDENCE_CONTEXT = 160
EVIDENCE_SPAN_REACH = 400


@contextmanager
def reading(path: Path, lock_wait: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one request, closed as soon as the block ends (the loader needs the file)."""
    con = connect(path, read_only=True, lock_wait=lock_wait)
    try:
        yield con
    finally:
        con.close()


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    names, rows = query(con, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def claim_facets(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values the claim filters can take: outlets, polarities, kinds and entities present in the data."""
    facets: dict[str, list[str]] = {}
    for name, sql in (
        ("outlets", "SELECT DISTINCT outlet FROM claims_by_source ORDER BY 1"),
        ("polarities", "SELECT DISTINCT polarity FROM claims ORDER BY 1"),
        ("kinds", "SELECT DISTINCT kind FROM claims ORDER BY 1"),
        ("entities", "SELECT entity FROM entity_claims ORDER BY n_claims DESC, entity LIMIT 200"),
    ):
        facets[name] = [str(row[0]) for row in con.execute(sql).fetchall() if row[0] is not None]
    return facets


def find_claims(
    con: duckdb.DuckDBPyConnection,
    *,
    outlet: str | None = None,
    speaker: str | None = None,
    polarity: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    entity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Claims matching every given filter, newest first, each with its evidence window.

    ``speaker`` matches the resolved speaker the way ``speaker_outlets`` groups them (case and a
    leading "the" ignored); ``text`` is a case-insensitive substring of the content or the title;
    ``entity`` is one of the claim's named entities. Returns the total match count and one page.
    Each row carries ``evidence`` (the article text from ``evidence_start``) and the stored offsets
    of content, speaker and cue, all relative to the article text.
    """
    where: list[str] = []
    params: list[Any] = []
    if outlet:
        where.append("c.outlet = ?")
        params.append(outlet)
    if speaker:
        where.append(f"{SPEAKER_KEY_SQL.format('c.speaker_name')} = {SPEAKER_KEY_SQL.format('?')}")
        params.append(speaker)
    if polarity:
        where.append("c.polarity = ?")
        params.append(polarity)
    if kind:
        where.append("c.kind = ?")
        params.append(kind)
    if text:
        where.append("(strpos(lower(c.content), lower(?)) > 0 OR strpos(lower(coalesce(c.title, '')), lower(?)) > 0)")
        params.extend([text, text])
    if entity:
        where.append("list_contains(c.entities, ?)")
        params.append(entity)
    condition = " AND ".join(where) if where else "TRUE"
    sql = f"""
    WITH hits AS (
        SELECT c.*, cl.speaker_start, cl.speaker_end, cl.cue_start, cl.cue_end,
               count(*) OVER () AS total
        FROM claims_by_source c JOIN claims cl USING (claim_id)
        WHERE {condition}
        ORDER BY c.seen_at DESC NULLS LAST, c.outlet, c.article_id, c.content_start
        LIMIT ? OFFSET ?
    ), spans AS (
        SELECT h.*, a.text AS article_text,
               least(h.content_start,
                     CASE WHEN h.speaker_start >= h.content_start - {EVIDENCE_SPAN_REACH} THEN h.speaker_start END,
                     CASE WHEN h.cue_start >= h.content_start - {EVIDENCE_SPAN_REACH} THEN h.cue_start END)
                   AS lo,
               greatest(h.content_end,
                        CASE WHEN h.speaker_end <= h.content_end + {EVIDENCE_SPAN_REACH} THEN h.speaker_end END,
                        CASE WHEN h.cue_end <= h.content_end + {EVIDENCE_SPAN_REACH} THEN h.cue_end END)
                   AS hi
        FROM hits h JOIN articles a USING (article_id)
    )
    SELECT claim_id, article_id, outlet, canonical_url, title, published_at, first_seen_at, seen_at,
           kind, speaker, speaker_resolved, speaker_name, speaker_role, cue, cue_strength, polarity,
           content, entities, extractor_version,
           content_start, content_end, speaker_start, speaker_end, cue_start, cue_end,
           greatest(lo - {EVIDENCE_CONTEXT}, 0) AS evidence_start,
           substr(article_text, greatest(lo - {EVIDENCE_CONTEXT}, 0) + 1,
                  hi + {EVIDENCE_CONTEXT} - greatest(lo - {EVIDENCE_CONTEXT}, 0)) AS evidence,
           length(article_text) AS article_length,
           total
    FROM spans
    ORDER BY seen_at DESC NULLS LAST, outlet, article_id, content_start"""
    rows = _dicts(con, sql, [*params, int(limit), int(offset)])
    total = int(rows[0].pop("total")) if rows else 0
    for later in rows[1:]:
        later.pop("total")
    if not rows and offset:  # past the last page: still report how many match
        found = con.execute(f"SELECT count(*) FROM claims_by_source c WHERE {condition}", params).fetchone()
        total = int(found[0]) if found else 0
    return total, rows


def list_speakers(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    """Speakers across outlets (``speaker_outlets``), most quoted first."""
    return _dicts(con, "SELECT * FROM speaker_outlets ORDER BY n_claims DESC, n_outlets DESC, speaker LIMIT ?", [limit])


def list_entities(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    """Named entities across outlets (``entity_claims``), most discussed first."""
    return _dicts(con, "SELECT * FROM entity_claims ORDER BY n_claims DESC, n_outlets DESC, entity LIMIT ?", [limit])


def compare_speaker(con: duckdb.DuckDBPyConnection, speaker: str) -> dict[str, Any] | None:
    """One speaker across outlets: the ``speaker_outlets`` summary, and each of their claims (same
    wording grouped) with the outlets carrying it, its stance, and who had it first. None if unknown."""
    key = SPEAKER_KEY_SQL.format("?")
    summary = _dicts(con, f"SELECT * FROM speaker_outlets WHERE speaker_key = {key}", [speaker])
    if not summary:
        return None
    claims = _dicts(
        con,
        f"""SELECT content_key, arg_min(content, seen_at) AS content, polarity,
                   list(DISTINCT outlet ORDER BY outlet) AS outlets, count(*) AS n_reports,
                   min(seen_at) AS first_seen_at, arg_min(outlet, seen_at) AS first_outlet,
                   arg_min(canonical_url, seen_at) AS first_url
            FROM claims_by_source WHERE {SPEAKER_KEY_SQL.format('speaker_name')} = {key}
            GROUP BY content_key, polarity ORDER BY first_seen_at NULLS LAST, content""",
        [speaker],
    )
    return {"summary": summary[0], "claims": claims}


def compare_entity(con: duckdb.DuckDBPyConnection, entity: str) -> dict[str, Any] | None:
    """One named entity across outlets: the ``entity_claims`` summary (who asserts, who denies), and
    each claim about it with its speaker, stance, outlets and first sighting. None if unknown."""
    summary = _dicts(con, "SELECT * FROM entity_claims WHERE entity = ?", [entity])
    if not summary:
        return None
    claims = _dicts(
        con,
        """SELECT content_key, arg_min(content, seen_at) AS content, speaker_name AS speaker, polarity,
                  list(DISTINCT outlet ORDER BY outlet) AS outlets, count(*) AS n_reports,
                  min(seen_at) AS first_seen_at, arg_min(outlet, seen_at) AS first_outlet,
                  arg_min(canonical_url, seen_at) AS first_url
           FROM claims_by_source WHERE list_contains(entities, ?)
           GROUP BY content_key, speaker_name, polarity ORDER BY first_seen_at NULLS LAST, content""",
        [entity],
    )
    return {"summary": summary[0], "claims": claims}


def contested_pairs(
    con: duckdb.DuckDBPyConnection, speaker: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Assertions set against denials of the same point (``contested_claims``), best-scored first;
    with ``speaker``, only pairs where that speaker asserts or denies. Empty for a database whose
    views predate ``contested_claims`` (read-only connections cannot recreate views)."""
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'contested_claims'"
    ).fetchone()
    if not present or not present[0]:
        return []
    where, params = "TRUE", []
    if speaker:
        key = SPEAKER_KEY_SQL.format("?")
        where = (
            f"({SPEAKER_KEY_SQL.format('asserted_by')} = {key} OR {SPEAKER_KEY_SQL.format('denied_by')} = {key})"
        )
        params = [speaker, speaker]
    return _dicts(
        con,
        f"""SELECT * FROM contested_claims WHERE {where}
            ORDER BY score DESC, asserted_at NULLS LAST, asserting_claim_id, denying_claim_id LIMIT ?""",
        [*params, limit],
    )


def claim_spread(con: duckdb.DuckDBPyConnection, min_outlets: int = 2, limit: int = 100) -> list[dict[str, Any]]:
    """The same wording carried by at least ``min_outlets`` outlets (``claim_spread``), widest first."""
    return _dicts(
        con,
        """SELECT * FROM claim_spread WHERE n_outlets >= ?
           ORDER BY n_outlets DESC, first_seen_at NULLS LAST, content LIMIT ?""",
        [min_outlets, limit],
    )


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, Any]]:
    """The latest loads recorded in ``runs``, newest first."""
    return _dicts(con, "SELECT * FROM runs ORDER BY loaded_at DESC NULLS LAST, run_id DESC LIMIT ?", [limit])


def fetch_failures(con: duckdb.DuckDBPyConnection, limit: int = 100) -> list[dict[str, Any]]:
    """What could not be discovered, fetched or parsed, with the reason; most often failing first."""
    return _dicts(
        con,
        """SELECT url, stage, outlet, status, reason, attempts, total_attempts, failures, started_at, run_id
           FROM fetch_log WHERE NOT ok
           ORDER BY failures DESC, started_at DESC NULLS LAST, url, stage LIMIT ?""",
        [limit],
    )


def health_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Row counts, and fetch-log outcomes per outlet and stage."""
    return {
        "counts": table_counts(con),
        "by_outlet": _dicts(
            con,
            """SELECT outlet, stage, count(*) FILTER (WHERE ok) AS ok, count(*) FILTER (WHERE NOT ok) AS failed,
                      max(started_at) AS last_attempt
               FROM fetch_log GROUP BY outlet, stage ORDER BY outlet, stage""",
        ),
    }
