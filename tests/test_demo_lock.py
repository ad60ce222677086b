"""`make demo` one at a time (issue 21, item 10): the real scripts/demo.py, run as a child process
while another process holds the demo's lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.files import Busy, only_one

REPO = Path(__file__).resolve().parents[1]
HOLDER = """
import sys, time
from pathlib import Path
from pipeline.files import only_one
with only_one(Path(sys.argv[1]), "a demo"):
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes stdin
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    return env


def test_a_second_demo_says_one_is_running_and_touches_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data" / "demo"
    (data / "airflow").mkdir(parents=True)
    kept = data / "factcheck.duckdb"
    kept.write_bytes(b"the first demo's database")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data.parent / ".demo.lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        proc = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "demo.py"), "--data-dir", str(data)],
            capture_output=True, text=True, timeout=600, env=_env(),
        )  # fmt: skip
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert proc.returncode == 1
    assert "another demo writing to" in proc.stderr and "is already running (pid " in proc.stderr
    assert f"pid {holder.pid}" in proc.stderr and "Traceback" not in proc.stderr
    assert kept.read_bytes() == b"the first demo's database"  # not deleted under the running demo
    assert sorted(p.name for p in data.iterdir()) == ["airflow", "factcheck.duckdb"]
    assert not (data / "airflow" / "airflow.db").exists()  # no `airflow db migrate` either


def test_the_lock_is_free_again_once_its_holder_is_gone(tmp_path: Path) -> None:
    lock = tmp_path / ".demo.lock"
    with only_one(lock, "a demo"):
        with pytest.raises(Busy, match=r"a demo is already running \(pid \d+"):
            with only_one(lock, "a demo"):
                pass  # pragma: no cover
    with only_one(lock, "a demo"):  # released: taken again
        assert lock.exists()
