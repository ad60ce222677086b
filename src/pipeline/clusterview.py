"""The Claims view's comparison pages: claim clusters, contradictions and alerts, the name search.

Pure like ``pipeline.claimsview`` (whose escaping, links, evidence highlighting and page frame it
reuses): rows from ``pipeline.store``'s cluster queries in, HTML or JSON-ready values out. Every
value is escaped; article links are made only for http(s) URLs; the timeline is inline SVG drawn
here, so the pages still need no script.

A cluster page sits one level down (``cluster/<id>``), so its links lead back up with ``../``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pipeline.claimsview import (
    DEFAULT_LIMIT,
    _table,
    claim_json,
    claims_table,
    esc,
    evidence_html,
    external_link,
    fmt_time,
    jsonable,
    link,
    name_list,
    outlet_list,
    page,
    polarity_badge,
    query_href,
    seen_label,
    view_switch,
)

UP = "../"  # from a cluster page back to the view's top
STANCE_COLOURS = {"asserts": "#15803d", "denies": "#b91c1c"}


def cluster_href(cluster_id: Any, root: str = "") -> str:
    """The relative URL of a cluster's page (the id is URL-quoted, never trusted as a path)."""
    return f"{root}cluster/{quote(str(cluster_id), safe='')}"


def speaker_link(speaker_id: Any, name: Any, root: str = "") -> str:
    """A speaker's name linked to their page across outlets, by canonical id when there is one."""
    key = speaker_id or name
    if not key:
        return '<span class="muted">unattributed</span>'
    return link(root + query_href("compare", {"speaker": key}), name or key)


# --- the front page's overview and the cluster list -------------------------------------------------


def alerts_html(alerts: Sequence[Mapping[str, Any]], root: str = "") -> str:
    """Contradictions as alerts: the assertion against the denial, each side's speaker, outlet and date."""

    rows = []
    for a in alerts:
        sides = [
            f'{esc(a.get(words))}<br><span class="meta">'
            f"{speaker_link(a.get(f'{prefix}_speaker_id'), a.get(by), root)} · "
            f"{esc(a.get(f'{prefix}_outlet'))} · {esc(fmt_time(a.get(when)))}</span>"
            for prefix, by, words, when in (
                ("asserting", "asserted_by", "assertion", "asserted_at"),
                ("denying", "denied_by", "denial", "denied_at"),
            )
        ]
        rows.append(
            [
                *sides,
                f"{link(cluster_href(a.get('cluster_id'), root), 'compare versions')}<br>"
                f'<span class="meta">alerted {esc(fmt_time(a.get("alerted_at")))}</span>',
            ]
        )
    return _table(["asserted", "denied", "cluster"], rows)


def clusters_table(clusters: Sequence[Mapping[str, Any]], root: str = "") -> str:
    """Clusters one line each: first seen (published or fetched), the claim, outlets, reports, sides."""
    rows = [
        [
            f"{esc(c.get('first_seen_as') or 'seen')} {esc(fmt_time(c.get('first_seen_at')))}<br>"
            f'<span class="meta">{esc(c.get("first_outlet"))}</span>',
            link(cluster_href(c.get("cluster_id"), root), c.get("representative") or c.get("cluster_id")),
            esc(c.get("n_outlets")),
            esc(c.get("n_independent")),
            name_list(c.get("asserted_by"), root + "compare", "speaker"),
            name_list(c.get("denied_by"), root + "compare", "speaker"),
        ]
        for c in clusters
    ]
    return _table(["first seen", "claim", "outlets", "independent reports", "asserted by", "denied by"], rows, (2, 3))


def front_overview(alerts: Sequence[Mapping[str, Any]], clusters: Sequence[Mapping[str, Any]]) -> str:
    """The top of the front page: the latest contradictions (alerts) and the clusters the compare
    runs formed last (the full list, by first seen, is the clusters page)."""
    if not alerts and not clusters:
        return ""
    parts = ['<section class="overview">']
    if alerts:
        parts.append("<h2>Latest contradictions</h2>" + alerts_html(alerts))
    if clusters:
        parts.append(
            "<h2>Clusters formed most recently</h2>"
            + clusters_table(clusters)
            + f"<p>{link('clusters', 'every cluster →')}</p>"
        )
    parts.append("</section>")
    return "".join(parts)


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
    keep = {"order": order} if order != "newest" else {}
    if limit != DEFAULT_LIMIT:
        keep["limit"] = str(limit)
    summary = (
        f'<p class="summary">{total} cluster{"s" if total != 1 else ""} (claims stating one proposition across '
        f"articles and outlets), {esc(order)} first"
        + (f", showing {offset + 1}–{offset + len(clusters)}" if clusters else "")
        + f" · {link(query_href('clusters', {'order': other} if other != 'newest' else {}), other + ' first')}"
        + f" · {link('api/clusters?' + '&'.join(f'{k}={quote(v)}' for k, v in keep.items()), 'JSON')}</p>"
    )
    pager = []
    if offset > 0:
        pager.append(link(query_href("clusters", {**keep, "offset": max(0, offset - limit) or None}), "← previous"))
    if offset + len(clusters) < total:
        pager.append(link(query_href("clusters", {**keep, "offset": offset + len(clusters)}), "next →"))
    body = summary + (
        clusters_table(clusters) if clusters else '<p class="muted">No clusters here; run a compare first.</p>'
    )
    body += f'<p class="pager">{"".join(pager)}</p>' if pager else ""
    return page("clusters", "Claim clusters", body, user)


# --- one cluster ---------------------------------------------------------------------------------------


def timeline_svg(points: Sequence[Mapping[str, Any]], width: int = 760) -> str:
    """Who reported the claim when: one row per outlet, one dot per claim at its seen time, green
    for assertions and red for denials (hollow for reprints). Inline SVG, no script; every text escaped."""
    dated = [p for p in points if isinstance(p.get("seen_at"), datetime)]
    if not dated:
        return '<p class="muted">No dated reports to draw.</p>'
    outlets: list[Any] = []
    for p in dated:
        if p.get("outlet") not in outlets:
            outlets.append(p.get("outlet"))
    left, right, row_h, top = 190, 20, 24, 10
    height = top + row_h * len(outlets) + 28
    t0 = min(p["seen_at"] for p in dated)
    t1 = max(p["seen_at"] for p in dated)
    span = (t1 - t0).total_seconds()
    inner = width - left - right

    def x_of(t: datetime) -> float:
        return left + (inner / 2 if span == 0 else inner * (t - t0).total_seconds() / span)

    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="who reported it when">'
    ]
    for i, outlet in enumerate(outlets):
        y = top + row_h * i + row_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#334155">'
            f"{esc(str(outlet)[:30])}</text>"
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e2e8f0"/>'
        )
    for p in dated:
        y = top + row_h * outlets.index(p.get("outlet")) + row_h / 2
        colour = STANCE_COLOURS.get(str(p.get("polarity")), "#64748b")
        fill = "#ffffff" if p.get("reprint") else colour
        label = (
            f"{fmt_time(p['seen_at'])} · {p.get('outlet')} · {p.get('speaker') or 'unattributed'} {p.get('polarity')}"
        )
        parts.append(
            f'<circle cx="{x_of(p["seen_at"]):.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="{colour}" '
            f'stroke-width="2"><title>{esc(label)}</title></circle>'
        )
    axis_y = top + row_h * len(outlets) + 18
    parts.append(
        f'<text x="{left}" y="{axis_y}" font-size="11" fill="#64748b">{esc(fmt_time(t0))}</text>'
        f'<text x="{width - right}" y="{axis_y}" font-size="11" fill="#64748b" text-anchor="end">'
        f"{esc(fmt_time(t1))}</text></svg>"
    )
    legend = (
        '<p class="meta"><span style="color:#15803d">●</span> asserts · <span style="color:#b91c1c">●</span> denies'
        " · ○ reprint"
        + (f" · {len(points) - len(dated)} undated not drawn" if len(dated) < len(points) else "")
        + "</p>"
    )
    return "".join(parts) + legend


def reprints_html(reprints: Sequence[Mapping[str, Any]]) -> str:
    """The copies of a version folded under it: outlet, how it was linked, when, and a link."""
    if not reprints:
        return ""
    items = "".join(
        f"<li>{esc(r.get('outlet'))} ({esc(r.get('relation'))}) · {esc(seen_label(r))} · "
        f"{external_link(r.get('canonical_url'), r.get('title') or 'article')}</li>"
        for r in reprints
    )
    return f'<div class="reprints">Reprinted by:<ul>{items}</ul></div>'


def version_html(row: Mapping[str, Any]) -> str:
    """One outlet's version: speaker as resolved and as written, cue, stance, highlighted sentence,
    article link, when it was seen (published or fetched), and its reprints folded under it."""
    resolved = row.get("canonical_speaker") or row.get("speaker_name")
    written = row.get("speaker")
    who = speaker_link(row.get("speaker_id"), resolved, UP)
    if written and written != resolved:
        who += f' <span class="meta">(written “{esc(written)}”)</span>'
    polarity = str(row.get("polarity") or "")
    stance = row.get("stance")
    stance_html = f' <span class="meta" title="stance against the cluster\'s first claim">stance {esc(stance)}</span>'
    original = (
        f' <span class="meta">reprint of {esc(row.get("original_outlet"))}</span>'
        if row.get("original_outlet") and row.get("origin_article_id") != row.get("article_id")
        else ""
    )
    return (
        f'<article class="claim {esc(polarity)}" id="claim-{esc(row.get("claim_id"))}">'
        f'<div class="claim-head"><b>{esc(row.get("outlet"))}</b>{original}<span class="speaker">{who}</span>'
        f'<span class="cue">cue: <b>{esc(row.get("cue") or "—")}</b></span>{polarity_badge(polarity)}'
        f"{stance_html if stance else ''}</div>"
        f'<div class="content">{esc(row.get("content"))}</div>'
        f'<div class="meta">{external_link(row.get("canonical_url"), row.get("title") or row.get("canonical_url"))}'
        f" · {esc(seen_label(row))}</div>"
        f"{evidence_html(row)}{reprints_html(row.get('reprints') or [])}</article>"
    )


def contradictions_html(pairs: Sequence[Mapping[str, Any]], root: str = "") -> str:
    """The cluster's assertion-denial pairs, each side with speaker, outlet, date and article."""
    rows = []
    for p in pairs:
        cells = []
        for prefix, words, when in (("asserting", "assertion", "asserted_at"), ("denying", "denial", "denied_at")):
            by = "asserted_by" if prefix == "asserting" else "denied_by"
            cells.append(
                f'{esc(p.get(words))}<br><span class="meta">'
                f"{speaker_link(p.get(f'{prefix}_speaker_id'), p.get(by), root)} · "
                f"{external_link(p.get(f'{prefix}_url'), p.get(f'{prefix}_outlet'))} · "
                f"{esc(fmt_time(p.get(when)))}</span>"
            )
        rows.append(cells)
    return _table(["asserted", "denied"], rows)


def wording_html(wording: Sequence[Mapping[str, Any]]) -> str:
    """Per outlet, the cue words it reported the claim with, so framing differences show."""
    rows = [
        [
            esc(w.get("outlet")),
            esc(", ".join(str(c) for c in w.get("cues") or []) or "—"),
            esc(", ".join(str(s) for s in w.get("stances") or [])),
            esc(w.get("wording")),
            esc(w.get("n_claims")),
        ]
        for w in wording
    ]
    return _table(["outlet", "cue words", "stances", "first wording", "claims"], rows, (4,))


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
    outlets = outlet_list(summary.get("outlets"), summary.get("first_outlet")).replace('href="', 'href="' + UP)
    head = (
        f"<h2>{esc(summary.get('representative'))}</h2>"
        f'<p class="summary">{esc(summary.get("n_claims"))} claims in {esc(summary.get("n_outlets"))} outlets '
        f"({esc(summary.get('n_independent'))} independent reports, reprints counted once) · first "
        f"{esc(summary.get('first_seen_as') or 'seen')} {esc(fmt_time(summary.get('first_seen_at')))} by "
        f"{esc(summary.get('first_outlet'))}"
        f"{' (' + esc(summary.get('first_speaker')) + ')' if summary.get('first_speaker') else ''} · "
        f"last seen {esc(fmt_time(summary.get('last_seen_at')))} · "
        f"{link(UP + 'api/cluster/' + quote(str(cid), safe=''), 'JSON')}</p>"
        f"<p><b>Asserted by</b> {name_list(summary.get('asserted_by'), UP + 'compare', 'speaker')}<br>"
        f"<b>Denied by</b> {name_list(summary.get('denied_by'), UP + 'compare', 'speaker')}</p>"
        f"<p>{outlets}</p>"
    )
    parts = [head, "<h2>Who reported it when</h2>", timeline_svg(timeline)]
    if contradictions:
        parts.append("<h2>Contradictions</h2>" + contradictions_html(contradictions, UP))
    if wording:
        parts.append("<h2>How each outlet worded it</h2>" + wording_html(wording))
    params: dict[str, Any] = {"limit": limit if limit != DEFAULT_LIMIT else None}
    parts.append(
        f'<h2>Each outlet\'s version</h2><p class="summary">{total} version{"s" if total != 1 else ""}'
        + (f", showing {offset + 1}–{offset + len(versions)}" if versions else "")
        + ", first seen first; wire reprints under their original · "
        + view_switch(here, params, view)
        + "</p>"
    )
    if view == "table":
        parts.append(claims_table(versions, UP))
    else:
        parts.append("".join(version_html(v) for v in versions))
    keep = {**params, "view": "table" if view == "table" else None}
    pager = []
    if offset > 0:
        pager.append(link(query_href(here, {**keep, "offset": max(0, offset - limit) or None}), "← earlier"))
    if offset + len(versions) < total:
        pager.append(link(query_href(here, {**keep, "offset": offset + len(versions)}), "later →"))
    if pager:
        parts.append(f'<p class="pager">{"".join(pager)}</p>')
    return page("clusters", f"Cluster: {summary.get('representative') or cid}", "".join(parts), user, root=UP)


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
    if not name:
        body = '<p class="muted">Type a name, an alias or an id (e.g. person:…) in the search box.</p>'
    elif not hits:
        body = f'<p class="muted">No speaker or entity is called “{esc(name)}”.</p>'
    else:
        rows = [
            [
                esc(h.get("type")),
                link(search_hit_href(h), h.get("name")),
                esc(h.get("kind")),
                f"<code>{esc(h.get('id'))}</code>",
                esc(", ".join(str(a) for a in h.get("aliases") or [])),
                esc(h.get("matched")),
            ]
            for h in hits
        ]
        body = f'<p class="summary">{len(hits)} found for “{esc(name)}”</p>' + _table(
            ["", "name", "kind", "id", "also called", "matched"], rows
        )
    return page("search", "Find a speaker or entity", body, user, search=name)
