"""Load throughput with 1, 2 and 4 concurrent writers: DuckLake (PostgreSQL catalog) beside the embedded file.

    PYTHONPATH=src python benchmarks/lake_writers.py [--writers 1,2,4] [--batches 16] [--articles 200]
        [--claims 5] [--rounds 2] [--inline 10] [--postgres postgresql://postgres@127.0.0.1:5432] [--json out.json]

The same work every time: ``--batches`` outlet batches of ``--articles`` articles x ``--claims`` claims
(synthetic rows written as staging files here, nothing copied), split over W writer processes, each
writing its own outlets. Every writer does what the load stage does per batch: open the store
(``store.open_store``: on the lake that loads the extensions, attaches the catalog and checks the
migrations), ``load_batch`` in one transaction, retried on a commit conflict, close. On the embedded
file W writers take turns at the file lock (DuckDB allows one writing process), so W > 1 measures
what the wait costs; on DuckLake they commit concurrently.

Reported: rows stored per second (articles + claims, wall time from the first writer's start to the
last one's end), the seconds a writer spends opening the store, the conflicts retried, and the
Parquet files the lake holds afterwards. A fresh catalog database and data path per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, Result, Row, median, subprocess_env  # noqa: E402

WORKER = r"""
import json, resource, sys, time
from contextlib import contextmanager
from pathlib import Path
from pipeline import store
from pipeline.settings import Settings
from pipeline.store import lake as lake_mod
from pipeline.store import load as load_mod

committing = 0.0

@contextmanager
def timed_transaction(con):  # the loader's transaction, with the time its COMMIT takes
    global committing
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    t = time.perf_counter()
    try:
        con.execute("COMMIT")
    finally:
        committing += time.perf_counter() - t

load_mod.transaction = timed_transaction

spec = json.loads(sys.argv[1])
settings = Settings(**{k: (Path(v) if k in ("data_dir", "db_path") else v) for k, v in spec["settings"].items()})
inline = spec["inline"]
opened = loaded = 0.0
conflicts = 0
for folder in spec["batches"]:
    folder = Path(folder)
    batch = store.Batch(spec["run_id"], {"name": folder.name, "domain": None, "feeds": [], "urls": []},
                        (), folder / "articles.jsonl", folder / "claims.jsonl")
    t0 = time.perf_counter()
    if settings.store == "ducklake":
        con = lake_mod.connect_lake(lake_mod.Lake(settings.lake_catalog, settings.lake_data_path, inline))
    else:
        con = store.open_store(settings)
    t1 = time.perf_counter()
    attempts = 0
    def once():
        global attempts
        attempts += 1
        return store.load_batch(con, batch)
    store.retry_conflicts(con, once, folder.name)
    con.close()
    conflicts += attempts - 1
    opened += t1 - t0
    loaded += time.perf_counter() - t1
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"opened": opened, "loaded": loaded, "conflicts": conflicts, "commit": committing,
                  "cpu": use.ru_utime + use.ru_stime}))
"""


def write_batches(root: Path, n_batches: int, n_articles: int, n_claims: int) -> list[Path]:
    """Staging files of ``n_batches`` outlets (one batch each): articles and their claims, as the stages write."""
    from pipeline.staging import write_jsonl

    folders = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for b in range(n_batches):
        outlet = f"outlet-{b:03d}"
        folder = root / outlet
        articles, claims = [], []
        for a in range(n_articles):
            sentences = [f"Speaker {a % 17} said that the harbour plan {b}-{a}-{c} would cost {c + 3} million."
                         for c in range(n_claims)]
            text = " ".join(sentences)
            article_id = f"{outlet}-{a:05d}"
            seen = (start + timedelta(minutes=a)).isoformat()
            articles.append({
                "article_id": article_id, "canonical_url": f"https://{outlet}.example/{a}",
                "url": f"https://{outlet}.example/{a}", "outlet": outlet, "title": f"Story {a}",
                "authors": ["A. Writer"], "published_at": seen, "modified_at": None, "fetched_at": seen,
                "language": "en", "text": text, "content_hash": f"{outlet}-{a}", "raw_ref": None,
                "minhash": None, "bands": None, "wire": None, "claimed_canonical_url": None,
            })
            offset = 0
            for c, sentence in enumerate(sentences):
                content = sentence[sentence.index("the harbour"):-1]
                start_at = offset + sentence.index("the harbour")
                claims.append({
                    "claim_id": f"{article_id}-{c}", "article_id": article_id, "kind": "indirect",
                    "speaker": f"Speaker {a % 17}", "speaker_start": offset, "speaker_end": offset + 10,
                    "speaker_resolved": None, "speaker_role": None, "cue": "said", "cue_start": offset + 11,
                    "cue_end": offset + 15, "cue_strength": "neutral", "content": content,
                    "content_start": start_at, "content_end": start_at + len(content), "polarity": "asserts",
                    "entities": [], "extractor_version": "bench-1",
                })
                offset += len(sentence) + 1
        write_jsonl(folder / "articles.jsonl", articles)
        write_jsonl(folder / "claims.jsonl", claims)
        folders.append(folder)
    return folders


def _admin(postgres: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(f"{postgres}/postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


def measure(backend: str, writers: int, folders: list[Path], tmp: Path, postgres: str,
            inline: int | None) -> dict[str, float]:
    """One measurement on a fresh store: W writer processes share the batches; rows/s and what they report."""
    from pipeline import store
    from pipeline.settings import Settings

    tag = uuid.uuid4().hex[:10]
    admin = None
    settings: dict[str, Any] = {"data_dir": str(tmp / f"data-{tag}")}
    if backend == "ducklake":
        admin = _admin(postgres)
        admin.cursor().execute(f'CREATE DATABASE "bench_lake_{tag}"')
        settings.update(store="ducklake", lake_catalog=f"{postgres}/bench_lake_{tag}",
                        lake_data_path=str(tmp / f"lake-{tag}") + "/")
    try:
        s = Settings(**{k: (Path(v) if k == "data_dir" else v) for k, v in settings.items()})
        store.open_store(s).close()  # the schema exists before the clock starts, as after a first run
        shares = [folders[i::writers] for i in range(writers)]
        env = subprocess_env()
        t0 = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, json.dumps({"settings": settings, "inline": inline, "run_id": "bench",
                                                           "batches": [str(f) for f in share]})],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
            )
            for share in shares
        ]
        outs = [p.communicate(timeout=3600) for p in procs]
        wall = time.perf_counter() - t0
        for p, (_, err) in zip(procs, outs, strict=True):
            if p.returncode != 0:
                raise RuntimeError(f"a {backend} writer failed:\n{err[-3000:]}")
        reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
        with store.reading_store(s) as r:
            row = r.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM claims)").fetchone()
        assert row is not None
        files = sum(1 for _ in Path(settings.get("lake_data_path", tmp / "none")).rglob("*.parquet")) \
            if backend == "ducklake" else 0
        return {
            "rows_per_s": (int(row[0]) + int(row[1])) / wall,
            "wall": wall,
            "open_s": sum(r["opened"] for r in reports) / len(folders),
            "load_s": sum(r["loaded"] for r in reports) / len(folders),
            "conflicts": sum(r["conflicts"] for r in reports),
            "commit_s": sum(r["commit"] for r in reports) / len(folders),
            "cpu_share": sum(r["cpu"] for r in reports) / wall,
            "files": files,
            "rows": int(row[0]) + int(row[1]),
        }
    finally:
        if admin is not None:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "bench_lake_{tag}" WITH (FORCE)')
            admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--batches", type=int, default=16)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--claims", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--inline", type=int, default=None, help="DATA_INLINING_ROW_LIMIT (default: DuckLake's own)")
    parser.add_argument("--backends", default="duckdb,ducklake")
    parser.add_argument("--postgres", default=os.environ.get("FACTCHECK_STACK_POSTGRES",
                                                             "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--json")
    args = parser.parse_args()
    counts = [int(w) for w in args.writers.split(",")]
    backends = args.backends.split(",")
    command = "benchmarks/lake_writers.py " + " ".join(sys.argv[1:])
    result = Result(name="lake", title="Load with concurrent writers (issue 24)", command=command)
    try:
        _admin(args.postgres).close()
    except Exception as e:  # noqa: BLE001  (psycopg2.OperationalError: nothing listens)
        if "ducklake" in backends:
            result.skipped = f"no PostgreSQL at {args.postgres} ({str(e).splitlines()[0]})"
            result.write(args.json)
            print(result.skipped)
            return 0
    with tempfile.TemporaryDirectory(prefix="lake-bench-") as tmp_name:
        tmp = Path(tmp_name)
        folders = write_batches(tmp / "staging", args.batches, args.articles, args.claims)
        runs: dict[tuple[str, int], list[dict[str, float]]] = {}
        for _ in range(args.rounds):
            for w in counts:
                for backend in backends:  # back to back, so that the machine's load falls on both
                    m = measure(backend, w, folders, tmp, args.postgres, args.inline)
                    runs.setdefault((backend, w), []).append(m)
                    print(f"{backend} x{w}: {m['rows_per_s']:.0f} rows/s, open {m['open_s']:.2f} s/batch, "
                          f"load {m['load_s']:.2f} s/batch (commit {m['commit_s']:.2f}), "
                          f"cpu/wall {m['cpu_share']:.2f}, "
                          f"{m['conflicts']:.0f} conflicts, {m['files']:.0f} files",
                          flush=True)
    lines = ["| store | writers | rows/s | wall s | open s/batch | load s/batch | of which COMMIT "
             "| writers' CPU / wall | conflicts retried | Parquet files |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for (backend, w), ms in sorted(runs.items()):
        def med(key: str, ms: list[dict[str, float]] = ms) -> float:
            return median([m[key] for m in ms])
        lines.append(f"| {backend} | {w} | {med('rows_per_s'):,.0f} | {med('wall'):.1f} | {med('open_s'):.2f} | "
                     f"{med('load_s'):.2f} | {med('commit_s'):.2f} | {med('cpu_share'):.2f} | {med('conflicts'):.0f} | "
                     f"{med('files'):.0f} |")
        result.rows.append(Row(f"{backend}, {w} writer(s): rows stored per second", med("rows_per_s"), "rows/s",
                               better="higher"))
    if ("ducklake", 1) in runs and ("ducklake", max(counts)) in runs:
        one = median([m["rows_per_s"] for m in runs[("ducklake", 1)]])
        many = median([m["rows_per_s"] for m in runs[("ducklake", max(counts))]])
        result.rows.append(Row(f"DuckLake: {max(counts)} writers over 1", many / one, "x", target=1.0, better="higher"))
    result.tables.append("\n".join(lines))
    rows = runs[next(iter(runs))][0]["rows"]
    result.notes.append(f"{args.batches} batches of {args.articles} articles x {args.claims} claims ({rows:,} rows), "
                        f"{args.rounds} round(s), medians; inline limit {args.inline or 'DuckLake default (10)'}")
    print("\n".join(lines))
    result.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
