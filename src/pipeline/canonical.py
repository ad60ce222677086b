"""URL normalisation for candidate URLs, applied before anything is fetched.

Feeds often list one article under several addresses (campaign parameters, fragments, an upper-case
host, an explicit default port). ``normalize_url`` maps them to one form, so the fetch stage requests
the article once and the fetch state keys it once. It is deliberately conservative: it drops only
what never selects a different document (fragments, known tracking parameters, default ports,
empty query) and keeps the order of the remaining parameters. The canonical URL *of the page*
(rel=canonical, og:url) is decided later by ``pipeline.parse`` from the fetched HTML.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track a click and never choose the document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "ocid", "cmpid",
        "ncid", "ito", "smid", "sr_share", "CMP", "ref_src", "ref_url", "s_cid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "__")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return name in TRACKING_PARAMS or lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """One form for one document: lower-case scheme and host, no default port, fragment or tracking.

    Returns the input unchanged (stripped) when it is not an absolute http(s) URL.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return url
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if parts.username or parts.password:  # credentials in a feed URL are kept, never invented
        auth = parts.username or ""
        if parts.password:
            auth += ":" + parts.password
        netloc = f"{auth}@{netloc}"
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True) if query else "", ""))


def host_key(url: str) -> str:
    """The politeness unit: scheme-less ``host[:port]`` as the fetcher spaces its requests by it."""
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1].lower()
