"""Compare at scale: ``factcheck compare`` on one hour's new claims with 10k, 100k and 1M claims
stored (and compared), and the comparison views on top.

    PYTHONPATH=src python benchmarks/compare_scale.py [--sizes 10000,100000,1000000] [--json out.json]

The stored claims come from ``store_scale.Generator`` (synthetic, a steady stream over a year),
loaded with ``store.load_batch``. Their comparison is written in bulk here rather than by running
compare over the whole history (which would time the first run, not the hourly one): each stored
claim gets its canonical speaker (``Speaker N`` -> ``person:speaker-n``), a cluster (word-for-word
repeats share one) and its terms computed by ``content_terms``, as the tables would hold them.
Then one hour's new claims (the next articles of the stream) are loaded, and ``factcheck compare
--db`` runs in a child process, timed with its peak memory. The target of issue 15: under a minute
at 1M stored. Then the new views are queried, top rows only, median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import claims_view_scale  # noqa: E402
import store_scale  # noqa: E402
from common import REPO, Result, Row, median, run_measured, subprocess_env  # noqa: E402

QUERIES: dict[str, str] = {
    "cluster_coverage": (
        "SELECT n_outlets, outlets, asserted_by, denied_by, first_outlet, representative FROM cluster_coverage "
        "ORDER BY n_outlets DESC, first_seen_at LIMIT 20"
    ),
    "contradictions": "SELECT * FROM contradictions ORDER BY denied_at DESC LIMIT 20",
    "claim_wording": "SELECT * FROM claim_wording WHERE cluster_id = (SELECT max(cluster_id) FROM claim_clusters)",
    "speaker_timeline": "SELECT * FROM speaker_timeline WHERE speaker_id = 'person:speaker-3' ORDER BY seq LIMIT 50",
    "speaker_outlets": "SELECT * FROM speaker_outlets ORDER BY n_claims DESC LIMIT 20",
}


def _compare_stored(con: object) -> None:
    """The comparison tables as earlier runs would have left them, for every stored claim."""
    run = "bench-history"
    sql = [
        f"""INSERT INTO speakers SELECT DISTINCT 'person:' || replace(lower(speaker), ' ', '-'), speaker, 'person',
                [speaker], '{run}' FROM claims ON CONFLICT DO NOTHING""",
        f"""INSERT INTO claim_speakers SELECT claim_id, 'person:' || replace(lower(speaker), ' ', '-'),
                'person:' || replace(lower(speaker), ' ', '-'), NULL, 'name', '{run}' FROM claims
            ON CONFLICT DO NOTHING""",
        # wire repeats (same wording) share a cluster; every other claim founds its own
        f"""INSERT INTO claim_clusters (claim_id, cluster_id, stance, sign, reason, score, assigned_at, compare_run_id)
            SELECT claim_id, 'cl-' || left(md5(first_value(claim_id) OVER w), 16),
                   CASE WHEN polarity = first_value(polarity) OVER w THEN '+' ELSE '-' END,
                   CASE WHEN polarity = 'denies' THEN -1 ELSE 1 END,
                   CASE WHEN row_number() OVER w = 1 THEN 'new' ELSE 'joined' END, NULL, now(), '{run}'
            FROM claims WINDOW w AS (PARTITION BY content ORDER BY claim_id)
            ON CONFLICT DO NOTHING""",
    ]
    sql += [  # the stored cluster summaries, as the compare runs would have kept them
        "DELETE FROM cluster_summaries",
        "INSERT INTO cluster_summaries BY NAME SELECT * FROM cluster_coverage",
    ]
    for statement in sql:
        con.execute(statement)  # type: ignore[attr-defined]
    # the terms a compare run stores with each assignment, computed as it computes them
    from pipeline.compare.wording import content_terms

    rows = con.execute("SELECT claim_id, content FROM claims").fetchall()  # type: ignore[attr-defined]
    for i in range(0, len(rows), 100_000):
        chunk = rows[i : i + 100_000]
        con.execute(  # type: ignore[attr-defined]
            "CREATE OR REPLACE TEMP TABLE _terms AS SELECT unnest(?::VARCHAR[]) AS claim_id, "
            "unnest(?::VARCHAR[][]) AS terms",
            [[r[0] for r in chunk], [sorted(content_terms(r[1])) for r in chunk]],
        )
        con.execute(  # type: ignore[attr-defined]
            "UPDATE claim_clusters SET terms = t.terms FROM _terms t WHERE claim_clusters.claim_id = t.claim_id"
        )
    con.execute("DROP TABLE IF EXISTS _terms")  # type: ignore[attr-defined]


class _Loader:
    """Loads the generator's next articles as one batch, through ``store.load_batch``."""

    def __init__(self, gen: store_scale.Generator, con: Any, work: Path) -> None:
        self.gen, self.con, self.work, self.n = gen, con, work, 0

    def load(self, articles: int) -> int:
        """Load the next ``articles`` articles of the stream; returns the claims loaded."""
        from pipeline import store

        store_scale.ARTICLES_PER_BATCH = articles
        outlet = f"Outlet {self.n % 20}"
        arts, claims = self.gen.batch(outlet, "bench")
        af, cf = self.work / f"a{self.n}.jsonl", self.work / f"c{self.n}.jsonl"
        store_scale.write_jsonl(af, arts)
        store_scale.write_jsonl(cf, claims)
        counts = store.load_batch(self.con, store.Batch(f"bench-{self.n}", {"name": outlet}, (), af, cf))
        af.unlink()
        cf.unlink()
        self.n += 1
        return int(counts["claims"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hours", type=float, default=1.0, help="new claims: this many hours of the stream")
    parser.add_argument(
        "--generator", choices=("python", "sql"), default="python",
        help="python: store_scale.Generator through store.load_batch (slow: about an hour per 1M claims here); "
        "sql: claims_view_scale's in-database generator, the history and the new hour alike",
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from pipeline import store

    result = Result(
        name="compare",
        title="Compare at scale",
        command=f"PYTHONPATH=src python benchmarks/compare_scale.py --sizes {args.sizes} --generator {args.generator}",
    )
    hour_articles = max(1, round(store_scale.ARTICLES_PER_DAY * args.hours / 24))
    table = ["| stored claims | new claims | compare wall | peak RSS | restored | " + " | ".join(QUERIES) + " |"]
    table.append("|---" * (5 + len(QUERIES)) + "|")
    walls: dict[int, float] = {}
    for size in sizes:
        gen = store_scale.Generator()
        with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
            work = Path(tmp)
            db = work / "bench.duckdb"
            con = store.connect(db)
            loader = _Loader(gen, con, work)
            loaded = 0
            if args.generator == "sql":
                claims_view_scale.generate_sql(con, size)
                loaded = size
            while loaded < size:
                loaded += loader.load(min(1_000, (size - loaded) // store_scale.CLAIMS_PER_ARTICLE or 1))
            _compare_stored(con)
            if args.generator == "sql":
                fresh = hour_articles * store_scale.CLAIMS_PER_ARTICLE
                claims_view_scale.generate_sql(con, fresh, first=size)
            else:
                fresh = loader.load(hour_articles)
            con.execute("CHECKPOINT")
            con.close()
            print(f" {loaded:,} claims stored and compared, {fresh} new; running factcheck compare", flush=True)
            cmd = [sys.executable, "-m", "pipeline.cli", "compare", "--db", str(db), "--limit", "3"]
            measured = run_measured(cmd, subprocess_env(), timeout=1800, cwd=REPO)
            con = store.connect(db, read_only=True)
            row = con.execute(
                "SELECT n_claims, n_restored FROM compare_runs ORDER BY finished_at DESC LIMIT 1"
            ).fetchone()
            assert row is not None and row[0] == fresh, (row, fresh)
            times: dict[str, float] = {}
            for name, sql in QUERIES.items():
                runs = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    con.execute(sql).fetchall()
                    runs.append(time.perf_counter() - t0)
                times[name] = median(runs)
            con.close()
            walls[size] = measured.wall
            print(f"   compare {measured.wall:.2f} s, {measured.rss_mb:.0f} MB; views {times}", flush=True)
            cells = [f"{size:,}", str(fresh), f"{measured.wall:.2f} s", f"{measured.rss_mb:.0f} MB", f"{row[1]:,}"]
            table.append("| " + " | ".join(cells + [f"{times[q]:.3f} s" for q in QUERIES]) + " |")
            result.rows.append(
                Row(f"compare of {args.hours:g} h of new claims at {size:,} stored", measured.wall, "s",
                    60.0 if size >= 1_000_000 else None)
            )  # fmt: skip
    result.tables.append("\n".join(table))
    result.notes.append(
        "wall time of `factcheck compare` includes the process start, imports, opening and migrating the file "
        "and recreating the views; 'restored' is the stored claims read back as the state to compare with "
        "(those within the 31-day cluster window)"
    )
    result.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
