"""A throwaway Airflow installation for the demo and the tests: AIRFLOW_HOME, metadata DB, pool.

Nothing here imports Airflow: it prepares environment variables and runs the ``airflow`` command
that sits beside the current Python, so the DAG runs exactly as a user's ``airflow dags test`` would.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.settings import WRITER_POOL, Settings

log = logging.getLogger(__name__)

DUCKDB_POOL = WRITER_POOL  # the default of the writer_pool setting


def airflow_executable() -> str:
    """The path of the ``airflow`` command beside this Python, or on PATH; FileNotFoundError if none."""
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


def prepare(env: Mapping[str, str], timeout: float = 600, writer_slots: int = 1) -> None:
    """Create or migrate the metadata database and the DuckDB writer pool: one slot for the embedded
    file; a DuckLake store (FACTCHECK_STORE=ducklake) takes several concurrent writers."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow = airflow_executable()
    _run([airflow, "db", "migrate"], env, timeout)
    settings = Settings.from_env(env)
    pool = settings.writer_pool  # the pool the DAG files will name
    if writer_slots != 1 and settings.store != "ducklake":
        raise ValueError("only a DuckLake store (FACTCHECK_STORE=ducklake) takes more than one writer")
    what = "the single DuckDB writer" if writer_slots == 1 else "the DuckLake writers"
    _run([airflow, "pools", "set", pool, str(int(writer_slots)), what], env, timeout)


UI_CONFIG_PROBE = """
import json
from airflow.configuration import conf
api = {k: conf.get("api", k, fallback="") or "" for k in ("base_url", "host", "port")}
api["execution_api_server_url"] = conf.get("core", "execution_api_server_url", fallback="") or ""
print(json.dumps(api))
"""
EXECUTION_API_VARIABLE = "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"


def _api_config(env: Mapping[str, str], timeout: float) -> dict[str, str]:
    """The api-server settings Airflow's configuration gives in this environment (``AIRFLOW__*``
    variables, then ``airflow.cfg`` in AIRFLOW_HOME, then the defaults), read by Airflow itself."""
    python = Path(airflow_executable()).parent / "python"
    proc = _run([str(python if python.exists() else sys.executable), "-c", UI_CONFIG_PROBE], env, timeout)
    api: dict[str, str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return api


def _ui_url(api: Mapping[str, str]) -> str:
    if api["base_url"]:
        return api["base_url"].rstrip("/")
    host = api["host"] or "0.0.0.0"
    shown = "localhost" if host in {"0.0.0.0", "::", "[::]"} else host
    return f"http://{shown}:{api['port'] or 8080}"


def ui_url(env: Mapping[str, str], timeout: float = 120) -> str:
    """The address the api-server of this environment serves the UI on, as Airflow's configuration
    says (``AIRFLOW__API__*`` variables, then ``airflow.cfg`` in AIRFLOW_HOME, then the defaults)."""
    return _ui_url(_api_config(env, timeout))


def standalone_addresses(env: Mapping[str, str], timeout: float = 120) -> tuple[str, dict[str, str]]:
    """The UI address, and the variables that make tasks reach the api-server's execution API there.

    Airflow derives the execution API address from ``[api] base_url`` only, else takes
    ``http://localhost:8080/execution/``, whatever port the api-server listens on: with the port set
    alone (``AIRFLOW__API__PORT`` or ``airflow.cfg``), every task would fail with "Connection
    refused". So unless ``base_url`` or ``[core] execution_api_server_url`` is set, this sets
    ``AIRFLOW__CORE__EXECUTION_API_SERVER_URL`` to ``<UI address>/execution/``."""
    api = _api_config(env, timeout)
    url = _ui_url(api)
    if api["base_url"] or api["execution_api_server_url"]:
        return url, {}
    return url, {EXECUTION_API_VARIABLE: f"{url}/execution/"}


def dags_test(
    env: Mapping[str, str], dag_id: str, logical_date: str, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """Run one DAG run in this machine's process with ``airflow dags test``; raise if it fails."""
    proc = _run([airflow_executable(), "dags", "test", dag_id, logical_date], env, timeout)
    combined = proc.stdout + proc.stderr
    if "state=failed" in combined or "DagRunState.FAILED" in combined:
        raise RuntimeError(f"DAG {dag_id} run {logical_date} failed:\n{combined[-6000:]}")
    return proc


def dags_test_outcome(env: Mapping[str, str], dag_id: str, logical_date: str, timeout: float = 1800) -> DagRunOutcome:
    """Run one DAG run with ``airflow dags test`` and return what became of it, failed or not."""
    args = [airflow_executable(), "dags", "test", dag_id, logical_date]
    proc = subprocess.run(args, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False)
    run_id, state = _sqlite_rows(
        env, "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)
    )[0]
    tasks = [
        TaskOutcome(task_id, int(map_index), str(ti_state or ""), rendered)
        for task_id, map_index, ti_state, rendered in _sqlite_rows(
            env,
            "SELECT task_id, map_index, state, rendered_map_index FROM task_instance "
            "WHERE dag_id = ? AND run_id = ? ORDER BY task_id, map_index",
            (dag_id, run_id),
        )
    ]
    return DagRunOutcome(str(run_id), str(state), proc.returncode, tasks, proc.stdout + proc.stderr)


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """One task instance of a finished run: its id, map index (-1 unmapped), state and shown name."""

    task_id: str
    map_index: int
    state: str
    rendered_map_index: str | None


@dataclass(frozen=True, slots=True)
class DagRunOutcome:
    """A finished ``airflow dags test`` run as the metadata database recorded it."""

    run_id: str
    state: str
    returncode: int
    tasks: list[TaskOutcome]
    output: str

    def states(self, task_id: str) -> dict[int, str]:
        """State of each instance of a task, keyed by map index (-1 for an unmapped task)."""
        return {t.map_index: t.state for t in self.tasks if t.task_id == task_id}

    def names(self, task_id: str) -> dict[int, str | None]:
        """The name the UI shows for each instance of a mapped task (None until it has run)."""
        return {t.map_index: t.rendered_map_index for t in self.tasks if t.task_id == task_id}


def _sqlite_rows(env: Mapping[str, str], sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Read the SQLite metadata database of an ``airflow_env`` home (read-only)."""
    import sqlite3

    url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite metadata database: {url.split('://', 1)[0]}")
    con = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True)
    try:
        return list(con.execute(sql, params).fetchall())
    finally:
        con.close()


# --------------------------------------------------------------------------------------------------
# A distributed Airflow on this machine: Postgres metadata, CeleryExecutor over Redis, several workers.
# --------------------------------------------------------------------------------------------------

STACK_MARKER = "FACTCHECK_STACK_ID"  # set in every process the stack starts, so stop() finds them all
WORKER_HOSTNAME = "FACTCHECK_WORKER_HOSTNAME"


def worker_hostname() -> str:
    """``[core] hostname_callable`` for workers sharing one machine: the name the stack gave them.

    Airflow records this name on each task instance it runs, so two workers on one host stay
    distinguishable; without the variable it is the machine's name, as Airflow's default.
    """
    return os.environ.get(WORKER_HOSTNAME) or socket.getfqdn()


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class StackConfig:
    """Where the stack's pieces are; the defaults match a local Postgres and Redis on loopback."""

    root: Path  # AIRFLOW_HOME, logs and the state file live here
    dags_folder: Path
    plugins_folder: Path | None = None
    workers: int = 2
    concurrency: int = 2
    postgres: str = "postgresql://postgres@127.0.0.1:5432"  # server URL (no database)
    redis: str = "redis://127.0.0.1:6379"  # server URL (no database number)
    host: str = "127.0.0.1"
    port: int = 0  # api-server port; 0 picks a free one
    # Route the load task to a queue only worker-1 serves (FACTCHECK_LOAD_QUEUE), as a deployment
    # across hosts must: the worker that has the DuckDB file on its disk is the only writer.
    writer_queue: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)


@dataclass
class Stack:
    """A running distributed Airflow; ``start_stack`` makes one, ``stop`` tears all of it down.

    Every process gets its own session (process group), is tagged with ``FACTCHECK_STACK_ID`` in its
    environment, and ``stop`` ends the groups, then any tagged straggler, then drops the database.
    """

    stack_id: str
    root: Path
    env: dict[str, str]
    database: str
    postgres: str
    redis_url: str
    queue: str
    api_url: str
    processes: dict[str, int] = field(default_factory=dict)  # name -> pid (= process group id)
    worker_names: list[str] = field(default_factory=list)

    # ---- state file, so that `scripts/stack.py down` can stop what `up` started ----
    @property
    def state_file(self) -> Path:
        """The JSON file that records this stack."""
        return self.root / "stack.json"

    def save(self) -> Path:
        """Write the state file; it holds the stack's secrets, so only its owner may read it."""
        fd = os.open(self.state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(self) | {"root": str(self.root)}, fh, indent=2)
        return self.state_file

    @classmethod
    def load(cls, root: Path) -> Stack:
        """The stack recorded in ``root``'s stack.json."""
        data = json.loads((root / "stack.json").read_text(encoding="utf-8"))
        data["root"] = Path(data["root"])
        return cls(**data)

    # ---- metadata database ----
    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """A query against the stack's Airflow metadata database (read the run and task states)."""
        import psycopg2

        con = psycopg2.connect(f"{self.postgres}/{self.database}")
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(query, params)
                return list(cur.fetchall()) if cur.description else []
        finally:
            con.close()

    def airflow(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run an ``airflow`` command with this stack's environment."""
        return _run([airflow_executable(), *args], self.env, timeout)

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        """Wait until the dag-processor has serialized the DAG, so it can be triggered."""
        _wait(
            lambda: bool(self.sql("SELECT 1 FROM serialized_dag WHERE dag_id = %s", (dag_id,))),
            timeout,
            f"DAG {dag_id} was not parsed within {timeout:.0f} s",
            self,
        )

    def trigger(self, dag_id: str, run_id: str) -> None:
        """Trigger a run of a DAG with the given run id."""
        self.airflow("dags", "trigger", dag_id, "--run-id", run_id)

    def wait_for_runs(self, dag_id: str, count: int, timeout: float = 600) -> list[tuple[str, str]]:
        """Wait until ``count`` runs of the DAG have finished; return (run_id, state) of every run."""

        def finished() -> bool:
            """True once at least ``count`` runs of the DAG have succeeded or failed."""
            rows = self.sql(
                "SELECT count(*) FROM dag_run WHERE dag_id = %s AND state IN ('success', 'failed')", (dag_id,)
            )
            return int(rows[0][0]) >= count

        _wait(finished, timeout, f"{count} runs of {dag_id} did not finish within {timeout:.0f} s", self)
        return [(str(r), str(s)) for r, s in self.sql(
            "SELECT run_id, state FROM dag_run WHERE dag_id = %s ORDER BY id", (dag_id,)
        )]

    def wait_until_idle(self, dag_id: str, timeout: float = 300) -> list[tuple[str, str]]:
        """Wait until the DAG has at least one run and none queued or running; return (run_id, state)."""

        def idle() -> bool:
            """True when the DAG has runs and none is queued or running."""
            rows = self.sql(
                "SELECT count(*), count(*) FILTER (WHERE state IN ('queued', 'running')) FROM dag_run "
                "WHERE dag_id = %s",
                (dag_id,),
            )
            return int(rows[0][0]) > 0 and int(rows[0][1]) == 0

        _wait(idle, timeout, f"{dag_id} did not finish its runs within {timeout:.0f} s", self)
        return [(str(r), str(s)) for r, s in self.sql(
            "SELECT run_id, state FROM dag_run WHERE dag_id = %s ORDER BY id", (dag_id,)
        )]

    def alive(self) -> dict[str, bool]:
        """Whether each of the stack's processes is still running, by name."""
        return {name: _pid_alive(pid) for name, pid in self.processes.items()}

    def log_tail(self, name: str, chars: int = 3000) -> str:
        """The last ``chars`` characters of a process's log ("" when there is none)."""
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""

    # ---- teardown ----
    def stop(self, grace: float = 15.0) -> None:
        """End every process of the stack (TERM, then KILL), then drop its metadata database.

        Only processes that carry this stack's marker are signalled, so a stale state file (after a
        reboot, with process ids reused) never ends anyone else's processes.
        """
        ours = [pid for pid in self.processes.values() if _carries_marker(pid, self.stack_id)]
        for pid in ours:
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_pid_alive(p) for p in ours):
            time.sleep(0.2)
        for pid in ours:
            _signal_group(pid, signal.SIGKILL)
        # Task processes that left their group still carry the stack's marker in their environment.
        for pid in tagged_processes(self.stack_id):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in self.processes.values():
            _reap(pid)
        self.processes.clear()
        self._drop_database()
        self._clear_queue()

    def _drop_database(self) -> None:
        import psycopg2

        try:
            con = _admin_connection(self.postgres)
        except psycopg2.Error as e:
            log.warning("cannot reach Postgres to drop %s: %s", self.database, e)
            return
        _execute_and_close(con, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def _clear_queue(self) -> None:
        import redis

        try:
            client = redis.Redis.from_url(self.redis_url)
            keys = [k for k in client.scan_iter(match=f"*{self.queue}*")]
            if keys:
                client.delete(*keys)
            client.close()
        except redis.RedisError as e:
            log.warning("cannot clear the Celery queue %s: %s", self.queue, e)


def _wait(check: Callable[[], bool], timeout: float, message: str, stack: Stack | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if stack is not None:
            dead = [name for name, ok in stack.alive().items() if not ok]
            if dead:
                tails = "\n".join(f"--- {n} ---\n{stack.log_tail(n)}" for n in dead)
                raise RuntimeError(f"{message}: {', '.join(dead)} exited\n{tails}")
        if time.monotonic() >= deadline:
            raise TimeoutError(message)
        time.sleep(0.5)


def _pid_alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child (a stack started by another command): ask the kernel instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/stat")
    try:
        return status.read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _carries_marker(pid: int, stack_id: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{STACK_MARKER}={stack_id}".encode() in environ.split(b"\0")


def tagged_processes(stack_id: str) -> list[int]:
    """Live processes started by the stack (directly or not): they carry its marker in their environment."""
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and int(entry.name) != os.getpid() and _carries_marker(int(entry.name), stack_id)
    ]


def _spawn(stack: Stack, name: str, args: list[str], env: Mapping[str, str], die_with_parent: bool) -> None:
    logs = stack.root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = (logs / f"{name}.log").open("ab")
    preexec = _parent_death_signal if die_with_parent else None
    proc = subprocess.Popen(
        args,
        env=dict(env),
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stop() ends it with everything it forked
        preexec_fn=preexec,
        cwd=stack.root,
    )
    out.close()
    stack.processes[name] = proc.pid


def _parent_death_signal() -> None:
    """In the child: get SIGTERM if the process that started the stack dies (tests killed mid-run)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _admin_connection(server: str) -> Any:
    """An autocommit connection to the server's maintenance database, for CREATE/DROP DATABASE
    (which cannot run in a transaction). Callers pass only database names the stack generated."""
    import psycopg2

    con = psycopg2.connect(f"{server}/postgres")
    con.autocommit = True
    return con


def _execute_and_close(con: Any, statement: str) -> None:
    try:
        with con.cursor() as cur:
            cur.execute(statement)
    finally:
        con.close()


def start_stack(config: StackConfig, die_with_parent: bool = True, timeout: float = 300) -> Stack:
    """Create a fresh metadata database, migrate it, start every process and wait until they serve.

    On any failure everything started so far is stopped again before the error propagates.
    """
    from cryptography.fernet import Fernet

    stack_id = f"{os.getpid()}_{secrets.token_hex(4)}"
    root = config.root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    port = config.port or free_port()
    database = f"factcheck_airflow_{stack_id}"
    queue = f"factcheck_{stack_id}"
    redis_db = 1 + secrets.randbelow(15)
    api_url = f"http://{config.host}:{port}"
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; name the driver the lock installs.
    meta_sqlalchemy = f"{config.postgres}/{database}".replace("postgresql://", "postgresql+psycopg2://", 1)
    env = airflow_env(root / "airflow", config.dags_folder, config.plugins_folder)
    env.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    env.update(
        {
            STACK_MARKER: stack_id,
            "PATH": f"{Path(airflow_executable()).parent}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_sqlalchemy,
            "AIRFLOW__CELERY__BROKER_URL": f"{config.redis}/{redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + meta_sqlalchemy,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,  # other stacks on the same Redis never take our tasks
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
            "AIRFLOW__API__BASE_URL": api_url,
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "pipeline.localairflow.worker_hostname",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(root / "airflow" / "passwords.json"),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        }
    )
    if config.writer_queue:
        env["FACTCHECK_LOAD_QUEUE"] = f"{queue}_duckdb"
    env.update(config.extra_env)
    (root / "airflow").mkdir(parents=True, exist_ok=True)
    stack = Stack(stack_id, root, env, database, config.postgres, f"{config.redis}/{redis_db}", queue, api_url)
    try:
        _execute_and_close(_admin_connection(config.postgres), f'CREATE DATABASE "{database}"')
        stack.save()
        prepare(env, timeout=timeout)
        airflow = airflow_executable()
        _spawn(stack, "api-server", [airflow, "api-server", "--host", config.host, "--port", str(port),
                                     "--workers", "1"], env, die_with_parent)
        _spawn(stack, "scheduler", [airflow, "scheduler", "--skip-serve-logs"], env, die_with_parent)
        _spawn(stack, "dag-processor", [airflow, "dag-processor"], env, die_with_parent)
        for i in range(1, config.workers + 1):
            name = f"worker-{i}"
            worker_env = dict(env)
            worker_env[WORKER_HOSTNAME] = f"{name}.{stack_id}"
            worker_env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(free_port())
            queues = f"{queue},{env['FACTCHECK_LOAD_QUEUE']}" if i == 1 and env.get("FACTCHECK_LOAD_QUEUE") else queue
            args = [airflow, "celery", "worker", "--celery-hostname", f"{name}@{stack_id}", "--queues", queues,
                    "--concurrency", str(config.concurrency), "--without-gossip", "--without-mingle"]
            _spawn(stack, name, args, worker_env, die_with_parent)
            stack.worker_names.append(worker_env[WORKER_HOSTNAME])
        stack.save()
        _wait(lambda: _http_ok(f"{api_url}/api/v2/monitor/health"), timeout, "the api-server did not come up", stack)
        for i in range(1, config.workers + 1):
            name = f"worker-{i}"
            _wait(lambda n=name: " ready." in stack.log_tail(n, 200_000), timeout, f"{name} did not come up", stack)  # type: ignore[misc]
    except BaseException:
        stack.stop()
        raise
    return stack


def _http_ok(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
