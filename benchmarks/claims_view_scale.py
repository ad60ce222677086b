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
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import store_scale  # noqa: E402
from common import median  # noqa: E402
from plugin_app import signed_in_client  # noqa: E402

RUN = "bench-history"


def fill_comparison(con: Any) -> None:
    """Speakers, entities, clusters and alerts for every stored claim, as earlier compare runs would
    leave them, and the summaries those runs keep."""
    from pipeline.store import summaries

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
        # every mention linked to its entity ("Entity 3" -> entity:entity-3), as a compare run links them
        f"""INSERT INTO entities SELECT DISTINCT 'entity:' || replace(lower(mention), ' ', '-'), mention, 'other',
                [mention], '{RUN}' FROM (SELECT unnest(entities) AS mention FROM claims) ON CONFLICT DO NOTHING""",
        """INSERT INTO claim_entities SELECT DISTINCT claim_id, mention, 'entity:' || replace(lower(mention), ' ', '-')
           FROM (SELECT claim_id, unnest(entities) AS mention FROM claims) ON CONFLICT DO NOTHING""",
        # the stored summaries, as the compare runs would have kept them
        "DELETE FROM cluster_summaries",
        "INSERT INTO cluster_summaries BY NAME SELECT * FROM cluster_coverage",
    ):
        con.execute(sql)
    summaries.rebuild_all(con)


def generate_sql(con: Any, n_claims: int, first: int = 0) -> None:
    """Articles and claims of ``n_claims`` synthetic claims, written straight into the tables;
    ``first`` continues the stream after that many claims (the next articles, dated later)."""
    n_articles = n_claims // store_scale.CLAIMS_PER_ARTICLE
    first_article = first // store_scale.CLAIMS_PER_ARTICLE
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
            FROM range({first_article}, {first_article + n_articles}) t(i)"""
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
                  FROM range({first}, {first + n_claims}) t(j))"""
    )


def pages(con: Any, n_claims: int) -> dict[str, str]:
    """The requests to time: every page and JSON endpoint of the view, on the widest cluster and a
    common speaker, with the deep pages at half the claims."""
    widest = con.execute(
        "SELECT cluster_id FROM claim_clusters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchone()[0]
    half = max(0, n_claims // 2)
    return {
        "front page (/)": "/factcheck/",
        "claims, table mode": "/factcheck/?view=table&polarity=denies",
        "claims, deep page": f"/factcheck/?offset={half}",
        "claims, text search": "/factcheck/?q=wire%20claim%20number%2042",
        "api/claims, deep page": f"/factcheck/api/claims?offset={half}&limit=200",
        "api/facets": "/factcheck/api/facets",
        "clusters": "/factcheck/clusters",
        "clusters, deep page": f"/factcheck/clusters?offset={half}",
        "api/clusters": "/factcheck/api/clusters?order=oldest",
        "cluster page (widest)": f"/factcheck/cluster/{widest}",
        "cluster page, table mode": f"/factcheck/cluster/{widest}?view=table",
        "api/cluster (widest)": f"/factcheck/api/cluster/{widest}",
        "search (speaker 3)": "/factcheck/search?name=speaker%203",
        "compare": "/factcheck/compare",
        "compare (speaker 3)": "/factcheck/compare?speaker=Speaker%203",
        "compare (entity 3)": "/factcheck/compare?entity=Entity%203",
        "compare (speaker 3), page 2": "/factcheck/compare?speaker=Speaker%203&offset=200",
        "api/compare (entity 3)": "/factcheck/api/compare?entity=Entity%203",
        "spread": "/factcheck/spread",
        "spread, deep page": "/factcheck/spread?offset=5000",
        "api/spread": "/factcheck/api/spread?min_outlets=3&limit=200",
        "health": "/factcheck/health",
        "claims by speaker id": "/factcheck/?speaker=person%3Aspeaker-3",
        "search (written name, accented)": "/factcheck/search?name=sp%C3%A9aker%2042",
        "desk": "/factcheck/desk",
        "desk, by speaker": "/factcheck/desk?speaker=Speaker%203",
        "desk, by outlet and date": "/factcheck/desk?outlet=Outlet%203&since=2020-01-01",
        "api/desk, by entity": "/factcheck/api/desk?entity=Entity%203",
        "download claims.csv (speaker 3)": "/factcheck/download/claims.csv?speaker=Speaker%203",
        "download cluster.csv (widest)": f"/factcheck/download/cluster/{widest}.csv",
        "download contradictions.csv": "/factcheck/download/contradictions.csv",
    }


def build(db: Path, size: int, generator: str, work: Path) -> None:
    """A database of ``size`` synthetic claims with their comparison, at ``db`` (replacing its claims)."""
    from pipeline import store

    gen = store_scale.Generator()
    con = store.connect(db)
    try:
        loaded, batch_no = 0, 0
        if generator == "sql":
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
        _refill(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _refill(con: Any) -> None:
    """The comparison tables emptied and filled again from the stored claims."""
    for table in ("alerts", "claim_clusters", "claim_speakers", "speakers", "claim_entities", "entities"):
        con.execute(f"DELETE FROM {table}")
    fill_comparison(con)


def built(db: Path, size: int) -> bool:
    """Whether ``db`` already holds ``size`` claims, compared (a file kept by an earlier run)."""
    from pipeline import store

    if not db.exists():
        return False
    con = store.connect(db)  # writable: an older file is migrated here, before the pages are timed
    try:
        n = con.execute("SELECT count(*) FROM claims").fetchone()[0]
        k = con.execute("SELECT count(*) FROM claim_clusters").fetchone()[0]
        if n == size and k == size and not con.execute("SELECT count(*) FROM claim_entities").fetchone()[0]:
            _refill(con)  # kept before the benchmark linked entities: the comparison again, claims kept
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return bool(n == size and k == size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generator", choices=("sql", "python"), default="sql")
    parser.add_argument("--skip", default="", help="comma-separated page names (as in the table) not to time")
    parser.add_argument("--only", default="", help="comma-separated starts of page names: time only those")
    parser.add_argument(
        "--keep", help="build the databases in this folder and keep them; a kept one is reused (default: temporary)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from pipeline import store

    results: dict[str, dict[int, tuple[float, int, int]]] = {}
    serving_peak = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-view-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            db = work / f"view-{size}.duckdb"
            started = time.perf_counter()
            if built(db, size):
                print(f"{size:,} claims: reusing {db} (opened and migrated in {time.perf_counter() - started:.1f} s)")
            else:
                build(db, size, args.generator, work)
                print(f"{size:,} claims: built {db} in {time.perf_counter() - started:.0f} s", flush=True)
            with store.reading(db) as con:
                todo = {k: v for k, v in pages(con, size).items() if k not in args.skip.split(",")}
            if args.only:
                todo = {k: v for k, v in todo.items() if k.startswith(tuple(args.only.split(",")))}
            os.environ["FACTCHECK_DB_PATH"] = str(db)
            serving_peak = max(serving_peak, serving(todo, size, args.repeat, results))
    print("\n| page | " + " | ".join(f"{s:,} claims" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name, by_size in results.items():
        print(
            f"| {name} | " + " | ".join(_cell(*by_size[s]) if s in by_size else "" for s in sizes) + " |"
        )
    print(f"\npeak RSS of the serving child process: {serving_peak:,.0f} MB")
    return 0


def serving(
    todo: dict[str, str], size: int, repeat: int, results: dict[str, dict[int, tuple[float, int, int]]]
) -> float:
    """Time the pages in a child process, so that its peak memory is the serving alone; returns it in MB."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_serve, args=(todo, repeat, queue))
    child.start()
    figures, peak = queue.get()
    child.join()
    print(f"{size:,} claims")
    for name, (seconds, sent, status) in figures.items():
        results.setdefault(name, {})[size] = (seconds, sent, status)
        print(f"  {name}: {_cell(seconds, sent, status)}", flush=True)
    return float(peak)


def _cell(seconds: float, sent: int, status: int) -> str:
    return f"{seconds:.3f} s, {sent / 1e3:,.0f} kB" + ("" if status == 200 else f" (HTTP {status})")


def _serve(todo: dict[str, str], repeat: int, queue: Any) -> None:
    """The child: each page up to ``repeat`` times through the plugin's app (once when it takes over
    5 s or fails); puts (name -> (median s, bytes sent, HTTP status), peak RSS in MB) on ``queue``."""
    import duckdb

    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per request otherwise
    figures: dict[str, tuple[float, int, int]] = {}
    try:
        with signed_in_client() as (_plugin, client):
            for name, path in todo.items():
                times, sent, status = [], 0, 200
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    try:  # the test client raises what the app raised; the api-server would answer 500
                        response = client.get(path)
                        sent, status = len(response.content), response.status_code
                    except duckdb.Error as e:
                        print(f"  {path}: {type(e).__name__}: {str(e).splitlines()[0]}", flush=True)
                        sent, status = 0, 500
                    times.append(time.perf_counter() - t0)
                    if status != 200 or times[-1] > 5:
                        break
                figures[name] = (median(times), sent, status)
    finally:
        queue.put((figures, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3))


if __name__ == "__main__":
    raise SystemExit(main())
