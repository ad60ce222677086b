"""claims_report: after every load of new claims, write the cross-outlet comparison report.

Scheduled on the ``factcheck_claims`` asset that ``news_ingest`` (and ``reprocess``) update, so it
runs only when there is something new. It reads DuckDB read-only and writes Markdown and JSON
under ``$FACTCHECK_DATA_DIR/reports/`` (``latest.md`` is always the newest).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

from pipeline.settings import Settings

SETTINGS = Settings.from_env()  # cheap: reads the environment only


@dag(
    dag_id="claims_report",
    description="After each load of claims: write the cross-outlet comparison report (Markdown and JSON)",
    schedule=[Asset(name=SETTINGS.claims_asset_name, uri=SETTINGS.claims_asset_uri)],
    # It only ever runs after a load, and only reads DuckDB: unpaused from the start, so the first
    # ingest (a demo, say) gets its report without anyone finding this DAG and unpausing it.
    is_paused_upon_creation=False,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"execution_timeout": SETTINGS.task_timeout},  # FACTCHECK_TASK_TIMEOUT_SECONDS
    tags=["factcheck"],
    doc_md=__doc__,
)
def claims_report() -> None:
    @task
    def write_report() -> str:
        from pipeline.report import write_report
        from pipeline.settings import Settings

        return write_report(Settings.from_env(), str(get_current_context()["run_id"]))

    write_report()


claims_report()
