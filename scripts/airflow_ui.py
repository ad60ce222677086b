#!/usr/bin/env python3
"""Start `airflow standalone` with this project's DAGs and plugins: `make airflow-ui`.

Airflow's home and the pipeline's data go under ./data unless AIRFLOW_HOME / FACTCHECK_DATA_DIR are
set. The UI listens where Airflow's configuration says (http://localhost:8080 unless AIRFLOW__API__PORT
or airflow.cfg say otherwise; the address is printed); the admin password is written by Airflow to
$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated. Stop it with Ctrl-C.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from pipeline import localairflow

REPO = Path(__file__).resolve().parents[1]


def banner(home: Path, env: Mapping[str, str]) -> str:
    """What the script tells the user: Airflow's home and where the UI really listens."""
    return (
        f"Airflow home: {home}\nUI: {localairflow.ui_url(env)} "
        f"(password in {home}/simple_auth_manager_passwords.json.generated)"
    )


def standalone_env(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `airflow standalone` runs in: this project's DAGs and plugins, the data
    folder, this venv first on PATH, and the tasks' execution API on the api-server's own port."""
    env = localairflow.airflow_env(home, REPO / "dags", REPO / "plugins")
    if base is not None:
        env.update(base)
    env.setdefault("FACTCHECK_DATA_DIR", str(REPO / "data"))
    # The api-server starts task processes with the `airflow` found on PATH: put this venv's first.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    # On a port other than 8080 the tasks would still call localhost:8080 ("Connection refused")
    env.update(localairflow.standalone_addresses(env)[1])
    return env


def main() -> int:
    home = Path(os.environ.get("AIRFLOW_HOME", REPO / "data" / "airflow"))
    env = standalone_env(home)
    localairflow.prepare(env)
    print(banner(home, env), flush=True)
    if localairflow.EXECUTION_API_VARIABLE in env:
        print(f"Tasks reach the execution API at {env[localairflow.EXECUTION_API_VARIABLE]}", flush=True)
    os.execve(localairflow.airflow_executable(), ["airflow", "standalone"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
