"""The sources file: which outlets to watch and where their articles are listed.

    outlets:
      - name: Example Times          # required, unique
        domain: example.com          # optional
        feeds:                        # RSS/Atom feeds or sitemaps; the format is detected
          - https://example.com/rss.xml
        urls:                         # optional plain article URLs
          - https://example.com/2024/01/story.html

Every problem is reported at once, each naming the outlet and the field to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

OUTLET_KEYS = {"name", "domain", "feeds", "urls"}


class SourcesError(ValueError):
    """The sources file cannot be used; the message lists what to fix."""


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    domain: str | None
    feeds: tuple[str, ...]
    urls: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "domain": self.domain, "feeds": list(self.feeds), "urls": list(self.urls)}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Outlet:
        return cls(row["name"], row.get("domain"), tuple(row.get("feeds") or ()), tuple(row.get("urls") or ()))


def _check_url(value: Any, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected a URL string, got {value!r}")
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"{where}: {value!r} is not an http(s) URL")
        return None
    return value.strip()


def _url_list(entry: dict[str, Any], key: str, label: str, problems: list[str]) -> tuple[str, ...]:
    raw = entry.get(key)
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        problems.append(f"{label}, field '{key}': expected a list of URLs, got {type(raw).__name__}")
        return ()
    urls = []
    for i, value in enumerate(raw):
        url = _check_url(value, f"{label}, field '{key}' item {i + 1}", problems)
        if url and url not in urls:
            urls.append(url)
    return tuple(urls)


def parse_sources(data: Any, origin: str = "sources file") -> list[Outlet]:
    """Validate an already-loaded YAML document; raise ``SourcesError`` listing every problem."""
    if isinstance(data, dict) and "outlets" in data:
        extra = set(data) - {"outlets"}
        if extra:
            raise SourcesError(f"{origin}: unknown top-level keys {sorted(extra)}; only 'outlets' is read")
        data = data["outlets"]
    if not isinstance(data, list) or not data:
        raise SourcesError(f"{origin}: expected a non-empty list under 'outlets:' (see the example in README.md)")
    problems: list[str] = []
    outlets: list[Outlet] = []
    seen: set[str] = set()
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            problems.append(f"outlet #{i}: expected a mapping with name/feeds/urls, got {entry!r}")
            continue
        name = entry.get("name")
        label = f"outlet #{i} ({name!r})" if isinstance(name, str) else f"outlet #{i}"
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{label}, field 'name': required, a non-empty string")
            continue
        name = name.strip()
        if name in seen:
            problems.append(f"{label}, field 'name': {name!r} is listed twice; names must be unique")
        seen.add(name)
        unknown = set(entry) - OUTLET_KEYS
        if unknown:
            problems.append(f"{label}: unknown fields {sorted(unknown)}; allowed: {sorted(OUTLET_KEYS)}")
        domain = entry.get("domain")
        if domain is not None and (not isinstance(domain, str) or "/" in domain or not domain.strip()):
            problems.append(f"{label}, field 'domain': expected a host name like example.com, got {domain!r}")
            domain = None
        before = len(problems)
        feeds = _url_list(entry, "feeds", label, problems)
        urls = _url_list(entry, "urls", label, problems)
        if not feeds and not urls and len(problems) == before:
            problems.append(f"{label}: give at least one URL under 'feeds' or 'urls'")
        outlets.append(Outlet(name, domain.strip().lower() if domain else None, feeds, urls))
    if problems:
        raise SourcesError(f"{origin} has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return outlets


def load_sources(path: Path) -> list[Outlet]:
    """Read and validate a sources file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise SourcesError(f"sources file {path} does not exist; set FACTCHECK_SOURCES_PATH or --sources") from e
    except UnicodeDecodeError as e:
        raise SourcesError(f"sources file {path} is not UTF-8 text: {e}") from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise SourcesError(f"sources file {path} is not valid YAML: {e}") from e
    return parse_sources(data, origin=str(path))


def find_outlet(outlets: list[Outlet], name: str) -> Outlet:
    for outlet in outlets:
        if outlet.name == name:
            return outlet
    raise SourcesError(f"outlet {name!r} is not in the sources file (known: {[o.name for o in outlets]})")
