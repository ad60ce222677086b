"""Readers never fail on, nor block, a load: they read the snapshot each load publishes.

Loads run as real ``factcheck load`` processes over synthetic staging files; readers are real
processes (or this test process) opening the snapshot with plain ``duckdb.connect(read_only=True)``,
as the README tells SQL users to.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from staged import StagedRun, stage_run, write_sources

from pipeline import report, runner, store
from pipeline.settings import Settings

ARTICLES = 600
CLAIMS_PER_ARTICLE = 2
PER_OUTLET = ARTICLES * CLAIMS_PER_ARTICLE

# Holds a read-only connection on the snapshot: counts claims, waits for a line on stdin, counts again.
HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM claims").fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT count(*) FROM claims").fetchone()[0], flush=True)
con.close()
"""


def factcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", *args]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, StagedRun, StagedRun]:
    """A small run of 3 outlets and a larger one of 8 (the 3 again, and 5 more)."""
    root = tmp_path_factory.mktemp("snapshot")
    settings = Settings(data_dir=root / "data", sources_path=root / "sources8.yaml")
    small = stage_run(settings, "small", write_sources(root / "sources3.yaml", 3), 3, ARTICLES, CLAIMS_PER_ARTICLE)
    large = stage_run(settings, "large", write_sources(root / "sources8.yaml", 8), 8, ARTICLES, CLAIMS_PER_ARTICLE)
    return settings, small, large


def _load(settings: Settings, run: StagedRun, db: Path) -> list[str]:
    return factcheck("load", "--run-id", run.run_id, "--sources", str(run.sources), "--db", str(db),
                     "--data-dir", str(settings.data_dir))


def _claims(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM claims").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_a_reader_keeping_the_snapshot_open_does_not_block_the_next_load(
    runs: tuple[Settings, StagedRun, StagedRun], tmp_path: Path
) -> None:
    settings, small, large = runs
    db = tmp_path / "factcheck.duckdb"
    subprocess.run(_load(settings, small, db), check=True, capture_output=True, timeout=300)
    snapshot = store.snapshot_path(db)
    assert snapshot == tmp_path / "factcheck.read.duckdb"
    assert _claims(snapshot) == 3 * PER_OUTLET

    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(snapshot)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdin is not None and holder.stdout is not None
        assert holder.stdout.readline().strip() == str(3 * PER_OUTLET)  # the reader has the snapshot open
        load = subprocess.run(_load(settings, large, db), capture_output=True, text=True, timeout=300, check=False)
        assert load.returncode == 0, load.stderr[-3000:]
        # The reader still reads the snapshot it opened; a new connection reads the new one.
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == str(3 * PER_OUTLET)
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0
    assert _claims(snapshot) == 8 * PER_OUTLET


def test_many_connects_during_a_load_never_raise_and_see_whole_batches(
    runs: tuple[Settings, StagedRun, StagedRun], tmp_path: Path
) -> None:
    settings, small, large = runs
    db = tmp_path / "factcheck.duckdb"
    subprocess.run(_load(settings, small, db), check=True, capture_output=True, timeout=300)
    snapshot = store.snapshot_path(db)
    load = subprocess.Popen(_load(settings, large, db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    seen: list[int] = []
    try:
        while True:
            finished = load.poll() is not None
            try:
                seen.append(_claims(snapshot))  # a plain read-only connect, no retry
            except duckdb.Error as e:
                errors.append(str(e))
            if finished:
                break
    finally:
        _, err = load.communicate(timeout=300)
    assert load.returncode == 0, err[-3000:]
    assert errors == []
    assert len(seen) >= 2
    assert seen == sorted(seen), "a later connect saw an older snapshot"
    assert all(n % PER_OUTLET == 0 for n in seen), f"a snapshot held part of a batch: {sorted(set(seen))}"
    assert seen[0] >= 3 * PER_OUTLET and seen[-1] == 8 * PER_OUTLET


def test_sql_report_and_claims_view_read_the_snapshot_while_a_writer_holds_the_file(
    runs: tuple[Settings, StagedRun, StagedRun], tmp_path: Path
) -> None:
    settings, small, _ = runs
    db = tmp_path / "factcheck.duckdb"
    subprocess.run(_load(settings, small, db), check=True, capture_output=True, timeout=300)
    writer = store.connect(db)  # holds the live file the way a load batch does
    try:
        out = subprocess.run(factcheck("sql", "SELECT count(*) AS n FROM claims", "--db", str(db)),
                             capture_output=True, text=True, timeout=120, check=False)
        assert out.returncode == 0, out.stderr[-2000:]
        assert str(3 * PER_OUTLET) in out.stdout
        with store.reading(db, lock_wait=0.1) as con:
            assert store.table_counts(con)["claims"] == 3 * PER_OUTLET
        written = report.write_report(settings.with_overrides(db_path=db), "while-loading")
        assert f"{3 * PER_OUTLET} claims" in Path(written).read_text(encoding="utf-8")
    finally:
        writer.close()


def test_with_snapshots_off_the_load_removes_the_snapshot_and_readers_use_the_live_file(
    runs: tuple[Settings, StagedRun, StagedRun], tmp_path: Path
) -> None:
    settings, small, large = runs
    db = tmp_path / "factcheck.duckdb"
    runner.load(settings.with_overrides(db_path=db, sources_path=small.sources), small.run_id,
                small.outlets)
    assert store.snapshot_path(db).exists()
    runner.load(settings.with_overrides(db_path=db, read_snapshot="off"), large.run_id, large.outlets)
    assert not store.snapshot_path(db).exists(), "a stale snapshot would hide the newer rows"
    con = store.connect_reader(db)
    try:
        assert store.table_counts(con)["claims"] == 8 * PER_OUTLET
    finally:
        con.close()


def test_only_known_snapshot_modes_are_accepted() -> None:
    assert Settings.from_env({"FACTCHECK_READ_SNAPSHOT": "run"}).read_snapshot == "run"
    with pytest.raises(ValueError, match="READ_SNAPSHOT"):
        Settings.from_env({"FACTCHECK_READ_SNAPSHOT": "sometimes"})


PROBE = """
import sys, duckdb
try:
    duckdb.connect(sys.argv[1], read_only=True).close()
    print("opened")
except duckdb.IOException as e:
    print("locked" if "lock" in str(e).lower() else str(e))
"""


def test_publishing_keeps_the_writers_lock_on_the_live_file(tmp_path: Path) -> None:
    # Reading the file from the writer's own process would release DuckDB's POSIX lock on it, and
    # another process could then write it too; the copy runs in a child process to keep the lock.
    db = tmp_path / "factcheck.duckdb"
    writer = store.connect(db)
    try:
        published = store.publish_snapshot(writer, db)
        assert published.path == store.snapshot_path(db) and published.n_bytes > 0
        probe = subprocess.run([sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip() == "locked"
        writer.execute("INSERT INTO runs (run_id) VALUES ('after-publish')")  # the writer goes on
    finally:
        writer.close()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    probe = subprocess.run([sys.executable, "-c", PROBE, str(store.snapshot_path(db))], capture_output=True,
                           text=True, timeout=60)
    assert probe.stdout.strip() == "opened"


def test_a_snapshot_from_before_a_migration_is_passed_over_for_the_live_file(tmp_path: Path) -> None:
    db = tmp_path / "f.duckdb"
    con = store.connect(db)
    try:
        store.publish_snapshot(con, db)
    finally:
        con.close()
    # the snapshot an older version published: its last migration not applied yet
    old = duckdb.connect(str(store.snapshot_path(db)))
    last = max(m.version for m in store.MIGRATIONS)
    old.execute("DELETE FROM schema_migrations WHERE version = ?", [last])
    old.execute("DROP VIEW IF EXISTS contradictions")
    old.close()
    reader = store.connect_reader(db)
    try:
        (path,) = reader.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
        assert Path(path).resolve() == db.resolve()
        reader.execute("SELECT count(*) FROM contradictions").fetchone()
    finally:
        reader.close()
