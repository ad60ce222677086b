"""The rows of the Claims view's downloads (the claim list with its filters, one cluster, the
contradictions desk): the view ``factcheck export`` writes for the same data (``claims_by_source``
for claims and a cluster, ``contradictions`` for the desk), with its columns and its CSV text made
by the export's own code, and the ClaimReviews of the clusters involved. At most ``limit`` rows;
``Table.capped`` says when more were left out. ``pipeline.downloads`` makes the files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.store.export import claim_reviews, view_rows
from pipeline.store.outlet_queries import desk_pairs
from pipeline.store.queries import LEAN_CLAIMS, claim_filter

CLAIM_ORDER = "seen_at DESC NULLS LAST, outlet, article_id, content_start, claim_id"  # the claim list's order
PAIR_ORDER = "alerted_at DESC NULLS LAST, asserting_claim_id, denying_claim_id"  # the desk's order


@dataclass(frozen=True, slots=True)
class Table:
    """One download's content: the view's columns and rows (as its CSV writes them, and as stored),
    the ClaimReviews of its clusters, and whether rows were left out past the limit."""

    columns: list[str]
    text_rows: list[tuple[Any, ...]]
    rows: list[tuple[Any, ...]]
    reviews: list[dict[str, Any]] = field(default_factory=list)
    single: bool = False  # one cluster: one ClaimReview object, not a graph
    capped: bool = False


def _ids(con: Any, sql: str, params: list[Any], limit: int) -> tuple[list[Any], bool]:
    rows = [r[0] for r in con.execute(sql, [*params, limit + 1]).fetchall()]
    return rows[:limit], len(rows) > limit


def _reviews(con: Any, cluster_ids: list[str], wanted: bool = True) -> list[dict[str, Any]]:
    if not wanted:  # read only for a ClaimReview download
        return []
    return list(claim_reviews(con, cluster_ids=sorted({c for c in cluster_ids if c})))


def claims(con: Any, filters: Mapping[str, Any], fmt: str, limit: int) -> Table:
    """The claims the claim list shows for ``filters`` (``ClaimQuery.store_args``), in its order."""
    wanted = {k: v for k, v in filters.items() if k not in ("limit", "offset")}
    condition, params = claim_filter(con, **wanted)
    ids, capped = _ids(
        con, f"SELECT c.claim_id FROM {LEAN_CLAIMS} c WHERE {condition} ORDER BY {CLAIM_ORDER} LIMIT ?", params, limit
    )
    columns, text, rows = view_rows(con, "claims_by_source", "list_contains(?::VARCHAR[], claim_id)", [ids],
                                    CLAIM_ORDER, limit)
    clusters = [r[0] for r in con.execute(
        "SELECT DISTINCT cluster_id FROM claim_clusters WHERE list_contains(?::VARCHAR[], claim_id)", [ids]
    ).fetchall()] if fmt == "jsonld" else []
    return Table(columns, text, rows, _reviews(con, clusters, fmt == "jsonld"), capped=capped)


def cluster(con: Any, cluster_id: str, fmt: str, limit: int) -> Table:
    """Every claim of one cluster, first seen first, and its ClaimReview."""
    columns, text, rows = view_rows(con, "claims_by_source", "cluster_id = ?", [cluster_id],
                                    "seen_at NULLS LAST, claim_id", limit + 1)
    reviews = list(claim_reviews(con, cluster_id)) if fmt == "jsonld" else []
    return Table(columns, text[:limit], rows[:limit], reviews, single=True, capped=len(rows) > limit)


def contradictions(con: Any, filters: Mapping[str, Any], fmt: str, limit: int) -> Table:
    """The pairs the contradictions desk lists for ``filters`` (``DeskQuery.store_args``), newest first."""
    total, pairs = desk_pairs(con, **filters, limit=limit, offset=0)
    keys = [f"{p['asserting_claim_id']}\x1f{p['denying_claim_id']}" for p in pairs]
    sides = [sorted({p[f"{side}_claim_id"] for p in pairs}) for side in ("asserting", "denying")]
    columns, text, rows = view_rows(  # each side's ids alone first, so the view reads those claims only
        con, "contradictions",
        "list_contains(?::VARCHAR[], asserting_claim_id) AND list_contains(?::VARCHAR[], denying_claim_id) "
        "AND list_contains(?::VARCHAR[], asserting_claim_id || chr(31) || denying_claim_id)",
        [*sides, keys], PAIR_ORDER, limit,
    )
    return Table(columns, text, rows, _reviews(con, [p["cluster_id"] for p in pairs], fmt == "jsonld"),
                 capped=total > limit)
