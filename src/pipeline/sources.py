"""The sources file: which outlets to watch and where their articles are listed.

    outlets:
      - name: Example Times          # required, unique
        domain: example.com          # optional
        feeds:                        # RSS/Atom feeds or sitemaps; the format is detected
          - https://example.com/rss.xml
        urls:                         # optional plain article URLs
          - https://example.com/2024/01/story.html

Every problem is reported at once, each naming the outlet, the field and, when the file is read
with ``load_sources``, the line to fix. Messages quote at most ``MAX_SHOWN`` characters of any value
from the file, and YAML anchors and aliases are refused: an alias lets a few hundred bytes stand for
gigabytes of nested lists (a "billion laughs" file), which anything that walks the data, a message
included, would expand. Validation is linear in the number of URLs.
"""

from __future__ import annotations

import logging
import reprlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pipeline.credentials import redact_url

log = logging.getLogger(__name__)

OUTLET_KEYS = {"name", "domain", "feeds", "urls"}
MAX_PROBLEMS = 50  # problems listed one by one in the error; the rest are counted
MAX_SHOWN = 120  # characters of a value from the file quoted in a message, at most
MAX_EXAMPLES = 5  # repeated URLs named one by one in the warning of one field; the rest are counted


class _BoundedRepr(reprlib.Repr):
    """``reprlib.Repr`` that also bounds the located str and dict subclasses the loader builds."""

    def repr1(self, x: Any, level: int) -> str:
        """Bounded repr of ``x``, treating str and dict subclasses as plain str and dict."""
        if isinstance(x, str):
            return self.repr_str(str(x), level)
        if isinstance(x, dict):
            return self.repr_dict(x, level)
        return super().repr1(x, level)


_repr = _BoundedRepr()
_repr.maxstring = MAX_SHOWN
_repr.maxother = MAX_SHOWN
_repr.maxlevel = 2
_repr.maxlist = _repr.maxdict = _repr.maxset = _repr.maxtuple = 4


class SourcesError(ValueError):
    """The sources file cannot be used; the message lists what to fix."""


def shown(value: Any) -> str:
    """A short ``repr`` of a value from the sources file, for messages: bounded whatever the value.

    ``reprlib`` looks at the first few items and levels only, so the cost is bounded too.
    """
    text = _repr.repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


class _Str(str):
    """A string read from the sources file, with the line it is on (1-based)."""

    line: int


class _Map(dict[Any, Any]):
    """A mapping read from the sources file, with the line it starts on (1-based)."""

    line: int


def _line_of(value: Any) -> str:
    line = getattr(value, "line", None)
    return f" (line {line})" if line else ""


def _construct_str(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> _Str:
    value = _Str(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SourcesLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader, keeping the line of every string and mapping for messages."""


_SourcesLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_SourcesLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _refuse_aliases(text: str, origin: str) -> None:
    """Raise ``SourcesError`` at the first YAML anchor (``&name``) or alias (``*name``) of ``text``.

    Only the parser's events are read, so this costs one pass over the text whatever an alias
    would have expanded to.
    """
    for event in yaml.parse(text, Loader=_BaseLoader):
        anchor = getattr(event, "anchor", None)
        where = f"{origin}, line {event.start_mark.line + 1}" if event.start_mark else origin
        if isinstance(event, yaml.AliasEvent):
            raise SourcesError(
                f"{where}: YAML alias *{shown(anchor)[1:-1]} is not allowed "
                "in a sources file; write the value out in full"
            )
        if anchor is not None:
            raise SourcesError(
                f"{where}: YAML anchor &{shown(anchor)[1:-1]} is not allowed "
                "in a sources file (aliases are refused); remove it"
            )


@dataclass(frozen=True, slots=True)
class Outlet:
    """One news outlet from the sources file: its name, domain, feeds and listed article URLs."""
    name: str
    domain: str | None
    feeds: tuple[str, ...]
    urls: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The outlet as a plain dict."""
        return {"name": self.name, "domain": self.domain, "feeds": list(self.feeds), "urls": list(self.urls)}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Outlet:
        """An outlet from its dict."""
        return cls(row["name"], row.get("domain"), tuple(row.get("feeds") or ()), tuple(row.get("urls") or ()))


def _check_url(value: Any, where: str, problems: list[str]) -> str | None:
    where += _line_of(value)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected a URL string, got {shown(value)}")
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # e.g. a broken IPv6 host
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"{where}: {shown(redact_url(str(value)))} is not an http(s) URL")
        return None
    try:
        parts.port  # noqa: B018 (raises ValueError when what follows the host's ':' is no number)
        broken = not parts.hostname
    except ValueError:
        broken = True
    first_segment = parts.path.split("/")[1] if parts.path.count("/") >= 1 else ""
    if broken or ("@" in first_segment and ":" in first_segment.split("@", 1)[0]):
        # "https://user:pa/ss@host/": a password with a raw / ? # or @ ends the host early. Never quote
        # the value: it may hold a password.
        problems.append(
            f"{where}: the host or port of this {parts.scheme} URL does not parse; if it carries a user name "
            "or password, percent-encode / ? # @ : inside them (e.g. %2F for /)"
        )
        return None
    return str(value.strip())


def _url_list(entry: dict[str, Any], key: str, label: str, problems: list[str]) -> tuple[str, ...]:
    raw = entry.get(key)
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        problems.append(f"{label}, field '{key}': expected a list of URLs, got {type(raw).__name__}")
        return ()
    # first item (1-based) and line of each URL: a set-like dict keeps the check linear in the URLs
    first: dict[str, tuple[int, Any]] = {}
    repeats: list[str] = []
    for i, value in enumerate(raw, 1):
        url = _check_url(value, f"{label}, field '{key}' item {i}", problems)
        if not url:
            continue
        if url in first:
            j, earlier = first[url]
            repeats.append(f"item {i}{_line_of(value)} repeats item {j}{_line_of(earlier)}")
        else:
            first[url] = (i, value)
    if repeats:
        more = f"; and {len(repeats) - MAX_EXAMPLES} more" if len(repeats) > MAX_EXAMPLES else ""
        log.warning(
            "%s, field '%s': %d repeated URL(s), each kept once: %s%s",
            label, key, len(repeats), "; ".join(repeats[:MAX_EXAMPLES]), more,
        )  # fmt: skip
    return tuple(first)


def parse_sources(data: Any, origin: str = "sources file") -> list[Outlet]:
    """Validate an already-loaded YAML document; raise ``SourcesError`` listing every problem."""
    if isinstance(data, dict) and "outlets" in data:
        extra = set(data) - {"outlets"}
        if extra:
            keys = shown_list(sorted(shown(k) for k in extra))
            raise SourcesError(f"{origin}: unknown top-level keys [{keys}]; only 'outlets' is read")
        data = data["outlets"]
    if not isinstance(data, list) or not data:
        raise SourcesError(f"{origin}: expected a non-empty list under 'outlets:' (see the example in README.md)")
    problems: list[str] = []
    outlets: list[Outlet] = []
    seen: set[str] = set()
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            problems.append(
                f"outlet #{i}{_line_of(entry)}: expected a mapping with name/feeds/urls, got {shown(entry)}"
            )
            continue
        name = entry.get("name")
        label = f"outlet #{i} ({shown(str(name))})" if isinstance(name, str) else f"outlet #{i}"
        label += _line_of(entry)
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{label}, field 'name': required, a non-empty string")
            continue
        name = str(name.strip())
        if name in seen:
            problems.append(f"{label}, field 'name': {shown(name)} is listed twice; names must be unique")
        seen.add(name)
        unknown = set(entry) - OUTLET_KEYS
        if unknown:
            names = sorted(shown(k) for k in unknown)
            problems.append(f"{label}: unknown fields [{shown_list(names)}]; allowed: {sorted(OUTLET_KEYS)}")
        domain = entry.get("domain")
        if domain is not None and (not isinstance(domain, str) or "/" in domain or not domain.strip()):
            problems.append(f"{label}, field 'domain': expected a host name like example.com, got {shown(domain)}")
            domain = None
        before = len(problems)
        feeds = _url_list(entry, "feeds", label, problems)
        urls = _url_list(entry, "urls", label, problems)
        if not feeds and not urls and len(problems) == before:
            problems.append(f"{label}: give at least one URL under 'feeds' or 'urls'")
        outlets.append(Outlet(name, str(domain.strip().lower()) if domain else None, feeds, urls))
    if problems:
        listed = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            listed.append(f"... and {len(problems) - MAX_PROBLEMS} more")
        raise SourcesError(f"{origin} has {len(problems)} problem(s):\n  - " + "\n  - ".join(listed))
    return outlets


def shown_list(items: list[str], limit: int = MAX_EXAMPLES) -> str:
    """Comma-separated, the first ``limit`` items and a count of the rest."""
    more = [f"... {len(items) - limit} more"] if len(items) > limit else []
    return ", ".join(items[:limit] + more)


def load_sources(path: Path) -> list[Outlet]:
    """Read and validate a sources file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise SourcesError(f"sources file {path} does not exist; set FACTCHECK_SOURCES_PATH or --sources") from e
    except UnicodeDecodeError as e:
        raise SourcesError(f"sources file {path} is not UTF-8 text: {e}") from e
    try:
        _refuse_aliases(text, f"sources file {path}")
        data = yaml.load(text, Loader=_SourcesLoader)  # noqa: S506 (a safe loader: SafeConstructor)
    except yaml.YAMLError as e:
        raise SourcesError(f"sources file {path} is not valid YAML: {e}") from e
    return parse_sources(data, origin=str(path))


def find_outlet(outlets: list[Outlet], name: str) -> Outlet:
    """The outlet named ``name``; SourcesError listing the known names when there is none."""
    for outlet in outlets:
        if outlet.name == name:
            return outlet
    known = shown_list([shown(o.name) for o in outlets])
    raise SourcesError(f"outlet {shown(name)} is not in the sources file (known: {known})")
