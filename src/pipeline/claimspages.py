"""The Claims view's pages and API answers, assembled: parameters read, store queried, output rendered.

One function per page (or JSON answer, or download) of the plugin: it takes the request's query
parameters (a mapping) and the signed-in user's name, reads the parameters into query objects
(``viewquery``, ``clusterview.DeskQuery``), runs the store's read-side queries on a read-only
connection (``read``) and hands the rows to the renderers (``claimsview``, ``clusterview``) or the
download formats (``downloads``). No web framework and no Airflow: the plugin turns what these
return into responses, and what Airflow alone knows (the login, its DAG runs) is passed in.

Refusals are exceptions: ``viewquery.BadRequest`` (400), ``viewquery.NotFound`` (404) and
``Refused`` (any other status); ``error_page`` and ``error_json`` say what a browser or an API
client gets for each.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from pipeline import claimsview, clusterview, downloads
from pipeline.viewquery import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_PARAM_LENGTH,
    BadRequest,
    ClaimQuery,
    NotFound,
    choice_param,
    int_param,
    text_param,
    view_mode,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Mapping[str, str]

DB_LOCK_WAIT = 10.0  # seconds a request waits for a running load to release the DuckDB file
DB_MEMORY = "256MB"  # DuckDB's memory per request: a big query spills to disk instead of growing the api-server
FRONT_ROWS = 5  # alerts and clusters on the front page
VERDICTS = ("confirmed", "wrong")
CANDIDATE_ROWS = 25  # lexical candidates listed on the desk when asked for
SEARCH_ROWS = 30
COMPARE_ROWS = 50  # wordings of one speaker or entity per page (paged)
LIST_ROWS = 50  # speakers and entities listed to pick from (the search box finds the others)
CONTRADICTIONS_SHOWN = 50

# An archived page is untrusted HTML: sandboxed without allow-scripts or allow-same-origin, and
# nothing fetched from elsewhere (no trackers, no images from the outlet).
ARCHIVE_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# The archive viewer frames the archived copy (served from this view), so it may frame 'self'.
ARCHIVE_VIEWER_CSP = claimsview.CONTENT_SECURITY_POLICY + "; frame-src 'self'"
HTML_HEADERS = {
    "Content-Security-Policy": claimsview.CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
JSON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class Refused(Exception):
    """A request the view answers with an error: a page for browsers, JSON for the API."""

    def __init__(self, status_code: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.title = title
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Download:
    """A download's body, media type and headers (the file name, whether the rows were capped)."""

    body: bytes | str
    media_type: str
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A recorded verdict: the JSON answer for the API, and the desk URL (as it was) for a browser."""

    answer: dict[str, Any]
    back_to_desk: str


def store_mod() -> Any:
    """``pipeline.store``, imported when a request needs it (not when Airflow loads the plugin)."""
    from pipeline import store

    return store


def read(work: Callable[[Any], T], as_of: str | None = None) -> T:
    """Open the store read-only (the DuckDB file, or the DuckLake at its last or ``as_of`` snapshot), run
    ``work`` on it, close it."""
    from pipeline import store
    from pipeline.settings import Settings

    try:
        settings = Settings.from_env()
        with store.reading_store(settings, DB_LOCK_WAIT, DB_MEMORY, as_of_run=as_of) as con:
            return work(con)
    except store.StoreError as e:  # no database yet, or a load held it longer than DB_LOCK_WAIT
        if as_of is not None:  # no such run or time, or a store that keeps no snapshots
            raise Refused(400, "No snapshot for as_of", str(e).splitlines()[0]) from e
        log.warning("claims view: %s", e)
        raise Refused(503, "The claims database is not available", str(e).splitlines()[0]) from e


def as_of(params: Params) -> str | None:
    """The ``as_of`` parameter of an API request (a run id or an ISO time; DuckLake stores only)."""
    value = params.get("as_of")
    return str(value)[:200] if value else None


# --- errors ------------------------------------------------------------------------------------------


def error_page(exc: Exception, root: str) -> tuple[int, str]:
    """(status, HTML page) for a refusal, a bad parameter or an unknown id."""
    if isinstance(exc, Refused):
        return exc.status_code, claimsview.render_error(exc.title, exc.detail, root=root)
    if isinstance(exc, BadRequest):
        return 400, claimsview.render_error("Bad filter", str(exc), root=root)
    if isinstance(exc, NotFound):
        return 404, claimsview.render_error("Not found", str(exc), root=root)
    raise TypeError(f"not a refusal: {exc!r}")


def error_json(exc: Exception) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) for a refusal, a bad parameter or an unknown id."""
    if isinstance(exc, Refused):
        return exc.status_code, {"detail": exc.detail}
    if isinstance(exc, BadRequest):
        return 400, {"detail": str(exc), "parameter": exc.parameter, "allowed": list(exc.allowed)}
    if isinstance(exc, NotFound):
        return 404, {"detail": str(exc), "parameter": exc.parameter}
    raise TypeError(f"not a refusal: {exc!r}")


# --- what the pages read -----------------------------------------------------------------------------


_FACETS: dict[tuple[Any, ...], dict[str, list[str]]] = {}


def facets(con: Any) -> dict[str, list[str]]:
    """The claim filters' values, computed once per state of the data (``store.data_version``):
    the entity facet reads every claim's entities, which takes about a second at 1M claims."""
    store = store_mod()
    version = store.data_version(con)
    if version not in _FACETS:
        _FACETS.clear()
        _FACETS[version] = store.claim_facets(con)
    return _FACETS[version]


def paging(params: Params) -> tuple[int, int]:
    limit = int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return limit, int_param(params, "offset", 0, 0, 10_000_000)


def cluster_list_params(params: Params) -> tuple[int, int, str]:
    limit, offset = paging(params)
    order = choice_param(params, "order", ("newest", "oldest"), "newest") or "newest"
    return limit, offset, order


def cluster_data(con: Any, cluster_id: str, limit: int, offset: int) -> tuple[dict, int, list, list, list, list]:
    """Everything a cluster page shows; NotFound (404) for an id no compare run gave out."""
    store = store_mod()
    if len(cluster_id) > MAX_PARAM_LENGTH:
        raise BadRequest(f"cluster_id is longer than {MAX_PARAM_LENGTH} characters", "cluster_id")
    summary = store.cluster_summary(con, cluster_id)
    if summary is None and (kept := store.folded_into(con, cluster_id)) is not None:
        cluster_id = kept  # folded into an older cluster by a compare run: its claims are there now
        summary = store.cluster_summary(con, cluster_id)
    if summary is None:
        raise NotFound(
            f"cluster_id {cluster_id!r} is not a known cluster; the cluster list (clusters) shows the ids", "cluster_id"
        )
    total, versions = store.cluster_versions(con, cluster_id, limit, offset)
    return (
        summary,
        total,
        versions,
        store.cluster_contradictions(con, cluster_id, summary=summary),
        store.cluster_wording(con, cluster_id),
        store.cluster_timeline(con, cluster_id),
    )


def compare_params(params: Params) -> tuple[str | None, str | None, int]:
    speaker, entity = text_param(params, "speaker"), text_param(params, "entity")
    return speaker, entity, int_param(params, "offset", 0, 0, 10_000_000)


def spread_params(params: Params) -> tuple[int, int, int]:
    limit, offset = paging(params)
    return int_param(params, "min_outlets", 2, 1, 1000), limit, offset


def comparison(con: Any, speaker: str | None, entity: str | None, offset: int = 0) -> dict[str, Any]:
    """What the comparison page shows, every list bounded: the selected speaker or entity (one page
    of its claims), the newest contradictions (its own, when one is selected), and the lists."""
    store = store_mod()
    selected = None
    if speaker:
        selected = store.compare_speaker(con, speaker, COMPARE_ROWS, offset)
    elif entity:
        selected = store.compare_entity(con, entity, COMPARE_ROWS, offset)
    contested: list[dict[str, Any]] = []
    if not speaker and not entity:
        contested = store.contradiction_pairs(con, limit=CONTRADICTIONS_SHOWN)
    elif selected is not None:
        summary = selected["summary"]
        if summary.get("speaker_id") or summary.get("entity_id"):  # resolved by a compare run
            contested = store.contradiction_pairs(
                con, speaker_id=summary.get("speaker_id"), entity_id=summary.get("entity_id"),
                limit=CONTRADICTIONS_SHOWN,
            )
    return {
        "recomputed": store.last_recompute(con),
        "speakers": store.list_speakers(con, LIST_ROWS),
        "entities": store.list_entities(con, LIST_ROWS),
        "selected": selected,
        "contested": contested,
    }


def desk_data(con: Any, q: Any) -> tuple[int, list, list, dict]:
    """One page of the desk's alerts, the lexical candidates when asked for, and the outlets."""
    store = store_mod()
    total, pairs = store.desk_pairs(con, **q.store_args(), limit=clusterview.DESK_ROWS, offset=q.offset)
    candidates = store.contested_pairs(con, q.speaker, CANDIDATE_ROWS) if q.candidates else []
    return total, pairs, candidates, facets(con)


def verdicts(pairs: list, candidates: list) -> dict:
    from pipeline.settings import Settings
    from pipeline.store import reviews

    keys = [(p["asserting_claim_id"], p["denying_claim_id"]) for p in [*pairs, *candidates]]
    try:
        return reviews.reviews_of(Settings.from_env().database, keys)
    except store_mod().StoreError as e:  # a verdict being written held the file too long
        raise Refused(503, "The verdicts are not available", str(e).splitlines()[0]) from e


def health_data(con: Any) -> tuple[list, list, dict]:
    store = store_mod()
    return store.recent_runs(con), store.fetch_failures(con), store.health_summary(con)


def _checked_id(name: str, value: str) -> None:
    if len(value) > MAX_PARAM_LENGTH:
        raise BadRequest(f"{name} is longer than {MAX_PARAM_LENGTH} characters")


# --- the pages and their JSON twins ------------------------------------------------------------------


def claims_page(params: Params, user: str | None) -> str:
    """The claim list; the front page (no filter, first page) has the latest contradictions and clusters on top."""
    store = store_mod()
    q = ClaimQuery.from_params(params)
    view = view_mode(params)
    front = not q.active and q.offset == 0

    def work(con: Any) -> tuple[int, list, dict, list, list, str | None]:
        total, rows = store.find_claims(con, **q.store_args())
        alerts = store.contradiction_pairs(con, limit=FRONT_ROWS) if front else []
        clusters = store.latest_clusters(con, FRONT_ROWS) if front else []
        found = store.resolve_speaker(con, q.speaker) if q.speaker else None
        return total, rows, facets(con), alerts, clusters, found["speaker"] if found else None

    total, rows, facet_values, alerts, clusters, label = read(work)
    overview = clusterview.front_overview(alerts, clusters)
    return claimsview.render_claims(total, rows, facet_values, q, user, view, overview, label)


def claims_json(params: Params) -> dict[str, Any]:
    q = ClaimQuery.from_params(params)
    total, rows = read(lambda con: store_mod().find_claims(con, **q.store_args()), as_of(params))
    return claimsview.claims_json(total, rows, q)


def facets_json() -> dict[str, list[str]]:
    return read(facets)


def clusters_page(params: Params, user: str | None) -> str:
    limit, offset, order = cluster_list_params(params)
    total, rows = read(
        lambda con: (store_mod().count_clusters(con), store_mod().list_clusters(con, limit, offset, order))
    )
    return clusterview.render_clusters(total, rows, limit, offset, order, user)


def clusters_json(params: Params) -> dict[str, Any]:
    limit, offset, order = cluster_list_params(params)
    total, rows = read(
        lambda con: (store_mod().count_clusters(con), store_mod().list_clusters(con, limit, offset, order)),
        as_of(params),
    )
    return {"total": total, "limit": limit, "offset": offset, "order": order, "clusters": rows}


def cluster_page(cluster_id: str, params: Params, user: str | None) -> str:
    view = view_mode(params)
    limit, offset = paging(params)
    data = read(lambda con: cluster_data(con, cluster_id, limit, offset))
    return clusterview.render_cluster(*data, limit, offset, view, user)


def cluster_json(cluster_id: str, params: Params) -> dict[str, Any]:
    limit, offset = paging(params)
    data = read(lambda con: cluster_data(con, cluster_id, limit, offset), as_of(params))
    return clusterview.cluster_json(*data, limit, offset)


def archive_page(article_id: str, params: Params, user: str | None) -> str:
    """The header of an archived copy (source, fetch time, content hash, the claim's sentence
    highlighted, the way back to its cluster) above the copy itself; served with ``ARCHIVE_VIEWER_CSP``."""
    _checked_id("article_id", article_id)
    claim_id = text_param(params, "claim")

    def work(con: Any) -> tuple[dict | None, dict | None]:
        store = store_mod()
        info = store.article_archive_info(con, article_id)
        claims = store.claims_by_id(con, [claim_id]) if claim_id and info else []
        return info, next((c for c in claims if c["article_id"] == article_id), None)

    info, claim = read(work)
    if info is None or not info.get("raw_ref"):
        raise NotFound(f"no archived copy of article {article_id!r}", "article_id")
    return clusterview.render_archive(info, claim, user)


def archived_copy(article_id: str) -> bytes:
    """The article's page as we fetched it, from the archive; served with ``ARCHIVE_HEADERS``."""
    from pipeline.archive import Archive, ArchiveError
    from pipeline.settings import Settings

    _checked_id("article_id", article_id)
    ref = read(lambda con: store_mod().article_archive_ref(con, article_id))
    try:
        if ref is None:
            raise ArchiveError(f"no archived copy of article {article_id!r}")
        return Archive(Settings.from_env().archive_dir).get(ref)
    except ArchiveError as e:
        raise NotFound(str(e), "article_id") from e


def desk_page(params: Params, login_cookie: str | None, user: str | None) -> str:
    q = clusterview.DeskQuery.from_params(params)
    total, pairs, candidates, facet_values = read(lambda con: desk_data(con, q))
    found = verdicts(pairs, candidates)
    key = clusterview.review_key(login_cookie)
    return clusterview.render_desk(q, total, pairs, found, candidates, facet_values, key, user)


def desk_json(params: Params) -> dict[str, Any]:
    q = clusterview.DeskQuery.from_params(params)
    total, pairs, candidates, _ = read(lambda con: desk_data(con, q))
    return clusterview.desk_json(q, total, pairs, verdicts(pairs, candidates), candidates)


def record_verdict(form: Mapping[str, Any], login_cookie: str | None, user: str | None) -> Verdict:
    """A checker's verdict on one pair: stored apart from the comparison (``store.reviews``). A
    browser's form must carry the key derived from its login cookie (``clusterview.review_key``),
    which a form posted from another site cannot know."""
    values = {k: str(form.get(k) or "").strip() for k in ("asserting", "denying", "verdict", "note", "key", "back")}
    if login_cookie and not hmac.compare_digest(values["key"], clusterview.review_key(login_cookie)):
        raise Refused(403, "Not recorded", "This verdict did not come from the desk's own form; reload the desk.")
    if values["verdict"] not in VERDICTS:
        raise BadRequest(f"verdict must be one of {', '.join(VERDICTS)}", "verdict", VERDICTS)
    for name in ("asserting", "denying"):
        if not values[name] or len(values[name]) > MAX_PARAM_LENGTH:
            raise BadRequest(f"{name} must be a claim id", name)
    pair = [values["asserting"], values["denying"]]
    found = read(lambda con: store_mod().claims_by_id(con, pair))
    words = {c["claim_id"]: c for c in found}
    if set(pair) - set(words):
        raise NotFound("no such pair of claims: reload the desk", "asserting")
    _record_review(values, words, user)
    back = urlencode(clusterview.DeskQuery.from_params(dict(parse_qsl(values["back"]))).to_params())
    return Verdict(
        {"recorded": values["verdict"], "asserting": pair[0], "denying": pair[1]},
        f"../desk{'?' + back if back else ''}#pair-{pair[0]}-{pair[1]}",
    )


def _record_review(values: dict[str, str], words: dict[str, dict], reviewer: str | None) -> None:
    from pipeline.settings import Settings
    from pipeline.store import reviews

    asserting, denying = words[values["asserting"]], words[values["denying"]]
    review = reviews.Review(
        values["asserting"], values["denying"], values["verdict"], reviewer, values["note"][: reviews.MAX_NOTE] or None,
        asserting.get("cluster_id"), asserting.get("content"), denying.get("content"),
    )
    try:
        reviews.record(Settings.from_env().database, review)
    except store_mod().StoreError as e:
        raise Refused(503, "The verdict was not recorded", str(e).splitlines()[0]) from e
    log.info("claims view: %s marked pair %s / %s %s", reviewer, review.asserting_claim_id,
             review.denying_claim_id, review.verdict)


def search_page(params: Params, user: str | None) -> str:
    name = text_param(params, "name")
    hits = read(lambda con: store_mod().search_names(con, name, SEARCH_ROWS)) if name else []
    return clusterview.render_search(name, hits, user)


def search_json(params: Params) -> dict[str, Any]:
    name = text_param(params, "name")
    if not name:
        raise BadRequest("name is required: a speaker's or entity's name, alias or id", "name")
    return {"name": name, "hits": read(lambda con: store_mod().search_names(con, name, SEARCH_ROWS))}


def compare_page(params: Params, user: str | None) -> str:
    speaker, entity, offset = compare_params(params)
    data = read(lambda con: comparison(con, speaker, entity, offset))
    return claimsview.render_compare(speaker=speaker, entity=entity, user=user, limit=COMPARE_ROWS, **data)


def compare_json(params: Params) -> tuple[int, dict[str, Any]]:
    """(status, body): 404 when the selected speaker or entity has no claims."""
    speaker, entity, offset = compare_params(params)
    data = read(lambda con: comparison(con, speaker, entity, offset))
    if speaker or entity:
        if data["selected"] is None:
            return 404, {"detail": "no claims for this speaker or entity"}
        return 200, {**data["selected"], "contested": data["contested"]}
    return 200, data


def spread_page(params: Params, user: str | None) -> str:
    n, limit, offset = spread_params(params)
    total, rows = read(lambda con: store_mod().spread_clusters(con, n, limit, offset))
    return claimsview.render_spread(rows, n, user, total, offset, limit)


def spread_json(params: Params) -> dict[str, Any]:
    n, limit, offset = spread_params(params)
    total, rows = read(lambda con: store_mod().spread_clusters(con, n, limit, offset))
    return {"total": total, "limit": limit, "offset": offset, "min_outlets": n, "spread": rows}


def health_page(user: str | None, runs_in_airflow: Callable[[list[str]], dict[str, str]]) -> str:
    """Ingest health; ``runs_in_airflow`` says which run ids are Airflow DAG runs (``{run_id: dag_id}``) to link."""
    runs, failures, summary = read(health_data)
    run_dags = runs_in_airflow([str(r.get("run_id")) for r in runs if r.get("run_id")])
    return claimsview.render_health(runs, failures, summary, user, run_dags)


def health_json() -> dict[str, Any]:
    runs, failures, summary = read(health_data)
    return {"runs": runs, "failures": failures, **summary}


# --- downloads ---------------------------------------------------------------------------------------


def rows() -> Any:
    """``pipeline.store.downloads``, the downloads' queries, imported when a download runs."""
    from pipeline.store import downloads as queries

    return queries


def download_claims(fmt: str, params: Params) -> Download:
    q = ClaimQuery.from_params(params)
    return _download(fmt, "claims", lambda con: rows().claims(con, q.store_args(), fmt, downloads.DOWNLOAD_ROWS))


def download_cluster(cluster_id: str, fmt: str) -> Download:
    if len(cluster_id) > MAX_PARAM_LENGTH:
        raise BadRequest(f"cluster_id is longer than {MAX_PARAM_LENGTH} characters")

    def work(con: Any) -> Any:
        if store_mod().cluster_summary(con, cluster_id) is None:
            raise NotFound(f"cluster_id {cluster_id!r} is not a known cluster", "cluster_id")
        return rows().cluster(con, cluster_id, fmt, downloads.DOWNLOAD_ROWS)

    return _download(fmt, f"cluster-{cluster_id}", work)


def download_contradictions(fmt: str, params: Params) -> Download:
    q = clusterview.DeskQuery.from_params(params)
    return _download(
        fmt, "contradictions", lambda con: rows().contradictions(con, q.store_args(), fmt, downloads.DOWNLOAD_ROWS)
    )


def _download(fmt: str, name: str, work: Callable[[Any], Any]) -> Download:
    """A download of what a page shows, in the format of ``factcheck export`` (``downloads``)."""
    dl = downloads
    if fmt not in dl.FORMATS:
        raise BadRequest(f"a download is one of {', '.join(dl.FORMATS)}; got {fmt!r}", "format", dl.FORMATS)
    table = read(work)
    body, media = dl.render(table, fmt)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:120]
    headers = {
        "Content-Disposition": f'attachment; filename="{safe}.{dl.EXTENSIONS[fmt]}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "X-Rows-Cap": str(dl.DOWNLOAD_ROWS),
        "X-Rows-Capped": "true" if table.capped else "false",
    }
    return Download(body, media, headers)
