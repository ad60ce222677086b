"""Credentials written into URLs (``https://user:pass@host/feed``): sent with the request, never kept.

A sources file may give a feed or page URL with a user and password in it. Those URLs must not
reach a record: DuckDB rows (``outlets``, ``articles``, ``fetch_log``), staging and state files,
the archive's metadata, log lines. So the userinfo is taken off as soon as a URL enters the
pipeline, and only the bare URL travels on:

- ``redact_url`` is the one helper for any URL that becomes a record or a log line: it drops the
  userinfo (user name included, since tokens are often given as the user name) and leaves the
  rest of the URL exactly as it was.
- ``Credentials`` keeps the user/password pairs in memory, by origin (scheme, host, port); the
  fetcher sends them as HTTP Basic auth to that origin only, never to a redirect target elsewhere.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def _authority_end(rest: str) -> int:
    ends = [i for i in (rest.find(c) for c in "/?#") if i != -1]
    return min(ends) if ends else len(rest)


def redact_url(url: str) -> str:
    """``url`` without its userinfo (``https://u:p@host/x`` -> ``https://host/x``); otherwise unchanged."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = _authority_end(rest)
    authority = rest[:end]
    if "@" not in authority:
        return url
    return f"{scheme}://{authority.rsplit('@', 1)[1]}{rest[end:]}"


def origin(url: str) -> str | None:
    """``scheme://host:port`` with the default port made explicit; None for a URL without a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS.get(scheme, 0)}"


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without userinfo, and the (user, password) it carried, percent-decoded, if any."""
    clean = redact_url(url)
    if clean == url:
        return url, None
    try:
        parts = urlsplit(url)
    except ValueError:
        return clean, None
    return clean, (unquote(parts.username or ""), unquote(parts.password or ""))


class Credentials:
    """User/password pairs by origin, taken from URLs the user configured. Never printed."""

    def __init__(self) -> None:
        self._by_origin: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_urls(cls, urls: list[str] | tuple[str, ...]) -> Credentials:
        """Collect the credentials written into ``urls`` (the URLs of one outlet's sources entry)."""
        creds = cls()
        for url in urls:
            creds.take(url)
        return creds

    def take(self, url: str) -> str:
        """Remember the credentials in ``url`` for its origin; return ``url`` without them."""
        clean, auth = split_userinfo(url)
        key = origin(clean)
        if auth is not None and key is not None:
            self._by_origin[key] = auth
        return clean

    def for_url(self, url: str) -> tuple[str, str] | None:
        """The credentials to send to ``url``'s origin, if the user gave any for it."""
        key = origin(url)
        return self._by_origin.get(key) if key is not None else None

    def __bool__(self) -> bool:
        return bool(self._by_origin)

    def __repr__(self) -> str:
        return f"Credentials({len(self._by_origin)} origin(s))"
