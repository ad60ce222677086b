"""The Claims view's comparison pages: claim clusters, contradictions and alerts, the name search.

Pure like ``pipeline.claimsview`` (whose templates, evidence highlighting and page frame it
reuses): rows from ``pipeline.store``'s cluster queries in, HTML or JSON-ready values out. The
HTML is in the templates (autoescaped); the timeline is inline SVG laid out here, so the pages
still need no script.

A cluster page sits one level down (``cluster/<id>``), so its links lead back up with ``../``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup

from pipeline.claimsview import (
    _ENV,
    DEFAULT_LIMIT,
    _macro,
    claim_json,
    cluster_href,
    fmt_time,
    jsonable,
    page,
    query_href,
    render,
)

UP = "../"  # from a cluster page back to the view's top
STANCE_COLOURS = {"asserts": "#15803d", "denies": "#b91c1c"}


def front_overview(alerts: Sequence[Mapping[str, Any]], clusters: Sequence[Mapping[str, Any]]) -> Markup:
    """The top of the front page: the latest contradictions (alerts) and the clusters the compare
    runs formed last (the full list, by first seen, is the clusters page)."""
    return Markup(render("overview.html", alerts=alerts, clusters=clusters))


def claims_table(rows: Sequence[Mapping[str, Any]], root: str = "") -> Markup:
    """Claims one line each: seen, outlet, speaker, cue, stance, the words, and their cluster."""
    return _macro("macros.html", "claims_table")(rows, root)


def render_clusters(
    total: int,
    clusters: Sequence[Mapping[str, Any]],
    limit: int,
    offset: int,
    order: str,
    user: str | None = None,
) -> str:
    """One page of claim clusters, ordered by first seen."""
    other = "oldest" if order == "newest" else "newest"
    keep: dict[str, Any] = {"order": order} if order != "newest" else {}
    if limit != DEFAULT_LIMIT:
        keep["limit"] = str(limit)
    pager = []
    if offset > 0:
        pager.append((query_href("clusters", {**keep, "offset": max(0, offset - limit) or None}), "← previous"))
    if offset + len(clusters) < total:
        pager.append((query_href("clusters", {**keep, "offset": offset + len(clusters)}), "next →"))
    return page(
        "clusters.html", "clusters", "Claim clusters", user, total=total, clusters=clusters, offset=offset,
        order=order, other=other, other_href=query_href("clusters", {"order": other} if other != "newest" else {}),
        json_href=query_href("api/clusters", keep), pager=pager,
    )


def timeline_svg(points: Sequence[Mapping[str, Any]], width: int = 760) -> Markup:
    """Who reported the claim when: one row per outlet, one dot per claim at its seen time, green
    for assertions and red for denials (hollow for reprints). Inline SVG, no script."""
    dated = [p for p in points if isinstance(p.get("seen_at"), datetime)]
    if not dated:
        return Markup(render("timeline.html", dots=[]))
    outlets: list[Any] = []
    for p in dated:
        if p.get("outlet") not in outlets:
            outlets.append(p.get("outlet"))
    left, right, row_h, top = 190, 20, 24, 10
    t0 = min(p["seen_at"] for p in dated)
    t1 = max(p["seen_at"] for p in dated)
    span = (t1 - t0).total_seconds()
    inner = width - left - right

    def x_of(t: datetime) -> float:
        return left + (inner / 2 if span == 0 else inner * (t - t0).total_seconds() / span)

    def y_of(outlet: Any) -> float:
        return top + row_h * outlets.index(outlet) + row_h / 2

    dots = []
    for p in dated:
        colour = STANCE_COLOURS.get(str(p.get("polarity")), "#64748b")
        dots.append(
            {
                "x": x_of(p["seen_at"]),
                "y": y_of(p.get("outlet")),
                "colour": colour,
                "fill": "#ffffff" if p.get("reprint") else colour,
                "label": f"{fmt_time(p['seen_at'])} · {p.get('outlet')} · "
                f"{p.get('speaker') or 'unattributed'} {p.get('polarity')}",
            }
        )
    return Markup(
        render(
            "timeline.html", dots=dots, rows=[{"y": y_of(o), "label": str(o)[:30]} for o in outlets],
            width=width, height=top + row_h * len(outlets) + 28, left=left, right=right,
            axis_y=top + row_h * len(outlets) + 18, t0=t0, t1=t1, undated=len(points) - len(dated),
        )
    )


def render_cluster(
    summary: Mapping[str, Any],
    total: int,
    versions: Sequence[Mapping[str, Any]],
    contradictions: Sequence[Mapping[str, Any]],
    wording: Sequence[Mapping[str, Any]],
    timeline: Sequence[Mapping[str, Any]],
    limit: int,
    offset: int,
    view: str = "cards",
    user: str | None = None,
) -> str:
    """One cluster: who carries it and who denies it, the timeline, contradictions, framing, and
    each outlet's version lined up (cards with the highlighted sentence, or a compact table)."""
    cid = summary.get("cluster_id")
    here = cluster_href(cid, UP)
    params: dict[str, Any] = {"limit": limit if limit != DEFAULT_LIMIT else None}
    keep = {**params, "view": "table" if view == "table" else None}
    pager = []
    if offset > 0:
        pager.append((query_href(here, {**keep, "offset": max(0, offset - limit) or None}), "← earlier"))
    if offset + len(versions) < total:
        pager.append((query_href(here, {**keep, "offset": offset + len(versions)}), "later →"))
    return page(
        "cluster.html", "clusters", f"Cluster: {summary.get('representative') or cid}", user, UP,
        summary=summary, total=total, versions=versions, contradictions=contradictions, wording=wording,
        timeline=timeline_svg(timeline), offset=offset, view=view, here=here, params=params, pager=pager,
    )


def version_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One version for the API: the claim as the claim list gives it, and whether "seen" is the
    publication time or the fetch time."""
    item = claim_json(row)
    item["seen_as"] = "published" if row.get("published_at") is not None else "fetched"
    return item


def cluster_json(
    summary: Mapping[str, Any],
    total: int,
    versions: Sequence[Mapping[str, Any]],
    contradictions: Sequence[Mapping[str, Any]],
    wording: Sequence[Mapping[str, Any]],
    timeline: Sequence[Mapping[str, Any]],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A cluster for the API: the coverage row, one page of versions, contradictions, wording, timeline."""
    return jsonable(
        {
            "cluster": summary,
            "total_versions": total,
            "limit": limit,
            "offset": offset,
            "versions": [version_json(v) for v in versions],
            "contradictions": contradictions,
            "wording": wording,
            "timeline": timeline,
        }
    )


# --- the name search -----------------------------------------------------------------------------------


def search_hit_href(hit: Mapping[str, Any]) -> str:
    """Where a hit leads: a speaker's or an entity's page across outlets, by canonical id."""
    param = "speaker" if hit.get("type") == "speaker" else "entity"
    return query_href("compare", {param: hit.get("id")})


def render_search(name: str | None, hits: Sequence[Mapping[str, Any]], user: str | None = None) -> str:
    """Speakers and entities found by id, name or alias, each linked to its page across outlets."""
    return page("search.html", "search", "Find a speaker or entity", user, search=name, name=name, hits=hits)


_ENV.globals.update(search_hit_href=search_hit_href)
