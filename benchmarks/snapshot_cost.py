"""Read snapshot: what publishing ``<db>.read.duckdb`` adds to a load batch, at a given database size.

    PYTHONPATH=src python benchmarks/snapshot_cost.py [--claims 1000000] [--batches 3]

``store_scale.py`` measures the same publish at each of its sizes, but reaching 1M claims through
its generator takes minutes of CPU. Here the database is filled quickly instead: one generated batch
(``store_scale.Generator``: 1,000 articles x 10 claims) is loaded, then copied in SQL under fresh
ids until the database holds ``--claims`` claims. Then ``--batches`` new generated batches are
loaded through ``store.load_batch``, each followed by ``store.publish_snapshot`` on the same writer
connection, exactly as the load task does; the medians of both are reported, with the file size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median  # noqa: E402
from store_scale import ARTICLES_PER_BATCH, CLAIMS_PER_ARTICLE, Generator, write_jsonl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()

    from pipeline import store

    per_batch = ARTICLES_PER_BATCH * CLAIMS_PER_ARTICLE
    gen = Generator()
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        work = Path(tmp)
        db = work / "bench.duckdb"
        con = store.connect(db)
        try:
            af, cf = work / "a.jsonl", work / "c.jsonl"

            def load(batch_no: int) -> float:
                arts, claims = gen.batch(f"Outlet {batch_no % 20}", "bench")
                write_jsonl(af, arts)
                write_jsonl(cf, claims)
                t0 = time.perf_counter()
                store.load_batch(con, store.Batch(f"bench-{batch_no}", {"name": f"Outlet {batch_no % 20}"}, (), af, cf))
                return time.perf_counter() - t0

            load(0)
            copies = max(0, args.claims // per_batch - 1)
            t0 = time.perf_counter()
            con.execute(  # copies of the first batch under fresh ids, one day apart per copy
                """INSERT INTO articles SELECT a.* REPLACE (article_id || '-' || k AS article_id,
                       canonical_url || '?copy=' || k AS canonical_url, url || '?copy=' || k AS url,
                       published_at + to_days(k::INTEGER) AS published_at, content_hash || '-' || k AS content_hash)
                   FROM articles a, range(1, ? + 1) r(k)""",
                [copies],
            )
            con.execute(
                """INSERT INTO claims SELECT c.* REPLACE (claim_id || '-' || k AS claim_id,
                       article_id || '-' || k AS article_id)
                   FROM claims c, range(1, ? + 1) r(k)""",
                [copies],
            )
            con.execute("CHECKPOINT")
            filled = con.execute("SELECT count(*) FROM claims").fetchone()
            print(f"filled to {filled[0] if filled else 0:,} claims in {time.perf_counter() - t0:.1f} s", flush=True)
            loads, publishes, sizes = [], [], []
            for i in range(1, args.batches + 1):
                loads.append(load(i))
                published = store.publish_snapshot(con, db)
                publishes.append(published.seconds)
                sizes.append(published.n_bytes)
                print(f" batch {i}: load {loads[-1]:.2f} s, publish {published.seconds:.2f} s, "
                      f"{published.n_bytes / 1e6:,.0f} MB", flush=True)
        finally:
            con.close()
    print(f"at {args.claims:,} claims: one batch of {per_batch:,} claims loads in {median(loads):.2f} s (median); "
          f"publishing the read snapshot adds {median(publishes):.2f} s and writes {median(sizes) / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
