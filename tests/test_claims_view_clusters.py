"""The Claims view's comparison pages: a cluster's versions side by side, the cluster list, the
latest contradictions on the front page, the name search, parameter errors and the table mode.

The pages are served by the plugin's real FastAPI app, in-process, from a DuckDB file built by the
real pipeline (the sample newsroom through ``runner.run_all``, then ``runner.compare``); the
renderers are also fed hostile rows to check that nothing from an article or feed becomes markup.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import plugin_app
import pytest

from pipeline import claimsview, clusterview, runner, store, viewquery
from pipeline.settings import Settings

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory, loaded_settings: Settings) -> Path:
    """A copy of the ingested sample newsroom, compared: speakers, entities, clusters and alerts."""
    data = tmp_path_factory.mktemp("compared")
    shutil.copy(loaded_settings.database, data / "factcheck.duckdb")
    settings = Settings(data_dir=data)
    summary = runner.compare(settings)
    assert summary["alerts"] >= 1
    return settings.database


@pytest.fixture
def client(compared: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The plugin's app mounted as the api-server mounts it, login stubbed (tested in test_plugin)."""
    monkeypatch.setenv("FACTCHECK_DB_PATH", str(compared))
    with plugin_app.signed_in_client() as (_plugin, c):
        yield c


def _one(compared: Path, sql: str) -> Any:
    with store.reading(compared) as con:
        row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


def test_cluster_page_lines_up_each_outlets_version_with_reprints_folded(client: Any, compared: Path) -> None:
    # a cluster carried by a wire reprint: more claims than independent reports
    cid = _one(compared, "SELECT cluster_id FROM cluster_coverage WHERE n_independent < n_claims ORDER BY 1 LIMIT 1")
    page = client.get(f"/factcheck/cluster/{cid}")
    assert page.status_code == 200
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script
    html = page.text
    assert "<script" not in html.lower()
    assert "Reprinted by" in html and "(copy)" in html
    assert '<mark class="hl hl-content">' in html  # the sentence, highlighted from the stored offsets
    assert "published 2026-" in html
    assert "<svg" in html and "<circle" in html  # the timeline picture
    assert 'action="../search"' in html and 'href="../clusters"' in html  # links lead back up a level

    data = client.get(f"/factcheck/api/cluster/{cid}").json()
    summary = data["cluster"]
    versions = data["versions"]
    # every claim of the cluster is shown once: as a version, folded under its original (a reprint)
    # or under the body claim of its article that restates it (a headline)
    shown = sum(1 + len(v["reprints"]) + len(v["headlines"]) for v in versions)
    assert shown == summary["n_claims"]
    assert any(v["reprints"] for v in versions)
    for v in versions:
        assert v["cluster_id"] == cid and v["evidence"]["offsets_match"] is True
        assert v["seen_as"] == "published" and v["speaker_id"]
        for r in v["reprints"]:
            assert r["origin_article_id"] == v["article_id"] and r["outlet"] != v["outlet"]
    assert len(data["timeline"]) == summary["n_claims"]


def test_cluster_page_shows_its_contradictions_and_framing(client: Any, compared: Path) -> None:
    cid = _one(compared, "SELECT cluster_id FROM contradictions ORDER BY 1 LIMIT 1")
    html = client.get(f"/factcheck/cluster/{cid}").text
    data = client.get(f"/factcheck/api/cluster/{cid}").json()
    assert data["contradictions"] and all(p["cluster_id"] == cid for p in data["contradictions"])
    assert "<h2>Contradictions</h2>" in html and "How each outlet worded it" in html
    pair = data["contradictions"][0]
    assert pair["denied_by"] in html and pair["asserted_by"] in html
    polarities = {v["polarity"] for v in data["versions"]}
    assert polarities == {"asserts", "denies"}
    assert 'fill="#b91c1c"' in html and 'fill="#15803d"' in html  # both stances drawn in the timeline


def test_front_page_shows_latest_contradictions_and_newest_clusters(client: Any, compared: Path) -> None:
    n_alerts = _one(compared, "SELECT count(*) FROM alerts")
    html = client.get("/factcheck/").text
    assert "Latest contradictions" in html and "Clusters formed most recently" in html
    newest = _one(
        compared, "SELECT cluster_id FROM claim_clusters WHERE reason = 'new' ORDER BY assigned_at DESC, 1 LIMIT 1"
    )
    assert f'href="cluster/{newest}"' in html
    alerted = _one(compared, "SELECT cluster_id FROM alerts ORDER BY created_at DESC LIMIT 1")
    assert f'href="cluster/{alerted}"' in html
    assert html.count("compare versions") == min(n_alerts, 5)
    # each side's speaker links to its canonical id, not to the name as written
    with store.reading(compared) as con:
        shown = store.contradiction_pairs(con, limit=5)
    ids = {a[f"{side}_speaker_id"] for a in shown for side in ("asserting", "denying")} - {None}
    assert ids, "the sample's alerts have resolved speakers"
    for speaker_id in ids:
        assert f"compare?speaker={quote(speaker_id, safe='')}" in html
    # a filtered list is about the filter, not the overview
    assert "Latest contradictions" not in client.get("/factcheck/?polarity=denies").text


def test_cluster_list_is_ordered_by_first_seen_and_paged(client: Any, compared: Path) -> None:
    n = _one(compared, "SELECT count(DISTINCT cluster_id) FROM claim_clusters WHERE cluster_id IS NOT NULL")
    oldest = client.get("/factcheck/api/clusters?order=oldest&limit=200").json()
    assert oldest["total"] == n == len(oldest["clusters"])
    firsts = [c["first_seen_at"] for c in oldest["clusters"]]
    assert firsts == sorted(firsts)
    newest = client.get("/factcheck/api/clusters").json()["clusters"]
    assert [c["first_seen_at"] for c in newest] == sorted(firsts, reverse=True)[: len(newest)]
    one = client.get("/factcheck/api/clusters?order=oldest&limit=3").json()["clusters"]
    two = client.get("/factcheck/api/clusters?order=oldest&limit=3&offset=3").json()["clusters"]
    assert len(one) == len(two) == 3
    assert [c["cluster_id"] for c in one + two] == [c["cluster_id"] for c in oldest["clusters"][:6]]
    html = client.get("/factcheck/clusters?limit=3").text
    assert html.count('href="cluster/') == 3 and 'href="clusters?limit=3&amp;offset=3"' in html


def test_search_finds_speakers_and_entities_by_id_and_alias(client: Any, compared: Path) -> None:
    feld = _one(compared, "SELECT speaker_id FROM speakers WHERE name = 'Marcus Feld'")
    hits = client.get("/factcheck/api/search?name=FELD").json()["hits"]
    assert [h["id"] for h in hits if h["type"] == "speaker"] == [feld]
    by_id = client.get("/factcheck/api/search", params={"name": feld}).json()["hits"]
    assert by_id[0]["id"] == feld
    river = client.get("/factcheck/api/search", params={"name": "the harlow river"}).json()["hits"]
    assert river[0]["type"] == "entity" and river[0]["id"] == "entity:harlow-river"
    page = client.get("/factcheck/search?name=feld").text
    assert 'href="compare?speaker=person%3Amarcus-feld"' in page
    # the speaker's page answers the same for the id and for the surname alone
    by_id_page = client.get("/factcheck/api/compare", params={"speaker": feld}).json()
    by_surname = client.get("/factcheck/api/compare", params={"speaker": "Feld"}).json()
    assert by_id_page["summary"]["speaker_id"] == by_surname["summary"]["speaker_id"] == feld
    # the search box is on every page
    for path in ("/factcheck/", "/factcheck/clusters", "/factcheck/compare", "/factcheck/spread", "/factcheck/health"):
        assert '<form class="search" method="get" action="search"' in client.get(path).text, path


@pytest.mark.parametrize(
    "path, parameter, allowed",
    [
        ("/factcheck/api/claims?polarity=maybe", "polarity", ["asserts", "denies"]),
        ("/factcheck/api/claims?kind=rumour", "kind", ["direct", "indirect", "mixed", "according_to"]),
        ("/factcheck/api/claims?limit=ten", "limit", []),
        ("/factcheck/api/clusters?order=sideways", "order", ["newest", "oldest"]),
        ("/factcheck/api/clusters?offset=x", "offset", []),
        ("/factcheck/api/spread?min_outlets=two", "min_outlets", []),
        ("/factcheck/api/search?name=", "name", []),
    ],
)
def test_invalid_parameters_are_refused_naming_the_parameter(
    client: Any, path: str, parameter: str, allowed: list[str]
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter and body["allowed"] == allowed and parameter in body["detail"]


@pytest.mark.parametrize(
    "path, words",
    [
        ("/factcheck/?polarity=maybe", ["polarity", "asserts, denies", "maybe"]),
        ("/factcheck/?limit=ten", ["limit", "whole number"]),
        ("/factcheck/?view=grid", ["view", "cards, table"]),
        ("/factcheck/spread?min_outlets=x", ["min_outlets", "whole number"]),
        ("/factcheck/clusters?order=sideways", ["order", "newest, oldest"]),
    ],
)
def test_invalid_parameters_get_an_error_page_not_an_empty_one(client: Any, path: str, words: list[str]) -> None:
    response = client.get(path)
    assert response.status_code == 400 and "Bad filter" in response.text
    assert all(w in response.text for w in words)


def test_unknown_cluster_is_404_naming_the_parameter(client: Any) -> None:
    api = client.get("/factcheck/api/cluster/cl-0000000000000000")
    assert api.status_code == 404 and api.json()["parameter"] == "cluster_id"
    page = client.get("/factcheck/cluster/%3Cscript%3Ex")
    assert page.status_code == 404 and "cluster_id" in page.text and "<script" not in page.text.lower()
    assert 'action="../search"' in page.text  # the error page's links still lead back up


def test_table_mode_shows_claims_one_line_each(client: Any, compared: Path) -> None:
    cards = client.get("/factcheck/?polarity=denies").text
    table = client.get("/factcheck/?polarity=denies&view=table").text
    assert 'blockquote class="evidence"' in cards and 'blockquote class="evidence"' not in table
    n = _one(compared, "SELECT count(*) FROM claims WHERE polarity = 'denies'")
    assert table.count("<tr>") == n + 1  # header and one row per claim
    assert 'href="./?polarity=denies"' in table  # the switch back to cards keeps the filter
    cid = _one(compared, "SELECT cluster_id FROM cluster_coverage ORDER BY n_claims DESC, cluster_id LIMIT 1")
    cluster_table = client.get(f"/factcheck/cluster/{cid}?view=table").text
    assert "<th>cluster</th>" in cluster_table and 'blockquote class="evidence"' not in cluster_table


# --- the renderers on hostile rows ---------------------------------------------------------------------


def _hostile_version(**changes: Any) -> dict[str, Any]:
    evidence = f"Before {HOSTILE} the mayor said it is {HOSTILE} fine."
    content = f"it is {HOSTILE} fine"
    c0 = evidence.index(content)
    row: dict[str, Any] = {
        "claim_id": "c1",
        "article_id": "a1",
        "origin_article_id": "a1",
        "outlet": f"Outlet {HOSTILE}",
        "canonical_url": "javascript:alert(1)",
        "title": f"Title {HOSTILE}",
        "published_at": None,
        "first_seen_at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        "seen_at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        "speaker": f"the {HOSTILE}",
        "speaker_name": f"Mayor {HOSTILE}",
        "canonical_speaker": f"Mayor {HOSTILE}",
        "speaker_id": f"person:{HOSTILE}",
        "cue": HOSTILE,
        "polarity": "denies",
        "stance": "-",
        "content": content,
        "content_start": c0,
        "content_end": c0 + len(content),
        "evidence_start": 0,
        "evidence": evidence,
        "article_length": len(evidence),
        "cluster_id": f"cl-{HOSTILE}",
        "reprints": [
            {
                "outlet": f"Copy {HOSTILE}",
                "relation": HOSTILE,
                "canonical_url": "data:text/html,x",
                "title": HOSTILE,
                "published_at": None,
                "first_seen_at": None,
            }
        ],
    }
    row.update(changes)
    return row


def _assert_inert(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "javascript:" not in lowered and "data:text" not in lowered
    assert "&lt;script&gt;" in html


def test_cluster_page_escapes_hostile_content() -> None:
    row = _hostile_version()
    summary = {
        "cluster_id": f"cl-{HOSTILE}",
        "representative": HOSTILE,
        "n_claims": 2,
        "n_outlets": 2,
        "n_independent": 1,
        "outlets": [f"Outlet {HOSTILE}"],
        "asserted_by": [HOSTILE],
        "denied_by": [HOSTILE],
        "first_outlet": HOSTILE,
        "first_speaker": HOSTILE,
        "first_seen_as": "fetched",
    }
    pair = {
        "assertion": HOSTILE,
        "denial": HOSTILE,
        "asserted_by": HOSTILE,
        "denied_by": HOSTILE,
        "asserting_speaker_id": HOSTILE,
        "asserting_outlet": HOSTILE,
        "denying_outlet": HOSTILE,
        "asserting_url": "javascript:alert(2)",
        "denying_url": "javascript:alert(3)",
        "cluster_id": HOSTILE,
    }
    wording = [{"outlet": HOSTILE, "cues": [HOSTILE], "stances": ["-"], "wording": HOSTILE, "n_claims": 1}]
    timeline = [{"outlet": HOSTILE, "seen_at": row["seen_at"], "polarity": HOSTILE, "speaker": HOSTILE}]
    for view in ("cards", "table"):
        html = clusterview.render_cluster(summary, 1, [row], [pair], wording, timeline, 50, 0, view, HOSTILE)
        _assert_inert(html)
    cards = clusterview.render_cluster(summary, 1, [row], [pair], wording, timeline, 50, 0)
    assert "fetched 2026-03-02" in cards and "Reprinted by" in cards
    assert "cluster/cl-%3Cscript%3E" in clusterview.claims_table([row])  # the id is quoted into the URL
    _assert_inert(clusterview.front_overview([{**pair, "alerted_at": None}], [summary]))
    _assert_inert(clusterview.render_clusters(1, [summary], 50, 0, "newest"))
    hit = {"type": "speaker", "id": HOSTILE, "name": HOSTILE, "kind": HOSTILE, "aliases": [HOSTILE], "matched": HOSTILE}
    _assert_inert(clusterview.render_search(HOSTILE, [hit]))
    _assert_inert(claimsview.render_claims(1, [row], {}, viewquery.ClaimQuery(), view="table"))


def test_timeline_places_reports_in_time_order() -> None:
    t = [datetime(2026, 3, d, 12, 0, tzinfo=UTC) for d in (1, 2, 5)]
    points = [
        {"outlet": "A", "seen_at": t[0], "polarity": "asserts", "stance": "+"},
        {"outlet": "B", "seen_at": t[1], "polarity": "asserts", "stance": "-"},  # coloured by stance
        {"outlet": "A", "seen_at": t[2], "polarity": "denies", "stance": "+", "reprint": True},
        {"outlet": "C", "seen_at": None, "polarity": "asserts", "stance": "+"},
    ]
    svg = clusterview.timeline_svg(points)
    xs = [float(part.split('"')[0]) for part in svg.split('cx="')[1:]]
    assert xs == sorted(xs) and len(xs) == 3 and xs[0] < xs[1] < xs[2]
    assert svg.count(">A</text>") == 1 and ">C</text>" not in svg and "1 undated not drawn" in svg
    assert 'fill="#ffffff" stroke="#15803d"' in svg  # the reprint drawn hollow, on the side it agrees with
    assert 'fill="#b91c1c" stroke="#b91c1c"' in svg and "unattributed disputes" in svg  # B: disputing side
    assert "No dated reports" in clusterview.timeline_svg(points[3:])


def test_facets_are_served_again_only_when_the_data_changes(client: Any, compared: Path, tmp_path: Path) -> None:
    with store.reading(compared) as con:
        facets, version = store.claim_facets(con), store.data_version(con)
    assert client.get("/factcheck/api/facets").json() == facets
    changed = tmp_path / "changed.duckdb"
    shutil.copy(compared, changed)
    con = store.connect(changed)
    try:
        con.execute("DELETE FROM claims WHERE claim_id = (SELECT min(claim_id) FROM claims)")
        assert store.data_version(con) != version
    finally:
        con.close()


def test_reading_refuses_a_memory_limit_that_is_not_a_size() -> None:
    with pytest.raises(ValueError, match="memory_limit"):
        with store.reading(Path("unused.duckdb"), memory_limit="all of it"):
            pass


def test_each_version_links_its_archived_copy_served_sandboxed(
    client: Any, compared: Path, loaded_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.archive import Archive

    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(loaded_settings.data_dir))  # where the run archived the pages
    cid = _one(compared, "SELECT cluster_id FROM cluster_summaries ORDER BY n_claims DESC, cluster_id LIMIT 1")
    html = client.get(f"/factcheck/cluster/{cid}").text
    con = store.connect(compared, read_only=True)
    try:  # a version the page lists on its own (a reprint or a headline is folded under another)
        _, versions = store.cluster_versions(con, cid)
    finally:
        con.close()
    version = next(v for v in versions if v.get("raw_ref"))
    article_id = version["article_id"]
    link = f'href="../archive/{article_id}?claim={version["claim_id"]}" target="_blank" rel="noopener noreferrer"'
    assert link in html and "archived copy" in html
    copy = client.get(f"/factcheck/archive/{article_id}/raw")
    assert copy.status_code == 200
    assert copy.headers["content-security-policy"].startswith("sandbox;")  # no script, opaque origin
    ref = _one(compared, f"SELECT raw_ref FROM articles WHERE article_id = '{article_id}'")
    assert copy.content == Archive(loaded_settings.archive_dir).get(ref)
    missing = client.get("/factcheck/archive/no-such-article")
    assert missing.status_code == 404 and "no archived copy" in missing.text


def test_a_headline_is_folded_under_the_body_claim_that_restates_it(compared: Path, tmp_path: Path) -> None:
    copy = tmp_path / "headline.duckdb"
    shutil.copy(compared, copy)
    con = store.connect(copy)
    try:
        cid, body, article = con.execute(
            """SELECT k.cluster_id, k.claim_id, c.article_id FROM claim_clusters k JOIN claims c USING (claim_id)
               WHERE k.cluster_id IS NOT NULL AND c.article_id NOT IN (SELECT article_id FROM article_links)
               ORDER BY k.cluster_id, k.claim_id LIMIT 1"""
        ).fetchone()
        total_before, before = store.cluster_versions(con, cid)
        # the headlines the article already has folded here (a real headline may restate the body too)
        had = [h for v in before if v["article_id"] == article for h in v["headlines"]]
        words = "Harbour stays shut all week"  # the article's headline, as a claim of its own
        con.execute("UPDATE articles SET title = ? WHERE article_id = ?", [f"Port authority: {words}", article])
        con.execute(
            "INSERT INTO claims SELECT * REPLACE ('headline-claim' AS claim_id, ? AS content) FROM claims "
            "WHERE claim_id = ?",
            [words, body],
        )
        con.execute(
            "INSERT INTO claim_clusters SELECT * REPLACE ('headline-claim' AS claim_id) FROM claim_clusters "
            "WHERE claim_id = ?",
            [body],
        )
        total, versions = store.cluster_versions(con, cid)
    finally:
        con.close()
    assert total == total_before and "headline-claim" not in {v["claim_id"] for v in versions}
    assert [v["headlines"] for v in versions if v["article_id"] == article] == [[*had, words]]  # shown once, last
    html = clusterview.render_cluster({"cluster_id": cid}, total, versions, [], [], [], 50, 0)
    assert html.count(f"also its headline: “{words}”") == 1 and 'id="claim-headline-claim"' not in html


def test_spread_and_comparison_pages_are_paged(client: Any, compared: Path) -> None:
    wide = _one(compared, "SELECT count(*) FROM cluster_summaries WHERE n_outlets >= 2")
    first = client.get("/factcheck/api/spread?limit=1").json()
    second = client.get("/factcheck/api/spread?limit=1&offset=1").json()
    assert first["total"] == second["total"] == wide >= 2
    assert len(first["spread"]) == len(second["spread"]) == 1
    assert first["spread"][0]["cluster_id"] != second["spread"][0]["cluster_id"]
    assert "offset=1" in client.get("/factcheck/spread?limit=1").text  # a link to the next page
    feld = client.get("/factcheck/api/compare", params={"speaker": "Feld"}).json()
    assert feld["total"] == len(feld["claims"]) >= 2 and feld["offset"] == 0
    later = client.get("/factcheck/api/compare", params={"speaker": "Feld", "offset": 1}).json()
    assert later["claims"] == feld["claims"][1:]
    overview = client.get("/factcheck/api/compare").json()
    assert overview["speakers"] and len(overview["speakers"]) <= 50 and overview["contested"]
    assert all(p["cluster_id"] for p in overview["contested"])
