"""The pieces of the loopback stack that need no running Airflow: worker names and the state file."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

from pipeline import localairflow


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
