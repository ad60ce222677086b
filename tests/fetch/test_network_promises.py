"""Hostile inputs against the network stages, end to end through ``pipeline.runner`` and loopback servers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from faultserver import FaultServer

from pipeline import runner
from pipeline.settings import Settings
from pipeline.staging import RunPaths, read_jsonl


def test_a_gzip_bomb_sitemap_fails_that_feed_with_a_reason(tmp_path: Path) -> None:
    """A .xml.gz sitemap served as application/x-gzip that inflates past max_feed_bytes: that feed
    fails with "too large", the outlet's other feed still gives its URLs."""
    with FaultServer() as server:
        sources = tmp_path / "sources.yaml"
        feeds = [server.base + "/sitemap-bomb.xml.gz", server.base + "/latest.xml"]
        sources.write_text(yaml.safe_dump({"outlets": [{"name": "Bomb", "feeds": feeds}]}), encoding="utf-8")
        settings = Settings(
            data_dir=tmp_path / "data",
            sources_path=sources,
            allow_endpoints=f"127.0.0.1:{server.port}",
            per_host_delay=0.0,
            max_feed_bytes=1_000_000,
        )
        runner.discover(settings, "bomb-run", "Bomb")
    paths = RunPaths(settings, "bomb-run")
    rows = {r["url"]: r for r in read_jsonl(paths.log_file("discover", "Bomb"))}
    bomb = rows[server.base + "/sitemap-bomb.xml.gz"]
    assert bomb["ok"] is False
    assert bomb["reason"].startswith("too large: gzip-compressed feed of ")
    assert "over 1000000 bytes once decompressed" in bomb["reason"]
    assert rows[server.base + "/latest.xml"]["ok"] is True
    candidates = [r["url"] for r in read_jsonl(paths.stage_file("discover", "Bomb"))]
    assert candidates == [server.base + "/news/later.html"]


USER, PASSWORD = "feeduser7", "s3cret-Pa55word"


class _Protected:
    """A newsroom behind HTTP Basic auth: every path but robots.txt answers 401 without the right password."""

    def __init__(self) -> None:
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler

        from faultserver import QuietServer, article_html, send

        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.authorized: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                base = f"http://127.0.0.1:{outer.port}"
                if self.path == "/robots.txt":
                    return send(self, 200, b"User-agent: *\nAllow: /\n", "text/plain")
                if self.headers.get("Authorization") != expected:
                    return send(self, 401, b"login first", "text/plain", {"WWW-Authenticate": 'Basic realm="x"'})
                outer.authorized.append(self.path)
                if self.path == "/feed.xml":
                    items = "".join(f"<item><title>t</title><link>{base}/story-{i}.html</link></item>" for i in (1, 2))
                    body = f'<rss version="2.0"><channel><title>P</title>{items}</channel></rss>'.encode()
                    return send(self, 200, body, "application/rss+xml")
                if self.path.startswith("/away?to="):  # another origin, with credentials written in
                    return send(self, 302, b"", None, {"Location": self.path.split("=", 1)[1]})
                if self.path.startswith("/story-"):
                    # no rel=canonical: the article's identity comes from the URL it was fetched at
                    page = article_html(f"Protected story {self.path}", base + self.path)
                    page = page.replace(f'<link rel="canonical" href="{base + self.path}">', "")
                    page = page.replace(f'<meta property="og:url" content="{base + self.path}">', "")
                    return send(self, 200, page.encode(), "text/html; charset=utf-8")
                return send(self, 404, b"missing", "text/plain")

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def test_credentials_in_source_urls_are_used_and_never_stored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A sources file with user:password in its URLs: the pages are fetched with the password, and
    no DuckDB row, staging or state file, archive metadata or log record contains it."""
    import gzip
    import logging

    from pipeline import store

    server = _Protected()
    try:
        sources = tmp_path / "sources.yaml"
        cred = f"http://{USER}:{PASSWORD}@127.0.0.1:{server.port}"
        entry = {"name": "Members Only", "feeds": [cred + "/feed.xml"], "urls": [cred + "/story-3.html"]}
        sources.write_text(yaml.safe_dump({"outlets": [entry]}), encoding="utf-8")
        settings = Settings(
            data_dir=tmp_path / "data",
            sources_path=sources,
            allow_endpoints=f"127.0.0.1:{server.port}",
            per_host_delay=0.0,
        )
        caplog.set_level(logging.DEBUG)
        totals = runner.run_all(settings, "cred-run")
    finally:
        server.close()
    assert sorted(server.authorized) == ["/feed.xml", "/story-1.html", "/story-2.html", "/story-3.html"]
    assert totals["articles"] == 3, "the credentials were sent: every protected page was stored"

    con = store.connect(settings.database, read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        dumped = {t: repr(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
        feeds = con.execute("SELECT feeds, urls FROM outlets").fetchall()
    finally:
        con.close()
    assert {"outlets", "articles", "fetch_log"} <= set(tables)
    assert feeds == [([f"http://127.0.0.1:{server.port}/feed.xml"], [f"http://127.0.0.1:{server.port}/story-3.html"])]
    for table, rows in dumped.items():
        assert PASSWORD not in rows and USER not in rows, f"table {table} holds the credentials"
    for path in settings.data_dir.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            data = path.read_bytes()
            data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            assert PASSWORD.encode() not in data and USER.encode() not in data, f"{path} holds the credentials"
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert any(f"127.0.0.1:{server.port}" in m for m in logged), "the URLs are logged, without credentials"
    assert not [m for m in logged if PASSWORD in m or f"{USER}:" in m]


def test_credentials_go_to_their_origin_only(tmp_path: Path) -> None:
    """A redirect to another origin carries no Authorization, and credentials a server writes into
    its Location are neither sent nor recorded."""
    from pipeline.net.client import Fetcher

    protected = _Protected()
    try:
        with FaultServer() as other:
            target = f"http://intruder:planted@127.0.0.1:{other.port}/news/alpha.html"
            url = f"http://{USER}:{PASSWORD}@127.0.0.1:{protected.port}/away?to={target}"
            settings = Settings(data_dir=tmp_path / "d", allow_private_network=True, per_host_delay=0.0)
            with Fetcher(settings, sleep=lambda _: None) as fetcher:
                result, body = fetcher.fetch(url, outlet="O", kind="article")
            seen = list(other.authorizations)
    finally:
        protected.close()
    assert result.ok and body is not None and b"Story alpha" in body
    assert protected.authorized == [f"/away?to={target}"], "the configured origin got the credentials"
    assert seen and all(a is None for a in seen), "the other origin got no credentials"
    assert result.url == f"http://127.0.0.1:{protected.port}/away?to={target}"  # the query is not userinfo
    assert result.final_url == f"http://127.0.0.1:{other.port}/news/alpha.html"
    assert PASSWORD not in repr(result) and "planted" not in (result.final_url or "")
    assert PASSWORD not in repr(fetcher.credentials)


@pytest.mark.parametrize(
    ("url", "clean", "auth"),
    [
        ("https://u:p@n.example/feed?x=1#f", "https://n.example/feed?x=1#f", ("u", "p")),
        ("https://token@n.example/", "https://n.example/", ("token", "")),
        ("http://u:p%40ss%3A@n.example:8080", "http://n.example:8080", ("u", "p@ss:")),
        ("https://n.example/a@b?c=d@e", "https://n.example/a@b?c=d@e", None),  # an @ after the host is no userinfo
        ("https://n.example/", "https://n.example/", None),
        ("not a url", "not a url", None),
    ],
)
def test_userinfo_is_split_off(url: str, clean: str, auth: tuple[str, str] | None) -> None:
    from pipeline.credentials import Credentials, redact_url, split_userinfo

    assert redact_url(url) == clean
    assert split_userinfo(url) == (clean, auth)
    creds = Credentials()
    assert creds.take(url) == clean
    assert creds.for_url(clean) == auth
