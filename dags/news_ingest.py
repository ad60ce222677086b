"""news_ingest: fetch the listed outlets, extract attributed claims, load them into DuckDB.

    list_outlets -> discover[outlet] -> fetch[outlet] -> parse[outlet] -> extract[outlet] -> load

Each mapped task handles one outlet's share of the run and writes a staging file; XCom carries only
outlet names. ``load`` is the single DuckDB writer (pool ``duckdb_writer``, one slot) and updates the
``factcheck_claims`` asset. Configuration comes from ``FACTCHECK_*`` environment variables
(see ``pipeline.settings``); the work itself lives in ``pipeline.runner``.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

from pipeline.settings import CLAIMS_ASSET_NAME, CLAIMS_ASSET_URI

CLAIMS_ASSET = Asset(name=CLAIMS_ASSET_NAME, uri=CLAIMS_ASSET_URI)
DUCKDB_POOL = "duckdb_writer"
# With workers on several hosts, the load must run on the one that has the DuckDB file on its disk:
# name a Celery queue only that worker listens to (`airflow celery worker -q default,<queue>`).
# Unset, the load goes to the default queue like every other task.
LOAD_QUEUE = os.environ.get("FACTCHECK_LOAD_QUEUE", "")
LOAD_ROUTING = {"queue": LOAD_QUEUE} if LOAD_QUEUE else {}


def _run_id() -> str:
    return str(get_current_context()["run_id"])


@dag(
    dag_id="news_ingest",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["factcheck"],
    doc_md=__doc__,
)
def news_ingest() -> None:
    @task
    def list_outlets() -> list[str]:
        from pipeline.runner import outlet_names
        from pipeline.settings import Settings

        return outlet_names(Settings.from_env())

    @task(max_active_tis_per_dagrun=8)
    def discover(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.discover(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task(max_active_tis_per_dagrun=8)
    def fetch(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.fetch(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task
    def parse(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.parse(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task
    def extract(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.extract(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task(pool=DUCKDB_POOL, outlets=[CLAIMS_ASSET], trigger_rule="all_done", **LOAD_ROUTING)
    def load(outlet_names: list[str]) -> dict[str, int]:
        from pipeline import runner
        from pipeline.settings import Settings

        return runner.load(Settings.from_env(), _run_id(), outlet_names)

    names = list_outlets()
    extracted = extract.expand(outlet=parse.expand(outlet=fetch.expand(outlet=discover.expand(outlet=names))))
    extracted >> load(names)


news_ingest()
