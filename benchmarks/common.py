"""Shared helpers for the performance benchmarks: timing, medians, machine facts, result files.

Each benchmark script measures one thing and writes a JSON result file (``--json PATH``) that
``run_all.py`` turns into docs/BENCHMARKS.md. A result holds figures beside their targets:

    {"name": ..., "title": ..., "command": ..., "rows": [Row...], "notes": [...], "tables": [...]}

Timings are medians of several rounds; ratios are the median of per-round ratios, each taken
between two measurements made back to back in the same round (order alternated), so that load
from other work on the machine falls on both sides of a ratio.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def shared_dir() -> Path:
    """The shared evaluation data: $FACTCHECK_SHARED_DIR, else ../shared beside the main checkout."""
    env = os.environ.get("FACTCHECK_SHARED_DIR")
    if env:
        return Path(env)
    for base in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if base.exists():
            return base
    return REPO.parent / "shared"


def load_scorer(path: Path) -> ModuleType:
    """One of the shared evaluation scorers (``<shared>/eval/score_*.py``), imported from its file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def extraction_sets(names: list[str]) -> tuple[ModuleType, dict[str, tuple[Path, list[str]]]] | None:
    """The shared extraction scorer and, for each of ``names`` found under
    ``<shared>/data/extraction``, its folder and page files in name order. Says what it skips:
    None without the scorer, and a set that is not there is left out."""
    shared = shared_dir()
    if not (shared / "eval" / "score_extraction.py").exists():
        print(f"skipped: no scorer under {shared} (set FACTCHECK_SHARED_DIR)")
        return None
    scorer = load_scorer(shared / "eval" / "score_extraction.py")
    root = shared / "data" / "extraction"
    sets: dict[str, tuple[Path, list[str]]] = {}
    for name in names:
        folder = root / name
        if not (folder / "ground-truth.json").exists():
            print(f"skipped {name}: not found under {root}")
            continue
        sets[name] = (folder, sorted(str(p) for p in (folder / "html").iterdir() if p.is_file()))
    return scorer, sets


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: this checkout's src first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def run_claims_cli(docs_path: Path, out_path: Path) -> float:
    """Extract claims the way the pipeline does: ``python -m pipeline.cli claims`` in a child process
    with this checkout's src first, from ``docs_path`` (JSONL of id, text) to ``out_path``; returns
    the wall seconds it took."""
    import subprocess

    cmd = [sys.executable, "-m", "pipeline.cli", "claims", "-q", "--input", str(docs_path), "--output", str(out_path)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=subprocess_env(), cwd=REPO)
    return time.perf_counter() - started


@dataclass
class Row:
    """One figure beside its target. ``better`` is 'lower' or 'higher'; no target means informational."""

    figure: str
    value: float | None
    unit: str
    target: float | None = None
    better: str = "lower"
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target


@dataclass
class Result:
    name: str
    title: str
    command: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)  # Markdown blocks shown under the section
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for row, obj in zip(out["rows"], self.rows, strict=True):
            row["ok"] = obj.ok
        return out

    def write(self, path: str | None) -> None:
        text = json.dumps(self.to_json(), indent=2)
        if path:
            Path(path).write_text(text, encoding="utf-8")
        print_result(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        rows = [Row(**{k: v for k, v in r.items() if k != "ok"}) for r in data.get("rows", [])]
        return cls(
            name=data["name"],
            title=data["title"],
            command=data["command"],
            rows=rows,
            notes=list(data.get("notes", [])),
            tables=list(data.get("tables", [])),
            skipped=data.get("skipped"),
        )


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if unit in ("x", "ratio"):
        return f"{value:.2f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def verdict(row: Row) -> str:
    ok = row.ok
    if ok is None:
        return ""
    return "meets" if ok else "**SHORT**"


def target_text(row: Row) -> str:
    if row.target is None:
        return ""
    sign = "<=" if row.better == "lower" else ">="
    return f"{sign} {fmt(row.target, row.unit)}"


def print_result(result: Result) -> None:
    print(f"\n== {result.title}")
    if result.skipped:
        print(f"   skipped: {result.skipped}")
        return
    for row in result.rows:
        mark = {True: "ok   ", False: "SHORT", None: "     "}[row.ok]
        tgt = target_text(row)
        print(f"   {mark} {row.figure}: {fmt(row.value, row.unit)} {row.unit}" + (f"   (target {tgt})" if tgt else ""))
    for note in result.notes:
        print(f"   - {note}")
    sys.stdout.flush()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Paired:
    """Back-to-back timings of two steps: wall and CPU seconds of each, per round."""

    wall_a: list[float] = field(default_factory=list)
    wall_b: list[float] = field(default_factory=list)
    cpu_a: list[float] = field(default_factory=list)
    cpu_b: list[float] = field(default_factory=list)

    @property
    def wall_ratios(self) -> list[float]:
        return [b / a for a, b in zip(self.wall_a, self.wall_b, strict=True)]

    @property
    def cpu_ratios(self) -> list[float]:
        return [b / a for a, b in zip(self.cpu_a, self.cpu_b, strict=True)]


def _clock(fn: Callable[[], Any]) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def paired_rounds(rounds: int, a: Callable[[], Any], b: Callable[[], Any]) -> Paired:
    """Time ``a`` and ``b`` back to back ``rounds`` times, alternating which goes first.

    Wall time is what a user waits; CPU time of this process is the work done, and it is far less
    disturbed by other jobs on a shared machine, so both are kept.
    """
    p = Paired()
    for r in range(rounds):
        if r % 2 == 0:
            wa, ca = _clock(a)
            wb, cb = _clock(b)
        else:
            wb, cb = _clock(b)
            wa, ca = _clock(a)
        p.wall_a.append(wa)
        p.wall_b.append(wb)
        p.cpu_a.append(ca)
        p.cpu_b.append(cb)
        print(
            f"   round {r + 1}/{rounds}: wall {wa:.2f} s | {wb:.2f} s (ratio {wb / wa:.3f}); "
            f"cpu {ca:.2f} s | {cb:.2f} s (ratio {cb / ca:.3f})",
            flush=True,
        )
    return p


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
                break
    except OSError:
        pass
    versions = {}
    for mod in ("spacy", "duckdb", "trafilatura", "airflow"):
        try:
            from importlib.metadata import version

            dist = {"airflow": "apache-airflow"}.get(mod, mod)
            versions[mod] = version(dist)
        except Exception:  # noqa: BLE001 (a missing package is reported, not fatal)
            versions[mod] = "not installed"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem,
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load": f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
    }


@dataclass
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and the children it waited for
    rss_mb: float  # peak RSS of the largest of them
    output: str


def run_measured(args: list[str], env: dict[str, str], timeout: float, cwd: Path | None = None) -> Measured:
    """Run a command; return its wall time, CPU time, peak RSS (MB) and output.

    Uses ``os.wait4`` so the RSS is that of this child (and the descendants it waited for), not
    of earlier children.
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(args[:4])} ...` exited {proc.returncode} after {wall:.0f} s:\n{text[-4000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)
