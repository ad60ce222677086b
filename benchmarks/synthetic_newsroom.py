"""A synthetic newsroom on loopback for the end-to-end benchmark: N outlets x M articles.

Every article is generated here from templated sentences (invented names, places and events: no
text taken from anywhere), deterministic for a seed: a headline, a byline, and paragraphs that mix
direct quotes, reported speech, "according to" attributions, denials and plain narration, so the
claim rules have work of the usual kinds. Each outlet has an RSS feed listing its articles.

    with SyntheticNewsroom(outlets=10, per_outlet=100) as s:
        s.write_sources(path)          # a sources file naming every outlet's feed on this server

Pages are rendered once, before serving, so the server costs the client as little as possible.
"""

from __future__ import annotations

import html
import json
import random
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIRST = ["Alma", "Bruno", "Celia", "Dmitri", "Edith", "Farid", "Greta", "Hamish", "Ines", "Jonas", "Kemal",
         "Lidia", "Marek", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Stefan", "Tamsin", "Ugo", "Vera",
         "Wendel", "Xenia", "Yusuf", "Zora"]
LAST = ["Abernathy", "Brandt", "Castellano", "Dunmore", "Eklund", "Fairweather", "Galloway", "Holmqvist",
        "Ibarra", "Jorgensen", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura", "Oyelaran", "Pettersen",
        "Quarrie", "Rasmussen", "Santangelo", "Thorvald", "Underhill", "Valcourt", "Whitcombe", "Yardley"]
ROLES = ["the harbour commissioner", "the transport minister", "a council spokesperson", "the finance director",
         "the union leader", "the opposition leader", "the mayor", "a senior engineer", "the health secretary",
         "the chief inspector", "a ministry official", "the regional governor"]
ORGS = ["the Port Authority", "the Ministry of Transport", "the city council", "the Riverside Union",
        "the Treasury", "the Coastal Guard", "the Northern Rail Company", "the Audit Office",
        "the Farmers Association", "the Water Board", "the Chamber of Commerce", "the Housing Trust"]
PLACES = ["Northport", "Elmsford", "Castlebridge", "Lowmarsh", "Westerholm", "Brightwater", "Kingsreach",
          "Amberley", "Dunhaven", "Fallowfield"]
SUBJECTS = ["the new ferry timetable", "the bridge repair plan", "the water tariff", "the tram extension",
            "the school budget", "the flood barrier", "the hospital merger", "the fishing quota",
            "the housing levy", "the airport expansion", "the rail strike", "the tax rebate", "the road toll",
            "the harbour dredging contract", "the wind farm licence", "the bus subsidy"]
PREDICATES = ["will cost far more than the council admitted", "was approved without a proper consultation",
              "would be delayed until the spring", "had been drawn up in secret", "will create hundreds of jobs",
              "broke the rules on public tenders", "was never properly funded", "will be cancelled next month",
              "has already saved the town millions", "put residents at risk", "was rushed through parliament",
              "will double the fares for commuters", "has the support of most residents",
              "was blocked by the regional court", "ignored the advice of its own engineers"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend", "last week",
        "in a statement", "at a press conference", "in an interview"]
SAY = ["said", "told reporters", "argued", "warned", "claimed", "insisted", "explained", "stressed", "added"]
DENY = ["denied", "rejected claims", "dismissed suggestions"]
NARRATIVE = [
    "The meeting in {place} lasted more than four hours and ended without a vote.",
    "Residents of {place} gathered outside the town hall before dawn, carrying banners and flasks of tea.",
    "Figures published by {org} show that the number of complaints has risen for three years in a row.",
    "The project was first proposed in {year}, when the population of {place} was still growing quickly.",
    "Traffic on the coast road was slow for most of the afternoon as the protest moved towards the quay.",
    "A second hearing is scheduled for next month, and both sides have promised to bring new evidence.",
    "Local businesses in {place} have been asked to submit their views by the end of the quarter.",
    "The report runs to two hundred pages and includes maps, cost tables and a long list of objections.",
]


class Writer:
    """Deterministic article text from templates."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def person(self) -> str:
        return f"{self.r.choice(FIRST)} {self.r.choice(LAST)}"

    def claim(self) -> str:
        return f"{self.r.choice(SUBJECTS)} {self.r.choice(PREDICATES)}"

    def sentence(self) -> str:
        r = self.r
        kind = r.randrange(9)
        name, role, org = self.person(), r.choice(ROLES), r.choice(ORGS)
        c = self.claim()
        if kind == 0:
            return f"“{c[0].upper() + c[1:]},” {name}, {role}, {r.choice(SAY)} {r.choice(DAYS)}."
        if kind == 1:
            return f"{name} {r.choice(SAY)} {r.choice(DAYS)} that {c}."
        if kind == 2:
            return f"According to {org}, {c}."
        if kind == 3:
            return f"{name}, {role}, {r.choice(DENY)} that {c}."
        if kind == 4:
            c2 = self.claim()
            return f"“{c[0].upper() + c[1:]},” said {name}. “And {c2}.”"
        if kind == 5:
            return f"{org[0].upper() + org[1:]} said in a statement that {c}, and that talks would continue."
        return r.choice(NARRATIVE).format(place=r.choice(PLACES), org=r.choice(ORGS), year=r.randrange(1995, 2020))

    def article(self, n_paragraphs: int) -> tuple[str, str, list[str]]:
        r = self.r
        title = f"{r.choice(PLACES)}: {self.claim()[0].upper() + self.claim()[1:]}, say critics"
        paragraphs = [" ".join(self.sentence() for _ in range(r.randint(2, 4))) for _ in range(n_paragraphs)]
        return title, self.person(), paragraphs


def _page(outlet: str, title: str, author: str, published: str, url: str, paragraphs: list[str]) -> bytes:
    e = html.escape
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": published,
          "author": [{"@type": "Person", "name": author}], "publisher": {"@type": "Organization", "name": outlet}}
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)} | {e(outlet)}</title>
<link rel="canonical" href="{e(url)}"><meta property="og:type" content="article">
<meta property="og:title" content="{e(title)}"><meta name="author" content="{e(author)}">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><header><nav><ul>{nav}</ul></nav><p>SYNTHETIC BENCHMARK DATA: {e(outlet)} is invented.</p></header>
<main><article><h1>{e(title)}</h1><p class="byline">By {e(author)}</p>
{body}
</article><aside><h2>Most read</h2><ul><li><a href="/a">Weather</a></li><li><a href="/b">Sport</a></li></ul></aside>
</main><footer><p>&copy; 2026 {e(outlet)}</p></footer></body></html>""".encode()


class SyntheticNewsroom:
    """Serve ``outlets`` x ``per_outlet`` generated articles and one RSS feed per outlet on 127.0.0.1."""

    def __init__(self, outlets: int = 10, per_outlet: int = 100, paragraphs: int = 8, seed: int = 7) -> None:
        self.n_outlets = outlets
        self.per_outlet = per_outlet
        self.paragraphs = paragraphs
        self.seed = seed
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.requests = 0
        self.n_chars = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes on a kept-alive connection: with Nagle's
            # algorithm on, the body waits for the client's delayed ACK (40 ms a page here).
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                server.requests += 1
                ctype, body = server.pages.get(self.path.split("?", 1)[0], ("text/html", b"not found"))
                self.send_response(200 if body != b"not found" else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                return None  # a client closing a kept-alive connection is not news

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._render()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def outlet_name(self, i: int) -> str:
        return f"Synthetic Outlet {i:02d}"

    def _render(self) -> None:
        base = self.base_url
        start = datetime(2026, 3, 1, tzinfo=UTC)
        for o in range(self.n_outlets):
            name = self.outlet_name(o)
            items = []
            for a in range(self.per_outlet):
                w = Writer(self.seed * 1_000_003 + o * 10_007 + a)
                title, author, paragraphs = w.article(self.paragraphs)
                self.n_chars += sum(len(p) for p in paragraphs)
                path = f"/o{o:02d}/2026/03/story-{a:04d}.html"
                url = base + path
                when = start + timedelta(minutes=7 * a + o)
                self.pages[path] = ("text/html; charset=utf-8", _page(name, title, author, when.isoformat(), url,
                                                                      paragraphs))
                items.append(f"<item><title>{html.escape(title)}</title><link>{url}</link><guid>{url}</guid>"
                             f"<pubDate>{format_datetime(when)}</pubDate></item>")
            feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>'
                    f"<link>{base}/o{o:02d}/</link><description>synthetic</description>{''.join(items)}"
                    "</channel></rss>")
            self.pages[f"/o{o:02d}/feed.xml"] = ("application/rss+xml", feed.encode())

    def sources(self) -> dict[str, Any]:
        return {"outlets": [{"name": self.outlet_name(o), "feeds": [f"{self.base_url}/o{o:02d}/feed.xml"]}
                            for o in range(self.n_outlets)]}

    def write_sources(self, path: Path) -> Path:
        import yaml

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# SYNTHETIC BENCHMARK DATA on loopback\n" + yaml.safe_dump(self.sources(), sort_keys=False),
                        encoding="utf-8")
        return path

    def start(self) -> SyntheticNewsroom:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SyntheticNewsroom:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    w = Writer(1)
    t, a, ps = w.article(8)
    print(t, "/", a)
    print("\n\n".join(ps))
    print(sum(len(p.split()) for p in ps), "words")
