"""Host politeness: the per-host schedule (delay, in-flight cap, Retry-After) shared across tasks.

docs/FETCHING.md ("Politeness") gives the rules and the settings that steer them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

MAX_RETRY_AFTER = 60.0  # a longer Retry-After gives up this run instead of blocking the task


def host_key(url: str) -> str:
    """The politeness unit: scheme-less ``host[:port]`` as the fetcher spaces its requests by it."""
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1].lower()


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class HostGate:
    """Spaces requests to one host by its delay and caps how many are in flight to it.

    Within a process the schedule is kept in memory. With ``clock_dir`` the start times are also
    reserved in a small per-host file (under ``flock``, wall-clock seconds), so parallel outlet
    tasks that reach the same host keep its delay between them too. The in-flight cap is per process.
    """

    def __init__(
        self,
        delay: float,
        concurrency: int,
        sleep: Callable[[float], None] = time.sleep,
        clock_dir: Path | None = None,
    ) -> None:
        self.delay = delay
        self.concurrency = concurrency
        self.clock_dir = clock_dir
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._slots: dict[str, threading.Semaphore] = {}

    def set_delay(self, host: str, delay: float) -> None:
        """Set the delay between requests to ``host`` (never below the default delay)."""
        with self._lock:
            self._delays[host] = max(self.delay, delay)

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (a Retry-After)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)
            self._shared(host, seconds, 0.0)

    def _shared(self, host: str, wait: float, delay: float) -> float:
        """Reserve a start ``wait`` seconds from now or later in the host's clock file; return the wait."""
        if self.clock_dir is None:
            return wait
        import fcntl

        from pipeline.util import safe_name

        self.clock_dir.mkdir(parents=True, exist_ok=True)
        with open(self.clock_dir / f"{safe_name(host)}.next", "a+", encoding="ascii") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                fh.seek(0)
                try:
                    reserved = float(fh.read().strip() or 0.0)
                except ValueError:
                    reserved = 0.0
                now = time.time()
                start = max(now + wait, reserved)
                fh.seek(0)
                fh.truncate()
                fh.write(repr(max(start + delay, reserved)))
                fh.flush()
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return start - now

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of ``host``'s request slots, waiting first until its delay since the last request has passed."""
        with self._lock:
            sem = self._slots.setdefault(host, threading.Semaphore(self.concurrency))
        with sem:
            with self._lock:
                now = time.monotonic()
                delay = self._delays.get(host, self.delay)
                wait = max(0.0, self._next.get(host, now) - now)
                if delay > 0:
                    wait = self._shared(host, wait, delay)
                self._next[host] = now + wait + delay
            if wait > 0:
                self._sleep(wait)
            yield
