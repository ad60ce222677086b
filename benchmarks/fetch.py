"""Fetching throughput and politeness schedule on loopback: `python benchmarks/fetch.py`.

Starts ``--hosts`` ThreadingHTTPServer instances on 127.0.0.1 (different ports count as different
hosts for the per-host gate), each serving ``--pages`` article pages of about 12 KB, and fetches all
of them through ``Fetcher.fetch_many`` with the archive on (bodies gzip-compressed to a temporary
directory, as in a real run) and robots.txt checked (404 here: one extra request per host); the
fetcher is built as the runner builds it (robots.txt cache and per-host schedule files on disk).

1. ``per_host_delay=0``: pages per second and peak memory (tracemalloc peak of Python allocations,
   and the process's max RSS).
2. ``per_host_delay=--delay``: total time against the per-host schedule. Each host is serialised
   with its delay, hosts run in parallel, so the expected time is about ``pages * delay`` whatever
   the number of hosts (with ``host_workers >= hosts``), not ``hosts * pages * delay``.

Not a test: nothing is asserted; the figures go to docs/BENCHMARKS.md ("Fetching").
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.archive import Archive
from pipeline.net.client import Fetcher, Request
from pipeline.settings import Settings

PARAGRAPH = (
    "The harbour board said on Tuesday that the new ferry timetable would start next month after a "
    "consultation with residents, who had complained about late crossings and crowded decks. "
)


def page(host: int, n: int) -> bytes:
    body = "".join(f"<p>Host {host} story {n}, paragraph {i}. {PARAGRAPH * 2}</p>" for i in range(30))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {host}-{n}</title></head>'
        f"<body><article><h1>Story {host}-{n}</h1>{body}</article></body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    host_index = 0

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            body, status = b"not found", 404
        else:
            n = int(self.path.rsplit("/", 1)[-1].removesuffix(".html"))
            body, status = page(self.host_index, n), 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client closing a keep-alive socket
            super().handle_error(request, client_address)


def start_servers(n: int) -> list[ThreadingHTTPServer]:
    servers: list[ThreadingHTTPServer] = []
    for i in range(n):
        handler = type(f"Handler{i}", (Handler,), {"host_index": i})
        httpd = QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
    return servers


def run(servers: list[ThreadingHTTPServer], pages: int, delay: float, workers: int) -> dict[str, float]:
    requests = [
        Request(f"http://127.0.0.1:{s.server_address[1]}/news/{n}.html") for n in range(pages) for s in servers
    ]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            allow_private_network=True,
            per_host_delay=delay,
            host_workers=workers,
            max_retries=1,
        )
        tracemalloc.start()
        t0 = time.perf_counter()
        # as the runner builds it: robots.txt cache and per-host schedule files under the state directory
        shared = {"robots_dir": settings.state_dir / "robots", "clock_dir": settings.state_dir / "hosts"}
        with Fetcher(settings, Archive(settings.archive_dir), **shared) as fetcher:
            results = fetcher.fetch_many(requests, outlet="bench", kind="article")
            sent = fetcher.requests_sent
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    ok = sum(1 for r, _ in results if r.ok)
    return {
        "pages": len(requests),
        "ok": ok,
        "requests": sent,
        "seconds": elapsed,
        "pages_per_s": ok / elapsed,
        "peak_mib": peak / 2**20,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100, help="pages per host")
    parser.add_argument("--delay", type=float, default=1.0, help="per-host delay of the second run (s)")
    parser.add_argument("--workers", type=int, default=20, help="host_workers (threads across hosts)")
    parser.add_argument("--skip-delay", action="store_true", help="only the zero-delay run")
    args = parser.parse_args(argv)
    servers = start_servers(args.hosts)
    try:
        fast = run(servers, args.pages, 0.0, args.workers)
        print(
            f"delay 0: {fast['ok']}/{fast['pages']} pages ({fast['requests']} requests) in {fast['seconds']:.1f} s "
            f"= {fast['pages_per_s']:.0f} pages/s; tracemalloc peak {fast['peak_mib']:.1f} MiB, "
            f"max RSS {fast['maxrss_mib']:.0f} MiB"
        )
        if not args.skip_delay:
            polite = run(servers, args.pages, args.delay, args.workers)
            schedule = args.pages * args.delay  # robots.txt + pages per host: `pages` gaps of `delay`
            print(
                f"delay {args.delay:g} s: {polite['ok']}/{polite['pages']} pages in {polite['seconds']:.1f} s "
                f"= {polite['pages_per_s']:.1f} pages/s; per-host schedule {args.pages} gaps x {args.delay:g} s = "
                f"{schedule:.0f} s; one host after another would take {args.hosts * schedule:.0f} s"
            )
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
