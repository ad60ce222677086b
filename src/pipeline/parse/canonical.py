"""The canonical URL of a page: rel=canonical and og:url checked against the fetched URL.

The canonical URL is the article's identity in the store, so a page may only name one on its own
site: the registered domain of the fetched URL (``news.example.co.uk`` and ``www.example.co.uk``
are one site, ``a.github.io`` and ``b.github.io`` are two), or the domain its outlet declares in
the sources file. A canonical URL on another site is a claim of the page, kept beside the identity
(``Article.claimed_canonical_url``), never the identity: otherwise any site could name another
outlet's article as its canonical and replace that article in the store. URLs are normalised
by ``pipeline.urls``.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit

import lxml.html
import tld

from pipeline.urls import clean_url, url_part


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


def registered_domain(url: str) -> str | None:
    """The site of an http(s) URL: its registered domain by the Public Suffix List (``bbc.co.uk`` for
    ``news.bbc.co.uk``), an IP address as itself, and for a suffix the list does not know (``.example``,
    ``localhost``) the last two labels. None for a URL without a host."""
    host = _host(url)
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    found = tld.get_fld(host, fix_protocol=True, fail_silently=True)
    if isinstance(found, str) and found:
        return found.lower()
    return ".".join(host.split(".")[-2:])


def same_site(candidate: str, url: str, domain: str | None = None) -> bool:
    """Whether ``candidate`` is on the site of ``url`` or on the outlet's declared ``domain``."""
    site = registered_domain(candidate)
    if site is None:
        return False
    if site == registered_domain(url):
        return True
    if not domain:
        return False
    declared = domain.strip().strip(".").lower()
    host = _host(candidate) or ""
    return host == declared or host.endswith("." + declared) or site == registered_domain("http://" + declared)


class Canonical(NamedTuple):
    """The identity chosen for a page, and the canonical URL it named on another site, if it did."""

    url: str
    claimed: str | None = None


def choose_canonical(
    tree: lxml.html.HtmlElement, meta: dict[str, list[str]], url: str, domain: str | None = None
) -> Canonical:
    """The first rel=canonical or og:url candidate on the page's own site (see the module docstring),
    else the fetched URL cleaned; a candidate on another site is returned as ``claimed``.

    A page read from a file (no http(s) URL to compare with) takes its first candidate as is.
    """
    base = url
    for b in tree.iter("base"):
        href = b.get("href")
        if href:
            base = clean_url(href, url) or url
            break
    candidates: list[str] = []
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            candidates.append(link.get("href") or "")
    candidates.extend(meta.get("og:url", []))
    own = clean_url(url, "")
    claimed = None
    for c in candidates:
        cleaned = clean_url(c, base)
        if not cleaned or _is_home_page_of(cleaned, own):
            continue
        if own is None or same_site(cleaned, own, domain):
            return Canonical(cleaned)
        claimed = claimed or cleaned
    return Canonical(own or url, claimed)


def _is_home_page_of(candidate: str, page: str | None) -> bool:
    """A canonical pointing at the site's front page from a deeper page is a template mistake:
    taking it would give every article of the site the same identity."""
    if not page:
        return False
    return url_part(candidate, "path") in ("", "/") and url_part(page, "path") not in ("", "/")
