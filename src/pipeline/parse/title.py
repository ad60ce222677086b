"""The headline: a deliberate choice among the title candidates, without the outlet's suffix."""


from __future__ import annotations

import re
from typing import Any

import lxml.html

from pipeline.parse.rules import enabled
from pipeline.parse.tree import first, norm, text_of
from pipeline.urls import url_part

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«/]\s+|\s+[|•·»]\s*|\s*[|•·»]\s+")


def site_names(meta: dict[str, list[str]], ld: dict[str, Any] | None, outlet: str, url: str) -> set[str]:
    """Normalised names the site goes by: the outlet, site-name meta tags, the JSON-LD publisher and host parts."""
    names = {outlet} if outlet else set()
    for key in ("og:site_name", "application-name", "twitter:site", "publisher", "al:android:app_name"):
        for v in meta.get(key, []):
            names.add(v.lstrip("@"))
    if ld:
        pub = ld.get("publisher")
        for p in pub if isinstance(pub, list) else [pub]:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                names.add(p["name"])
            elif isinstance(p, str):
                names.add(p)
    host = url_part(url, "hostname")
    parts = [p for p in host.split(".") if p not in {"www", "com", "org", "net", "co", "uk", "de", "fr"}]
    names.update(parts)
    return {norm(n) for n in names if n and norm(n)}


def strip_site_suffix(title: str, site_names: set[str]) -> str:
    """Remove "| Outlet" and "Outlet - " decorations from a page title."""
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    # drop leading or trailing segments that name the site
    while len(parts) > 1 and is_site(parts[-1], site_names):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0], site_names):
        parts.pop(0)
    if len(parts) == 1:
        return parts[0]
    # rebuild with the original separators for what is left
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    kept = title[start:end] if 0 <= start < end else title
    return kept


def is_site(segment: str, site_names: set[str]) -> bool:
    """True when ``segment`` is empty or names the site (one of ``site_names``) rather than the article."""
    n = norm(segment)
    if not n:
        return True
    squashed = n.replace(" ", "")
    for name in site_names:
        sq = name.replace(" ", "")
        if n == name or squashed == sq:
            return True
        # "Guardian" for "The Guardian", "NYT Opinion" for "nyt": a segment that is mostly the name
        if len(sq) >= 4 and (sq in squashed or squashed in sq) and abs(len(squashed) - len(sq)) <= 12:
            return True
    return False


def choose_title(
    tree: lxml.html.HtmlElement, meta: dict[str, list[str]], ld: dict[str, Any] | None, sites: set[str]
) -> str | None:
    """The article's headline: the visible <h1> or a metadata title, with the site's name stripped; None if none."""
    candidates: list[str] = []
    if ld:
        for key in ("headline", "name"):
            v = ld.get(key)
            if isinstance(v, str) and v.strip():
                candidates.append(v)
                break
    for key in ("og:title", "twitter:title", "title", "dc.title", "sailthru.title", "parsely-title"):
        v = first(meta, key)
        if v:
            candidates.append(v)
    title_el = tree.find(".//title")
    if title_el is not None:
        t = text_of(title_el)
        if t:
            candidates.append(t)
    h1s = [text_of(h) for h in tree.iter("h1")]
    h1s = [h for h in h1s if 5 <= len(h) <= 300 and not is_site(h, sites)]

    cleaned = [strip_site_suffix(_unescape(c), sites) for c in candidates]
    cleaned = [c for c in cleaned if c and not is_site(c, sites)]
    whole = [_untruncated(c, cleaned) for c in cleaned]
    if whole != cleaned and enabled("title.untruncated"):
        cleaned = whole
    nh1 = [(h, norm(h)) for h in h1s]
    ncl = [(c, norm(c)) for c in cleaned]
    # the visible <h1> when the metadata agrees with it; the metadata title when the <h1> only adds a
    # section label or a subtitle to it
    for h, nh in nh1:
        if any(nh == nc for _, nc in ncl):
            return h
    for _, nh in nh1:
        for c, nc in ncl:
            if len(nc) >= 15 and nc in nh:
                return c
    for h, nh in nh1:
        if any(len(nh) >= 15 and nc.startswith(nh) or _jaccard(nh, nc) >= 0.6 for _, nc in ncl):
            return h
    # a lone <h1> of several words, or the one inside the <article>, is the headline the reader sees,
    # when the metadata titles are written for search engines
    in_article = [text_of(h) for h in tree.xpath("//article//h1 | //main//h1")]
    in_article = [h for h in in_article if h in h1s]
    lone = in_article[:1] if len(in_article) == 1 else (h1s if len(h1s) == 1 else [])
    if lone and len(lone[0].split()) >= 3:
        return lone[0]
    if cleaned:
        return cleaned[0]
    if candidates:
        return _unescape(candidates[0])
    return h1s[0] if h1s else None


TRUNCATED_TITLE_CHARS = 90  # SEO plugins cut a JSON-LD headline at about 110 characters


def _untruncated(title: str, others: list[str]) -> str:
    """The full title when ``title`` is a cut-off copy of another candidate: marked by an ellipsis, or
    long enough to have met a plugin's limit, and continued by the other mid-sentence (not by a
    " | Section" decoration)."""
    stem = title.rstrip(".… ")
    if not (title.endswith(("…", "...")) or len(title) >= TRUNCATED_TITLE_CHARS):
        return title
    for other in sorted(others, key=len, reverse=True):
        if len(other) > len(stem) and other.startswith(stem) and not _TITLE_SEPARATORS.match(other[len(stem) :]):
            return other
    return title


def _jaccard(a: str, b: str) -> float:
    wa, wb = set(a.split()), set(b.split())
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _unescape(s: str) -> str:
    from html import unescape

    return " ".join(unescape(s).split())


