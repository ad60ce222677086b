"""Composes the stages for one outlet's share of a run; used by the DAG tasks and ``factcheck run``.

Each stage reads the previous stage's staging file and writes its own under
``<data_dir>/staging/<run id>/<stage>/<outlet>.jsonl`` (written whole, then renamed into place),
and returns that path, so only references cross task boundaries. Only ``load`` opens DuckDB.

    discover  feeds and sitemaps -> candidate URLs           (network)
    fetch     candidate URLs -> archived bodies               (network)
    parse     archived bodies -> Articles                     (pure)
    extract   Articles -> Claims                              (pure, spaCy)
    load      staging files -> DuckDB, one transaction per outlet

Each stage logs one summary line for its outlet (counts, and failures by reason): the line an
operator reads in the task log. An outlet whose every feed fails raises ``OutletFailed`` from
``discover``, so that outlet's chain fails alone; ``load`` still records its stage logs in
``fetch_log`` and counts it as a skipped outlet.

What the network stages know of earlier runs (validators, stored and failed URLs) comes from the
per-outlet fetch state files of ``pipeline.state``, never from DuckDB; ``load`` updates them after
each committed outlet.

Comparison (the ``compare_claims`` DAG, ``factcheck compare``, the end of ``factcheck run``):

    compare   DuckDB claims not yet compared -> speakers, entities, clusters, alerts (one transaction)

Reprocessing (the ``reprocess`` DAG, ``factcheck reprocess``) fetches nothing:

    reprocess_list  DuckDB (read-only, opened and closed in store) -> stored articles per outlet
    reparse         archived bodies -> Articles (identity kept)
    extract         as above, with the current extractor version
    reprocess_load  replaces those articles and their claims
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from pipeline.archive import Archive, ArchiveError
from pipeline.records import Article, Candidate, Claim, FetchResult, sha256_hex
from pipeline.settings import Settings
from pipeline.sources import Outlet, SourcesError, find_outlet, load_sources
from pipeline.staging import RunPaths, local_copy, read_jsonl, write_jsonl

log = logging.getLogger(__name__)

STAGES = ("discover", "fetch", "parse", "extract")
ARTICLE_FIELDS = frozenset(f.name for f in fields(Article)) | {"article_id"}
Progress = Callable[[str, str, int], None]  # (stage, outlet, items done)


def _no_progress(stage: str, outlet: str, n: int) -> None:
    return None


class OutletFailed(RuntimeError):
    """An outlet gave this run nothing to work with (every feed failed); the other outlets go on."""


_AFTER_ATTEMPTS = re.compile(r" \(after \d+ attempts\)$")
MAX_REASON_KEY = 60


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


def _failures(results: Iterable[FetchResult]) -> Counter[str]:
    return Counter(reason_key(r.reason) for r in results if not r.ok)


def _log_row(result: FetchResult, stage: str) -> dict[str, Any]:
    row = result.to_dict()
    row["stage"] = stage
    return row


def outlet_names(settings: Settings) -> list[str]:
    """Validate the sources file and list its outlets (the DAG fans out over these)."""
    return [o.name for o in load_sources(settings.sources)]


def _outlet(settings: Settings, name: str) -> Outlet:
    return find_outlet(load_sources(settings.sources), name)


def _declared_domain(settings: Settings, name: str) -> str | None:
    """The domain the outlet declares in the sources file; None if it declares none, is not listed,
    or the sources file cannot be read (reprocessing needs no sources file)."""
    try:
        return next((o.domain for o in load_sources(settings.sources) if o.name == name), None)
    except SourcesError as e:
        log.warning("outlet %s: no declared domain (%s)", name, e)
        return None


def discover(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Fetch the outlet's feeds and sitemaps (conditionally); stage the article URLs worth fetching.

    Candidate URLs are normalised (``canonical.normalize_url``) so one article listed under two
    addresses is fetched once. URLs stored by an earlier run are left out unless ``settings.refetch``; article
    URLs that failed in earlier runs and are not given up are added back even when no feed lists
    them any more (the fetch state, ``pipeline.state``), so a site that was down loses nothing.
    Credentials written into the outlet's URLs are handed to the fetcher and taken off every URL
    that is staged, logged or stored (``pipeline.credentials``).
    """
    from pipeline import state as fetch_state
    from pipeline.credentials import Credentials, redact_url
    from pipeline.discover import FeedTooLarge, NotAFeed, read_feed
    from pipeline.net.client import Fetcher
    from pipeline.urls import normalize_url

    def candidate_url(url: str) -> str:
        return redact_url(normalize_url(url))  # no credentials in staging, state or records

    outlet = _outlet(settings, outlet_name)
    credentials = Credentials.from_urls(outlet.feeds + outlet.urls)  # sent by the fetcher, never stored
    paths = RunPaths(settings, run_id)
    paths.clear_loaded()  # a run started again (a cleared DAG run) is not loaded until its load ends
    known = fetch_state.FetchState.load(settings.state_dir, outlet.name)
    found: dict[str, Candidate] = {}
    for url in outlet.urls:
        found.setdefault(candidate_url(url), Candidate(outlet.name, candidate_url(url)))
    log_rows: list[dict[str, Any]] = []
    feed_results: list[FetchResult] = []
    queue: list[tuple[str, int]] = [(redact_url(feed), 0) for feed in outlet.feeds]
    seen: set[str] = set()
    limit = settings.max_articles_per_outlet
    archive = Archive(settings.archive_dir)
    with Fetcher(settings, archive, credentials=credentials, **_shared_dirs(settings)) as fetcher:
        while queue and len(found) < limit:
            feed_url, depth = queue.pop(0)
            if feed_url in seen:
                continue
            seen.add(feed_url)
            ref = known.get(feed_url).get("archive_ref")
            usable = ref is not None and archive.has(ref)
            result, body = fetcher.fetch(
                feed_url, outlet=outlet.name, kind="feed", validators=known.validators(feed_url) if usable else {}
            )
            if result.ok and result.status == 304 and ref:
                # unchanged: list its URLs again from the archived copy (stored ones are skipped below)
                log.info("feed %s (%s) unchanged since the last run", feed_url, outlet.name)
                body = archive.get(ref)
            if body is not None:
                try:
                    contents = read_feed(body, result.final_url or feed_url, settings.max_feed_bytes)
                except NotAFeed as e:
                    log.warning("feed %s (%s) skipped: %s", feed_url, outlet.name, e)
                    result = _failed(result, str(e) if isinstance(e, FeedTooLarge) else f"not a feed: {e}")
                else:
                    if not contents.article_urls and not contents.sitemap_urls:
                        log.info("feed %s (%s) is valid and empty", feed_url, outlet.name)
                    for url in contents.article_urls:
                        if len(found) >= limit:
                            break
                        found.setdefault(candidate_url(url), Candidate(outlet.name, candidate_url(url), feed_url))
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
            log_rows.append(_log_row(result, "discover"))
            progress("discover", outlet.name, len(seen))
    fetch_state.record_fetches(settings.state_dir, outlet.name, run_id, feed_results)
    retries = [u for u in known.pending(settings.max_failed_runs) if u not in found]
    for url in retries:
        found[url] = Candidate(outlet.name, url, "retry")
    candidates = []
    skipped_stored = skipped_given_up = 0
    for url, cand in found.items():
        if not settings.refetch and known.stored_before(url, run_id):
            skipped_stored += 1
        elif not settings.refetch and known.gave_up(url, settings.max_failed_runs):
            skipped_given_up += 1
        else:
            candidates.append(cand)
    write_jsonl(paths.log_file("discover", outlet.name), log_rows)
    feeds_failed = _failures(feed_results)
    counts = {
        "feeds": len(seen),
        "feeds_failed": sum(feeds_failed.values()),
        "candidates": len(candidates),
        "retried": len(retries),
        "already_stored": skipped_stored,
        "given_up": skipped_given_up,
    }
    log_summary("discover", outlet.name, counts, feeds_failed)
    if feed_results and not outlet.urls and all(not r.ok for r in feed_results):
        # Nothing could be read: fail this outlet's chain (visibly) instead of loading an empty outlet.
        raise OutletFailed(
            f"outlet {outlet.name}: none of its {len(feed_results)} feeds could be read "
            f"({', '.join(f'{k}={n}' for k, n in feeds_failed.items())})"
        )
    out = write_jsonl(paths.stage_file("discover", outlet.name), (c.to_dict() for c in candidates))
    return str(out)


def _shared_dirs(settings: Settings) -> dict[str, Any]:
    """What fetchers of parallel tasks share: cached robots.txt files and per-host schedules."""
    return {"robots_dir": settings.state_dir / "robots", "clock_dir": settings.state_dir / "hosts"}


def _failed(result: FetchResult, reason: str) -> FetchResult:
    row = result.to_dict()
    row.update(ok=False, reason=reason)
    return FetchResult.from_dict(row)


def fetch(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Fetch every candidate URL of the outlet; bodies go to the archive, results to staging.

    Hosts are fetched in parallel, each host serialised with its delay (``Fetcher.fetch_many``). A
    URL whose body is archived is asked for conditionally, and a 304 means that archived body is
    parsed again: a page an earlier run fetched but did not store, a redo of this run, or --refetch.
    """
    from dataclasses import replace

    from pipeline import state as fetch_state
    from pipeline.credentials import Credentials
    from pipeline.net.client import Fetcher, Request, charset_of

    outlet = {o.name: o for o in load_sources(settings.sources)}.get(outlet_name)
    credentials = Credentials.from_urls(outlet.feeds + outlet.urls) if outlet else Credentials()
    paths = RunPaths(settings, run_id)
    candidates = [Candidate.from_dict(r) for r in read_jsonl(paths.stage_file("discover", outlet_name))]
    known = fetch_state.FetchState.load(settings.state_dir, outlet_name)
    archive = Archive(settings.archive_dir)
    requests = []
    for cand in candidates:
        ref = known.get(cand.url).get("archive_ref")
        # validators only when a 304 leaves us something to work with: the archived body
        usable = ref is not None and archive.has(ref)
        requests.append(Request(cand.url, known.validators(cand.url) if usable else {}))
    with Fetcher(settings, archive, credentials=credentials, **_shared_dirs(settings)) as fetcher:
        fetched = fetcher.fetch_many(requests, outlet=outlet_name, kind="article")
    results: list[FetchResult] = []
    for i, (result, _) in enumerate(fetched, 1):
        ref = known.get(result.url).get("archive_ref")
        if result.ok and result.status == 304 and ref and archive.has(ref):
            # unchanged since we archived it: parse the archived body (not stored yet, a redo, or --refetch)
            content_type = archive.meta(ref).get("headers", {}).get("content-type")
            result = replace(result, archive_ref=ref, content_type=content_type, charset=charset_of(content_type or ""))
        results.append(result)
        progress("fetch", outlet_name, i)
    fetch_state.record_fetches(settings.state_dir, outlet_name, run_id, results)
    rows = [_log_row(r, "fetch") for r in results]
    write_jsonl(paths.log_file("fetch", outlet_name), rows)
    failed = _failures(results)
    counts = {"urls": len(results), "fetched": len(results) - sum(failed.values()), "failed": sum(failed.values())}
    log_summary("fetch", outlet_name, counts, failed)
    return str(write_jsonl(paths.stage_file("fetch", outlet_name), rows))


def _parse_one(
    archive: Archive, result: FetchResult, outlet_name: str, domain: str | None = None
) -> tuple[dict[str, Any] | None, FetchResult]:
    """Parse one archived body; return the staged article (None if it is not one) and its log record.

    ``domain`` (the outlet's declared one) decides with the fetched URL's site which canonical URL
    the page may take as its identity (``pipeline.parse.urls``)."""
    from pipeline.dedupe import fingerprint
    from pipeline.parse import parse_article

    assert result.archive_ref is not None
    try:
        body = archive.get(result.archive_ref)
    except ArchiveError as e:
        log.warning("%s: archived body missing: %s", result.url, e)
        return None, _failed(result, f"archived body missing: {e}")
    article = parse_article(
        body,
        url=result.final_url or result.url,
        outlet=outlet_name,
        charset=result.charset,
        raw_ref=result.archive_ref,
        domain=domain,
    )
    if not article.is_article:
        log.warning("%s: not an article: %s", result.url, article.not_article_reason)
        return None, _failed(result, f"not an article: {article.not_article_reason}")
    staged = article.to_dict()
    staged.update(fingerprint(article.text))
    return staged, result


def parse(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Turn the outlet's fetched pages into Articles; non-articles are logged with their reason."""
    paths = RunPaths(settings, run_id)
    archive = Archive(settings.archive_dir)
    domain = _declared_domain(settings, outlet_name)
    articles: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    rejected: list[FetchResult] = []
    for i, row in enumerate(read_jsonl(paths.stage_file("fetch", outlet_name)), 1):
        result = FetchResult.from_dict({k: v for k, v in row.items() if k != "stage"})
        if not result.ok or not result.archive_ref:
            continue
        staged, logged = _parse_one(archive, result, outlet_name, domain)
        log_rows.append(_log_row(logged, "parse"))
        if staged is not None:
            staged["fetched_at"] = row.get("started_at")
            articles.append(staged)
        else:
            rejected.append(logged)
        progress("parse", outlet_name, i)
    write_jsonl(paths.log_file("parse", outlet_name), log_rows)
    counts = {"pages": len(log_rows), "articles": len(articles), "rejected": len(rejected)}
    log_summary("parse", outlet_name, counts, _failures(rejected))
    return str(write_jsonl(paths.stage_file("parse", outlet_name), articles))


def claim_id(article_id: str, claim: Claim, version: str) -> str:
    return sha256_hex(f"{article_id}|{claim.content_start}|{claim.content_end}|{version}")[:32]


def extract(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Extract the claims of the outlet's parsed articles (English only; others are kept, without claims).

    An article the claim rules fail on is stored without claims, and its failure is a record of
    the extract log (stage 'extract', with the reason) that the load counts and writes to
    ``fetch_log``, as the parse stage does for pages that are not articles.
    """
    from pipeline.claims import EXTRACTOR_VERSION, ExtractionError, extract_many, load_nlp

    paths = RunPaths(settings, run_id)
    rows = list(read_jsonl(paths.stage_file("parse", outlet_name)))
    articles = [Article.from_dict({k: v for k, v in r.items() if k in ARTICLE_FIELDS}) for r in rows]
    english = []
    for a in articles:
        if (a.language or "en").startswith("en"):
            english.append(a)
        else:
            log.info("%s: language %s has no claim model; stored without claims", a.url, a.language)
    out_rows: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    failures: dict[int, ExtractionError] = {}
    if english:
        nlp = load_nlp(settings.spacy_model)
        texts = (a.text for a in english)
        for i, (article, claims) in enumerate(
            zip(english, extract_many(texts, nlp=nlp, on_error=failures.__setitem__), strict=True), 1
        ):
            error = failures.get(i - 1)
            if error is not None:
                log.error("%s: claim extraction failed, stored without claims: %s", article.url, error)
            result = FetchResult(article.url, outlet_name, "article", error is None,
                                 reason=f"claim extraction failed: {error}" if error else None,
                                 archive_ref=article.raw_ref)  # fmt: skip
            log_rows.append(_log_row(result, "extract"))
            for claim in claims:
                row = claim.to_dict()
                row.update(
                    claim_id=claim_id(article.article_id, claim, EXTRACTOR_VERSION),
                    article_id=article.article_id,
                    extractor_version=EXTRACTOR_VERSION,
                )
                out_rows.append(row)
            progress("extract", outlet_name, i)
    if failures:
        log.error("%s: claim extraction failed on %d of %d articles", outlet_name, len(failures), len(english))
    write_jsonl(paths.log_file("extract", outlet_name), log_rows)
    with_claims = len({row["article_id"] for row in out_rows})
    counts = {
        "articles": len(articles),
        "english": len(english),
        "with_claims": with_claims,
        "claims": len(out_rows),
        "failed": len(failures),
        "no_claim_model": len(articles) - len(english),
    }
    log_summary("extract", outlet_name, counts)
    return str(write_jsonl(paths.stage_file("extract", outlet_name), out_rows))


def load(settings: Settings, run_id: str, outlet_names: Iterable[str]) -> dict[str, int]:
    """Load every outlet whose stages all completed; one transaction per outlet. Returns totals.

    The DuckDB file is opened for one batch at a time and closed in between, so a reader (the
    ``factcheck sql`` command, the UI) waits at most one batch, never the whole load. Staging files
    on object storage are first copied to a local temporary folder, since DuckDB reads local files.
    A load killed part-way leaves whole batches only; running it again completes it.

    After an outlet's transaction committed, its fetch state learns which URLs are now stored and
    which pages did not become articles (``pipeline.state.record_loaded``).
    """
    import shutil
    import tempfile
    from pathlib import Path

    from pipeline import state as fetch_state
    from pipeline import store

    paths = RunPaths(settings, run_id)
    outlets = {o.name: o for o in load_sources(settings.sources)}
    totals = dict.fromkeys(("fetch_log", "articles", "claims", "failures", "duplicates", "copies"), 0)
    totals.update(outlets=0, skipped_outlets=0, extract_failures=0)
    names = list(outlet_names)
    with tempfile.TemporaryDirectory(prefix="factcheck-load-") as tmp:
        for i, name in enumerate(names, 1):
            folder = Path(tmp) / str(i)
            claim_file = local_copy(paths.stage_file("extract", name), folder)
            outlet = outlets.get(name) or Outlet(name, None, (), ())
            logs = {s: local_copy(paths.log_file(s, name), folder) for s in ("discover", "fetch", "parse", "extract")}
            if claim_file is None:
                log.error("outlet %s did not finish its stages in run %s; none of its articles is loaded", name, run_id)
                totals["skipped_outlets"] += 1
                _load_failure_log(settings, run_id, outlet, tuple(f for f in logs.values() if f is not None), totals)
                continue
            batch = store.Batch(
                run_id=run_id,
                outlet=_public_outlet(outlet),
                log_files=tuple(f for f in logs.values() if f is not None),
                article_file=local_copy(paths.stage_file("parse", name), folder),
                claim_file=claim_file,
            )
            con = store.connect(settings.database)
            try:
                log.info("run %s: loading outlet %s (%d of %d)", run_id, name, i, len(names))
                counts = store.load_batch(con, batch)
                _publish_snapshot(settings, con, end_of_run=False)
            finally:
                con.close()
            for key, value in counts.items():
                totals[key] += value
            totals["outlets"] += 1
            totals["extract_failures"] += _count_failed(logs["extract"])
            parse_log = logs["parse"]
            parsed = list(read_jsonl(parse_log)) if parse_log is not None else []
            fetch_state.record_loaded(
                settings.state_dir,
                name,
                run_id,
                stored=[r["url"] for r in parsed if r["ok"]],
                rejected=[(r["url"], r.get("reason")) for r in parsed if not r["ok"]],
            )
            shutil.rmtree(folder, ignore_errors=True)
            log.info("run %s: outlet %s loaded (%d of %d): %s", run_id, name, i, len(names), counts)
    con = store.connect(settings.database)
    try:
        store.record_run(con, run_id, totals, totals["outlets"])
        _publish_snapshot(settings, con, end_of_run=True)
    finally:
        con.close()
    log_summary("load", f"run {run_id}", totals)
    _retire_staging(settings, paths, totals)
    return totals


def _public_outlet(outlet: Outlet) -> dict[str, Any]:
    """The outlet as the ``outlets`` table keeps it: its URLs without the credentials written into them."""
    from pipeline.credentials import redact_url

    row = outlet.to_dict()
    row["feeds"] = [redact_url(u) for u in outlet.feeds]
    row["urls"] = [redact_url(u) for u in outlet.urls]
    return row


def _count_failed(log_file: Path | None) -> int:
    """The failure records of one stage's log file (0 when there is none)."""
    return sum(1 for r in read_jsonl(log_file) if not r["ok"]) if log_file is not None else 0


def _load_failure_log(
    settings: Settings, run_id: str, outlet: Outlet, log_files: tuple[Path, ...], totals: dict[str, int]
) -> None:
    """Record what an outlet that did not finish got as far as (why every feed failed, say) in
    ``fetch_log``, in a transaction of its own, so the Ingest health page shows the reasons."""
    from pipeline import store

    if not log_files:
        return
    con = store.connect(settings.database)
    try:
        counts = store.load_batch(con, store.Batch(run_id, _public_outlet(outlet), log_files, None, None))
    finally:
        con.close()
    for key in ("fetch_log", "failures"):
        totals[key] += counts.get(key, 0)


def _publish_snapshot(settings: Settings, con: Any, end_of_run: bool) -> None:
    """Publish the read snapshot readers open (``settings.read_snapshot``), from the writer's connection.

    With ``batch`` after every committed batch and at the end of the run, with ``run`` only at the
    end; with ``off`` an existing snapshot is removed at the end, so readers use the live file and
    never a stale copy. A snapshot that cannot be written is removed (readers fall back to the
    live file) and the load goes on: the rows are committed, only the copy failed.
    """
    from pipeline import store

    mode = settings.read_snapshot
    if mode == "off":
        if end_of_run and store.remove_snapshot(settings.database):
            log.info("read snapshots are off: removed %s", store.snapshot_path(settings.database))
        return
    if mode == "run" and not end_of_run:
        return
    try:
        store.publish_snapshot(con, settings.database)
    except (OSError, store.StoreError) as e:
        try:
            store.remove_snapshot(settings.database)
        except OSError as gone:
            log.error("could not remove the read snapshot of %s either: %s", settings.database, gone)
        log.error("could not publish the read snapshot of %s, removed it (readers use the live file): %s",
                  settings.database, e)


def _retire_staging(settings: Settings, paths: RunPaths, totals: dict[str, int]) -> None:
    """Mark this run's staging as loaded when every outlet of it loaded, and delete the folders of
    runs loaded long enough ago. A run with an outlet that did not load keeps its folder: running
    the load again (``factcheck load --run-id``) after its stages are redone still finds the files."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    if totals["skipped_outlets"]:
        log.warning("run %s: %d outlet(s) did not load; its staging folder is kept", paths.run_id,
                    totals["skipped_outlets"])
    elif totals["outlets"]:
        paths.mark_loaded(totals, now)
    if settings.staging_keep_days > 0:
        paths.prune_loaded(timedelta(days=settings.staging_keep_days), now)


def reprocess_list(settings: Settings, run_id: str) -> list[str]:
    """First reprocess step: list the stored articles per outlet into staging; returns the outlets.

    The DuckDB file is opened read-only inside ``store`` and closed before this returns.
    """
    from pipeline import store

    paths = RunPaths(settings, run_id)
    paths.clear_loaded()
    by_outlet: dict[str, list[dict[str, Any]]] = {}
    for row in store.articles_for_reprocess(settings.database):
        by_outlet.setdefault(row["outlet"], []).append(row)
    for outlet, rows in by_outlet.items():
        write_jsonl(paths.stage_file("reprocess", outlet), rows)
    log.info("reprocess %s: %d articles of %d outlets", run_id, sum(map(len, by_outlet.values())), len(by_outlet))
    return sorted(by_outlet)


def reparse(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Re-parse an outlet's stored articles from the archive (no network) into the parse staging file.

    An article keeps its identity: if the parser now finds another canonical URL, the stored one is
    kept (and the change logged), so its claims are replaced rather than duplicated under a new id.
    """
    from pipeline.net.client import charset_of

    paths = RunPaths(settings, run_id)
    archive = Archive(settings.archive_dir)
    domain = _declared_domain(settings, outlet_name)
    articles: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    for i, row in enumerate(read_jsonl(paths.stage_file("reprocess", outlet_name)), 1):
        try:
            meta = archive.meta(row["raw_ref"])
        except ArchiveError:
            meta = {}
        content_type = (meta.get("headers") or {}).get("content-type")
        result = FetchResult(
            row["url"], outlet_name, "article", True, meta.get("status", 200), None,
            meta.get("final_url") or row["url"], content_type, charset_of(content_type or ""),
            archive_ref=row["raw_ref"],
        )  # fmt: skip
        staged, logged = _parse_one(archive, result, outlet_name, domain)
        if staged is None:
            log.warning("reprocess: %s kept as stored: %s", row["url"], logged.reason)
            log_rows.append(_log_row(logged, "reparse"))
            continue
        if staged["article_id"] != row["article_id"]:
            log.info("reprocess: %s keeps its canonical URL %s (parser now says %s)",
                     row["url"], row["canonical_url"], staged["canonical_url"])  # fmt: skip
            staged.update(canonical_url=row["canonical_url"], article_id=row["article_id"])
        staged["fetched_at"] = row.get("fetched_at")
        articles.append(staged)
        progress("reparse", outlet_name, i)
    write_jsonl(paths.log_file("reparse", outlet_name), log_rows)
    return str(write_jsonl(paths.stage_file("parse", outlet_name), articles))


def reprocess_load(settings: Settings, run_id: str, outlet_names: Iterable[str]) -> dict[str, int]:
    """Replace the re-parsed articles and their claims; the only DuckDB writer of a reprocess run."""
    import tempfile
    from pathlib import Path

    from pipeline import store

    paths = RunPaths(settings, run_id)
    totals = dict.fromkeys(("fetch_log", "articles", "claims", "failures", "duplicates", "copies"), 0)
    totals.update(outlets=0, skipped_outlets=0, extract_failures=0)
    # Staging may be on object storage: DuckDB reads local copies (see ``load``).
    tmp = tempfile.TemporaryDirectory(prefix="factcheck-reprocess-")
    con = store.connect(settings.database)
    try:
        for name in outlet_names:
            claim_file = local_copy(paths.stage_file("extract", name), Path(tmp.name))
            if claim_file is None:
                log.error("outlet %s did not finish reprocessing in run %s; its rows are unchanged", name, run_id)
                totals["skipped_outlets"] += 1
                continue
            article_file = local_copy(paths.stage_file("parse", name), Path(tmp.name))
            extract_log = local_copy(paths.log_file("extract", name), Path(tmp.name) / "log")
            logs = (extract_log,) if extract_log is not None else ()
            batch = store.Batch(run_id, None, logs, article_file, claim_file)
            totals["extract_failures"] += _count_failed(extract_log)
            for key, value in store.load_batch(con, batch).items():
                totals[key] += value
            totals["outlets"] += 1
            _publish_snapshot(settings, con, end_of_run=False)
        store.record_run(con, run_id, totals, totals["outlets"])
        _publish_snapshot(settings, con, end_of_run=True)
    finally:
        con.close()
        tmp.cleanup()
    log.info("reprocess %s loaded: %s", run_id, totals)
    _retire_staging(settings, paths, totals)
    return totals


def reprocess_all(settings: Settings, run_id: str, progress: Progress = _no_progress) -> dict[str, int]:
    """``factcheck reprocess``: re-parse and re-extract every stored article from the archive; fetch nothing."""
    names = reprocess_list(settings, run_id)
    for name in names:
        reparse(settings, run_id, name, progress)
        extract(settings, run_id, name, progress)
    return reprocess_load(settings, run_id, names)


def compare(settings: Settings, compare_run_id: str | None = None, max_articles: int | None = None) -> dict[str, Any]:
    """Compare the claims no run has compared yet: canonical speakers, entities, clusters and new
    contradictions (alerts), written in one transaction. Returns the run's summary.

    One writable connection is held from the first read to the commit (so no load interleaves);
    the work is the pure ``pipeline.compare.stage`` (``resolve_new``, then ``cluster_new``). Claims
    already compared are read only as the state to compare with: the clusters within the time
    window around the new claims' dates that share a term or the speaker with one of them, so a
    run's cost follows the new claims, not the store. A run that adds nothing writes nothing
    but its ``compare_runs`` row. ``max_articles`` caps the articles taken in one run (the rest stay
    new for the next).
    """
    import time
    from datetime import UTC, datetime

    from pipeline import store
    from pipeline.compare import load_alias_file
    from pipeline.compare.clusters import Params
    from pipeline.compare.stage import cluster_new, resolve_new
    from pipeline.store import compare as compare_store

    started = datetime.now(UTC)
    run = compare_run_id or "compare__" + started.strftime("%Y-%m-%dT%H:%M:%S.%f")
    aliases = load_alias_file(settings.speaker_aliases_path)  # a bad alias file stops here, naming the line
    params = Params()
    t0 = time.perf_counter()
    con = store.connect(settings.database)
    try:
        articles = compare_store.pending_articles(con, max_articles)
        claims = compare_store.claims_of_articles(con, articles)
        result = resolve_new(
            claims,
            compare_store.article_texts(con, articles),
            compare_store.stored_speakers(con),
            compare_store.stored_entities(con),
            aliases,
        )
        terms, speaker_ids = result.block_keys()
        new_dates = [c["seen_at"] for c in claims if c["is_new"] and c["seen_at"] is not None]
        state = compare_store.cluster_state_rows(
            con, min(new_dates, default=None), max(new_dates, default=None), params.window_days,
            terms, speaker_ids, params.block_max,
        ) if claims else compare_store.ClusterStateRows([], {}, 0)  # fmt: skip
        cluster_new(result, state.rows, state.df, state.n_claims, params)
        write = compare_store.CompareWrite(
            compare_run_id=run,
            started_at=started,
            speakers=result.speakers,
            claim_speakers=result.claim_speakers,
            entities=result.entities,
            claim_entities=result.claim_entities,
            assignments=result.assignment_rows(),
            alerts=result.alerts,
            n_restored=result.n_restored,
        )
        counts = compare_store.write_compare(con, write)
        _publish_snapshot(settings, con, end_of_run=True)  # readers of the snapshot see the new clusters
    finally:
        con.close()
    summary: dict[str, Any] = {
        "compare_run_id": run,
        "articles": len(articles),
        "claims": len(result.assignments),
        "restored": result.n_restored,
        "speakers": counts["speakers"],
        "new_speakers": counts["new_speakers"],
        "entities": len(result.entities),
        "alerts": counts["alerts"],
        "pruned": counts["pruned"],
        "reasons": result.reasons(),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    log.info("compare %s: %s", run, summary)
    return summary


def run_all(settings: Settings, run_id: str, progress: Progress = _no_progress) -> dict[str, int]:
    """Every stage for every outlet in this process, then the load: ``factcheck run`` (which then
    calls :func:`compare`)."""
    names = outlet_names(settings)
    for name in names:
        try:
            discover(settings, run_id, name, progress)
        except OutletFailed as e:  # as in the DAG: this outlet is not loaded, the others are
            log.error("%s", e)
            continue
        fetch(settings, run_id, name, progress)
        parse(settings, run_id, name, progress)
        extract(settings, run_id, name, progress)
    return load(settings, run_id, names)
