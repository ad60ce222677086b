"""The reprocess DAG imports cleanly, with no heavy module at parse time, and is wired like news_ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagprobe import probe_dags

from pipeline import localairflow

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"

pytestmark = pytest.mark.airflow


def test_reprocess_dag_is_thin_and_writes_through_the_pool(tmp_path: Path) -> None:
    env = localairflow.airflow_env(tmp_path / "airflow", DAGS)
    info = probe_dags(DAGS / "reprocess.py", env)
    assert info["errors"] == {}
    assert info["heavy"] == []
    dag = info["dags"]["reprocess"]
    assert dag["tasks"] == ["check_outlets", "list_articles", "load", "outlet.extract", "outlet.reparse"]
    assert dag["mapped_groups"] == ["outlet"]  # one chain per outlet, not mapped tasks chained together
    assert dag["trigger_rules"]["load"] == "TriggerRule.ALL_DONE"
    assert dag["pools"]["load"] == localairflow.DUCKDB_POOL
    assert dag["pools"]["list_articles"] == localairflow.DUCKDB_POOL  # a reader must not overlap the writer
    assert dag["outlets"]["load"] == ["factcheck_claims"]


def test_reprocess_runs_each_outlet_through_its_own_chain(tmp_path: Path) -> None:
    """A real `airflow dags test reprocess` over a file the pipeline filled: every outlet's
    instances run under the outlet's name, all succeed, and the claims are replaced, not added."""
    from pipeline import runner, store
    from pipeline.demo.server import NewsroomServer
    from pipeline.settings import Settings

    env = localairflow.airflow_env(tmp_path / "airflow", DAGS)
    localairflow.prepare(env)
    data = tmp_path / "data"
    with NewsroomServer() as server:
        sources = server.write_sources(data / "sources.yaml")
        runner.run_all(Settings(data_dir=data, sources_path=sources, allow_private_network=True, per_host_delay=0.0),
                       "cli__seed")
    con = store.connect(data / "factcheck.duckdb", read_only=True)
    before = store.table_counts(con)
    outlets = sorted(r[0] for r in con.execute("SELECT DISTINCT outlet FROM articles").fetchall())
    con.close()
    env.update(FACTCHECK_SOURCES_PATH=str(sources), FACTCHECK_DATA_DIR=str(data))
    outcome = localairflow.dags_test_outcome(env, "reprocess", "2026-03-08T00:00:00+00:00")
    assert outcome.state == "success", outcome.output[-4000:]
    assert outcome.names("outlet.reparse") == dict(enumerate(outlets))
    assert set(outcome.states("outlet.extract").values()) == {"success"}
    assert outcome.states("check_outlets") == {-1: "success"}
    con = store.connect(data / "factcheck.duckdb", read_only=True)
    try:
        assert store.table_counts(con) == before
        run = con.execute("SELECT n_outlets FROM runs WHERE run_id = ?", [outcome.run_id]).fetchone()
    finally:
        con.close()
    assert run == (len(outlets),)


def test_airflow_names_come_from_the_settings(tmp_path: Path) -> None:
    """Overriding the asset, the writer pool and the load queue in the environment reaches every
    DAG through ``Settings``: no DAG file keeps its own copy of a name."""
    env = localairflow.airflow_env(tmp_path / "airflow", DAGS)
    env.update(
        FACTCHECK_CLAIMS_ASSET_NAME="claims_elsewhere",
        FACTCHECK_WRITER_POOL="one_writer",
        FACTCHECK_LOAD_QUEUE="duckdb_host",
    )
    info = probe_dags(DAGS, env)
    assert info["errors"] == {}
    assert info["heavy"] == []
    dags = info["dags"]
    ingest, reprocess = dags["news_ingest"], dags["reprocess"]
    assert ingest["queues"]["load"] == "duckdb_host"
    assert ingest["queues"]["outlet.fetch"] != "duckdb_host"  # only the load goes to the DuckDB host
    assert ingest["pools"]["load"] == reprocess["pools"]["load"] == "one_writer"
    assert reprocess["pools"]["list_articles"] == dags["compare_claims"]["pools"]["compare"] == "one_writer"
    assert ingest["outlets"]["load"] == reprocess["outlets"]["load"] == ["claims_elsewhere"]
