"""Feeds, sitemaps and URL lists -> candidate article URLs. Pure: bytes in, URLs out.

The format is detected from the bytes, not from the URL or the Content-Type: sitemaps
(``<urlset>``, including Google News sitemaps) and sitemap indexes, RSS 0.9x/1.0/2.0 and Atom
(through feedparser), and plain text lists of URLs. A valid feed with no entries is not an error;
bytes that are none of these raise ``NotAFeed`` with the reason. A gzip-compressed file (a
``.xml.gz`` sitemap) is decompressed as a stream under the same cap as any fetched feed
(``Settings.max_feed_bytes``): a small file that inflates past it raises ``FeedTooLarge``. A
sitemap is parsed as a stream too (entries dropped once read), so a big one costs the URLs it
lists, not its size.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from pipeline.net.inflate import InflateError, Inflater, TooLarge
from pipeline.settings import Settings

_SITEMAP_ROOT = re.compile(rb"<(?:\w+:)?(urlset|sitemapindex)\b")


class NotAFeed(ValueError):
    """The bytes are not a feed, sitemap or URL list."""


class FeedTooLarge(NotAFeed):
    """A compressed feed file larger than the cap once decompressed."""


DEFAULT_MAX_BYTES: int = Settings().max_feed_bytes  # the cap of a fetched feed, unless told otherwise


@dataclass(frozen=True, slots=True)
class FeedContents:
    """What a feed or sitemap lists: its kind, article URLs and child sitemap URLs."""
    kind: str  # rss20, atom10, ..., sitemap, sitemapindex, urllist
    article_urls: tuple[str, ...] = ()
    sitemap_urls: tuple[str, ...] = field(default=())  # child sitemaps of a sitemap index


def _http_url(value: str | None, base: str) -> str | None:
    if not value:
        return None
    url = urljoin(base, value.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


def _unique(urls: list[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in urls if u))


def _read_sitemap(chunks: Iterable[bytes], base: str, kind: str) -> FeedContents:
    """Parse a sitemap (``kind`` "urlset") or sitemap index as a stream: each entry is dropped once
    read and a URL listed again is kept once, so memory follows the distinct URLs listed, not the
    size of the document (a 600 MB sitemap is fine)."""
    parser = etree.XMLPullParser(
        events=("end",),
        tag=("{*}loc", "{*}url", "{*}sitemap"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=False,
    )
    seen: dict[str, str | None] = {}  # the text of each <loc>, and the URL it gives

    def drain() -> None:
        for _, el in parser.read_events():
            parent = el.getparent()
            if parent is None:
                continue
            if el.tag.rpartition("}")[2] == "loc":
                # only the <loc> of a <url>/<sitemap> entry, not image:loc or video:loc inside it
                text = el.text
                if text not in seen and parent.tag.rpartition("}")[2] in ("url", "sitemap"):
                    seen[text] = _http_url(text, base)
            elif parent.getparent() is None:  # an entry of the root: read, so free it and those before
                el.clear(keep_tail=True)
                while el.getprevious() is not None:
                    del parent[0]

    try:
        for chunk in chunks:
            parser.feed(chunk)
            drain()
        parser.close()
        drain()
    except etree.XMLSyntaxError as e:
        raise NotAFeed(f"sitemap is not well-formed XML: {e}") from e
    locs = list(seen.values())
    if kind == "sitemapindex":
        return FeedContents("sitemapindex", sitemap_urls=_unique(locs))
    return FeedContents("sitemap", article_urls=_unique(locs))


def _read_url_list(data: bytes, base: str) -> FeedContents | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines or not all(re.match(r"https?://\S+$", ln) for ln in lines):
        return None
    return FeedContents("urllist", article_urls=_unique([_http_url(ln, base) for ln in lines]))


def _gunzip(data: bytes, max_bytes: int) -> Iterator[bytes]:
    """Decompress a gzip file in 64 KiB steps as a stream of pieces, never more than ``max_bytes``
    in all (``FeedTooLarge`` past it): the whole inflated file is never held."""
    inflater = Inflater("gzip", max_bytes)
    try:
        for i in range(0, len(data), 65536):
            out = inflater.feed(data[i : i + 65536])
            if out:
                yield out
        tail = inflater.finish()
        if tail:
            yield tail
    except TooLarge as e:
        raise FeedTooLarge(f"too large: gzip-compressed feed of {len(data)} bytes is {e}") from e
    except InflateError as e:
        raise NotAFeed(f"gzip-compressed body cannot be decompressed: {e}") from e


def _pieces(data: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def read_feed(data: bytes, url: str, max_bytes: int = DEFAULT_MAX_BYTES) -> FeedContents:
    """Detect the format of ``data`` (fetched from ``url``) and list the URLs it points to.

    ``max_bytes`` caps a gzip-compressed ``data`` once decompressed (``FeedTooLarge`` beyond it).
    A gzip-compressed sitemap is decompressed into the parser piece by piece (never whole); other
    gzip-compressed formats are decompressed whole, under the same cap.
    """
    if data[:2] == b"\x1f\x8b":
        stream = _gunzip(data, max_bytes)
        head = b""
        for piece in stream:  # enough of the start to tell the format
            head += piece
            if len(head) >= 4096:
                break
        if root := _SITEMAP_ROOT.search(head[:4096]):
            pieces = itertools.chain([head.lstrip(b"\xef\xbb\xbf \t\r\n")], stream)
            return _read_sitemap(pieces, url, root.group(1).decode())
        data = head + b"".join(stream)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise NotAFeed("empty response")
    if root := _SITEMAP_ROOT.search(data[:4096]):
        return _read_sitemap(_pieces(data.lstrip(b"\xef\xbb\xbf \t\r\n")), url, root.group(1).decode())
    listed = _read_url_list(data, url)
    if listed is not None:
        return listed
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    version = parsed.get("version") or ""
    if version:
        links = []
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                alternates = [lk.get("href") for lk in entry.get("links", []) if lk.get("rel") == "alternate"]
                # a guid/id is an address only when it is an absolute URL ("abc-123" is not)
                guid = entry.get("id") or ""
                link = alternates[0] if alternates else (guid if re.match(r"https?://", guid) else None)
            links.append(_http_url(link, url))
        return FeedContents(version, article_urls=_unique(links))
    lowered = head[:512].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        raise NotAFeed("an HTML page, not a feed or sitemap")
    problem = parsed.get("bozo_exception")
    raise NotAFeed(f"not a feed, sitemap or URL list ({problem or 'unrecognised format'})")
