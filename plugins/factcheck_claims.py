"""The "Claims" entry in the Airflow UI: browse extracted claims, compare outlets, check ingest health.

Wiring only. A FastAPI app mounted at ``/factcheck`` serves HTML pages and a JSON API; an external
view puts it in the Airflow navigation (rendered in the UI at ``/plugin/claims``). Each route calls
one function of ``pipeline.claimspages`` (which reads the parameters, queries ``pipeline.store`` and
renders with ``pipeline.claimsview``/``clusterview``) and wraps what it returns in a response.

Every route requires an Airflow login: the caller's JWT (the ``_token`` cookie the UI sets at
login, or an ``Authorization: Bearer`` header from ``POST /auth/token``) is validated by Airflow's
own ``get_user`` through the configured auth manager, which then decides whether that user may see
the custom view "Factcheck Claims". Anonymous page requests are redirected to the login page,
anonymous API requests get 401.

Each request opens the DuckDB file read-only and closes it before rendering: the load task needs
the file for writing. Nothing heavy (DuckDB, spaCy) is imported when Airflow loads the plugin.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPBearer

from pipeline import claimspages, claimsview
from pipeline.viewquery import BadRequest, NotFound

log = logging.getLogger(__name__)

URL_PREFIX = "/factcheck"
RESOURCE_NAME = "Factcheck Claims"  # the custom view auth managers are asked about
LOADING_DAGS = ("news_ingest", "reprocess")  # the DAGs whose runs the Ingest health page lists
TOKEN_COOKIE = "_token"  # the cookie the Airflow UI keeps its login in

_bearer = HTTPBearer(auto_error=False)


class _NotSignedIn(claimspages.Refused):
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
        detail = f"Your Airflow role may not {what} {RESOURCE_NAME}."
        raise claimspages.Refused(status.HTTP_403_FORBIDDEN, "Not allowed", detail)
    return user


def _user_name(user: Any) -> str | None:
    get_name = getattr(user, "get_name", None)
    return str(get_name()) if callable(get_name) else None


def _html(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code, headers=claimspages.HTML_HEADERS)


def _json(data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(claimsview.jsonable(data), status_code=status_code, headers=claimspages.JSON_HEADERS)


def _download(download: claimspages.Download) -> Response:
    return Response(download.body, media_type=download.media_type, headers=download.headers)


def _inner_path(request: Request) -> str:
    """The requested path below the app's mount point."""
    root = str(request.scope.get("root_path") or "")
    path = request.url.path
    return path[len(root) :] if root and path.startswith(root) else path


def _root(request: Request) -> str:
    """The relative way from the requested page back to the view's top ("../" from cluster/<id>)."""
    return "../" * max(0, _inner_path(request).strip("/").count("/"))


def _is_api(request: Request) -> bool:
    return _inner_path(request).startswith("/api/")


# A speech bubble with a check mark, in the UI's default stroke style.
ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
    '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/><path d="m8 10 3 3 5-5"/></svg>'
)


def create_app() -> FastAPI:
    app = FastAPI(title="Factcheck claims", docs_url=None, redoc_url=None, openapi_url=None)

    async def refused(request: Request, exc: Exception) -> Response:
        """A refusal, a bad parameter or an unknown id: JSON for the API, an error page for browsers,
        the login page for a browser that is not signed in."""
        if _is_api(request):
            code, detail = claimspages.error_json(exc)
            if isinstance(exc, claimspages.Refused):
                headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
                return JSONResponse(detail, status_code=code, headers=headers)
            return _json(detail, code)
        if isinstance(exc, _NotSignedIn):
            from airflow.api_fastapi.app import get_auth_manager

            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(get_auth_manager().get_url_login(next_url=here), status_code=303)
        code, page = claimspages.error_page(exc, _root(request))
        return _html(page, code)

    for refusal in (claimspages.Refused, BadRequest, NotFound):
        app.add_exception_handler(refusal, refused)

    @app.get("/icon.svg", include_in_schema=False)
    def icon() -> Response:  # the navigation icon: static, no data, so no login needed
        return Response(ICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    User = Depends(signed_in_user)  # noqa: N806 (a dependency marker, used like a type)

    @app.get("/", response_class=HTMLResponse)
    def claims_page(request: Request, user: Any = User) -> Response:
        return _html(claimspages.claims_page(request.query_params, _user_name(user)))

    @app.get("/clusters", response_class=HTMLResponse)
    def clusters_page(request: Request, user: Any = User) -> Response:
        return _html(claimspages.clusters_page(request.query_params, _user_name(user)))

    @app.get("/api/clusters")
    def api_clusters(request: Request, user: Any = User) -> Response:
        return _json(claimspages.clusters_json(request.query_params))

    @app.get("/cluster/{cluster_id}", response_class=HTMLResponse)
    def cluster_page(cluster_id: str, request: Request, user: Any = User) -> Response:
        return _html(claimspages.cluster_page(cluster_id, request.query_params, _user_name(user)))

    @app.get("/api/cluster/{cluster_id}")
    def api_cluster(cluster_id: str, request: Request, user: Any = User) -> Response:
        return _json(claimspages.cluster_json(cluster_id, request.query_params))

    @app.get("/archive/{article_id}", response_class=HTMLResponse)
    def archive_viewer(article_id: str, request: Request, user: Any = User) -> Response:
        response = _html(claimspages.archive_page(article_id, request.query_params, _user_name(user)))
        response.headers["Content-Security-Policy"] = claimspages.ARCHIVE_VIEWER_CSP
        return response

    @app.get("/archive/{article_id}/raw")
    def archived_copy(article_id: str, user: Any = User) -> Response:
        """The archived page: rendered sandboxed (no script, an opaque origin that cannot reach
        Airflow's cookies) and loading nothing from elsewhere (``claimspages.ARCHIVE_HEADERS``)."""
        body = claimspages.archived_copy(article_id)
        return Response(body, media_type="text/html", headers=claimspages.ARCHIVE_HEADERS)

    @app.get("/desk", response_class=HTMLResponse)
    def desk_page(request: Request, user: Any = User) -> Response:
        cookie = request.cookies.get(TOKEN_COOKIE)
        return _html(claimspages.desk_page(request.query_params, cookie, _user_name(user)))

    @app.get("/api/desk")
    def api_desk(request: Request, user: Any = User) -> Response:
        return _json(claimspages.desk_json(request.query_params))

    @app.post("/desk/review")
    async def record_verdict(request: Request, user: Any = Depends(reviewing_user)) -> Response:  # noqa: B008
        """A checker's verdict on one pair, then back to the desk as it was (JSON for the API)."""
        form = await request.form()
        verdict = claimspages.record_verdict(form, request.cookies.get(TOKEN_COOKIE), _user_name(user))
        if _is_api(request) or "application/json" in request.headers.get("accept", ""):
            return _json(verdict.answer)
        return RedirectResponse(verdict.back_to_desk, status_code=303)

    @app.get("/download/claims.{fmt}")
    def download_claims(fmt: str, request: Request, user: Any = User) -> Response:
        return _download(claimspages.download_claims(fmt, request.query_params))

    @app.get("/download/cluster/{cluster_id}.{fmt}")
    def download_cluster(cluster_id: str, fmt: str, user: Any = User) -> Response:
        return _download(claimspages.download_cluster(cluster_id, fmt))

    @app.get("/download/contradictions.{fmt}")
    def download_contradictions(fmt: str, request: Request, user: Any = User) -> Response:
        return _download(claimspages.download_contradictions(fmt, request.query_params))

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, user: Any = User) -> Response:
        return _html(claimspages.search_page(request.query_params, _user_name(user)))

    @app.get("/api/search")
    def api_search(request: Request, user: Any = User) -> Response:
        return _json(claimspages.search_json(request.query_params))

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, user: Any = User) -> Response:
        return _html(claimspages.compare_page(request.query_params, _user_name(user)))

    @app.get("/spread", response_class=HTMLResponse)
    def spread_page(request: Request, user: Any = User) -> Response:
        return _html(claimspages.spread_page(request.query_params, _user_name(user)))

    @app.get("/health", response_class=HTMLResponse)
    def health_page(user: Any = User) -> Response:
        return _html(claimspages.health_page(_user_name(user), _airflow_runs))

    @app.get("/api/claims")
    def api_claims(request: Request, user: Any = User) -> Response:
        return _json(claimspages.claims_json(request.query_params))

    @app.get("/api/facets")
    def api_facets(user: Any = User) -> Response:
        return _json(claimspages.facets_json())

    @app.get("/api/compare")
    def api_compare(request: Request, user: Any = User) -> Response:
        code, data = claimspages.compare_json(request.query_params)
        return _json(data, code)

    @app.get("/api/spread")
    def api_spread(request: Request, user: Any = User) -> Response:
        return _json(claimspages.spread_json(request.query_params))

    @app.get("/api/health")
    def api_health(user: Any = User) -> Response:
        return _json(claimspages.health_json())

    return app


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
