"""HTTP: the only module that touches the network.

One ``Fetcher`` per task: it keeps a session, waits a per-host delay between requests, retries
408/429/5xx and connection errors with exponential backoff (honouring Retry-After), follows
redirects itself so that every hop passes the address guard, streams bodies under a size cap and
checks the content type. A failure is returned as a ``FetchResult`` with its reason, never raised;
only a misconfiguration raises.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import requests

from pipeline.archive import Archive
from pipeline.records import FetchResult
from pipeline.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER = 60.0
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


class BlockedAddress(ValueError):
    """A URL whose scheme or address the fetcher refuses."""


@dataclass(frozen=True, slots=True)
class Response:
    """A successful response body and what is known about it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    charset: str | None


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts resolving to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddress(f"scheme {parts.scheme or 'none'!r} is not fetched (only http and https)")
    host = parts.hostname
    if not host:
        raise BlockedAddress("URL has no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as e:
        raise BlockedAddress(f"host {host!r} does not resolve: {e}") from e
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise BlockedAddress(
                f"host {host!r} resolves to non-public address {address}; "
                "use --allow-private-network (FACTCHECK_ALLOW_PRIVATE_NETWORK=true) for local testing"
            )


def charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _retry_after(value: str | None) -> float | None:
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


class _Failure(Exception):
    def __init__(self, reason: str, status: int | None = None, retryable: bool = False, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retryable = retryable
        self.wait = wait


class Fetcher:
    def __init__(
        self,
        settings: Settings,
        archive: Archive | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.full_user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            remaining = self.settings.per_host_delay - (time.monotonic() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[host] = time.monotonic()

    def _once(self, url: str, accept: tuple[str, ...]) -> Response:
        """One attempt, redirects included; raises ``_Failure``."""
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            try:
                check_url(current, self.settings.allow_private_network)
            except BlockedAddress as e:
                raise _Failure(f"blocked: {e}") from e
            self._wait_for_host(current)
            try:
                resp = self.session.get(
                    current,
                    timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.Timeout as e:
                raise _Failure(f"timeout: {e.__class__.__name__}", retryable=True) from e
            except requests.ConnectionError as e:
                raise _Failure(f"connection error: {e.__class__.__name__}: {e}", retryable=True) from e
            except requests.RequestException as e:
                raise _Failure(f"request failed: {e}") from e
            with resp:
                if resp.status_code in REDIRECT_STATUSES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise _Failure(f"HTTP {resp.status_code} redirect without a Location", resp.status_code)
                    current = urljoin(current, location)
                    continue
                if resp.status_code in RETRY_STATUSES:
                    raise _Failure(
                        f"HTTP {resp.status_code}",
                        resp.status_code,
                        retryable=True,
                        wait=_retry_after(resp.headers.get("Retry-After")),
                    )
                if resp.status_code != 200:
                    raise _Failure(f"HTTP {resp.status_code}", resp.status_code)
                content_type = resp.headers.get("Content-Type", "")
                media = content_type.split(";")[0].strip().lower()
                if media and media not in accept:
                    raise _Failure(f"unsupported content type {media!r}", resp.status_code)
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
                    raise _Failure(f"too large: {declared} bytes > {self.settings.max_bytes}", resp.status_code)
                chunks: list[bytes] = []
                size = 0
                try:
                    for chunk in resp.iter_content(65536):
                        size += len(chunk)
                        if size > self.settings.max_bytes:
                            raise _Failure(f"too large: over {self.settings.max_bytes} bytes", resp.status_code)
                        chunks.append(chunk)
                except requests.RequestException as e:
                    raise _Failure(f"incomplete body: {e.__class__.__name__}", resp.status_code, True) from e
                headers = {k.lower(): v for k, v in resp.headers.items()}
                return Response(url, current, resp.status_code, headers, b"".join(chunks), charset_of(content_type))
        raise _Failure(f"too many redirects (more than {self.settings.max_redirects})")

    def fetch(self, url: str, *, outlet: str, kind: Literal["feed", "article"]) -> tuple[FetchResult, bytes | None]:
        """Fetch a URL with retries; archive the body. Never raises for a bad URL or a bad response."""
        accept = FEED_TYPES if kind == "feed" else HTML_TYPES
        started = datetime.now(UTC)
        t0 = time.monotonic()
        attempts = 0
        failure: _Failure | None = None
        response: Response | None = None
        while attempts <= self.settings.max_retries:
            attempts += 1
            try:
                response = self._once(url, accept)
                failure = None
                break
            except _Failure as f:
                failure = f
                log.info("fetch %s attempt %d failed: %s", url, attempts, f.reason)
                if not f.retryable or attempts > self.settings.max_retries:
                    break
                delay = self.settings.backoff_base * (2 ** (attempts - 1)) * (1 + random.random())
                if f.wait is not None:
                    delay = max(delay, min(f.wait, MAX_RETRY_AFTER))
                self._sleep(delay)
        elapsed = (time.monotonic() - t0) * 1000
        if response is None:
            assert failure is not None
            log.warning("skipping %s (%s): %s", url, outlet, failure.reason)
            result = FetchResult(
                url,
                outlet,
                kind,
                False,
                failure.status,
                failure.reason,
                attempts=attempts,
                started_at=started,
                elapsed_ms=elapsed,
            )
            return result, None
        ref = None
        if self.archive is not None:
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
        )
        return result, response.body
