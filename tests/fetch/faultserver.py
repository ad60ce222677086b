"""A loopback newsroom that misbehaves in every way a real one does, for the fetch tests.

Binds 127.0.0.1 on a free port, serves from a daemon thread, and records every request (path and
the conditional headers it carried). ``phase`` switches behaviour between two runs: in phase 1
``/news/later.html`` is down (503) and listed by ``/latest.xml``; in phase 2 it works, and
``/latest.xml`` has changed and no longer lists it (``/feed.xml`` does not change: a 304).
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = (
    "The harbour board said on Tuesday that the new ferry timetable would start next month after a "
    "consultation with residents, who had complained about late crossings and crowded decks during the "
    "summer. Officials added that two extra boats would run on weekends, and that fares would stay the "
    "same until the end of the year. A spokesperson for the ferry company said the changes were overdue."
)


def article_html(title: str, url: str, extra: str = "", charset_meta: str = '<meta charset="utf-8">') -> str:
    paragraphs = "".join(f"<p>{title}: {WORDS} {extra} Paragraph {i} of the report.</p>" for i in range(4))
    return (
        f'<!DOCTYPE html><html lang="en"><head>{charset_meta}<title>{title}</title>'
        f'<link rel="canonical" href="{url}"><meta property="og:type" content="article">'
        f'<meta property="og:url" content="{url}"></head><body><article><h1>{title}</h1>'
        f"{paragraphs}</article></body></html>"
    )


GOOD = ("alpha", "beta", "gamma")
FEED_PATHS = [
    *(f"/news/{slug}.html" for slug in GOOD),
    "/news/alpha.html?utm_source=rss&utm_medium=feed",  # the same article listed again, tracking added
    "/news/alpha.html#comments",
    "/news/mirror.html",  # alpha's text under another canonical URL: stored once
    "/news/cp1252.html",
    "/news/utf8.html",
    "/news/retry-after.html",
    "/news/flaky.html",
    "/news/down.html",
    "/news/slow.html",
    "/news/loop.html",
    "/news/to-metadata.html",
    "/news/to-loopback.html",
    "/news/huge.html",
    "/news/truncated.html",
    "/news/gone.html",
    "/private/secret.html",
    "/news/image.html",
    "/news/gzip-cut.html",
]


class QuietServer(ThreadingHTTPServer):
    """Clients that give up (size cap, timeout) close sockets mid-response: not worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FaultServer:
    def __init__(
        self, slow_seconds: float = 1.5, huge_bytes: int = 300_000, drip_bytes: int = 60, drip_every: float = 0.2
    ) -> None:
        self.phase = 1
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.drip_bytes = drip_bytes  # a /drip/ response sends this many bytes, one at a time
        self.drip_every = drip_every  # seconds between two of them
        self.dripped: Counter[str] = Counter()  # bytes of each /drip/ path written before the client left
        self.requests: list[tuple[str, str | None, str | None]] = []  # (path, If-None-Match, Host)
        self.counts: Counter[str] = Counter()
        self.authorizations: list[str | None] = []  # the Authorization header of every request
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                with server._lock:
                    server.requests.append((self.path, self.headers.get("If-None-Match"), self.headers.get("Host")))
                    server.counts[self.path.split("#")[0]] += 1
                    server.authorizations.append(self.headers.get("Authorization"))
                    n = server.counts[self.path.split("#")[0]]
                server.handle(self, n)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._httpd = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p.split("#")[0].split("?")[0] == path)

    # ---- responses

    def feed(self, paths: list[str]) -> bytes:
        items = "".join(
            f"<item><title>t</title><link>{self.base}{p.replace('&', '&amp;')}</link></item>" for p in paths
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Faults</title>'
            f"<link>{self.base}/</link><description>d</description>{items}</channel></rss>"
        ).encode()

    def handle(self, h: BaseHTTPRequestHandler, n: int) -> None:
        path = h.path.split("?")[0]
        url = self.base + path
        if path == "/robots.txt":
            return send(h, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            etag = f'"feed-v{self.phase}"'
            if h.headers.get("If-None-Match") == '"feed-v1"':  # phase 2 changed nothing the client has not seen
                return send(h, 304, b"", None, {"ETag": etag})
            return send(h, 200, self.feed(FEED_PATHS), "application/rss+xml", {"ETag": '"feed-v1"'})
        if path == "/latest.xml":
            etag = f'"latest-v{self.phase}"'
            if h.headers.get("If-None-Match") == etag:
                return send(h, 304, b"", None, {"ETag": etag})
            listed = ["/news/later.html"] if self.phase == 1 else ["/news/beta.html"]
            return send(h, 200, self.feed(listed), "application/rss+xml", {"ETag": etag})
        if path == "/html-feed":
            return send(h, 200, b"<!DOCTYPE html><html><body><p>Welcome to our site</p></body></html>", "text/html")
        if path == "/empty-feed":
            body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>'
            return send(h, 200, body, "application/rss+xml")
        slug = path.rsplit("/", 1)[-1].removesuffix(".html")
        if path.startswith("/news/") and slug in GOOD:
            etag = f'"{slug}-1"'
            if h.headers.get("If-None-Match") == etag:
                return send(h, 304, b"", None, {"ETag": etag})
            body = article_html(f"Story {slug}", url, extra=f"Unique detail {slug * 3}.").encode()
            return send(h, 200, body, "text/html; charset=utf-8", {"ETag": etag})
        if path == "/news/mirror.html":  # alpha's page body, under another canonical URL
            body = article_html("Story alpha", url, extra=f"Unique detail {'alpha' * 3}.").encode()
            return send(h, 200, body, "text/html; charset=utf-8")
        if path == "/news/cp1252.html":
            text = article_html(
                "Caf\u00e9 owners \u2013 \u201cna\u00efve\u201d plan", url, charset_meta='<meta charset="windows-1252">'
            )
            return send(h, 200, text.encode("cp1252"), "text/html")
        if path == "/news/utf8.html":
            text = article_html("Z\u00fcrich \u00e9t\u00e9 r\u00e9sum\u00e9", url, charset_meta="")
            return send(h, 200, text.encode("utf-8"), "text/html")
        if path == "/news/retry-after.html":
            if n == 1:
                return send(h, 429, b"slow down", "text/plain", {"Retry-After": "1"})
            return send(h, 200, article_html("Patience rewarded", url).encode(), "text/html; charset=utf-8")
        if path == "/news/flaky.html":
            if n == 1:
                return send(h, 500, b"oops", "text/html")
            return send(h, 200, article_html("Second time lucky", url).encode(), "text/html; charset=utf-8")
        if path == "/news/down.html":
            return send(h, 503, b"down", "text/html")
        if path == "/news/slow.html":
            time.sleep(self.slow_seconds)
            return send(h, 200, article_html("Too slow", url).encode(), "text/html; charset=utf-8")
        if path == "/news/loop.html":
            return send(h, 302, b"", None, {"Location": "/news/loop.html"})
        if path == "/news/to-metadata.html":
            return send(h, 302, b"", None, {"Location": "http://169.254.169.254/latest/meta-data/"})
        if path == "/news/to-loopback.html":  # loopback, but not the allow-listed endpoint
            return send(h, 302, b"", None, {"Location": "http://127.0.0.1:9/admin"})
        if path == "/news/huge.html":
            return send(h, 200, b"<html><body>" + b"x" * self.huge_bytes + b"</body></html>", "text/html")
        if path == "/news/truncated.html":
            body = article_html("Cut short", url).encode()
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(body) + 5000))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
            h.close_connection = True
            return None
        if path == "/news/later.html":
            if self.phase == 1:
                return send(h, 503, b"down for maintenance", "text/html")
            return send(h, 200, article_html("Back online", url).encode(), "text/html; charset=utf-8")
        if path == "/news/retry-tomorrow.html":  # a Retry-After too long to wait for inside a task
            return send(h, 503, b"maintenance", "text/html", {"Retry-After": "86400"})
        if path == "/news/bomb.html":  # 200 KB on the wire, 20 MB once decompressed
            return send(h, 200, gzip.compress(b"<p>" + b"0" * 20_000_000), "text/html", {"Content-Encoding": "gzip"})
        if path in ("/news/gzip-cut.html", "/news/deflate-cut.html", "/news/gzip-whole.html"):
            # compressed, then cut at 80 % with a Content-Length that matches what is sent
            page = article_html("Cut in transit", url).encode()
            packed = zlib.compress(page) if path.startswith("/news/deflate") else gzip.compress(page)
            coding = "deflate" if path.startswith("/news/deflate") else "gzip"
            body = packed if path.endswith("whole.html") else packed[: len(packed) * 4 // 5]
            return send(h, 200, body, "text/html; charset=utf-8", {"Content-Encoding": coding})
        if path == "/drip/body":  # no length, one byte at a time until the client gives up
            return self.drip(h, path, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n", b"x")
        if path == "/drip/headers":  # the headers themselves dribble in
            return self.drip(h, path, b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a")
        if path == "/sitemap-bomb.xml.gz":  # a gzip file, not a Content-Encoding: tens of KB in, 40 MB out
            return send(h, 200, sitemap_bomb(), "application/x-gzip")
        if path.startswith("/lane/"):
            return send(h, 200, article_html("Lane " + slug, url).encode(), "text/html; charset=utf-8")
        if path == "/news/image.html":
            return send(h, 200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        return send(h, 404, b"<html><body>not found</body></html>", "text/html")

    def drip(self, h: BaseHTTPRequestHandler, path: str, head: bytes, unit: bytes) -> None:
        """Send ``head`` at once, then ``drip_bytes`` units one every ``drip_every`` seconds."""
        h.close_connection = True
        try:
            h.wfile.write(head)
            h.wfile.flush()
            for _ in range(self.drip_bytes):
                time.sleep(self.drip_every)
                h.wfile.write(unit)
                h.wfile.flush()
                with self._lock:
                    self.dripped[path] += 1
        except OSError:
            return None  # the client hung up: what the deadline is for
        return None


def sitemap_bomb(inflated: int = 40_000_000) -> bytes:
    """A well-formed sitemap of about ``inflated`` bytes, one entry repeated, gzip-compressed."""
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    entry = b"<url><loc>https://n.example/a</loc></url>"
    return gzip.compress(head + entry * (inflated // len(entry)) + b"</urlset>", compresslevel=9)


def send(
    h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None, headers: dict[str, str] | None = None
) -> None:
    h.send_response(status)
    if ctype:
        h.send_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if body:
        h.wfile.write(body)
