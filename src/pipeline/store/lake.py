"""The store on DuckLake: tables as Parquet files under a data path (a shared folder or object storage),
their catalog in PostgreSQL, several writers at once under snapshot isolation, every snapshot readable.

``FACTCHECK_STORE=ducklake`` (``Settings.store``) chooses it; the embedded file stays the default.
Both backends run the same migrations, views and SQL, with three differences handled here or in
``schema``:

- DuckLake enforces no primary key, unique constraint or index: ``schema.migrate`` drops them from the
  migrations' statements (``adapt_statement``), and every write keys on natural keys with ``MERGE INTO``
  or delete-then-insert inside its transaction, never on ``ON CONFLICT``;
- two writers that touch the same table may conflict at commit: ``retry_conflicts`` runs the whole
  transaction again (a load batch, a compare run, a run's totals), so none is lost or doubled;
- readers attach read-only and see the last committed snapshot, never a half batch, and never wait
  for a writer; ``as_of`` turns a run id or a timestamp into the snapshot a reader attaches at.

The two extensions come from the ``duckdb-extension-ducklake`` and
``duckdb-extension-postgres-scanner`` packages (pinned with DuckDB); each ships its binary under
``<package>/extensions/v<duckdb version>/`` and is loaded from there, offline.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb

from pipeline.store.schema import (
    DEFAULT_LOCK_WAIT,
    MAX_TEMP_DIRECTORY_SIZE,
    StoreError,
    connect,
    migrate,
    require_database,
    transaction,
)
from pipeline.store.snapshot import connect_reader

if TYPE_CHECKING:
    from pipeline.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

ALIAS = "lake"  # the name the lake is attached under; unqualified table names resolve to it (USE)
EXTENSIONS = (("duckdb_extension_ducklake", "ducklake"), ("duckdb_extension_postgres_scanner", "postgres_scanner"))
# Loaded too when their packages are installed: object storage as the data path (s3://, gs://, https://)
# needs httpfs, and AWS's credential chain (instance roles, profiles) needs aws. Credentials are DuckDB
# secrets (CREATE PERSISTENT SECRET, kept per user under ~/.duckdb/stored_secrets), never settings here.
OPTIONAL_EXTENSIONS = (("duckdb_extension_httpfs", "httpfs"), ("duckdb_extension_aws", "aws"))
CONFLICT_RETRIES = 30  # commit conflicts retried before a writer gives up (each after a growing pause)


@dataclass(frozen=True, slots=True)
class Lake:
    """Where a DuckLake store lives: its PostgreSQL catalog and its data path."""

    catalog: str  # libpq conninfo ("dbname=x host=y user=z") or a postgresql:// URL
    data_path: str  # a local or shared folder, or s3://bucket/prefix/ (needs httpfs and a secret)
    # inserts of at most this many rows go into the catalog instead of a Parquet file (DuckLake's own
    # default when None: 10); benchmarks/lake_writers.py measures what it changes
    inline_rows: int | None = None

    @classmethod
    def of(cls, settings: Settings) -> Lake:
        return cls(settings.lake_catalog.strip(), settings.lake_data_path.strip())

    def attach_sql(self, read_only: bool = False, snapshot: int | None = None) -> str:
        """The ATTACH statement of this lake (its strings are quoted; none comes from a document)."""
        options = [f"DATA_PATH {_quote(self.data_path)}"]
        if read_only:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        if self.inline_rows is not None:
            options.append(f"DATA_INLINING_ROW_LIMIT {int(self.inline_rows)}")
        return f"ATTACH {_quote('ducklake:postgres:' + self.catalog)} AS {ALIAS} ({', '.join(options)})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def extension_file(module: str, name: str) -> Path:
    """The extension binary a ``duckdb-extension-*`` package ships for the installed DuckDB."""
    try:
        package = importlib.import_module(module)
    except ImportError as e:
        raise StoreError(
            f"FACTCHECK_STORE=ducklake needs the package {module.replace('_', '-')}=={duckdb.__version__} "
            "(pip install -r requirements.lock)"
        ) from e
    assert package.__file__ is not None
    path = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        raise StoreError(f"{path} is missing: {module} does not match duckdb {duckdb.__version__}")
    return path


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD the DuckLake and PostgreSQL extensions from their packages (no download)."""
    for module, name in EXTENSIONS:
        con.execute(f"LOAD {_quote(str(extension_file(module, name)))}")
    for module, name in OPTIONAL_EXTENSIONS:
        if importlib.util.find_spec(module) is not None:
            con.execute(f"LOAD {_quote(str(extension_file(module, name)))}")


def is_conflict(error: BaseException) -> bool:
    """Whether ``error`` is a commit conflict with another writer, which a retry of the transaction solves."""
    if not isinstance(error, duckdb.Error):
        return False
    text = str(error).lower()
    return "conflict" in text or "could not serialize" in text or "concurrent" in text


def retry_conflicts(
    con: duckdb.DuckDBPyConnection, action: Callable[[], T], what: str, retries: int = CONFLICT_RETRIES
) -> T:
    """Run ``action`` (one whole transaction on ``con``), again when its commit conflicts with another writer.

    On the embedded file there is one writer and no conflict: the action runs once. On DuckLake a
    concurrent commit to the same table makes ours fail as a whole; nothing of it is stored, so the
    action (which reads its input again: staging files, the rows it compares against) runs anew.
    """
    delay = 0.05
    for attempt in range(1, retries + 1):
        try:
            return action()
        except duckdb.Error as e:
            if not is_conflict(e) or attempt == retries:
                raise
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # the failed commit already ended the transaction
            log.info("%s conflicted with another writer (attempt %d); retrying: %s", what, attempt, e)
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


_PRIMARY_COLUMN = re.compile(r"\s+PRIMARY\s+KEY\b(?!\s*\()", re.IGNORECASE)
_UNIQUE_COLUMN = re.compile(r"\s+UNIQUE\b(?!\s*\()", re.IGNORECASE)
_TABLE_KEY = re.compile(r",\s*(PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)", re.IGNORECASE)
_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\b", re.IGNORECASE)


def adapt_statement(statement: str) -> str | None:
    """A migration statement as DuckLake takes it: without key constraints; None for an index.

    The natural keys stay what every write matches on; they are just not enforced by the catalog.
    """
    text = "\n".join(re.sub(r"--.*$", "", line) for line in statement.splitlines())
    if _INDEX.match(text):
        return None
    text = _TABLE_KEY.sub("", text)
    text = _PRIMARY_COLUMN.sub("", text)
    return _UNIQUE_COLUMN.sub("", text)


def _views_digest() -> str:
    """A fingerprint of the views and the values they read (``schema.create_views``)."""
    from pipeline.store.schema import CONTESTED_MIN_SCORE, CONTESTED_WINDOW_DAYS, VIEWS, stopwords

    text = repr((VIEWS, stopwords("en"), CONTESTED_MIN_SCORE, CONTESTED_WINDOW_DAYS))
    return hashlib.sha256(text.encode()).hexdigest()


def views_changed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the lake's views were created from other text than this code's (or not at all)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_name = 'lake_views'"
    ).fetchone()
    if not exists or not exists[0]:
        return True
    row = con.execute("SELECT max(digest) FROM lake_views").fetchone()
    return not row or row[0] != _views_digest()


def record_views(con: duckdb.DuckDBPyConnection) -> None:
    """Remember which views the lake holds, so that the next writer does not recreate them."""
    with transaction(con):
        con.execute("CREATE TABLE IF NOT EXISTS lake_views (digest VARCHAR)")
        con.execute("DELETE FROM lake_views")
        con.execute("INSERT INTO lake_views VALUES (?)", [_views_digest()])


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con``'s default database is a DuckLake."""
    row = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return bool(row and row[0] == "ducklake")


def _open(lake: Lake, read_only: bool, snapshot: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {"max_temp_directory_size": MAX_TEMP_DIRECTORY_SIZE}
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(config=config)
    try:
        load_extensions(con)
        try:
            con.execute(lake.attach_sql(read_only=read_only, snapshot=snapshot))
        except duckdb.Error as e:
            raise StoreError(
                f"cannot attach the DuckLake store (catalog {lake.catalog!r}, data {lake.data_path!r}): {e}"
            ) from e
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


# One DuckDB instance per process, lake and mode, kept open: loading the two extensions (about 1 s here),
# attaching the catalog (0.3 s) and checking the migrations (0.5 s) would otherwise be paid by every load
# batch. Each caller gets a cursor of it: a connection of its own with its own transactions, which sees
# every snapshot committed before its transaction starts. Keyed by process id, since a forked task
# process must not share its parent's catalog connections.
_INSTANCES: dict[tuple[int, Lake, bool, str | None], duckdb.DuckDBPyConnection] = {}
_INSTANCES_LOCK = threading.Lock()


def _cursor(host: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    cur = host.cursor()
    cur.execute(f"USE {ALIAS}")
    return cur


def _cached(lake: Lake, read_only: bool, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    key = (os.getpid(), lake, read_only, memory_limit)
    with _INSTANCES_LOCK:
        host = _INSTANCES.get(key)
        if host is None:
            host = _new_reader(lake, None, memory_limit) if read_only else _new_writer(lake)
            _INSTANCES[key] = host
    return _cursor(host)


def close_cached(lake: Lake | None = None) -> None:
    """Close this process's kept instances (of ``lake``, or all): before its catalog database is dropped."""
    with _INSTANCES_LOCK:
        for key in [k for k in _INSTANCES if lake is None or k[1] == lake]:
            _INSTANCES.pop(key).close()


def _new_writer(lake: Lake) -> duckdb.DuckDBPyConnection:
    con = _open(lake, read_only=False, snapshot=None, memory_limit=None)
    try:
        retry_conflicts(con, lambda: migrate(con), "the migration of the lake catalog")
    except BaseException:
        con.close()
        raise
    return con


def connect_lake(lake: Lake) -> duckdb.DuckDBPyConnection:
    """A writer's connection to the lake, migrated to the current schema (migrations conflicting with
    another writer doing the same are retried: the second finds them applied). The migration runs once
    per process; later calls get a new cursor of the same instance."""
    return _cached(lake, read_only=False, memory_limit=None)


def _new_reader(lake: Lake, snapshot: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    con = _open(lake, read_only=True, snapshot=snapshot, memory_limit=memory_limit)
    try:
        if "://" not in lake.data_path:
            folder = str(Path(lake.data_path).resolve())
            con.execute("SET allowed_directories = ?", [[folder.rstrip("/") + "/"]])
            con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def connect_lake_reader(
    lake: Lake, snapshot: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the lake (at ``snapshot`` when given): it sees whole committed snapshots only.

    Unlike a reader of the embedded file it needs external access (the catalog is another server, the
    data files are read through DuckDB's file system), so the untrusted-SQL lockdown of
    ``schema.reader_config`` is narrowed here instead: the lake is attached read-only, file access is
    confined to the data path, and the configuration is locked before any query runs. A reader of the
    present is a cursor of this process's kept read-only instance; one at a snapshot has its own.
    """
    if snapshot is None:
        return _cached(lake, read_only=True, memory_limit=memory_limit)
    return _new_reader(lake, snapshot, memory_limit)


def snapshots(con: duckdb.DuckDBPyConnection) -> list[tuple[int, datetime]]:
    """The lake's snapshots (id, commit time), oldest first."""
    rows = con.execute(f"SELECT snapshot_id, snapshot_time FROM ducklake_snapshots({_quote(ALIAS)}) ORDER BY 1")
    return [(int(r[0]), r[1]) for r in rows.fetchall()]


def as_of(con: duckdb.DuckDBPyConnection, when: str) -> int:
    """The snapshot a run id or a timestamp names: the first snapshot in which the load run (``runs``) or the
    compare run (``compare_runs``) of that id is recorded, or the last snapshot committed at or before the
    ISO timestamp. A StoreError says what was tried when nothing matches."""
    found = _run_snapshot(con, when)
    if found is not None:
        return found
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        raise StoreError(
            f"{when!r} is neither a run id in this store (runs, compare_runs) nor an ISO timestamp "
            "(2026-12-08T09:00:00+00:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the local time of the asker
    earlier = [sid for sid, at in snapshots(con) if at <= moment]
    if not earlier:
        raise StoreError(f"the lake has no snapshot at or before {moment.isoformat()}")
    return earlier[-1]


def _run_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int | None:
    for table, key, stamp in (("runs", "run_id", "loaded_at"), ("compare_runs", "compare_run_id", "started_at")):
        row = con.execute(f"SELECT min({stamp}) FROM {table} WHERE {key} = ?", [run_id]).fetchone()
        if not row or row[0] is None:
            continue
        # the row is written in the snapshot its transaction commits, after its timestamp was taken;
        # the first snapshot holding it is the run as it left the store
        for sid, at in snapshots(con):
            if at < row[0]:
                continue
            held = con.execute(f"SELECT count(*) FROM {table} AT (VERSION => {sid}) WHERE {key} = ?", [run_id])
            one = held.fetchone()
            if one and one[0]:
                return sid
    return None


# -- one entry for both backends: what the stages, the CLI and the Claims view open ------------------------


def require_store(settings: Settings) -> None:
    """On the embedded backend, the StoreError of a missing file (compare never creates one); on the lake,
    nothing: attaching says whether the catalog is reachable."""
    if settings.store != "ducklake":
        require_database(settings.database)


def open_store(settings: Settings, lock_wait: float = DEFAULT_LOCK_WAIT) -> duckdb.DuckDBPyConnection:
    """A writer's connection, migrated: the embedded file (waiting out its lock) or the lake."""
    if settings.store == "ducklake":
        return connect_lake(Lake.of(settings))
    return connect(settings.database, lock_wait=lock_wait)


def open_reader(
    settings: Settings,
    lock_wait: float = DEFAULT_LOCK_WAIT,
    memory_limit: str | None = None,
    as_of_run: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A reader's connection: the read snapshot or the file on the embedded backend, the last (or the
    ``as_of_run``) snapshot on the lake. ``as_of_run`` on the embedded backend is a StoreError saying
    what is possible there instead."""
    if settings.store != "ducklake":
        if as_of_run is not None:
            raise StoreError(
                "--as-of needs FACTCHECK_STORE=ducklake: the embedded DuckDB file keeps only its present state. "
                "On it, restore an earlier copy (factcheck backup writes one) and query that with "
                "FACTCHECK_DB_PATH=<copy>; runs, compare_runs and every row's run_id say which run wrote what"
            )
        return connect_reader(settings.database, lock_wait=lock_wait, memory_limit=memory_limit)
    lake = Lake.of(settings)
    snapshot = None
    if as_of_run is not None:
        probe = _open(lake, read_only=True, snapshot=None, memory_limit=None)
        try:
            snapshot = as_of(probe, as_of_run)
        finally:
            probe.close()
    return connect_lake_reader(lake, snapshot=snapshot, memory_limit=memory_limit)


@contextmanager
def reading_store(
    settings: Settings, lock_wait: float = 10.0, memory_limit: str | None = None, as_of_run: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``open_reader`` for one request, closed when the block ends (the Claims view's connection)."""
    con = open_reader(settings, lock_wait=lock_wait, memory_limit=memory_limit, as_of_run=as_of_run)
    try:
        yield con
    finally:
        con.close()
