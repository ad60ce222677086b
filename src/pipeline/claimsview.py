"""The Claims view: HTML pages and JSON for the Airflow plugin, built from the store's query results.

Pure: request parameters and rows (``pipeline.store`` read-side queries) in, HTML or JSON-ready
values out. No Airflow, no DuckDB, no I/O, so it is tested without a server.

The HTML is in Jinja2 templates (``pipeline/templates``) with autoescape on. Everything shown comes
from fetched articles and feeds, i.e. untrusted input: every value is escaped (text and attributes
alike), links to articles are kept only when they are plain http(s) URLs, and the pages carry no
script at all, so the Content-Security-Policy below can forbid scripts outright.

The pages sit side by side under one prefix (``<prefix>/``, ``compare``, ``spread``, ``health``) and
link to each other with relative URLs, so the view works wherever the plugin mounts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from markupsafe import Markup

from pipeline.viewquery import DEFAULT_LIMIT, MAX_PARAM_LENGTH, VIEW_MODES, ClaimQuery

# Served with every page: no scripts, no plugins, no foreign frames; framed only by Airflow itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'self'; base-uri 'none'"
)


PAGES: tuple[tuple[str, str], ...] = (
    ("claims", "Claims"),
    ("clusters", "Clusters"),
    ("desk", "Contradictions desk"),
    ("compare", "Across outlets"),
    ("spread", "Claim spread"),
    ("health", "Ingest health"),
)
PAGE_HREF = {
    "claims": "./",
    "clusters": "clusters",
    "compare": "compare",
    "desk": "desk",
    "spread": "spread",
    "health": "health",
    "search": "search",
}




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


def highlight_segments(evidence: str, highlights: Sequence[Highlight]) -> list[tuple[str, str]]:
    """The evidence text cut at every span boundary: (piece, "hl-ROLE ..." classes or "").

    Spans may overlap (a speaker inside the quoted content, say): each piece carries the classes
    of every span that covers it."""
    cuts = sorted({0, len(evidence), *(h.start for h in highlights), *(h.end for h in highlights)})
    order = {"content": 0, "speaker": 1, "cue": 2}
    out: list[tuple[str, str]] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        roles = sorted({h.role for h in highlights if h.start <= lo and hi <= h.end}, key=lambda r: order.get(r, 9))
        out.append((evidence[lo:hi], " ".join(f"hl-{r}" for r in roles)))
    return out


def highlight_html(evidence: str, highlights: Sequence[Highlight]) -> Markup:
    """The evidence text, escaped, with each highlighted piece in ``<mark class="hl hl-ROLE ...">``."""
    return macro("macros.html", "highlight")(highlight_segments(evidence, highlights))


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


@dataclass(frozen=True, slots=True)
class Evidence:
    """One claim's evidence block: the trimmed text in highlighted pieces, and ellipses where the
    article goes on."""

    segments: list[tuple[str, str]]
    before: str
    after: str
    matches: bool


def evidence_parts(row: Mapping[str, Any]) -> Evidence:
    """The evidence of one claim row, trimmed to whole words, in highlighted pieces."""
    evidence = str(row.get("evidence") or "")
    start = int(row.get("evidence_start") or 0)
    length = row.get("article_length")
    cut_before = start > 0
    cut_after = length is not None and start + len(evidence) < int(length)
    text, highlights = trim_to_words(evidence, evidence_highlights(row), cut_before, cut_after)
    return Evidence(
        highlight_segments(text, highlights),
        "… " if cut_before else "",
        " …" if cut_after else "",
        evidence_matches(row),
    )


def evidence_html(row: Mapping[str, Any]) -> Markup:
    """The evidence block of one claim: highlighted text, with ellipses where the article goes on."""
    return macro("macros.html", "evidence")(evidence_parts(row))


# --- small helpers -----------------------------------------------------------------------------------


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


def query_href(page: str, params: Mapping[str, Any]) -> str:
    clean = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    base = PAGE_HREF.get(page, page)
    return f"{base}?{urlencode(clean)}" if clean else base


def external_link(url: Any, text: Any) -> Markup:
    """A link that leaves the view (to an article): only for safe URLs, never sending the referrer."""
    return macro("macros.html", "external")(url, text)


def cluster_href(cluster_id: Any, root: str = "") -> str:
    """The relative URL of a cluster's page (the id is URL-quoted, never trusted as a path)."""
    return f"{root}cluster/{quote(str(cluster_id), safe='')}"


def view_params(params: Mapping[str, Any], mode: str) -> dict[str, Any]:
    """``params`` switched to the list mode ``mode`` (cards, the default, leaves ``view`` out)."""
    values = {k: v for k, v in params.items() if k != "view"}
    if mode != "cards":
        values["view"] = mode
    return values


# A stored stance (``claim_clusters.stance``, against the cluster's founding claim) in the pages'
# one vocabulary. The store writes '+' and '-'; 'asserts' and 'denies' (the same sides, named as the
# founding claim's) read the same, so a store that names them so shows the same words.
STANCE_WORDS = {"+": "agrees", "-": "disputes", "asserts": "agrees", "denies": "disputes"}


def stance_word(stance: Any) -> str:
    """A stored stance in the pages' one vocabulary: ``agrees`` with the cluster's founding claim,
    or ``disputes`` it ("—" for none)."""
    return STANCE_WORDS.get(str(stance), "—")


def stance_class(stance: Any) -> str:
    """The CSS class of a stance (the colour of its side): agrees, disputes or none."""
    return STANCE_WORDS.get(str(stance), "")


def counted(n: Any, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 claim", "3 claims", "2 entities"."""
    value = int(n or 0)
    if value == 1:
        return f"1 {noun}"
    if plural is None:
        plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{value} {plural}"


# The health page's table counts in words (never a table's name)
TABLE_NOUNS = {"outlets": "outlet", "fetch_log": "fetch log entry", "articles": "article", "claims": "claim"}
# The downloads every data page offers: the formats of ``factcheck export``
DOWNLOAD_FORMATS = (("csv", "CSV"), ("json", "JSON"), ("jsonld", "ClaimReview"))


def badge_class(polarity: Any) -> str:
    return {"asserts": "asserts", "denies": "denies"}.get(str(polarity), "other")


def airflow_run_href(dag_id: str, run_id: str) -> str:
    """The Airflow UI page of a DAG run (``/dags/{dag_id}/runs/{run_id}``), relative to this view's
    pages so it holds under any base path; both parts are percent-encoded whole (a ``/`` included)."""
    return f"../dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


# --- templates -------------------------------------------------------------------------------------

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("pipeline", "templates"),
    autoescape=True,  # every template, whatever its name: .html, .css and the SVG alike
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=lambda value: "" if value is None else value,
    undefined=jinja2.StrictUndefined,
)


def macro(template: str, name: str) -> Any:
    return getattr(TEMPLATES.get_template(template).module, name)


def render(template: str, **context: Any) -> str:
    """A page or fragment from ``pipeline/templates``, every value escaped."""
    return TEMPLATES.get_template(template).render(**context)


def page(template: str, current: str, title: str, user: str | None = None, root: str = "", **context: Any) -> str:
    """A whole HTML page: the view's header, tabs and search box around ``template``'s body.

    ``root`` leads from the page back to the view's top (``"../"`` for pages one level down, such
    as a cluster), since the pages link to each other with relative URLs."""
    context.setdefault("search", None)
    return render(template, current=current, title=title, user=user, root=root, **context)


def render_claims(
    total: int,
    rows: Sequence[Mapping[str, Any]],
    facets: Mapping[str, Sequence[str]],
    query: ClaimQuery,
    user: str | None = None,
    view: str = "cards",
    overview: str = "",
    speaker_label: str | None = None,
) -> str:
    """The searchable, filterable claim list, as cards with evidence or as a compact table;
    ``overview`` (latest contradictions and clusters, already HTML) goes above it;
    ``speaker_label`` is the name of the canonical speaker the speaker filter found."""
    keep = {"view": "table"} if view == "table" else {}
    pager = []
    if query.offset > 0:
        prev = query.to_params(offset=max(0, query.offset - query.limit))
        pager.append((query_href("claims", {**prev, **keep}), "← newer"))
    if query.offset + len(rows) < total:
        pager.append((query_href("claims", {**query.to_params(offset=query.offset + len(rows)), **keep}), "older →"))
    return page(
        "claims.html",
        "claims",
        "Claims",
        user,
        total=total,
        rows=rows,
        facets=facets,
        query=query,
        view=view,
        overview=overview,
        pager=pager,
        speaker_label=speaker_label,
    )


def page_links(
    page_name: str, params: Mapping[str, Any], offset: int, shown: int, total: int, limit: int
) -> list[tuple[str, str]]:
    """The pager of a list: ``params`` with the offset of the previous and next page, where there is one."""
    links = []
    if offset > 0:
        links.append((query_href(page_name, {**params, "offset": max(0, offset - limit) or None}), "← previous"))
    if offset + shown < total:
        links.append((query_href(page_name, {**params, "offset": offset + shown}), "next →"))
    return links


def render_compare(
    speakers: Sequence[Mapping[str, Any]],
    entities: Sequence[Mapping[str, Any]],
    selected: Mapping[str, Any] | None = None,
    speaker: str | None = None,
    entity: str | None = None,
    user: str | None = None,
    contested: Sequence[Mapping[str, Any]] = (),
    limit: int = 200,
    recomputed: Mapping[str, Any] | None = None,
) -> str:
    """The cross-source comparison: one speaker or entity in detail (one page of its claims), the
    contradictions the compare runs found (``contested``), and the speakers and entities to pick from;
    ``recomputed`` is the latest recompute of every claim's speakers (``factcheck compare --respeak``)."""
    pager: list[tuple[str, str]] = []
    if selected is not None:
        pick = {"speaker": speaker} if speaker else {"entity": entity}
        pager = page_links(
            "compare",
            pick,
            int(selected.get("offset") or 0),
            len(selected.get("claims") or ()),
            int(selected.get("total") or 0),
            limit,
        )
    return page(
        "compare.html",
        "compare",
        "Across outlets",
        user,
        speakers=speakers,
        entities=entities,
        selected=selected,
        speaker=speaker,
        entity=entity,
        contested=contested,
        pager=pager,
        recomputed=recomputed,
    )


def render_spread(
    rows: Sequence[Mapping[str, Any]],
    min_outlets: int,
    user: str | None = None,
    total: int | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> str:
    """Claim clusters carried by several outlets, widest first, and who had them first (one page)."""
    total = len(rows) if total is None else total
    keep = {
        "min_outlets": min_outlets if min_outlets != 2 else None,
        "limit": limit if limit != DEFAULT_LIMIT else None,
    }
    pager = page_links("spread", keep, offset, len(rows), total, limit)
    return page(
        "spread.html",
        "spread",
        "Claim spread",
        user,
        rows=rows,
        min_outlets=min_outlets,
        total=total,
        offset=offset,
        pager=pager,
    )


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
    return page(
        "health.html",
        "health",
        "Ingest health",
        user,
        runs=runs,
        failures=failures,
        summary=summary,
        run_dags=run_dags or {},
    )


def render_error(title: str, message: str, user: str | None = None, root: str = "") -> str:
    """A page that says what is wrong (no database yet, the database is busy, a bad filter);
    ``root`` leads back to the view's top from a page further down (``cluster/<id>``)."""
    return page("error.html", "", title, user, root, message=message)


TEMPLATES.filters["stance_word"] = stance_word
TEMPLATES.filters["counted"] = counted
TEMPLATES.globals.update(
    PAGES=PAGES,
    PAGE_HREF=PAGE_HREF,
    VIEW_MODES=VIEW_MODES,
    MAX_PARAM_LENGTH=MAX_PARAM_LENGTH,
    safe_url=safe_url,
    fmt_time=fmt_time,
    seen_label=seen_label,
    query_href=query_href,
    urlencode=urlencode,
    cluster_href=cluster_href,
    view_params=view_params,
    badge_class=badge_class,
    evidence_parts=evidence_parts,
    stance_word=stance_word,
    stance_class=stance_class,
    TABLE_NOUNS=TABLE_NOUNS,
    DOWNLOAD_FORMATS=DOWNLOAD_FORMATS,
    airflow_run_href=airflow_run_href,
    quote_id=lambda value: quote(str(value), safe=""),
)


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
