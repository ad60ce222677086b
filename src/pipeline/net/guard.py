"""The address guard: which hosts may be connected to, and connections that keep to it.

``AddressPolicy.vet`` resolves a name once and refuses any non-public address; ``GuardedAdapter``
makes requests open every socket through it and connect to the vetted address itself, so DNS
rebinding cannot slip between check and connect. ``Deadline`` bounds one attempt's wall-clock time
by shutting its sockets down. docs/FETCHING.md ("Security", "Robustness") explains the rules.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection


class BlockedAddress(ValueError):
    """A URL whose scheme or address the fetcher refuses."""


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

    While active on a thread (``with deadline:``) it registers every socket that thread's guarded
    connections open or reuse; when time runs out a timer shuts them down, ending any blocked
    handshake or read, and ``fired`` tells the reader why the body ended.
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
        """The connection class that opens its socket only to an address the policy vetted."""
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
            """Send a request, watching a kept-alive socket against the deadline first."""
            Deadline.watch(self.sock)  # a connection kept alive from an earlier request
            super().request(*args, **kwargs)

    return PinnedConnection


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connection pools open sockets only through ``AddressPolicy.vet``."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Set up the pool manager so its pools use the pinned, vetted connection classes."""
        super().init_poolmanager(*args, **kwargs)
        http_conn, https_conn = _pinned(HTTPConnection, self.policy), _pinned(HTTPSConnection, self.policy)
        http_pool = type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
        https_pool = type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
