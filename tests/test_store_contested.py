"""contested_claims proposes pairs before scoring them; it must find every pair that comparing all
assertions with all denials finds (the prefix and positional filters are exact), with the same score."""

from __future__ import annotations

import json
import math
import random
from itertools import product
from pathlib import Path

import duckdb
import pytest

from pipeline import store

STEMS = ["alpha", "bravo", "carbon", "delta", "ember", "frost"]
WORDS = [f"{a}{b}" for a, b in product(STEMS, ["ka", "lo", "mi", "nu"])]


def _load_random_claims(con: duckdb.DuckDBPyConnection, tmp: Path, n: int, seed: int) -> None:
    r = random.Random(seed)
    arts, claims = [], []
    for i in range(n):
        aid = f"{i:032x}"
        words = [r.choice(WORDS[: r.choice([6, 12, 24])]) for _ in range(r.randint(2, 7))]
        content = "the " + " and ".join(words)
        arts.append({"article_id": aid, "canonical_url": f"https://x.example/{i}", "url": f"https://x.example/{i}",
                     "outlet": f"Outlet {i % 3}", "title": "t", "authors": [], "published_at": None,
                     "fetched_at": "2026-03-01T00:00:00+00:00", "language": "en", "text": content,
                     "content_hash": aid, "raw_ref": None})
        claims.append({"claim_id": aid, "article_id": aid, "kind": "indirect", "speaker": f"Speaker {i % 7}",
                       "speaker_start": None, "speaker_end": None, "speaker_resolved": None, "speaker_role": None,
                       "cue": None, "cue_start": None, "cue_end": None, "cue_strength": None, "content": content,
                       "content_start": 0, "content_end": len(content),
                       "polarity": "denies" if r.random() < 0.3 else "asserts", "entities": [],
                       "extractor_version": "t"})
    af, cf = tmp / "a.jsonl", tmp / "c.jsonl"
    af.write_text("".join(json.dumps(a) + "\n" for a in arts), encoding="utf-8")
    cf.write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    store.load_batch(con, store.Batch("r", {"name": "x"}, (), af, cf))


def _all_pairs(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """The definition, by brute force: every assertion against every denial."""
    terms: dict[str, set[str]] = {}
    for cid, term in con.execute("SELECT claim_id, term FROM claim_terms").fetchall():
        terms.setdefault(cid, set()).add(term)
    df: dict[str, int] = {}
    for ts in terms.values():
        for t in ts:
            df[t] = df.get(t, 0) + 1
    w = {t: math.log(len(terms) / n) + 0.1 for t, n in df.items()}
    info = {cid: (pol, (spk or "").lower()) for cid, pol, spk in
            con.execute("SELECT claim_id, polarity, speaker_name FROM claims_by_source").fetchall()}
    out = {}
    for a, ta in terms.items():
        for d, td in terms.items():
            if info[a][0] != "asserts" or info[d][0] != "denies" or info[a][1] == info[d][1]:
                continue
            shared = ta & td
            s = sum(w[t] for t in shared)
            jac = s / (sum(w[t] for t in ta) + sum(w[t] for t in td) - s)
            if len(shared) >= 2 and jac >= 0.2:
                out[(a, d)] = jac
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_contested_claims_finds_every_pair_the_full_comparison_finds(tmp_path: Path, seed: int) -> None:
    con = store.connect(tmp_path / "c.duckdb")
    try:
        _load_random_claims(con, tmp_path, 150, seed)
        expected = _all_pairs(con)
        rows = con.execute("SELECT asserting_claim_id, denying_claim_id, score FROM contested_claims").fetchall()
    finally:
        con.close()
    got = {(a, d): score for a, d, score in rows}
    borderline = {k for k, v in expected.items() if abs(v - 0.2) < 1e-9}
    assert len(expected) > 50, "the random claims should overlap a lot"
    assert set(got) - borderline == set(expected) - borderline
    assert all(abs(got[k] - expected[k]) <= 0.005 + 1e-9 for k in got if k in expected)
