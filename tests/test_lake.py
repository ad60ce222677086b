"""The store on DuckLake: a fresh PostgreSQL catalog database per test and a temporary data path.

The store tests of ``test_store`` and ``test_store_links`` that take the ``con`` fixture run here
again against the lake (the ``con`` below replaces theirs); then what only the lake promises:
concurrent writers with nothing lost or doubled, a killed writer leaving whole batches only, readers
that never error nor see half a batch, and answers as of an earlier run.

PostgreSQL must listen on loopback (FACTCHECK_STACK_POSTGRES, default postgresql://postgres@127.0.0.1:5432;
.ci/run starts one); without it these tests skip, or fail under CI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest
from test_store import (  # noqa: F401  (collected again here, on the lake)
    TEXT_A,
    _article,
    _batch,
    _claim,
    test_a_failing_batch_leaves_nothing_behind,
    test_contested_claims_pair_an_assertion_with_a_denial_of_the_same_point,
    test_contested_thresholds_are_read_by_the_view_from_contested_settings,
    test_loading_the_same_batch_twice_adds_nothing,
    test_reextraction_replaces_claims,
    test_spans_lead_back_to_the_stored_text,
    test_views_line_up_claims_across_outlets,
)
from test_store_links import (  # noqa: F401
    test_a_wire_story_in_three_outlets_is_one_independent_report,
    test_claim_spread_counts_independent_reports,
    test_same_text_same_outlet_is_stored_once,
)

from pipeline import cli, store
from pipeline.records import Article, Claim
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("FACTCHECK_STACK_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def _admin() -> object:
    import psycopg2

    conn = psycopg2.connect(f"{POSTGRES}/postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[store.Lake]:
    """A DuckLake on a PostgreSQL database made for this test (dropped after it) and a temporary data path."""
    try:
        admin = _admin()
    except Exception as e:  # psycopg2.OperationalError: nothing listens, or the login is refused
        message = f"no PostgreSQL at {urlparse(POSTGRES).netloc} for the DuckLake catalog ({e}); see .ci/run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = "factcheck_lake_test_" + uuid.uuid4().hex[:12]
    cur = admin.cursor()  # type: ignore[attr-defined]
    cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield store.Lake(f"{POSTGRES}/{name}", str(tmp_path / "lake") + "/")
    finally:
        store.lake.close_cached()
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()  # type: ignore[attr-defined]


@pytest.fixture
def con(lake: store.Lake) -> Iterator[duckdb.DuckDBPyConnection]:
    c = store.lake.connect_lake(lake)
    yield c
    c.close()


@pytest.fixture
def lake_settings(lake: store.Lake, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", store="ducklake", lake_catalog=lake.catalog, lake_data_path=lake.data_path
    )


def test_the_lake_is_a_ducklake_without_keys_and_a_second_writer_migrates_nothing(con: duckdb.DuckDBPyConnection,
                                                                                   lake: store.Lake) -> None:
    assert store.is_lake(con)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    before = store.lake.snapshots(con)[-1][0]
    again = store.lake._new_writer(lake)  # another process's first writer: no DDL, no new snapshot
    try:
        assert store.lake.snapshots(again)[-1][0] == before
    finally:
        again.close()


def test_migrations_lose_only_their_keys_and_indexes_on_the_lake() -> None:
    adapt = store.lake.adapt_statement
    assert adapt("CREATE INDEX x ON t (a)") is None
    table = adapt("CREATE TABLE t (\n a VARCHAR PRIMARY KEY, -- the key\n b VARCHAR NOT NULL UNIQUE,\n"
                  " c INT,\n PRIMARY KEY (a, c)\n)")
    assert table is not None
    assert "PRIMARY" not in table.upper() and "UNIQUE" not in table.upper()
    assert "b VARCHAR NOT NULL" in table and "c INT" in table


def test_the_embedded_backend_says_what_as_of_needs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.duckdb"
    store.connect(db).close()
    assert cli.main(["sql", "--db", str(db), "--as-of", "r1", "SELECT 1"]) == 2
    assert "FACTCHECK_STORE=ducklake" in capsys.readouterr().err


def test_a_ducklake_store_needs_its_catalog_and_data_path() -> None:
    with pytest.raises(ValueError, match="LAKE_CATALOG"):
        Settings(store="ducklake")
    with pytest.raises(ValueError, match="FACTCHECK_STORE"):
        Settings(store="sqlite")


# -- several writers, killed writers, readers during the loads ------------------------------------------------

N_ARTICLES = 40  # per batch; each article carries two claims
WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from pipeline import store
    from test_lake import outlet_batch
    lake = store.Lake({catalog!r}, {data!r})
    outlet, first, n = {outlet!r}, {first}, {n}
    con = store.lake.connect_lake(lake)
    for i in range(first, first + n):
        batch = outlet_batch(Path({tmp!r}), outlet, i)
        store.retry_conflicts(con, lambda: store.load_batch(con, batch), f"{{outlet}} {{i}}")
        print("committed", i, flush=True)
    con.close()
    """
)


def outlet_batch(tmp: Path, outlet: str, i: int) -> store.Batch:
    """Batch ``i`` of ``outlet``: N_ARTICLES articles of their own, two claims each; run id ``<outlet>-<i>``."""
    articles: list[Article] = []
    claims: dict[str, list[Claim]] = {}
    for k in range(N_ARTICLES):
        text = f"{TEXT_A} Story {outlet} {i} {k} said the minister of {outlet}."
        a = _article(f"https://{outlet}.example/{i}/{k}", outlet, text)
        articles.append(a)
        claims[a.url] = [
            _claim(text, "it bought arms", "Moscow", "denies"),
            _claim(text, "the report was fake", "The ministry"),
        ]
    return _batch(tmp, f"{outlet}-{i}", outlet, articles, claims, [])


def _writer(lake: store.Lake, tmp: Path, outlet: str, first: int, n: int) -> subprocess.Popen[str]:
    code = WRITER.format(tests=str(REPO / "tests"), catalog=lake.catalog, data=lake.data_path, outlet=outlet,
                         first=first, n=n, tmp=str(tmp))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _per_batch(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """run id -> (articles, claims) as stored."""
    rows = con.execute(
        """SELECT a.run_id, count(DISTINCT a.article_id), count(c.claim_id)
           FROM articles a LEFT JOIN claims c USING (article_id) GROUP BY a.run_id"""
    ).fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def _doubles(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    row = con.execute(
        """SELECT (SELECT count(*) - count(DISTINCT article_id) FROM articles),
                  (SELECT count(*) - count(DISTINCT claim_id) FROM claims)"""
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_four_concurrent_writers_of_different_outlets_lose_and_double_nothing_while_readers_read(
    con: duckdb.DuckDBPyConnection, lake: store.Lake, tmp_path: Path
) -> None:
    outlets, n = ["alpha", "bravo", "charlie", "delta"], 3
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                r = store.lake.connect_lake_reader(lake)
                try:
                    row = r.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM claims)").fetchone()
                finally:
                    r.close()
                assert row is not None
                seen.append((int(row[0]), int(row[1])))
            except BaseException as e:  # noqa: BLE001  (any error a reader meets fails the test below)
                errors.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        writers = [_writer(lake, tmp_path / o, o, 0, n) for o in outlets]
        outs = [w.communicate(timeout=600) for w in writers]
    finally:
        stop.set()
        reader.join(timeout=120)
    for w, (out, err) in zip(writers, outs, strict=True):
        assert w.returncode == 0, err[-3000:]
        assert out.count("committed") == n
    assert errors == [], errors[:3]
    assert seen, "the reader read during the loads"
    assert all(claims == 2 * articles and articles % N_ARTICLES == 0 for articles, claims in seen), (
        "a reader saw part of a batch"
    )
    batches = _per_batch(con)
    assert batches == {f"{o}-{i}": (N_ARTICLES, 2 * N_ARTICLES) for o in outlets for i in range(n)}
    assert _doubles(con) == (0, 0)
    # a rerun of every batch adds nothing
    for o in outlets:
        store.retry_conflicts(con, lambda o=o: store.load_batch(con, outlet_batch(tmp_path / o, o, 0)), o)
    assert _per_batch(con) == batches and _doubles(con) == (0, 0)


def test_a_writer_killed_mid_load_leaves_whole_batches_only(
    con: duckdb.DuckDBPyConnection, lake: store.Lake, tmp_path: Path
) -> None:
    writer = _writer(lake, tmp_path, "kilo", 0, 50)
    assert writer.stdout is not None
    first = writer.stdout.readline()  # one batch committed, the next under way
    assert first.startswith("committed"), writer.stderr.read() if writer.stderr else ""
    time.sleep(0.3)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    batches = _per_batch(con)
    assert 1 <= len(batches) < 50
    assert set(batches.values()) == {(N_ARTICLES, 2 * N_ARTICLES)}, batches
    assert _doubles(con) == (0, 0)
    # the lake takes the next writer, and a redo of the load completes it without doubling
    again = _writer(lake, tmp_path, "kilo", 0, len(batches) + 1)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-3000:]
    after = _per_batch(con)
    assert len(after) == len(batches) + 1 and set(after.values()) == {(N_ARTICLES, 2 * N_ARTICLES)}
    assert _doubles(con) == (0, 0)


# -- time travel -----------------------------------------------------------------------------------------------


def test_sql_as_of_an_earlier_run_answers_from_its_snapshot(
    lake_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    con = store.open_store(lake_settings)
    try:
        store.load_batch(con, outlet_batch(tmp_path, "alpha", 1))
        store.record_run(con, "run-1", {"articles": N_ARTICLES}, 1)
        time.sleep(0.05)
        middle = store.lake.snapshots(con)[-1][1]
        store.load_batch(con, outlet_batch(tmp_path, "bravo", 2))
        store.record_run(con, "run-2", {"articles": N_ARTICLES}, 1)
    finally:
        con.close()
    monkeypatch.setenv("FACTCHECK_STORE", "ducklake")
    monkeypatch.setenv("FACTCHECK_LAKE_CATALOG", lake_settings.lake_catalog)
    monkeypatch.setenv("FACTCHECK_LAKE_DATA_PATH", lake_settings.lake_data_path)
    for as_of, expected in (("run-1", ["alpha"]), ("run-2", ["alpha", "bravo"]), (middle.isoformat(), ["alpha"])):
        assert cli.main(["sql", "--as-of", as_of, "SELECT DISTINCT outlet FROM articles ORDER BY 1"]) == 0
        out = capsys.readouterr().out
        assert [o for o in ("alpha", "bravo") if o in out] == expected, (as_of, out)
    assert cli.main(["sql", "SELECT count(*) AS n FROM runs"]) == 0
    assert "\n2\n" in capsys.readouterr().out
    assert cli.main(["sql", "--as-of", "no-such-run", "SELECT 1"]) == 2
    assert "neither a run id" in capsys.readouterr().err
    # the reader writes nothing and reaches no other file
    assert cli.main(["sql", "SELECT count(*) FROM read_csv('/etc/passwd')"]) == 1
    assert cli.main(["sql", "DELETE FROM runs"]) == 1
    # the Claims view's API answers as of a run too
    import plugin_app

    with plugin_app.signed_in_client() as (_, client):
        then = client.get("/factcheck/api/claims", params={"as_of": "run-1", "limit": 5})
        now = client.get("/factcheck/api/claims", params={"limit": 5})
        nowhere = client.get("/factcheck/api/claims", params={"as_of": "no-such-run"})
    assert then.status_code == 200 and then.json()["total"] == 2 * N_ARTICLES
    assert now.status_code == 200 and now.json()["total"] == 4 * N_ARTICLES
    assert nowhere.status_code == 400


def test_load_and_compare_stages_run_on_the_lake_and_a_rerun_adds_nothing(lake_settings: Settings,
                                                                        newsroom: object) -> None:
    from pipeline import runner

    sources = newsroom.write_sources(lake_settings.data_dir / "sources.yaml")  # type: ignore[attr-defined]
    s = lake_settings.with_overrides(sources_path=sources, allow_private_network=True, per_host_delay=0.0)
    runner.run_all(s, "lake-run-1")
    runner.compare(s)
    with store.reading_store(s) as r:
        first = store.table_counts(r)
        clustered = r.execute("SELECT count(*) FROM claim_clusters").fetchone()
    assert first["articles"] > 0 and first["claims"] > 0
    assert clustered == (first["claims"],)
    runner.run_all(s, "lake-run-2")
    runner.compare(s)
    with store.reading_store(s) as r:
        assert store.table_counts(r) == first
        assert r.execute("SELECT count(*) FROM claim_clusters").fetchone() == clustered
        assert r.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    assert not store.snapshot_path(s.database).exists(), "no read snapshot file beside a lake"


@pytest.mark.airflow
def test_the_news_ingest_dag_loads_into_the_lake_with_two_writer_slots(lake: store.Lake, tmp_path: Path) -> None:
    from pipeline import localairflow
    from pipeline.demo.server import NewsroomServer

    env = localairflow.airflow_env(tmp_path / "airflow", REPO / "dags", REPO / "plugins")
    data = tmp_path / "data"
    env.update(FACTCHECK_STORE="ducklake", FACTCHECK_LAKE_CATALOG=lake.catalog, FACTCHECK_LAKE_DATA_PATH=lake.data_path,
               FACTCHECK_DATA_DIR=str(data), FACTCHECK_ALLOW_PRIVATE_NETWORK="true", FACTCHECK_PER_HOST_DELAY="0",
               FACTCHECK_BACKOFF_BASE="0.01", FACTCHECK_MAX_RETRIES="1")
    localairflow.prepare(env, writer_slots=2)
    slots = localairflow._sqlite_rows(env, "SELECT slots FROM slot_pool WHERE pool = ?", (localairflow.DUCKDB_POOL,))
    assert slots == [(2,)]
    with NewsroomServer() as server:
        env["FACTCHECK_SOURCES_PATH"] = str(server.write_sources(data / "sources.yaml"))
        settings = Settings.from_env(env)
        localairflow.dags_test(env, "news_ingest", "2026-03-06T00:00:00+00:00")
        with store.reading_store(settings) as r:
            first = store.table_counts(r)
        localairflow.dags_test(env, "news_ingest", "2026-03-06T01:00:00+00:00")
        localairflow.dags_test(env, "compare_claims", "2026-03-06T01:00:00+00:00")
    with store.reading_store(settings) as r:
        assert store.table_counts(r) == first
        assert r.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        assert r.execute("SELECT count(*) FROM claim_clusters").fetchone() == (first["claims"],)
        assert _doubles(r) == (0, 0)
    assert first["articles"] > 0 and first["claims"] > 0
    assert not settings.database.exists(), "nothing was written to an embedded file"

