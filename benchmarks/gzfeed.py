"""Peak memory of discovering a big ``.xml.gz`` sitemap (issue 21, item 8).

    PYTHONPATH=src python benchmarks/gzfeed.py [--inflated-mb 600] [--max-feed-mb 50,1000]

Writes a gzip-compressed sitemap of about ``--inflated-mb`` MB once decompressed (entries with a
``lastmod``, 1,000 distinct article URLs repeated), serves it as ``application/x-gzip`` from a
loopback HTTP server, and runs the discover stage for an outlet made of it plus a small RSS feed in
a child process, once per ``--max-feed-mb`` (the feed cap, ``FACTCHECK_MAX_FEED_BYTES``): the
default 50 MB refuses it, 1000 MB accepts it. Prints the child's peak RSS (``os.wait4``), its
wall time and the discover summary line. A normal run (the small feed alone) gives the baseline.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, run_measured, subprocess_env  # noqa: E402

CHILD = """
import logging, sys
from pipeline import runner
from pipeline.settings import Settings
logging.basicConfig(level=logging.INFO, format="%(message)s")
s = Settings.from_env()
runner.discover(s, "gz-run", "Gz")
"""


def write_sitemap(path: Path, inflated: int) -> int:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    entries = b"".join(
        b"<url><loc>https://n.example/news/%d.html</loc><lastmod>2026-03-02</lastmod></url>\n" % i for i in range(1000)
    )
    with gzip.open(path, "wb", compresslevel=6) as fh:
        fh.write(head)
        written = len(head)
        while written < inflated:
            fh.write(entries)
            written += len(entries)
        fh.write(b"</urlset>\n")
    return written


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: object, **k: object) -> None:
            super().__init__(*a, directory=str(folder), **k)  # type: ignore[arg-type]

        def guess_type(self, path: str) -> str:  # type: ignore[override]
            return "application/x-gzip" if str(path).endswith(".gz") else "application/rss+xml"

        def log_message(self, format: str, *args: object) -> None:
            return None

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inflated-mb", type=int, default=600)
    ap.add_argument("--max-feed-mb", default="50,1000")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = work / "site"
        site.mkdir()
        size = write_sitemap(site / "sitemap.xml.gz", args.inflated_mb * 1_000_000)
        (site / "rss.xml").write_text(
            '<rss version="2.0"><channel><title>T</title><item><link>https://n.example/x.html</link></item>'
            "</channel></rss>"
        )
        print(f"sitemap: {size / 1e6:.0f} MB inflated, {(site / 'sitemap.xml.gz').stat().st_size / 1e6:.1f} MB gzip")
        httpd = serve(site)
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        runs = [("normal run (small feed only)", ["/rss.xml"], 50)]
        runs += [(f"with the sitemap, cap {mb} MB", ["/sitemap.xml.gz", "/rss.xml"], int(mb))
                 for mb in args.max_feed_mb.split(",")]  # fmt: skip
        for label, feeds, cap in runs:
            sources = work / "sources.yaml"
            sources.write_text("outlets:\n  - name: Gz\n    feeds:\n" + "".join(f"      - {base}{f}\n" for f in feeds))
            env = subprocess_env(
                FACTCHECK_DATA_DIR=str(work / f"data-{cap}-{len(feeds)}"),
                FACTCHECK_SOURCES_PATH=str(sources),
                FACTCHECK_ALLOW_ENDPOINTS=f"127.0.0.1:{httpd.server_address[1]}",
                FACTCHECK_PER_HOST_DELAY="0",
                FACTCHECK_MAX_FEED_BYTES=str(cap * 1_000_000),
                FACTCHECK_MAX_FETCH_SECONDS="600",
            )
            m = run_measured([sys.executable, "-c", CHILD], env, timeout=1800, cwd=REPO)
            summary = next((ln for ln in m.output.splitlines() if "discover summary" in ln), "")
            print(f"{label}: peak RSS {m.rss_mb:.0f} MB, {m.wall:.1f} s; {summary}")
        httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
