"""What the fetch stage remembers between runs, kept in small files so that fetch tasks never open DuckDB.

DuckDB allows one writing process per file and a reader conflicts with it, so only the load task
opens the database. Everything the network stages need to know from earlier runs lives instead in
one JSON file per outlet, ``<data_dir>/state/<safe outlet name>.json``:

    {"version": 1, "outlet": "...", "urls": {"<normalised url>": {
        "kind": "feed" | "article",
        "etag": ..., "last_modified": ...,   # validators for the next conditional GET
        "archive_ref": "sha256:...",          # the last body received (reused when the server says 304)
        "stored": true,                       # the load task committed an article from this URL
        "stored_run": "...",                  # ... first in this run
        "failed_runs": 0, "last_failed_run": "...", "reason": "...",
        "last_run": "...", "updated": 1767225600.0}}}

Who writes what, and why it is safe (every write goes through ``OutletState`` below):

- discover and fetch (one task per outlet) record validators, archive references and failures as
  they fetch; load records ``stored`` only after the outlet's transaction committed, and counts a
  page that did not become an article as a failed run. If a load never happens, nothing is marked
  stored, so the next run asks again (conditionally: an unchanged page costs a 304 and its archived
  body is reused) and nothing is lost.
- Different outlets use different files, so parallel outlet tasks never share one. Every update is
  a read-modify-write under an exclusive ``flock`` on a sidecar ``.lock`` file, written to a
  temporary file and renamed into place, so a reader sees the old or the new file, never half.
- A failure counts once per run (``last_failed_run``), so a retried task does not count twice; an
  article URL that failed in ``max_failed_runs`` runs is given up (still visible in ``fetch_log``).
- Stored entries not touched for ``PRUNE_AFTER_DAYS`` are dropped to keep the file small; such a URL
  reappearing in a feed is fetched again and upserted in place (article identity is the canonical URL).
"""

from __future__ import annotations

import fcntl
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.archive import Archive
from pipeline.files import atomic_write
from pipeline.records import FetchResult
from pipeline.settings import Settings
from pipeline.util import charset_of, safe_name

log = logging.getLogger(__name__)

STATE_VERSION = 1
PRUNE_AFTER_DAYS = 180

Entries = dict[str, dict[str, Any]]


def state_path(root: Path, outlet: str) -> Path:
    """The state file of one outlet under ``root``."""
    return root / f"{safe_name(outlet)}.json"


class FetchState:
    """A read-only snapshot of one outlet's state, taken without a lock (files are replaced atomically)."""

    def __init__(self, outlet: str, urls: Entries) -> None:
        self.outlet = outlet
        self.urls = urls

    @classmethod
    def load(cls, root: Path, outlet: str) -> FetchState:
        """Read one outlet's state from ``root``."""
        return cls(outlet, _read(state_path(root, outlet)))

    def get(self, url: str) -> dict[str, Any]:
        """The stored entry for ``url`` (empty when there is none)."""
        return self.urls.get(url, {})

    def validators(self, url: str) -> dict[str, str]:
        """The ETag and Last-Modified kept for ``url``, for a conditional GET."""
        entry = self.get(url)
        return {k: entry[k] for k in ("etag", "last_modified") if entry.get(k)}

    def is_stored(self, url: str) -> bool:
        """True when ``url`` became a stored article."""
        return bool(self.get(url).get("stored"))

    def stored_before(self, url: str, run_id: str) -> bool:
        """Stored by an earlier run. A redo of the run that stored it lists it again, so redoing a run
        reproduces its staging files (conditional requests, archived bodies) and its totals."""
        entry = self.get(url)
        return bool(entry.get("stored")) and entry.get("stored_run") != run_id

    def gave_up(self, url: str, max_failed_runs: int) -> bool:
        """True when ``url`` was never stored and failed in at least ``max_failed_runs`` runs."""
        entry = self.get(url)
        return not entry.get("stored") and int(entry.get("failed_runs") or 0) >= max_failed_runs

    def pending(self, max_failed_runs: int) -> list[str]:
        """Article URLs seen before that are not stored yet and not given up: retried by every run."""
        return [
            url
            for url, e in self.urls.items()
            if e.get("kind") == "article"
            and not e.get("stored")
            and int(e.get("failed_runs") or 0) < max_failed_runs
        ]


def _read(path: Path) -> Entries:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        # A damaged state file costs extra requests, never lost articles: start afresh, loudly.
        log.error("fetch state %s is unreadable (%s); starting from an empty state", path, e)
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or not isinstance(data.get("urls"), dict):
        log.error("fetch state %s has an unknown layout; starting from an empty state", path)
        return {}
    urls: Entries = data["urls"]
    return urls


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def update(root: Path, outlet: str, change: Callable[[Entries], None]) -> None:
    """Apply ``change`` to the outlet's entries under the lock, then replace the file atomically."""
    path = state_path(root, outlet)
    with _locked(path):
        urls = _read(path)
        change(urls)
        payload = json.dumps({"version": STATE_VERSION, "outlet": outlet, "urls": urls}, ensure_ascii=False)
        atomic_write(path, payload.encode("utf-8"))


def _count_failure(entry: dict[str, Any], run_id: str, reason: str | None) -> None:
    if entry.get("last_failed_run") != run_id:
        entry["failed_runs"] = int(entry.get("failed_runs") or 0) + 1
        entry["last_failed_run"] = run_id
    entry["reason"] = reason


def record_fetches(root: Path, outlet: str, run_id: str, results: Iterable[FetchResult]) -> None:
    """After discover or fetch: keep validators and archive references, count failures once per run."""
    items = list(results)
    if not items:
        return
    now = time.time()

    def change(urls: Entries) -> None:
        """Record each fetch: validators and archive reference on success, a failure count otherwise."""
        for r in items:
            entry = urls.setdefault(r.url, {})
            entry.update(kind=r.kind, last_run=run_id, updated=now)
            if r.ok:
                if r.status == 200:  # a 304 keeps the validators and body we already have
                    entry.update(etag=r.etag, last_modified=r.last_modified)
                if r.archive_ref:
                    entry["archive_ref"] = r.archive_ref
                entry["reason"] = None
            else:
                _count_failure(entry, run_id, r.reason)

    update(root, outlet, change)


def record_loaded(
    root: Path, outlet: str, run_id: str, stored: Iterable[str], rejected: Iterable[tuple[str, str | None]]
) -> None:
    """After the load committed: URLs that became stored articles, and pages that did not (with why)."""
    stored_urls, rejected_pages = list(stored), list(rejected)
    now = time.time()
    horizon = now - PRUNE_AFTER_DAYS * 86400

    def change(urls: Entries) -> None:
        """Mark stored URLs, count rejected pages as failures, and drop stored entries not updated lately."""
        for url in stored_urls:
            entry = urls.setdefault(url, {"kind": "article"})
            if not entry.get("stored"):
                entry["stored_run"] = run_id
            entry.update(stored=True, failed_runs=0, reason=None, last_run=run_id, updated=now)
        for url, reason in rejected_pages:
            entry = urls.setdefault(url, {"kind": "article"})
            if not entry.get("stored"):
                _count_failure(entry, run_id, reason)
            entry["updated"] = now
        for url in [u for u, e in urls.items() if e.get("stored") and float(e.get("updated") or now) < horizon]:
            del urls[url]

    update(root, outlet, change)


class OutletState:
    """One outlet's fetch state as the stages use it: read once when a stage starts, written only here.

    Validators are sent only when a 304 would leave something to work with (the archived body);
    ``not_modified`` turns such a 304 into that body. ``record_fetched`` keeps what discover and
    fetch learnt; ``record_loaded`` what the load committed (and which pages did not become articles).
    """

    def __init__(self, settings: Settings, outlet: str, archive: Archive | None = None) -> None:
        self.root = settings.state_dir
        self.outlet = outlet
        self.archive = archive or Archive(settings.archive_dir)

    @cached_property
    def known(self) -> FetchState:
        """The state as it was when first asked for (the files are replaced whole, so no lock)."""
        return FetchState.load(self.root, self.outlet)

    def _archived(self, url: str) -> str | None:
        ref = self.known.get(url).get("archive_ref")
        return ref if ref is not None and self.archive.has(ref) else None

    def validators(self, url: str) -> dict[str, str]:
        """The validators for a conditional request, or none when no archived body backs them."""
        return self.known.validators(url) if self._archived(url) else {}

    def not_modified(self, result: FetchResult) -> FetchResult:
        """The one 304 path: an unchanged page or feed becomes the body archived for it before
        (its reference, content type and charset), so later steps read it as if just fetched."""
        if not (result.ok and result.status == 304):
            return result
        ref = self._archived(result.url)
        if ref is None:
            return result
        content_type = self.archive.meta(ref).get("headers", {}).get("content-type")
        if result.kind == "feed":  # a refetch run has many article 304s: not logged one by one
            log.info("feed %s (%s) unchanged since the last run", result.url, self.outlet)
        return replace(result, archive_ref=ref, content_type=content_type, charset=charset_of(content_type or ""))

    def record_fetched(self, run_id: str, results: Iterable[FetchResult]) -> None:
        """Record this run's fetch results in the outlet's fetch state."""
        record_fetches(self.root, self.outlet, run_id, results)

    def record_loaded(self, run_id: str, parsed: Iterable[FetchResult]) -> None:
        """After the outlet's load committed: the parse results say which URLs are stored now."""
        rows = list(parsed)
        record_loaded(
            self.root,
            self.outlet,
            run_id,
            stored=[r.url for r in rows if r.ok],
            rejected=[(r.url, r.reason) for r in rows if not r.ok],
        )
