"""A dripping outlet against its time budget (issue 21, item 7).

    PYTHONPATH=src python benchmarks/drip_budget.py [--pages 100] [--budget 60] [--fetch-seconds 10]

Serves a feed of ``--pages`` article pages on loopback, each sending one byte every 0.5 s (never
finishing within ``--fetch-seconds``), and runs discover and fetch for that outlet with two retries,
``FACTCHECK_MAX_FETCH_SECONDS=--fetch-seconds`` and ``FACTCHECK_MAX_OUTLET_SECONDS=--budget``.
Without a budget the fetch would take about pages x 3 attempts x fetch-seconds; prints the wall
time of the two stages with it, and the fetch summary line.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml


def serve(pages: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/feed.xml":
                items = "".join(f"<item><link>{base}/drip/{i}.html</link></item>" for i in range(pages))
                body = f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/robots.txt":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.close_connection = True
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
                for _ in range(100_000):
                    time.sleep(0.5)
                    self.wfile.write(b"x")
                    self.wfile.flush()
            except OSError:
                return

        def log_message(self, format: str, *args: object) -> None:
            return None

    class Quiet(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            return None

    httpd = Quiet(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main() -> int:
    from pipeline import runner
    from pipeline.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--fetch-seconds", type=float, default=10.0)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("pipeline.stages").setLevel(logging.INFO)
    httpd = serve(args.pages)
    port = httpd.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.yaml"
        feed = f"http://127.0.0.1:{port}/feed.xml"
        sources.write_text(yaml.safe_dump({"outlets": [{"name": "Drip", "feeds": [feed]}]}))
        settings = Settings(
            data_dir=Path(tmp) / "data", sources_path=sources, allow_endpoints=f"127.0.0.1:{port}",
            per_host_delay=0.0, max_retries=2, backoff_base=0.5,
            max_fetch_seconds=args.fetch_seconds, max_outlet_seconds=args.budget,
        )  # fmt: skip
        t0 = time.perf_counter()
        runner.discover(settings, "drip-run", "Drip")
        runner.fetch(settings, "drip-run", "Drip")
        wall = time.perf_counter() - t0
    httpd.shutdown()
    print(
        f"{args.pages} dripping pages, {args.fetch_seconds} s a fetch, 2 retries: discover + fetch took {wall:.1f} s "
        f"with a {args.budget:.0f} s budget (about {args.pages * 3 * args.fetch_seconds:.0f} s without one)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
