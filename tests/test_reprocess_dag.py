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
    assert dag["tasks"] == ["extract", "list_articles", "load", "reparse"]
    assert dag["pools"]["load"] == localairflow.DUCKDB_POOL
    assert dag["pools"]["list_articles"] == localairflow.DUCKDB_POOL  # a reader must not overlap the writer
    assert dag["outlets"]["load"] == ["factcheck_claims"]
