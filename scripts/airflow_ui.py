#!/usr/bin/env python3
"""Start `airflow standalone` with this project's DAGs and plugins: `make airflow-ui`.

Airflow's home and the pipeline's data go under ./data unless AIRFLOW_HOME / FACTCHECK_DATA_DIR are
set. The UI listens on http://localhost:8080; the admin password is written by Airflow to
$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated. Stop it with Ctrl-C.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline import localairflow

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    home = Path(os.environ.get("AIRFLOW_HOME", REPO / "data" / "airflow"))
    env = localairflow.airflow_env(home, REPO / "dags", REPO / "plugins")
    env.setdefault("FACTCHECK_DATA_DIR", str(REPO / "data"))
    # The api-server starts task processes with the `airflow` found on PATH: put this venv's first.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    localairflow.prepare(env)
    print(f"Airflow home: {home}\nUI: http://localhost:8080 (password in {home}/simple_auth_manager_passwords.json"
          ".generated)", flush=True)
    os.execve(localairflow.airflow_executable(), ["airflow", "standalone"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
