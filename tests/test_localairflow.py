"""The pieces of the loopback stack that need no running Airflow: worker names and the state file."""

from __future__ import annotations

import importlib.util
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from pipeline import localairflow

REPO = Path(__file__).resolve().parents[1]


def test_worker_hostname_is_the_name_the_stack_gave_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(localairflow.WORKER_HOSTNAME, "worker-2.stack")
    assert localairflow.worker_hostname() == "worker-2.stack"
    monkeypatch.delenv(localairflow.WORKER_HOSTNAME)
    assert localairflow.worker_hostname() == socket.getfqdn()


def test_the_state_file_round_trips_and_only_its_owner_can_read_it(tmp_path: Path) -> None:
    stack = localairflow.Stack("1_ab", tmp_path, {"AIRFLOW__API_AUTH__JWT_SECRET": "s3cret"}, "db", "postgresql://x",
                               "redis://x/3", "q", "http://127.0.0.1:1", {"scheduler": 123}, ["worker-1.1_ab"])
    path = stack.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert localairflow.Stack.load(tmp_path) == stack


def test_stop_signals_only_processes_that_carry_the_stack_marker(tmp_path: Path) -> None:
    """A stale state file names a pid that now belongs to someone else: stop() leaves it alone,
    and it does not fail when Postgres and Redis are unreachable (port 9 refuses connections)."""
    import subprocess
    import sys

    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        stack = localairflow.Stack("stale", tmp_path, {}, "factcheck_airflow_stale",
                                   "postgresql://postgres@127.0.0.1:9", "redis://127.0.0.1:9/1", "q",
                                   "http://127.0.0.1:9", {"scheduler": stranger.pid})
        stack.stop(grace=0.5)
        assert stranger.poll() is None, "a process the stack did not start was ended"
        assert stack.processes == {}
    finally:
        stranger.kill()
        stranger.wait(timeout=30)


def _airflow_ui_script() -> Any:
    spec = importlib.util.spec_from_file_location("airflow_ui_under_test", REPO / "scripts" / "airflow_ui.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_airflow_ui_prints_the_port_airflow_will_listen_on(tmp_path: Path) -> None:
    """`make airflow-ui` used to print port 8080 whatever the configuration said."""
    home = tmp_path / "airflow"
    home.mkdir()
    script = _airflow_ui_script()
    env = localairflow.airflow_env(home, REPO / "dags")
    for name in ("AIRFLOW__API__PORT", "AIRFLOW__API__HOST", "AIRFLOW__API__BASE_URL"):
        env.pop(name, None)
    assert "UI: http://localhost:8080 " in script.banner(home, env)  # Airflow's default
    (home / "airflow.cfg").write_text("[api]\nport = 9191\n", encoding="utf-8")
    assert "UI: http://localhost:9191 " in script.banner(home, env)
    env["AIRFLOW__API__PORT"] = "8793"  # the environment wins over airflow.cfg, as in Airflow
    assert "UI: http://localhost:8793 " in script.banner(home, env)


RESOLVE_EXECUTION_API = """
from airflow.executors.base_executor import get_execution_api_server_url
print(get_execution_api_server_url())
"""


def _task_api_url(env: dict[str, str]) -> str:
    """The execution API address Airflow's executors hand to every task in this environment."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", RESOLVE_EXECUTION_API], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return proc.stdout.strip().splitlines()[-1]


def test_make_airflow_ui_on_another_port_sends_tasks_to_that_port(tmp_path: Path) -> None:
    """`make airflow-ui` on a port other than 8080 left the tasks calling localhost:8080, so every
    task the scheduler ran failed with "Connection refused" (issue 21, item 11)."""
    home = tmp_path / "airflow"
    home.mkdir()
    script = _airflow_ui_script()
    clean = {"AIRFLOW__API__PORT": "", "AIRFLOW__API__BASE_URL": "", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": ""}
    base = {k: v for k, v in localairflow.airflow_env(home, REPO / "dags").items() if k not in clean}
    env = script.standalone_env(home, {**base, "AIRFLOW__API__PORT": "8793"})
    assert _task_api_url({k: v for k, v in env.items() if v}) == "http://localhost:8793/execution/"
    (home / "airflow.cfg").write_text("[api]\nport = 9191\n", encoding="utf-8")
    env = script.standalone_env(home, base)
    assert _task_api_url(env) == "http://localhost:9191/execution/"
    # an address the user gave is left as it is
    given = {**base, "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://10.1.2.3:8080/execution/"}
    assert _task_api_url(script.standalone_env(home, given)) == "http://10.1.2.3:8080/execution/"
