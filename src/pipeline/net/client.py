"""The fetch client: one ``Fetcher`` per task, a polite and defensive HTTP client.

It follows redirects itself (each hop checked against robots.txt and the address guard), retries
408/429/5xx, connection errors, timeouts and incomplete bodies with backoff, decodes
Content-Encoding under a size cap (``pipeline.net.inflate``) and sends conditional requests. A
failure is returned as a ``FetchResult`` with its reason, never raised. docs/FETCHING.md explains
the behaviour and the settings.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError

from pipeline.archive import Archive
from pipeline.credentials import Credentials, split_userinfo
from pipeline.net.guard import AddressPolicy, BlockedAddress, Deadline, GuardedAdapter
from pipeline.net.inflate import Decoder, InflateError, TooLarge, Truncated
from pipeline.net.politeness import MAX_RETRY_AFTER, HostGate, host_key, retry_after
from pipeline.net.robots import ROBOTS_MAX_BYTES, Robots, RobotsReply
from pipeline.records import FetchResult
from pipeline.settings import Settings
from pipeline.util import charset_of

log = logging.getLogger(__name__)

Kind = Literal["feed", "article"]
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = HTML_TYPES + (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "text/plain",
    "application/x-gzip",
    "application/gzip",
    "application/octet-stream",
)


ACCEPT_HEADERS: dict[tuple[str, ...] | None, str] = {
    FEED_TYPES: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    HTML_TYPES: "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    None: "text/plain, */*;q=0.5",  # robots.txt
}


@dataclass(frozen=True, slots=True)
class Response:
    """A successful response (200 with a body, or 304 without) and what is known about it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    charset: str | None


# the reason of a URL the outlet's time budget (``Fetcher(stop_at=...)``) left untried or cut short:
# not a failure of the URL, so the stages leave it for the next run instead of counting it
BUDGET_SPENT = "left for the next run: the outlet's time budget for this run is spent"


class _Failure(Exception):
    """Why one attempt failed, and whether another attempt may help."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        retryable: bool = False,
        wait: float | None = None,
        budget: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retryable = retryable
        self.wait = wait
        self.attempts = 1
        self.budget = budget  # the outlet's time budget ran out: the URL is left, not failed


@dataclass(frozen=True, slots=True)
class Request:
    """One URL for ``fetch_many``, with the validators of its previous response."""

    url: str
    validators: dict[str, str] = field(default_factory=dict)


class Fetcher:
    """HTTP for one task: fetch one URL (``fetch``) or many, hosts in parallel (``fetch_many``)."""

    def __init__(
        self,
        settings: Settings,
        archive: Archive | None = None,
        sleep: Callable[[float], None] = time.sleep,
        policy: AddressPolicy | None = None,
        robots_dir: Path | None = None,
        clock_dir: Path | None = None,
        credentials: Credentials | None = None,
        stop_at: float | None = None,
    ) -> None:
        self.settings = settings
        # time.monotonic() at which the outlet's time budget is spent: no request starts after it and
        # the one in flight is cut then (every attempt's deadline is the nearer of the two)
        self.stop_at = stop_at
        # user/password by origin, from URLs the user configured; sent as Basic auth, never recorded
        self.credentials = credentials if credentials is not None else Credentials()
        self.archive = archive
        self._sleep = sleep
        self.policy = policy or AddressPolicy(settings.allow_private_network, settings.allowed_endpoints)
        # clock_dir: per-host schedule files shared by parallel tasks (see HostGate); None: this fetcher only
        self.gate = HostGate(settings.per_host_delay, settings.per_host_concurrency, sleep, clock_dir)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        # robots_dir: robots.txt cached between tasks; None: this fetcher only
        self.robots = Robots(settings, self.gate, self._ask_robots, robots_dir)
        self.requests_sent = 0  # every HTTP request, robots.txt and redirects included

    # one session per thread: requests' Session is not documented as thread-safe
    @property
    def session(self) -> requests.Session:
        """This thread's requests session, made on first use with the guarded adapter and our headers."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or netrc from the environment around the guard
            session.headers["User-Agent"] = self.settings.full_user_agent
            session.headers["Accept-Encoding"] = "gzip, deflate"
            adapter = GuardedAdapter(self.policy, pool_maxsize=max(4, self.settings.per_host_concurrency))
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every session this client opened."""
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- robots.txt

    def _ask_robots(self, robots_url: str) -> RobotsReply:
        try:
            response = self._attempts(robots_url, None, {}, ROBOTS_MAX_BYTES, robots=False, retries=0)[0]
        except _Failure as f:
            return RobotsReply(f.status, b"", f.reason)
        return RobotsReply(response.status, response.body)

    def allowed_by_robots(self, url: str) -> str | None:
        """None if robots.txt lets us fetch ``url``, else the reason it does not."""
        return self.robots.refusal(url)

    # ---- one attempt

    def budget_left(self) -> float | None:
        """Seconds left of the outlet's time budget (never below 0), or None without a budget."""
        return None if self.stop_at is None else max(0.0, self.stop_at - time.monotonic())

    def _once(
        self, url: str, accept: tuple[str, ...] | None, validators: dict[str, str], max_bytes: int, robots: bool
    ) -> Response:
        """One attempt, redirects included, within ``max_fetch_seconds`` and the outlet's time budget;
        raises ``_Failure``."""
        seconds = self.settings.max_fetch_seconds
        left = self.budget_left()
        by_budget = left is not None and left < seconds
        if left is not None and by_budget:
            if left <= 0:
                raise _Failure(BUDGET_SPENT, budget=True)
            seconds = left
        with Deadline(seconds) as deadline:
            try:
                return self._hops(url, accept, validators, max_bytes, robots, deadline)
            except _Failure as f:
                if deadline.fired and by_budget:
                    raise _Failure(BUDGET_SPENT, f.status, budget=True) from f
                if deadline.fired and not f.reason.startswith("timeout: response not complete"):
                    raise self._too_slow(f.status) from f
                raise

    def _too_slow(self, status: int | None) -> _Failure:
        return _Failure(
            f"timeout: response not complete within {self.settings.max_fetch_seconds} s", status, retryable=True
        )

    def _hops(
        self,
        url: str,
        accept: tuple[str, ...] | None,
        validators: dict[str, str],
        max_bytes: int,
        robots: bool,
        deadline: Deadline,
    ) -> Response:
        current = url
        headers: dict[str, str] = {"Accept": ACCEPT_HEADERS.get(accept, "*/*")}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        for _hop in range(self.settings.max_redirects + 1):
            try:
                parts = urlsplit(current)
                parts.port  # noqa: B018 (raises ValueError for a bad port)
            except ValueError as e:
                # not quoted: what fails to parse may be a password with a raw / in it
                raise _Failure("bad URL: its host or port does not parse") from e
            if parts.scheme not in ("http", "https"):
                raise _Failure(f"blocked: scheme {parts.scheme or 'none'!r} is not fetched (only http and https)")
            if not parts.hostname:
                raise _Failure("blocked: URL has no host")
            if robots:
                refused = self.allowed_by_robots(current)
                if refused:
                    raise _Failure(refused)
            host = host_key(current)
            with self.gate.slot(host):
                with self._sessions_lock:
                    self.requests_sent += 1
                try:
                    resp = self.session.get(
                        current,
                        # validators belong to the first URL only
                        headers=headers if current == url else {"Accept": headers["Accept"]},
                        timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                        auth=self.credentials.for_url(current),
                        allow_redirects=False,
                        stream=True,
                    )
                except BlockedAddress as e:
                    raise _Failure(f"blocked: {e}") from e
                except requests.Timeout as e:
                    limits = f"connect {self.settings.connect_timeout} s, read {self.settings.read_timeout} s"
                    raise _Failure(f"timeout: {e.__class__.__name__} ({limits})", retryable=True) from e
                except requests.exceptions.SSLError as e:  # a bad certificate does not heal in seconds
                    raise _Failure(f"TLS error: {e}") from e
                except requests.ConnectionError as e:
                    raise _Failure(f"connection error: {e.__class__.__name__}: {e}", retryable=True) from e
                except requests.RequestException as e:
                    raise _Failure(f"request failed: {e}") from e
                with resp:
                    if resp.status_code in REDIRECT_STATUSES:
                        location = resp.headers.get("Location")
                        if not location:
                            raise _Failure(f"HTTP {resp.status_code} redirect without a Location", resp.status_code)
                        try:
                            # credentials a server writes into a Location are neither used nor recorded
                            current = split_userinfo(urljoin(current, location))[0]
                        except ValueError as e:
                            raise _Failure(f"bad redirect Location: {e}", resp.status_code) from e
                        continue
                    if resp.status_code in RETRY_STATUSES:
                        wait = retry_after(resp.headers.get("Retry-After"))
                        if wait:
                            self.gate.defer(host, min(wait, MAX_RETRY_AFTER))
                        raise _Failure(f"HTTP {resp.status_code}", resp.status_code, retryable=True, wait=wait)
                    lowered = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code == 304 and validators:
                        return Response(url, current, 304, lowered, b"", None)
                    if resp.status_code != 200:
                        raise _Failure(f"HTTP {resp.status_code}", resp.status_code)
                    content_type = resp.headers.get("Content-Type", "")
                    media = content_type.split(";")[0].strip().lower()
                    if accept is not None and media and media not in accept:
                        raise _Failure(f"unsupported content type {media!r}", resp.status_code)
                    body = self._read_body(resp, max_bytes)
                    if deadline.fired:  # the end of the body may have been the deadline closing it
                        raise _Failure("deadline", resp.status_code)  # _once says which deadline
                    return Response(url, current, resp.status_code, lowered, body, charset_of(content_type))
        raise _Failure(f"too many redirects (more than {self.settings.max_redirects})")

    def _read_body(self, resp: requests.Response, max_bytes: int) -> bytes:
        """Read the body as sent and decode its Content-Encoding here, under ``max_bytes`` decoded.

        urllib3 would decode too, but it takes a gzip stream cut short for a whole one. Here a body
        is complete only if the bytes on the wire match Content-Length (when given) and every
        compressed stream reached its end marker; anything less is "incomplete body", retryable.
        """
        declared = resp.headers.get("Content-Length")
        length = int(declared) if declared and declared.isdigit() else None
        coding = resp.headers.get("Content-Encoding")
        encoded = (coding or "identity").strip().lower() not in ("", "identity")
        if length is not None and length > max_bytes and not encoded:
            raise _Failure(f"too large: {declared} bytes > {max_bytes}", resp.status_code)
        try:
            decoder = Decoder(coding, max_bytes)
        except InflateError as e:
            raise _Failure(f"{e} (Content-Encoding: {coding})", resp.status_code) from e
        chunks: list[bytes] = []
        wire = 0
        try:
            while True:
                data = resp.raw.read1(65536, decode_content=False)
                if not data:
                    break
                wire += len(data)
                chunks.append(decoder.feed(data))  # decoded and counted: the cap also stops gzip bombs
            chunks.append(decoder.finish())
        except TooLarge as e:
            raise _Failure(f"too large: {e}", resp.status_code) from e
        except Truncated as e:
            raise _Failure(f"incomplete body: {e} ({wire} bytes received)", resp.status_code, True) from e
        except InflateError as e:
            raise _Failure(f"bad body: {e}", resp.status_code, True) from e
        except ReadTimeoutError as e:
            raise _Failure(
                f"timeout: body stalled (read timeout {self.settings.read_timeout} s)", resp.status_code, True
            ) from e
        except (HTTPError, OSError) as e:  # closed early, a bad chunk, a reset
            got = f" ({wire} of {declared} bytes)" if declared else ""
            raise _Failure(f"incomplete body: {e.__class__.__name__}{got}", resp.status_code, True) from e
        if length is not None and wire < length:
            raise _Failure(f"incomplete body: {wire} of {declared} bytes", resp.status_code, True)
        return b"".join(chunks)

    def _attempts(
        self,
        url: str,
        accept: tuple[str, ...] | None,
        validators: dict[str, str],
        max_bytes: int,
        robots: bool,
        retries: int | None = None,
    ) -> tuple[Response, int]:
        """Attempts with backoff; returns the response and the number of attempts, or raises the last failure."""
        max_retries = self.settings.max_retries if retries is None else retries
        attempts = 0
        while True:
            attempts += 1
            try:
                return self._once(url, accept, validators, max_bytes, robots), attempts
            except _Failure as f:
                f.attempts = attempts
                if f.budget:  # the URL did not fail: the outlet ran out of time
                    raise
                f.reason = f.reason if attempts == 1 else f"{f.reason} (after {attempts} attempts)"
                log.info("fetch %s attempt %d failed: %s", url, attempts, f.reason)
                if not f.retryable or attempts > max_retries:
                    raise
                if (left := self.budget_left()) is not None and left <= self.settings.backoff_base:
                    f.reason += "; not retried: the outlet's time budget is spent"
                    raise
                if f.wait is not None and f.wait > MAX_RETRY_AFTER:
                    f.reason += f"; Retry-After {f.wait:.0f} s is beyond {MAX_RETRY_AFTER:.0f} s, retried next run"
                    raise
                # exponential backoff with full jitter; a Retry-After is a floor
                delay = random.uniform(0, self.settings.backoff_base * (2 ** (attempts - 1))) + (
                    self.settings.backoff_base
                )
                if f.wait is not None:
                    delay = max(delay, f.wait)
                self._sleep(delay)

    def fetch(
        self,
        url: str,
        *,
        outlet: str,
        kind: Kind,
        validators: dict[str, str] | None = None,
    ) -> tuple[FetchResult, bytes | None]:
        """Fetch a URL with retries; archive the body. Never raises for a bad URL or a bad response.

        A 304 (only possible when ``validators`` were given) is a success with no body and no archive reference.
        Once the outlet's time budget is spent (``stop_at``) the result is a failure whose reason is
        ``BUDGET_SPENT``, made without a request (or cut short): the URL waits for the next run.
        Credentials written into ``url`` are sent to its origin but left out of the result, the
        archive and the log (``pipeline.credentials``).
        """
        url = self.credentials.take(url)
        accept = FEED_TYPES if kind == "feed" else HTML_TYPES
        started = datetime.now(UTC)
        t0 = time.monotonic()
        if self.budget_left() == 0:  # nothing starts once the outlet's time is spent (the stage logs the count)
            return FetchResult(url, outlet, kind, False, None, BUDGET_SPENT, attempts=0, started_at=started), None
        try:
            cap = self.settings.max_feed_bytes if kind == "feed" else self.settings.max_bytes
            response, attempts = self._attempts(url, accept, validators or {}, cap, robots=True)
        except _Failure as f:
            elapsed = (time.monotonic() - t0) * 1000
            if f.budget:
                log.info("not fetching %s (%s): %s", url, outlet, f.reason)
            else:
                log.warning("skipping %s (%s): %s", url, outlet, f.reason)
            result = FetchResult(
                url, outlet, kind, False, f.status, f.reason,
                attempts=f.attempts, started_at=started, elapsed_ms=elapsed,
            )  # fmt: skip
            return result, None
        elapsed = (time.monotonic() - t0) * 1000
        ref = None
        if self.archive is not None and response.status == 200:
            ref = self.archive.put(
                response.body,
                {"url": url, "final_url": response.final_url, "status": response.status, "headers": response.headers},
            )
        result = FetchResult(
            url,
            outlet,
            kind,
            True,
            response.status,
            None,
            response.final_url,
            response.headers.get("content-type"),
            response.charset,
            len(response.body),
            attempts,
            started,
            elapsed,
            ref,
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )
        return result, (response.body if response.status == 200 else None)

    def fetch_many(
        self, requests_: Sequence[Request], *, outlet: str, kind: Kind, keep_bodies: bool = False
    ) -> list[tuple[FetchResult, bytes | None]]:
        """Fetch many URLs: hosts in parallel (``host_workers``), each host serialised by its gate.

        Results come back in the order of ``requests_``. Bodies are dropped unless ``keep_bodies``
        (they are in the archive), so memory stays bounded by what is in flight.
        """
        lanes: dict[str, list[int]] = {}
        for i, req in enumerate(requests_):
            lanes.setdefault(host_key(req.url), []).append(i)
        # a host with per_host_concurrency > 1 gets that many lanes; the gate still spaces their starts
        work: list[list[int]] = []
        for indexes in lanes.values():
            n = min(self.settings.per_host_concurrency, len(indexes))
            work.extend(indexes[k::n] for k in range(n))
        results: list[tuple[FetchResult, bytes | None] | None] = [None] * len(requests_)

        def run(indexes: list[int]) -> None:
            """Fetch the requests at ``indexes`` one after another and keep their results."""
            for i in indexes:
                req = requests_[i]
                result, body = self.fetch(req.url, outlet=outlet, kind=kind, validators=req.validators)
                results[i] = (result, body if keep_bodies else None)

        workers = max(1, min(self.settings.host_workers, len(work)))
        if workers == 1:
            for indexes in work:
                run(indexes)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
                for future in [pool.submit(run, indexes) for indexes in work]:
                    future.result()
        return [r for r in results if r is not None]
