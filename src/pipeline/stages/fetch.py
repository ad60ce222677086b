"""The fetch stage: an outlet's candidate URLs -> archived bodies and fetch results (network).

It owns what the network stages remember between runs (``OutletState``): the only writer of the
fetch state files (``pipeline.state``) and the one place a 304 (not modified) is turned into the
body archived earlier, for feeds (``discover``) and articles alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property

from pipeline import state as fetch_state
from pipeline.archive import Archive
from pipeline.records import Candidate, FetchResult
from pipeline.settings import Settings
from pipeline.stages.common import Progress, failures, listed_outlets, log_summary, no_progress, shared_dirs
from pipeline.staging import RunPaths, read_jsonl, result_row, write_jsonl

log = logging.getLogger(__name__)


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
    def known(self) -> fetch_state.FetchState:
        """The state as it was when first asked for (the files are replaced whole, so no lock)."""
        return fetch_state.FetchState.load(self.root, self.outlet)

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
        from pipeline.net.client import charset_of

        content_type = self.archive.meta(ref).get("headers", {}).get("content-type")
        if result.kind == "feed":  # a refetch run has many article 304s: not logged one by one
            log.info("feed %s (%s) unchanged since the last run", result.url, self.outlet)
        return replace(result, archive_ref=ref, content_type=content_type, charset=charset_of(content_type or ""))

    def record_fetched(self, run_id: str, results: Iterable[FetchResult]) -> None:
        """Record this run's fetch results in the outlet's fetch state."""
        fetch_state.record_fetches(self.root, self.outlet, run_id, results)

    def record_loaded(self, run_id: str, parsed: Iterable[FetchResult]) -> None:
        """After the outlet's load committed: the parse results say which URLs are stored now."""
        rows = list(parsed)
        fetch_state.record_loaded(
            self.root,
            self.outlet,
            run_id,
            stored=[r.url for r in rows if r.ok],
            rejected=[(r.url, r.reason) for r in rows if not r.ok],
        )


def fetch(settings: Settings, run_id: str, outlet_name: str, progress: Progress = no_progress) -> str:
    """Fetch every candidate URL of the outlet; bodies go to the archive, results to staging.

    Hosts are fetched in parallel, each host serialised with its delay (``Fetcher.fetch_many``). A
    URL whose body is archived is asked for conditionally, and a 304 means that archived body is
    parsed again: a page an earlier run fetched but did not store, a redo of this run, or --refetch.
    """
    from pipeline.credentials import Credentials
    from pipeline.net.client import BUDGET_SPENT, Fetcher, Request

    outlet = listed_outlets(settings).get(outlet_name)
    credentials = Credentials.from_urls(outlet.feeds + outlet.urls) if outlet else Credentials()
    paths = RunPaths(settings, run_id)
    candidates = [Candidate.from_dict(r) for r in read_jsonl(paths.stage_file("discover", outlet_name))]
    state = OutletState(settings, outlet_name)
    requests = [Request(c.url, state.validators(c.url)) for c in candidates]
    budget = max(0.0, settings.max_outlet_seconds - discover_seconds(paths, outlet_name))
    with Fetcher(
        settings, state.archive, credentials=credentials, stop_at=time.monotonic() + budget, **shared_dirs(settings)
    ) as fetcher:
        fetched = fetcher.fetch_many(requests, outlet=outlet_name, kind="article")
    results: list[FetchResult] = []
    left = 0
    for i, (result, _) in enumerate(fetched, 1):
        if result.reason == BUDGET_SPENT:  # not tried (or cut short): the next run asks again
            left += 1
            continue
        results.append(state.not_modified(result))
        progress("fetch", outlet_name, i)
    state.record_fetched(run_id, results)
    rows = [result_row(r, "fetch") for r in results]
    write_jsonl(paths.log_file("fetch", outlet_name), rows)
    failed = failures(results)
    counts = {"urls": len(results), "fetched": len(results) - sum(failed.values()), "failed": sum(failed.values())}
    if left:
        counts["left_for_next_run"] = left
        log.warning(
            "fetch %s: the time budget of %s s (FACTCHECK_MAX_OUTLET_SECONDS, %.1f s of it left after discovery) "
            "is spent; %d of %d URLs left for the next run",
            outlet_name, settings.max_outlet_seconds, budget, left, len(candidates),
        )  # fmt: skip
    log_summary("fetch", outlet_name, counts, failed)
    return str(write_jsonl(paths.stage_file("fetch", outlet_name), rows))


def discover_seconds(paths: RunPaths, outlet_name: str) -> float:
    """The time this run's discover spent on the outlet's feeds (their fetches, retries included),
    read from its stage log: the part of the outlet's time budget already used."""
    log_file = paths.log_file("discover", outlet_name)
    if not log_file.exists():
        return 0.0
    return sum(float(r.get("elapsed_ms") or 0.0) for r in read_jsonl(log_file)) / 1000.0
