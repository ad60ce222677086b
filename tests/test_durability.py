"""The DuckDB file never breaks: a load killed with SIGKILL, loads and readers at the same time, backups.

Each test drives the real ``factcheck`` command in subprocesses against one DuckDB file, over
synthetic staging files large enough that every batch takes a noticeable while.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from staged import StagedRun, stage_run, write_sources

from pipeline import store
from pipeline.settings import Settings

N_OUTLETS = 12
ARTICLES = 1500


def factcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", *args]


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, StagedRun]:
    root = tmp_path_factory.mktemp("durability")
    sources = write_sources(root / "sources.yaml", N_OUTLETS)
    settings = Settings(data_dir=root / "data", sources_path=sources)
    return settings, stage_run(settings, "big-run", sources, N_OUTLETS, ARTICLES, claims_per_article=2, padding=800)


def _load_args(settings: Settings, run: StagedRun, db: Path) -> list[str]:
    return factcheck("-v", "load", "--run-id", run.run_id, "--sources", str(run.sources), "--db", str(db),
                     "--data-dir", str(settings.data_dir))


def _kill_when(args: list[str], line_marker: str) -> str:
    """Start a load, SIGKILL it as soon as it logs ``line_marker``; return what it logged."""
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if line_marker in line:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)[-3000:]
    return "".join(seen)


def _per_outlet(db: Path) -> dict[str, tuple[int, int, int]]:
    """(articles, claims, fetch_log rows) per outlet; opening the file read-only is itself a check."""
    con = store.connect(db, read_only=True)
    try:
        rows = con.execute(
            """SELECT o.name,
                      (SELECT count(*) FROM articles a WHERE a.outlet = o.name),
                      (SELECT count(*) FROM claims c JOIN articles a USING (article_id) WHERE a.outlet = o.name),
                      (SELECT count(*) FROM fetch_log f WHERE f.outlet = o.name)
               FROM outlets o"""
        ).fetchall()
        distinct = con.execute(
            "SELECT count(*) = count(DISTINCT article_id), (SELECT count(*) = count(DISTINCT claim_id) FROM claims) "
            "FROM articles"
        ).fetchone()
    finally:
        con.close()
    assert distinct == (True, True), "duplicate keys in the database"
    return {name: (a, c, f) for name, a, c, f in rows}


def _whole_batches(db: Path, run: StagedRun) -> int:
    """Assert every outlet in the file is complete or absent; return how many are complete."""
    full = (run.articles_per_outlet, run.articles_per_outlet * run.claims_per_article, run.articles_per_outlet)
    outlets = _per_outlet(db)
    half = {name: counts for name, counts in outlets.items() if counts != full}
    assert half == {}, f"half-loaded batches: {half}"
    return len(outlets)


def test_a_load_killed_mid_batch_leaves_whole_batches_and_a_rerun_completes(
    staged: tuple[Settings, StagedRun], tmp_path: Path
) -> None:
    settings, run = staged
    db = tmp_path / "killed.duckdb"
    args = _load_args(settings, run, db)

    # Killed just after it starts the transaction of the second batch: the first is committed.
    _kill_when(args, f"(2 of {N_OUTLETS})")
    assert 1 <= _whole_batches(db, run) < N_OUTLETS
    con = store.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,), "a killed load recorded its run"
    con.close()

    # Killed again later on: what the first attempt committed is re-loaded, nothing doubles.
    _kill_when(args, f"(7 of {N_OUTLETS})")
    assert 6 <= _whole_batches(db, run) < N_OUTLETS

    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _whole_batches(db, run) == N_OUTLETS
    con = store.connect(db)  # a writable open (migration check) works too
    try:
        counts = store.table_counts(con)
        runs = con.execute("SELECT run_id, n_articles, n_claims FROM runs").fetchall()
    finally:
        con.close()
    assert counts == {"outlets": N_OUTLETS, "fetch_log": run.n_articles, "articles": run.n_articles,
                      "claims": run.n_claims}
    assert runs == [(run.run_id, run.n_articles, run.n_claims)]


def test_loads_readers_and_a_backup_at_the_same_time_never_hit_a_lock_error(
    staged: tuple[Settings, StagedRun], tmp_path: Path
) -> None:
    settings, run = staged
    db = tmp_path / "busy.duckdb"
    # The schema first, as any earlier load leaves it, so the readers below find the tables. (A load
    # of a run id with nothing staged used to do this; it is now refused and creates nothing.)
    store.connect(db).close()
    # Two loads back to back (started together: the DAG's pool would serialize them, a user's
    # `factcheck load` beside the DAG would not), readers querying throughout, and a backup.
    writers = [subprocess.Popen(_load_args(settings, run, db), stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True) for _ in range(2)]
    failures: list[str] = []
    queries = 0
    stop = threading.Event()

    def read_until_loaded() -> None:
        nonlocal queries
        while not stop.is_set():
            r = subprocess.run(factcheck("sql", "SELECT outlet, count(*) FROM claims_by_source GROUP BY 1",
                                         "--db", str(db)), capture_output=True, text=True, timeout=300, check=False)
            queries += 1
            if r.returncode != 0:
                failures.append(f"sql exited {r.returncode}: {r.stderr[-2000:]}")

    readers = [threading.Thread(target=read_until_loaded) for _ in range(2)]
    for t in readers:
        t.start()
    backup = subprocess.run(factcheck("backup", "--db", str(db), "--to", str(tmp_path / "copy.duckdb")),
                            capture_output=True, text=True, timeout=600, check=False)
    outputs = [w.communicate(timeout=600) for w in writers]
    stop.set()
    for t in readers:
        t.join(timeout=300)
    for w, (_, err) in zip(writers, outputs, strict=True):
        if w.returncode != 0:
            failures.append(f"load exited {w.returncode}: {err[-2000:]}")
    if backup.returncode != 0:
        failures.append(f"backup exited {backup.returncode}: {backup.stderr[-2000:]}")
    assert failures == []
    assert queries >= 2
    assert _whole_batches(db, run) == N_OUTLETS
    copy = duckdb.connect(str(tmp_path / "copy.duckdb"), read_only=True)
    try:
        copied = store.table_counts(copy)
    finally:
        copy.close()
    assert copied["articles"] == copied["fetch_log"] and copied["articles"] % ARTICLES == 0


def test_backup_writes_a_verified_copy_that_opens_on_its_own(
    staged: tuple[Settings, StagedRun], tmp_path: Path
) -> None:
    settings, run = staged
    db = tmp_path / "src.duckdb"
    subprocess.run(_load_args(settings, run, db), check=True, capture_output=True, timeout=600)
    target = tmp_path / "backups" / "factcheck-copy.duckdb"
    out = subprocess.run(factcheck("backup", "--db", str(db), "--to", str(target)), capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert "verified" in out.stdout
    original = store.connect(db, read_only=True)
    copy = store.connect(target, read_only=True)
    try:
        assert store.base_table_counts(copy) == store.base_table_counts(original)
        assert store.schema_version(copy) == store.SCHEMA_VERSION
        view_sql = "SELECT * FROM claim_spread ORDER BY content_key"
        assert copy.execute(view_sql).fetchall() == original.execute(view_sql).fetchall()
    finally:
        original.close()
        copy.close()
    assert [p.name for p in target.parent.iterdir()] == [target.name], "no partial file is left behind"


def test_backup_refuses_to_overwrite_the_database_itself(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    store.connect(db).close()
    with pytest.raises(store.StoreError, match="another file"):
        store.backup(db, db)
    with pytest.raises(store.StoreError, match="nothing to back up"):
        store.backup(tmp_path / "missing.duckdb", tmp_path / "y.duckdb")
