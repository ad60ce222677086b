"""End to end through ``runner.run_all`` and a temporary DuckDB, against the loopback fault server.

Two runs. The first must store every good page exactly once and log every bad one with the right
reason; the second must ask for the feed conditionally (a 304), fetch no stored article again,
retry what failed (including a URL no feed lists any more) and store the page that came back.
Claims come from the real extractor, as in production.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from faultserver import GOOD, FaultServer

import pipeline.claims
from pipeline import runner, store
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture(scope="module")
def world(server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two runs against the fault server; the test functions inspect what they left behind."""
    tmp = tmp_path_factory.mktemp("fetchrun")
    sources = tmp / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "outlets": [
                    {"name": "Fault Gazette", "feeds": [server.base + "/feed.xml", server.base + "/latest.xml"]},
                    {"name": "Odd Feeds", "feeds": [server.base + "/html-feed", server.base + "/empty-feed"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    settings = Settings(
        data_dir=tmp / "data",
        sources_path=sources,
        allow_private_network=False,  # the guard is on: only the fault server's exact endpoint is allowed
        allow_endpoints=f"127.0.0.1:{server.port}",
        per_host_delay=0.0,
        backoff_base=0.01,
        max_retries=1,
        connect_timeout=2.0,
        read_timeout=0.5,
        max_bytes=200_000,
        max_failed_runs=3,
        contact="mailto:factcheck-tests@example.org",
    )
    first = runner.run_all(settings, "run-1")
    con = store.connect(settings.database, read_only=True)
    snapshot = {
        "log": {r[0]: r[1:] for r in con.execute(
            "SELECT url, ok, status, reason, attempts, stage FROM fetch_log WHERE stage IN ('discover', 'fetch')"
        ).fetchall()},
        "parse_log": {r[0]: r[1] for r in con.execute(
            "SELECT url, reason FROM fetch_log WHERE stage = 'parse' AND NOT ok").fetchall()},
        "articles": con.execute("SELECT url, title, text FROM articles ORDER BY url").fetchall(),
    }  # fmt: skip
    con.close()
    requests_after_first = len(server.requests)
    server.phase = 2
    second = runner.run_all(settings, "run-2")
    yield {
        "settings": settings,
        "first": first,
        "second": second,
        "run1": snapshot,
        "second_requests": server.requests[requests_after_first:],
        "first_requests": server.requests[:requests_after_first],
    }


def _by_path(log: dict[str, tuple[Any, ...]], base: str) -> dict[str, tuple[Any, ...]]:
    return {url.removeprefix(base): row for url, row in log.items()}


def test_every_good_page_is_stored_exactly_once(world: dict[str, Any], server: FaultServer) -> None:
    articles = world["run1"]["articles"]
    paths = sorted(url.removeprefix(server.base) for url, _, _ in articles)
    assert paths == sorted(
        [f"/news/{s}.html" for s in GOOD]
        + ["/news/cp1252.html", "/news/utf8.html", "/news/retry-after.html", "/news/flaky.html"]
    )
    # alpha was listed three times (tracking parameters, a fragment): requested once
    first = [p for p, _, _ in world["first_requests"]]
    assert [p for p in first if p.startswith("/news/alpha.html")] == ["/news/alpha.html"]
    # each good page is requested once in all (twice where the first answer was a 429 or a 500)
    everything = [p for p, _, _ in world["first_requests"] + world["second_requests"]]
    for path in paths:
        expected = 2 if path in ("/news/retry-after.html", "/news/flaky.html") else 1
        assert everything.count(path) == expected, path
    assert world["first"]["articles"] == 7
    assert world["first"]["duplicates"] == 1  # mirror.html: alpha's text under another URL, stored once


def test_the_same_text_under_another_url_is_recorded_not_stored(world: dict[str, Any], server: FaultServer) -> None:
    con = store.connect(world["settings"].database, read_only=True)
    try:
        row = con.execute(
            "SELECT a.url FROM article_urls u JOIN articles a USING (article_id) WHERE u.url = ?",
            [server.base + "/news/mirror.html"],
        ).fetchone()
    finally:
        con.close()
    assert row == (server.base + "/news/alpha.html",)


def test_charsets_are_decided_from_the_bytes(world: dict[str, Any], server: FaultServer) -> None:
    texts = {url.removeprefix(server.base): (title, text) for url, title, text in world["run1"]["articles"]}
    title, text = texts["/news/cp1252.html"]
    assert "Caf\u00e9 owners \u2013 \u201cna\u00efve\u201d plan" in (title or "") + text
    title, text = texts["/news/utf8.html"]
    assert "Z\u00fcrich \u00e9t\u00e9 r\u00e9sum\u00e9" in (title or "") + text
    assert "\u00c3" not in text  # no mojibake from decoding UTF-8 as Latin-1


@pytest.mark.parametrize(
    ("path", "reason", "attempts"),
    [
        ("/news/down.html", "HTTP 503", 2),
        ("/news/slow.html", "timeout", 2),
        ("/news/loop.html", "too many redirects", 1),
        ("/news/to-metadata.html", "blocked: host '169.254.169.254' resolves to non-public", 1),
        ("/news/to-loopback.html", "blocked: host '127.0.0.1' resolves to non-public", 1),
        ("/news/huge.html", "too large", 1),
        ("/news/truncated.html", "incomplete body", 2),
        ("/news/gzip-cut.html", "incomplete body: gzip stream cut short", 2),
        ("/news/gone.html", "HTTP 404", 1),
        ("/news/later.html", "HTTP 503", 2),
        ("/private/secret.html", "disallowed by robots.txt", 1),
        ("/news/image.html", "unsupported content type 'image/png'", 1),
        ("/html-feed", "not a feed: an HTML page", 1),
    ],
)
def test_every_bad_url_is_logged_with_its_reason(
    world: dict[str, Any], server: FaultServer, path: str, reason: str, attempts: int
) -> None:
    log = _by_path(world["run1"]["log"], server.base)
    ok, _status, logged_reason, logged_attempts, _stage = log[path]
    assert ok is False
    assert reason in (logged_reason or "")
    assert logged_attempts == attempts


def test_retries_and_empty_feeds_succeed(world: dict[str, Any], server: FaultServer) -> None:
    log = _by_path(world["run1"]["log"], server.base)
    assert log["/news/retry-after.html"][:2] == (True, 200) and log["/news/retry-after.html"][3] == 2
    assert log["/news/flaky.html"][:2] == (True, 200) and log["/news/flaky.html"][3] == 2
    assert log["/empty-feed"][:3] == (True, 200, None)  # valid and empty is not an error


def test_nothing_else_is_lost(world: dict[str, Any], server: FaultServer) -> None:
    """Every URL the feed listed ends up stored, logged as failed, or refused before any request."""
    from faultserver import FEED_PATHS

    log = _by_path(world["run1"]["log"], server.base)
    stored = {url.removeprefix(server.base) for url, _, _ in world["run1"]["articles"]}
    for listed in [*FEED_PATHS, "/news/later.html"]:
        path = listed.split("?")[0].split("#")[0]
        assert path in stored or path in log or path == "/news/mirror.html", listed
    assert server.hits("/private/secret.html") == 0, "a robots-disallowed page is never requested"


def test_the_user_agent_names_a_contact(world: dict[str, Any]) -> None:
    assert "mailto:factcheck-tests@example.org" in world["settings"].full_user_agent


def test_second_run_is_conditional_and_fetches_nothing_new(world: dict[str, Any], server: FaultServer) -> None:
    second = world["second_requests"]
    feed = [(p, inm) for p, inm, _ in second if p == "/feed.xml"]
    assert feed == [("/feed.xml", '"feed-v1"')], "the feed is asked for conditionally"
    latest = [(p, inm) for p, inm, _ in second if p == "/latest.xml"]
    assert latest == [("/latest.xml", '"latest-v1"')]  # asked conditionally too; it changed, so a 200
    assert "/robots.txt" not in {p for p, _, _ in second}, "robots.txt is cached between runs (24 h)"
    stored_paths = {url.removeprefix(server.base) for url, _, _ in world["run1"]["articles"]}
    again = {p for p, _, _ in second} & stored_paths
    assert again == set(), f"stored articles were requested again: {again}"
    # what failed is retried: from the unchanged feed's archived copy, and later.html, which no feed
    # lists any more, from the fetch state
    retried = {p for p, _, _ in second}
    assert {"/news/down.html", "/news/later.html", "/news/gone.html"} <= retried
    assert "/private/secret.html" not in retried


def test_a_page_that_was_down_is_stored_by_the_next_run(world: dict[str, Any], server: FaultServer) -> None:
    assert world["second"]["articles"] == 1
    con = store.connect(world["settings"].database, read_only=True)
    try:
        urls = {r[0].removeprefix(server.base) for r in con.execute("SELECT url FROM articles").fetchall()}
        down = con.execute(
            "SELECT total_attempts, failures FROM fetch_log WHERE url = ? AND stage = 'fetch'",
            [server.base + "/news/down.html"],
        ).fetchone()
        feed = con.execute(
            "SELECT ok, status FROM fetch_log WHERE url = ? AND stage = 'discover'", [server.base + "/feed.xml"]
        ).fetchone()
    finally:
        con.close()
    assert "/news/later.html" in urls
    assert down == (4, 2), "attempts and failed runs add up across runs"
    assert feed == (True, 304)


def test_a_cut_compressed_body_is_never_an_article(world: dict[str, Any], server: FaultServer) -> None:
    """gzip cut at 80 % with a matching Content-Length: a failed fetch, not parsed, asked for again next run."""
    cut = server.base + "/news/gzip-cut.html"
    assert cut not in {url for url, _, _ in world["run1"]["articles"]}
    assert cut not in world["run1"]["parse_log"]
    con = store.connect(world["settings"].database, read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM articles WHERE url = ?", [cut]).fetchone()
        logged = con.execute("SELECT ok, failures FROM fetch_log WHERE url = ? AND stage = 'fetch'", [cut]).fetchone()
    finally:
        con.close()
    assert stored == (0,)
    assert logged == (False, 2), "failed in both runs"
    assert "/news/gzip-cut.html" in {p for p, _, _ in world["second_requests"]}


def test_failed_urls_are_given_up_after_the_cap(world: dict[str, Any], server: FaultServer) -> None:
    from pipeline.state import FetchState

    settings = world["settings"]
    state = FetchState.load(settings.state_dir, "Fault Gazette")
    down = state.get(server.base + "/news/down.html")
    assert down["failed_runs"] == 2 and not down.get("stored")
    assert state.is_stored(server.base + "/news/later.html")
    assert not state.gave_up(server.base + "/news/down.html", settings.max_failed_runs)
    assert state.gave_up(server.base + "/news/down.html", 2)


def test_reprocess_replaces_claims_from_the_archive_without_fetching(
    world: dict[str, Any], server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings: Settings = world["settings"]
    # The real extractor under a new version label: what a release of a better extractor looks like.
    monkeypatch.setattr(pipeline.claims, "EXTRACTOR_VERSION", "next-release")
    before_requests = len(server.requests)
    con = store.connect(settings.database, read_only=True)
    n_articles, n_claims = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM claims)"
    ).fetchone()
    con.close()

    totals = runner.reprocess_all(settings, "reprocess-1")

    assert len(server.requests) == before_requests, "reprocessing fetches nothing"
    assert totals["articles"] == n_articles
    con = store.connect(settings.database, read_only=True)
    try:
        versions = con.execute("SELECT extractor_version, count(*) FROM claims GROUP BY 1").fetchall()
        after = con.execute("SELECT count(*) FROM articles").fetchone()
    finally:
        con.close()
    assert n_claims > 0
    assert versions == [("next-release", n_claims)]
    assert after == (n_articles,)


def test_cli_reprocess_runs(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from pipeline import cli

    settings: Settings = world["settings"]
    code = cli.main(
        ["reprocess", "--db", str(settings.database), "--data-dir", str(settings.data_dir), "-q", "--run-id", "rp-cli"]
    )
    assert code == 0
    assert "nothing fetched" in capsys.readouterr().out


def test_state_files_are_json_per_outlet(world: dict[str, Any]) -> None:
    files = sorted(p.name for p in Path(world["settings"].state_dir).glob("*.json"))
    assert len(files) == 2
    for name in files:
        data = json.loads((Path(world["settings"].state_dir) / name).read_text(encoding="utf-8"))
        assert data["version"] == 1 and isinstance(data["urls"], dict)


def test_duckdb_is_not_opened_by_the_network_stages(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """discover and fetch work from the state files alone: opening DuckDB there raises."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("DuckDB opened outside the load task")

    monkeypatch.setattr(duckdb, "connect", refuse)
    settings: Settings = world["settings"]
    runner.discover(settings, "run-3", "Fault Gazette")
    runner.fetch(settings, "run-3", "Fault Gazette")
