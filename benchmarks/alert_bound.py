"""Contradiction alerts against the square of a cluster (issue 21, item 5).

    PYTHONPATH=src python benchmarks/alert_bound.py [--people 400] [--bound 20]

Loads a real DuckDB file through ``store.load_batch`` with one claim made by ``--people`` speakers
asserting it and as many denying it, then runs ``factcheck compare --db`` (in this process) and
counts the pairs in the ``contradictions`` view and the rows of ``alerts``. Three shapes: every
speaker on a page of their own; the issue's shape (all assertions on one page, all denials on
another); one person asserting it on N pages against N others (the same-speaker bar puts all of
them in one cluster, so the pairs grow with the square). The promise: alerts per cluster never
exceed ``FACTCHECK_MAX_ALERTS_PER_CLUSTER`` (20 by default), and at most one per (cluster,
asserting speaker, denying speaker).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

CLAIM = "the harlow river spill had been contained by the port authority"
FIRST = ("Anna", "Boris", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas")
SYLLABLES = ("ka", "lo", "mer", "tan", "vis", "dor", "pel", "rim", "sut", "bra")


def person(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {''.join(SYLLABLES[int(d)] for d in f'{i:04d}').capitalize()}"


def load(db: Path, work: Path, pages: list[tuple[str, list[str]]]) -> None:
    """One batch: an article per (polarity, speakers) page, each speaker making the claim once."""
    from pipeline import store

    articles: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for n, (polarity, speakers) in enumerate(pages):
        aid = f"{n:08d}".ljust(32, "0")
        url = f"https://outlet-{n}.example/story.html"
        text, offsets = "", []
        for s in speakers:
            offsets.append(len(text))
            text += f"{s} said {CLAIM}. "
        articles.append({
            "article_id": aid, "canonical_url": url, "url": url, "outlet": f"Outlet {n}", "title": f"Story {n}",
            "authors": [], "published_at": "2026-03-02T08:00:00+00:00",
            "fetched_at": "2026-03-02T08:00:00+00:00", "language": "en", "text": text, "content_hash": aid,
            "raw_ref": None,
        })
        for i, (s, at) in enumerate(zip(speakers, offsets, strict=True)):
            start = at + len(s) + len(" said ")
            claims.append({
                "claim_id": f"{aid[:24]}{i:08x}", "article_id": aid, "kind": "direct", "speaker": s,
                "speaker_start": at, "speaker_end": at + len(s), "speaker_resolved": None, "speaker_role": None,
                "cue": "said", "cue_start": at + len(s) + 1, "cue_end": at + len(s) + 5, "cue_strength": "neutral",
                "content": CLAIM, "content_start": start, "content_end": start + len(CLAIM), "polarity": polarity,
                "entities": [], "extractor_version": "bench-1",
            })
    af, cf = work / "articles.jsonl", work / "claims.jsonl"
    af.write_text("".join(json.dumps(a) + "\n" for a in articles))
    cf.write_text("".join(json.dumps(c) + "\n" for c in claims))
    con = store.connect(db)
    try:
        store.load_batch(con, store.Batch("bench", None, (), af, cf))
    finally:
        con.close()


def run(shape: str, people: int) -> dict[str, Any]:
    from pipeline import cli, store

    asserting = [person(i) for i in range(people)]
    denying = [person(i) for i in range(people, 2 * people)]
    if shape == "one page each":
        pages = [("asserts", [s]) for s in asserting] + [("denies", [s]) for s in denying]
    elif shape == "one speaker on every page":  # one person repeating it joins one cluster: N x N pairs
        pages = [("asserts", [asserting[0]]) for _ in asserting] + [("denies", [s]) for s in denying]
    else:
        pages = [("asserts", asserting), ("denies", denying)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "factcheck.duckdb"
        load(db, Path(tmp), pages)
        t0 = time.perf_counter()
        assert cli.main(["compare", "--db", str(db)]) == 0
        seconds = time.perf_counter() - t0
        con = store.connect(db, read_only=True)
        try:
            pairs = con.execute("SELECT count(*) FROM contradictions").fetchone()
            alerts = con.execute("SELECT count(*), count(DISTINCT cluster_id) FROM alerts").fetchone()
            top = con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM alerts GROUP BY cluster_id)").fetchone()
        finally:
            con.close()
    assert pairs and alerts and top
    return {"shape": shape, "people_each_side": people, "contradictions": pairs[0], "alerts": alerts[0],
            "clusters_alerted": alerts[1], "most_alerts_in_a_cluster": top[0], "compare_seconds": round(seconds, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=400)
    ap.add_argument("--bound", type=int, default=20)
    args = ap.parse_args()
    os.environ["FACTCHECK_MAX_ALERTS_PER_CLUSTER"] = str(args.bound)
    for shape in ("one page each", "two pages", "one speaker on every page"):
        print(json.dumps(run(shape, args.people)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
