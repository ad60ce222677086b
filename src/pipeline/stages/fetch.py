"""The fetch stage: an outlet's candidate URLs -> archived bodies and fetch results (network).

It owns what the network stages remember between runs (``OutletState``): the only writer of the
fetch state files (``pipeline.state``) and the one place a 304 (not modified) is turned into the
body archived earlier, for feeds (``discover``) and articles alike.
"""

from __future__ import annotations

import logging
import time

from pipeline.records import Candidate, FetchResult
from pipeline.settings import Settings
from pipeline.stages.common import Progress, failures, listed_outlets, log_summary, no_progress, shared_dirs
from pipeline.staging import RunPaths, read_jsonl, result_row, write_jsonl
from pipeline.state import OutletState

log = logging.getLogger(__name__)


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
