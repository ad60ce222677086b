"""The Claims view: HTML pages and JSON for the Airflow plugin, built from the store's query results.

Pure: request parameters and rows (``pipeline.store`` read-side queries) in, HTML or JSON-ready
values out. No Airflow, no DuckDB, no I/O, so it is tested without a server.

Everything shown comes from fetched articles and feeds, i.e. untrusted input: every value goes
through ``html.escape`` (text and attributes alike), links to articles are kept only when they are
plain http(s) URLs, and the pages carry no script at all, so the Content-Security-Policy below can
forbid scripts outright.

The pages sit side by side under one prefix (``<prefix>/``, ``compare``, ``spread``, ``health``) and
link to each other with relative URLs, so the view works wherever the plugin mounts it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from pipeline.records import CLAIM_KINDS, POLARITIES

# Served with every page: no scripts, no plugins, no foreign frames; framed only by Airflow itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'self'; base-uri 'none'"
)

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_PARAM_LENGTH = 300

PAGES: tuple[tuple[str, str], ...] = (
    ("claims", "Claims"),
    ("clusters", "Clusters"),
    ("compare", "Across outlets"),
    ("spread", "Claim spread"),
    ("health", "Ingest health"),
)
PAGE_HREF = {
    "claims": "./",
    "clusters": "clusters",
    "compare": "compare",
    "spread": "spread",
    "health": "health",
    "search": "search",
}
VIEW_MODES = ("cards", "table")


class BadRequest(ValueError):
    """A request parameter that cannot be used; the message says which and why (and what it may be)."""

    def __init__(self, message: str, parameter: str | None = None, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.allowed = tuple(allowed)


class NotFound(LookupError):
    """A request naming something that does not exist (an unknown cluster id): answered with 404."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def _text_param(params: Mapping[str, str], name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    value = " ".join(str(raw).split())
    if len(value) > MAX_PARAM_LENGTH:
        raise BadRequest(f"{name} is longer than {MAX_PARAM_LENGTH} characters", name)
    return value or None


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError as e:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, got {raw!r}", name) from e
    return max(low, min(high, value))


def choice_param(
    params: Mapping[str, str], name: str, allowed: Sequence[str], default: str | None = None
) -> str | None:
    """One of ``allowed`` (blank means ``default``); anything else is refused, naming the allowed values."""
    value = _text_param(params, name)
    if value is None:
        return default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}; got {value!r}", name, allowed)
    return value


def text_param(params: Mapping[str, str], name: str) -> str | None:
    """A free-text parameter, whitespace collapsed (blank is None); too long is refused."""
    return _text_param(params, name)


def int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter clamped to [low, high]; not a number is refused, naming the range."""
    return _int_param(params, name, default, low, high)


def view_mode(params: Mapping[str, str]) -> str:
    """``cards`` (the default) or ``table``: how a list of claims is shown."""
    return choice_param(params, "view", VIEW_MODES, "cards") or "cards"


@dataclass(frozen=True, slots=True)
class ClaimQuery:
    """The claim list's filters, as given in the query string (``q`` is the text search)."""

    outlet: str | None = None
    speaker: str | None = None
    polarity: str | None = None
    kind: str | None = None
    text: str | None = None
    entity: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ClaimQuery:
        """Read the filters; blanks mean "any", whitespace is collapsed, limits are clamped."""
        return cls(
            outlet=_text_param(params, "outlet"),
            speaker=_text_param(params, "speaker"),
            polarity=choice_param(params, "polarity", POLARITIES),
            kind=choice_param(params, "kind", CLAIM_KINDS),
            text=_text_param(params, "q"),
            entity=_text_param(params, "entity"),
            limit=_int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
            offset=_int_param(params, "offset", 0, 0, 10_000_000),
        )

    def store_args(self) -> dict[str, Any]:
        """Keyword arguments for ``store.find_claims``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_params(self, **changes: Any) -> dict[str, str]:
        """The query string for these filters (with ``changes``), leaving out defaults."""
        values = {**{f.name: getattr(self, f.name) for f in fields(self)}, **changes}
        out: dict[str, str] = {}
        for name, value in values.items():
            key = "q" if name == "text" else name
            if value is None or (name == "limit" and value == DEFAULT_LIMIT) or (name == "offset" and value == 0):
                continue
            out[key] = str(value)
        return out

    @property
    def active(self) -> bool:
        return any((self.outlet, self.speaker, self.polarity, self.kind, self.text, self.entity))


# --- evidence ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Highlight:
    """A stored span (article offsets converted to offsets into the evidence text)."""

    role: str  # content | speaker | cue
    start: int
    end: int


def evidence_highlights(row: Mapping[str, Any]) -> list[Highlight]:
    """The content, speaker and cue spans that fall inside the row's evidence window.

    Offsets in the store are into the whole article text; the evidence window starts at
    ``evidence_start``. Spans that reach outside the window (or are missing) are left out.
    """
    evidence = row.get("evidence") or ""
    base = int(row.get("evidence_start") or 0)
    out: list[Highlight] = []
    for role in ("content", "speaker", "cue"):
        start, end = row.get(f"{role}_start"), row.get(f"{role}_end")
        if start is None or end is None:
            continue
        s, e = int(start) - base, int(end) - base
        if 0 <= s < e <= len(evidence):
            out.append(Highlight(role, s, e))
    return out


def evidence_matches(row: Mapping[str, Any]) -> bool:
    """Whether the stored content offsets point at exactly the stored content words."""
    for h in evidence_highlights(row):
        if h.role == "content":
            return str(row.get("evidence") or "")[h.start : h.end] == row.get("content")
    return False


def highlight_html(evidence: str, highlights: Sequence[Highlight]) -> str:
    """The evidence text, escaped, with each highlighted span wrapped in ``<mark class="hl ROLE">``.

    Spans may overlap (a speaker inside the quoted content, say): the text is cut at every span
    boundary and each piece carries the classes of every span that covers it.
    """
    cuts = sorted({0, len(evidence), *(h.start for h in highlights), *(h.end for h in highlights)})
    parts: list[str] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        piece = html.escape(evidence[lo:hi])
        roles = [h.role for h in highlights if h.start <= lo and hi <= h.end]
        if roles:
            order = {"content": 0, "speaker": 1, "cue": 2}
            classes = " ".join(f"hl-{r}" for r in sorted(set(roles), key=lambda r: order.get(r, 9)))
            parts.append(f'<mark class="hl {classes}">{piece}</mark>')
        else:
            parts.append(piece)
    return "".join(parts)


def trim_to_words(
    evidence: str, highlights: Sequence[Highlight], cut_before: bool, cut_after: bool
) -> tuple[str, list[Highlight]]:
    """Drop the partial paragraph or word where the window cuts into the article, and blank space.

    Never cuts into a highlighted span; highlights are shifted to the trimmed text.
    """
    lo, hi = 0, len(evidence)
    first = min((h.start for h in highlights), default=hi)
    last = max((h.end for h in highlights), default=lo)
    if cut_before:  # start at a paragraph if one starts before the highlights, else at a word
        para = evidence.find("\n", 0, first)
        gap = para if para >= 0 else next((i for i, ch in enumerate(evidence[:first]) if ch.isspace()), None)
        if gap is not None:
            lo = gap
    if cut_after:  # end at a paragraph if one ends after the highlights, else at a word
        para = evidence.rfind("\n", last, hi)
        gap = para if para >= 0 else next((i for i in range(hi - 1, last - 1, -1) if evidence[i].isspace()), None)
        if gap is not None:
            hi = gap
    while lo < first and lo < hi and evidence[lo].isspace():
        lo += 1
    while hi > last and hi > lo and evidence[hi - 1].isspace():
        hi -= 1
    return evidence[lo:hi], [Highlight(h.role, h.start - lo, h.end - lo) for h in highlights]


def evidence_html(row: Mapping[str, Any]) -> str:
    """The evidence block of one claim: highlighted text, with ellipses where the article goes on."""
    evidence = str(row.get("evidence") or "")
    start = int(row.get("evidence_start") or 0)
    length = row.get("article_length")
    cut_before = start > 0
    cut_after = length is not None and start + len(evidence) < int(length)
    text, highlights = trim_to_words(evidence, evidence_highlights(row), cut_before, cut_after)
    body = highlight_html(text, highlights)
    before = "… " if cut_before else ""
    after = " …" if cut_after else ""
    warning = "" if evidence_matches(row) else '<p class="warn">The stored offsets do not match the claim text.</p>'
    return f'<blockquote class="evidence">{before}{body}{after}</blockquote>{warning}'


# --- small helpers -----------------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute ("" for None)."""
    return "" if value is None else html.escape(str(value), quote=True)


def safe_url(url: Any) -> str | None:
    """The URL if it is a plain http(s) URL (no javascript:, data: or other schemes), else None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url.strip()


def fmt_time(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip() if value.tzinfo else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def seen_label(row: Mapping[str, Any]) -> str:
    """When the outlet had it: "published <time>" when the article states it, else "fetched <time>"."""
    if row.get("published_at") is not None:
        return f"published {fmt_time(row.get('published_at'))}"
    if row.get("first_seen_at") is not None:
        return f"fetched {fmt_time(row.get('first_seen_at'))}"
    return "date unknown"


def link(href: str, text: Any, cls: str = "") -> str:
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{esc(href)}"{attr}>{esc(text)}</a>'


def external_link(url: Any, text: Any) -> str:
    """A link that leaves the view (to an article): only for safe URLs, never sending the referrer."""
    href = safe_url(url)
    if href is None:
        return esc(text)
    return f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer nofollow">{esc(text)}</a>'


def query_href(page: str, params: Mapping[str, Any]) -> str:
    clean = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    base = PAGE_HREF.get(page, page)
    return f"{base}?{urlencode(clean)}" if clean else base


def polarity_badge(polarity: Any) -> str:
    cls = {"asserts": "asserts", "denies": "denies"}.get(str(polarity), "other")
    return f'<span class="badge {cls}">{esc(polarity)}</span>'


def outlet_list(outlets: Iterable[Any] | None, first: Any = None) -> str:
    items = []
    for o in outlets or []:
        mark = ' class="first" title="first to carry it"' if first is not None and o == first else ""
        items.append(f"<li{mark}>{link(query_href('claims', {'outlet': o}), o)}</li>")
    return f'<ul class="outlets">{"".join(items)}</ul>'


def name_list(names: Iterable[Any] | None, page: str, param: str) -> str:
    values = [n for n in (names or []) if n is not None]
    if not values:
        return '<span class="muted">nobody</span>'
    return ", ".join(link(query_href(page, {param: n}), n) for n in values)


# --- pages -------------------------------------------------------------------------------------------

STYLE = """
:root { color-scheme: light; --fg:#1a202c; --muted:#64748b; --line:#e2e8f0; --bg:#ffffff; --soft:#f7fafc;
        --accent:#017cee; --ok:#15803d; --bad:#b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); }
header { padding: 12px 20px 0; border-bottom: 1px solid var(--line); }
header h1 { font-size: 20px; margin: 0 0 8px; }
header h1 small { font-weight: normal; color: var(--muted); font-size: 13px; margin-left: 8px; }
nav.tabs a { display: inline-block; padding: 6px 12px; margin-right: 4px; color: var(--muted); text-decoration: none;
             border-bottom: 2px solid transparent; }
nav.tabs a.current { color: var(--fg); border-bottom-color: var(--accent); font-weight: 600; }
main { padding: 16px 20px 40px; max-width: 1200px; }
a { color: var(--accent); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; padding: 12px; background: var(--soft);
               border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
form.filters input, form.filters select { font: inherit; padding: 4px 6px; border: 1px solid #cbd5e1;
               border-radius: 4px; min-width: 150px; background: #fff; }
form.filters button { font: inherit; padding: 5px 14px; background: var(--accent); color: #fff; border: 0;
               border-radius: 4px; cursor: pointer; }
.summary { color: var(--muted); margin: 8px 0 12px; }
article.claim { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin-bottom: 10px; }
article.claim.denies { border-left: 4px solid var(--bad); }
article.claim.asserts { border-left: 4px solid var(--ok); }
.claim-head { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: baseline; }
.claim-head .speaker { font-weight: 600; }
.claim .content { font-size: 15px; margin: 6px 0; }
.meta { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; background: #e2e8f0; }
.badge.asserts { background: #dcfce7; color: var(--ok); }
.badge.denies { background: #fee2e2; color: var(--bad); }
.chip { display: inline-block; padding: 0 6px; margin-right: 4px; border: 1px solid var(--line); border-radius: 4px;
        font-size: 12px; text-decoration: none; }
blockquote.evidence { margin: 6px 0 0; padding: 8px 10px; background: var(--soft); border-radius: 4px;
                      white-space: pre-wrap; font-size: 13px; color: #334155; }
mark.hl { padding: 0 1px; border-radius: 2px; }
mark.hl-content { background: #fde68a; color: #111827; }
mark.hl-speaker { background: #bfdbfe; color: #111827; }
mark.hl-cue { background: #e9d5ff; color: #111827; text-decoration: underline; }
.legend mark { font-size: 12px; }
.warn { color: var(--bad); font-size: 12px; margin: 4px 0 0; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 18px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-size: 12px; color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.outlets { margin: 0; padding: 0; list-style: none; }
ul.outlets li.first::after { content: " (first)"; color: var(--muted); font-size: 12px; }
.pager a { margin-right: 12px; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
form.search { display: inline-flex; gap: 4px; margin-left: 16px; vertical-align: middle; }
form.search input { font: inherit; padding: 3px 6px; border: 1px solid #cbd5e1; border-radius: 4px; width: 220px; }
form.search button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px;
               background: var(--soft); cursor: pointer; }
.reprints { margin: 6px 0 0 16px; font-size: 12px; color: var(--muted); }
.views a.current { font-weight: 600; color: var(--fg); text-decoration: none; }
svg.timeline { display: block; max-width: 100%; height: auto; margin: 6px 0 12px; }
.error { padding: 14px; border: 1px solid #fecaca; background: #fef2f2; border-radius: 6px; }
"""


def search_form(root: str = "", value: str | None = None) -> str:
    """The name search on every page: speakers and entities by canonical id, name or alias."""
    return (
        f'<form class="search" method="get" action="{esc(root + PAGE_HREF["search"])}" role="search">'
        f'<input type="search" name="name" value="{esc(value)}" maxlength="{MAX_PARAM_LENGTH}" '
        'placeholder="find a speaker or entity" aria-label="find a speaker or entity">'
        '<button type="submit">Find</button></form>'
    )


def page(
    current: str, title: str, body: str, user: str | None = None, root: str = "", search: str | None = None
) -> str:
    """A whole HTML document: the view's header, tabs and search box around ``body`` (escaped HTML).

    ``root`` leads from the page back to the view's top (``"../"`` for pages one level down, such
    as a cluster), since the pages link to each other with relative URLs."""
    current_attr = ' class="current"'
    tabs = "".join(
        f'<a href="{esc(root + PAGE_HREF[key] if PAGE_HREF[key] != "./" or not root else root)}"'
        f"{current_attr if key == current else ''}>{esc(label)}</a>"
        for key, label in PAGES
    )
    tabs += search_form(root, search)
    who = f"<small>signed in as {esc(user)}</small>" if user else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)} · Factcheck</title><style>{STYLE}</style></head>"
        f'<body><header><h1>Factcheck claims{who}</h1><nav class="tabs">{tabs}</nav></header>'
        f"<main>{body}</main></body></html>"
    )


def _select(name: str, label: str, options: Sequence[str], current: str | None) -> str:
    opts = ['<option value="">any</option>']
    values = list(options)
    if current and current not in values:
        values.append(current)
    for value in values:
        selected = " selected" if value == current else ""
        opts.append(f'<option value="{esc(value)}"{selected}>{esc(value)}</option>')
    return f'<label>{esc(label)}<select name="{esc(name)}">{"".join(opts)}</select></label>'


def _input(name: str, label: str, value: str | None, placeholder: str = "") -> str:
    return (
        f'<label>{esc(label)}<input type="search" name="{esc(name)}" value="{esc(value)}" '
        f'placeholder="{esc(placeholder)}"></label>'
    )


def claim_html(row: Mapping[str, Any]) -> str:
    """One claim: speaker (resolved), cue, stance, content, article, entities and the evidence."""
    speaker = row.get("speaker_name")
    written = row.get("speaker")
    speaker_html = (
        link(query_href("claims", {"speaker": speaker}), speaker, "speaker")
        if speaker
        else '<span class="speaker muted">unattributed</span>'
    )
    if speaker and written and row.get("speaker_resolved") and written != speaker:
        speaker_html += f' <span class="meta">(written “{esc(written)}”)</span>'
    compare_key = row.get("speaker_id") or speaker
    compare = (
        f' <a class="meta" href="{esc(query_href("compare", {"speaker": compare_key}))}">across outlets →</a>'
        if compare_key
        else ""
    )
    if row.get("canonical_speaker") and row.get("canonical_speaker") != speaker:
        speaker_html += f' <span class="meta">= {esc(row.get("canonical_speaker"))}</span>'
    cluster = (
        f' <a class="meta" href="{esc("cluster/" + quote(str(row["cluster_id"]), safe=""))}">'
        "other outlets' versions →</a>"
        if row.get("cluster_id")
        else ""
    )
    entities = "".join(
        f'<a class="chip" href="{esc(query_href("claims", {"entity": e}))}">{esc(e)}</a>'
        for e in row.get("entities") or []
    )
    polarity = str(row.get("polarity") or "")
    return (
        f'<article class="claim {esc(polarity)}" id="claim-{esc(row.get("claim_id"))}">'
        f'<div class="claim-head">{speaker_html}'
        f'<span class="cue">cue: <b>{esc(row.get("cue") or "—")}</b></span>{polarity_badge(polarity)}'
        f'<span class="meta">{esc(row.get("kind"))}</span>{compare}{cluster}</div>'
        f'<div class="content">{esc(row.get("content"))}</div>'
        f'<div class="meta">{link(query_href("claims", {"outlet": row.get("outlet")}), row.get("outlet"))} · '
        f"{external_link(row.get('canonical_url'), row.get('title') or row.get('canonical_url'))} · "
        f"{esc(seen_label(row))}"
        f"{' · ' + entities if entities else ''}</div>"
        f"{evidence_html(row)}</article>"
    )


def render_claims(
    total: int,
    rows: Sequence[Mapping[str, Any]],
    facets: Mapping[str, Sequence[str]],
    query: ClaimQuery,
    user: str | None = None,
    view: str = "cards",
    overview: str = "",
) -> str:
    """The searchable, filterable claim list, as cards with evidence or as a compact table;
    ``overview`` (latest contradictions and clusters, already HTML) goes above it."""
    form = (
        '<form class="filters" method="get" action="./">'
        + _input("q", "text", query.text, "words in the claim or title")
        + _select("outlet", "outlet", facets.get("outlets", []), query.outlet)
        + _input("speaker", "speaker", query.speaker, "e.g. Corvane Chemicals")
        + _select("polarity", "stance", facets.get("polarities", []), query.polarity)
        + _select("kind", "kind", facets.get("kinds", []), query.kind)
        + _select("entity", "entity", facets.get("entities", []), query.entity)
        + '<button type="submit">Filter</button>'
        + (f' <a href="{esc(PAGE_HREF["claims"])}">clear</a>' if query.active else "")
        + "</form>"
    )
    shown_to = query.offset + len(rows)
    summary = (
        f'<p class="summary">{total} claim{"s" if total != 1 else ""}'
        + (f", showing {query.offset + 1}–{shown_to}" if rows else "")
        + ' · <span class="legend">evidence: <mark class="hl hl-content">content</mark> '
        '<mark class="hl hl-speaker">speaker</mark> <mark class="hl hl-cue">cue</mark></span>'
        + f' · <a href="{esc("api/claims?" + urlencode(query.to_params()))}">JSON</a>'
        + " · "
        + view_switch("claims", query.to_params(), view)
        + "</p>"
    )
    keep = {"view": "table"} if view == "table" else {}
    if not rows:
        items = '<p class="muted">No claims match these filters.</p>'
    elif view == "table":
        items = claims_table(rows)
    else:
        items = "".join(claim_html(r) for r in rows)
    pager = []
    if query.offset > 0:
        prev = query.to_params(offset=max(0, query.offset - query.limit))
        pager.append(link(query_href("claims", {**prev, **keep}), "← newer"))
    if shown_to < total:
        pager.append(link(query_href("claims", {**query.to_params(offset=shown_to), **keep}), "older →"))
    body = overview + form + summary + items + (f'<p class="pager">{"".join(pager)}</p>' if pager else "")
    return page("claims", "Claims", body, user)


def view_switch(page_key: str, params: Mapping[str, Any], current: str, root: str = "") -> str:
    """Links between the card and the compact table mode of a list, keeping its other parameters."""
    links = []
    for mode in VIEW_MODES:
        values = {k: v for k, v in params.items() if k != "view"}
        if mode != "cards":
            values["view"] = mode
        cls = "current" if mode == current else ""
        links.append(link(root + query_href(page_key, values), mode, cls))
    return f'<span class="views">view as {" | ".join(links)}</span>'


def claims_table(rows: Sequence[Mapping[str, Any]], root: str = "") -> str:
    """Claims one line each: seen, outlet, speaker, cue, stance, the words, and their cluster."""
    out = []
    for r in rows:
        speaker = r.get("canonical_speaker") or r.get("speaker_name")
        key = r.get("speaker_id") or speaker
        cluster = r.get("cluster_id")
        out.append(
            [
                esc(seen_label(r)),
                esc(r.get("outlet")),
                link(root + query_href("compare", {"speaker": key}), speaker)
                if key
                else '<span class="muted">—</span>',
                esc(r.get("cue") or "—"),
                polarity_badge(r.get("polarity")),
                f"{esc(r.get('content'))}<br>{external_link(r.get('canonical_url'), r.get('title') or 'article')}",
                link(root + "cluster/" + quote(str(cluster), safe=""), "versions") if cluster else "",
            ]
        )
    return _table(["seen", "outlet", "speaker", "cue", "stance", "claim", "cluster"], out)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()) -> str:
    nums = set(numeric)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    num_attr = ' class="num"'
    body = "".join(
        "<tr>" + "".join(f"<td{num_attr if i in nums else ''}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _comparison_claims(claims: Sequence[Mapping[str, Any]], with_speaker: bool) -> str:
    headers = ["claim", "stance", *(["speaker"] if with_speaker else []), "outlets", "first seen"]
    rows = []
    for c in claims:
        cells = [esc(c.get("content")), polarity_badge(c.get("polarity"))]
        if with_speaker:
            speaker = c.get("speaker")
            cells.append(link(query_href("compare", {"speaker": speaker}), speaker) if speaker else "—")
        cells.append(outlet_list(c.get("outlets"), c.get("first_outlet")))
        cells.append(
            f"{esc(fmt_time(c.get('first_seen_at')))}<br>{external_link(c.get('first_url'), c.get('first_outlet'))}"
        )
        rows.append(cells)
    return _table(headers, rows)


def render_compare(
    speakers: Sequence[Mapping[str, Any]],
    entities: Sequence[Mapping[str, Any]],
    selected: Mapping[str, Any] | None = None,
    speaker: str | None = None,
    entity: str | None = None,
    user: str | None = None,
    contested: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The cross-source comparison: one speaker or entity in detail, assertions set against
    denials (``contested``), and the lists of speakers and entities to pick from."""
    parts: list[str] = []
    if speaker or entity:
        label = f"speaker “{speaker}”" if speaker else f"entity “{entity}”"
        if selected is None:
            parts.append(f'<p class="error">No claims for {esc(label)}.</p>')
        else:
            s = selected["summary"]
            if speaker:
                parts.append(
                    f"<h2>{esc(s.get('speaker'))} across outlets</h2>"
                    f'<p class="summary">{esc(s.get("n_claims"))} claims in {esc(s.get("n_outlets"))} outlets: '
                    f"{esc(s.get('n_asserts'))} asserting, {esc(s.get('n_denies'))} denying; first seen "
                    f"{esc(fmt_time(s.get('first_seen_at')))} in {esc(s.get('first_outlet'))} · "
                    f"{link(query_href('claims', {'speaker': s.get('speaker')}), 'every claim with evidence')}</p>"
                )
            else:
                parts.append(
                    f"<h2>Claims about {esc(s.get('entity'))}</h2>"
                    f'<p class="summary">{esc(s.get("n_claims"))} claims in {esc(s.get("n_outlets"))} outlets; '
                    f"first seen {esc(fmt_time(s.get('first_seen_at')))} in {esc(s.get('first_outlet'))} · "
                    f"{link(query_href('claims', {'entity': s.get('entity')}), 'every claim with evidence')}</p>"
                    f"<p><b>Asserted by</b> {name_list(s.get('asserted_by'), 'compare', 'speaker')}<br>"
                    f"<b>Denied by</b> {name_list(s.get('denied_by'), 'compare', 'speaker')}</p>"
                )
            parts.append(_comparison_claims(selected.get("claims") or [], with_speaker=bool(entity)))
    speaker_rows = [
        [
            link(query_href("compare", {"speaker": r.get("speaker_id") or r.get("speaker")}), r.get("speaker")),
            esc(r.get("n_claims")),
            esc(r.get("n_asserts")),
            esc(r.get("n_denies")),
            outlet_list(r.get("outlets"), r.get("first_outlet")),
            esc(fmt_time(r.get("first_seen_at"))),
        ]
        for r in speakers
    ]
    entity_rows = [
        [
            link(query_href("compare", {"entity": r.get("entity")}), r.get("entity")),
            esc(r.get("n_claims")),
            name_list(r.get("asserted_by"), "compare", "speaker"),
            name_list(r.get("denied_by"), "compare", "speaker"),
            outlet_list(r.get("outlets"), r.get("first_outlet")),
        ]
        for r in entities
    ]
    if contested:
        parts.append(contested_html(contested, speaker))
    parts.append(
        '<div class="columns"><section><h2>Speakers</h2>'
        + _table(["speaker", "claims", "asserts", "denies", "outlets", "first seen"], speaker_rows, (1, 2, 3))
        + "</section><section><h2>Named entities</h2>"
        + _table(["entity", "claims", "asserted by", "denied by", "outlets"], entity_rows, (1,))
        + "</section></div>"
    )
    return page("compare", "Across outlets", "".join(parts), user)


def contested_html(pairs: Sequence[Mapping[str, Any]], speaker: str | None = None) -> str:
    """Assertions set against denials of the same point: candidates ranked by shared wording."""

    def side(who: Any, outlet: Any, words: Any, when: Any) -> str:
        name = link(query_href("compare", {"speaker": who}), who) if who else '<span class="muted">unattributed</span>'
        return f'{esc(words)}<br><span class="meta">{name} · {esc(outlet)} · {esc(fmt_time(when))}</span>'

    rows = [
        [
            side(p.get("asserted_by"), p.get("asserting_outlet"), p.get("assertion"), p.get("asserted_at")),
            side(p.get("denied_by"), p.get("denying_outlet"), p.get("denial"), p.get("denied_at")),
            esc(", ".join(str(t) for t in p.get("shared_terms") or [])),
            esc(p.get("score")),
        ]
        for p in pairs
    ]
    scope = f" involving {esc(speaker)}" if speaker else ""
    return (
        f"<h2>Asserted, and denied elsewhere{scope}</h2>"
        '<p class="summary">Pairs whose wording overlaps on the rarer words; candidates to check, not verdicts.</p>'
        + _table(["assertion", "denial", "shared words", "score"], rows, (3,))
    )


def render_spread(rows: Sequence[Mapping[str, Any]], min_outlets: int, user: str | None = None) -> str:
    """The same wording in several outlets, and who had it first."""
    table_rows = [
        [
            esc(r.get("content")),
            esc(r.get("n_outlets")),
            outlet_list(r.get("outlets"), r.get("first_outlet")),
            name_list(r.get("speakers"), "compare", "speaker"),
            " ".join(polarity_badge(p) for p in r.get("polarities") or []),
            f"{esc(fmt_time(r.get('first_seen_at')))}<br>{esc(r.get('first_outlet'))}",
        ]
        for r in rows
    ]
    intro = (
        f'<p class="summary">Claims whose words (case and punctuation aside) appear in at least {min_outlets} '
        f"outlets: wire copy, shared statements, or one outlet repeating another.</p>"
    )
    body = intro + (
        _table(["claim", "outlets", "carried by", "speakers", "stance", "first seen"], table_rows, (1,))
        if table_rows
        else '<p class="muted">No claim appears in more than one outlet yet.</p>'
    )
    return page("spread", "Claim spread", body, user)


def airflow_run_href(dag_id: str, run_id: str) -> str:
    """The Airflow UI page of a DAG run (``/dags/{dag_id}/runs/{run_id}``), relative to this view's
    pages so it holds under any base path; both parts are percent-encoded whole (a ``/`` included)."""
    return f"../dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def run_cell(run_id: Any, run_dags: Mapping[str, str]) -> str:
    """A run id, linked to its Airflow run when Airflow knows which DAG ran it."""
    dag_id = run_dags.get(str(run_id)) if run_id is not None else None
    if not dag_id:
        return esc(run_id)
    return f'<a href="{esc(airflow_run_href(dag_id, str(run_id)))}" title="this run in Airflow">{esc(run_id)}</a>'


def render_health(
    runs: Sequence[Mapping[str, Any]],
    failures: Sequence[Mapping[str, Any]],
    summary: Mapping[str, Any],
    user: str | None = None,
    run_dags: Mapping[str, str] | None = None,
) -> str:
    """Latest loads, per-outlet fetch outcomes, and every failure with its reason.

    ``run_dags`` maps the run ids Airflow knows to the DAG that ran them; those run ids link to
    the run's page in the Airflow UI.
    """
    counts = summary.get("counts") or {}
    count_text = ", ".join(f"{esc(v)} {esc(k)}" for k, v in counts.items())
    run_rows = [
        [
            run_cell(r.get("run_id"), run_dags or {}),
            esc(fmt_time(r.get("loaded_at"))),
            esc(r.get("n_outlets")),
            esc(r.get("n_articles")),
            esc(r.get("n_claims")),
            esc(r.get("n_failures")),
        ]
        for r in runs
    ]
    outlet_rows = [
        [
            esc(r.get("outlet")),
            esc(r.get("stage")),
            esc(r.get("ok")),
            esc(r.get("failed")),
            esc(fmt_time(r.get("last_attempt"))),
        ]
        for r in summary.get("by_outlet") or []
    ]
    failure_rows = [
        [
            esc(r.get("outlet")),
            esc(r.get("stage")),
            f'<span title="{esc(r.get("url"))}">{esc(r.get("url"))}</span>',
            esc(r.get("reason")),
            esc(r.get("status") if r.get("status") is not None else "—"),
            esc(r.get("failures")),
            esc(r.get("total_attempts")),
            esc(fmt_time(r.get("started_at"))),
        ]
        for r in failures
    ]
    body = (
        f'<p class="summary">In the database: {count_text or "nothing yet"}.</p>'
        "<h2>Latest runs</h2>"
        + (
            _table(["run", "loaded", "outlets", "articles", "claims", "failures"], run_rows, (2, 3, 4, 5))
            if run_rows
            else '<p class="muted">No run has loaded yet.</p>'
        )
        + "<h2>Failures, with reasons</h2>"
        + (
            _table(
                ["outlet", "stage", "url", "reason", "HTTP", "failed runs", "attempts", "last attempt"],
                failure_rows,
                (5, 6),
            )
            if failure_rows
            else '<p class="muted">Nothing failed.</p>'
        )
        + "<h2>Fetch log per outlet and stage</h2>"
        + _table(["outlet", "stage", "ok", "failed", "last attempt"], outlet_rows, (2, 3))
    )
    return page("health", "Ingest health", body, user)


def render_error(title: str, message: str, user: str | None = None, root: str = "") -> str:
    """A page that says what is wrong (no database yet, the database is busy, a bad filter);
    ``root`` leads back to the view's top from a page further down (``cluster/<id>``)."""
    return page("", title, f'<div class="error"><b>{esc(title)}</b><p>{esc(message)}</p></div>', user, root)


# --- JSON ------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Rows as JSON-ready values: datetimes as ISO 8601, tuples as lists, dataclasses as dicts."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return jsonable(asdict(value))
    return value


def claim_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One claim row for the API: its evidence as one object, with highlight spans relative to the
    evidence text (the claim list and a cluster's versions both use it)."""
    item = {k: v for k, v in row.items() if k not in {"evidence", "evidence_start", "article_length"}}
    item["evidence"] = {
        "text": row.get("evidence"),
        "start": row.get("evidence_start"),
        "article_length": row.get("article_length"),
        "highlights": [asdict(h) for h in evidence_highlights(row)],
        "offsets_match": evidence_matches(row),
    }
    return item


def claims_json(total: int, rows: Sequence[Mapping[str, Any]], query: ClaimQuery) -> dict[str, Any]:
    """The claim list for the API; each claim's evidence carries its highlight spans (evidence offsets)."""
    claims = [claim_json(row) for row in rows]
    return jsonable(
        {
            "total": total,
            "limit": query.limit,
            "offset": query.offset,
            "filters": query.to_params(limit=None, offset=None),
            "claims": claims,
        }
    )
