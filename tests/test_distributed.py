"""The news_ingest DAG on a distributed Airflow: Postgres metadata, CeleryExecutor over Redis, two workers.

Everything is real and on loopback: a fresh metadata database created for this test and dropped after
it, the scheduler, dag-processor and api-server, two Celery workers with their own hostnames, staging
through a file:// URL (as object storage would be used across hosts), and the sample newsroom. Two
DAG runs go back to back while `factcheck sql` queries the DuckDB file; the result must equal an
in-process `factcheck run` over the same newsroom.

Deselect with ``-m "not distributed"``. It needs a PostgreSQL server (FACTCHECK_STACK_POSTGRES,
default postgresql://postgres@127.0.0.1:5432, a role allowed to create databases) and a Redis server
(FACTCHECK_STACK_REDIS, default redis://127.0.0.1:6379); `.ci/run` provides both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pipeline import cli, localairflow, store
from pipeline.demo.server import NewsroomServer

REPO = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("FACTCHECK_STACK_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("FACTCHECK_STACK_REDIS", "redis://127.0.0.1:6379")

pytestmark = [pytest.mark.distributed, pytest.mark.airflow]


def _reachable(url: str) -> bool:
    import socket

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def newsroom_sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    for url in (POSTGRES, REDIS):
        if not _reachable(url):
            message = f"nothing listens at {url}; the distributed test needs PostgreSQL and Redis (see .ci/run)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    with NewsroomServer() as server:
        yield server.write_sources(tmp_path_factory.mktemp("newsroom") / "sources.yaml")


def _rows(db: Path) -> dict[str, set[tuple[object, ...]]]:
    con = store.connect(db, read_only=True)
    try:
        return {
            "articles": set(con.execute(
                "SELECT article_id, canonical_url, content_hash, outlet FROM articles").fetchall()),
            "claims": set(con.execute(
                "SELECT claim_id, article_id, content, speaker, polarity, kind FROM claims").fetchall()),
            "dupes": set(con.execute(
                "SELECT (SELECT count(*) - count(DISTINCT claim_id) FROM claims), "
                "(SELECT count(*) - count(DISTINCT canonical_url) FROM articles)").fetchall()),
        }
    finally:
        con.close()


def test_news_ingest_on_celery_workers_equals_an_in_process_run(
    newsroom_sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reference: the whole pipeline in this process.
    monkeypatch.setenv("FACTCHECK_PER_HOST_DELAY", "0")
    reference_db = tmp_path / "reference" / "factcheck.duckdb"
    assert cli.main(["run", "--sources", str(newsroom_sources), "--db", str(reference_db),
                     "--data-dir", str(tmp_path / "reference"), "--allow-private-network", "-q"]) == 0
    reference = _rows(reference_db)
    assert len(reference["articles"]) >= 6 and len(reference["claims"]) >= 15

    data = tmp_path / "data"
    staging = tmp_path / "shared-volume" / "staging"
    db = data / "factcheck.duckdb"
    config = localairflow.StackConfig(
        root=tmp_path / "stack",
        dags_folder=REPO / "dags",
        workers=2,
        concurrency=2,
        postgres=POSTGRES,
        redis=REDIS,
        extra_env={
            "FACTCHECK_SOURCES_PATH": str(newsroom_sources),
            "FACTCHECK_DATA_DIR": str(data),
            "FACTCHECK_STAGING_URL": staging.as_uri(),
            "FACTCHECK_ALLOW_PRIVATE_NETWORK": "true",
            "FACTCHECK_PER_HOST_DELAY": "0",
            # news_ingest starts paused whatever this says (is_paused_upon_creation); the test
            # unpauses it, the scheduler starts the latest hourly run, a second is triggered behind it.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        },
    )
    stack = localairflow.start_stack(config)
    read_failures: list[str] = []
    queries = 0
    done = threading.Event()

    def query_while_loading() -> None:
        nonlocal queries
        while not done.wait(0.5):
            if not db.exists():
                continue
            r = subprocess.run([sys.executable, "-m", "pipeline.cli", "sql", "SELECT count(*) FROM claims",
                                "--db", str(db)], capture_output=True, text=True, timeout=300, check=False)
            queries += 1
            if r.returncode != 0:
                read_failures.append(r.stderr[-2000:])

    reader = threading.Thread(target=query_while_loading)
    try:
        stack.wait_for_dag("news_ingest")
        stack.airflow("dags", "unpause", "news_ingest")
        stack.trigger("news_ingest", "manual__back_to_back")
        reader.start()
        runs = stack.wait_for_runs("news_ingest", 2, timeout=480)
        # claims_report runs on the asset each load updates: another reader of the DuckDB file.
        reports = stack.wait_until_idle("claims_report", timeout=240)
        done.set()
        reader.join(timeout=300)
        assert [state for _, state in runs] == ["success", "success"], runs
        assert "manual__back_to_back" in {run_id for run_id, _ in runs}
        assert {state for _, state in reports} == {"success"}, reports

        tis = stack.sql("SELECT run_id, task_id, hostname, pool, start_date, end_date FROM task_instance "
                        "WHERE dag_id = 'news_ingest'")
        queues = dict(stack.sql("SELECT DISTINCT task_id, queue FROM task_instance WHERE dag_id = 'news_ingest'"))
        pool_slots = stack.sql("SELECT slots FROM slot_pool WHERE pool = 'duckdb_writer'")
    finally:
        done.set()
        stack.stop()
    leftovers = localairflow.tagged_processes(stack.stack_id)
    assert leftovers == [], "teardown left processes behind"

    # Fetch and extract ran on both workers; every task ran on one of them.
    spread = {host for _, task, host, *_ in tis if task in ("outlet.fetch", "outlet.extract")}
    assert spread == set(stack.worker_names), spread
    assert {host for _, _, host, *_ in tis} <= set(stack.worker_names)
    assert (data / "reports" / "latest.md").exists()
    # One DuckDB writer: the load tasks ran in the one-slot pool, one after the other.
    assert pool_slots == [(1,)]
    loads = sorted((start, end) for _, task, _, pool, start, end in tis if task == "load")
    # ...and only on the worker that serves the writer queue (FACTCHECK_LOAD_QUEUE), as across hosts.
    assert {host for _, task, host, *_ in tis if task == "load"} == {stack.worker_names[0]}
    assert queues["load"] == stack.env["FACTCHECK_LOAD_QUEUE"] and queues["outlet.fetch"] == stack.queue
    assert len(loads) == 2 and all(pool == "duckdb_writer" for _, task, _, pool, *_ in tis if task == "load")
    assert loads[0][1] <= loads[1][0], "two loads overlapped"

    # Readers never failed, staging went through the URL, and the result equals the in-process run.
    assert read_failures == [], read_failures
    assert queries >= 1
    assert sorted(p.name for p in staging.iterdir()) and not (data / "staging").exists()
    distributed = _rows(db)
    assert distributed["articles"] == reference["articles"]
    assert distributed["claims"] == reference["claims"]
    assert distributed["dupes"] == {(0, 0)}
    con = store.connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    finally:
        con.close()


def test_a_stack_that_fails_to_start_leaves_nothing_behind(newsroom_sources: Path, tmp_path: Path) -> None:
    """The scheduler dies at start-up (unknown executor) while the others run: all are ended, the database dropped."""
    config = localairflow.StackConfig(root=tmp_path / "stack", dags_folder=REPO / "dags", postgres=POSTGRES,
                                      redis=REDIS, extra_env={"AIRFLOW__CORE__EXECUTOR": "NoSuchExecutor"})
    with pytest.raises(RuntimeError, match="scheduler exited"):
        localairflow.start_stack(config, timeout=120)
    ours = f"{localairflow.STACK_MARKER}={os.getpid()}_".encode()
    survivors = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(v.startswith(ours) for v in (entry / "environ").read_bytes().split(b"\0")):
                survivors.append(entry.name)
        except OSError:
            continue
    assert survivors == []
    import psycopg2

    con = psycopg2.connect(f"{POSTGRES}/postgres")
    try:
        with con.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                        (f"factcheck_airflow_{os.getpid()}_%",))
            left = cur.fetchall()
    finally:
        con.close()
    assert left == []
