"""The Claims view's pages agree with each other and with the store (issue 23), in-process on the
sample newsroom compared by the real pipeline: a speaker's count and its evidence link, the search
by every name the articles wrote, one stance vocabulary, the contradictions desk whose verdicts
outlive a compare rerun and reach ``factcheck export``, downloads in the export's format, and the
archive viewer. The same questions in real Chromium behind a real login: tests/test_plugin.py."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import plugin_app
import pytest

from pipeline import claimsview, runner, store
from pipeline.settings import Settings
from pipeline.stages.compare import respeak
from pipeline.store import reviews
from pipeline.store.export import export


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory, loaded_settings: Settings) -> Settings:
    """A copy of the ingested sample newsroom, compared (speakers, clusters, alerts)."""
    data = tmp_path_factory.mktemp("desk")
    shutil.copy(loaded_settings.database, data / "factcheck.duckdb")
    settings = Settings(data_dir=data)
    assert runner.compare(settings)["alerts"] >= 1
    return settings


@pytest.fixture
def client(compared: Settings, loaded_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(loaded_settings.data_dir))  # where the run archived the pages
    monkeypatch.setenv("FACTCHECK_DB_PATH", str(compared.database))
    with plugin_app.signed_in_client() as (_plugin, c):
        yield c


def _rows(settings: Settings, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with store.reading(settings.database) as con:
        return con.execute(sql, params or []).fetchall()


def _evidence_href(page: str) -> str:
    found = re.search(r'<a href="([^"]*)">every claim with evidence</a>', page)
    assert found, "the speaker's page links every claim with evidence"
    return html.unescape(found.group(1))


def test_a_speakers_count_equals_the_claims_its_evidence_link_lists(client: Any, compared: Settings) -> None:
    speakers = _rows(compared, "SELECT speaker_id, speaker, n_claims FROM speaker_summaries ORDER BY speaker_id")
    assert len(speakers) >= 5
    for speaker_id, name, n_claims in speakers:
        page = client.get("/factcheck/compare", params={"speaker": speaker_id}).text
        assert f"{name} across outlets" in html.unescape(page) and speaker_id not in _headings(page)
        shown = int(re.search(r'<p class="summary">(\d+) claims?', page).group(1))  # type: ignore[union-attr]
        listed = client.get(f"/factcheck/{_evidence_href(page)}&limit=200").text
        assert shown == n_claims == listed.count('<article class="claim'), name
        assert f"{n_claims} claim{'' if n_claims == 1 else 's'} by {name}" in html.unescape(listed)


def _headings(page: str) -> str:
    return " ".join(re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page, re.S))


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()


def test_search_finds_each_merged_speaker_by_every_name_its_articles_wrote(client: Any, compared: Settings) -> None:
    written = _rows(
        compared,
        """SELECT cs.speaker_id, n FROM claim_speakers cs JOIN claims c USING (claim_id),
                  unnest([c.speaker, c.speaker_resolved]) AS t(n)
           WHERE cs.speaker_id IS NOT NULL AND n IS NOT NULL
           UNION SELECT speaker_id, name FROM speakers
           UNION SELECT speaker_id, unnest(aliases) FROM speakers ORDER BY 1, 2""",
    )
    assert len(written) >= 15
    for speaker_id, name in written:
        for asked in (name, name.upper(), _accented(name)):
            hits = client.get("/factcheck/api/search", params={"name": asked}).json()["hits"]
            assert speaker_id in {h["id"] for h in hits}, (asked, speaker_id)
    # a speaker no compare run resolved is still found by its name as written, and leads to its claims
    [(unresolved,)] = _rows(
        compared,
        """SELECT min(c.speaker) FROM claims c LEFT JOIN claim_speakers cs USING (claim_id)
           WHERE cs.speaker_id IS NULL AND c.speaker IS NOT NULL""",
    )
    hits = client.get("/factcheck/api/search", params={"name": unresolved.lower()}).json()["hits"]
    assert any(h["id"] is None and _fold(h["name"]) == _fold(unresolved) for h in hits)
    page = client.get("/factcheck/search", params={"name": unresolved}).text
    assert f'href="compare?speaker={quote(unresolved, safe="").replace("%20", "+")}"' in page
    # a misspelt name finds the speaker closest to it
    hits = client.get("/factcheck/api/search", params={"name": "Markus Feld"}).json()["hits"]
    assert [h["id"] for h in hits][:1] == ["person:marcus-feld"]


def _accented(name: str) -> str:
    """``name`` with its first a, e, i, o or u accented (what a reader may type)."""
    for plain, marked in (("i", "í"), ("e", "é"), ("a", "á"), ("o", "ó"), ("u", "ú")):
        if plain in name:
            return name.replace(plain, marked, 1)
    return name


def test_every_page_shows_the_stance_the_store_holds(client: Any, compared: Settings) -> None:
    stances = dict(_rows(compared, "SELECT claim_id, stance FROM claim_clusters WHERE cluster_id IS NOT NULL"))
    clusters = [r[0] for r in _rows(compared, "SELECT cluster_id FROM cluster_summaries ORDER BY cluster_id")]
    seen = 0
    for cid in clusters:
        page = client.get(f"/factcheck/cluster/{cid}", params={"limit": 200}).text
        card = (r'<article class="claim [a-z]*" id="claim-([^"]+)">'
                r'.*?<span class="badge stance [a-z]*"[^>]*>([a-z]+)</span>')
        for claim_id, shown in re.findall(card, page, re.S):
            assert shown == claimsview.stance_word(stances[claim_id]), (cid, claim_id)
            seen += 1
    assert seen >= len(clusters)
    listed = client.get("/factcheck/", params={"limit": 200}).text
    for claim_id, shown in re.findall(
        r'id="claim-([^"]+)">(?:(?!</article>).)*?<span class="badge stance [a-z]*"[^>]*>([a-z]+)</span>', listed, re.S
    ):
        assert shown == claimsview.stance_word(stances[claim_id])
    for page in (listed, client.get("/factcheck/desk").text, client.get(f"/factcheck/cluster/{clusters[0]}").text):
        assert "stance -" not in page and "stance +" not in page and "Denied by" not in page


def test_no_heading_shows_a_raw_id_and_counts_are_in_words(client: Any, compared: Settings) -> None:
    health = client.get("/factcheck/health").text
    assert "fetch_log" not in health and re.search(r"\d+ fetch log entr(y|ies)", health)
    one = _rows(compared, "SELECT cluster_id FROM cluster_summaries WHERE n_claims = 1 AND n_outlets = 1 LIMIT 1")
    if one:
        assert "1 claim in 1 outlet " in client.get(f"/factcheck/cluster/{one[0][0]}").text
    page = client.get("/factcheck/compare", params={"speaker": "person:elena-ruiz"}).text
    assert "person:" not in _headings(page)


def test_a_claim_card_names_the_speaker_its_cluster_names(client: Any, compared: Settings) -> None:
    named = _rows(
        compared,
        """SELECT c.claim_id, sp.name FROM claims c JOIN claim_speakers cs USING (claim_id)
           JOIN speakers sp USING (speaker_id) WHERE c.speaker IS NULL""",
    )
    page = client.get("/factcheck/", params={"limit": 200}).text
    for claim_id, name in named:
        card = page.split(f'id="claim-{claim_id}"', 1)[1].split("</article>", 1)[0]
        assert "unattributed" not in card and f">{html.escape(name)}</a>" in card


def _desk_pair(client: Any) -> tuple[str, str, str]:
    page = client.get("/factcheck/desk").text
    form = r'name="asserting" value="([^"]+)">.*?name="denying" value="([^"]+)">.*?name="key" value="([^"]*)"'
    found = re.search(form, page, re.S)
    assert found, "the desk offers a verdict form on each pair"
    return found.group(1), found.group(2), found.group(3)


def test_a_verdict_on_the_desk_survives_a_compare_rerun_and_is_exported(
    client: Any, compared: Settings, tmp_path: Path
) -> None:
    asserting, denying, key = _desk_pair(client)
    desk = client.get("/factcheck/api/desk").json()
    assert desk["total"] == len(_rows(compared, "SELECT * FROM alerts")) and desk["pairs"][0]["review"] is None
    sent = client.post(
        "/factcheck/desk/review",
        data={"asserting": asserting, "denying": denying, "verdict": "confirmed", "note": "both on record",
              "key": key, "back": "outlet="},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("../desk")
    assert "confirmed: a real contradiction" in client.get("/factcheck/desk").text
    # reruns: the speakers of every stored claim recomputed, then every cluster and alert dropped and
    # compared again from scratch; the verdict is not in their reach
    respeak(compared)
    con = store.connect(compared.database)
    try:
        for table in ("alerts", "claim_clusters", "cluster_summaries"):
            con.execute(f"DELETE FROM {table}")
    finally:
        con.close()
    assert runner.compare(compared)["alerts"] >= 1
    after = client.get("/factcheck/api/desk").json()
    pair = next(p for p in after["pairs"] if (p["asserting_claim_id"], p["denying_claim_id"]) == (asserting, denying))
    assert pair["review"]["verdict"] == "confirmed" and pair["review"]["note"] == "both on record"
    assert "confirmed: a real contradiction" in client.get("/factcheck/desk").text
    done = export(compared.database, tmp_path / "out")
    with (done.folder / "pair_reviews.csv").open(encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert (row["asserting_claim_id"], row["denying_claim_id"], row["verdict"]) == (asserting, denying, "confirmed")
    assert done.counts["pair_reviews"] == 1
    # marked wrong later: replaced, not added
    client.post("/factcheck/desk/review", data={"asserting": asserting, "denying": denying, "verdict": "wrong",
                                                "key": key, "back": ""})
    assert [r["verdict"] for r in reviews.all_reviews(compared.database)] == ["wrong"]


def test_a_verdict_needs_the_desks_own_form(client: Any) -> None:
    asserting, denying, key = _desk_pair(client)
    client.cookies.set("_token", "a-login-cookie")
    try:
        forged = client.post("/factcheck/desk/review",
                             data={"asserting": asserting, "denying": denying, "verdict": "confirmed", "key": key})
        assert forged.status_code == 403
        bad = client.post("/factcheck/desk/review", data={"asserting": asserting, "denying": denying,
                                                          "verdict": "maybe", "key": _desk_pair(client)[2]})
        assert bad.status_code == 400 and "confirmed, wrong" in bad.text
    finally:
        client.cookies.clear()


def test_the_desk_filters_by_outlet_speaker_entity_and_date(client: Any, compared: Settings) -> None:
    desk = client.get("/factcheck/api/desk").json()
    pair = desk["pairs"][0]
    day = pair["asserting_seen_at"][:10]
    for params in ({"outlet": pair["denying_outlet"]}, {"speaker": pair["asserting_speaker_id"]},
                   {"speaker": pair["denying_speaker"]}, {"since": day}, {"until": day}):
        found = client.get("/factcheck/api/desk", params=params).json()
        assert pair["asserting_claim_id"] in {p["asserting_claim_id"] for p in found["pairs"]}, params
    assert client.get("/factcheck/api/desk", params={"outlet": "No Such Outlet"}).json()["total"] == 0
    assert client.get("/factcheck/api/desk", params={"until": "2000-01-01"}).json()["total"] == 0
    assert client.get("/factcheck/api/desk", params={"since": "yesterday"}).status_code == 400
    candidates = client.get("/factcheck/desk", params={"candidates": "1"}).text
    assert '<span class="candidate">candidate</span>' in candidates


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_downloads_match_factcheck_export(client: Any, compared: Settings, tmp_path: Path) -> None:
    done = export(compared.database, tmp_path / "all")
    exported = _csv_rows((done.folder / "claims_by_source.csv").read_text("utf-8"))
    got = client.get("/factcheck/download/claims.csv")
    assert got.headers["content-disposition"] == 'attachment; filename="claims.csv"'
    mine = _csv_rows(got.text)
    assert mine[0] == exported[0] and sorted(mine[1:]) == sorted(exported[1:])
    as_json = client.get("/factcheck/download/claims.json").json()
    assert sorted(r["claim_id"] for r in as_json) == sorted(r[0] for r in exported[1:])
    graph = json.loads((done.folder / "claimreview.jsonld").read_text("utf-8"))
    mine_graph = client.get("/factcheck/download/claims.jsonld").json()
    assert sorted(mine_graph["@graph"], key=lambda r: r["identifier"]) == sorted(
        graph["@graph"], key=lambda r: r["identifier"]
    )
    # filtered: the rows the page lists
    outlet = exported[1][exported[0].index("outlet")]
    total = client.get("/factcheck/api/claims", params={"outlet": outlet, "limit": 1}).json()["total"]
    assert len(_csv_rows(client.get("/factcheck/download/claims.csv", params={"outlet": outlet}).text)) == total + 1
    # one cluster: its rows, and the same ClaimReview file as ``factcheck export --cluster``
    cid = graph["@graph"][0]["identifier"]
    one = export(compared.database, tmp_path / "one", cid)
    assert client.get(f"/factcheck/download/cluster/{cid}.jsonld").text == one.claim_reviews.read_text("utf-8")
    rows = _csv_rows(client.get(f"/factcheck/download/cluster/{cid}.csv").text)
    at = exported[0].index("cluster_id")
    assert sorted(rows[1:]) == sorted(r for r in exported[1:] if r[at] == cid)
    # the contradictions: the export's rows of the pairs the desk lists
    pairs = _csv_rows((done.folder / "contradictions.csv").read_text("utf-8"))
    desk = _csv_rows(client.get("/factcheck/download/contradictions.csv").text)
    assert desk[0] == pairs[0] and desk[1:] and all(r in pairs[1:] for r in desk[1:])
    assert client.get("/factcheck/download/claims.xlsx").status_code == 400


def test_downloaded_csv_cells_cannot_run_as_formulas(client: Any, compared: Settings, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.duckdb"
    shutil.copy(compared.database, hostile)
    con = store.connect(hostile)
    try:
        con.execute("UPDATE claims SET content = '=HYPERLINK(\"http://x\")' WHERE claim_id = (SELECT min(claim_id) "
                    "FROM claims)")
    finally:
        con.close()
    client_env = {"FACTCHECK_DB_PATH": str(hostile)}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in client_env.items():
            mp.setenv(k, v)
        text = client.get("/factcheck/download/claims.csv").text
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_the_archive_viewer_heads_the_copy_with_its_source_and_the_claim(client: Any, compared: Settings) -> None:
    [(claim_id, article_id, cid, raw_ref, url)] = _rows(
        compared,
        """SELECT c.claim_id, c.article_id, k.cluster_id, a.raw_ref, a.canonical_url FROM claims c
           JOIN articles a USING (article_id) JOIN claim_clusters k USING (claim_id)
           WHERE a.raw_ref IS NOT NULL AND k.cluster_id IS NOT NULL ORDER BY c.claim_id LIMIT 1""",
    )
    page = client.get(f"/factcheck/archive/{article_id}", params={"claim": claim_id})
    assert page.status_code == 200 and "frame-src 'self'" in page.headers["content-security-policy"]
    text = page.text
    assert raw_ref in text and html.escape(url) in text and "fetched" in text
    assert '<mark class="hl hl-content">' in text
    assert f'href="../cluster/{cid}#claim-{claim_id}"' in text
    assert f'<iframe class="archived" src="{article_id}/raw" sandbox=""' in text
    raw = client.get(f"/factcheck/archive/{article_id}/raw")
    assert raw.status_code == 200 and raw.headers["content-security-policy"].startswith("sandbox;")
    listed = client.get("/factcheck/", params={"limit": 200}).text
    cards = listed.count('<article class="claim')
    assert listed.count('target="_blank" rel="noopener noreferrer" title="the page as we fetched it') == cards

