"""Parse DAG files with Airflow's DagBag in a fresh process and report what a test needs to check.

A fresh process, so that ``sys.modules`` shows exactly what parsing the DAG files imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
heavy = sorted(m for m in ("spacy", "duckdb", "trafilatura", "pipeline.claims", "pipeline.store") if m in sys.modules)
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "heavy": heavy,
    "dags": {
        dag_id: {
            "tasks": sorted(t.task_id for t in dag.tasks),
            "timetable": type(dag.timetable).__name__,
            "catchup": dag.catchup,
            "pools": {t.task_id: t.pool for t in dag.tasks},
            "queues": {t.task_id: t.queue for t in dag.tasks},
            "outlets": {t.task_id: [getattr(a, "name", None) for a in t.outlets] for t in dag.tasks},
            "map_index_templates": {t.task_id: t.map_index_template for t in dag.tasks},
            "mapped_groups": sorted(
                g.group_id for g in dag.task_group_dict.values() if type(g).__name__ == "MappedTaskGroup"
            ),
            "trigger_rules": {t.task_id: str(t.trigger_rule) for t in dag.tasks},
            "execution_timeouts": {
                t.task_id: t.execution_timeout.total_seconds() if t.execution_timeout else None for t in dag.tasks
            },
            "description": dag.description,
            "doc_md": dag.doc_md,
            "is_paused_upon_creation": dag.is_paused_upon_creation,
        }
        for dag_id, dag in bag.dags.items()
    },
}))
"""


def probe_dags(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """DagBag of a DAG file or folder: import errors, heavy modules imported, and each DAG's shape."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], env=dict(env), capture_output=True, text=True, timeout=300, check=True
    )
    info: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return info
