import gzip

import pytest

from pipeline.discover import FeedTooLarge, NotAFeed, read_feed

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>a</title><link>https://n.example/a</link></item>
<item><title>b</title><link>/b</link></item>
<item><title>dup</title><link>https://n.example/a</link></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>a</title><link rel="alternate" href="https://n.example/atom-a"/><id>x1</id></entry></feed>"""
RSS1 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://n.example/"><title>T</title><link>https://n.example/</link>
<description>d</description></channel><item rdf:about="https://n.example/r1"><title>r1</title>
<link>https://n.example/r1</link></item></rdf:RDF>"""
SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://n.example/s1</loc><news:news><news:title>x</news:title></news:news>
<image:image><image:loc>https://n.example/pic.jpg</image:loc></image:image></url>
<url><loc> https://n.example/s2 </loc></url></urlset>"""
RSS091 = b"""<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>T</title>
<link>https://n.example/</link><description>d</description><language>en</language>
<item><title>a</title><link>https://n.example/091</link></item></channel></rss>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://n.example/sm-1.xml</loc></sitemap></sitemapindex>"""


@pytest.mark.parametrize(
    ("data", "kind", "urls"),
    [
        (RSS, "rss20", ("https://n.example/a", "https://n.example/b")),
        (ATOM, "atom10", ("https://n.example/atom-a",)),
        (RSS1, "rss10", ("https://n.example/r1",)),
        (SITEMAP, "sitemap", ("https://n.example/s1", "https://n.example/s2")),
        (gzip.compress(SITEMAP), "sitemap", ("https://n.example/s1", "https://n.example/s2")),
        (
            b"https://n.example/u1\n# comment\nhttps://n.example/u2\n",
            "urllist",
            ("https://n.example/u1", "https://n.example/u2"),
        ),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>E</title></channel></rss>', "rss20", ()),
        (RSS091, "rss091u", ("https://n.example/091",)),
        (b'<rss version="0.92"><channel><title>T</title><item><link>/092</link></item></channel></rss>',
         "rss092", ("https://n.example/092",)),  # fmt: skip
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>a</title>'
         b'<link href="/atom-rel"/><id>tag:x</id></entry></feed>',
         "atom10", ("https://n.example/atom-rel",)),  # fmt: skip
        (b'<rss version="2.0"><channel><title>x</title><item><title>no link</title>'
         b'<guid isPermaLink="false">abc-123</guid></item></channel></rss>', "rss20", ()),  # fmt: skip
        (b"\xef\xbb\xbf" + SITEMAP, "sitemap", ("https://n.example/s1", "https://n.example/s2")),
    ],
)
def test_feed_formats_are_detected(data: bytes, kind: str, urls: tuple[str, ...]) -> None:
    contents = read_feed(data, "https://n.example/feed")
    assert contents.kind == kind
    assert contents.article_urls == urls


def test_sitemap_index_lists_child_sitemaps() -> None:
    contents = read_feed(INDEX, "https://n.example/sitemap.xml")
    assert contents.kind == "sitemapindex"
    assert contents.sitemap_urls == ("https://n.example/sm-1.xml",)
    assert contents.article_urls == ()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML page"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a feed"),
        (b"<urlset><url><loc>x</loc></url>", "not well-formed"),
    ],
)
def test_non_feeds_raise_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(NotAFeed, match=reason):
        read_feed(data, "https://n.example/feed")


def test_external_entities_are_not_resolved(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://n.example/&x;</loc></url></urlset>'
    ).encode()
    try:
        contents = read_feed(xxe, "https://n.example/feed")
    except NotAFeed:
        return
    assert all("TOPSECRET" not in u for u in contents.article_urls)


def _bomb(inflated: int) -> bytes:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    entry = b"<url><loc>https://n.example/a</loc></url>"
    return gzip.compress(head + entry * (inflated // len(entry)) + b"</urlset>", compresslevel=9)


def test_a_gzip_bomb_feed_stops_at_the_cap_without_inflating() -> None:
    """40 MB inside, tens of KB on the wire: refused at a 1 MB cap, and never held in memory whole."""
    import tracemalloc

    bomb = _bomb(40_000_000)
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(FeedTooLarge, match="over 1000000 bytes once decompressed"):
            read_feed(bomb, "https://n.example/sitemap.xml.gz", max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    # the same file under a cap it fits in is an ordinary sitemap
    assert read_feed(_bomb(3_000_000), "https://n.example/sitemap.xml.gz", max_bytes=5_000_000).article_urls == (
        "https://n.example/a",
    )


def test_a_cut_gzip_feed_is_not_a_feed() -> None:
    packed = gzip.compress(SITEMAP)
    with pytest.raises(NotAFeed, match="cut short"):
        read_feed(packed[: len(packed) * 4 // 5], "https://n.example/sitemap.xml.gz")


GZ_SITEMAP_CHILD = """
import resource, sys, zlib
from pipeline.discover import read_feed
head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
entries = b"".join(b"<url><loc>https://n.example/news/%d.html</loc><lastmod>2026-03-02</lastmod></url>" % i
                   for i in range(1000))
packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # a gzip file, written piece by piece
parts = [packer.compress(head)]
for _ in range(int(sys.argv[1]) // len(entries)):
    parts.append(packer.compress(entries))
parts.append(packer.compress(b"</urlset>") + packer.flush())
data = b"".join(parts)
del parts
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = read_feed(data, "https://n.example/sitemap.xml.gz", 10 * int(sys.argv[1]))
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
print(found.kind, len(found.article_urls), grown)
"""


def test_a_big_gzip_sitemap_is_parsed_as_a_stream() -> None:
    """A .xml.gz sitemap of 100 MB once inflated, under a cap that lets it in (issue 21, item 8):
    its URLs come out, and the peak memory of the process grows by far less than the inflated file
    (before: the whole file inflated in memory, then a tree of all of it)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", GZ_SITEMAP_CHILD, str(100_000_000)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    kind, n, grown_mb = proc.stdout.split()
    assert (kind, int(n)) == ("sitemap", 1000)
    assert int(grown_mb) < 40, f"peak RSS grew by {grown_mb} MB while reading a 100 MB sitemap"
