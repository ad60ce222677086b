"""URL identity: one normaliser and one tracking-parameter list for every stage.

Candidate URLs before fetching (``normalize_url``) and URLs a page names or is fetched under
(``clean_url``, used by ``pipeline.parse``) go through the same ``normalize``, so one document
written with other tracking parameters, case, port or fragment gets one identity everywhere.
docs/FETCHING.md ("URL identity") lists what is dropped and why the rest is kept.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that track a click or a campaign and never choose the document (case-insensitive).
TRACKING_PARAMS = frozenset(
    {
        "_ga", "_gl", "_hsenc", "_hsmi", "cmp", "cmpid", "dclid", "fbclid", "feature", "gbraid", "gclid",
        "gclsrc", "guccounter", "icid", "igshid", "intcmp", "ito", "mkt_tok", "msclkid",
        "ncid", "ocid", "oly_anon_id", "oly_enc_id", "oref", "ref", "ref_src", "ref_url", "rss", "rssid",
        "s_cid", "sc_cid", "share", "smid", "smtyp", "soc_src", "soc_trk", "spm", "sr_share", "taid", "trk",
        "trkcampaign", "twclid", "vero_id", "wbraid", "wt.mc_id", "wt_mc_id", "yclid",
    }
)  # fmt: skip
# Families: Google Analytics, Matomo/Piwik, AT Internet, Mailchimp, internal campaigns (itm_), Yahoo consent.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "mc_", "itm_", "guce_referrer", "__")
DEFAULT_PORTS = {"http": 80, "https": 443}

_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")
# "//" in a path is a template slip, except after a colon: a URL inside the path (web.archive.org)
_REPEATED_SLASHES = re.compile(r"(?<!:)/{2,}")


def is_tracking(name: str) -> bool:
    """Whether a query parameter name is a known tracking parameter."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize(url: str) -> str | None:
    """One form for one document, or None unless ``url`` is an absolute http(s) URL with a host.

    Lower-case scheme and host (IDNA-encoded, no trailing dot), no default port, repeated slashes
    in the path collapsed (not the ``//`` of a URL inside the path), tracking parameters and the
    fragment dropped; the other parameters keep their order and credentials are kept as written.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass  # not encodable to IDNA: kept as written, lower-cased
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if parts.username or parts.password:
        auth = parts.username or ""
        if parts.password:
            auth += ":" + parts.password
        netloc = f"{auth}@{netloc}"
    path = _REPEATED_SLASHES.sub("/", parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True) if query else "", ""))


def normalize_url(url: str) -> str:
    """``normalize(url)``, or ``url`` stripped when it is not an absolute http(s) URL."""
    return normalize(url) or url.strip()


def clean_url(candidate: str | None, base: str) -> str | None:
    """Resolve ``candidate`` (from a page or a fetch) against ``base`` and ``normalize`` it.

    Control characters are percent-encoded first. None unless the result is an http(s) URL with a host.
    """
    if not candidate or not candidate.strip():
        return None
    candidate = _CONTROL_CHARS.sub(lambda m: quote(m.group()), candidate.strip())  # never raw in a URL
    try:
        absolute = urljoin(base, candidate) if base else candidate
    except ValueError:
        return None
    return normalize(absolute)


def url_part(url: str, part: str) -> str:
    """``urlsplit(url).<part>``, or "" for a URL that cannot be split (e.g. a broken IPv6 host)."""
    try:
        return getattr(urlsplit(url), part) or ""
    except ValueError:
        return ""
