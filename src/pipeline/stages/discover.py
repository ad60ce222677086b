"""The discover stage: an outlet's feeds and sitemaps -> the article URLs worth fetching (network)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.records import Candidate, FetchResult
from pipeline.settings import Settings
from pipeline.stages.common import (
    OutletFailed,
    Progress,
    failed,
    failures,
    log_summary,
    no_progress,
    outlet,
    shared_dirs,
)
from pipeline.staging import RunPaths, result_row, write_jsonl
from pipeline.state import OutletState

log = logging.getLogger(__name__)


def discover(settings: Settings, run_id: str, outlet_name: str, progress: Progress = no_progress) -> str:
    """Fetch the outlet's feeds and sitemaps (conditionally); stage the article URLs worth fetching.

    Candidate URLs are normalised (``urls.normalize_url``) so one article listed under two
    addresses is fetched once. URLs stored by an earlier run are left out unless ``settings.refetch``; article
    URLs that failed in earlier runs and are not given up are added back even when no feed lists
    them any more (the fetch state, ``pipeline.state``), so a site that was down loses nothing.
    Credentials written into the outlet's URLs are handed to the fetcher and taken off every URL
    that is staged, logged or stored (``pipeline.credentials``). An outlet none of whose feeds
    could be read raises ``OutletFailed``.

    ``settings.max_articles_per_outlet`` caps the new links a run takes (links stored before are not
    counted): every feed the sources file lists is read, child sitemaps only while fewer new links
    than the cap were found, and the links are taken one from each list in turn (the outlet's own
    URLs, then each feed or sitemap read), so one long feed cannot starve the others. What the cap
    leaves is logged and listed again by the next run; failed URLs to retry come on top.
    """
    from pipeline.credentials import Credentials, redact_url
    from pipeline.discover import FeedTooLarge, NotAFeed, read_feed
    from pipeline.net.client import BUDGET_SPENT, Fetcher
    from pipeline.urls import normalize_url

    def candidate_url(url: str) -> str:
        """The URL normalised, with any credentials removed."""
        return redact_url(normalize_url(url))  # no credentials in staging, state or records

    source = outlet(settings, outlet_name)
    credentials = Credentials.from_urls(source.feeds + source.urls)  # sent by the fetcher, never stored
    paths = RunPaths(settings, run_id)
    paths.clear_loaded()  # a run started again (a cleared DAG run) is not loaded until its load ends
    state = OutletState(settings, source.name)
    known = state.known
    limit = settings.max_articles_per_outlet
    listed: set[str] = set()  # every URL seen in this run, stored or not, so a URL is counted once
    skipped_stored = skipped_given_up = 0
    # the new URLs each list gives, in its order: the outlet's own URLs first, then each feed read
    lists: list[tuple[str | None, list[str]]] = [(None, [])]
    n_new = 0

    def take(urls: Iterable[str], into: list[str]) -> None:
        """Put each URL not listed yet into ``into`` if it is new work (not stored before, not given up)."""
        nonlocal skipped_stored, skipped_given_up, n_new
        for raw in urls:
            url = candidate_url(raw)
            if url in listed:
                continue
            listed.add(url)
            if not settings.refetch and known.stored_before(url, run_id):
                skipped_stored += 1
            elif not settings.refetch and known.gave_up(url, settings.max_failed_runs):
                skipped_given_up += 1
            else:
                into.append(url)
                n_new += 1

    take(source.urls, lists[0][1])
    log_rows: list[dict[str, Any]] = []
    feed_results: list[FetchResult] = []
    queue: list[tuple[str, int]] = [(redact_url(feed), 0) for feed in source.feeds]
    seen: set[str] = set()
    sitemaps_left = feeds_unread = 0
    stop_at = time.monotonic() + settings.max_outlet_seconds  # the outlet's time budget starts here
    with Fetcher(
        settings, state.archive, credentials=credentials, stop_at=stop_at, **shared_dirs(settings)
    ) as fetcher:
        while queue:
            feed_url, depth = queue.pop(0)
            if feed_url in seen:
                continue
            if depth > 0 and n_new >= limit:
                # every feed the outlet lists is read; child sitemaps only while new links are wanted
                sitemaps_left += 1
                continue
            seen.add(feed_url)
            result, body = fetcher.fetch(
                feed_url, outlet=source.name, kind="feed", validators=state.validators(feed_url)
            )
            if result.reason == BUDGET_SPENT:  # this feed and the rest wait for the next run
                seen.discard(feed_url)
                feeds_unread = len({feed_url} | {u for u, _ in queue} - seen)
                log.warning(
                    "discover %s: the time budget of %s s (FACTCHECK_MAX_OUTLET_SECONDS) is spent; "
                    "%d feeds or sitemaps left for the next run",
                    source.name, settings.max_outlet_seconds, feeds_unread,
                )  # fmt: skip
                break
            result = state.not_modified(result)  # unchanged: its URLs are listed again (stored ones skipped)
            if body is None and result.ok and result.archive_ref:
                body = state.archive.get(result.archive_ref)
            if body is not None:
                try:
                    contents = read_feed(body, result.final_url or feed_url, settings.max_feed_bytes)
                except NotAFeed as e:
                    log.warning("feed %s (%s) skipped: %s", feed_url, source.name, e)
                    result = failed(result, str(e) if isinstance(e, FeedTooLarge) else f"not a feed: {e}")
                else:
                    if not contents.article_urls and not contents.sitemap_urls:
                        log.info("feed %s (%s) is valid and empty", feed_url, source.name)
                    lists.append((feed_url, []))
                    take(contents.article_urls, lists[-1][1])
                    if depth < settings.max_sitemap_depth:
                        queue.extend((redact_url(child), depth + 1) for child in contents.sitemap_urls)
                    elif contents.sitemap_urls:
                        log.warning(
                            "sitemap %s: %d child sitemaps beyond depth %d not followed",
                            feed_url,
                            len(contents.sitemap_urls),
                            settings.max_sitemap_depth,
                        )
            feed_results.append(result)
            log_rows.append(result_row(result, "discover"))
            progress("discover", source.name, len(seen))
    state.record_fetched(run_id, feed_results)
    candidates = [Candidate(source.name, url, feed) for url, feed in round_robin(lists, limit)]
    left = n_new - len(candidates)
    if left or sitemaps_left:
        log.info(
            "discover %s: %d new links taken (the cap is %d, shared by its %d lists); "
            "%d new links and %d child sitemaps left for the next run",
            source.name, len(candidates), limit, len(lists), left, sitemaps_left,
        )  # fmt: skip
    taken = {c.url for c in candidates}
    retries = [u for u in known.pending(settings.max_failed_runs) if u not in taken]
    candidates.extend(Candidate(source.name, url, "retry") for url in retries)
    write_jsonl(paths.log_file("discover", source.name), log_rows)
    feeds_failed = failures(feed_results)
    counts = {
        "feeds": len(seen),
        "feeds_failed": sum(feeds_failed.values()),
        "candidates": len(candidates),
        "retried": len(retries),
        "already_stored": skipped_stored,
        "given_up": skipped_given_up,
    }
    if left or feeds_unread:  # the cap or the time budget left work for the next run
        counts.update(left_for_next_run=left, feeds_left_for_next_run=feeds_unread)
    log_summary("discover", source.name, counts, feeds_failed)
    if feed_results and not source.urls and all(not r.ok for r in feed_results):
        # Nothing could be read: fail this outlet's chain (visibly) instead of loading an empty outlet.
        raise OutletFailed(
            f"outlet {source.name}: none of its {len(feed_results)} feeds could be read "
            f"({', '.join(f'{k}={n}' for k, n in feeds_failed.items())})"
        )
    return str(write_jsonl(paths.stage_file("discover", source.name), (c.to_dict() for c in candidates)))


def round_robin(lists: Sequence[tuple[str | None, Sequence[str]]], limit: int) -> list[tuple[str, str | None]]:
    """Up to ``limit`` (url, list name) pairs taken one from each list in turn, in each list's order,
    so a long first feed cannot crowd out the others."""
    out: list[tuple[str, str | None]] = []
    depth = 0
    while len(out) < limit and any(depth < len(urls) for _, urls in lists):
        for name, urls in lists:
            if depth < len(urls) and len(out) < limit:
                out.append((urls[depth], name))
        depth += 1
    return out
