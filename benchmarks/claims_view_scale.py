"""The Claims view at scale: the plugin's pages, called in-process, with 100k and 1M claims stored.

    PYTHONPATH=src python benchmarks/claims_view_scale.py [--sizes 100000,1000000] [--repeat 3]

Claims are synthetic, generated inside DuckDB (``--generator sql``, the default) in the shape of
``store_scale.Generator``'s stream: 10 claims an article, 20 outlets, articles at a steady rate so
that 1M claims span a year, Zipf-drawn speakers, 15% denials, 10% word-for-word wire repeats across
outlets. ``--generator python`` uses ``store_scale.Generator`` and ``store.load_batch`` itself, which
is the same data but took 25-100 s per 10k claims on this shared machine.

The comparison tables are filled in bulk as a compare run would leave them
(``Speaker N`` -> ``person:speaker-n``, word-for-word repeats share a cluster, an alert for up to
1,000 assertion-denial pairs), not by running compare over the history. Then each page of the
view is requested through the plugin's FastAPI app (login stubbed), ``--repeat`` times: median
time and the bytes sent. The target of issue 15: every page under 1 s at 1M claims, bounded pages.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import store_scale  # noqa: E402
from common import REPO, median  # noqa: E402

RUN = "bench-history"


def fill_comparison(con: Any) -> None:
    """Speakers, clusters and alerts for every stored claim, as earlier compare runs would leave them."""
    for sql in (
        f"""INSERT INTO speakers SELECT DISTINCT 'person:' || replace(lower(speaker), ' ', '-'), speaker, 'person',
                [speaker], '{RUN}' FROM claims ON CONFLICT DO NOTHING""",
        f"""INSERT INTO claim_speakers SELECT claim_id, 'person:' || replace(lower(speaker), ' ', '-'),
                'person:' || replace(lower(speaker), ' ', '-'), NULL, 'name', '{RUN}' FROM claims
            ON CONFLICT DO NOTHING""",
        f"""INSERT INTO claim_clusters (claim_id, cluster_id, stance, sign, reason, score, assigned_at, compare_run_id)
            SELECT claim_id, 'cl-' || left(md5(first_value(claim_id) OVER w), 16),
                   CASE WHEN polarity = first_value(polarity) OVER w THEN '+' ELSE '-' END,
                   CASE WHEN polarity = 'denies' THEN -1 ELSE 1 END,
                   CASE WHEN row_number() OVER w = 1 THEN 'new' ELSE 'joined' END, NULL, now(), '{RUN}'
            FROM claims WINDOW w AS (PARTITION BY content ORDER BY claim_id)
            ON CONFLICT DO NOTHING""",
        f"""INSERT INTO alerts
            SELECT a.claim_id, d.claim_id, ka.cluster_id, now(), '{RUN}'
            FROM claim_clusters ka JOIN claim_clusters kd ON kd.cluster_id = ka.cluster_id AND kd.sign < 0
            JOIN claims a ON a.claim_id = ka.claim_id JOIN claims d ON d.claim_id = kd.claim_id
            WHERE ka.sign > 0 AND a.article_id <> d.article_id LIMIT 1000
            ON CONFLICT DO NOTHING""",
    ):
        con.execute(sql)


def generate_sql(con: Any, n_claims: int) -> None:
    """Articles and claims of ``n_claims`` synthetic claims, written straight into the tables."""
    n_articles = n_claims // store_scale.CLAIMS_PER_ARTICLE
    seconds_per_article = 86400 / store_scale.ARTICLES_PER_DAY
    con.execute(
        f"""INSERT INTO articles (article_id, canonical_url, url, outlet, title, authors, published_at,
                first_seen_at, last_seen_at, language, text, content_hash, raw_ref, run_id)
            SELECT md5('a' || i), 'https://outlet-' || (i % 20) || '.example/' || i || '.html',
                   'https://outlet-' || (i % 20) || '.example/' || i || '.html', 'Outlet ' || (i % 20),
                   'Synthetic article ' || i, ['A. Writer'],
                   TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(CAST(i * {seconds_per_article} AS BIGINT)),
                   TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(CAST(i * {seconds_per_article} AS BIGINT)),
                   NULL, 'en', repeat('Synthetic words of an article. ', 40), md5('h' || i), NULL, 'bench'
            FROM range({n_articles}) t(i)"""
    )
    con.execute(
        f"""INSERT INTO claims (claim_id, article_id, kind, speaker, speaker_start, speaker_end, speaker_resolved,
                speaker_role, cue, cue_start, cue_end, cue_strength, content, content_start, content_end,
                polarity, entities, extractor_version, run_id)
            SELECT md5('c' || j), md5('a' || (j // {store_scale.CLAIMS_PER_ARTICLE})),
                   CASE WHEN j % 3 = 0 THEN 'indirect' ELSE 'direct' END,
                   'Speaker ' || CAST(floor(pow(5000, random())) AS INTEGER), 0, 9, NULL, NULL, 'said', 10, 14,
                   'neutral', content, 15, 15 + length(content),
                   CASE WHEN hash(j * 7) % 100 < 15 THEN 'denies' ELSE 'asserts' END,
                   ['Entity ' || CAST(floor(pow(5000, random())) AS INTEGER)], 'rules-1', 'bench'
            FROM (SELECT j, CASE WHEN hash(j) % 10 = 0
                                 THEN 'wire claim number ' || (hash(j * 3) % 500 + 500 * (j // 25000))
                                 ELSE 'claim words ' || j || ' ' || left(md5('w' || j), 12) END AS content
                  FROM range({n_claims}) t(j))"""
    )


def app_client() -> Any:
    """The plugin's app mounted at /factcheck with the login check stubbed out."""
    from fastapi import FastAPI

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    spec = importlib.util.spec_from_file_location("factcheck_claims_bench", REPO / "plugins" / "factcheck_claims.py")
    assert spec is not None and spec.loader is not None
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    app = plugin.create_app()
    app.dependency_overrides[plugin.signed_in_user] = lambda: None
    root = FastAPI()
    root.mount(plugin.URL_PREFIX, app)
    return TestClient(root)


def pages(con: Any, n_claims: int) -> dict[str, str]:
    """The requests to time: every new page and its JSON, on the widest cluster and a common speaker."""
    widest = con.execute(
        "SELECT cluster_id FROM claim_clusters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchone()[0]
    return {
        "front page (/)": "/factcheck/",
        "claims, table mode": "/factcheck/?view=table&polarity=denies",
        "clusters": "/factcheck/clusters",
        "clusters, deep page": f"/factcheck/clusters?offset={max(0, n_claims // 2)}",
        "cluster page (widest)": f"/factcheck/cluster/{widest}",
        "cluster page, table mode": f"/factcheck/cluster/{widest}?view=table",
        "api/cluster (widest)": f"/factcheck/api/cluster/{widest}",
        "search (speaker 3)": "/factcheck/search?name=speaker%203",
        "api/clusters": "/factcheck/api/clusters?order=oldest",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generator", choices=("sql", "python"), default="sql")
    parser.add_argument("--keep", help="build the database in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from pipeline import store

    gen = store_scale.Generator()
    results: dict[str, dict[int, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-view-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "view.duckdb"
        os.environ["FACTCHECK_DB_PATH"] = str(db)
        loaded, batch_no = 0, 0
        client = app_client()
        for size in sizes:
            con = store.connect(db)
            if args.generator == "sql":
                for table in ("claims", "articles"):
                    con.execute(f"DELETE FROM {table}")
                generate_sql(con, size)
                loaded = size
            while loaded < size:
                outlet = f"Outlet {batch_no % 20}"
                arts, claims = gen.batch(outlet, "bench")
                af, cf = work / f"a{batch_no}.jsonl", work / f"c{batch_no}.jsonl"
                store_scale.write_jsonl(af, arts)
                store_scale.write_jsonl(cf, claims)
                counts = store.load_batch(con, store.Batch(f"bench-{batch_no}", {"name": outlet}, (), af, cf))
                af.unlink()
                cf.unlink()
                loaded += int(counts["claims"])
                batch_no += 1
            for table in ("alerts", "claim_clusters", "claim_speakers", "speakers"):
                con.execute(f"DELETE FROM {table}")
            fill_comparison(con)
            con.execute("CHECKPOINT")
            todo = pages(con, size)
            con.close()
            print(f"{loaded:,} claims", flush=True)
            for name, path in todo.items():
                times, sent = [], 0
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - t0)
                    if response.status_code != 200:
                        raise SystemExit(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
                    sent = len(response.content)
                results.setdefault(name, {})[size] = (median(times), sent)
                print(f"  {name}: {median(times):.3f} s, {sent / 1e3:,.0f} kB", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print("\n| page | " + " | ".join(f"{s:,} claims" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name, by_size in results.items():
        print(
            f"| {name} | " + " | ".join(f"{by_size[s][0]:.3f} s, {by_size[s][1] / 1e3:,.0f} kB" for s in sizes) + " |"
        )
    print(f"\npeak RSS of this process (loading included): {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
