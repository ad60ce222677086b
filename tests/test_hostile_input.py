"""Hostile pages through the real pipeline: loopback outlets, ``runner.run_all``, a temporary DuckDB.

Every page here is invented for the tests (SAMPLE DATA); two outlets live on two loopback
addresses (127.0.0.1 and 127.0.0.2), so they are two sites as the parser sees them.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline import runner, store
from pipeline.demo.server import NewsroomServer
from pipeline.settings import Settings

A_PARAGRAPHS = [
    "The Fenwick water board said on Tuesday that the reservoir repairs would finish before the summer.",
    "“The dam wall is sound and the new valves are in,” said Ruth Ambler, the board's chief engineer.",
    "“We expect full pressure to return by the end of May,” Ambler added during a visit to the site.",
    "Councillor Owen Pryce said the board had kept residents informed throughout the works.",
    "According to the board, the repairs cost about half of the sum first budgeted for them.",
]
B_PARAGRAPHS = [
    "A rival newsletter claimed on Wednesday that the Fenwick reservoir was leaking again.",
    "“Nothing has been fixed at all,” said Gil Morrow, who runs the newsletter from his kitchen.",
    "Morrow said he would publish photographs of the dam wall later in the week.",
]


def page(title: str, canonical: str, paragraphs: list[str]) -> bytes:
    """A news page like a small outlet's: head metadata, a byline and the story's paragraphs."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    filler = " ".join(["The board publishes a weekly notice of works on its website."] * 3)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><link rel="canonical" href="{html.escape(canonical)}">
<meta property="og:type" content="article"><meta property="og:url" content="{html.escape(canonical)}">
<meta property="article:published_time" content="2026-03-03T09:00:00+00:00"></head>
<body><main><article><h1>{html.escape(title)}</h1><p class="byline">By Sam Carter</p>
{body}<p>{filler}</p><p>SAMPLE DATA: this page is invented for a test.</p></article></main></body></html>""".encode()


class Site:
    """A tiny loopback outlet: fixed pages on one address, in a daemon thread."""

    def __init__(self, host: str) -> None:
        self.pages: dict[str, bytes] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                body = pages.get(self.path.split("?", 1)[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def two_sites() -> Iterator[tuple[Site, Site]]:
    a, b = Site("127.0.0.1"), Site("127.0.0.2")
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def settings_for(tmp_path: Path, outlets: list[dict[str, Any]]) -> Settings:
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"outlets": outlets}), encoding="utf-8")
    return Settings(data_dir=tmp_path / "data", sources_path=sources, allow_private_network=True, per_host_delay=0.0)


def test_a_page_naming_another_outlets_article_as_canonical_does_not_replace_it(
    tmp_path: Path, two_sites: tuple[Site, Site]
) -> None:
    a, b = two_sites
    a_url = a.url("/news/reservoir-repairs.html")
    a.pages["/news/reservoir-repairs.html"] = page("Reservoir repairs to finish by summer", a_url, A_PARAGRAPHS)
    b.pages["/hj/story"] = page("Reservoir leaking again, newsletter says", a_url, B_PARAGRAPHS)
    s = settings_for(tmp_path, [
        {"name": "Fenwick Gazette (sample)", "domain": "gazette.sample", "urls": [a_url]},
        {"name": "Kitchen Newsletter (sample)", "urls": [b.url("/hj/story")]},
    ])  # fmt: skip

    runner.run_all(s, "run-1")
    con = store.connect(s.database, read_only=True)
    try:
        before = con.execute(
            "SELECT a.outlet, a.title, count(c.claim_id) FROM articles a JOIN claims c USING (article_id) "
            "WHERE a.canonical_url = ? GROUP BY ALL", [a_url]
        ).fetchall()
    finally:
        con.close()
    assert [r[:2] for r in before] == [("Fenwick Gazette (sample)", "Reservoir repairs to finish by summer")]
    a_claims = before[0][2]
    assert a_claims >= 3

    runner.run_all(s, "run-2")  # the next load: B's page must still not take A's identity
    con = store.connect(s.database, read_only=True)
    try:
        rows = con.execute(
            "SELECT outlet, canonical_url, url, title, claimed_canonical_url, text FROM articles ORDER BY outlet"
        ).fetchall()
        speakers = {r[0] for r in con.execute(
            "SELECT c.speaker FROM claims c JOIN articles a USING (article_id) WHERE a.canonical_url = ?", [a_url]
        ).fetchall()}  # fmt: skip
        n_a = con.execute(
            "SELECT count(*) FROM claims JOIN articles USING (article_id) WHERE canonical_url = ?", [a_url]
        ).fetchone()
    finally:
        con.close()
    gazette, newsletter = rows
    assert gazette[:5] == ("Fenwick Gazette (sample)", a_url, a_url, "Reservoir repairs to finish by summer", None)
    assert "reservoir repairs would finish" in gazette[5] and "kitchen" not in gazette[5]
    assert newsletter[:5] == ("Kitchen Newsletter (sample)", b.url("/hj/story"), b.url("/hj/story"),
                              "Reservoir leaking again, newsletter says", a_url)  # fmt: skip
    assert n_a == (a_claims,)
    assert not any("Morrow" in (sp or "") for sp in speakers)


def test_an_article_the_claim_rules_fail_on_is_counted_and_logged(
    tmp_path: Path, newsroom: NewsroomServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.claims.api as claims_api

    real = claims_api.claims_from_doc

    def tripping(doc, offset=0, lang="en"):  # type: ignore[no-untyped-def]
        """Fault injection: the real rules, except on the one sample article holding this phrase."""
        if "booms are holding" in doc.text:
            raise KeyError("speaker")
        return real(doc, offset=offset, lang=lang)

    monkeypatch.setattr(claims_api, "claims_from_doc", tripping)
    sources = newsroom.write_sources(tmp_path / "sources.yaml")
    s = Settings(data_dir=tmp_path / "data", sources_path=sources, allow_private_network=True, per_host_delay=0.0)
    totals = runner.run_all(s, "run-1")
    assert totals["extract_failures"] == 1 and totals["failures"] >= 1
    con = store.connect(s.database, read_only=True)
    try:
        failed = con.execute(
            "SELECT f.outlet, f.reason, a.title, count(c.claim_id) FROM fetch_log f "
            "JOIN articles a ON a.url = f.url LEFT JOIN claims c USING (article_id) "
            "WHERE f.stage = 'extract' AND NOT f.ok GROUP BY ALL"
        ).fetchall()
        ok = con.execute("SELECT count(*) FROM fetch_log WHERE stage = 'extract' AND ok").fetchone()
        others = con.execute(
            "SELECT count(DISTINCT article_id) FROM claims JOIN articles USING (article_id) "
            "WHERE title <> 'Port authority says Harlow River spill is contained'"
        ).fetchone()
    finally:
        con.close()
    ((outlet, reason, title, n_claims),) = failed
    assert (outlet, title, n_claims) == ("Millbrook Ledger (sample)",
                                         "Port authority says Harlow River spill is contained", 0)  # fmt: skip
    assert reason.startswith("claim extraction failed: text ") and "KeyError: 'speaker'" in reason
    assert ok == (6,) and others is not None and others[0] >= 5
