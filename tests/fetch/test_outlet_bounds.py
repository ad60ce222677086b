"""Runs that stay bounded per outlet (issue 21, items 6 and 7), through ``pipeline.runner`` against
a real HTTP server on loopback and a real DuckDB file."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from faultserver import QuietServer, article_html, send

from pipeline import runner, store
from pipeline.settings import Settings
from pipeline.staging import RunPaths, read_jsonl


class Outlet:
    """One outlet on loopback: ``/big.xml`` lists ``big`` article pages, ``/small.xml`` lists three;
    ``/drip/<n>.html`` pages send their body one byte every ``drip_every`` seconds."""

    def __init__(self, big: int = 40, drip_every: float = 0.5) -> None:
        self.big = big
        self.drip_every = drip_every
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                with outer._lock:
                    outer.counts[self.path] += 1
                outer.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._httpd = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Outlet:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def rss(self, paths: list[str]) -> bytes:
        items = "".join(f"<item><title>t</title><link>{self.base}{p}</link></item>" for p in paths)
        return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            return send(h, 200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/big.xml":
            return send(h, 200, self.rss([f"/big/{i}.html" for i in range(self.big)]), "application/rss+xml")
        if path == "/small.xml":
            return send(h, 200, self.rss([f"/small/{i}.html" for i in range(3)]), "application/rss+xml")
        if path == "/drip.xml":
            return send(h, 200, self.rss([f"/drip/{i}.html" for i in range(20)]), "application/rss+xml")
        if path.startswith(("/big/", "/small/")):
            page = article_html(f"Story {path}", self.base + path).encode()
            return send(h, 200, page, "text/html; charset=utf-8")
        if path.startswith("/drip/"):
            page = article_html(f"Slow story {path}", self.base + path).encode()
            h.close_connection = True
            try:
                h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
                for i in range(len(page)):
                    time.sleep(self.drip_every)
                    h.wfile.write(page[i : i + 1])
                    h.wfile.flush()
            except OSError:
                return None  # the client hung up
            return None
        return send(h, 404, b"no such page", "text/plain")


def _settings(tmp_path: Path, outlet: Outlet, feeds: list[str], **changes: Any) -> Settings:
    sources = tmp_path / "sources.yaml"
    entry = {"name": "Bounded", "feeds": [outlet.base + f for f in feeds]}
    sources.write_text(yaml.safe_dump({"outlets": [entry]}), encoding="utf-8")
    port = outlet.base.rsplit(":", 1)[1]
    return Settings(
        data_dir=tmp_path / "data",
        sources_path=sources,
        allow_endpoints=f"127.0.0.1:{port}",
        per_host_delay=0.0,
        backoff_base=0.01,
        read_snapshot="off",
        **changes,
    )


def _stored(settings: Settings) -> list[str]:
    con = store.connect(settings.database, read_only=True)
    try:
        return sorted(str(r[0]) for r in con.execute("SELECT canonical_url FROM articles").fetchall())
    finally:
        con.close()


def test_the_cap_counts_new_links_spread_over_every_feed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A first feed of 40 links and a cap of 5: the second feed is read in the first run, each run
    takes 5 links it had not stored, and the log says how many new links it left."""
    with Outlet(big=40) as outlet:
        settings = _settings(tmp_path, outlet, ["/big.xml", "/small.xml"], max_articles_per_outlet=5)
        with caplog.at_level(logging.INFO, logger="pipeline.stages.discover"):
            runner.run_all(settings, "run-1")
        assert outlet.counts["/small.xml"] == 1
        first = _stored(settings)
        assert len(first) == 5
        assert {u.rsplit("/", 2)[1] for u in first} == {"big", "small"}  # both feeds gave links
        assert "38 new links and 0 child sitemaps left for the next run" in caplog.text
        runner.run_all(settings, "run-2")
        second = _stored(settings)
        assert len(second) == 10 and set(first) < set(second)  # five more, none stored twice
        assert sum("/small/" in u for u in second) == 3  # the short feed is done after two runs
        staged = [r["url"] for r in read_jsonl(RunPaths(settings, "run-2").stage_file("discover", "Bounded"))]
        assert len(staged) == 5 and not set(staged) & set(first)


def test_a_dripping_outlet_stops_at_its_time_budget_and_leaves_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """20 pages sending one byte every 0.5 s, 2 s a fetch, 2 retries: about 2 minutes of fetching
    without a budget. With a 5 s budget for the outlet the fetch stage stops asking when it is
    spent, the URLs it left are neither failures in the fetch state nor rows of the fetch log,
    the log says how many it left, and the next run lists them again."""
    with Outlet(drip_every=0.5) as outlet:
        settings = _settings(
            tmp_path, outlet, ["/drip.xml"], max_fetch_seconds=2.0, max_retries=2, max_outlet_seconds=5.0
        )
        with caplog.at_level(logging.INFO, logger="pipeline.stages"):
            runner.discover(settings, "run-1", "Bounded")
            runner.fetch(settings, "run-1", "Bounded")
        asked = {p for p in outlet.counts if p.startswith("/drip/")}
        assert 0 < len(asked) < 20  # it stopped asking: most pages were never requested
        assert "URLs left for the next run" in caplog.text
        paths = RunPaths(settings, "run-1")
        logged = list(read_jsonl(paths.log_file("fetch", "Bounded")))
        assert not [r for r in logged if "budget" in (r["reason"] or "")]  # left, not failed
        assert len(logged) < 20
        from pipeline.state import FetchState

        known = FetchState.load(settings.state_dir, "Bounded")
        untried = [f"{outlet.base}/drip/{i}.html" for i in range(20) if f"/drip/{i}.html" not in asked]
        assert untried and all(not known.get(u).get("failed_runs") for u in untried)
        # the next run's discovery lists the pages left as new work again
        runner.discover(settings, "run-2", "Bounded")
        staged = {r["url"] for r in read_jsonl(RunPaths(settings, "run-2").stage_file("discover", "Bounded"))}
        assert set(untried) <= staged


def test_the_budget_and_task_timeout_are_positive_settings() -> None:
    assert (Settings().max_outlet_seconds, Settings().task_timeout_seconds) == (1200.0, 3600.0)
    assert Settings.from_env({"FACTCHECK_TASK_TIMEOUT_SECONDS": "90"}).task_timeout.total_seconds() == 90
    for name in ("FACTCHECK_MAX_OUTLET_SECONDS", "FACTCHECK_TASK_TIMEOUT_SECONDS"):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: "0"})
