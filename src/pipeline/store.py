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
    Migration(
        2,
        "article identity across URLs and outlets: article_urls, article_bands, article_links",
        (
            # MinHash signature and wire credit of the text (pipeline.dedupe), computed at parse time.
            "ALTER TABLE articles ADD COLUMN minhash BIGINT[]",
            "ALTER TABLE articles ADD COLUMN wire VARCHAR",
            # Every URL an article was fetched under: the same article under two URLs is stored once.
            """CREATE TABLE article_urls (
                url VARCHAR PRIMARY KEY,
                article_id VARCHAR NOT NULL,
                run_id VARCHAR
            )""",
            # Locality-sensitive band keys of the signature: candidate near-duplicates by equality join.
            """CREATE TABLE article_bands (
                band VARCHAR NOT NULL,
                article_id VARCHAR NOT NULL,
                PRIMARY KEY (band, article_id)
            )""",
            # A copy (wire reprint, syndicated or re-posted text) pointing at the earliest article of its group.
            """CREATE TABLE article_links (
                article_id VARCHAR PRIMARY KEY,
                original_article_id VARCHAR NOT NULL,
                relation VARCHAR NOT NULL,       -- duplicate (same outlet) | copy (another outlet)
                similarity DOUBLE,               -- estimated Jaccard similarity of 5-word shingles
                wire VARCHAR,                    -- the agency a credit line names, if any
                run_id VARCHAR
            )""",
        ),
    ),
    Migration(
        3,
        "articles.modified_at: the last modification the page states, beside its publication date",
        ("ALTER TABLE articles ADD COLUMN modified_at TIMESTAMPTZ",),
    ),
    Migration(
        4,
        "articles.claimed_canonical_url: a canonical URL the page named on another site (not its identity)",
        ("ALTER TABLE articles ADD COLUMN claimed_canonical_url VARCHAR",),
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
           regexp_replace(lower(c.content), '[^a-z0-9]+', ' ', 'g') AS content_key,
           coalesce(l.original_article_id, c.article_id) AS origin_article_id, a.wire, a.modified_at
    FROM claims c JOIN articles a USING (article_id)
    LEFT JOIN article_links l ON l.article_id = c.article_id""",
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
           count(DISTINCT origin_article_id) AS n_independent,   -- copies of one original count once
           count(DISTINCT outlet) AS n_outlets,
           list(DISTINCT outlet ORDER BY outlet) AS outlets,
           list(DISTINCT speaker_name ORDER BY speaker_name) AS speakers,
           list(DISTINCT polarity ORDER BY polarity) AS polarities,
           min(seen_at) AS first_seen_at,
           arg_min(outlet, seen_at) AS first_outlet
    FROM claims_by_source
    GROUP BY content_key""",
    """CREATE OR REPLACE VIEW article_origins AS
    SELECT a.article_id, a.outlet, a.canonical_url, a.title, a.wire,
           coalesce(l.original_article_id, a.article_id) AS original_article_id,
           o.outlet AS original_outlet, o.canonical_url AS original_url,
           coalesce(l.relation, 'original') AS relation, l.similarity
    FROM articles a
    LEFT JOIN article_links l USING (article_id)
    LEFT JOIN articles o ON o.article_id = coalesce(l.original_article_id, a.article_id)""",
)



def _stopwords_sql(language: str = "en") -> str:
    """The packaged stop-word lexicon as a SQL list literal (trusted package data, quotes escaped)."""
    text = (resources.files("pipeline") / "data" / "stopwords" / f"{language}.txt").read_text(encoding="utf-8")
    words = sorted({w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")})
    return "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


# contested_claims: the least weighted Jaccard score of a pair, and how far apart in time (days, either
# way) the assertion and the denial may have been seen (see ``_term_views``).
CONTESTED_MIN_SCORE = 0.2
CONTESTED_WINDOW_DAYS = 30


def _term_views(
    min_score: float = CONTESTED_MIN_SCORE, window_days: int = CONTESTED_WINDOW_DAYS
) -> tuple[str, ...]:
    """Views that compare the wording of claims: content words of four letters or more, stop words out.

    ``contested_claims`` pairs an assertion with a denial by another speaker when their wording
    overlaps: at least two shared content words and a weighted Jaccard score of 0.2 or more, each
    word weighted by its rarity across all claims (inverse document frequency), so that the words
    every claim of a story shares count little and the words of the disputed point count much.
    It proposes candidates for a reader to check, ranked by score; it does not decide.

    Only claims seen within ``CONTESTED_WINDOW_DAYS`` (30) of each other are compared, whichever
    came first (``asserted_at`` and ``denied_at``, each the article's ``seen_at``: its stated
    publication time, else when we first fetched it); a claim with neither is never paired. A
    denial answers an assertion while the story runs, and a month either way covers a story's news
    cycle; outside it, two claims that share rare words are more often a coincidence than a dispute.
    The window is what keeps the view linear: without it, the pairs to compare are, summed over
    words, (assertions carrying the word) x (denials carrying it), and each word's count grows with
    the claims, so the work grows with their square (at 1M synthetic claims the view did not finish
    in 300 s). With it, a claim meets only the claims of its two months, which for a steady stream
    of news stay as many however long the database runs, so the work grows with the claims. The
    trade-off: a denial more than 30 days after the assertion is not proposed.

    Pairs are first proposed, then scored, with exact filters (the result is the same as comparing
    all pairs within the window; tests/test_store_contested.py checks it against brute force). Each
    claim's words are ordered rarest first (by weight, then spelling: one global order, ``tid``).

    - prefix filter: a pair scoring ``t`` or more shares at least ``t`` of each claim's weight, so
      its first shared word lies, in both claims, among the words that still have ``t`` of the
      claim's weight from them on (``rest``): the claim's prefix.
    - two words: a pair must share two words, so it shares its first two shared words ``(x, y)``,
      ``x`` in both prefixes and ``y`` anywhere after it. Each claim offers every such word pair
      (about 40 for a claim of ten words), and claims meet on equal ``(x, y)``. Few claims share
      two given words, so the matches are close to the true pairs: on the 1M synthetic claims,
      1.4 million proposals for 100k pairs, where proposing through single words gave 3 million
      proposals at 100k claims already, almost all sharing that one word only, and their
      scoring dominated the time.
    - time blocks: each claim falls in a block of ``window_days`` by its ``seen_at``; claims within
      the window lie in the same or adjacent blocks, so a denial's word pairs are offered to its
      own block and both neighbours and meet assertions on ``(x, y, block)``; the exact distance
      is checked on each match.
    - positional filter (as in PPJoin): the shared weight is at most the weight from the first
      shared word on, in either claim, so a match on a word ``x`` whose ``least(rest)`` is below
      ``t / (1 + t)`` of the two claims' weight together cannot make the pair reach ``t``; a pair
      is kept when some match passes, which is checked match by match before grouping.
    - weight filter: the shared weight is at most the lighter claim's weight and at least ``t``
      times the heavier one's, so a pair whose lighter claim weighs less than ``t`` times the
      heavier cannot reach ``t``.

    Proposals are scored on each claim's list of words (one row a claim: word ids and weights; the
    words' spelling is looked up for the kept pairs only), not by joining word rows. On the
    synthetic claims of benchmarks/store_scale.py (claims at a steady 2,740 a day), the benchmark's
    query took, in CPU time on one thread, 0.15 s at 10k claims, 1.3 s at 100k and 15.5 s at 1M
    (9-12x per 10x; before, 1M did not finish in 300 s). The
    word-pair proposals alone, over all time, took 1.6 s and 28 s at 100k and 1M (two threads):
    feasible, but quadratic underneath; the window is what keeps the growth linear.
    """
    t = float(min_score)
    window = int(window_days) * 86_400  # seconds
    if window <= 0:
        raise ValueError(f"the contested_claims window must be at least one day, not {window_days!r}")
    return (
        f"""CREATE OR REPLACE VIEW claim_terms AS
        SELECT claim_id, term FROM (
            SELECT claim_id, unnest(list_distinct(string_split(trim(content_key), ' '))) AS term
            FROM claims_by_source)
        WHERE length(term) >= 4 AND NOT list_contains({_stopwords_sql()}, term)""",
        f"""CREATE OR REPLACE VIEW contested_claims AS
        WITH dated AS MATERIALIZED (
            SELECT claim_id, row_number() OVER ()::INTEGER AS cid, polarity, epoch(seen_at) AS seen_s
            FROM claims_by_source),
        words AS MATERIALIZED (
            SELECT c.cid, t.term FROM claim_terms t JOIN dated c USING (claim_id)),
        idf AS MATERIALIZED (
            SELECT term, w, row_number() OVER (ORDER BY w DESC, term)::INTEGER AS tid FROM (
                SELECT term, ln((SELECT count(DISTINCT cid) FROM words) / count(*)) + 0.1 AS w
                FROM words GROUP BY term)),
        tagged AS MATERIALIZED (
            SELECT d.cid, d.claim_id, d.polarity, d.seen_s, b.mass, b.bag,
                   list_transform(b.bag, lambda e: e.tid) AS tids
            FROM (SELECT cid, sum(w) AS mass, list_sort(list({{'tid': tid, 'w': w}})) AS bag
                  FROM words JOIN idf USING (term) GROUP BY cid) b
            JOIN dated d USING (cid)
            WHERE d.seen_s IS NOT NULL),
        prefix AS (
            SELECT * FROM (
                SELECT cid, polarity, seen_s, mass, tids, pos,
                       list_sum(list_transform(list_slice(bag, pos, len(bag)), lambda e: e.w)) AS rest
                FROM (SELECT *, unnest(range(1, len(bag))) AS pos FROM tagged))
            WHERE rest >= {t} * mass * (1 - 1e-9)),
        keys AS (
            SELECT cid, polarity, mass, rest, seen_s, floor(seen_s / {window})::BIGINT AS block,
                   tids[pos] AS x, unnest(list_slice(tids, pos + 1, len(tids))) AS y
            FROM prefix),
        asserted AS (SELECT * FROM keys WHERE polarity = 'asserts'),
        denied AS (
            SELECT cid, mass, rest, seen_s, x, y, unnest([block - 1, block, block + 1]) AS block
            FROM keys WHERE polarity = 'denies'),
        candidates AS (
            SELECT DISTINCT a.cid AS acid, d.cid AS dcid
            FROM asserted a JOIN denied d ON a.x = d.x AND a.y = d.y AND a.block = d.block
            WHERE abs(a.seen_s - d.seen_s) <= {window}
              AND least(a.rest, d.rest) >= {t / (1 + t)!r} * (a.mass + d.mass) * (1 - 1e-9)
              AND least(a.mass, d.mass) >= {t} * greatest(a.mass, d.mass) * (1 - 1e-9)),
        shared AS (
            SELECT a.claim_id AS asserting_id, d.claim_id AS denying_id, a.mass AS ma, d.mass AS md,
                   list_filter(a.bag, lambda e: list_contains(d.tids, e.tid)) AS hit
            FROM candidates c
            JOIN tagged a ON a.cid = c.acid
            JOIN tagged d ON d.cid = c.dcid),
        scored AS (
            SELECT asserting_id, denying_id, ma, md, list_transform(hit, lambda e: e.tid) AS hit,
                   list_sum(list_transform(hit, lambda e: e.w)) AS shared_w
            FROM shared),
        pairs AS MATERIALIZED (
            SELECT asserting_id, denying_id, hit, shared_w / (ma + md - shared_w) AS jaccard FROM scored
            WHERE shared_w / (ma + md - shared_w) >= {t}),
        named AS (
            SELECT asserting_id, denying_id,
                   list_transform(list_sort(list({{'tid': tid, 'term': term}})), lambda e: e.term) AS terms
            FROM (SELECT asserting_id, denying_id, unnest(hit) AS tid FROM pairs) JOIN idf USING (tid)
            GROUP BY asserting_id, denying_id)
        SELECT round(p.jaccard, 2) AS score,
               n.terms AS shared_terms,
               a.speaker_name AS asserted_by, a.outlet AS asserting_outlet, a.content AS assertion,
               a.seen_at AS asserted_at,
               d.speaker_name AS denied_by, d.outlet AS denying_outlet, d.content AS denial,
               d.seen_at AS denied_at,
               p.asserting_id AS asserting_claim_id, p.denying_id AS denying_claim_id
        FROM pairs p
        JOIN named n USING (asserting_id, denying_id)
        JOIN claims_by_source a ON a.claim_id = p.asserting_id
        JOIN claims_by_source d ON d.claim_id = p.denying_id
        WHERE coalesce(lower(a.speaker_name), '') <> coalesce(lower(d.speaker_name), '')""",
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
                       modified_at, claimed_canonical_url)
                SELECT article_id, canonical_url, url, outlet, title, authors, published_at,
                       fetched_at, fetched_at, language, text, content_hash, raw_ref, ?, minhash, wire,
                       modified_at, claimed_canonical_url
                FROM _batch_articles WHERE keeper = article_id
                ON CONFLICT (article_id) DO UPDATE SET
                    url = excluded.url, outlet = excluded.outlet, title = excluded.title,
                    authors = excluded.authors, published_at = excluded.published_at,
                    modified_at = excluded.modified_at, claimed_canonical_url = excluded.claimed_canonical_url,
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
