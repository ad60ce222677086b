"""Backup: a verified, consistent copy of the database file, written beside its target and renamed into place."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipeline.store.queries import base_table_counts
from pipeline.store.schema import DEFAULT_LOCK_WAIT, StoreError, retry_on_lock


def _sql_literal(value: str) -> str:
    """A string as a SQL literal, quotes doubled (for ATTACH, which takes no parameters)."""
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
        retry_on_lock(lambda: con.execute(f"ATTACH {_sql_literal(str(path))} AS src (READ_ONLY)"), path, lock_wait)
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
