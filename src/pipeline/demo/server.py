"""A loopback HTTP server for the sample newsroom (fictional outlets, see ``newsroom.yaml``).

It renders each sample outlet's feed (RSS 2.0, Atom or sitemap) and article pages (with JSON-LD,
OpenGraph, a byline, navigation and related links, like a real news page), an index page that is
not an article, and a few fault routes for tests:

    /_fault/status/<code>   that HTTP status            /_fault/binary    a PNG, not HTML
    /_fault/html-feed       an HTML page posing as feed /_fault/empty     an empty 200 page
    /_fault/malformed       a broken, non-article page   /_fault/empty-feed  a valid RSS with no items
    /_fault/german          an article in German (stored without claims)

Every 200 carries an ETag and a matching If-None-Match gets a 304, as a real site's would.
Used by the demo (``scripts/demo.py``), the tests and the benchmarks. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8"
    "cfc0f01f0005000201e2f5a5b40000000049454e44ae426082"
)


# A fictional German-language article: stored, flagged by language, and given no claims.
GERMAN_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Stadtrat streitet über neue Brücke</title><meta property="og:type" content="article"></head>
<body><article><h1>Stadtrat streitet über neue Brücke</h1>
<p>Der Stadtrat von Musterstadt hat am Dienstag über den Bau einer neuen Brücke über den Fluss gestritten.
Die Bürgermeisterin sagte, die Brücke werde den Verkehr in der Innenstadt deutlich entlasten.</p>
<p>Die Opposition bestritt, dass die Kosten im geplanten Rahmen bleiben würden, und forderte ein unabhängiges
Gutachten. Eine Entscheidung soll im nächsten Monat fallen, nachdem die Anwohner angehört worden sind.</p>
<p>SAMPLE DATA: dieser Artikel ist erfunden und dient nur zum Testen.</p></article></body></html>"""


def load_newsroom(path: Path | None = None) -> dict[str, Any]:
    """Read the demo newsroom (outlets and articles) from a YAML file, by default the packaged one."""
    source = path or Path(str(resources.files("pipeline.demo") / "newsroom.yaml"))
    data: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True, slots=True)
class Page:
    """One HTTP response the demo server sends: status, content type and body."""
    status: int
    content_type: str
    body: bytes


def _article_html(article: dict[str, Any], outlet: dict[str, Any], url: str, base: str) -> str:
    e = html.escape
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "datePublished": article["published"],
        "author": [{"@type": "Person", "name": article["author"]}]
        if not article.get("wire")
        else {"@type": "Organization", "name": article["author"]},
        "publisher": {"@type": "Organization", "name": outlet["name"]},
        "mainEntityOfPage": url,
    }
    paragraphs = "\n".join(f"      <p>{e(p)}</p>" for p in article["paragraphs"])
    related = "".join(
        f'<li><a href="{base}/{outlet["slug"]}{a["path"]}">{e(a["title"])}</a></li>'
        for a in article.get("_related", [])
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{e(article["title"])} | {e(outlet["name"])}</title>
  <link rel="canonical" href="{e(url)}?utm_source=feed">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{e(article["title"])}">
  <meta property="og:url" content="{e(url)}">
  <meta name="author" content="{e(article["author"])}">
  <meta property="article:published_time" content="{e(article["published"])}">
  <script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body>
  <header><nav><a href="{base}/{outlet["slug"]}/">Home</a> | <a href="#">Local</a> | <a href="#">Politics</a>
    | <a href="#">Sport</a> | <a href="#">Subscribe</a></nav>
    <p class="notice">SAMPLE DATA: {e(outlet["name"])} is a fictional outlet used for the factcheck demo.</p>
  </header>
  <main>
    <article>
      <h1>{e(article["title"])}</h1>
      <p class="byline">By {e(article["author"])} &middot;
        <time datetime="{e(article["published"])}">{e(article["published"][:10])}</time></p>
{paragraphs}
    </article>
    <aside><h2>Related</h2><ul>{related}</ul></aside>
  </main>
  <footer><p>&copy; 2026 {e(outlet["name"])}. All rights reserved.
    <a href="#">Privacy</a> <a href="#">Terms</a></p></footer>
</body>
</html>
"""


def _index_html(outlet: dict[str, Any], articles: list[dict[str, Any]], base: str) -> str:
    links = "".join(
        f'<li><a href="{base}/{outlet["slug"]}{a["path"]}">{html.escape(a["title"])}</a></li>' for a in articles
    )
    nav = "".join(f'<li><a href="{base}/{outlet["slug"]}/section/{i}">Section {i}</a></li>' for i in range(30))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(outlet["name"])}</title>'
        f'<meta property="og:type" content="website"></head><body><ul>{nav}</ul><ul>{links}</ul></body></html>'
    )


def _rss(outlet: dict[str, Any], items: list[tuple[str, dict[str, Any]]], base: str) -> str:
    entries = "".join(
        f"<item><title>{html.escape(a['title'])}</title><link>{html.escape(url)}</link>"
        f"<guid>{html.escape(url)}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(a['published']))}</pubDate></item>"
        for url, a in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(outlet['name'])}</title><link>{base}/{outlet['slug']}/</link>"
        f"<description>Sample feed (fictional)</description>{entries}</channel></rss>"
    )


def _atom(outlet: dict[str, Any], items: list[tuple[str, dict[str, Any]]], base: str) -> str:
    entries = "".join(
        f'<entry><title>{html.escape(a["title"])}</title><link rel="alternate" href="{html.escape(url)}"/>'
        f"<id>{html.escape(url)}</id><updated>{a['published']}</updated></entry>"
        for url, a in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(outlet['name'])}</title><id>{base}/{outlet['slug']}/</id>"
        f"<updated>2026-03-05T00:00:00Z</updated>{entries}</feed>"
    )


def _sitemap(items: list[tuple[str, dict[str, Any]]]) -> str:
    urls = "".join(
        f"<url><loc>{html.escape(url)}</loc><lastmod>{a['published'][:10]}</lastmod></url>" for url, a in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


class Newsroom:
    """Renders the sample newsroom's pages for a given base URL."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = data or load_newsroom()
        self.outlets = {o["slug"]: o for o in self.data["outlets"]}
        self.articles: dict[str, list[dict[str, Any]]] = {slug: [] for slug in self.outlets}
        for article in self.data["articles"]:
            self.articles[article["outlet"]].append(article)
        for items in self.articles.values():
            for article in items:
                article["_related"] = [a for a in items if a is not article]

    def feed_path(self, slug: str) -> str:
        """The path of an outlet's feed: its sitemap or its RSS/Atom feed."""
        return f"/{slug}/sitemap.xml" if self.outlets[slug]["feed"] == "sitemap" else f"/{slug}/feed.xml"

    def sources(self, base: str, extra_feeds: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """A sources document listing every sample outlet with its feed on this server."""
        outlets = []
        for slug, outlet in self.outlets.items():
            feeds = [base + self.feed_path(slug)] + list((extra_feeds or {}).get(slug, []))
            outlets.append({"name": outlet["name"], "domain": outlet["domain"], "feeds": feeds})
        return {"outlets": outlets}

    def render(self, path: str, base: str) -> Page:
        """The page served at ``path``: a feed, an outlet index, an article, a fault, or a 404."""
        path = path.split("?", 1)[0]
        if path.startswith("/_fault/"):
            return self._fault(path.removeprefix("/_fault/"))
        slug, _, rest = path.lstrip("/").partition("/")
        outlet = self.outlets.get(slug)
        if outlet is None:
            return Page(404, "text/html; charset=utf-8", b"<html><body>Not found</body></html>")
        rest = "/" + rest
        items = [(f"{base}/{slug}{a['path']}", a) for a in self.articles[slug]]
        if path == self.feed_path(slug):
            kind = outlet["feed"]
            if kind == "rss":
                return Page(200, "application/rss+xml", _rss(outlet, items, base).encode())
            if kind == "atom":
                return Page(200, "application/atom+xml", _atom(outlet, items, base).encode())
            return Page(200, "application/xml", _sitemap(items).encode())
        if rest == "/":
            return Page(200, "text/html; charset=utf-8", _index_html(outlet, self.articles[slug], base).encode())
        for url, article in items:
            if article["path"] == rest:
                return Page(200, "text/html; charset=utf-8", _article_html(article, outlet, url, base).encode())
        return Page(404, "text/html; charset=utf-8", b"<html><body>Not found</body></html>")

    def _fault(self, name: str) -> Page:
        if name.startswith("status/") and name.removeprefix("status/").isdigit():
            return Page(int(name.removeprefix("status/")), "text/html", b"<html><body>error</body></html>")
        if name == "binary":
            return Page(200, "image/png", PNG_BYTES)
        if name == "html-feed":
            return Page(200, "text/html", b"<!DOCTYPE html><html><body><p>Welcome!</p></body></html>")
        if name == "empty":
            return Page(200, "text/html; charset=utf-8", b"")
        if name == "malformed":
            return Page(200, "text/html", b"<html><body><div><p>Login<table><tr><td>menu</div></body")
        if name == "german":
            return Page(200, "text/html; charset=utf-8", GERMAN_PAGE.encode("utf-8"))
        if name == "empty-feed":
            return Page(
                200,
                "application/rss+xml",
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>',
            )
        return Page(404, "text/html", b"no such fault")


class NewsroomServer:
    """Serve a ``Newsroom`` on 127.0.0.1 in a background thread: ``with NewsroomServer() as s: s.base_url``."""

    def __init__(self, newsroom: Newsroom | None = None, port: int = 0) -> None:
        self.newsroom = newsroom or Newsroom()
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            """Serves the newsroom's pages, with ETags so a repeated conditional GET gets a 304."""
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                """Record the request and send the rendered page (or a 304 when the ETag matches)."""
                server.requests.append(self.path)
                page = server.newsroom.render(self.path, server.base_url)
                # validators like a real site's, so a second run's conditional GET gets a 304
                etag = '"' + hashlib.sha256(page.body).hexdigest()[:16] + '"'
                if page.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                if page.status == 200:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: Any) -> None:
                """Log nothing."""
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's address, as ``http://host:port``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> NewsroomServer:
        """Start serving in a background thread and return this server."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> NewsroomServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def write_sources(
        self,
        path: Path,
        extra_feeds: dict[str, list[str]] | None = None,
        extra_outlets: list[dict[str, Any]] | None = None,
    ) -> Path:
        """Write a sources YAML file naming the served outlets, plus any extra feeds and outlets; return its path."""
        doc = self.newsroom.sources(self.base_url, extra_feeds)
        doc["outlets"].extend(extra_outlets or [])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# SAMPLE DATA: fictional outlets served on loopback\n" + yaml.safe_dump(doc, sort_keys=False),
            encoding="utf-8",
        )
        return path
