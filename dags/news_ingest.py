"""news_ingest: fetch the listed outlets, extract attributed claims, load them into DuckDB.

    list_outlets -> outlet[name]: discover -> fetch -> parse -> extract -> load -> check_outlets

Each outlet goes through its own chain: ``outlet`` is a task group mapped over the outlets of the
sources file, and its task instances are named after the outlet in the UI. A failed outlet fails
only its own chain; the other outlets still fetch, parse, extract and load. XCom carries only
outlet names and counts; every stage writes a staging file and logs one summary line with counts.

``load`` runs once after every outlet's chain has finished (trigger rule ``all_done``). It is the
single DuckDB writer (pool ``duckdb_writer``, one slot), loads every outlet whose stages completed,
one transaction per outlet, and updates the ``factcheck_claims`` asset, so ``claims_report`` runs
once per ingest run with whatever was loaded. ``check_outlets`` then fails the run if any outlet
did not load: the good outlets are committed, and the run is red rather than green.

Configuration comes from ``FACTCHECK_*`` environment variables through ``pipeline.settings``
(the asset, pool and load queue names too); the work itself lives in ``pipeline.runner``. It runs
hourly once unpaused (new DAGs start paused).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task, task_group

from pipeline.settings import Settings

# Cheap: reads the environment only. The Airflow names come from the settings like everything else.
SETTINGS = Settings.from_env()
CLAIMS_ASSET = Asset(name=SETTINGS.claims_asset_name, uri=SETTINGS.claims_asset_uri)
DUCKDB_POOL = SETTINGS.writer_pool
# With workers on several hosts, the load must run on the one that has the DuckDB file on its disk:
# FACTCHECK_LOAD_QUEUE names a Celery queue only that worker listens to (`airflow celery worker -q
# default,<queue>`). Unset, the load goes to the default queue like every other task.
LOAD_ROUTING = SETTINGS.load_routing
# Each mapped task instance is shown under its outlet's name instead of "Map Index 3".
OUTLET_NAME = "{{ task.op_kwargs['outlet'] }}"


def _run_id() -> str:
    return str(get_current_context()["run_id"])


@dag(
    dag_id="news_ingest",
    description="Hourly: fetch each listed outlet, extract attributed claims, load them into DuckDB",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # Hourly against real outlets: it starts paused and fetches only once someone unpauses it.
    is_paused_upon_creation=True,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "execution_timeout": SETTINGS.task_timeout},
    tags=["factcheck"],
    doc_md=__doc__,
)
def news_ingest() -> None:
    @task
    def list_outlets() -> list[str]:
        from pipeline.runner import outlet_names
        from pipeline.settings import Settings

        return outlet_names(Settings.from_env())

    @task(max_active_tis_per_dagrun=8, map_index_template=OUTLET_NAME)
    def discover(outlet: str) -> str:
        from airflow.sdk.exceptions import AirflowFailException

        from pipeline import runner
        from pipeline.settings import Settings

        try:
            runner.discover(Settings.from_env(), _run_id(), outlet)
        except runner.OutletFailed as e:
            # The fetcher already retried every feed; trying the outlet again a minute later rarely
            # helps, and the next hourly run tries it anyway.
            raise AirflowFailException(str(e)) from e
        return outlet

    @task(max_active_tis_per_dagrun=8, map_index_template=OUTLET_NAME)
    def fetch(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.fetch(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task(map_index_template=OUTLET_NAME)
    def parse(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.parse(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task(map_index_template=OUTLET_NAME)
    def extract(outlet: str) -> str:
        from pipeline import runner
        from pipeline.settings import Settings

        runner.extract(Settings.from_env(), _run_id(), outlet)
        return outlet

    @task_group(group_id="outlet", tooltip="one outlet's chain: discover, fetch, parse, extract")
    def outlet_chain(outlet: str) -> None:
        # Every task gets the outlet name itself (so it can be named after it); >> orders them.
        discover(outlet=outlet) >> fetch(outlet=outlet) >> parse(outlet=outlet) >> extract(outlet=outlet)

    @task(pool=DUCKDB_POOL, outlets=[CLAIMS_ASSET], trigger_rule="all_done", **LOAD_ROUTING)
    def load(outlet_names: list[str]) -> dict[str, int]:
        from pipeline import runner
        from pipeline.settings import Settings

        return runner.load(Settings.from_env(), _run_id(), outlet_names)

    @task
    def check_outlets(totals: dict[str, Any]) -> None:
        """Fail the run when an outlet did not load; its own failed tasks say why."""
        from airflow.sdk.exceptions import AirflowFailException

        skipped = int(totals.get("skipped_outlets", 0))
        if skipped:
            raise AirflowFailException(
                f"{skipped} outlet(s) did not load; {totals.get('outlets', 0)} loaded. "
                "See the failed tasks of the `outlet` group."
            )

    names = list_outlets()
    chains = outlet_chain.expand(outlet=names)
    totals = load(names)
    chains >> totals
    check_outlets(totals)


news_ingest()
