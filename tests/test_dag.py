"""The DAG through real Airflow: a DagBag import check, and full runs with `airflow dags test`.

The runs use a temporary AIRFLOW_HOME (SQLite metadata), a temporary DuckDB file and the sample
newsroom served on loopback, plus an outlet made only of faults.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from dagprobe import probe_dags

from pipeline import localairflow, store
from pipeline.demo.server import NewsroomServer

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
PLUGINS = REPO / "plugins"

pytestmark = pytest.mark.airflow


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("airflow")
    env = localairflow.airflow_env(home, DAGS, PLUGINS)
    localairflow.prepare(env)
    yield env


def test_dagbag_imports_cleanly_without_heavy_modules(airflow_home: dict[str, str]) -> None:
    info = probe_dags(DAGS, airflow_home)
    assert info["errors"] == {}
    assert {"news_ingest", "claims_report", "compare_claims"} <= set(info["dags"])
    assert info["dags"]["claims_report"]["timetable"] == "AssetTriggeredTimetable"
    compare = info["dags"]["compare_claims"]
    assert compare["timetable"] == "AssetTriggeredTimetable"
    assert compare["tasks"] == ["compare"]
    assert compare["pools"]["compare"] == localairflow.DUCKDB_POOL
    assert info["heavy"] == [], "DAG files must not import spaCy/DuckDB/the heavy stages at parse time"
    ingest = info["dags"]["news_ingest"]
    assert ingest["tasks"] == [
        "check_outlets", "list_outlets", "load", "outlet.discover", "outlet.extract", "outlet.fetch", "outlet.parse",
    ]  # fmt: skip
    assert ingest["catchup"] is False
    assert ingest["pools"]["load"] == localairflow.DUCKDB_POOL
    assert ingest["outlets"]["load"] == ["factcheck_claims"]


def test_each_outlet_has_its_own_chain_and_a_run_with_an_unloaded_outlet_can_fail(
    airflow_home: dict[str, str],
) -> None:
    """The stages sit in a task group mapped per outlet (not mapped tasks chained over each other's
    output, which tie every outlet to every other), and a task after the load fails the run."""
    ingest = probe_dags(DAGS / "news_ingest.py", airflow_home)["dags"]["news_ingest"]
    assert ingest["mapped_groups"] == ["outlet"]
    assert ingest["trigger_rules"]["load"] == "TriggerRule.ALL_DONE"
    assert ingest["trigger_rules"]["check_outlets"] == "TriggerRule.ALL_SUCCESS"


def test_every_task_has_the_execution_timeout_the_settings_give(airflow_home: dict[str, str]) -> None:
    """No task can hold a run for ever: each gets FACTCHECK_TASK_TIMEOUT_SECONDS (issue 21, item 7)."""
    dags = probe_dags(DAGS, {**airflow_home, "FACTCHECK_TASK_TIMEOUT_SECONDS": "900"})["dags"]
    for dag_id in ("news_ingest", "claims_report", "reprocess", "compare_claims"):
        assert set(dags[dag_id]["execution_timeouts"].values()) == {900.0}, dag_id
    default = probe_dags(DAGS / "news_ingest.py", airflow_home)["dags"]["news_ingest"]
    assert set(default["execution_timeouts"].values()) == {3600.0}


def test_dags_are_described_named_per_outlet_and_paused_sensibly(airflow_home: dict[str, str]) -> None:
    """What a new user sees in the UI: a description and docs on every DAG, mapped task instances
    named after their outlet, and only the DAG that fetches from real outlets starting paused."""
    dags = probe_dags(DAGS, airflow_home)["dags"]
    for dag_id in ("news_ingest", "claims_report", "reprocess", "compare_claims"):
        assert dags[dag_id]["description"], f"{dag_id} has no description"
        assert dags[dag_id]["doc_md"] and dag_id in dags[dag_id]["doc_md"]
    assert dags["news_ingest"]["is_paused_upon_creation"] is True  # hourly against real outlets: opt in
    assert dags["claims_report"]["is_paused_upon_creation"] is False  # runs only after a load
    assert dags["reprocess"]["is_paused_upon_creation"] is False  # only triggered by hand
    assert dags["compare_claims"]["is_paused_upon_creation"] is False  # runs only after a load
    named = "{{ task.op_kwargs['outlet'] }}"
    templates = dags["news_ingest"]["map_index_templates"]
    assert {t: templates[t] for t in templates if t.startswith("outlet.")} == {
        f"outlet.{stage}": named for stage in ("discover", "fetch", "parse", "extract")
    }
    assert dags["reprocess"]["map_index_templates"]["outlet.reparse"] == named
    assert dags["reprocess"]["map_index_templates"]["outlet.extract"] == named


@pytest.fixture(scope="module")
def ingest_env(airflow_home: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data = tmp_path_factory.mktemp("factcheck-data")
    with NewsroomServer() as server:
        base = server.base_url
        faulty = {
            "name": "Faulty Wire (test)",
            "feeds": [f"{base}/_fault/html-feed", f"{base}/_fault/status/500", f"{base}/_fault/empty-feed"],
            "urls": [
                f"{base}/_fault/status/404",
                f"{base}/_fault/binary",
                f"{base}/_fault/empty",
                f"{base}/_fault/malformed",
                "http://127.0.0.1:9/unreachable",
            ],
        }
        sources = server.write_sources(data / "sources.yaml", extra_outlets=[faulty])
        env = dict(airflow_home)
        env.update(
            FACTCHECK_SOURCES_PATH=str(sources),
            FACTCHECK_DATA_DIR=str(data),
            FACTCHECK_ALLOW_PRIVATE_NETWORK="true",
            FACTCHECK_PER_HOST_DELAY="0",
            FACTCHECK_BACKOFF_BASE="0.01",
            FACTCHECK_MAX_RETRIES="1",
        )
        yield env


def _db(env: dict[str, str]) -> duckdb.DuckDBPyConnection:
    return store.connect(Path(env["FACTCHECK_DATA_DIR"]) / "factcheck.duckdb", read_only=True)


def test_real_dag_runs_end_to_end_and_a_second_run_adds_nothing(ingest_env: dict[str, str]) -> None:
    localairflow.dags_test(ingest_env, "news_ingest", "2026-03-06T00:00:00+00:00")
    con = _db(ingest_env)
    try:
        first = store.table_counts(con)
        outlets_with_claims = con.execute("SELECT count(DISTINCT outlet) FROM claims_by_source").fetchone()
        reasons = dict(con.execute("SELECT url, reason FROM fetch_log WHERE NOT ok").fetchall())
        wire = con.execute("SELECT n_outlets FROM claim_spread ORDER BY n_outlets DESC LIMIT 1").fetchone()
        denies = con.execute("SELECT count(*) FROM claims WHERE polarity = 'denies'").fetchone()
        spans_ok = con.execute(
            "SELECT bool_and(substr(a.text, c.content_start + 1, c.content_end - c.content_start) = c.content) "
            "FROM claims c JOIN articles a USING (article_id)"
        ).fetchone()
    finally:
        con.close()
    assert first["articles"] == 7, first
    assert first["outlets"] == 5
    assert first["claims"] >= 15
    assert outlets_with_claims is not None and outlets_with_claims[0] == 4
    assert wire is not None and wire[0] >= 2, "the wire copy reprinted by two outlets lines up in claim_spread"
    assert denies is not None and denies[0] >= 2
    assert spans_ok == (True,)
    by_suffix = {url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1]: r for url, r in reasons.items()}
    assert "HTTP 404" in by_suffix["status/404"]
    assert "HTTP 500" in by_suffix["status/500"]
    assert "not a feed" in by_suffix["_fault/html-feed"]
    assert "unsupported content type" in by_suffix["_fault/binary"]
    assert "not an article" in by_suffix["_fault/empty"]
    assert "connection error" in reasons["http://127.0.0.1:9/unreachable"]

    localairflow.dags_test(ingest_env, "news_ingest", "2026-03-06T01:00:00+00:00")
    con = _db(ingest_env)
    try:
        second = store.table_counts(con)
        runs = con.execute("SELECT count(*) FROM runs").fetchone()
    finally:
        con.close()
    assert second == first
    assert runs == (2,)

    # The comparison DAG (scheduled on the asset the load updates) writes its report from the file.
    localairflow.dags_test(ingest_env, "claims_report", "2026-03-06T01:00:00+00:00")
    latest = Path(ingest_env["FACTCHECK_DATA_DIR"]) / "reports" / "latest.json"
    assert json.loads(latest.read_text(encoding="utf-8"))["counts"] == first

    # compare_claims (scheduled on the same asset) clusters every loaded claim and writes its alerts.
    localairflow.dags_test(ingest_env, "compare_claims", "2026-03-06T01:00:00+00:00")
    con = _db(ingest_env)
    try:
        assigned = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE cluster_id IS NULL AND reason IS NULL) FROM claim_clusters"
        ).fetchone()
        runs = con.execute("SELECT n_claims, n_alerts FROM compare_runs").fetchall()
        alerts = con.execute("SELECT count(*) FROM alerts").fetchone()
        shared = con.execute("SELECT max(n_outlets) FROM cluster_coverage").fetchone()
    finally:
        con.close()
    assert assigned == (first["claims"], 0), "every claim gets a cluster or a reason"
    assert runs == [(first["claims"], alerts[0] if alerts else -1)]
    assert shared is not None and shared[0] >= 2

DEAD_OUTLET = "Dead Feed (test)"


def test_a_dead_outlet_fails_alone_and_the_run_is_red(
    airflow_home: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Five outlets, one whose only feed is on a loopback port nothing listens on: its chain fails
    (and only its chain), the four others are fetched, parsed, extracted and loaded, and the run is
    failed rather than green."""
    data = tmp_path_factory.mktemp("factcheck-dead-outlet")
    with NewsroomServer() as server:
        dead = {"name": DEAD_OUTLET, "feeds": ["http://127.0.0.1:9/feed.xml"]}
        sources = server.write_sources(data / "sources.yaml", extra_outlets=[dead])
        env = dict(airflow_home)
        env.update(
            FACTCHECK_SOURCES_PATH=str(sources),
            FACTCHECK_DATA_DIR=str(data),
            FACTCHECK_ALLOW_PRIVATE_NETWORK="true",
            FACTCHECK_PER_HOST_DELAY="0",
            FACTCHECK_BACKOFF_BASE="0.01",
            FACTCHECK_MAX_RETRIES="1",
        )
        outcome = localairflow.dags_test_outcome(env, "news_ingest", "2026-03-07T00:00:00+00:00")
    outlets = [o["name"] for o in yaml.safe_load(sources.read_text(encoding="utf-8"))["outlets"]]
    dead_index = outlets.index(DEAD_OUTLET)
    good = [i for i in range(len(outlets)) if i != dead_index]
    assert len(good) >= 3
    assert outcome.state == "failed", outcome.output[-4000:]
    assert outcome.returncode != 0
    # every outlet's instances are shown under the outlet's name, the failed one included
    assert outcome.names("outlet.discover") == dict(enumerate(outlets))
    shown = {i: (None if i == dead_index else name) for i, name in enumerate(outlets)}  # named when it runs
    assert outcome.names("outlet.extract") == shown
    for stage in ("discover", "fetch", "parse", "extract"):
        states = outcome.states(f"outlet.{stage}")
        assert states[dead_index] == ("failed" if stage == "discover" else "upstream_failed"), (stage, states)
        assert {states[i] for i in good} == {"success"}, (stage, states)
    # each stage's task log carries its one-line summary with counts and failures by reason
    assert f"discover summary for {DEAD_OUTLET}: feeds=1 feeds_failed=1 " in outcome.output
    assert "failures: connection error=1" in outcome.output
    for i in good:
        for stage in ("discover", "fetch", "parse", "extract"):
            assert f"{stage} summary for {outlets[i]}: " in outcome.output, (stage, outlets[i])
    assert f"load summary for run {outcome.run_id}: " in outcome.output
    assert outcome.states("load") == {-1: "success"}  # the good outlets were committed
    assert outcome.states("check_outlets") == {-1: "failed"}  # and the run says one was not

    con = _db(env)
    try:
        loaded = dict(con.execute("SELECT outlet, count(*) FROM claims_by_source GROUP BY outlet").fetchall())
        run = con.execute("SELECT n_outlets FROM runs WHERE run_id = ?", [outcome.run_id]).fetchone()
        dead_log = con.execute("SELECT stage, ok, reason FROM fetch_log WHERE outlet = ?", [DEAD_OUTLET]).fetchall()
    finally:
        con.close()
    assert set(loaded) == {outlets[i] for i in good}, loaded  # every good outlet has claims in DuckDB
    assert run == (len(good),)
    # the failed outlet's reason is in fetch_log, for the Ingest health page
    assert [(stage, ok, reason.split(":")[0]) for stage, ok, reason in dead_log] == [
        ("discover", False, "connection error")
    ]
