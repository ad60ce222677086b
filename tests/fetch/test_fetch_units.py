"""Pieces of the fetch stage on their own: the state file, the address guard with an injected
resolver, the host gate, robots.txt Crawl-delay, conditional GET (URL normalisation is tested in
tests/parse/test_url_identity.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from faultserver import FaultServer

from pipeline import state
from pipeline.net.client import Fetcher, Request
from pipeline.net.guard import AddressPolicy, BlockedAddress, check_url
from pipeline.net.politeness import HostGate
from pipeline.records import FetchResult
from pipeline.settings import Settings


def test_state_counts_a_failure_once_per_run_and_gives_up(tmp_path: Path) -> None:
    bad = FetchResult("https://n.example/a", "O", "article", False, 503, "HTTP 503")
    for run in ("r1", "r1", "r2"):  # r1 twice: a retried task
        state.record_fetches(tmp_path, "O", run, [bad])
    snap = state.FetchState.load(tmp_path, "O")
    assert snap.get(bad.url)["failed_runs"] == 2
    assert snap.pending(3) == [bad.url] and snap.pending(2) == []
    assert snap.gave_up(bad.url, 2)
    state.record_loaded(tmp_path, "O", "r3", stored=[bad.url], rejected=[])
    snap = state.FetchState.load(tmp_path, "O")
    assert snap.is_stored(bad.url) and snap.pending(3) == []


def test_state_keeps_validators_and_a_304_does_not_erase_them(tmp_path: Path) -> None:
    ok = FetchResult("https://n.example/f", "O", "feed", True, 200, etag='"v1"', last_modified="Mon, 02 Mar 2026")
    state.record_fetches(tmp_path, "O", "r1", [ok])
    state.record_fetches(tmp_path, "O", "r2", [FetchResult(ok.url, "O", "feed", True, 304)])
    assert state.FetchState.load(tmp_path, "O").validators(ok.url) == {
        "etag": '"v1"',
        "last_modified": "Mon, 02 Mar 2026",
    }


def test_a_damaged_state_file_costs_requests_not_articles(tmp_path: Path) -> None:
    path = state.state_path(tmp_path, "O")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert state.FetchState.load(tmp_path, "O").urls == {}


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


def _settings(tmp_path: Path, **kw: object) -> Settings:
    base = dict(data_dir=tmp_path / "d", per_host_delay=0.0, backoff_base=0.01, max_retries=1, read_timeout=2.0)
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def test_the_connection_goes_to_the_vetted_address(tmp_path: Path, server: FaultServer) -> None:
    """A name only our resolver knows: the socket is opened to the address the policy vetted."""
    policy = AddressPolicy(allow=frozenset({f"127.0.0.1:{server.port}"}), resolver=lambda host, port: ["127.0.0.1"])
    with Fetcher(_settings(tmp_path), policy=policy, sleep=lambda _: None) as f:
        result, body = f.fetch(f"http://news.test:{server.port}/news/alpha.html", outlet="O", kind="article")
    assert result.ok and body and b"Story alpha" in body
    assert any(host == f"news.test:{server.port}" for _, _, host in server.requests)


def test_a_name_with_any_private_address_is_refused(tmp_path: Path, server: FaultServer) -> None:
    """Rebinding-style answers mixing a public and a private address are refused before connecting."""
    policy = AddressPolicy(resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    before = len(server.requests)
    with Fetcher(_settings(tmp_path), policy=policy, sleep=lambda _: None) as f:
        result, _ = f.fetch(f"http://rebind.test:{server.port}/news/alpha.html", outlet="O", kind="article")
    assert not result.ok and "blocked" in (result.reason or "") and "127.0.0.1" in (result.reason or "")
    assert len(server.requests) == before


def test_only_the_exact_allowed_endpoint_passes() -> None:
    policy = AddressPolicy(allow=frozenset({"127.0.0.1:8080"}), resolver=lambda host, port: ["127.0.0.1"])
    check_url("http://localhost:8080/x", allow_private=False, policy=policy)
    with pytest.raises(BlockedAddress):
        check_url("http://localhost:8081/x", allow_private=False, policy=policy)


def test_the_host_gate_spaces_requests_to_one_host() -> None:
    waits: list[float] = []
    gate = HostGate(delay=5.0, concurrency=1, sleep=waits.append)
    for _ in range(3):
        with gate.slot("a.example"):
            pass
    with gate.slot("b.example"):  # another host does not wait for a.example
        pass
    assert len(waits) == 2 and all(0 < w <= 10.0 for w in waits)


def test_robots_rules_are_matched_per_path(tmp_path: Path) -> None:
    from protego import Protego

    from pipeline.net.robots import RobotsRules

    with Fetcher(_settings(tmp_path, per_host_delay=0.5)) as f:
        f.robots.rules["http://h.example"] = RobotsRules(Protego.parse("User-agent: *\nDisallow: /x/\n"))
        assert f.allowed_by_robots("http://h.example/x/1") == "disallowed by robots.txt"
        assert f.allowed_by_robots("http://h.example/y/1") is None


def test_crawl_delay_from_a_served_robots_txt(tmp_path: Path) -> None:
    from faultserver import send

    with FaultServer() as s:
        original = s.handle

        def handle(h, n):  # type: ignore[no-untyped-def]
            if h.path == "/robots.txt":
                return send(h, 200, b"User-agent: factcheck-pipeline\nCrawl-delay: 7\nDisallow:\n", "text/plain")
            return original(h, n)

        s.handle = handle  # type: ignore[method-assign]
        with Fetcher(_settings(tmp_path, allow_private_network=True), sleep=lambda _: None) as f:
            result, _ = f.fetch(s.base + "/news/beta.html", outlet="O", kind="article")
            assert result.ok
            assert f.gate._delays[f"127.0.0.1:{s.port}"] == 7.0


def test_conditional_get_returns_304_without_a_body(tmp_path: Path, server: FaultServer) -> None:
    settings = _settings(tmp_path, allow_private_network=True)
    with Fetcher(settings, sleep=lambda _: None) as f:
        first, body = f.fetch(server.base + "/news/gamma.html", outlet="O", kind="article")
        assert first.ok and first.status == 200 and first.etag == '"gamma-1"' and body
        again = f.fetch_many(
            [Request(first.url, {"etag": first.etag or ""})], outlet="O", kind="article", keep_bodies=True
        )
    (second, second_body), = again
    assert second.ok and second.status == 304 and second_body is None and second.archive_ref is None


def test_fetch_many_keeps_input_order_across_hosts(tmp_path: Path, server: FaultServer) -> None:
    settings = _settings(tmp_path, allow_private_network=True, host_workers=4)
    urls = [server.base + "/news/alpha.html", f"http://localhost:{server.port}/news/beta.html",
            server.base + "/news/gone.html"]  # fmt: skip
    with Fetcher(settings, sleep=lambda _: None) as f:
        results = f.fetch_many([Request(u) for u in urls], outlet="O", kind="article")
    assert [r.url for r, _ in results] == urls
    assert [r.ok for r, _ in results] == [True, True, False]


def test_fetch_settings_come_from_the_environment() -> None:
    s = Settings.from_env(
        {"FACTCHECK_REFETCH": "true", "FACTCHECK_ALLOW_ENDPOINTS": "127.0.0.1:8080, [::1]:9000",
         "FACTCHECK_HOST_WORKERS": "3", "FACTCHECK_MAX_FAILED_RUNS": "2"}
    )  # fmt: skip
    assert s.refetch and s.host_workers == 3 and s.max_failed_runs == 2
    assert s.allowed_endpoints == frozenset({"127.0.0.1:8080", "[::1]:9000"})
    with pytest.raises(ValueError, match="HOST_WORKERS"):
        Settings.from_env({"FACTCHECK_HOST_WORKERS": "0"})


def test_cli_run_has_refetch_and_private_network_flags() -> None:
    from pipeline.cli import build_parser

    args = build_parser().parse_args(["run", "--refetch", "--allow-private-network", "--db", "x.duckdb"])
    assert args.refetch and args.allow_private_network
    args = build_parser().parse_args(["reprocess", "--db", "x.duckdb"])
    assert args.func.__name__ == "cmd_reprocess"


@pytest.mark.parametrize("url", ["http://[bad/x", "http://exa mple.com/", "http://example.com:99999/", "ftp://x.example/"])
def test_malformed_urls_fail_with_a_reason_not_an_exception(tmp_path: Path, url: str) -> None:
    with Fetcher(_settings(tmp_path, max_retries=0), sleep=lambda _: None) as f:
        result, body = f.fetch(url, outlet="O", kind="article")
    assert not result.ok and result.reason and body is None


def test_a_retry_after_beyond_the_cap_waits_for_the_next_run(tmp_path: Path, server: FaultServer) -> None:
    waits: list[float] = []
    with Fetcher(_settings(tmp_path, allow_private_network=True), sleep=waits.append) as f:
        result, _ = f.fetch(server.base + "/news/retry-tomorrow.html", outlet="O", kind="article")
    assert not result.ok and "retried next run" in (result.reason or "") and result.attempts == 1
    assert all(w <= 60 for w in waits), "the task never sleeps for a day"


def test_a_decompression_bomb_stops_at_the_cap(tmp_path: Path, server: FaultServer) -> None:
    with Fetcher(_settings(tmp_path, allow_private_network=True, max_bytes=1_000_000), sleep=lambda _: None) as f:
        result, body = f.fetch(server.base + "/news/bomb.html", outlet="O", kind="article")
    assert not result.ok and "too large" in (result.reason or "") and body is None


def test_retry_after_as_an_http_date() -> None:
    from email.utils import format_datetime

    from pipeline.net.politeness import retry_after

    soon = datetime.now(UTC) + timedelta(seconds=30)
    assert 20 <= (retry_after(format_datetime(soon, usegmt=True)) or 0) <= 30
    assert retry_after("120") == 120.0 and retry_after("soon") is None


def test_more_than_one_lane_per_host_when_allowed(tmp_path: Path, server: FaultServer) -> None:
    settings = _settings(tmp_path, allow_private_network=True, per_host_concurrency=2, host_workers=4)
    urls = [f"{server.base}/lane/{i}.html" for i in range(6)]
    with Fetcher(settings, sleep=lambda _: None) as f:
        results = f.fetch_many([Request(u) for u in urls], outlet="O", kind="article")
    assert [r.url for r, _ in results] == urls and all(r.ok for r, _ in results)


def test_parallel_tasks_share_a_hosts_schedule(tmp_path: Path) -> None:
    """Two fetchers (two outlet tasks) on one host: the second waits for the first's delay."""
    first_waits: list[float] = []
    second_waits: list[float] = []
    one = HostGate(delay=30.0, concurrency=1, sleep=first_waits.append, clock_dir=tmp_path)
    two = HostGate(delay=30.0, concurrency=1, sleep=second_waits.append, clock_dir=tmp_path)
    with one.slot("shared.example"):
        pass
    with two.slot("shared.example"):
        pass
    with two.slot("other.example"):
        pass
    assert first_waits == [] and len(second_waits) == 1 and 0 < second_waits[0] <= 30.0
    two.defer("other.example", 45.0)  # a Retry-After seen by one task holds for the other
    with one.slot("other.example"):
        pass
    assert len(first_waits) == 1 and 30.0 < first_waits[0] <= 45.0


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254 (cloud metadata)
        ("64:ff9b::c0a8:101", False),  # NAT64 of 192.168.1.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("64:ff9b:1::a00:1", False),  # local-use NAT64 (RFC 8215) of 10.0.0.1
        ("64:ff9b:1::808:808", False),  # local-use NAT64: refused, its IPv4 bits may sit elsewhere
        ("::ffff:0:7f00:1", False),  # IPv4-translated (RFC 2765) 127.0.0.1
        ("::ffff:0:a00:1", False),  # IPv4-translated 10.0.0.1
        ("::ffff:0:808:808", True),  # IPv4-translated 8.8.8.8
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("::a9fe:a9fe", False),  # IPv4-compatible 169.254.169.254
        ("::808:808", True),  # IPv4-compatible 8.8.8.8
        ("fec0::1", False),  # site-local
        ("fefe::1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
    ],
)
def test_the_guard_judges_ipv6_by_the_ipv4_it_embeds(address: str, public: bool) -> None:
    """A name resolving to an IPv6 form of a private IPv4 address is refused like that address."""
    policy = AddressPolicy(resolver=lambda host, port: [address])
    if public:
        assert policy.vet("name.test", 80) == [address]
    else:
        with pytest.raises(BlockedAddress, match="non-public"):
            policy.vet("name.test", 80)


def test_a_whole_compressed_body_is_decoded(tmp_path: Path, server: FaultServer) -> None:
    with Fetcher(_settings(tmp_path, allow_private_network=True), sleep=lambda _: None) as f:
        result, body = f.fetch(server.base + "/news/gzip-whole.html", outlet="O", kind="article")
    assert result.ok and body is not None and body.endswith(b"</html>") and b"Cut in transit" in body
    assert result.n_bytes == len(body)


@pytest.mark.parametrize("path", ["/news/gzip-cut.html", "/news/deflate-cut.html"])
def test_a_compressed_body_cut_short_is_a_failed_fetch(tmp_path: Path, server: FaultServer, path: str) -> None:
    """The wire bytes match Content-Length, but the stream has no end: failed, retried, no body."""
    before = server.hits(path)
    with Fetcher(_settings(tmp_path, allow_private_network=True), sleep=lambda _: None) as f:
        result, body = f.fetch(server.base + path, outlet="O", kind="article")
    assert not result.ok and body is None
    assert (result.reason or "").startswith("incomplete body:") and "cut short" in (result.reason or "")
    assert result.attempts == 2 and server.hits(path) - before == 2


@pytest.mark.parametrize("path", ["/drip/body", "/drip/headers"])
def test_the_deadline_holds_against_a_drip_feed(tmp_path: Path, path: str) -> None:
    """A byte every 0.2 s never trips the read timeout; the 2 s deadline still ends the fetch."""
    with FaultServer(drip_bytes=60, drip_every=0.2) as drip:
        s = _settings(tmp_path, allow_private_network=True, max_fetch_seconds=2.0, read_timeout=5.0, max_retries=0)
        with Fetcher(s, sleep=lambda _: None) as f:
            result, body = f.fetch(drip.base + path, outlet="O", kind="article")
        sent = drip.dripped[path]
    assert not result.ok and body is None
    assert result.reason == "timeout: response not complete within 2.0 s"
    assert sent < 60, "the fetch gave up before the server had sent everything"


def test_the_deadline_holds_against_a_stalled_tls_handshake(tmp_path: Path) -> None:
    """A server that accepts the TCP connection and never answers the ClientHello: connect and read
    timeouts of 30 s do not end it, the 2 s deadline does, and the client hangs up on its own."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: dict[str, bool] = {}

    def stall() -> None:
        conn, _ = listener.accept()
        conn.settimeout(20)
        try:
            while conn.recv(4096):  # the ClientHello, then nothing back from us
                pass
            seen["client_hung_up"] = True
        except TimeoutError:
            seen["client_hung_up"] = False
        finally:
            conn.close()

    thread = threading.Thread(target=stall, daemon=True)
    thread.start()
    s = _settings(
        tmp_path,
        allow_private_network=True,
        respect_robots=False,
        connect_timeout=30.0,
        read_timeout=30.0,
        max_fetch_seconds=2.0,
        max_retries=0,
    )
    with Fetcher(s, sleep=lambda _: None) as f:
        result, body = f.fetch(f"https://127.0.0.1:{port}/story.html", outlet="O", kind="article")
    thread.join(30)
    listener.close()
    assert not result.ok and body is None
    assert result.reason == "timeout: response not complete within 2.0 s"
    assert seen == {"client_hung_up": True}
