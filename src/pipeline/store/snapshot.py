"""Read snapshots: a copy of the database that readers open while loads write the live file.

DuckDB lets one process write a file or many read it, never both. A reader of the live file
therefore fails (or waits) while a load writes, and a reader that keeps the file open makes the
next load wait and then fail. So after a committed load the writer publishes a snapshot beside
the database, ``factcheck.duckdb`` -> ``factcheck.read.duckdb``:

1. ``CHECKPOINT`` on the writer's own connection, so every committed row is in the main file and
   nothing is left in its write-ahead log;
2. the checkpointed file is copied to a temporary name beside the snapshot by a child process,
   while the writer still holds its lock (no other writer can change the file meanwhile);
3. the copy is renamed over the snapshot (``os.replace``: atomic on POSIX).

The copy runs in a child process on purpose: DuckDB's file lock is a POSIX record lock, and POSIX
drops every such lock a process holds on a file as soon as that process closes *any* descriptor
of the file, so reading the database from the writer's own process would silently unlock it.

Nobody ever opens the snapshot for writing, so opening it read-only never meets a lock, and a
reader that keeps an old snapshot open keeps reading the old inode (the rename only changes what
the name points to) while the writer goes on. The price: a second copy of the database on disk
(a third, briefly, while a new one is written and an old one is still held open), the copying
time after each publish, and readers that lag the live file by up to one load batch.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.store.schema import (
    DEFAULT_LOCK_WAIT,
    MIGRATIONS,
    StoreError,
    connect,
    reader_config,
    require_database,
    retry_on_lock,
)

if TYPE_CHECKING:
    from pipeline.settings import Settings

log = logging.getLogger(__name__)

SNAPSHOT_SUFFIX = ".read.duckdb"
# When the load publishes a snapshot: after every outlet batch and at the end of the run, only
# at the end of the run, or never (and an existing snapshot is removed, so readers use the live file).
SNAPSHOT_MODES = ("batch", "run", "off")

# Run in a child process: copy the file and flush it to disk before it is renamed into place.
_COPY = """
import os, shutil, sys
shutil.copyfile(sys.argv[1], sys.argv[2])
fd = os.open(sys.argv[2], os.O_RDONLY)
try:
    os.fsync(fd)
finally:
    os.close(fd)
"""


@dataclass(frozen=True, slots=True)
class Published:
    """One published snapshot: where, how long publishing took (checkpoint and copy), and its size."""

    path: Path
    seconds: float
    n_bytes: int


def snapshot_path(path: Path) -> Path:
    """Where the read snapshot of the database at ``path`` lives: ``x.duckdb`` -> ``x.read.duckdb``."""
    return path.with_name(path.stem + SNAPSHOT_SUFFIX)


def publish_snapshot(con: duckdb.DuckDBPyConnection, path: Path) -> Published:
    """Publish a read snapshot of ``path`` from the writer's open connection ``con``.

    Call it after a committed transaction, with ``con`` still open, so that no other writer can
    change the file while it is copied. The snapshot is replaced atomically: a reader opening it
    gets the previous snapshot or the new one, whole.
    """
    started = time.perf_counter()
    target = snapshot_path(path)
    if target.resolve() == path.resolve():
        raise StoreError(f"the read snapshot of {path} would overwrite the database itself")
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    con.execute("CHECKPOINT")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _COPY, str(path), str(tmp)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise StoreError(f"could not copy {path} to {tmp}: {done.stderr.strip()[-500:]}")
        # A stale log beside the snapshot would be replayed into it by readers: there must be none.
        Path(str(target) + ".wal").unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    published = Published(target, time.perf_counter() - started, target.stat().st_size)
    log.info("published the read snapshot %s (%d bytes) in %.2f s", target, published.n_bytes, published.seconds)
    return published


def remove_snapshot(path: Path) -> bool:
    """Remove the read snapshot of ``path``, if any, so readers use the live file; True if one was removed."""
    target = snapshot_path(path)
    existed = target.exists()
    target.unlink(missing_ok=True)
    return existed


def connect_reader(
    path: Path, lock_wait: float = DEFAULT_LOCK_WAIT, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection for readers: on the read snapshot when there is one, else on the live file.

    The snapshot never carries a writer's lock, so opening it neither waits nor fails because of
    a load. Without a snapshot (loads publish none, or none has run since it was enabled) this
    opens the live file, waiting up to ``lock_wait`` seconds for a running load batch. Either way
    the connection reaches that one file and nothing else (``schema.reader_config``), with
    ``memory_limit`` as its memory cap.
    """
    config = reader_config(memory_limit)
    target = snapshot_path(path)
    if target.exists():
        try:
            con = duckdb.connect(str(target), read_only=True, config=config)
        except duckdb.IOException as e:  # removed between the check and the open: read the live file
            if target.exists():
                raise
            log.info("the read snapshot %s went away (%s); reading %s", target, e, path)
        else:
            if _fully_migrated(con):
                return con
            # published by an older version (before a migration this code has): its tables would be
            # missing to the readers until the next load publishes again, so read the live file
            con.close()
            log.info("the read snapshot %s predates this code's schema; reading %s", target, path)
    return connect(path, read_only=True, lock_wait=lock_wait, memory_limit=memory_limit)


def attach_reader(con: duckdb.DuckDBPyConnection, path: Path, name: str, lock_wait: float = DEFAULT_LOCK_WAIT) -> Path:
    """Attach what readers read (the snapshot when there is a current one, else the live file)
    read-only to ``con`` as ``name`` and make it the default database; returns the file attached.

    For the export, whose own in-memory connection writes files: attaching the snapshot keeps it
    off the live file's lock, so a load goes on while it runs. ``name`` is an identifier of the
    caller's, never user input.
    """
    target = snapshot_path(path)
    if target.exists():
        try:
            con.execute(f"ATTACH {_literal(target)} AS {name} (READ_ONLY)")
        except duckdb.IOException as e:
            if target.exists():
                raise
            log.info("the read snapshot %s went away (%s); reading %s", target, e, path)
        else:
            if _fully_migrated(con, name):
                con.execute(f"USE {name}")
                return target
            con.execute(f"DETACH {name}")
            log.info("the read snapshot %s predates this code's schema; reading %s", target, path)
    require_database(path)
    retry_on_lock(lambda: con.execute(f"ATTACH {_literal(path)} AS {name} (READ_ONLY)"), path, lock_wait)
    con.execute(f"USE {name}")
    return path


def _literal(path: Path) -> str:
    """A path as a SQL string literal, quotes doubled (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _fully_migrated(con: duckdb.DuckDBPyConnection, database: str | None = None) -> bool:
    """Whether every migration this code knows is recorded in the database behind ``con`` (or in its
    attached ``database``)."""
    table = f"{database}.schema_migrations" if database else "schema_migrations"
    try:
        rows = con.execute(f"SELECT version FROM {table}").fetchall()
    except duckdb.CatalogException:
        return False
    return {m.version for m in MIGRATIONS} <= {int(r[0]) for r in rows}


def publish_for_readers(settings: Settings, con: duckdb.DuckDBPyConnection, end_of_run: bool) -> None:
    """Publish the read snapshot readers open (``settings.read_snapshot``), from the writer's connection.

    With ``batch`` after every committed batch and at the end of the run, with ``run`` only at the
    end; with ``off`` an existing snapshot is removed at the end, so readers use the live file and
    never a stale copy. A snapshot that cannot be written is removed (readers fall back to the
    live file) and the load goes on: the rows are committed, only the copy failed.
    """
    if settings.store == "ducklake":  # every committed snapshot is what readers see: nothing to copy
        return
    mode = settings.read_snapshot
    if mode == "off":
        if end_of_run and remove_snapshot(settings.database):
            log.info("read snapshots are off: removed %s", snapshot_path(settings.database))
        return
    if mode == "run" and not end_of_run:
        return
    try:
        publish_snapshot(con, settings.database)
    except (OSError, StoreError) as e:
        try:
            remove_snapshot(settings.database)
        except OSError as gone:
            log.error("could not remove the read snapshot of %s either: %s", settings.database, gone)
        log.error("could not publish the read snapshot of %s, removed it (readers use the live file): %s",
                  settings.database, e)
