"""The schema: open the file (waiting out another process's lock), apply the numbered migrations of
``sql/migrations`` and (re)create the views of ``sql/views``.

Migrations are recorded in ``schema_migrations`` by version and description; a new migration is the
next numbered file. Views are recreated on every writable connection, after the migrations.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered file of ``sql/migrations``: applied once, recorded by version and description."""

    version: int
    description: str
    statements: tuple[str, ...]


SQL = resources.files("pipeline.store") / "sql"
_DESCRIPTION = re.compile(r"^--\s*description:\s*(.+?)\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _read_migrations() -> tuple[Migration, ...]:
    """The migrations in ``sql/migrations/NNN_name.sql``, in order of their number.

    Each file states its description in a ``-- description: ...`` line (recorded in
    ``schema_migrations`` as before) and holds one or more statements separated by semicolons.
    Numbers are unique and increasing; a gap is allowed, since branches claim numbers ahead of one
    another (005 may be written before 004 lands). ``migrate`` applies every file not yet recorded,
    so a 004 that arrives after 005 was applied is still applied once.
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
    if len(set(numbers)) != len(numbers) or not numbers or numbers[0] != 1:
        raise StoreError(f"the migration files must be numbered from 1 without repeats; found {numbers}")
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
    """SQL without its ``--`` comments (so that a view named only in a comment is not a dependency)."""
    return re.sub(r"--[^\n]*", "", sql)


# contested_claims: the least weighted Jaccard score of a pair, and how far apart in time (days, either
# way) the assertion and the denial may have been seen (sql/views/contested_claims.sql). Both are
# written to the one-row table ``contested_settings`` that the view reads.
CONTESTED_MIN_SCORE = 0.2
CONTESTED_WINDOW_DAYS = 30


def stopwords(language: str = "en") -> list[str]:
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
            ["en", stopwords("en")],
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


def retry_on_lock(action: Callable[[], T], path: Path, lock_wait: float) -> T:
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


Config = dict[str, str | bool | int | float | list[str]]
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$", re.IGNORECASE)


def reader_config(memory_limit: str | None = None) -> Config:
    """The settings of every read-only connection: it reaches the one file it opened and nothing else.

    ``read_only`` alone protects only that file: a query could still ``ATTACH`` the live file for
    writing, ``COPY ... TO`` any path or ``read_csv`` any file. With external access off, DuckDB
    refuses every file system operation but on the opened database (its own spill files included:
    a large sort still spills beside it), every ATTACH of a file, INSTALL and LOAD of an extension
    file, and secrets; DuckDB also refuses to switch it back on while the database is open. Locking
    the configuration keeps a query from raising the memory or temporary-file caps set here. Both
    are given at open, so no query ever runs before they hold.

    One process opens a file with one configuration at a time (DuckDB shares the instance), so every
    reader of a file in a process must pass the same ``memory_limit``.
    """
    config: Config = {
        "max_temp_directory_size": MAX_TEMP_DIRECTORY_SIZE,
        "enable_external_access": False,
        "lock_configuration": True,
    }
    if memory_limit is not None:
        if not _MEMORY.match(memory_limit):
            raise ValueError(f"memory_limit must be a size such as '256MB', not {memory_limit!r}")
        config["memory_limit"] = memory_limit
    return config



def _open(path: Path, config: Config, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    """Open the file with ``config``, waiting out another process's lock."""
    return retry_on_lock(lambda: duckdb.connect(str(path), read_only=read_only, config=config), path, lock_wait)


def require_database(path: Path) -> Path:
    """``path`` if a database file is there; else the StoreError every command gives for a missing store."""
    if not path.exists():
        raise StoreError(f"no database at {path}; run the ingest first (factcheck run or the news_ingest DAG)")
    return path


def connect(
    path: Path, read_only: bool = False, lock_wait: float = DEFAULT_LOCK_WAIT, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database; a writable connection is migrated to the current schema first.

    A read-only connection reaches this file only (``reader_config``): no query on it can write,
    attach or read any other file. ``memory_limit`` applies to read-only connections.
    Open late and close early: a reader blocks the writer and the writer blocks readers.
    """
    if read_only:
        return _open(require_database(path), reader_config(memory_limit), True, lock_wait)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, {"max_temp_directory_size": MAX_TEMP_DIRECTORY_SIZE}, False, lock_wait)
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
    """Apply every migration not yet recorded (a lower number that arrived late included), each in its
    own transaction; recreate the views. Returns the version.

    On DuckLake (``lake``) the statements lose their key constraints and indexes, which it does not
    have, and the views are recreated only when a migration ran or their text changed, since every
    DDL there is a snapshot that concurrent writers would conflict on."""
    from pipeline.store import lake

    on_lake = lake.is_lake(con)
    key = "" if on_lake else " PRIMARY KEY"
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        f"(version INTEGER{key}, description VARCHAR, applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"database schema version {current} is newer than this code ({SCHEMA_VERSION}); upgrade factcheck"
        )
    applied = {int(r[0]) for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    for m in MIGRATIONS:
        if m.version in applied:
            continue
        log.info("migrating database to version %d: %s", m.version, m.description)
        with transaction(con):
            for statement in m.statements:
                adapted = lake.adapt_statement(statement) if on_lake else statement
                if adapted is not None:
                    con.execute(adapted)
            con.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [m.version, m.description]
            )
    if not on_lake:
        create_views(con)
    elif lake.views_changed(con):
        create_views(con)
        lake.record_views(con)
    return SCHEMA_VERSION


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
