"""What every stage shares: progress callbacks, summary lines, log records and the outlet lookup."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pipeline.records import FetchResult
from pipeline.settings import Settings
from pipeline.sources import Outlet, SourcesError, find_outlet, load_sources

log = logging.getLogger(__name__)

Progress = Callable[[str, str, int], None]  # (stage, outlet, items done)
_AFTER_ATTEMPTS = re.compile(r" \(after \d+ attempts\)$")
MAX_REASON_KEY = 60


def no_progress(stage: str, outlet: str, n: int) -> None:
    """A progress callback that does nothing."""
    return None


class OutletFailed(RuntimeError):
    """An outlet gave this run nothing to work with (every feed failed); the other outlets go on."""


def reason_key(reason: str | None) -> str:
    """The kind of a failure reason, for counting: its text before the first colon, without the
    attempt count and bounded in length ("connection error: ConnectionError: ..." -> "connection error")."""
    text = _AFTER_ATTEMPTS.sub("", reason or "unknown")
    key = text.split(":", 1)[0].strip() or "unknown"
    return key if len(key) <= MAX_REASON_KEY else key[: MAX_REASON_KEY - 1] + "…"


def log_summary(stage: str, outlet: str, counts: Mapping[str, int], failures: Counter[str] | None = None) -> str:
    """Log one line that says what a stage did for an outlet: its counts and its failures by reason.

    This is the line an operator reads in the task log (``fetch summary for X: urls=7 fetched=6
    failed=1; failures: HTTP 404=1``); it is returned as well, so callers and tests can use it.
    """
    shown = " ".join(f"{key}={value}" for key, value in counts.items())
    if failures is None:
        line = f"{stage} summary for {outlet}: {shown}"
    else:
        by_reason = ", ".join(f"{key}={n}" for key, n in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0])))
        line = f"{stage} summary for {outlet}: {shown}; failures: {by_reason or 'none'}"
    log.info("%s", line)
    return line


def failures(results: Iterable[FetchResult]) -> Counter[str]:
    """How many results failed, counted by kind of failure reason (``reason_key``)."""
    return Counter(reason_key(r.reason) for r in results if not r.ok)


def failed(result: FetchResult, reason: str) -> FetchResult:
    """A copy of ``result`` marked failed with ``reason``."""
    row = result.to_dict()
    row.update(ok=False, reason=reason)
    return FetchResult.from_dict(row)


def outlet_names(settings: Settings) -> list[str]:
    """Validate the sources file and list its outlets (the DAG fans out over these)."""
    return [o.name for o in load_sources(settings.sources)]


def outlet(settings: Settings, name: str) -> Outlet:
    """The outlet of that name in the sources file (``SourcesError`` when it is not listed)."""
    return find_outlet(load_sources(settings.sources), name)


def listed_outlets(settings: Settings) -> dict[str, Outlet]:
    """The outlets in the sources file, by name."""
    return {o.name: o for o in load_sources(settings.sources)}


def declared_domain(settings: Settings, name: str) -> str | None:
    """The domain the outlet declares in the sources file; None if it declares none, is not listed,
    or the sources file cannot be read (reprocessing needs no sources file)."""
    try:
        return next((o.domain for o in load_sources(settings.sources) if o.name == name), None)
    except SourcesError as e:
        log.warning("outlet %s: no declared domain (%s)", name, e)
        return None


def shared_dirs(settings: Settings) -> dict[str, Any]:
    """What fetchers of parallel tasks share: cached robots.txt files and per-host schedules."""
    return {"robots_dir": settings.state_dir / "robots", "clock_dir": settings.state_dir / "hosts"}
