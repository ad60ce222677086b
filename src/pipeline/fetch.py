"""HTTP: the only module that touches the network.

One ``Fetcher`` per task. It is a polite, defensive client:

- **Politeness.** Every request carries the identifying User-Agent (with the contact address from
  the settings). robots.txt is read once per host (Protego) and cached, in the fetcher and, when the
  runner passes ``robots_dir``, on disk for 24 hours (RFC 9309's limit). A 4xx robots.txt allows
  everything, a 5xx or 429 one disallows the host for this task as RFC 9309 asks, an unreachable one is
  treated as absent so the page's own connection error is what gets reported) and its Crawl-delay
  raises the per-host delay (capped at ``max_crawl_delay``). ``HostGate`` spaces the requests to
  one host by that delay and allows at most ``per_host_concurrency`` in flight, and a 429/503
  Retry-After pushes the host's next slot back for every thread. When the runner passes
  ``clock_dir``, the schedule is shared through per-host files, so parallel outlet tasks reaching
  one host keep its delay between them. ``fetch_many`` fetches different
  hosts in parallel (``host_workers`` threads) while each host stays serialised.
- **Robustness.** Retries only 408/429/5xx, connection errors and timeouts, with exponential backoff
  and full jitter, honouring Retry-After (a Retry-After longer than ``MAX_RETRY_AFTER`` gives up this
  run instead of blocking the task). Connect and read timeouts, plus a deadline for the whole
  attempt (``max_fetch_seconds``, redirects included) that holds whatever the server does: a
  timer shuts the attempt's sockets down when it runs out (``Deadline``), so a server dripping a
  byte a second, or stalling its headers or TLS handshake, cannot hold a fetch longer. Redirects
  are followed here, at most ``max_redirects``. Bodies are read as sent and decoded here
  (``pipeline.inflate``) under ``max_bytes`` after decompression; a body shorter than its
  Content-Length or a compressed stream without its end marker is a failure ("incomplete body",
  retried), never a shorter page. The content type is
  checked. The text is never decoded here: the charset in the Content-Type header is passed on
  (``FetchResult.charset``) and ``pipeline.parse`` decides from the bytes (BOM, header, <meta>,
  detection). ``response.text`` is never used.
- **Conditional GET.** Given the validators of the previous response (``pipeline.state``), a request
  sends If-None-Match / If-Modified-Since; a 304 is a success with no body.
- **Security (SSRF).** Only http and https. Unless ``allow_private_network`` is set, a host that
  resolves to any loopback, private, link-local (cloud metadata 169.254.169.254), multicast,
  reserved or otherwise non-global address is refused; an IPv6 address that embeds an IPv4 one
  (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16, IPv4-compatible) is judged by that IPv4
  address, and site-local fec0::/10 is refused. The check happens *when the socket is
  opened*: ``AddressPolicy.vet`` resolves the name once, vets every address, and the connection is
  made to the vetted address itself (a custom urllib3 connection class), so a DNS answer that
  changes between check and connect (DNS rebinding) cannot slip through; every redirect hop opens
  its connection through the same path. The session ignores proxy and netrc settings from the
  environment (``trust_env=False``) so no request is routed around the guard. Tests inject an
  ``AddressPolicy`` allowing exact loopback endpoints, or a resolver function.

A failure is returned as a ``FetchResult`` with its reason, never raised; only a misconfiguration raises.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError
from urllib3.util.connection import create_connection

from pipeline.archive import Archive
from pipeline.canonical import host_key
from pipeline.credentials import Credentials, split_userinfo
from pipeline.inflate import Decoder, InflateError, TooLarge, Truncated
from pipeline.records import FetchResult
from pipeline.settings import Settings

log = logging.getLogger(__name__)

Kind = Literal["feed", "article"]
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER = 60.0
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: a cached robots.txt should not be used for more than 24 hours
ROBOTS_MAX_BYTES = 512_000
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


class BlockedAddress(ValueError):
    """A URL whose scheme or address the fetcher refuses."""


# --------------------------------------------------------------------------------------------- SSRF


# IPv6 prefixes whose last 32 bits are an IPv4 address the packets end up at (RFC 6052 NAT64, the
# IPv4-translated form of RFC 2765/6145, and the deprecated IPv4-compatible form). ``ipaddress``
# calls most of them global, so a name resolving to 64:ff9b::7f00:1 would reach 127.0.0.1 through a
# translator.
_EMBEDS_IPV4_LAST_32 = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("::/96"),
)
# Refused whatever they carry: site-local (deprecated by RFC 3879 but still routed inside sites), and
# the local-use NAT64 prefix of RFC 8215, where a translator may put the IPv4 address in other bits
# than the last 32 (prefixes shorter than /96), so no reading of it can be trusted.
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, IPv4-compatible), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in _EMBEDS_IPV4_LAST_32):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(address: str) -> bool:
    """Whether a resolved address may be connected to without ``allow_private``.

    An IPv6 address that carries an IPv4 address is judged by that IPv4 address; site-local
    (fec0::/10) is refused; so is everything ``ipaddress`` does not call global, and multicast.
    """
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _SITE_LOCAL or ip in _LOCAL_NAT64:
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            ip = inner
    return ip.is_global and not ip.is_multicast


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the OS resolver)."""
    return list(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to.

    ``allow_private`` lifts the guard entirely (local testing). ``allow`` names exact endpoints
    (``"127.0.0.1:8081"``) allowed although not public, everything else private stays blocked: what
    tests use to serve from loopback and still see the guard work. ``resolver`` replaces DNS.
    """

    allow_private: bool = False
    allow: frozenset[str] = frozenset()
    resolver: Callable[[str, int], list[str]] = field(default=system_resolver)

    def vet(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once and return its addresses if every one is allowed; else raise."""
        try:
            addresses = self.resolver(host.strip("[]"), port)
        except (OSError, UnicodeError) as e:
            raise BlockedAddress(f"host {host!r} does not resolve: {e}") from e
        if not addresses:
            raise BlockedAddress(f"host {host!r} does not resolve")
        if self.allow_private:
            return addresses
        for address in addresses:
            if _is_public(address):
                continue
            endpoint = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
            if endpoint in self.allow:
                continue
            raise BlockedAddress(
                f"host {host!r} resolves to non-public address {address}; "
                "use --allow-private-network (FACTCHECK_ALLOW_PRIVATE_NETWORK=true) for local testing"
            )
        return addresses


def check_url(url: str, allow_private: bool, policy: AddressPolicy | None = None) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts resolving to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddress(f"scheme {parts.scheme or 'none'!r} is not fetched (only http and https)")
    host = parts.hostname
    if not host:
        raise BlockedAddress("URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise BlockedAddress(f"bad port in {url!r}") from e
    (policy or AddressPolicy(allow_private=allow_private)).vet(host, port)


class Deadline:
    """The wall-clock budget of one fetch attempt, enforced by shutting its sockets down.

    Socket timeouts bound each read, not their sum: a server sending one byte a second never trips
    a 20 s read timeout. While a ``Deadline`` is active on a thread (``with deadline:``), every
    socket that thread's guarded connections open or reuse is registered with it (a duplicate of
    its file descriptor, so the original can be closed or wrapped in TLS meanwhile); when the
    budget runs out a timer shuts them all down, which ends a blocked TLS handshake, header or body
    read at once. ``fired`` then tells the reader that what looked like the end of the body was the
    deadline. The TCP connect itself is bounded by ``connect_timeout`` and name resolution by the
    system resolver: neither has a socket to shut down yet.
    """

    _active = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    @classmethod
    def watch(cls, sock: socket.socket | None) -> None:
        """Register ``sock`` with the deadline active on this thread, if any."""
        deadline: Deadline | None = getattr(cls._active, "current", None)
        if deadline is None or sock is None:
            return
        try:
            dup = socket.socket(fileno=os.dup(sock.fileno()))
        except OSError:
            return  # already closed: nothing to stop
        with deadline._lock:
            if deadline.fired:
                _shutdown(dup)
            deadline._socks.append(dup)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                _shutdown(sock)

    def __enter__(self) -> Deadline:
        self._previous = getattr(Deadline._active, "current", None)
        Deadline._active.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        Deadline._active.current = self._previous
        with self._lock:
            for sock in self._socks:
                sock.close()
            self._socks.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # not connected (any more)


def _pinned(base: type[HTTPConnection], policy: AddressPolicy) -> type[HTTPConnection]:
    """A urllib3 connection class that vets the address and connects to exactly that address.

    Only the socket goes to the vetted IP; ``self.host`` (the Host header, TLS SNI and certificate
    name check) stays the name from the URL.
    """

    class PinnedConnection(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            addresses = policy.vet(self.host, self.port)
            last: OSError | None = None
            for address in addresses:
                try:
                    sock = create_connection(
                        (address, self.port),
                        self.timeout,
                        source_address=self.source_address,
                        socket_options=self.socket_options,
                    )
                except TimeoutError as e:
                    raise ConnectTimeoutError(
                        self, f"Connection to {self.host} ({address}) timed out. (connect timeout={self.timeout})"
                    ) from e
                except OSError as e:
                    last = e
                    continue
                sys.audit("http.client.connect", self, self.host, self.port)
                Deadline.watch(sock)  # before the TLS handshake, which a server can stall too
                return sock
            raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last

        def request(self, *args: Any, **kwargs: Any) -> None:
            Deadline.watch(self.sock)  # a connection kept alive from an earlier request
            super().request(*args, **kwargs)

    return PinnedConnection


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connection pools open sockets only through ``AddressPolicy.vet``."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        http_conn, https_conn = _pinned(HTTPConnection, self.policy), _pinned(HTTPSConnection, self.policy)
        http_pool = type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
        https_pool = type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}


# --------------------------------------------------------------------------------------- politeness


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

        from pipeline.staging import safe_name

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


# ------------------------------------------------------------------------------------------ fetching


@dataclass(frozen=True, slots=True)
class Response:
    """A successful response (200 with a body, or 304 without) and what is known about it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    charset: str | None


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
        self.attempts = 1


@dataclass(frozen=True, slots=True)
class Request:
    """One URL for ``fetch_many``, with the validators of its previous response."""

    url: str
    validators: dict[str, str] = field(default_factory=dict)


class _Robots:
    """robots.txt rules of one host: a Protego parser, allow-all (None) or disallow-all (a reason)."""

    def __init__(self, rules: Any = None, refused: str | None = None) -> None:
        self.rules = rules
        self.refused = refused


class Fetcher:
    def __init__(
        self,
        settings: Settings,
        archive: Archive | None = None,
        sleep: Callable[[float], None] = time.sleep,
        policy: AddressPolicy | None = None,
        robots_dir: Path | None = None,
        clock_dir: Path | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.settings = settings
        # user/password by origin, from URLs the user configured; sent as Basic auth, never recorded
        self.credentials = credentials if credentials is not None else Credentials()
        self.robots_dir = robots_dir  # where robots.txt files are cached between tasks; None: per fetcher only
        self.archive = archive
        self._sleep = sleep
        self.policy = policy or AddressPolicy(settings.allow_private_network, settings.allowed_endpoints)
        # clock_dir: per-host schedule files shared by parallel tasks (see HostGate); None: this fetcher only
        self.gate = HostGate(settings.per_host_delay, settings.per_host_concurrency, sleep, clock_dir)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_lock = threading.Lock()
        self.requests_sent = 0  # every HTTP request, robots.txt and redirects included

    # one session per thread: requests' Session is not documented as thread-safe
    @property
    def session(self) -> requests.Session:
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
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- robots.txt

    def _robots_for(self, url: str) -> _Robots:
        parts = urlsplit(url)
        host = host_key(url)
        key = f"{parts.scheme}://{host}"
        with self._robots_lock:
            if key in self._robots:
                return self._robots[key]
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._robots:
                return self._robots[key]
            robots = self._read_robots(key + "/robots.txt", host)
            with self._robots_lock:
                self._robots[key] = robots
            return robots

    def _read_robots(self, robots_url: str, host: str) -> _Robots:
        from protego import Protego

        text = self._cached_robots(robots_url)
        if text is None:
            try:
                response = self._attempts(robots_url, None, {}, ROBOTS_MAX_BYTES, robots=False, retries=0)[0]
            except _Failure as f:
                if f.status is not None and (f.status >= 500 or f.status == 429):
                    return _Robots(refused=f"robots.txt unavailable ({f.reason}); host not crawled this run")
                if f.status is None:
                    if not f.reason.startswith("blocked"):
                        log.info("robots.txt of %s unreachable (%s); treated as absent", host, f.reason)
                    return _Robots()  # not cached: ask again next time
                text = ""  # a 4xx: no robots.txt, everything allowed
            else:
                text = response.body.decode("utf-8", errors="replace")
            self._store_robots(robots_url, text)
        rules = Protego.parse(text)
        delay = rules.crawl_delay(self.settings.robots_token)
        if delay:
            if delay > self.settings.max_crawl_delay:
                log.warning("%s asks Crawl-delay %s s; capped at %s s", host, delay, self.settings.max_crawl_delay)
            self.gate.set_delay(host, min(float(delay), self.settings.max_crawl_delay))
        return _Robots(rules)

    # robots.txt kept on disk for ROBOTS_TTL, so hourly runs and parallel outlet tasks ask once a day
    def _robots_file(self, robots_url: str) -> Path | None:
        if self.robots_dir is None:
            return None
        from pipeline.staging import safe_name

        return self.robots_dir / f"{safe_name(robots_url)}.txt"

    def _cached_robots(self, robots_url: str) -> str | None:
        path = self._robots_file(robots_url)
        try:
            if path is None or time.time() - path.stat().st_mtime > ROBOTS_TTL:
                return None
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def _store_robots(self, robots_url: str, text: str) -> None:
        path = self._robots_file(robots_url)
        if path is None:
            return
        from pipeline.files import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))

    def allowed_by_robots(self, url: str) -> str | None:
        """None if robots.txt lets us fetch ``url``, else the reason it does not."""
        if not self.settings.respect_robots:
            return None
        robots = self._robots_for(url)
        if robots.refused:
            return robots.refused
        if robots.rules is not None and not robots.rules.can_fetch(url, self.settings.robots_token):
            return "disallowed by robots.txt"
        return None

    # ---- one attempt

    def _once(
        self, url: str, accept: tuple[str, ...] | None, validators: dict[str, str], max_bytes: int, robots: bool
    ) -> Response:
        """One attempt, redirects included, within ``max_fetch_seconds``; raises ``_Failure``."""
        with Deadline(self.settings.max_fetch_seconds) as deadline:
            try:
                return self._hops(url, accept, validators, max_bytes, robots, deadline)
            except _Failure as f:
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
                        wait = _retry_after(resp.headers.get("Retry-After"))
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
                        raise self._too_slow(resp.status_code)
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
                f.reason = f.reason if attempts == 1 else f"{f.reason} (after {attempts} attempts)"
                log.info("fetch %s attempt %d failed: %s", url, attempts, f.reason)
                f.attempts = attempts
                if not f.retryable or attempts > max_retries:
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
        Credentials written into ``url`` are sent to its origin but left out of the result, the
        archive and the log (``pipeline.credentials``).
        """
        url = self.credentials.take(url)
        accept = FEED_TYPES if kind == "feed" else HTML_TYPES
        started = datetime.now(UTC)
        t0 = time.monotonic()
        try:
            cap = self.settings.max_feed_bytes if kind == "feed" else self.settings.max_bytes
            response, attempts = self._attempts(url, accept, validators or {}, cap, robots=True)
        except _Failure as f:
            elapsed = (time.monotonic() - t0) * 1000
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
