"""The discover stage: an outlet's feeds and sitemaps -> the article URLs worth fetching (network)."""

from __future__ import annotations

import logging
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
from pipeline.stages.fetch import OutletState
from pipeline.staging import RunPaths, result_row, write_jsonl

log = logging.getLogger(__name__)


def discover(settings: Settings, run_id: str, outlet_name: str, progress: Progress = no_progress) -> str:
    """Fetch the outlet's feeds and sitemaps (conditionally); stage the article URLs worth fetching.

    Candidate URLs are normalised (``canonical.normalize_url``) so one article listed under two
    addresses is fetched once. URLs stored by an earlier run are left out unless ``settings.refetch``; article
    URLs that failed in earlier runs and are not given up are added back even when no feed lists
    them any more (the fetch state, ``pipeline.state``), so a site that was down loses nothing.
    Credentials written into the outlet's URLs are handed to the fetcher and taken off every URL
    that is staged, logged or stored (``pipeline.credentials``). An outlet none of whose feeds
    could be read raises ``OutletFailed``.
    """
    from pipeline.credentials import Credentials, redact_url
    from pipeline.discover import FeedTooLarge, NotAFeed, read_feed
    from pipeline.net.client import Fetcher
    from pipeline.urls import normalize_url

    def candidate_url(url: str) -> str:
        """The URL normalised, with any credentials removed."""
        return redact_url(normalize_url(url))  # no credentials in staging, state or records

    source = outlet(settings, outlet_name)
    credentials = Credentials.from_urls(source.feeds + source.urls)  # sent by the fetcher, never stored
    paths = RunPaths(settings, run_id)
    paths.clear_loaded()  # a run started again (a cleared DAG run) is not loaded until its load ends
    state = OutletState(settings, source.name)
    found: dict[str, Candidate] = {}
    for url in source.urls:
        found.setdefault(candidate_url(url), Candidate(source.name, candidate_url(url)))
    log_rows: list[dict[str, Any]] = []
    feed_results: list[FetchResult] = []
    queue: list[tuple[str, int]] = [(redact_url(feed), 0) for feed in source.feeds]
    seen: set[str] = set()
    limit = settings.max_articles_per_outlet
    with Fetcher(settings, state.archive, credentials=credentials, **shared_dirs(settings)) as fetcher:
        while queue and len(found) < limit:
            feed_url, depth = queue.pop(0)
            if feed_url in seen:
                continue
            seen.add(feed_url)
            result, body = fetcher.fetch(
                feed_url, outlet=source.name, kind="feed", validators=state.validators(feed_url)
            )
            result = state.not_modified(result)  # unchanged: its URLs are listed again (stored ones skipped below)
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
                    for url in contents.article_urls:
                        if len(found) >= limit:
                            break
                        found.setdefault(candidate_url(url), Candidate(source.name, candidate_url(url), feed_url))
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
    known = state.known
    retries = [u for u in known.pending(settings.max_failed_runs) if u not in found]
    for url in retries:
        found[url] = Candidate(source.name, url, "retry")
    candidates = []
    skipped_stored = skipped_given_up = 0
    for url, cand in found.items():
        if not settings.refetch and known.stored_before(url, run_id):
            skipped_stored += 1
        elif not settings.refetch and known.gave_up(url, settings.max_failed_runs):
            skipped_given_up += 1
        else:
            candidates.append(cand)
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
    log_summary("discover", source.name, counts, feeds_failed)
    if feed_results and not source.urls and all(not r.ok for r in feed_results):
        # Nothing could be read: fail this outlet's chain (visibly) instead of loading an empty outlet.
        raise OutletFailed(
            f"outlet {source.name}: none of its {len(feed_results)} feeds could be read "
            f"({', '.join(f'{k}={n}' for k, n in feeds_failed.items())})"
        )
    return str(write_jsonl(paths.stage_file("discover", source.name), (c.to_dict() for c in candidates)))
