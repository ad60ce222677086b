"""End to end: 1,000 synthetic articles from a loopback server through ``factcheck run`` and the DAG.

    PYTHONPATH=src python benchmarks/end_to_end.py [--rounds 3] [--json out.json]

A ``SyntheticNewsroom`` (10 outlets x 100 generated articles, one RSS feed each) is served on
127.0.0.1 from this process; per-host delay 0. Each round, back to back and in alternating order,
into fresh data directories:

* in-process: ``python -m pipeline.cli run`` (discover, fetch, parse, extract for every outlet,
  then the load, in one process);
* Airflow: ``airflow dags test news_ingest`` against a temporary AIRFLOW_HOME (SQLite metadata,
  prepared once), the same work as mapped tasks, the Airflow process start included.

Figures: articles per minute, peak RSS of each process, and Airflow's time as a ratio to the
in-process run of the same round. Then the memory check: one ``factcheck run`` whose single outlet
carries a 1,000-article batch (``max_articles_per_outlet=1000``), so one parse and one extract call
hold all 1,000 articles: its peak RSS is what a worker needs for such a batch. Finally a run of a
quarter of the work (10 x 25) shows whether time per article stays the same as the work grows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, Measured, Result, Row, median, run_measured, subprocess_env  # noqa: E402
from synthetic_newsroom import SyntheticNewsroom  # noqa: E402

TARGET_AIRFLOW_RATIO = 1.5
TARGET_RSS_MB = 2048
TIMEOUT = 3600


def fc_env(data: Path, sources: Path, **extra: str) -> dict[str, str]:
    return subprocess_env(
        FACTCHECK_SOURCES_PATH=str(sources),
        FACTCHECK_DATA_DIR=str(data),
        FACTCHECK_ALLOW_PRIVATE_NETWORK="true",
        FACTCHECK_PER_HOST_DELAY="0",
        FACTCHECK_MAX_RETRIES="0",
        **extra,
    )


def counts(db: Path) -> tuple[int, int]:
    from pipeline import store

    con = store.connect(db, read_only=True)
    try:
        c = store.table_counts(con)
    finally:
        con.close()
    return c["articles"], c["claims"]


def cli_run(work: Path, tag: str, sources: Path, **extra: str) -> tuple[Measured, int, int]:
    data = work / f"cli-{tag}"
    m = run_measured(
        [sys.executable, "-m", "pipeline.cli", "run", "-q", "--run-id", f"bench-{tag}"],
        fc_env(data, sources, **extra),
        TIMEOUT,
    )
    arts, claims = counts(data / "factcheck.duckdb")
    print(f"   factcheck run {tag}: {m.wall:.1f} s (cpu {m.cpu:.1f} s), {m.rss_mb:.0f} MB, {arts} articles, "
          f"{claims} claims", flush=True)
    return m, arts, claims


def airflow_run(work: Path, tag: str, sources: Path, home: Path, logical_date: str) -> tuple[Measured, int, int]:
    from pipeline import localairflow

    data = work / f"af-{tag}"
    env = localairflow.airflow_env(home, REPO / "dags", extra=fc_env(data, sources))
    env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    m = run_measured([localairflow.airflow_executable(), "dags", "test", "news_ingest", logical_date], env, TIMEOUT)
    if "state=failed" in m.output or "DagRunState.FAILED" in m.output:
        raise RuntimeError(f"the DAG run failed:\n{m.output[-4000:]}")
    arts, claims = counts(data / "factcheck.duckdb")
    print(f"   airflow dags test {tag}: {m.wall:.1f} s (cpu {m.cpu:.1f} s), {m.rss_mb:.0f} MB, {arts} articles, "
          f"{claims} claims", flush=True)
    return m, arts, claims


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--per-outlet", type=int, default=100)
    parser.add_argument("--paragraphs", type=int, default=5, help="paragraphs an article (2-4 sentences each)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the 1 x 1,000 batch run")
    parser.add_argument("--skip-scaling", action="store_true", help="skip the quarter-size run")
    parser.add_argument("--json")
    args = parser.parse_args()
    n_articles = args.outlets * args.per_outlet

    from pipeline import localairflow

    result = Result(
        name="end_to_end",
        title="End to end",
        command=f"PYTHONPATH=src python benchmarks/end_to_end.py --rounds {args.rounds} "
        f"--paragraphs {args.paragraphs}",
    )
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        work = Path(tmp)
        home = work / "airflow"
        af_env = localairflow.airflow_env(home, REPO / "dags", extra=subprocess_env())
        print(" preparing Airflow metadata (db migrate, pool)", flush=True)
        localairflow.prepare(af_env)
        with SyntheticNewsroom(args.outlets, args.per_outlet, args.paragraphs) as news:
            sources = news.write_sources(work / "sources.yaml")
            result.notes.append(
                f"synthetic newsroom: {args.outlets} outlets x {args.per_outlet} articles, "
                f"{news.n_chars / n_articles:,.0f} characters of body text an article, served on loopback"
            )
            cli: list[Measured] = []
            af: list[Measured] = []
            table = ["| round | factcheck run: wall / CPU (s) | airflow dags test: wall / CPU (s) | ratio, wall "
                     "| ratio, CPU | articles | claims |", "|---|---|---|---|---|---|---|"]
            for r in range(args.rounds):
                date = f"2026-03-{r + 1:02d}T00:00:00+00:00"
                if r % 2 == 0:
                    c, c_arts, c_claims = cli_run(work, str(r), sources)
                    a, a_arts, a_claims = airflow_run(work, str(r), sources, home, date)
                else:
                    a, a_arts, a_claims = airflow_run(work, str(r), sources, home, date)
                    c, c_arts, c_claims = cli_run(work, str(r), sources)
                if c_arts != n_articles or a_arts != n_articles or c_claims != a_claims:
                    result.notes.append(f"round {r + 1}: counts differ: run {c_arts, c_claims} vs DAG "
                                        f"{a_arts, a_claims}")
                cli.append(c)
                af.append(a)
                table.append(f"| {r + 1} | {c.wall:.1f} / {c.cpu:.1f} | {a.wall:.1f} / {a.cpu:.1f} "
                             f"| {a.wall / c.wall:.3f} | {a.cpu / c.cpu:.3f} | {c_arts} / {a_arts} "
                             f"| {c_claims} / {a_claims} |")
            result.tables.append("\n".join(table))
            cli_t = [m.wall for m in cli]
            result.rows += [
                Row(f"factcheck run, {n_articles:,} articles: articles per minute", n_articles / median(cli_t) * 60,
                    "art/min"),
                Row("factcheck run: wall time", median(cli_t), "s"),
                Row("airflow dags test: articles per minute", n_articles / median([m.wall for m in af]) * 60,
                    "art/min"),
                Row(f"Airflow / in-process, wall time ({n_articles:,} articles)",
                    median([a.wall / c.wall for a, c in zip(af, cli, strict=True)]), "x", TARGET_AIRFLOW_RATIO),
                Row(f"Airflow / in-process, CPU time ({n_articles:,} articles)",
                    median([a.cpu / c.cpu for a, c in zip(af, cli, strict=True)]), "x", TARGET_AIRFLOW_RATIO),
                Row("factcheck run: peak RSS (whole run, one process)", median([m.rss_mb for m in cli]), "MB",
                    TARGET_RSS_MB),
                Row("airflow dags test: peak RSS (every task in one process)", median([m.rss_mb for m in af]), "MB"),
            ]
        if not args.skip_scaling:
            quarter = max(1, args.per_outlet // 4)
            with SyntheticNewsroom(args.outlets, quarter, args.paragraphs, seed=11) as news:
                sources = news.write_sources(work / "sources-quarter.yaml")
                q = cli_run(work, "quarter", sources)
            per_small = q[0].wall / q[1]
            per_full = median(cli_t) / n_articles
            result.rows.append(Row(f"time per article, {n_articles} vs {q[1]} articles (growth)",
                                   per_full / per_small, "x", note="1.0 = linear; below 1 = fixed costs amortised"))
            result.notes.append(f"{q[1]} articles took {q[0].wall:.1f} s ({per_small * 1000:.0f} ms an article); "
                                f"{n_articles} took {median(cli_t):.1f} s ({per_full * 1000:.0f} ms an article)")
        if not args.skip_memory:
            with SyntheticNewsroom(1, n_articles, args.paragraphs, seed=13) as news:
                sources = news.write_sources(work / "sources-one.yaml")
                m, m_arts, m_claims = cli_run(work, "one-batch", sources,
                                              FACTCHECK_MAX_ARTICLES_PER_OUTLET=str(n_articles))
            result.rows.append(Row(f"peak RSS, one worker with a {m_arts:,}-article batch (parse + extract + load)",
                                   m.rss_mb, "MB", TARGET_RSS_MB))
            result.notes.append(f"1 outlet x {m_arts} articles in one batch: {m.wall:.1f} s, {m_claims} claims")
    result.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
