"""contested_claims proposes pairs before scoring them; it must find every pair that comparing all
assertions with all denials seen within the window finds (the time blocks and the prefix, positional
and weight filters are exact), with the same score; and it must not pair claims far apart in time."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path

import duckdb
import pytest

from pipeline import store

STEMS = ["alpha", "bravo", "carbon", "delta", "ember", "frost"]
WORDS = [f"{a}{b}" for a, b in product(STEMS, ["ka", "lo", "mi", "nu"])]
START = datetime(2026, 3, 1, tzinfo=UTC)


def _write_batch(con: duckdb.DuckDBPyConnection, tmp: Path, arts: list[dict], claims: list[dict]) -> None:
    af, cf = tmp / "a.jsonl", tmp / "c.jsonl"
    af.write_text("".join(json.dumps(a) + "\n" for a in arts), encoding="utf-8")
    cf.write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    store.load_batch(con, store.Batch("r", {"name": "x"}, (), af, cf))


def _article(i: int, content: str, published: datetime | None, fetched: datetime | None) -> dict:
    aid = f"{i:032x}"
    return {"article_id": aid, "canonical_url": f"https://x.example/{i}", "url": f"https://x.example/{i}",
            "outlet": f"Outlet {i % 3}", "title": "t", "authors": [],
            "published_at": published.isoformat() if published else None,
            "fetched_at": fetched.isoformat() if fetched else None, "language": "en", "text": content,
            "content_hash": aid, "raw_ref": None}


def _claim(i: int, content: str, speaker: str, polarity: str) -> dict:
    aid = f"{i:032x}"
    return {"claim_id": aid, "article_id": aid, "kind": "indirect", "speaker": speaker,
            "speaker_start": None, "speaker_end": None, "speaker_resolved": None, "speaker_role": None,
            "cue": None, "cue_start": None, "cue_end": None, "cue_strength": None, "content": content,
            "content_start": 0, "content_end": len(content), "polarity": polarity, "entities": [],
            "extractor_version": "t"}


def _load_random_claims(con: duckdb.DuckDBPyConnection, tmp: Path, n: int, seed: int) -> None:
    """Random claims over four months (about four windows), some dated by publication, some only by
    fetch time, a few by neither; several on the window's edge from one another."""
    r = random.Random(seed)
    arts, claims = [], []
    for i in range(n):
        words = [r.choice(WORDS[: r.choice([6, 12, 24])]) for _ in range(r.randint(2, 7))]
        content = "the " + " and ".join(words)
        day = r.choice([r.uniform(0, 120), float(r.choice([0, 30, 60, 90]))])  # exactly 30 days apart: paired
        when = START + timedelta(days=day)
        dated = r.random()  # half by publication (fetched later), most others by fetch time, some by neither
        published = when if dated < 0.5 else None
        fetched = when + timedelta(days=40) if dated < 0.5 else when if dated < 0.95 else None
        arts.append(_article(i, content, published, fetched))
        claims.append(_claim(i, content, f"Speaker {i % 7}", "denies" if r.random() < 0.3 else "asserts"))
    _write_batch(con, tmp, arts, claims)


def _all_pairs(con: duckdb.DuckDBPyConnection, windowed: bool = True) -> dict[tuple[str, str], float]:
    """The definition, by brute force: every assertion against every denial seen within the window."""
    terms: dict[str, set[str]] = {}
    for cid, term in con.execute("SELECT claim_id, term FROM claim_terms").fetchall():
        terms.setdefault(cid, set()).add(term)
    df: dict[str, int] = {}
    for ts in terms.values():
        for t in ts:
            df[t] = df.get(t, 0) + 1
    w = {t: math.log(len(terms) / n) + 0.1 for t, n in df.items()}
    info = {cid: (pol, (spk or "").lower(), seen) for cid, pol, spk, seen in
            con.execute("SELECT claim_id, polarity, speaker_name, seen_at FROM claims_by_source").fetchall()}
    window = timedelta(days=store.CONTESTED_WINDOW_DAYS)
    out = {}
    for a, ta in terms.items():
        for d, td in terms.items():
            if info[a][0] != "asserts" or info[d][0] != "denies" or info[a][1] == info[d][1]:
                continue
            if windowed and (info[a][2] is None or info[d][2] is None or abs(info[a][2] - info[d][2]) > window):
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
        unwindowed = _all_pairs(con, windowed=False)
        rows = con.execute("SELECT asserting_claim_id, denying_claim_id, score FROM contested_claims").fetchall()
    finally:
        con.close()
    got = {(a, d): score for a, d, score in rows}
    borderline = {k for k, v in expected.items() if abs(v - 0.2) < 1e-9}
    assert len(expected) > 50, "the random claims should overlap a lot"
    assert len(unwindowed) > len(expected), "some matching claims should lie too far apart in time"
    assert set(got) - borderline == set(expected) - borderline
    assert all(abs(got[k] - expected[k]) <= 0.005 + 1e-9 for k in got if k in expected)


@pytest.mark.parametrize(("days_apart", "paired"), [(0, True), (29.5, True), (30, True), (30.01, False), (200, False)])
@pytest.mark.parametrize("denial_first", [False, True])
def test_matching_claims_are_paired_only_when_seen_within_the_window(
    tmp_path: Path, days_apart: float, paired: bool, denial_first: bool
) -> None:
    assert store.CONTESTED_WINDOW_DAYS == 30
    content = "the frosty reservoir contamination was reported by inspectors"
    other = START + timedelta(days=-days_apart if denial_first else days_apart)
    arts = [_article(0, content, START, START), _article(1, content, other, other),
            _article(2, "unrelated carbon harvest figures", START, START)]
    claims = [_claim(0, content, "The ministry", "asserts"), _claim(1, content, "The union", "denies"),
              _claim(2, "unrelated carbon harvest figures", "A farmer", "denies")]
    con = store.connect(tmp_path / "w.duckdb")
    try:
        _write_batch(con, tmp_path, arts, claims)
        rows = con.execute("SELECT asserted_by, denied_by, score FROM contested_claims").fetchall()
    finally:
        con.close()
    assert rows == ([("The ministry", "The union", 1.0)] if paired else [])


def test_a_claim_with_no_date_is_not_paired(tmp_path: Path) -> None:
    content = "the frosty reservoir contamination was reported by inspectors"
    arts = [_article(0, content, START, START), _article(1, content, None, None)]
    claims = [_claim(0, content, "The ministry", "asserts"), _claim(1, content, "The union", "denies")]
    con = store.connect(tmp_path / "n.duckdb")
    try:
        _write_batch(con, tmp_path, arts, claims)
        assert con.execute("SELECT count(*) FROM contested_claims").fetchone() == (0,)
    finally:
        con.close()
