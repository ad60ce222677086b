"""The Claims view's comparison pages: claim clusters, contradictions and alerts, the name search.

Pure like ``pipeline.claimsview`` (whose templates, evidence highlighting and page frame it
reuses): rows from ``pipeline.store``'s cluster queries in, HTML or JSON-ready values out. The
HTML is in the templates (autoescaped); the timeline is inline SVG laid out here, so the pages
still need no script.

A cluster page sits one level down (``cluster/<id>``), so its links lead back up with ``../``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from pipeline.claimsview import (
    TEMPLATES,
    claim_json,
    cluster_href,
    fmt_time,
    jsonable,
    macro,
    page,
    query_href,
    render,
    stance_word,
)
from pipeline.viewquery import DEFAULT_LIMIT, BadRequest, choice_param, int_param, text_param

UP = "../"  # from a cluster page back to the view's top
STANCE_COLOURS = {"agrees": "#15803d", "disputes": "#b91c1c"}


def front_overview(alerts: Sequence[Mapping[str, Any]], clusters: Sequence[Mapping[str, Any]]) -> Markup:
    """The top of the front page: the latest contradictions (alerts) and the clusters the compare
    runs formed last (the full list, by first seen, is the clusters page)."""
    return Markup(render("overview.html", alerts=alerts, clusters=clusters))


def claims_table(rows: Sequence[Mapping[str, Any]], root: str = "") -> Markup:
    """Claims one line each: seen, outlet, speaker, cue, stance, the words, and their cluster."""
    return macro("macros.html", "claims_table")(rows, root)


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
        side = stance_word(p.get("stance"))
        colour = STANCE_COLOURS.get(side, "#64748b")
        dots.append(
            {
                "x": x_of(p["seen_at"]),
                "y": y_of(p.get("outlet")),
                "colour": colour,
                "fill": "#ffffff" if p.get("reprint") else colour,
                "label": f"{fmt_time(p['seen_at'])} · {p.get('outlet')} · "
                f"{p.get('speaker') or 'unattributed'} {side}",
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
    return query_href("compare", {param: hit.get("id") or hit.get("name")})


def render_search(name: str | None, hits: Sequence[Mapping[str, Any]], user: str | None = None) -> str:
    """Speakers and entities found by id, name or alias, each linked to its page across outlets."""
    return page("search.html", "search", "Find a speaker or entity", user, search=name, name=name, hits=hits)




# --- the contradictions desk -----------------------------------------------------------------------

DESK_ROWS = 25  # pairs per page of the desk
VERDICT_LABELS = {"confirmed": "confirmed: a real contradiction", "wrong": "wrong: not a contradiction"}


def _date_param(params: Mapping[str, str], name: str) -> date | None:
    value = text_param(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise BadRequest(f"{name} must be a date written YYYY-MM-DD, got {value!r}", name) from e


@dataclass(frozen=True, slots=True)
class DeskQuery:
    """The desk's filters: outlet, speaker, entity, seen since/until (dates), the page, and whether
    to list the lexical candidates (``contested_claims``) too."""

    outlet: str | None = None
    speaker: str | None = None
    entity: str | None = None
    since: date | None = None
    until: date | None = None
    offset: int = 0
    candidates: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> DeskQuery:
        return cls(
            outlet=text_param(params, "outlet"),
            speaker=text_param(params, "speaker"),
            entity=text_param(params, "entity"),
            since=_date_param(params, "since"),
            until=_date_param(params, "until"),
            offset=int_param(params, "offset", 0, 0, 10_000_000),
            candidates=choice_param(params, "candidates", ("0", "1"), "0") == "1",
        )

    def store_args(self) -> dict[str, Any]:
        """Keyword arguments for ``store.desk_pairs`` (the page's limit and offset apart)."""
        return {"outlet": self.outlet, "speaker": self.speaker, "entity": self.entity,
                "since": self.since, "until": self.until}

    def to_params(self, **changes: Any) -> dict[str, str]:
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        out: dict[str, str] = {}
        for name, value in values.items():
            if value is None or value is False or (name == "offset" and value == 0):
                continue
            out[name] = "1" if value is True else str(value)
        return out

    @property
    def active(self) -> bool:
        return any((self.outlet, self.speaker, self.entity, self.since, self.until))


def review_key(token: str | None) -> str:
    """The value a verdict form carries to show it came from this view: a digest of the login
    cookie, which another site cannot read (a forged form cannot carry it). Empty without a cookie."""
    if not token:
        return ""
    return hashlib.sha256(b"factcheck pair review\x00" + token.encode("utf-8")).hexdigest()[:32]


def render_desk(
    query: DeskQuery,
    total: int,
    pairs: Sequence[Mapping[str, Any]],
    verdicts: Mapping[tuple[str, str], Mapping[str, Any]],
    candidates: Sequence[Mapping[str, Any]],
    facets: Mapping[str, Sequence[str]],
    key: str,
    user: str | None = None,
    limit: int = DESK_ROWS,
) -> str:
    """Every contradiction the compare runs found, both sentences side by side with their archived
    copies, a verdict form on each pair and the verdicts already given; the lexical candidates of
    ``contested_claims`` (marked as candidates) when asked for."""
    keep = query.to_params(offset=0)
    pager = []
    if query.offset > 0:
        pager.append((query_href("desk", {**keep, "offset": max(0, query.offset - limit) or None}), "← newer"))
    if query.offset + len(pairs) < total:
        pager.append((query_href("desk", {**keep, "offset": query.offset + len(pairs)}), "older →"))
    return page(
        "desk.html", "desk", "Contradictions desk", user, query=query, total=total, pairs=pairs,
        verdicts=verdicts, candidates=candidates, facets=facets, key=key, pager=pager,
        back=urlencode(query.to_params()), download_params=query.to_params(offset=0, candidates=False),
        with_candidates=query_href("desk", query.to_params(offset=0, candidates=True)),
    )


def desk_json(
    query: DeskQuery, total: int, pairs: Sequence[Mapping[str, Any]],
    verdicts: Mapping[tuple[str, str], Mapping[str, Any]], candidates: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The desk for the API: the pairs with their verdicts (None before one is given)."""
    def with_verdict(p: Mapping[str, Any]) -> dict[str, Any]:
        return {**p, "review": verdicts.get((p["asserting_claim_id"], p["denying_claim_id"]))}

    return jsonable({
        "total": total, "offset": query.offset, "filters": query.to_params(offset=0),
        "pairs": [with_verdict(p) for p in pairs],
        "candidates": [{**with_verdict(c), "candidate": True} for c in candidates],
    })


# --- the archive viewer ------------------------------------------------------------------------------


def render_archive(info: Mapping[str, Any], claim: Mapping[str, Any] | None, user: str | None = None) -> str:
    """The header of an archived copy: where and when it was fetched, its content hash, the claim's
    sentence highlighted, the way back to its cluster, and the copy itself below, sandboxed."""
    root = "../"
    return page(
        "archive.html", "", f"Archived copy: {info.get('title') or info.get('outlet') or 'article'}", user, root,
        info=info, claim=claim, raw_href=f"{quote(str(info.get('article_id')), safe='')}/raw",
    )


TEMPLATES.globals.update(search_hit_href=search_hit_href, VERDICT_LABELS=VERDICT_LABELS)
