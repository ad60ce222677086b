"""compare_claims: after every load of new claims, compare them across outlets.

Scheduled on the ``factcheck_claims`` asset that ``news_ingest`` and ``reprocess`` update. Its one
task, in the one-slot ``duckdb_writer`` pool (it writes DuckDB), takes the claims no earlier run
compared: resolves canonical speakers and entities, puts each claim in a claim cluster (or records
why not), and writes the contradictions found since the last run to the ``alerts`` table, once
each, all in one transaction (``pipeline.runner.compare``). The views ``cluster_coverage``,
``contradictions``, ``claim_wording`` and ``speaker_timeline`` read those tables, so they are
current as soon as the task ends. A run killed halfway leaves the previous clusters as they were;
the next run finds the same claims still new and completes them.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

from pipeline.settings import Settings

SETTINGS = Settings.from_env()  # cheap: reads the environment only
DUCKDB_POOL = SETTINGS.writer_pool


@dag(
    dag_id="compare_claims",
    schedule=[Asset(name=SETTINGS.claims_asset_name, uri=SETTINGS.claims_asset_uri)],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"execution_timeout": SETTINGS.task_timeout},  # FACTCHECK_TASK_TIMEOUT_SECONDS
    # asset-scheduled like claims_report: it runs only after a load, so it starts unpaused
    is_paused_upon_creation=False,
    description="Cluster the newly loaded claims across outlets; write new contradictions to alerts",
    tags=["factcheck"],
    doc_md=__doc__,
)
def compare_claims() -> None:
    @task(pool=DUCKDB_POOL, retries=1)
    def compare() -> dict[str, object]:
        from pipeline import runner
        from pipeline.settings import Settings

        run_id = str(get_current_context()["run_id"])
        summary = runner.compare(Settings.from_env(), compare_run_id=f"{run_id}@{pendulum.now('UTC').isoformat()}")
        return {k: summary[k] for k in ("compare_run_id", "claims", "alerts", "new_speakers")}

    compare()


compare_claims()
