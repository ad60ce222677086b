"""The canonical URL of a page: rel=canonical and og:url checked against the fetched URL, tracking removed."""


from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|mc_cid|mc_eid|yclid|_ga|_gl|igshid|mkt_tok|"
    r"ocid|cmpid|icid|ncid|sr_share|share|ref|ref_src|ref_url|smid|smtyp|spm|wt\.mc_id|wt_mc_id|"
    r"__twitter_impression|s_cid|cid|at_medium|at_campaign|at_custom\d|trk|trkcampaign|sc_cid|"
    r"rss|rssid|feature|taid|oref|intcmp|cmp|guccounter|guce_referrer\w*|soc_src|soc_trk)$",
    re.IGNORECASE,
)


def url_part(url: str, part: str) -> str:
    """``urlsplit(url).<part>``, or "" for a URL that cannot be split (e.g. a broken IPv6 host)."""
    try:
        return getattr(urlsplit(url), part) or ""
    except ValueError:
        return ""


def clean_url(candidate: str | None, base: str) -> str | None:
    """Resolve ``candidate`` against ``base``, strip tracking parameters and the fragment.

    Returns None unless the result is an http(s) URL with a host.
    """
    if not candidate or not candidate.strip():
        return None
    try:
        absolute = urljoin(base, candidate.strip()) if base else candidate.strip()
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def choose_canonical(tree: lxml.html.HtmlElement, meta: dict[str, list[str]], url: str) -> str:
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
    for c in candidates:
        cleaned = clean_url(c, base)
        if cleaned and not _is_home_page_of(cleaned, own):
            return cleaned
    return own or url


def _is_home_page_of(candidate: str, page: str | None) -> bool:
    """A canonical pointing at the site's front page from a deeper page is a template mistake:
    taking it would give every article of the site the same identity."""
    if not page:
        return False
    return url_part(candidate, "path") in ("", "/") and url_part(page, "path") not in ("", "/")


