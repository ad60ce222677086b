#!/usr/bin/env python3
"""A distributed Airflow on one machine, without Docker: the scale-out shape of a deployment.

    scripts/stack.py up   [--dir DIR] [--workers 2] [--concurrency 2] [--port 8080]
    scripts/stack.py status [--dir DIR]
    scripts/stack.py down [--dir DIR]

``up`` creates a fresh Airflow metadata database in the Postgres server (FACTCHECK_STACK_POSTGRES,
default postgresql://postgres@127.0.0.1:5432), migrates it, creates the one-slot ``duckdb_writer``
pool and starts an api-server, a scheduler, a dag-processor and N Celery workers (CeleryExecutor,
broker FACTCHECK_STACK_REDIS, default redis://127.0.0.1:6379) that share one JWT secret, then
returns. ``down`` stops every process it started and drops that database. The FACTCHECK_* settings
in your environment (data directory, sources, staging URL) are passed to every process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from pipeline import localairflow

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--dir", default=str(REPO / "data" / "stack"), help="AIRFLOW_HOME, logs and state go here")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=2, help="task slots per worker (default 2)")
    parser.add_argument("--port", type=int, default=0, help="api-server port (default: a free one)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = Path(args.dir).resolve()

    if args.command == "up":
        if (root / "stack.json").exists() and any(localairflow.Stack.load(root).alive().values()):
            print(f"a stack is already running from {root}; `scripts/stack.py down --dir {root}` first")
            return 1
        config = localairflow.StackConfig(
            root=root,
            dags_folder=REPO / "dags",
            plugins_folder=REPO / "plugins",
            workers=args.workers,
            concurrency=args.concurrency,
            postgres=os.environ.get("FACTCHECK_STACK_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
            redis=os.environ.get("FACTCHECK_STACK_REDIS", "redis://127.0.0.1:6379"),
            port=args.port,
        )
        stack = localairflow.start_stack(config, die_with_parent=False)
        passwords = root / "airflow" / "passwords.json"
        login = json.loads(passwords.read_text()) if passwords.exists() else {}
        print(f"Airflow UI: {stack.api_url}  (user admin, password {login.get('admin', '?')})")
        print(f"metadata database {stack.database}; workers {', '.join(stack.worker_names)}; logs in {root / 'logs'}")
        if stack.env.get("FACTCHECK_LOAD_QUEUE"):
            print(f"the load task (the single DuckDB writer) runs on {stack.worker_names[0]} only")
        print(f"stop it with: scripts/stack.py down --dir {root}")
        return 0

    if not (root / "stack.json").exists():
        print(f"no stack state in {root}")
        return 1 if args.command == "status" else 0
    stack = localairflow.Stack.load(root)
    if args.command == "status":
        for name, alive in stack.alive().items():
            print(f"{name:14s} {'running' if alive else 'stopped'}")
        return 0 if all(stack.alive().values()) else 1
    stack.stop()
    (root / "stack.json").unlink()
    print(f"stopped; database {stack.database} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
