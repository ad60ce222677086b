"""Load and query: DuckDB load rate and the comparison views' latency at 10k, 100k and 1M claims.

    PYTHONPATH=src python benchmarks/store_scale.py [--sizes 10000,100000,1000000] [--json out.json]

Synthetic rows (generated here, nothing copied) are written as staging files, one outlet batch of
1,000 articles x 10 claims at a time, and loaded through ``store.load_batch``, exactly as the load
task does: bulk ``read_json`` of the files inside one transaction. The database grows batch by
batch; when it reaches each size the views are queried with the queries the README and the report
use (top rows of each view), each 3 times, median reported. At each size the read snapshot the load
task publishes after a batch (``store.publish_snapshot``: checkpoint, copy, rename) is also published
3 times: seconds per publish and bytes copied (``--no-queries`` measures only loads and publishes).

The claim wording is drawn from a Zipf-like vocabulary (rank^-1 over 30,000 invented content words,
the 150 most frequent left out as they would be stop words), plus stop words the views drop; 10% of
claims repeat a "wire" claim word for word in another outlet; 15% are denials; speakers and entities
are Zipf-drawn from pools. Articles arrive at a steady rate (``ARTICLES_PER_DAY``, so that 1M claims
span a year: 10k claims about 4 days, 100k about 5 weeks), as a database fed by the daily ingest
grows: more days, not more claims per day. The growth of a view's time from one size to the next (10x the claims)
tells whether it is linear (about 10x) or worse.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, Row, fmt, median  # noqa: E402

ARTICLES_PER_BATCH = 1_000
CLAIMS_PER_ARTICLE = 10
# A steady stream: 1M claims over 365 days. (Until issue 7 every batch was dated one of 28 days in
# turn, so a database of any size covered at most four weeks and its claims per day grew with it.)
ARTICLES_PER_DAY = 1_000_000 / CLAIMS_PER_ARTICLE / 365
START = datetime(2026, 1, 1, tzinfo=UTC)
QUERY_TIMEOUT = 300.0
TARGET_GROWTH = 10.0 * 1.5  # per 10x claims: linear with 50% slack (fixed costs shrink, caches spill)

QUERIES: dict[str, str] = {
    "claims_by_source": (
        "SELECT * FROM claims_by_source WHERE speaker_name = 'Speaker 3' ORDER BY seen_at DESC LIMIT 50"
    ),
    "speaker_outlets": "SELECT * FROM speaker_outlets ORDER BY n_claims DESC LIMIT 20",
    "entity_claims": (
        "SELECT entity, outlets, asserted_by, denied_by, first_outlet FROM entity_claims "
        "WHERE len(denied_by) > 0 ORDER BY n_claims DESC LIMIT 20"
    ),
    "claim_spread": (
        "SELECT n_outlets, outlets, first_outlet, first_seen_at, content FROM claim_spread "
        "WHERE n_outlets > 1 ORDER BY n_outlets DESC, first_seen_at LIMIT 20"
    ),
    "contested_claims": (
        "SELECT score, asserted_by, asserting_outlet, assertion, denied_by, denying_outlet, denial "
        "FROM contested_claims ORDER BY score DESC, asserted_at LIMIT 10"
    ),
}
STOP = ["the", "that", "with", "would", "have", "been", "from", "this", "about", "their", "which"]


class Generator:
    """Synthetic articles and claims, deterministic for a seed."""

    def __init__(self, seed: int = 3, vocab: int = 30_000, skip_top: int = 150) -> None:
        import numpy as np

        self.np = np
        self.rng = np.random.default_rng(seed)
        syll = ["ka", "lo", "mer", "tan", "vis", "dor", "pel", "rim", "sut", "bra", "nol", "qui", "zen", "fal",
                "gor", "hes", "jun", "wex"]
        words: list[str] = []
        i = 0
        while len(words) < vocab + skip_top:
            a, b, c = i % 18, (i // 18) % 18, (i // 324) % 18
            n = i // 5832
            words.append(syll[a] + syll[b] + syll[c] + (str(n) if n else ""))
            i += 1
        self.words = np.array(words[skip_top:])
        ranks = np.arange(skip_top + 1, skip_top + vocab + 1, dtype=float)
        p = 1.0 / ranks
        self.p = p / p.sum()
        sp = 1.0 / np.arange(1, 5_001, dtype=float)
        self.speaker_p = sp / sp.sum()
        self.entity_p = sp / sp.sum()
        self.wire: list[str] = []
        self.n_articles = 0
        self._buffer: list[str] = []

    def _draw(self, k: int) -> list[str]:
        if len(self._buffer) < k:
            self._buffer = list(self.rng.choice(self.words, size=200_000, p=self.p))
        out, self._buffer = self._buffer[:k], self._buffer[k:]
        return out

    def content(self) -> str:
        r = self.rng
        words = self._draw(int(r.integers(6, 15)))
        for _ in range(int(r.integers(2, 6))):
            words.insert(int(r.integers(0, len(words) + 1)), STOP[int(r.integers(0, len(STOP)))])
        return " ".join(words).capitalize()

    def batch(self, outlet: str, run_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        r = self.rng
        articles: list[dict[str, Any]] = []
        claims: list[dict[str, Any]] = []
        speakers = r.choice(5_000, size=ARTICLES_PER_BATCH * CLAIMS_PER_ARTICLE, p=self.speaker_p)
        ents = r.choice(5_000, size=(ARTICLES_PER_BATCH * CLAIMS_PER_ARTICLE, 3), p=self.entity_p)
        n_ents = r.integers(0, 4, size=ARTICLES_PER_BATCH * CLAIMS_PER_ARTICLE)
        for a in range(ARTICLES_PER_BATCH):
            self.n_articles += 1
            aid = f"{self.n_articles:032x}"
            url = f"https://{outlet.lower().replace(' ', '-')}.example/{self.n_articles}.html"
            when = (START + timedelta(days=self.n_articles / ARTICLES_PER_DAY)).isoformat(timespec="seconds")
            articles.append({
                "article_id": aid, "canonical_url": url, "url": url, "outlet": outlet,
                "title": f"Synthetic article {self.n_articles}", "authors": ["A. Writer"], "published_at": when,
                "fetched_at": when, "language": "en", "text": "x" * 200, "content_hash": aid, "raw_ref": None,
            })
            for c in range(CLAIMS_PER_ARTICLE):
                j = a * CLAIMS_PER_ARTICLE + c
                if self.wire and r.random() < 0.10:
                    content = self.wire[int(r.integers(0, len(self.wire)))]
                else:
                    content = self.content()
                    if r.random() < 0.02:
                        self.wire.append(content)
                        self.wire = self.wire[-500:]
                claims.append({
                    "claim_id": f"{aid[-24:]}{c:08x}", "article_id": aid,
                    "kind": "direct" if c % 3 else "indirect",
                    "speaker": f"Speaker {int(speakers[j])}", "speaker_start": 0, "speaker_end": 5,
                    "speaker_resolved": None, "speaker_role": None, "cue": "said", "cue_start": 6, "cue_end": 10,
                    "cue_strength": "neutral", "content": content, "content_start": 11,
                    "content_end": 11 + len(content), "polarity": "denies" if r.random() < 0.15 else "asserts",
                    "entities": [f"Entity {int(e)}" for e in ents[j][: int(n_ents[j])]],
                    "extractor_version": "rules-1",
                })
        return articles, claims


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def run_query(con: Any, sql: str, timeout: float) -> float | None:
    """Seconds to run and fetch ``sql``, or None when it did not finish within ``timeout``."""
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(timeout):
            con.interrupt()

    t = threading.Thread(target=watchdog, daemon=True)
    t.start()
    start = time.perf_counter()
    try:
        con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 (an interrupted query is a measured outcome)
        text = str(e).lower()
        if "interrupt" in text or "max_temp_directory_size" in text or "space left" in text:
            print(f"   query stopped: {str(e).splitlines()[0][:200]}", flush=True)
            return None
        raise
    finally:
        done.set()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=QUERY_TIMEOUT)
    parser.add_argument("--max-temp", default="8GB", help="DuckDB's cap on temporary files for one query")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB's memory_limit (the machine is shared)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    parser.add_argument("--plot", help="write a PNG of the growth curve here (needs matplotlib)")
    parser.add_argument("--no-queries", action="store_true", help="load and publish snapshots only (no view queries)")
    parser.add_argument("--json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from pipeline import store

    result = Result(
        name="store",
        title="Load and query",
        command=f"PYTHONPATH=src python benchmarks/store_scale.py --sizes {args.sizes}",
    )
    gen = Generator()
    latencies: dict[str, dict[int, float | None]] = {} if args.no_queries else {name: {} for name in QUERIES}
    load_rates: dict[int, float] = {}
    batch_seconds: dict[int, float] = {}
    snapshots: dict[int, tuple[float, int]] = {}  # size -> (median seconds per publish, bytes)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        work = Path(tmp)
        db = work / "bench.duckdb"
        con = store.connect(db)
        # A view that spills (contested_claims at 1M claims wrote over 70 GB of temporary files
        # before the disk filled) must fail here, not fill the disk other people's jobs share.
        con.execute(f"SET max_temp_directory_size = '{args.max_temp}'")
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        con.execute(f"SET threads = {int(args.threads)}")
        loaded = 0
        batch_no = 0
        rates: list[float] = []
        durations: list[float] = []
        try:
            for size in sizes:
                while loaded < size:
                    outlet = f"Outlet {batch_no % 20}"
                    arts, claims = gen.batch(outlet, "bench")
                    af, cf = work / f"a{batch_no}.jsonl", work / f"c{batch_no}.jsonl"
                    write_jsonl(af, arts)
                    write_jsonl(cf, claims)
                    batch = store.Batch(run_id=f"bench-{batch_no}", outlet={"name": outlet}, log_files=(),
                                        article_file=af, claim_file=cf)
                    t0 = time.perf_counter()
                    counts = store.load_batch(con, batch)
                    dt = time.perf_counter() - t0
                    rates.append(counts["claims"] / dt)
                    durations.append(dt)
                    af.unlink()
                    cf.unlink()
                    loaded += counts["claims"]
                    batch_no += 1
                load_rates[size] = median(rates[-10:])
                batch_seconds[size] = median(durations[-10:])
                print(f" {loaded:,} claims loaded; last batches at {load_rates[size]:,.0f} claims/s", flush=True)
                con.execute("CHECKPOINT")
                # What the load task adds per publish of the read snapshot (checkpoint, copy, rename).
                published = [store.publish_snapshot(con, db) for _ in range(args.repeat)]
                snapshots[size] = (median([p.seconds for p in published]), published[-1].n_bytes)
                print(f"   read snapshot: {snapshots[size][0]:.3f} s per publish, {snapshots[size][1] / 1e6:,.0f} MB",
                      flush=True)
                for name in latencies:
                    sql = QUERIES[name]
                    times: list[float] = []
                    for _ in range(args.repeat):
                        t = run_query(con, sql, args.timeout)
                        if t is None:
                            times = []
                            break
                        times.append(t)
                    latencies[name][size] = median(times) if times else None
                    shown = f"{median(times):.3f} s" if times else f"> {args.timeout:.0f} s (interrupted)"
                    print(f"   {name}: {shown}", flush=True)
        finally:
            con.close()
        result.notes.append(
            f"DuckDB memory_limit {args.memory_limit}, {args.threads} threads; articles dated at a steady "
            f"{ARTICLES_PER_DAY:,.0f} a day ({ARTICLES_PER_DAY * CLAIMS_PER_ARTICLE:,.0f} claims a day)"
        )
        result.notes.append(f"database file at {sizes[-1]:,} claims: {db.stat().st_size / 1e6:,.0f} MB")

    # Figures beside targets
    first = sizes[0]
    result.rows.append(Row(f"load rate at {first:,} claims (batches of {ARTICLES_PER_BATCH * CLAIMS_PER_ARTICLE:,})",
                           load_rates[first], "claims/s"))
    last = sizes[-1]
    result.rows.append(Row(f"load rate at {last:,} claims", load_rates[last], "claims/s"))
    if len(sizes) > 1:
        kept = load_rates[last] / load_rates[first]
        result.rows.append(Row(f"load rate kept from {first:,} to {last:,} claims", kept, "x", 0.5, better="higher",
                               note="batch load time must not grow with the table"))
    header = "| view | " + " | ".join(f"{s:,} claims" for s in sizes) + " | growth per 10x |"
    table = [header, "|---|" + "---|" * (len(sizes) + 1)]
    for name, by_size in latencies.items():
        cells = [f"{by_size[s]:.3f} s" if by_size[s] is not None else f"> {args.timeout:.0f} s" for s in sizes]
        growth = _growth(by_size, sizes)
        table.append(f"| {name} | " + " | ".join(cells) + f" | {fmt(growth, 'x') if growth else 'n/a'} |")
        result.rows.append(Row(f"{name} at {last:,} claims", by_size[last], "s",
                               note="" if by_size[last] is not None else f"stopped after {args.timeout:.0f} s"))
        if growth is not None or by_size[last] is None:
            result.rows.append(Row(f"{name}: time growth per 10x claims ({sizes[-2]:,} -> {last:,})",
                                   growth if growth is not None else float("inf"), "x", TARGET_GROWTH))
    table.append("| load (claims/s) | " + " | ".join(f"{load_rates[s]:,.0f}" for s in sizes) + " | |")
    table.append("| load, one batch (s) | " + " | ".join(f"{batch_seconds[s]:.3f}" for s in sizes) + " | |")
    table.append("| read snapshot publish (s) | " + " | ".join(f"{snapshots[s][0]:.3f}" for s in sizes) + " | |")
    table.append("| read snapshot size (MB) | " + " | ".join(f"{snapshots[s][1] / 1e6:,.0f}" for s in sizes) + " | |")
    result.rows.append(Row(f"read snapshot publish at {last:,} claims", snapshots[last][0], "s",
                           note=f"{snapshots[last][1] / 1e6:,.0f} MB copied; one batch loads in "
                                f"{batch_seconds[last]:.2f} s"))
    result.tables.append("\n".join(table))
    if args.plot and _plot(args.plot, sizes, latencies):
        # the image sits beside docs/BENCHMARKS.md, which links it by name
        result.notes.append(f"growth curve (log-log, dotted line = linear): ![view latency]({Path(args.plot).name})")
    result.write(args.json)
    return 0


def _growth(by_size: dict[int, float | None], sizes: list[int]) -> float | None:
    """Time ratio between the last two sizes, scaled to a 10x step."""
    if len(sizes) < 2:
        return None
    a, b = by_size[sizes[-2]], by_size[sizes[-1]]
    if a is None or b is None or a <= 0:
        return None
    import math

    step = math.log10(sizes[-1] / sizes[-2])
    return float((b / a) ** (1 / step)) if step > 0 else None


def _plot(path: str, sizes: list[int], latencies: dict[str, dict[int, float | None]]) -> bool:
    """Draw the latency of each view against the claims; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("store_scale: matplotlib is not installed (pip install '.[bench]'); no plot", file=sys.stderr)
        return False
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for name, by_size in latencies.items():
        xs = [s for s in sizes if by_size[s] is not None]
        ax.plot(xs, [by_size[s] for s in xs], marker="o", label=name)
    lo = min((v for d in latencies.values() for v in d.values() if v), default=0.001)
    ax.plot(sizes, [lo * s / sizes[0] for s in sizes], linestyle=":", color="grey", label="linear")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("claims in the database")
    ax.set_ylabel("query time (s)")
    ax.set_title("Comparison views: latency as the database grows")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


if __name__ == "__main__":
    sys.exit(main())
