"""robots.txt: read once per host (Protego), cached in memory and on disk, Crawl-delay passed on.

docs/FETCHING.md ("Politeness") gives the rules: how 4xx, 5xx/429 and unreachable robots.txt are
taken, the 24-hour disk cache (RFC 9309's limit) and the Crawl-delay cap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.net.politeness import HostGate, host_key
from pipeline.settings import Settings

log = logging.getLogger(__name__)

ROBOTS_TTL = 24 * 3600.0  # RFC 9309: a cached robots.txt should not be used for more than 24 hours
ROBOTS_MAX_BYTES = 512_000


@dataclass(frozen=True, slots=True)
class RobotsReply:
    """What asking for one robots.txt gave: the HTTP status (None: no HTTP answer), the body of a 200, why not."""

    status: int | None
    body: bytes = b""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The robots.txt rules of one host: a Protego parser, allow-all (None) or disallow-all (a reason)."""

    rules: Any = None
    refused: str | None = None


class Robots:
    """The robots.txt rules of every host one fetcher reaches.

    ``ask`` requests a robots.txt URL once (no retries, no robots check of its own); ``cache_dir``
    keeps the texts between tasks (None: this instance only).
    """

    def __init__(
        self, settings: Settings, gate: HostGate, ask: Callable[[str], RobotsReply], cache_dir: Path | None = None
    ) -> None:
        self.settings = settings
        self.gate = gate
        self.cache_dir = cache_dir
        self._ask = ask
        self.rules: dict[str, RobotsRules] = {}  # by scheme://host[:port]
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def refusal(self, url: str) -> str | None:
        """None if robots.txt lets us fetch ``url``, else the reason it does not."""
        if not self.settings.respect_robots:
            return None
        robots = self.rules_for(url)
        if robots.refused:
            return robots.refused
        if robots.rules is not None and not robots.rules.can_fetch(url, self.settings.robots_token):
            return "disallowed by robots.txt"
        return None

    def rules_for(self, url: str) -> RobotsRules:
        """The rules of ``url``'s host, read once per host (parallel callers wait for the first)."""
        host = host_key(url)
        key = f"{urlsplit(url).scheme}://{host}"
        with self._lock:
            if key in self.rules:
                return self.rules[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key in self.rules:
                return self.rules[key]
            robots = self._read(key + "/robots.txt", host)
            with self._lock:
                self.rules[key] = robots
            return robots

    def _read(self, robots_url: str, host: str) -> RobotsRules:
        from protego import Protego

        text = self._cached(robots_url)
        if text is None:
            reply = self._ask(robots_url)
            if reply.status == 200:
                text = reply.body.decode("utf-8", errors="replace")
            elif reply.status is not None and (reply.status >= 500 or reply.status == 429):
                return RobotsRules(refused=f"robots.txt unavailable ({reply.reason}); host not crawled this run")
            elif reply.status is None:
                if not reply.reason.startswith("blocked"):
                    log.info("robots.txt of %s unreachable (%s); treated as absent", host, reply.reason)
                return RobotsRules()  # not cached: ask again next time
            else:
                text = ""  # a 4xx: no robots.txt, everything allowed
            self._store(robots_url, text)
        rules = Protego.parse(text)
        delay = rules.crawl_delay(self.settings.robots_token)
        if delay:
            if delay > self.settings.max_crawl_delay:
                log.warning("%s asks Crawl-delay %s s; capped at %s s", host, delay, self.settings.max_crawl_delay)
            self.gate.set_delay(host, min(float(delay), self.settings.max_crawl_delay))
        return RobotsRules(rules)

    def _file(self, robots_url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        from pipeline.util import safe_name

        return self.cache_dir / f"{safe_name(robots_url)}.txt"

    def _cached(self, robots_url: str) -> str | None:
        path = self._file(robots_url)
        try:
            if path is None or time.time() - path.stat().st_mtime > ROBOTS_TTL:
                return None
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def _store(self, robots_url: str, text: str) -> None:
        path = self._file(robots_url)
        if path is None:
            return
        from pipeline.files import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
