"""The reprocess DAG imports cleanly, with no heavy module at parse time, and is wired like news_ingest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import localairflow

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"

pytestmark = pytest.mark.airflow

PROBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
heavy = sorted(m for m in ("spacy", "duckdb", "trafilatura", "pipeline.claims", "pipeline.store") if m in sys.modules)
dag = bag.dags.get("reprocess")
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "heavy": heavy,
    "tasks": sorted(t.task_id for t in dag.tasks) if dag else [],
    "schedule": str(dag.schedule) if dag else None,
    "pools": {t.task_id: t.pool for t in dag.tasks} if dag else {},
    "load_outlets": [getattr(a, "name", None) for a in dag.get_task("load").outlets] if dag else [],
}))
"""


def test_reprocess_dag_is_thin_and_writes_through_the_pool(tmp_path: Path) -> None:
    env = localairflow.airflow_env(tmp_path / "airflow", DAGS)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(DAGS / "reprocess.py")],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["errors"] == {}
    assert info["heavy"] == []
    assert info["tasks"] == ["extract", "list_articles", "load", "reparse"]
    assert info["pools"]["load"] == localairflow.DUCKDB_POOL
    assert info["pools"]["list_articles"] == localairflow.DUCKDB_POOL  # a reader must not overlap the writer
    assert info["load_outlets"] == ["factcheck_claims"]
