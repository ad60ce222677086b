"""A fact-checker's verdicts on contradiction pairs: kept beside the store, out of a compare run's reach.

A verdict says whether a pair the comparison proposed (an alert, or a lexical candidate of
``contested_claims``) is a real contradiction (``confirmed``) or not (``wrong``). Verdicts are the
only thing people write, and nothing the pipeline recomputes may lose them: a compare run rewrites
clusters and alerts, a respeak rewrites speakers, a reload replaces claims. So they live in their
own DuckDB file beside the store (``factcheck.reviews.duckdb`` for ``factcheck.duckdb``), table
``pair_reviews``, keyed by the two claim ids, which are hashes of article, span and extractor
version and so survive every rerun. Each row also keeps both sentences and the cluster as they
were when the checker judged them, so a verdict still reads whole after its claims are gone.

The Claims view writes here (one short transaction per verdict) and reads here; the pipeline's
own writer never opens this file, so a verdict never waits for a load, nor a load for a verdict.
``factcheck export`` copies the table beside the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline.store.schema import retry_on_lock

VERDICTS = ("confirmed", "wrong")
REVIEWS_SUFFIX = ".reviews.duckdb"
LOCK_WAIT = 5.0  # seconds a verdict or a page waits for another request holding the file
MAX_NOTE = 1000
MAX_REVIEWER = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS pair_reviews (
    asserting_claim_id VARCHAR NOT NULL,   -- the claim on the side of the cluster's first report
    denying_claim_id VARCHAR NOT NULL,     -- the claim disputing it
    verdict VARCHAR NOT NULL,              -- confirmed | wrong
    reviewer VARCHAR,                      -- the Airflow user who gave the verdict
    reviewed_at TIMESTAMPTZ NOT NULL,
    note VARCHAR,
    cluster_id VARCHAR,                    -- as of the verdict (NULL for a lexical candidate)
    assertion VARCHAR,                     -- both sentences as of the verdict
    denial VARCHAR,
    PRIMARY KEY (asserting_claim_id, denying_claim_id)
)"""


def reviews_path(database: Path) -> Path:
    """The verdicts file of the store at ``database``: ``<stem>.reviews.duckdb`` beside it."""
    return database.with_name(database.stem + REVIEWS_SUFFIX)


@dataclass(frozen=True, slots=True)
class Review:
    """One checker's verdict on one pair, with the pair's words as the checker saw them."""

    asserting_claim_id: str
    denying_claim_id: str
    verdict: str
    reviewer: str | None = None
    note: str | None = None
    cluster_id: str | None = None
    assertion: str | None = None
    denial: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}; got {self.verdict!r}")
        if not self.asserting_claim_id or not self.denying_claim_id:
            raise ValueError("a verdict needs both claim ids of the pair")
        if self.note is not None and len(self.note) > MAX_NOTE:
            raise ValueError(f"a note is at most {MAX_NOTE} characters")


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    return retry_on_lock(lambda: duckdb.connect(str(path), read_only=read_only), path, LOCK_WAIT)


def record(database: Path, review: Review, at: datetime | None = None) -> None:
    """Store ``review`` (replacing an earlier verdict on the same pair) in one transaction."""
    path = reviews_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only=False)
    try:
        con.execute(SCHEMA)
        con.execute(
            """INSERT OR REPLACE INTO pair_reviews
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                review.asserting_claim_id,
                review.denying_claim_id,
                review.verdict,
                (review.reviewer or None) and review.reviewer[:MAX_REVIEWER],
                at or datetime.now(UTC),
                review.note or None,
                review.cluster_id,
                review.assertion,
                review.denial,
            ],
        )
    finally:
        con.close()


def reviews_of(database: Path, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The verdicts on ``pairs`` (asserting id, denying id), by pair; empty before the first verdict."""
    path = reviews_path(database)
    if not pairs or not path.exists():
        return {}
    con = _open(path, read_only=True)
    try:
        cur = con.execute(
            """SELECT * FROM pair_reviews r
               WHERE list_contains(?::VARCHAR[], r.asserting_claim_id || chr(31) || r.denying_claim_id)""",
            [[f"{a}\x1f{d}" for a, d in pairs]],
        )
        names = [d[0] for d in cur.description or []]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()
    return {(r["asserting_claim_id"], r["denying_claim_id"]): r for r in rows}


def all_reviews(database: Path) -> list[dict[str, Any]]:
    """Every stored verdict, newest first; empty before the first verdict."""
    path = reviews_path(database)
    if not path.exists():
        return []
    con = _open(path, read_only=True)
    try:
        cur = con.execute("SELECT * FROM pair_reviews ORDER BY reviewed_at DESC, asserting_claim_id, denying_claim_id")
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()
