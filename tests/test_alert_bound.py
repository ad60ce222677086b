"""Contradiction alerts stay bounded when many people take both sides of one claim (issue 21, item 5).

Real DuckDB files loaded through ``store.load_batch``, compared by the real CLI (``factcheck compare``):
one article where N speakers assert a claim, one where M others deny it. Every assertion/denial pair
is a contradiction (N x M rows in the ``contradictions`` view); alerts are news once per (cluster,
asserting speaker, denying speaker) and at most ``FACTCHECK_MAX_ALERTS_PER_CLUSTER`` per cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import cli, store

CLAIM = "the harlow river spill had been contained by the port authority"
FIRST = ("Anna", "Boris", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas")
SYLLABLES = ("ka", "lo", "mer", "tan", "vis", "dor", "pel", "rim", "sut", "bra")


def person(i: int) -> str:
    """A distinct full name for every number (a first name and a made-up surname)."""
    surname = "".join(SYLLABLES[int(d)] for d in f"{i:03d}")
    return f"{FIRST[i % len(FIRST)]} {surname.capitalize()}"


def _load(db: Path, work: Path, tag: str, sides: list[tuple[str, list[str]]]) -> None:
    """One batch: for each (polarity, speakers) entry, an article per speaker making the one claim
    (claims of one article never join each other's cluster, so every speaker has a page)."""
    articles: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for n, (polarity, speakers) in enumerate(sides):
        for i, speaker in enumerate(speakers):
            aid = f"{tag}{n:02d}{i:05d}".ljust(32, "0")
            url = f"https://outlet-{tag}-{n}.example/{i}.html"
            text = f"{speaker} said {CLAIM}."
            articles.append({
                "article_id": aid, "canonical_url": url, "url": url, "outlet": f"Outlet {tag}{n}-{i}",
                "title": f"Story {tag}{n} {i}", "authors": ["A. Writer"],
                "published_at": "2026-03-02T08:00:00+00:00", "fetched_at": "2026-03-02T08:00:00+00:00",
                "language": "en", "text": text, "content_hash": aid, "raw_ref": None,
            })
            start = len(speaker) + len(" said ")
            claims.append({
                "claim_id": aid, "article_id": aid, "kind": "direct",
                "speaker": speaker, "speaker_start": 0, "speaker_end": len(speaker),
                "speaker_resolved": None, "speaker_role": None, "cue": "said",
                "cue_start": len(speaker) + 1, "cue_end": len(speaker) + 5, "cue_strength": "neutral",
                "content": CLAIM, "content_start": start, "content_end": start + len(CLAIM), "polarity": polarity,
                "entities": [], "extractor_version": "synthetic-1",
            })
    af, cf = work / f"{tag}-articles.jsonl", work / f"{tag}-claims.jsonl"
    af.write_text("".join(json.dumps(a) + "\n" for a in articles))
    cf.write_text("".join(json.dumps(c) + "\n" for c in claims))
    con = store.connect(db)
    try:
        store.load_batch(con, store.Batch(f"run-{tag}", None, (), af, cf))
    finally:
        con.close()


def _one(db: Path, sql: str) -> Any:
    con = store.connect(db, read_only=True)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _alerts_by_cluster(db: Path) -> dict[str, tuple[int, int]]:
    """Per cluster: (alerts, distinct (asserting speaker, denying speaker) among them)."""
    con = store.connect(db, read_only=True)
    try:
        rows = con.execute(
            """SELECT al.cluster_id, count(*), count(DISTINCT sa.speaker_id || '|' || sd.speaker_id)
               FROM alerts al JOIN claim_speakers sa ON sa.claim_id = al.asserting_claim_id
               JOIN claim_speakers sd ON sd.claim_id = al.denying_claim_id GROUP BY 1"""
        ).fetchall()
    finally:
        con.close()
    return {str(c): (int(n), int(d)) for c, n, d in rows}


def test_alerts_are_bounded_per_cluster_and_every_pair_stays_queryable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "factcheck.duckdb"
    # one person asserts, 30 others deny it, each in their own article
    _load(db, tmp_path, "a", [("asserts", [person(0)]), ("denies", [person(i) for i in range(100, 130)])])
    assert cli.main(["compare", "--db", str(db)]) == 0
    capsys.readouterr()
    assert _one(db, "SELECT count(*) FROM contradictions") == 30  # every pair stays queryable
    assert list(_alerts_by_cluster(db).values()) == [(20, 20)]  # the default bound per cluster
    # a later run bringing new denials to the full cluster adds no alert there
    _load(db, tmp_path, "b", [("denies", [person(i) for i in range(200, 210)])])
    assert cli.main(["compare", "--db", str(db)]) == 0
    assert _one(db, "SELECT count(*) FROM contradictions") == 40
    assert _one(db, "SELECT count(*) FROM alerts") == 20


def test_one_alert_per_speaker_pair_across_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACTCHECK_MAX_ALERTS_PER_CLUSTER", "1000")
    db = tmp_path / "factcheck.duckdb"
    deniers = [person(i) for i in range(100, 105)]
    # one person asserts it in three articles, five others deny it twice each
    _load(db, tmp_path, "a", [("asserts", [person(0)] * 3), ("denies", deniers * 2)])
    assert cli.main(["compare", "--db", str(db)]) == 0
    assert _one(db, "SELECT count(*) FROM contradictions") == 3 * 10
    assert list(_alerts_by_cluster(db).values()) == [(5, 5)]
    # the same people say it again: new contradictions, no new speaker pair, no new alert
    _load(db, tmp_path, "b", [("asserts", [person(0)]), ("denies", deniers[:2])])
    assert cli.main(["compare", "--db", str(db)]) == 0
    assert _one(db, "SELECT count(*) FROM contradictions") == 4 * 12
    assert _one(db, "SELECT count(*) FROM alerts") == 5
    # one new denying speaker: one new alert
    _load(db, tmp_path, "c", [("denies", [person(300)])])
    assert cli.main(["compare", "--db", str(db)]) == 0
    capsys.readouterr()
    assert list(_alerts_by_cluster(db).values()) == [(6, 6)]


def test_the_alert_bound_is_a_positive_setting() -> None:
    from pipeline.settings import Settings

    assert Settings().max_alerts_per_cluster == 20
    with pytest.raises(ValueError, match="FACTCHECK_MAX_ALERTS_PER_CLUSTER"):
        Settings.from_env({"FACTCHECK_MAX_ALERTS_PER_CLUSTER": "0"})
