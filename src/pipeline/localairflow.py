"""A throwaway Airflow installation for the demo and the tests: AIRFLOW_HOME, metadata DB, pool.

Nothing here imports Airflow: it prepares environment variables and runs the ``airflow`` command
that sits beside the current Python, so the DAG runs exactly as a user's ``airflow dags test`` would.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

DUCKDB_POOL = "duckdb_writer"


def airflow_executable() -> str:
    beside = Path(sys.executable).parent / "airflow"
    found = str(beside) if beside.exists() else shutil.which("airflow")
    if not found:
        raise FileNotFoundError("the airflow command is not installed beside this Python; run `make install`")
    return found


def airflow_env(
    home: Path, dags_folder: Path, plugins_folder: Path | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment for an isolated Airflow: SQLite metadata in ``home``, this project's DAGs, no examples."""
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags_folder),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
    )
    if plugins_folder is not None:
        env["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(plugins_folder)
    env.update(extra or {})
    return env


def _run(args: list[str], env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(args)}` failed with exit code {proc.returncode}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


def prepare(env: Mapping[str, str], timeout: float = 600) -> None:
    """Create or migrate the metadata database and the one-slot DuckDB writer pool."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow = airflow_executable()
    _run([airflow, "db", "migrate"], env, timeout)
    _run([airflow, "pools", "set", DUCKDB_POOL, "1", "the single DuckDB writer"], env, timeout)


def dags_test(
    env: Mapping[str, str], dag_id: str, logical_date: str, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """Run one DAG run in this machine's process with ``airflow dags test``; raise if it fails."""
    proc = _run([airflow_executable(), "dags", "test", dag_id, logical_date], env, timeout)
    combined = proc.stdout + proc.stderr
    if "state=failed" in combined or "DagRunState.FAILED" in combined:
        raise RuntimeError(f"DAG {dag_id} run {logical_date} failed:\n{combined[-6000:]}")
    return proc
