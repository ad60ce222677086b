"""The Claims view: the library that renders it, the Airflow plugin that serves it, and a real login.

- ``pipeline.claimsview`` on hand-made rows: filters, escaping of hostile feed content, evidence
  highlighting from stored offsets (no Airflow, no database);
- ``pipeline.store``'s read-side queries on a DuckDB file filled by the real pipeline
  (``runner.run_all`` over the sample newsroom on loopback, plus an outlet made of faults);
- ``airflow plugins`` loading the plugin, and a real ``airflow api-server`` (SimpleAuthManager with
  known users and passwords, not the all-admins mode): anonymous requests are refused, a token from
  ``POST /auth/token`` and a login through the real form in headless Chromium are let in.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import plugin_app
import pytest
import requests

from pipeline import claimspages, claimsview, localairflow, store, viewquery
from pipeline.claimsview import Highlight
from pipeline.demo.server import NewsroomServer
from pipeline.runner import compare, run_all
from pipeline.settings import Settings
from pipeline.viewquery import ClaimQuery

REPO = Path(__file__).resolve().parents[1]
PLUGINS = REPO / "plugins"
DAGS = REPO / "dags"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "factcheck-ui-screenshots"

pytestmark = pytest.mark.ui

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def hostile_row(**changes: Any) -> dict[str, Any]:
    """A claim row as ``store.find_claims`` returns it, with markup everywhere a feed could put it."""
    evidence = f"Before {HOSTILE} the mayor said “it is {HOSTILE} fine” after."
    content = f"“it is {HOSTILE} fine”"
    c0 = evidence.index(content)
    row: dict[str, Any] = {
        "claim_id": "c1",
        "article_id": "a1",
        "outlet": f"Outlet {HOSTILE}",
        "canonical_url": "javascript:alert(document.cookie)",
        "title": f"Title {HOSTILE}",
        "published_at": None,
        "first_seen_at": None,
        "seen_at": None,
        "kind": "direct",
        "speaker": "the mayor",
        "speaker_resolved": f"Mayor {HOSTILE}",
        "speaker_name": f"Mayor {HOSTILE}",
        "speaker_role": None,
        "cue": "said",
        "cue_strength": "neutral",
        "polarity": "asserts",
        "content": content,
        "entities": [HOSTILE],
        "extractor_version": "rules-1",
        "content_start": 100 + c0,
        "content_end": 100 + c0 + len(content),
        "speaker_start": 100 + evidence.index("the mayor"),
        "speaker_end": 100 + evidence.index("the mayor") + len("the mayor"),
        "cue_start": 100 + evidence.index("said"),
        "cue_end": 100 + evidence.index("said") + 4,
        "evidence_start": 100,
        "evidence": evidence,
        "article_length": 100 + len(evidence) + 50,
    }
    row.update(changes)
    return row


def assert_no_live_markup(page: str) -> None:
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "javascript:" not in lowered
    assert "&lt;script&gt;" in page  # the text is shown, escaped, not dropped


# --- the library: filters -------------------------------------------------------------------------


def test_claim_query_reads_filters_and_clamps_paging() -> None:
    q = ClaimQuery.from_params(
        {
            "outlet": " Valley  Courier ",
            "q": "spill",
            "polarity": "",
            "entity": "Harlow",
            "limit": "9999",
            "offset": "-5",
        }
    )
    assert q.outlet == "Valley Courier" and q.text == "spill" and q.polarity is None and q.entity == "Harlow"
    assert q.limit == viewquery.MAX_LIMIT and q.offset == 0
    assert q.store_args()["text"] == "spill"
    assert q.to_params() == {"outlet": "Valley Courier", "q": "spill", "entity": "Harlow", "limit": "200"}
    assert ClaimQuery.from_params({}).active is False


@pytest.mark.parametrize(
    "params, message", [({"limit": "ten"}, "limit"), ({"offset": "1.5"}, "offset"), ({"q": "x" * 400}, "q is longer")]
)
def test_claim_query_rejects_unusable_parameters(params: dict[str, str], message: str) -> None:
    with pytest.raises(viewquery.BadRequest, match=message):
        ClaimQuery.from_params(params)


# --- the library: evidence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, highlights, expected",
    [
        ("A said B.", [Highlight("content", 7, 8)], 'A said <mark class="hl hl-content">B</mark>.'),
        (
            "Ann said it.",
            [Highlight("speaker", 0, 3), Highlight("cue", 4, 8), Highlight("content", 9, 11)],
            '<mark class="hl hl-speaker">Ann</mark> <mark class="hl hl-cue">said</mark> '
            '<mark class="hl hl-content">it</mark>.',
        ),
        (  # a speaker inside the quoted content: pieces carry both classes
            "“Ann is right,” she said",
            [Highlight("content", 0, 15), Highlight("speaker", 1, 4)],
            '<mark class="hl hl-content">“</mark><mark class="hl hl-content hl-speaker">Ann</mark>'
            '<mark class="hl hl-content"> is right,”</mark> she said',
        ),
        ("x <b> y", [Highlight("content", 2, 5)], 'x <mark class="hl hl-content">&lt;b&gt;</mark> y'),
        ("nothing marked", [], "nothing marked"),
    ],
)
def test_highlight_html_marks_the_spans_and_escapes_the_rest(
    text: str, highlights: list[Highlight], expected: str
) -> None:
    assert claimsview.highlight_html(text, highlights) == expected


def test_evidence_highlights_come_from_the_stored_article_offsets() -> None:
    row = hostile_row()
    spans = {h.role: row["evidence"][h.start : h.end] for h in claimsview.evidence_highlights(row)}
    assert spans == {"content": row["content"], "speaker": "the mayor", "cue": "said"}
    assert claimsview.evidence_matches(row)
    # A span that falls outside the window is left out, not drawn in the wrong place.
    far = hostile_row(speaker_start=10, speaker_end=19)
    assert [h.role for h in claimsview.evidence_highlights(far)] == ["content", "cue"]


def test_evidence_that_does_not_match_its_offsets_is_flagged() -> None:
    row = hostile_row(content="words that are not there")
    assert not claimsview.evidence_matches(row)
    assert "do not match" in claimsview.evidence_html(row)
    assert "do not match" not in claimsview.evidence_html(hostile_row())


def test_evidence_window_is_trimmed_to_whole_words_with_ellipses() -> None:
    evidence = "ial spill.\n\nThe port said it was fine.\n\nMarcus Feld insis"
    start = evidence.index("it was fine")
    row = {
        "evidence": evidence,
        "evidence_start": 500,
        "article_length": 2000,
        "content": "it was fine",
        "content_start": 500 + start,
        "content_end": 500 + start + len("it was fine"),
    }
    html = claimsview.evidence_html(row)
    assert html == (
        '<blockquote class="evidence">… The port said <mark class="hl hl-content">it was fine</mark>. …</blockquote>'
    )


# --- the library: escaping ---------------------------------------------------------------------------


def test_claim_list_escapes_hostile_feed_content_and_drops_unsafe_links() -> None:
    row = hostile_row()
    facets = {"outlets": [row["outlet"]], "polarities": ["asserts"], "kinds": ["direct"], "entities": [HOSTILE]}
    page = claimsview.render_claims(1, [row], facets, ClaimQuery(text=HOSTILE), user=f"user {HOSTILE}")
    assert_no_live_markup(page)
    assert 'class="hl hl-content"' in page
    assert "Title &lt;script&gt;" in page  # the title is shown as text, not as a link to javascript:


def test_only_http_links_leave_the_view() -> None:
    assert claimsview.safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example/x", "/local", None):
        assert claimsview.safe_url(bad) is None
    link = claimsview.external_link('https://example.org/"><script>', "t")
    assert "<script" not in link and 'rel="noopener noreferrer nofollow"' in link


def test_comparison_spread_and_health_pages_escape_hostile_content() -> None:
    summary = {
        "speaker": HOSTILE,
        "entity": HOSTILE,
        "n_claims": 1,
        "n_outlets": 1,
        "outlets": [HOSTILE],
        "asserted_by": [HOSTILE],
        "denied_by": [HOSTILE],
        "first_outlet": HOSTILE,
    }
    claims = [
        {
            "content": HOSTILE,
            "polarity": HOSTILE,
            "speaker": HOSTILE,
            "outlets": [HOSTILE],
            "first_outlet": HOSTILE,
            "first_url": "javascript:alert(1)",
        }
    ]
    pages = [
        claimsview.render_compare([summary], [summary], {"summary": summary, "claims": claims}, speaker=HOSTILE),
        claimsview.render_compare([summary], [summary], {"summary": summary, "claims": claims}, entity=HOSTILE),
        claimsview.render_compare([], [], None, speaker=HOSTILE),
        claimsview.render_compare(
            [],
            [],
            contested=[
                {
                    "score": 0.3,
                    "shared_terms": [HOSTILE],
                    "asserted_by": HOSTILE,
                    "asserting_outlet": HOSTILE,
                    "assertion": HOSTILE,
                    "denied_by": None,
                    "denying_outlet": HOSTILE,
                    "denial": HOSTILE,
                }
            ],
        ),
        claimsview.render_spread(
            [
                {
                    "content": HOSTILE,
                    "n_outlets": 2,
                    "outlets": [HOSTILE],
                    "speakers": [HOSTILE],
                    "polarities": [HOSTILE],
                    "first_outlet": HOSTILE,
                }
            ],
            2,
        ),
        claimsview.render_health(
            [{"run_id": HOSTILE}],
            [{"outlet": HOSTILE, "stage": "fetch", "url": HOSTILE, "reason": HOSTILE}],
            {"counts": {"claims": 1}, "by_outlet": [{"outlet": HOSTILE, "stage": "fetch"}]},
        ),
        claimsview.render_error(HOSTILE, HOSTILE),
    ]
    for page in pages:
        assert_no_live_markup(page)


def test_health_page_links_run_ids_to_their_airflow_runs() -> None:
    run_id = "manual__2026-03-06T00:00:00+00:00"
    page = claimsview.render_health(
        [{"run_id": run_id}, {"run_id": "cli__2026-03-06T01:00:00"}], [], {}, run_dags={run_id: "news_ingest"}
    )
    assert (
        '<a href="../dags/news_ingest/runs/manual__2026-03-06T00%3A00%3A00%2B00%3A00" target="_top" '
        f'title="this run in Airflow">{run_id}</a>'
    ) in page
    assert "<td>cli__2026-03-06T01:00:00</td>" in page  # a `factcheck run` load: Airflow does not know it


def test_hostile_run_and_dag_ids_stay_inside_their_link() -> None:
    """Run ids come from whoever triggered the run: the link's path parts are percent-encoded whole
    (no `/`, `..`, `?` or quote survives) and the text is escaped."""
    run_id = '../../x"><script>alert(1)</script>?a=1#b'
    page = claimsview.render_health([{"run_id": run_id}], [], {}, run_dags={run_id: "dag/../evil"})
    assert_no_live_markup(page)
    href = claimsview.airflow_run_href("dag/../evil", run_id)
    assert href == (
        "../dags/dag%2F..%2Fevil/runs/..%2F..%2Fx%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%3Fa%3D1%23b"
    )
    assert f'href="{href}"' in page


def test_claims_json_carries_evidence_highlights_relative_to_the_evidence() -> None:
    row = hostile_row()
    data = claimsview.claims_json(1, [row], ClaimQuery(outlet="x"))
    claim = data["claims"][0]
    assert data["total"] == 1 and data["filters"] == {"outlet": "x"}
    text = claim["evidence"]["text"]
    assert {h["role"]: text[h["start"] : h["end"]] for h in claim["evidence"]["highlights"]}["content"] == row[
        "content"
    ]
    assert claim["evidence"]["offsets_match"] is True
    json.dumps(data)  # JSON-ready


# --- the store's read-side queries on a real ingest ----------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file filled by the real pipeline from the sample newsroom and an outlet of faults."""
    data = tmp_path_factory.mktemp("claims-view-data")
    with NewsroomServer() as server:
        base = server.base_url
        faulty = {
            "name": "Faulty Wire (test)",
            "feeds": [f"{base}/_fault/html-feed"],
            "urls": [f"{base}/_fault/status/404", "http://127.0.0.1:9/unreachable"],
        }
        sources = server.write_sources(data / "sources.yaml", extra_outlets=[faulty])
        settings = Settings(
            data_dir=data,
            sources_path=sources,
            allow_private_network=True,
            per_host_delay=0.0,
            backoff_base=0.01,
            max_retries=1,
            connect_timeout=2.0,
            read_timeout=5.0,
        )
        run_all(settings, "manual__2026-03-06T00:00:00+00:00")
    compare(settings)  # as ``factcheck run`` does after the load: the comparison pages read its tables
    return settings.database


def test_find_claims_filters(ingested: Path) -> None:
    with store.reading(ingested) as con:
        total, rows = store.find_claims(con, limit=200)
        assert total == len(rows) >= 15
        assert len({r["outlet"] for r in rows}) >= 3
        denials_total, denials = store.find_claims(con, polarity="denies")
        assert denials_total >= 2 and {r["polarity"] for r in denials} == {"denies"}
        # the speaker filter groups like speaker_outlets: case and a leading "the" do not matter
        n_corvane, corvane = store.find_claims(con, speaker="THE corvane chemicals")
        assert n_corvane >= 3 and {r["speaker_name"] for r in corvane} == {"Corvane Chemicals"}
        _, valley = store.find_claims(con, outlet="Valley Courier (sample)", kind="direct")
        assert valley and {(r["outlet"], r["kind"]) for r in valley} == {("Valley Courier (sample)", "direct")}
        _, valve = store.find_claims(con, text="VALVE")
        assert valve and all("valve" in (r["content"] + r["title"]).lower() for r in valve)
        _, about = store.find_claims(con, entity="Corvane Chemicals")
        assert about and all("Corvane Chemicals" in r["entities"] for r in about)
        # paging: the total stays, pages do not overlap, past the end is empty with the total kept
        _, first = store.find_claims(con, limit=5)
        _, second = store.find_claims(con, limit=5, offset=5)
        assert not {r["claim_id"] for r in first} & {r["claim_id"] for r in second}
        assert store.find_claims(con, limit=5, offset=10_000) == (total, [])
        # filter values are parameters, never SQL
        assert store.find_claims(con, outlet="x' OR '1'='1", text="%' --") == (0, [])


def test_every_claim_leads_back_to_its_words_in_the_evidence(ingested: Path) -> None:
    with store.reading(ingested) as con:
        _, rows = store.find_claims(con, limit=200)
    for row in rows:
        assert claimsview.evidence_matches(row), row["claim_id"]
        assert row["evidence_start"] >= 0 and len(row["evidence"]) <= row["article_length"]


def test_comparison_spread_and_health_queries(ingested: Path) -> None:
    with store.reading(ingested) as con:
        corvane = store.compare_speaker(con, "Corvane Chemicals")
        river = store.compare_entity(con, "the Harlow River")
        spread = store.claim_spread(con)
        runs = store.recent_runs(con)
        failures = store.fetch_failures(con)
        health = store.health_summary(con)
        contested = store.contested_pairs(con)
        corvane_contested = store.contested_pairs(con, "the Corvane Chemicals")
        assert store.compare_speaker(con, "nobody at all") is None
        assert store.compare_entity(con, "nothing") is None
    assert corvane is not None and corvane["summary"]["n_denies"] >= 2 and corvane["summary"]["n_outlets"] >= 2
    assert any(len(c["outlets"]) >= 2 for c in corvane["claims"])
    assert river is not None and "Corvane Chemicals" in river["summary"]["denied_by"]
    assert spread and all(r["n_outlets"] >= 2 and r["first_outlet"] in r["outlets"] for r in spread)
    assert [r["run_id"] for r in runs] == ["manual__2026-03-06T00:00:00+00:00"]
    assert contested and all(p["asserted_by"] != p["denied_by"] for p in contested)
    assert corvane_contested and all(
        "Corvane Chemicals" in (p["asserted_by"], p["denied_by"]) for p in corvane_contested
    )
    assert len(corvane_contested) < len(contested)
    reasons = {r["url"].rsplit("/", 1)[-1]: r["reason"] for r in failures}
    assert "HTTP 404" in reasons["404"] and "not a feed" in reasons["html-feed"]
    assert "connection error" in reasons["unreachable"]
    assert health["counts"]["claims"] >= 15


# --- the plugin's app in-process: what a request gets when the database cannot be read ---------------


@pytest.fixture
def signed_in_client() -> Iterator[tuple[Any, Any]]:
    """The plugin's FastAPI app with the login check stubbed out (the real one is tested on a real server)."""
    with plugin_app.signed_in_client() as (plugin, client):
        yield plugin, client


def test_view_answers_503_when_there_is_no_database(
    signed_in_client: tuple[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = signed_in_client
    monkeypatch.setenv("FACTCHECK_DB_PATH", str(tmp_path / "missing.duckdb"))
    page = client.get("/factcheck/")
    assert page.status_code == 503 and "run the ingest first" in page.text
    api = client.get("/factcheck/api/claims")
    assert api.status_code == 503 and "run the ingest first" in api.json()["detail"]


def test_view_reads_the_snapshot_while_a_load_holds_the_live_file(
    signed_in_client: tuple[Any, Any], ingested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.store import snapshot_path

    plugin, client = signed_in_client
    assert snapshot_path(ingested).exists(), "the load publishes a read snapshot"
    monkeypatch.setenv("FACTCHECK_DB_PATH", str(ingested))
    monkeypatch.setattr(claimspages, "DB_LOCK_WAIT", 0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", WRITER_HOLDS_LOCK, str(ingested)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        response = client.get("/factcheck/api/health")
        assert response.status_code == 200 and response.json()["runs"]
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_view_answers_503_instead_of_hanging_when_no_snapshot_and_a_load_holds_the_file(
    signed_in_client: tuple[Any, Any], ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "nosnapshot.duckdb"  # a database without a read snapshot (FACTCHECK_READ_SNAPSHOT=off)
    shutil.copyfile(ingested, live)
    plugin, client = signed_in_client
    monkeypatch.setenv("FACTCHECK_DB_PATH", str(live))
    monkeypatch.setattr(claimspages, "DB_LOCK_WAIT", 0.3)
    holder = subprocess.Popen([sys.executable, "-c", WRITER_HOLDS_LOCK, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        response = client.get("/factcheck/api/health")
        assert response.status_code == 503 and "locked" in response.json()["detail"]
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert client.get("/factcheck/api/health").status_code == 200  # and reads again once the load is done


# A stand-in for the load task: holds the write lock until killed (bounded by its own timeout).
WRITER_HOLDS_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(120)
"""


# --- the plugin in Airflow -------------------------------------------------------------------------

PLUGIN_PROBE = """
import json, sys
from airflow import plugins_manager
plugins_manager.ensure_plugins_loaded()
heavy = sorted(m for m in ("spacy", "duckdb", "trafilatura", "pipeline.store", "pipeline.claims") if m in sys.modules)
print(json.dumps({"errors": plugins_manager.get_import_errors(), "heavy": heavy}))
"""


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("airflow-ui")
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({"admin": "admin-pw-for-tests", "viewer": "viewer-pw-for-tests"}), "utf-8")
    env = localairflow.airflow_env(
        home,
        DAGS,
        PLUGINS,
        extra={
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,viewer:viewer",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__API_AUTH__JWT_SECRET": "claims-view-test-secret",
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        },
    )
    return env


@pytest.mark.airflow
def test_airflow_lists_the_plugin_with_its_app_and_view(airflow_home: dict[str, str]) -> None:
    airflow = localairflow.airflow_executable()
    proc = subprocess.run(
        [airflow, "plugins", "-o", "json"], env=airflow_home, capture_output=True, text=True, timeout=180, check=True
    )
    plugins = {p["name"]: p for p in json.loads(proc.stdout)}
    plugin = plugins["factcheck_claims"]
    assert [a["url_prefix"] for a in plugin["fastapi_apps"]] == ["/factcheck"]
    [view] = plugin["external_views"]
    assert view["name"] == "Claims" and view["href"] == "/factcheck/" and view["destination"] == "nav"
    probe = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE], env=airflow_home, capture_output=True, text=True, timeout=180, check=True
    )
    info = json.loads(probe.stdout.strip().splitlines()[-1])
    assert info["errors"] == {}
    assert info["heavy"] == [], "loading the plugin must not import DuckDB, spaCy or the heavy stages"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the api-server and everything it started (its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def api_server(airflow_home: dict[str, str], ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``airflow api-server`` with the plugin, reading the ingested DuckDB file; yields its URL."""
    env = dict(airflow_home, FACTCHECK_DB_PATH=str(ingested), FACTCHECK_DATA_DIR=str(ingested.parent))
    localairflow.prepare(env)
    port = _free_port()
    log_path = tmp_path_factory.mktemp("api-server-log") / "api-server.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            [
                localairflow.airflow_executable(),
                "api-server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"api-server exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}"
                )
            try:
                if requests.get(f"{base}/api/v2/monitor/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"api-server did not answer within 120 s:\n{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.5)
        yield base
    finally:
        _stop(proc)


def _token(base: str, username: str, password: str) -> str:
    response = requests.post(f"{base}/auth/token", json={"username": username, "password": password}, timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["access_token"])


VIEW_PATHS = ["/factcheck/", "/factcheck/compare", "/factcheck/spread", "/factcheck/health"]
API_PATHS = [
    "/factcheck/api/claims",
    "/factcheck/api/facets",
    "/factcheck/api/compare",
    "/factcheck/api/spread",
    "/factcheck/api/health",
]


@pytest.mark.airflow
def test_anonymous_requests_are_refused(api_server: str) -> None:
    for path in VIEW_PATHS:
        response = requests.get(api_server + path, allow_redirects=False, timeout=30)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/auth/login?next="), path
        assert "claim" not in response.text.lower()
    for path in API_PATHS:
        response = requests.get(api_server + path, timeout=30)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Not authenticated"}
    # A wrong password gets no token, and made-up tokens are no way in either.
    bad = requests.post(f"{api_server}/auth/token", json={"username": "admin", "password": "admin"}, timeout=30)
    assert bad.status_code == 401
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."  # alg=none, unsigned
    assert requests.get(
        f"{api_server}/factcheck/api/claims", headers={"Authorization": f"Bearer {forged}"}, timeout=30
    ).status_code in (401, 403)
    assert (
        requests.get(
            f"{api_server}/factcheck/", cookies={"_token": forged}, allow_redirects=False, timeout=30
        ).status_code
        == 303
    )


@pytest.mark.airflow
def test_signed_in_users_get_the_claims_api(api_server: str) -> None:
    headers = {"Authorization": f"Bearer {_token(api_server, 'viewer', 'viewer-pw-for-tests')}"}
    data = requests.get(f"{api_server}/factcheck/api/claims", params={"limit": 200}, headers=headers, timeout=30).json()
    assert data["total"] >= 15
    assert len({c["outlet"] for c in data["claims"]}) >= 3
    assert any(c["polarity"] == "denies" for c in data["claims"])
    assert all(c["evidence"]["offsets_match"] for c in data["claims"])
    denials = requests.get(
        f"{api_server}/factcheck/api/claims",
        params={"polarity": "denies", "speaker": "Corvane Chemicals"},
        headers=headers,
        timeout=30,
    ).json()
    assert denials["total"] >= 2 and {c["speaker_name"] for c in denials["claims"]} == {"Corvane Chemicals"}
    compare = requests.get(
        f"{api_server}/factcheck/api/compare", params={"entity": "the Harlow River"}, headers=headers, timeout=30
    ).json()
    assert "Corvane Chemicals" in compare["summary"]["denied_by"]
    overview = requests.get(f"{api_server}/factcheck/api/compare", headers=headers, timeout=30).json()
    assert overview["speakers"] and overview["entities"] and overview["contested"]
    health = requests.get(f"{api_server}/factcheck/api/health", headers=headers, timeout=30).json()
    assert health["runs"] and any("HTTP 404" in f["reason"] for f in health["failures"])
    bad = requests.get(f"{api_server}/factcheck/api/claims", params={"limit": "many"}, headers=headers, timeout=30)
    assert bad.status_code == 400


@pytest.mark.airflow
def test_signed_in_page_lists_claims_with_highlighted_evidence(api_server: str, ingested: Path) -> None:
    cookies = {"_token": _token(api_server, "admin", "admin-pw-for-tests")}
    response = requests.get(f"{api_server}/factcheck/", cookies=cookies, allow_redirects=False, timeout=30)
    assert response.status_code == 200
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none' forbids scripts
    page = response.text
    outlets = [
        "Millbrook Ledger (sample)",
        "Coastline Daily (sample)",
        "Valley Courier (sample)",
        "Northside Observer (sample)",
    ]
    assert sum(o in page for o in outlets) >= 3
    assert '<span class="badge denies">denies</span>' in page
    assert '<mark class="hl hl-content">' in page and '<mark class="hl hl-speaker">' in page
    for path in VIEW_PATHS[1:]:
        assert requests.get(api_server + path, cookies=cookies, timeout=30).status_code == 200, path
    # Each request closed its read-only connection: the loader can take the file for writing at once.
    con = store.connect(ingested, read_only=False, lock_wait=0)
    con.close()


def _chrome_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        chromium = None
    if not (chromium and driver):
        message = "headless Chromium, chromedriver and selenium are needed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI installs them in .ci/run")
        pytest.skip(message)
    return chromium, driver


@pytest.mark.airflow
def test_browser_login_shows_the_claims_view_inside_airflow(api_server: str) -> None:
    chromium, driver_path = _chrome_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="factcheck-chromium-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        browser.set_page_load_timeout(60)
        wait = WebDriverWait(browser, 60)
        # Not signed in: the view sends the browser to Airflow's login page.
        browser.get(f"{api_server}/factcheck/")
        wait.until(lambda b: "/auth/login" in b.current_url)
        browser.get(f"{api_server}/auth/login?next=/plugin/claims")
        wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys("admin-pw-for-tests")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda b: "/auth/login" not in b.current_url)
        browser.get(f"{api_server}/plugin/claims")
        # The navigation carries the "Claims" entry; the page embeds the view.
        entry = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "a[href$='/plugin/claims']")))
        assert entry.text.strip() == "Claims"
        frame = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "iframe[src*='/factcheck/']")))
        browser.switch_to.frame(frame)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "article.claim")))
        outlets = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "article.claim .meta > a:first-child")}
        assert len(outlets) >= 3, outlets
        assert browser.find_elements(By.CSS_SELECTOR, "article.claim.denies")
        marks = browser.find_elements(By.CSS_SELECTOR, "article.claim blockquote.evidence mark.hl-content")
        assert marks and marks[0].text.strip()
        browser.switch_to.default_content()
        time.sleep(1)  # let the frame paint before the screenshot (not an assertion)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOT_DIR / "claims-in-airflow.png"
        assert browser.save_screenshot(str(shot))
        print(f"screenshot: {shot}")
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.airflow
def test_health_page_links_a_run_to_the_airflow_run_that_loaded_it(
    api_server: str, airflow_home: dict[str, str]
) -> None:
    """The ingested file holds run ``manual__2026-03-06T00:00:00+00:00``; once Airflow knows a
    news_ingest run of that id, the page links it, and the link names a run the API finds."""
    run_id = "manual__2026-03-06T00:00:00+00:00"
    airflow = localairflow.airflow_executable()
    headers = {"Authorization": f"Bearer {_token(api_server, 'viewer', 'viewer-pw-for-tests')}"}
    before = requests.get(f"{api_server}/factcheck/health", headers=headers, timeout=30).text
    assert f"<td>{run_id}</td>" in before  # Airflow has no such run yet: plain text
    for args in (["dags", "reserialize"], ["dags", "trigger", "news_ingest", "--run-id", run_id]):
        subprocess.run([airflow, *args], env=airflow_home, capture_output=True, text=True, timeout=300, check=True)
    page = requests.get(f"{api_server}/factcheck/health", headers=headers, timeout=30).text
    href = "../dags/news_ingest/runs/manual__2026-03-06T00%3A00%3A00%2B00%3A00"
    assert f'<a href="{href}" target="_top"' in page  # Airflow's own window, not a second Airflow in the frame
    target = requests.compat.urljoin(f"{api_server}/factcheck/health", href)
    assert target == f"{api_server}/dags/news_ingest/runs/manual__2026-03-06T00%3A00%3A00%2B00%3A00"
    admin = {"Authorization": f"Bearer {_token(api_server, 'admin', 'admin-pw-for-tests')}"}
    run = requests.get(f"{api_server}/api/v2/dags/news_ingest/dagRuns/{run_id}", headers=admin, timeout=30)
    assert run.status_code == 200 and run.json()["dag_run_id"] == run_id


def _chrome(chromium: str, driver_path: str, profile: str, downloads: Path | None = None) -> Any:
    """Headless Chromium driven by chromedriver; files it downloads go to ``downloads``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--window-size=1400,900", f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    if downloads is not None:
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        )
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    if downloads is not None:
        browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.set_page_load_timeout(60)
    return browser


def _sign_in(browser: Any, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(f"{base}/auth/login?next=/factcheck/")
    wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys("admin-pw-for-tests")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(lambda b: "/auth/login" not in b.current_url)


def _downloaded(folder: Path, name: str, timeout: float = 30.0) -> Path:
    """The file ``name`` once Chromium has finished writing it into ``folder``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = folder / name
        if done.exists() and not any(folder.glob("*.crdownload")):
            return done
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded; the folder holds {sorted(p.name for p in folder.iterdir())}")


def _csv_rows(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.airflow
def test_browser_pages_agree_with_each_other_and_the_store(
    api_server: str, ingested: Path, tmp_path: Path
) -> None:
    """Issue 23, as a fact-checker in Chromium behind the real login: every demo speaker's count equals
    the claims its evidence link shows; search finds every merged speaker by every name its articles
    wrote (accents and case aside); every card shows the stance the store holds; a verdict given on
    the contradictions desk survives a compare rerun; each download equals ``factcheck export``."""
    chromium, driver_path = _chrome_or_skip()
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from pipeline.stages.compare import respeak
    from pipeline.store.export import export

    with store.reading(ingested) as con:
        speakers = con.execute("SELECT speaker_id, speaker, n_claims FROM speaker_summaries ORDER BY 1").fetchall()
        written = con.execute(
            """SELECT DISTINCT cs.speaker_id, n FROM claim_speakers cs JOIN claims c USING (claim_id),
                      unnest([c.speaker, c.speaker_resolved, NULL]) AS t(n)
               WHERE cs.speaker_id IS NOT NULL AND n IS NOT NULL ORDER BY 1, 2"""
        ).fetchall()
        stances = dict(
            con.execute("SELECT claim_id, stance FROM claim_clusters WHERE cluster_id IS NOT NULL").fetchall()
        )
        clusters = [r[0] for r in con.execute("SELECT cluster_id FROM cluster_summaries ORDER BY 1").fetchall()]
    assert len(speakers) >= 5 and len(written) >= 10 and clusters
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    profile = tempfile.mkdtemp(prefix="factcheck-chromium-")
    browser = _chrome(chromium, driver_path, profile, downloads)
    try:
        # a click that posts a form reloads the page: an element read while it reloads is asked again
        wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
        _sign_in(browser, api_server)
        view = f"{api_server}/factcheck/"
        # a speaker's count and the claims its "every claim with evidence" link shows
        for speaker_id, name, n_claims in speakers:
            browser.get(f"{view}compare?speaker={quote(speaker_id, safe='')}")
            summary = browser.find_element(By.CSS_SELECTOR, "p.summary").text
            assert summary.startswith(f"{n_claims} claim{'' if n_claims == 1 else 's'} in "), (name, summary)
            assert browser.find_element(By.TAG_NAME, "h2").text == f"{name} across outlets"
            browser.find_element(By.LINK_TEXT, "every claim with evidence").click()
            wait.until(lambda b: "speaker=" in b.current_url)
            assert len(browser.find_elements(By.CSS_SELECTOR, "article.claim")) == n_claims, name
        # the search box finds a merged speaker by every name its articles wrote, accents and case aside
        for speaker_id, name in written:
            for asked in (name, name.upper(), name.replace("i", "í", 1).replace("e", "é", 1)):
                browser.get(view)
                box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=name]")
                box.send_keys(asked)
                box.submit()
                wait.until(lambda b: "/search" in b.current_url)
                hrefs = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table a")}
                assert f"{view}compare?speaker={quote(speaker_id, safe='')}" in hrefs, (asked, speaker_id)
        # every version card shows the stance the store holds, in the one vocabulary
        checked = 0
        for cid in clusters:
            browser.get(f"{view}cluster/{quote(cid, safe='')}?limit=200")
            for card in browser.find_elements(By.CSS_SELECTOR, "article.claim"):
                claim_id = card.get_attribute("id").removeprefix("claim-")
                [badge] = card.find_elements(By.CSS_SELECTOR, ".badge.stance")
                assert badge.text == claimsview.stance_word(stances[claim_id]), (cid, claim_id)
                checked += 1
        assert checked >= len(clusters)
        # the desk: confirm a pair, rerun the comparison, the verdict is still there for the next reader
        browser.get(f"{view}desk")
        first = browser.find_element(By.CSS_SELECTOR, "table.side-by-side tbody tr")
        pair_id = first.get_attribute("id")
        first.find_element(By.NAME, "note").send_keys("checked against both articles")
        first.find_element(By.CSS_SELECTOR, "button[value=confirmed]").click()
        wait.until(lambda b: "confirmed: a real contradiction" in b.find_element(By.ID, pair_id).text)
        respeak(Settings(data_dir=ingested.parent))
        compare(Settings(data_dir=ingested.parent))
        browser.get(f"{view}desk")
        row = browser.find_element(By.ID, pair_id).text
        assert "confirmed: a real contradiction" in row and "checked against both articles" in row
        # each download equals what factcheck export writes
        exported = export(ingested, tmp_path / "export")
        cid = clusters[0]
        one = export(ingested, tmp_path / "one", cid)
        for page, links in (
            (view, ("claims.csv", "claims.json", "claims.jsonld")),
            (f"{view}desk", ("contradictions.csv",)),
            (f"{view}cluster/{quote(cid, safe='')}", (f"cluster-{cid}.jsonld",)),
        ):
            browser.get(page)
            for filename in links:
                fmt = filename.rsplit(".", 1)[1]
                label = {"csv": "CSV", "json": "JSON", "jsonld": "ClaimReview"}[fmt]
                browser.find_element(By.CSS_SELECTOR, ".downloads").find_element(By.LINK_TEXT, label).click()
                _downloaded(downloads, filename)
        mine, theirs = _csv_rows(downloads / "claims.csv"), _csv_rows(exported.folder / "claims_by_source.csv")
        assert mine[0] == theirs[0] and sorted(mine[1:]) == sorted(theirs[1:])
        as_json = json.loads((downloads / "claims.json").read_text("utf-8"))
        assert sorted(r["claim_id"] for r in as_json) == sorted(r[0] for r in theirs[1:])
        graph = json.loads((exported.folder / "claimreview.jsonld").read_text("utf-8"))["@graph"]
        got = json.loads((downloads / "claims.jsonld").read_text("utf-8"))["@graph"]
        assert sorted(got, key=lambda r: r["identifier"]) == sorted(graph, key=lambda r: r["identifier"])
        pairs = _csv_rows(exported.folder / "contradictions.csv")
        desk = _csv_rows(downloads / "contradictions.csv")
        assert desk[0] == pairs[0] and desk[1:] and all(r in pairs[1:] for r in desk[1:])
        assert (downloads / f"cluster-{cid}.jsonld").read_text("utf-8") == one.claim_reviews.read_text("utf-8")
        reviews = _csv_rows(exported.folder / "pair_reviews.csv")
        assert len(reviews) == 2 and reviews[1][reviews[0].index("verdict")] == "confirmed"
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
