"""Composes the stages for one outlet's share of a run; used by the DAG tasks and ``factcheck run``.

Each stage reads the previous stage's staging file and writes its own under
``<data_dir>/staging/<run id>/<stage>/<outlet>.jsonl`` (written whole, then renamed into place),
and returns that path, so only references cross task boundaries. Only ``load`` opens DuckDB.

    discover  feeds and sitemaps -> candidate URLs           (network)
    fetch     candidate URLs -> archived bodies               (network)
    parse     archived bodies -> Articles                     (pure)
    extract   Articles -> Claims                              (pure, spaCy)
    load      staging files -> DuckDB, one transaction per outlet
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.archive import Archive, ArchiveError
from pipeline.records import Article, Candidate, Claim, FetchResult, sha256_hex
from pipeline.settings import Settings
from pipeline.sources import Outlet, find_outlet, load_sources
from pipeline.staging import RunPaths, local_copy, read_jsonl, write_jsonl

log = logging.getLogger(__name__)

STAGES = ("discover", "fetch", "parse", "extract")
Progress = Callable[[str, str, int], None]  # (stage, outlet, items done)


def _no_progress(stage: str, outlet: str, n: int) -> None:
    return None


def _log_row(result: FetchResult, stage: str) -> dict[str, Any]:
    row = result.to_dict()
    row["stage"] = stage
    return row


def outlet_names(settings: Settings) -> list[str]:
    """Validate the sources file and list its outlets (the DAG fans out over these)."""
    return [o.name for o in load_sources(settings.sources)]


def _outlet(settings: Settings, name: str) -> Outlet:
    return find_outlet(load_sources(settings.sources), name)


def discover(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Fetch the outlet's feeds and sitemaps; stage the article URLs they list."""
    from pipeline.discover import NotAFeed, read_feed
    from pipeline.fetch import Fetcher

    outlet = _outlet(settings, outlet_name)
    paths = RunPaths(settings, run_id)
    candidates: dict[str, Candidate] = {url: Candidate(outlet.name, url) for url in outlet.urls}
    log_rows: list[dict[str, Any]] = []
    queue: list[tuple[str, int]] = [(feed, 0) for feed in outlet.feeds]
    seen: set[str] = set()
    limit = settings.max_articles_per_outlet
    with Fetcher(settings, Archive(settings.archive_dir)) as fetcher:
        while queue and len(candidates) < limit:
            feed_url, depth = queue.pop(0)
            if feed_url in seen:
                continue
            seen.add(feed_url)
            result, body = fetcher.fetch(feed_url, outlet=outlet.name, kind="feed")
            if body is not None:
                try:
                    contents = read_feed(body, result.final_url or feed_url)
                except NotAFeed as e:
                    log.warning("feed %s (%s) skipped: %s", feed_url, outlet.name, e)
                    result = _failed(result, f"not a feed: {e}")
                else:
                    for url in contents.article_urls:
                        if len(candidates) >= limit:
                            break
                        candidates.setdefault(url, Candidate(outlet.name, url, feed_url))
                    if depth < settings.max_sitemap_depth:
                        queue.extend((child, depth + 1) for child in contents.sitemap_urls)
                    elif contents.sitemap_urls:
                        log.warning(
                            "sitemap %s: %d child sitemaps beyond depth %d not followed",
                            feed_url,
                            len(contents.sitemap_urls),
                            settings.max_sitemap_depth,
                        )
            log_rows.append(_log_row(result, "discover"))
            progress("discover", outlet.name, len(seen))
    write_jsonl(paths.log_file("discover", outlet.name), log_rows)
    out = write_jsonl(paths.stage_file("discover", outlet.name), (c.to_dict() for c in candidates.values()))
    log.info("%s: %d candidate URLs from %d feeds", outlet.name, len(candidates), len(seen))
    return str(out)


def _failed(result: FetchResult, reason: str) -> FetchResult:
    row = result.to_dict()
    row.update(ok=False, reason=reason)
    return FetchResult.from_dict(row)


def fetch(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Fetch every candidate URL of the outlet; bodies go to the archive, results to staging."""
    from pipeline.fetch import Fetcher

    paths = RunPaths(settings, run_id)
    candidates = [Candidate.from_dict(r) for r in read_jsonl(paths.stage_file("discover", outlet_name))]
    results: list[dict[str, Any]] = []
    with Fetcher(settings, Archive(settings.archive_dir)) as fetcher:
        for i, cand in enumerate(candidates, 1):
            result, _ = fetcher.fetch(cand.url, outlet=outlet_name, kind="article")
            results.append(_log_row(result, "fetch"))
            progress("fetch", outlet_name, i)
    write_jsonl(paths.log_file("fetch", outlet_name), results)
    return str(write_jsonl(paths.stage_file("fetch", outlet_name), results))


def parse(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Turn the outlet's fetched pages into Articles; non-articles are logged with their reason."""
    from pipeline.parse import parse_article

    paths = RunPaths(settings, run_id)
    archive = Archive(settings.archive_dir)
    articles: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    for i, row in enumerate(read_jsonl(paths.stage_file("fetch", outlet_name)), 1):
        result = FetchResult.from_dict({k: v for k, v in row.items() if k != "stage"})
        if not result.ok or not result.archive_ref:
            continue
        try:
            body = archive.get(result.archive_ref)
        except ArchiveError as e:
            log.warning("%s: archived body missing: %s", result.url, e)
            log_rows.append(_log_row(_failed(result, f"archived body missing: {e}"), "parse"))
            continue
        article = parse_article(
            body,
            url=result.final_url or result.url,
            outlet=outlet_name,
            charset=result.charset,
            raw_ref=result.archive_ref,
        )
        if not article.is_article:
            log.warning("%s: not an article: %s", result.url, article.not_article_reason)
            log_rows.append(_log_row(_failed(result, f"not an article: {article.not_article_reason}"), "parse"))
            continue
        log_rows.append(_log_row(result, "parse"))
        staged = article.to_dict()
        staged["fetched_at"] = row.get("started_at")
        articles.append(staged)
        progress("parse", outlet_name, i)
    write_jsonl(paths.log_file("parse", outlet_name), log_rows)
    return str(write_jsonl(paths.stage_file("parse", outlet_name), articles))


def claim_id(article_id: str, claim: Claim, version: str) -> str:
    return sha256_hex(f"{article_id}|{claim.content_start}|{claim.content_end}|{version}")[:32]


def extract(settings: Settings, run_id: str, outlet_name: str, progress: Progress = _no_progress) -> str:
    """Extract the claims of the outlet's parsed articles (English only; others are kept, without claims)."""
    from pipeline.claims import EXTRACTOR_VERSION, extract_many, load_nlp

    paths = RunPaths(settings, run_id)
    rows = list(read_jsonl(paths.stage_file("parse", outlet_name)))
    articles = [Article.from_dict({k: v for k, v in r.items() if k != "fetched_at"}) for r in rows]
    english = []
    for a in articles:
        if (a.language or "en").startswith("en"):
            english.append(a)
        else:
            log.info("%s: language %s has no claim model; stored without claims", a.url, a.language)
    out_rows: list[dict[str, Any]] = []
    if english:
        nlp = load_nlp(settings.spacy_model)
        for i, (article, claims) in enumerate(
            zip(english, extract_many((a.text for a in english), nlp=nlp), strict=True), 1
        ):
            for claim in claims:
                row = claim.to_dict()
                row.update(
                    claim_id=claim_id(article.article_id, claim, EXTRACTOR_VERSION),
                    article_id=article.article_id,
                    extractor_version=EXTRACTOR_VERSION,
                )
                out_rows.append(row)
            progress("extract", outlet_name, i)
    return str(write_jsonl(paths.stage_file("extract", outlet_name), out_rows))


def load(settings: Settings, run_id: str, outlet_names: Iterable[str]) -> dict[str, int]:
    """Load every outlet whose stages all completed; one transaction per outlet. Returns totals.

    The DuckDB file is opened for one batch at a time and closed in between, so a reader (the
    ``factcheck sql`` command, the UI) waits at most one batch, never the whole load. Staging files
    on object storage are first copied to a local temporary folder, since DuckDB reads local files.
    A load killed part-way leaves whole batches only; running it again completes it.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from pipeline import store

    paths = RunPaths(settings, run_id)
    outlets = {o.name: o for o in load_sources(settings.sources)}
    totals = {"fetch_log": 0, "articles": 0, "claims": 0, "failures": 0, "outlets": 0, "skipped_outlets": 0}
    names = list(outlet_names)
    with tempfile.TemporaryDirectory(prefix="factcheck-load-") as tmp:
        for i, name in enumerate(names, 1):
            folder = Path(tmp) / str(i)
            claim_file = local_copy(paths.stage_file("extract", name), folder)
            if claim_file is None:
                log.error("outlet %s did not finish its stages in run %s; nothing of it is loaded", name, run_id)
                totals["skipped_outlets"] += 1
                continue
            outlet = outlets.get(name) or Outlet(name, None, (), ())
            logs = (local_copy(paths.log_file(s, name), folder) for s in ("discover", "fetch", "parse"))
            batch = store.Batch(
                run_id=run_id,
                outlet=outlet.to_dict(),
                log_files=tuple(f for f in logs if f is not None),
                article_file=local_copy(paths.stage_file("parse", name), folder),
                claim_file=claim_file,
            )
            con = store.connect(settings.database)
            try:
                log.info("run %s: loading outlet %s (%d of %d)", run_id, name, i, len(names))
                counts = store.load_batch(con, batch)
            finally:
                con.close()
                shutil.rmtree(folder, ignore_errors=True)
            for key, value in counts.items():
                totals[key] += value
            totals["outlets"] += 1
            log.info("run %s: outlet %s loaded (%d of %d): %s", run_id, name, i, len(names), counts)
    con = store.connect(settings.database)
    try:
        store.record_run(con, run_id, totals, totals["outlets"])
    finally:
        con.close()
    log.info("run %s loaded: %s", run_id, totals)
    return totals


def run_all(settings: Settings, run_id: str, progress: Progress = _no_progress) -> dict[str, int]:
    """Every stage for every outlet in this process, then the load: ``factcheck run``."""
    names = outlet_names(settings)
    for name in names:
        discover(settings, run_id, name, progress)
        fetch(settings, run_id, name, progress)
        parse(settings, run_id, name, progress)
        extract(settings, run_id, name, progress)
    return load(settings, run_id, names)
