"""Fetching against real loopback servers: the sample newsroom and a small fault server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.archive import Archive
from pipeline.demo.server import NewsroomServer
from pipeline.net.client import Fetcher
from pipeline.net.guard import BlockedAddress, check_url
from pipeline.settings import Settings


class Faults(BaseHTTPRequestHandler):
    counts: dict[str, int] = {}

    def do_GET(self) -> None:  # noqa: N802
        n = Faults.counts[self.path] = Faults.counts.get(self.path, 0) + 1
        if self.path == "/flaky" and n == 1:
            self._send(500, b"oops")
        elif self.path == "/flaky":
            self._send(200, b"<html><body>ok now</body></html>")
        elif self.path == "/retry-after":
            if n == 1:
                self.send_response(429)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(200, b"<html>fine</html>")
        elif self.path == "/always-503":
            self._send(503, b"down")
        elif self.path == "/loop":
            self._redirect("/loop")
        elif self.path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif self.path == "/hop":
            self._redirect("/ok")
        elif self.path == "/ok":
            self._send(200, b"<html><body>arrived</body></html>")
        elif self.path == "/huge":
            self._send(200, b"x" * 300_000)
        elif self.path == "/huge-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"y" * 300_000)
            self.close_connection = True
        else:
            self._send(404, b"missing")

    def _send(self, status: int, body: bytes, ctype: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def faults() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Faults)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    s = settings.with_overrides(max_bytes=200_000)
    with Fetcher(s, Archive(s.archive_dir), sleep=lambda _: None) as f:
        yield f


def test_article_is_fetched_and_archived(fetcher: Fetcher, newsroom: NewsroomServer) -> None:
    url = newsroom.base_url + "/ledger/news/2026/03/harlow-spill-contained.html"
    result, body = fetcher.fetch(url, outlet="L", kind="article")
    assert result.ok and result.status == 200 and result.attempts == 1
    assert body and b"Harlow" in body
    assert result.charset == "utf-8"
    assert result.archive_ref is not None
    assert fetcher.archive is not None
    assert fetcher.archive.get(result.archive_ref) == body
    assert fetcher.archive.meta(result.archive_ref)["final_url"] == url


@pytest.mark.parametrize(
    ("path", "kind", "ok", "reason", "attempts"),
    [
        ("/flaky", "article", True, None, 2),
        ("/retry-after", "article", True, None, 2),
        ("/hop", "article", True, None, 1),
        ("/always-503", "article", False, "HTTP 503", 3),
        ("/nothing-here", "article", False, "HTTP 404", 1),
        ("/loop", "article", False, "too many redirects", 1),
        ("/huge", "article", False, "too large", 1),
        ("/huge-chunked", "article", False, "too large", 1),
    ],
)
def test_faults_are_reported_not_raised(
    fetcher: Fetcher, faults: str, path: str, kind: str, ok: bool, reason: str | None, attempts: int
) -> None:
    Faults.counts.clear()
    result, body = fetcher.fetch(faults + path, outlet="F", kind=kind)  # type: ignore[arg-type]
    assert result.ok is ok
    assert (result.reason is None) if reason is None else (reason in (result.reason or ""))
    assert result.attempts == attempts
    assert (body is not None) is ok


def test_wrong_content_type_is_refused(fetcher: Fetcher, newsroom: NewsroomServer) -> None:
    result, body = fetcher.fetch(newsroom.base_url + "/_fault/binary", outlet="F", kind="article")
    assert not result.ok and "unsupported content type 'image/png'" in (result.reason or "")
    assert body is None


def test_private_addresses_are_refused_by_default(settings: Settings, faults: str) -> None:
    strict = settings.with_overrides(allow_private_network=False)
    with Fetcher(strict, sleep=lambda _: None) as f:
        result, body = f.fetch(faults + "/flaky", outlet="F", kind="article")
    assert not result.ok and result.reason and result.reason.startswith("blocked:")
    assert "--allow-private-network" in result.reason
    assert body is None


def test_redirect_to_metadata_address_is_blocked_at_the_hop(settings: Settings, faults: str) -> None:
    # Loopback is allowed for the test server, but the guard is re-checked at the redirect hop:
    # 169.254.169.254 (link-local, cloud metadata) is never public.
    with pytest.raises(BlockedAddress):
        check_url("http://169.254.169.254/latest/meta-data/", allow_private=False)
    strict = settings.with_overrides(allow_private_network=False)
    with pytest.raises(BlockedAddress):
        check_url(faults + "/to-metadata", allow_private=strict.allow_private_network)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://x.example/", "http://[::1]/", "http://10.1.2.3/", "http://0.0.0.0/"]
)
def test_guard_refuses_schemes_and_private_ranges(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url, allow_private=False)


def test_archive_is_content_addressed(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    a = archive.put(b"same body", {"url": "https://x.example/1"})
    b = archive.put(b"same body", {"url": "https://x.example/2"})
    assert a == b and a.startswith("sha256:")
    assert archive.get(a) == b"same body"
    assert len(list(tmp_path.rglob("*.gz"))) == 1
