"""The "Claims" entry in the Airflow UI: browse extracted claims, compare outlets, check ingest health.

Wiring only. A FastAPI app mounted at ``/factcheck`` serves HTML pages and a JSON API; an external
view puts it in the Airflow navigation (rendered in the UI at ``/plugin/claims``). The queries live
in ``pipeline.store``, the pages in ``pipeline.claimsview``.

Every route requires an Airflow login: the caller's JWT (the ``_token`` cookie the UI sets at
login, or an ``Authorization: Bearer`` header from ``POST /auth/token``) is validated by Airflow's
own ``get_user`` through the configured auth manager, which then decides whether that user may see
the custom view "Factcheck Claims". Anonymous page requests are redirected to the login page,
anonymous API requests get 401.

Each request opens the DuckDB file read-only and closes it before rendering: the load task needs
the file for writing. Nothing heavy (DuckDB, spaCy) is imported when Airflow loads the plugin.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPBearer

from pipeline import claimsview, clusterview, downloads, viewquery

log = logging.getLogger(__name__)

URL_PREFIX = "/factcheck"
RESOURCE_NAME = "Factcheck Claims"  # the custom view auth managers are asked about
DB_LOCK_WAIT = 10.0  # seconds a request waits for a running load to release the DuckDB file
DB_MEMORY = "256MB"  # DuckDB's memory per request: a big query spills to disk instead of growing the api-server
LOADING_DAGS = ("news_ingest", "reprocess")  # the DAGs whose runs the Ingest health page lists

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False)


def _as_of(request: Any) -> str | None:
    """The ``as_of`` parameter of an API request (a run id or an ISO time; DuckLake stores only)."""
    value = request.query_params.get("as_of")
    return str(value)[:200] if value else None


class _Refused(Exception):
    """A request the view answers with an error: a page for browsers, JSON for the API."""

    def __init__(self, status_code: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.title = title
        self.detail = detail


class _NotSignedIn(_Refused):
    """No valid Airflow login: pages redirect to the login page, the API answers 401 (or 403)."""


async def signed_in_user(request: Request) -> Any:
    """The signed-in Airflow user allowed to read the Claims view (see ``_authorized``)."""
    return await _authorized(request, "GET")


async def reviewing_user(request: Request) -> Any:
    """The signed-in Airflow user allowed to write to the Claims view: record a verdict."""
    return await _authorized(request, "POST")


async def _authorized(request: Request, method: str) -> Any:
    """The Airflow user behind this request, authorized for the Claims view; raises otherwise.

    Reuses Airflow's ``get_user`` (Bearer header first, then the ``_token`` cookie, both checked by
    the auth manager: signature, expiry, revocation) rather than reading tokens itself.
    """
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.core_api.security import get_user

    credentials = await _bearer(request)
    try:
        # get_user(request, oauth2 token (unused at runtime), bearer credentials): the dependency
        # Airflow's own routes use; the api-server tests fail loudly if its contract changes.
        user = await get_user(request, None, credentials)
    except HTTPException as e:
        raise _NotSignedIn(e.status_code, "Not signed in", str(e.detail)) from e
    manager = get_auth_manager()
    if not manager.is_authorized_custom_view(method=method, resource_name=RESOURCE_NAME, user=user):  # type: ignore[arg-type]
        what = "view" if method == "GET" else "record verdicts in"
        raise _Refused(status.HTTP_403_FORBIDDEN, "Not allowed", f"Your Airflow role may not {what} {RESOURCE_NAME}.")
    return user


def _user_name(user: Any) -> str | None:
    get_name = getattr(user, "get_name", None)
    return str(get_name()) if callable(get_name) else None


def _read(work: Callable[[Any], T], as_of: str | None = None) -> T:
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
            raise _Refused(400, "No snapshot for as_of", str(e).splitlines()[0]) from e
        log.warning("claims view: %s", e)
        raise _Refused(503, "The claims database is not available", str(e).splitlines()[0]) from e


def _html(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        body,
        status_code=status_code,
        headers={
            "Content-Security-Policy": claimsview.CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def _json(data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        claimsview.jsonable(data),
        status_code=status_code,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )


def _root(request: Request) -> str:
    """The relative way from the requested page back to the view's top ("../" from cluster/<id>)."""
    root = str(request.scope.get("root_path") or "")
    path = request.url.path
    inner = path[len(root) :] if root and path.startswith(root) else path
    return "../" * max(0, inner.strip("/").count("/"))


def _is_api(request: Request) -> bool:
    root = str(request.scope.get("root_path") or "")
    path = request.url.path
    return (path[len(root) :] if root and path.startswith(root) else path).startswith("/api/")


# A speech bubble with a check mark, in the UI's default stroke style.
ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
    '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/><path d="m8 10 3 3 5-5"/></svg>'
)


def create_app() -> FastAPI:
    app = FastAPI(title="Factcheck claims", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused) -> Response:
        if _is_api(request):
            headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        if isinstance(exc, _NotSignedIn):
            from airflow.api_fastapi.app import get_auth_manager

            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(get_auth_manager().get_url_login(next_url=here), status_code=303)
        return _html(claimsview.render_error(exc.title, exc.detail, root=_root(request)), exc.status_code)

    @app.exception_handler(viewquery.BadRequest)
    async def bad_request(request: Request, exc: viewquery.BadRequest) -> Response:
        if _is_api(request):
            return _json({"detail": str(exc), "parameter": exc.parameter, "allowed": list(exc.allowed)}, 400)
        return _html(claimsview.render_error("Bad filter", str(exc), root=_root(request)), 400)

    @app.exception_handler(viewquery.NotFound)
    async def not_found(request: Request, exc: viewquery.NotFound) -> Response:
        if _is_api(request):
            return _json({"detail": str(exc), "parameter": exc.parameter}, 404)
        return _html(claimsview.render_error("Not found", str(exc), root=_root(request)), 404)

    @app.get("/icon.svg", include_in_schema=False)
    def icon() -> Response:  # the navigation icon: static, no data, so no login needed
        return Response(ICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    User = Depends(signed_in_user)  # noqa: N806 (a dependency marker, used like a type)

    @app.get("/", response_class=HTMLResponse)
    def claims_page(request: Request, user: Any = User) -> Response:
        from pipeline import store

        q = viewquery.ClaimQuery.from_params(request.query_params)
        view = viewquery.view_mode(request.query_params)
        front = not q.active and q.offset == 0  # the front page: latest contradictions and clusters on top

        def work(con: Any) -> tuple[int, list, dict, list, list, str | None]:
            total, rows = store.find_claims(con, **q.store_args())
            alerts = store.contradiction_pairs(con, limit=FRONT_ROWS) if front else []
            clusters = store.latest_clusters(con, FRONT_ROWS) if front else []
            found = store.resolve_speaker(con, q.speaker) if q.speaker else None
            return total, rows, _facets(con), alerts, clusters, found["speaker"] if found else None

        total, rows, facets, alerts, clusters, label = _read(work)
        overview = clusterview.front_overview(alerts, clusters)
        return _html(claimsview.render_claims(total, rows, facets, q, _user_name(user), view, overview, label))

    @app.get("/clusters", response_class=HTMLResponse)
    def clusters_page(request: Request, user: Any = User) -> Response:
        limit, offset, order = _cluster_list_params(request)
        total, rows = _read(
            lambda con: (store_mod().count_clusters(con), store_mod().list_clusters(con, limit, offset, order))
        )
        return _html(clusterview.render_clusters(total, rows, limit, offset, order, _user_name(user)))

    @app.get("/api/clusters")
    def api_clusters(request: Request, user: Any = User) -> Response:
        limit, offset, order = _cluster_list_params(request)
        total, rows = _read(
            lambda con: (store_mod().count_clusters(con), store_mod().list_clusters(con, limit, offset, order)),
            _as_of(request),
        )
        return _json({"total": total, "limit": limit, "offset": offset, "order": order, "clusters": rows})

    @app.get("/cluster/{cluster_id}", response_class=HTMLResponse)
    def cluster_page(cluster_id: str, request: Request, user: Any = User) -> Response:
        view = viewquery.view_mode(request.query_params)
        limit, offset = _paging(request)
        data = _read(lambda con: _cluster(con, cluster_id, limit, offset))
        return _html(clusterview.render_cluster(*data, limit, offset, view, _user_name(user)))

    @app.get("/api/cluster/{cluster_id}")
    def api_cluster(cluster_id: str, request: Request, user: Any = User) -> Response:
        limit, offset = _paging(request)
        data = _read(lambda con: _cluster(con, cluster_id, limit, offset), _as_of(request))
        return _json(clusterview.cluster_json(*data, limit, offset))

    @app.get("/archive/{article_id}", response_class=HTMLResponse)
    def archive_viewer(article_id: str, request: Request, user: Any = User) -> Response:
        """The header of an archived copy (source, fetch time, content hash, the claim's sentence
        highlighted, the way back to its cluster) above the copy itself, framed sandboxed."""
        if len(article_id) > viewquery.MAX_PARAM_LENGTH:
            raise viewquery.BadRequest(f"article_id is longer than {viewquery.MAX_PARAM_LENGTH} characters")
        claim_id = viewquery.text_param(request.query_params, "claim")

        def work(con: Any) -> tuple[dict | None, dict | None]:
            store = store_mod()
            info = store.article_archive_info(con, article_id)
            claims = store.claims_by_id(con, [claim_id]) if claim_id and info else []
            return info, next((c for c in claims if c["article_id"] == article_id), None)

        info, claim = _read(work)
        if info is None or not info.get("raw_ref"):
            raise viewquery.NotFound(f"no archived copy of article {article_id!r}", "article_id")
        response = _html(clusterview.render_archive(info, claim, _user_name(user)))
        response.headers["Content-Security-Policy"] = claimsview.CONTENT_SECURITY_POLICY + "; frame-src 'self'"
        return response

    @app.get("/archive/{article_id}/raw")
    def archived_copy(article_id: str, user: Any = User) -> Response:
        """The article's page as we fetched it, from the archive: rendered sandboxed (no script, an
        opaque origin that cannot reach Airflow's cookies) and loading nothing from elsewhere."""
        from pipeline.archive import Archive, ArchiveError
        from pipeline.settings import Settings

        if len(article_id) > viewquery.MAX_PARAM_LENGTH:
            raise viewquery.BadRequest(f"article_id is longer than {viewquery.MAX_PARAM_LENGTH} characters")
        ref = _read(lambda con: store_mod().article_archive_ref(con, article_id))
        try:
            if ref is None:
                raise ArchiveError(f"no archived copy of article {article_id!r}")
            body = Archive(Settings.from_env().archive_dir).get(ref)
        except ArchiveError as e:
            raise viewquery.NotFound(str(e), "article_id") from e
        return Response(body, media_type="text/html", headers=ARCHIVE_HEADERS)

    @app.get("/desk", response_class=HTMLResponse)
    def desk_page(request: Request, user: Any = User) -> Response:
        q = clusterview.DeskQuery.from_params(request.query_params)
        total, pairs, candidates, facets = _read(lambda con: _desk(con, q))
        verdicts = _verdicts(pairs, candidates)
        key = clusterview.review_key(request.cookies.get(TOKEN_COOKIE))
        return _html(clusterview.render_desk(q, total, pairs, verdicts, candidates, facets, key, _user_name(user)))

    @app.get("/api/desk")
    def api_desk(request: Request, user: Any = User) -> Response:
        q = clusterview.DeskQuery.from_params(request.query_params)
        total, pairs, candidates, _ = _read(lambda con: _desk(con, q))
        return _json(clusterview.desk_json(q, total, pairs, _verdicts(pairs, candidates), candidates))

    @app.post("/desk/review")
    async def record_verdict(request: Request, user: Any = Depends(reviewing_user)) -> Response:  # noqa: B008
        """A checker's verdict on one pair: stored apart from the comparison (``store.reviews``),
        then back to the desk as it was. A browser's form must carry the key derived from its login
        cookie (``clusterview.review_key``), which a form posted from another site cannot know."""
        form = await request.form()
        values = {k: str(form.get(k) or "").strip() for k in ("asserting", "denying", "verdict", "note", "key", "back")}
        cookie = request.cookies.get(TOKEN_COOKIE)
        if cookie and not hmac.compare_digest(values["key"], clusterview.review_key(cookie)):
            raise _Refused(403, "Not recorded", "This verdict did not come from the desk's own form; reload the desk.")
        if values["verdict"] not in VERDICTS:
            raise viewquery.BadRequest(f"verdict must be one of {', '.join(VERDICTS)}", "verdict", VERDICTS)
        for name in ("asserting", "denying"):
            if not values[name] or len(values[name]) > viewquery.MAX_PARAM_LENGTH:
                raise viewquery.BadRequest(f"{name} must be a claim id", name)
        pair = [values["asserting"], values["denying"]]
        found = _read(lambda con: store_mod().claims_by_id(con, pair))
        words = {c["claim_id"]: c for c in found}
        if set(pair) - set(words):
            raise viewquery.NotFound("no such pair of claims: reload the desk", "asserting")
        _record_review(values, words, _user_name(user))
        back = urlencode(clusterview.DeskQuery.from_params(dict(parse_qsl(values["back"]))).to_params())
        if _is_api(request) or "application/json" in request.headers.get("accept", ""):
            return _json({"recorded": values["verdict"], "asserting": pair[0], "denying": pair[1]})
        return RedirectResponse(f"../desk{'?' + back if back else ''}#pair-{pair[0]}-{pair[1]}", status_code=303)

    @app.get("/download/claims.{fmt}")
    def download_claims(fmt: str, request: Request, user: Any = User) -> Response:
        q = viewquery.ClaimQuery.from_params(request.query_params)
        return _download(fmt, "claims", lambda con: downloads.claims(con, q.store_args(), fmt))

    @app.get("/download/cluster/{cluster_id}.{fmt}")
    def download_cluster(cluster_id: str, fmt: str, user: Any = User) -> Response:
        if len(cluster_id) > viewquery.MAX_PARAM_LENGTH:
            raise viewquery.BadRequest(f"cluster_id is longer than {viewquery.MAX_PARAM_LENGTH} characters")

        def work(con: Any) -> Any:
            if store_mod().cluster_summary(con, cluster_id) is None:
                raise viewquery.NotFound(f"cluster_id {cluster_id!r} is not a known cluster", "cluster_id")
            return downloads.cluster(con, cluster_id, fmt)

        return _download(fmt, f"cluster-{cluster_id}", work)

    @app.get("/download/contradictions.{fmt}")
    def download_contradictions(fmt: str, request: Request, user: Any = User) -> Response:
        q = clusterview.DeskQuery.from_params(request.query_params)
        return _download(fmt, "contradictions", lambda con: downloads.contradictions(con, q.store_args(), fmt))

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, user: Any = User) -> Response:
        name = viewquery.text_param(request.query_params, "name")
        hits = _read(lambda con: store_mod().search_names(con, name, SEARCH_ROWS)) if name else []
        return _html(clusterview.render_search(name, hits, _user_name(user)))

    @app.get("/api/search")
    def api_search(request: Request, user: Any = User) -> Response:
        name = viewquery.text_param(request.query_params, "name")
        if not name:
            raise viewquery.BadRequest("name is required: a speaker's or entity's name, alias or id", "name")
        return _json({"name": name, "hits": _read(lambda con: store_mod().search_names(con, name, SEARCH_ROWS))})

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, user: Any = User) -> Response:
        speaker, entity, offset = _compare_params(request)
        data = _read(lambda con: _comparison(con, speaker, entity, offset))
        return _html(
            claimsview.render_compare(
                speaker=speaker, entity=entity, user=_user_name(user), limit=COMPARE_ROWS, **data
            )
        )

    @app.get("/spread", response_class=HTMLResponse)
    def spread_page(request: Request, user: Any = User) -> Response:
        n, limit, offset = _spread_params(request)
        total, rows = _read(lambda con: store_mod().spread_clusters(con, n, limit, offset))
        return _html(claimsview.render_spread(rows, n, _user_name(user), total, offset, limit))

    @app.get("/health", response_class=HTMLResponse)
    def health_page(user: Any = User) -> Response:
        runs, failures, summary = _read(_health)
        run_dags = _airflow_runs([str(r.get("run_id")) for r in runs if r.get("run_id")])
        return _html(claimsview.render_health(runs, failures, summary, _user_name(user), run_dags))

    @app.get("/api/claims")
    def api_claims(request: Request, user: Any = User) -> Response:
        from pipeline import store

        q = viewquery.ClaimQuery.from_params(request.query_params)
        total, rows = _read(lambda con: store.find_claims(con, **q.store_args()), _as_of(request))
        return _json(claimsview.claims_json(total, rows, q))

    @app.get("/api/facets")
    def api_facets(user: Any = User) -> Response:

        return _json(_read(_facets))

    @app.get("/api/compare")
    def api_compare(request: Request, user: Any = User) -> Response:
        speaker, entity, offset = _compare_params(request)
        data = _read(lambda con: _comparison(con, speaker, entity, offset))
        if speaker or entity:
            if data["selected"] is None:
                return _json({"detail": "no claims for this speaker or entity"}, 404)
            return _json({**data["selected"], "contested": data["contested"]})
        return _json(data)

    @app.get("/api/spread")
    def api_spread(request: Request, user: Any = User) -> Response:
        n, limit, offset = _spread_params(request)
        total, rows = _read(lambda con: store_mod().spread_clusters(con, n, limit, offset))
        return _json({"total": total, "limit": limit, "offset": offset, "min_outlets": n, "spread": rows})

    @app.get("/api/health")
    def api_health(user: Any = User) -> Response:
        runs, failures, summary = _read(_health)
        return _json({"runs": runs, "failures": failures, **summary})

    return app


# An archived page is untrusted HTML: sandboxed without allow-scripts or allow-same-origin, and
# nothing fetched from elsewhere (no trackers, no images from the outlet).
ARCHIVE_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
FRONT_ROWS = 5  # alerts and clusters on the front page
TOKEN_COOKIE = "_token"  # the cookie the Airflow UI keeps its login in
VERDICTS = ("confirmed", "wrong")
CANDIDATE_ROWS = 25  # lexical candidates listed on the desk when asked for
SEARCH_ROWS = 30


def store_mod() -> Any:
    """``pipeline.store``, imported when a request needs it (not when Airflow loads the plugin)."""
    from pipeline import store

    return store


_FACETS: dict[tuple[Any, ...], dict[str, list[str]]] = {}


def _facets(con: Any) -> dict[str, list[str]]:
    """The claim filters' values, computed once per state of the data (``store.data_version``):
    the entity facet reads every claim's entities, which takes about a second at 1M claims."""
    store = store_mod()
    version = store.data_version(con)
    if version not in _FACETS:
        _FACETS.clear()
        _FACETS[version] = store.claim_facets(con)
    return _FACETS[version]


def _paging(request: Request) -> tuple[int, int]:
    params = request.query_params
    limit = viewquery.int_param(params, "limit", viewquery.DEFAULT_LIMIT, 1, viewquery.MAX_LIMIT)
    return limit, viewquery.int_param(params, "offset", 0, 0, 10_000_000)


def _cluster_list_params(request: Request) -> tuple[int, int, str]:
    limit, offset = _paging(request)
    order = viewquery.choice_param(request.query_params, "order", ("newest", "oldest"), "newest") or "newest"
    return limit, offset, order


def _cluster(con: Any, cluster_id: str, limit: int, offset: int) -> tuple[dict, int, list, list, list, list]:
    """Everything a cluster page shows; NotFound (404) for an id no compare run gave out."""
    store = store_mod()
    if len(cluster_id) > viewquery.MAX_PARAM_LENGTH:
        raise viewquery.BadRequest(f"cluster_id is longer than {viewquery.MAX_PARAM_LENGTH} characters", "cluster_id")
    summary = store.cluster_summary(con, cluster_id)
    if summary is None and (kept := store.folded_into(con, cluster_id)) is not None:
        cluster_id = kept  # folded into an older cluster by a compare run: its claims are there now
        summary = store.cluster_summary(con, cluster_id)
    if summary is None:
        raise viewquery.NotFound(
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


COMPARE_ROWS = 50  # wordings of one speaker or entity per page (paged)
LIST_ROWS = 50  # speakers and entities listed to pick from (the search box finds the others)
CONTRADICTIONS_SHOWN = 50


def _compare_params(request: Request) -> tuple[str | None, str | None, int]:
    params = request.query_params
    speaker, entity = viewquery.text_param(params, "speaker"), viewquery.text_param(params, "entity")
    return speaker, entity, viewquery.int_param(params, "offset", 0, 0, 10_000_000)


def _spread_params(request: Request) -> tuple[int, int, int]:
    limit, offset = _paging(request)
    return viewquery.int_param(request.query_params, "min_outlets", 2, 1, 1000), limit, offset


def _comparison(con: Any, speaker: str | None, entity: str | None, offset: int = 0) -> dict[str, Any]:
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


def _airflow_runs(run_ids: list[str]) -> dict[str, str]:
    """Which of these run ids are runs of the DAGs that load claims, from Airflow's own metadata
    database: ``{run_id: dag_id}``. Runs of ``factcheck run`` are not there and get no link; when
    the metadata database cannot be read, no run does (the page still renders)."""
    if not run_ids:
        return {}
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    query = select(DagRun.run_id, DagRun.dag_id).where(
        DagRun.run_id.in_(run_ids), DagRun.dag_id.in_(LOADING_DAGS)
    )
    try:
        with create_session() as session:
            rows = session.execute(query).all()
    except SQLAlchemyError as e:
        log.warning("claims view: cannot read Airflow's runs to link them: %s", e)
        return {}
    found: dict[str, str] = {}
    for run_id, dag_id in sorted(rows, key=lambda r: LOADING_DAGS.index(r[1])):
        found.setdefault(str(run_id), str(dag_id))
    return found


def _desk(con: Any, q: Any) -> tuple[int, list, list, dict]:
    """One page of the desk's alerts, the lexical candidates when asked for, and the outlets."""
    store = store_mod()
    total, pairs = store.desk_pairs(con, **q.store_args(), limit=clusterview.DESK_ROWS, offset=q.offset)
    candidates = store.contested_pairs(con, q.speaker, CANDIDATE_ROWS) if q.candidates else []
    return total, pairs, candidates, _facets(con)


def _verdicts(pairs: list, candidates: list) -> dict:
    from pipeline.settings import Settings
    from pipeline.store import reviews

    keys = [(p["asserting_claim_id"], p["denying_claim_id"]) for p in [*pairs, *candidates]]
    try:
        return reviews.reviews_of(Settings.from_env().database, keys)
    except store_mod().StoreError as e:  # a verdict being written held the file too long
        raise _Refused(503, "The verdicts are not available", str(e).splitlines()[0]) from e


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
        raise _Refused(503, "The verdict was not recorded", str(e).splitlines()[0]) from e
    log.info("claims view: %s marked pair %s / %s %s", reviewer, review.asserting_claim_id,
             review.denying_claim_id, review.verdict)


def _download(fmt: str, name: str, work: Callable[[Any], Any]) -> Response:
    """A download of what a page shows, in the format of ``factcheck export`` (``downloads``)."""
    dl = downloads
    if fmt not in dl.FORMATS:
        raise viewquery.BadRequest(f"a download is one of {', '.join(dl.FORMATS)}; got {fmt!r}", "format", dl.FORMATS)
    table = _read(work)
    body, media = dl.render(table, fmt)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:120]
    headers = {
        "Content-Disposition": f'attachment; filename="{safe}.{dl.EXTENSIONS[fmt]}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "X-Rows-Cap": str(dl.DOWNLOAD_ROWS),
        "X-Rows-Capped": "true" if table.capped else "false",
    }
    return Response(body, media_type=media, headers=headers)


def _health(con: Any) -> tuple[list, list, dict]:
    from pipeline import store

    return store.recent_runs(con), store.fetch_failures(con), store.health_summary(con)


class FactcheckClaimsPlugin(AirflowPlugin):
    name = "factcheck_claims"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Factcheck claims"}]
    external_views = [
        {
            "name": "Claims",
            "href": f"{URL_PREFIX}/",
            "url_route": "claims",
            "destination": "nav",
            "nav_top_level": True,
            "icon": f"{URL_PREFIX}/icon.svg",
        }
    ]
