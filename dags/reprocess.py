"""reprocess: re-parse stored articles from the raw archive and replace their claims. Fetches nothing.

    list_articles -> outlet[name]: reparse -> extract -> load -> check_outlets

Run it by hand after the parser or the claim extractor changed (a new extractor version). The first
task lists the stored articles per outlet into staging files, through a read-only DuckDB connection
that ``pipeline.store`` opens and closes inside the task; ``load`` is the single writer (pool
``duckdb_writer``) and updates the same ``factcheck_claims`` asset as news_ingest, so the comparison
runs again. Each outlet goes through its own mapped group instance, so one that fails does not
stop the others, and ``check_outlets`` fails the run when an outlet was not reprocessed. The work
itself lives in ``pipeline.runner``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task, task_group

from pipeline.settings import Settings

SETTINGS = Settings.from_env()  # cheap: reads the environment only
CLAIMS_ASSET = Asset(name=SETTINGS.claims_asset_name, uri=SETTINGS.claims_asset_uri)
DUCKDB_POOL = SETTINGS.writer_pool
OUTLET_NAME = "{{ task.op_kwargs['outlet'] }}"  # mapped task instances are shown under the outlet's name


def _run_id() -> str:
    return str(get_current_context()["run_id"])


@dag(
    dag_id="reprocess",
    description="By hand: re-parse stored articles from the archive and replace their claims (no fetching)",
    schedule=None,
    # Never scheduled, only triggered: a paused DAG would leave a triggered run queued until
    # someone also unpaused it, so it is created unpaused.
    is_paused_upon_creation=False,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1), "execution_timeout": SETTINGS.task_timeout},
    tags=["factcheck"],
    doc_md=__doc__,
)
def reprocess() -> None:
    @task(pool=DUCKDB_POOL)
    def list_articles() -> list[str]:
        from pipeline import runner
        from pipeline.settings import Settings

        return runner.reprocess_list(Settings.from_env(), _run_id())

    @task(map_index_template=OUTLET_NAME)
    def reparse(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.reparse(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task(map_index_template=OUTLET_NAME)
    def extract(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.extract(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task_group(group_id="outlet", tooltip="one outlet's chain: reparse, extract")
    def outlet_chain(outlet: str) -> None:
        reparse(outlet=outlet) >> extract(outlet=outlet)

    @task(pool=DUCKDB_POOL, outlets=[CLAIMS_ASSET], trigger_rule="all_done")
    def load(outlet_names: list[str]) -> dict[str, int]:  # not `outlets`: Airflow reserves that name
        from pipeline import runner
        from pipeline.settings import Settings

        return runner.reprocess_load(Settings.from_env(), _run_id(), outlet_names)

    @task
    def check_outlets(totals: dict[str, Any]) -> None:
        """Fail the run when an outlet's articles were not replaced; its own failed tasks say why."""
        from airflow.sdk.exceptions import AirflowFailException

        if int(totals.get("skipped_outlets", 0)):
            raise AirflowFailException(f"{totals['skipped_outlets']} outlet(s) were not reprocessed")

    # As in news_ingest: one mapped group per outlet, so a failed outlet does not stop the others.
    names = list_articles()
    totals = load(names)
    outlet_chain.expand(outlet=names) >> totals
    check_outlets(totals)


reprocess()
