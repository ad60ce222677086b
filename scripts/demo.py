#!/usr/bin/env python3
"""The offline demo: the sample newsroom on loopback, the real news_ingest and compare_claims DAGs,
then the comparison across outlets.

    make demo            (or: .venv/bin/python scripts/demo.py [--keep])

Everything it writes goes under ./data/demo (the DuckDB file stays there for you to query).
The outlets, people and events of the sample newsroom are fictional.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from pipeline import localairflow, store
from pipeline.cli import format_table
from pipeline.demo.server import NewsroomServer
from pipeline.files import Busy, only_one

REPO = Path(__file__).resolve().parents[1]

QUERIES = [
    (
        "Claim clusters: one proposition across outlets, who asserts and who denies, who had it first",
        """SELECT n_outlets AS outlets_n, outlets, n_independent AS reports, asserted_by, denied_by,
                  first_outlet, first_speaker, first_seen_at, representative
           FROM cluster_coverage WHERE n_claims > 1 ORDER BY n_outlets DESC, first_seen_at""",
    ),
    (
        "Each outlet's version of the shared clusters: speaker as resolved, stance and cue",
        """SELECT c.cluster_id, c.outlet, coalesce(c.canonical_speaker, c.speaker_name) AS speaker, c.stance,
                  c.cue, c.seen_at, c.content
           FROM claims_by_source c JOIN cluster_coverage k USING (cluster_id)
           WHERE k.n_claims > 1 ORDER BY k.first_seen_at, c.cluster_id, c.seen_at""",
    ),
    (
        "Contradictions (alerts): an assertion and a denial in one cluster",
        """SELECT asserted_by, asserting_outlet, assertion, denied_by, denying_outlet, denial
           FROM contradictions ORDER BY asserted_at, denied_at""",
    ),
    (
        "Claims per outlet: who said what, and with which stance",
        """SELECT outlet, speaker_name AS speaker, polarity, cue, content
           FROM claims_by_source ORDER BY seen_at, outlet, content_start""",
    ),
    (
        "Assertions set against denials: claims whose wording overlaps, one asserted and one denied",
        """SELECT score, asserted_by, asserting_outlet, assertion, denied_by, denying_outlet, denial
           FROM contested_claims ORDER BY score DESC, asserted_at LIMIT 6""",
    ),
    (
        "Per named entity: which outlets carry claims about it, who asserts and who denies",
        """SELECT entity, n_outlets, asserted_by, denied_by, first_outlet
           FROM entity_claims WHERE n_outlets > 1 ORDER BY n_claims DESC, entity LIMIT 10""",
    ),
    (
        "The same claim carried by several outlets (wire copy), and who had it first",
        """SELECT n_outlets, outlets, first_outlet, first_seen_at, content
           FROM claim_spread WHERE n_outlets > 1 ORDER BY n_outlets DESC, first_seen_at""",
    ),
    (
        "Speakers across outlets",
        """SELECT speaker, names, n_claims, n_outlets, n_asserts, n_denies, first_outlet
           FROM speaker_outlets ORDER BY n_claims DESC, speaker LIMIT 15""",
    ),
    (
        "What could not be fetched or parsed, with the reason",
        """SELECT stage, url, reason FROM fetch_log WHERE NOT ok ORDER BY url""",
    ),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(REPO / "data" / "demo"), help="where the demo writes")
    parser.add_argument("--keep", action="store_true", help="keep the previous demo database (shows idempotence)")
    args = parser.parse_args()
    data = Path(args.data_dir).resolve()
    # one demo at a time: a second one would migrate the same Airflow database and delete the
    # folder under the first; the lock sits beside the folder, so deleting the folder keeps it
    try:
        with only_one(data.parent / f".{data.name}.lock", f"another demo writing to {data}"):
            return run(data, args.keep)
    except Busy as e:
        print(f"Not starting: {e}. Wait for it to finish, or give this one its own --data-dir.", file=sys.stderr)
        return 1


def run(data: Path, keep: bool) -> int:
    """The demo itself, with the lock held."""
    if data.exists() and not keep:
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    env = localairflow.airflow_env(data / "airflow", REPO / "dags", REPO / "plugins")
    print(f"Preparing a local Airflow in {data / 'airflow'} ...", flush=True)
    localairflow.prepare(env)
    with NewsroomServer() as server:
        sources = server.write_sources(data / "sources.yaml")
        print(f"Sample newsroom (fictional outlets) serving on {server.base_url}; sources: {sources}", flush=True)
        env.update(
            FACTCHECK_SOURCES_PATH=str(sources),
            FACTCHECK_DATA_DIR=str(data),
            FACTCHECK_ALLOW_PRIVATE_NETWORK="true",
            FACTCHECK_PER_HOST_DELAY="0",
        )
        print("Running the news_ingest DAG through Airflow (airflow dags test) ...", flush=True)
        t0 = time.monotonic()
        localairflow.dags_test(env, "news_ingest", time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))
        print(f"DAG run finished in {time.monotonic() - t0:.0f} s.", flush=True)
        print("Running the compare_claims DAG (scheduled on the claims asset; run here directly) ...", flush=True)
        t0 = time.monotonic()
        localairflow.dags_test(env, "compare_claims", time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))
        print(f"DAG run finished in {time.monotonic() - t0:.0f} s.\n", flush=True)
    db = data / "factcheck.duckdb"
    con = store.connect(db, read_only=True)
    try:
        counts = store.table_counts(con)
        print(f"DuckDB file {db}: {counts}\n")
        for title, sql in QUERIES:
            names, rows = store.query(con, sql)
            print(f"== {title}\n{format_table(names, rows, max_width=70)}\n")
    finally:
        con.close()
    print(f'Query it yourself: .venv/bin/factcheck sql "SELECT * FROM cluster_coverage" --db {db}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
