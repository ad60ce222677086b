"""Turn the bytes of one fetched page into an :class:`~pipeline.records.Article`.

Pure: no network, no database, no printing. The steps, each replaceable on its own:

1. guard the input (empty, binary, over ``MAX_BYTES``) and decide the character set from the bytes:
   byte-order mark, the HTTP header's charset, ``<meta charset>``, then detection;
2. parse once with lxml (libxml2 caps nesting depth); oversized trees are cut and get fast passes;
3. metadata by a cascade of evidence, each field on its own: JSON-LD (read leniently), OpenGraph and
   ``article:*`` meta, other meta tags, visible bylines and headlines; htmldate for dates, weighed
   against the structured dates, the URL and the dates the page shows (the dateline in the article
   header beats htmldate's guess when nothing structured dates the page); the stated modification
   time is kept beside the publication date, never in its place; authors are the people a page
   names, or, when it names none, the organisation it credits;
4. body text with trafilatura (precision mode; recall mode, JSON-LD ``articleBody`` and a paragraph fallback when it
   finds too little); then the paragraphs, list items and subheadings it dropped between two blocks
   it kept, inside the container holding most of its text, are merged back, and so are the credit
   lines just before or after them;
   one paragraph per block separated by a blank line, promotional lines dropped;
5. decide whether the page is an article at all (page type, text length, link text, walls).

Bad input never raises: it yields an ``Article`` with ``is_article=False`` and a reason. The dev-set
figures behind each choice are in docs/BENCHMARKS.md and the commit messages. One module per step:
``encoding``, ``tree``, ``jsonld``, ``title``, ``authors`` (with ``byline_words``, ``names`` and
``credits``), ``dates``, ``canonical``, ``body``, ``pagetype``; ``rules`` names the heuristics
written while looking at particular dev pages.
"""

from __future__ import annotations

import logging

import lxml.html
from lxml import etree

from pipeline.controls import strip_controls, strip_controls_line
from pipeline.parse.authors import choose_authors
from pipeline.parse.body import extract_body
from pipeline.parse.canonical import choose_canonical
from pipeline.parse.dates import choose_date, choose_modified
from pipeline.parse.encoding import binary_reason, decide_charset, decode_html
from pipeline.parse.jsonld import article_node, jsonld_nodes
from pipeline.parse.pagetype import detect_language, not_article_reason
from pipeline.parse.title import choose_title, site_names, strip_site_suffix
from pipeline.parse.tree import (
    HEAD_SEGMENTS,
    first,
    meta_map,
    parse_tree,
    place_streamed_content,
    text_segments,
    truncate_tree,
)
from pipeline.records import Article
from pipeline.urls import clean_url

__all__ = ["clean_url", "decide_charset", "decode_html", "parse_article", "strip_site_suffix"]

log = logging.getLogger(__name__)

MAX_BYTES = 3_000_000  # pages are cut here before parsing, to bound the time spent on one page
# Oversized pages are cut here and get fast passes only. The dev pages have at most ~4,000 elements
# and ~200,000 characters of text.
LARGE_TREE_ELEMENTS = 15_000
LARGE_TEXT_CHARS = 600_000


def parse_article(
    data: bytes,
    url: str,
    outlet: str = "",
    *,
    charset: str | None = None,
    raw_ref: str | None = None,
    domain: str | None = None,
) -> Article:
    """Extract the body text and metadata of one page. Never raises on bad input.

    ``domain`` is the outlet's declared domain (sources file): a canonical URL on it, or on the
    fetched URL's own site, becomes the article's identity; one elsewhere is only recorded.
    """

    def reject(reason: str) -> Article:
        """Log why the page is not an article and return it as a non-article record with no text."""
        log.info("not an article: %s: %s", url, reason)
        return Article(
            url=url,
            canonical_url=clean_url(url, "") or url,
            outlet=outlet,
            title=None,
            authors=(),
            published_at=None,
            language=None,
            text="",
            is_article=False,
            not_article_reason=strip_controls_line(reason),
            raw_ref=raw_ref,
        )

    if not isinstance(data, (bytes, bytearray)) or not data:
        return reject("empty page")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        log.info("page %s is %d bytes; parsing the first %d", url, len(data), MAX_BYTES)
        data = data[:MAX_BYTES]
    try:
        html, _codec = decode_html(data, charset)
    except (LookupError, ValueError) as e:
        return reject(f"undecodable bytes ({e})")
    reason = binary_reason(data, html)
    if reason:
        return reject(reason)
    tree = parse_tree(html)
    if tree is None or tree.find("body") is None and len(tree) == 0:
        return reject("unparseable HTML")
    try:
        return _parse_tree_to_article(tree, url, outlet, raw_ref, domain)
    except RecursionError:
        return reject("markup nested too deeply to process")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError) as e:
        # a page that trips a library we call is one bad document, not a failed run: record and skip
        log.warning("parse failed on %s: %r", url, e, exc_info=True)
        return reject(f"extraction failed ({type(e).__name__}: {e})")


def _parse_tree_to_article(
    tree: lxml.html.HtmlElement, url: str, outlet: str, raw_ref: str | None, domain: str | None = None
) -> Article:
    large = truncate_tree(tree, LARGE_TREE_ELEMENTS, LARGE_TEXT_CHARS)
    if large:
        log.info("page %s is oversized: cut to its first part, fast extraction only", url)
    if place_streamed_content(tree):
        log.debug("page %s: React-streamed parts moved into place", url)
    meta = meta_map(tree)
    nodes = jsonld_nodes(tree)
    canonical, claimed = choose_canonical(tree, meta, url, domain)
    if claimed:
        log.info("page %s names %s, on another site, as its canonical URL: recorded, not its identity", url, claimed)
    ld = article_node(nodes, canonical)
    sites = site_names(meta, ld, outlet, canonical)
    # terminal escapes and other control characters in a page never reach a stored field
    title = choose_title(tree, meta, ld, sites)
    title = (strip_controls_line(title) or None) if title is not None else None
    # the body's first text pieces, read by the byline, dateline and shown-date steps: walked once
    body = tree.find("body")
    head = text_segments(body, HEAD_SEGMENTS) if body is not None else None
    named = choose_authors(tree, meta, nodes, ld, sites, large, head=head)
    authors = tuple(a for a in map(strip_controls_line, named) if a)
    published = choose_date(
        tree, meta, ld, canonical if canonical.startswith("http") else url, large, nodes=nodes, head=head
    )
    modified = choose_modified(meta, ld, published, nodes=nodes, tree=tree, head=head)
    # comments can carry dates (htmldate reads them) but they mislead the text extractor
    etree.strip_tags(tree, etree.Comment)
    text, how = extract_body(tree, url, ld, large)
    text = strip_controls(text)
    log.debug("body of %s by %s: %d chars", url, how, len(text))
    language = detect_language(text, tree.get("lang") or first(meta, "content-language", "og:locale"))
    reason = not_article_reason(tree, text, meta, nodes, ld)
    return Article(
        url=url,
        canonical_url=canonical,
        outlet=outlet,
        title=title,
        authors=authors,
        published_at=published,
        modified_at=modified,
        language=language,
        text=text,
        is_article=reason is None,
        not_article_reason=reason,
        raw_ref=raw_ref,
        claimed_canonical_url=claimed,
    )
