"""Migration 2: the same text under two URLs is stored once; wire copies link to their original."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline import dedupe, store
from pipeline.dedupe import fingerprint, similarity, wire_credit
from pipeline.records import Article
from pipeline.staging import write_jsonl

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WIRE = (
    "GENEVA (AP) — Negotiators from both delegations said on Thursday that the talks on the river treaty "
    "had made progress, though several questions about water allocation remained open. The chief "
    "negotiator told reporters that a draft text could be ready within weeks, and that both sides had "
    "agreed to share monitoring data from the upstream dams. Environmental groups welcomed the news but "
    "warned that the drought had already damaged farms downstream, and said any deal must include "
    "compensation for the farmers who lost their harvest last summer."
)
OTHER = (
    "The city council voted on Wednesday to extend the opening hours of the central library, after a "
    "petition signed by more than four thousand residents. The librarian said the extra evening hours "
    "would help students who work during the day, and the budget committee found the money by delaying "
    "the renovation of the council chamber until next year."
)


def _load(con: duckdb.DuckDBPyConnection, tmp: Path, run: str, outlet: str, rows: list[tuple[str, str, int]]) -> dict:
    art_rows = []
    for url, text, hours in rows:
        a = Article(url, url, outlet, "T", (), T0 + timedelta(hours=hours), "en", text)
        row = a.to_dict()
        row.update(fingerprint(text), fetched_at=(T0 + timedelta(hours=hours)).isoformat())
        art_rows.append(row)
    folder = tmp / run / outlet
    batch = store.Batch(run, {"name": outlet}, (), write_jsonl(folder / "a.jsonl", art_rows), None)
    return store.load_batch(con, batch)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = store.connect(tmp_path / "t.duckdb")
    yield c
    c.close()


def test_wire_credit_lines_are_recognised() -> None:
    assert wire_credit(WIRE) == "AP"
    assert wire_credit("Text of the story.\n— Reuters") == "Reuters"
    assert wire_credit("Text of the story.\n— Yonhap News Agency") == "Yonhap"  # from the agency lexicon
    assert wire_credit("Apple shares rose (ap) as expected.") is None
    assert wire_credit(OTHER) is None


def test_signatures_separate_copies_from_other_stories() -> None:
    a, b, c = (fingerprint(t)["minhash"] for t in (WIRE, WIRE + " Local reaction followed.", OTHER))
    assert similarity(a, b) >= 0.8 > similarity(a, c)


def test_same_text_same_outlet_is_stored_once(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    counts = _load(con, tmp_path, "r1", "A", [("https://a.example/1", OTHER, 0), ("https://a.example/m/1", OTHER, 1)])
    assert counts["articles"] == 1 and counts["duplicates"] == 1
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    urls = dict(con.execute("SELECT url, article_id FROM article_urls").fetchall())
    assert urls["https://a.example/m/1"] == urls["https://a.example/1"]
    # a later run bringing the alias again adds nothing
    _load(con, tmp_path, "r2", "A", [("https://a.example/m/1", OTHER, 2)])
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_a_wire_story_in_three_outlets_is_one_independent_report(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _load(con, tmp_path, "r1", "B", [("https://b.example/w", WIRE + " Our reporter adds a line.", 3)])
    _load(con, tmp_path, "r1", "A", [("https://a.example/w", WIRE, 1), ("https://a.example/o", OTHER, 0)])
    _load(con, tmp_path, "r2", "C", [("https://c.example/w", WIRE, 5)])
    links = con.execute(
        "SELECT a.outlet, o.outlet, l.relation, l.wire FROM article_links l "
        "JOIN articles a USING (article_id) JOIN articles o ON o.article_id = l.original_article_id ORDER BY 1"
    ).fetchall()
    # A published first (hour 1), so B's earlier-loaded copy is relinked to it
    assert links == [("B", "A", "copy", "AP"), ("C", "A", "copy", "AP")]
    origins = dict(con.execute("SELECT outlet, relation FROM article_origins WHERE title = 'T'").fetchall())
    assert origins["A"] == "original"


def test_claim_spread_counts_independent_reports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    _load(con, tmp_path, "r1", "A", [("https://a.example/w", WIRE, 1)])
    _load(con, tmp_path, "r1", "B", [("https://b.example/w", WIRE, 2)])
    content = "a draft text could be ready within weeks"
    start = WIRE.index(content)
    for outlet in ("a", "b"):
        aid = Article(f"https://{outlet}.example/w", f"https://{outlet}.example/w", "X", "T", (), None, "en", "x")
        con.execute(
            "INSERT INTO claims (claim_id, article_id, kind, content, content_start, content_end, polarity, "
            "extractor_version) VALUES (?, ?, 'indirect', ?, ?, ?, 'asserts', 't')",
            [outlet, aid.article_id, content, start, start + len(content)],
        )
    row = con.execute("SELECT n_reports, n_independent, n_outlets FROM claim_spread").fetchone()
    assert row == (2, 1, 2)


def test_signatures_estimate_the_jaccard_similarity_of_their_shingles() -> None:
    import random

    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(3000)]
    errors = []
    for _ in range(40):
        a = [rng.choice(vocabulary) for _ in range(300)]
        b = [w for w in a if rng.random() > 0.08]  # an edited copy: some words dropped
        sa, sb = set(dedupe.shingle_hashes(" ".join(a)).tolist()), set(dedupe.shingle_hashes(" ".join(b)).tolist())
        truth = len(sa & sb) / len(sa | sb)
        errors.append(abs(dedupe.similarity(dedupe.minhash(" ".join(a)), dedupe.minhash(" ".join(b))) - truth))
    # 64 independent permutations put a typical estimate within about 0.06 of the truth
    assert sum(errors) / len(errors) < 0.06
