"""The parse stage: archived bodies -> Articles (pure but for reading the archive).

``parse`` takes the pages the fetch stage staged; ``reparse`` (reprocessing, no network) takes the
stored articles ``reprocess_list`` staged and keeps each one's identity.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, cast

from pipeline.archive import Archive, ArchiveError
from pipeline.records import FetchResult, StagedArticle
from pipeline.settings import Settings
from pipeline.stages.common import Progress, declared_domain, failed, failures, log_summary, no_progress
from pipeline.staging import RunPaths, read_jsonl, read_results, result_row, write_jsonl

log = logging.getLogger(__name__)


def parse_one(
    archive: Archive, result: FetchResult, outlet_name: str, domain: str | None = None
) -> tuple[StagedArticle | None, FetchResult]:
    """Parse one archived body; return the staged article (None if it is not one) and its log record.

    ``domain`` (the outlet's declared one) decides with the fetched URL's site which canonical URL
    the page may take as its identity (``pipeline.parse.canonical``)."""
    from pipeline.dedupe import fingerprint
    from pipeline.parse import parse_article

    assert result.archive_ref is not None
    try:
        body = archive.get(result.archive_ref)
    except ArchiveError as e:
        log.warning("%s: archived body missing: %s", result.url, e)
        return None, failed(result, f"archived body missing: {e}")
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
        return None, failed(result, f"not an article: {article.not_article_reason}")
    prints = fingerprint(article.text)
    staged = StagedArticle(
        article,
        minhash=tuple(cast(list[int], prints["minhash"])),
        bands=tuple(cast(list[str], prints["bands"])),
        wire=cast(str | None, prints["wire"]),
    )
    return staged, result


def parse(settings: Settings, run_id: str, outlet_name: str, progress: Progress = no_progress) -> str:
    """Turn the outlet's fetched pages into Articles; non-articles are logged with their reason."""
    paths = RunPaths(settings, run_id)
    archive = Archive(settings.archive_dir)
    domain = declared_domain(settings, outlet_name)
    articles: list[StagedArticle] = []
    log_rows: list[dict[str, Any]] = []
    rejected: list[FetchResult] = []
    for i, result in enumerate(read_results(paths.stage_file("fetch", outlet_name)), 1):
        if not result.ok or not result.archive_ref:
            continue
        staged, logged = parse_one(archive, result, outlet_name, domain)
        log_rows.append(result_row(logged, "parse"))
        if staged is not None:
            fetched_at = result.started_at.isoformat() if result.started_at else None
            articles.append(replace(staged, fetched_at=fetched_at))
        else:
            rejected.append(logged)
        progress("parse", outlet_name, i)
    write_jsonl(paths.log_file("parse", outlet_name), log_rows)
    counts = {"pages": len(log_rows), "articles": len(articles), "rejected": len(rejected)}
    log_summary("parse", outlet_name, counts, failures(rejected))
    return str(write_jsonl(paths.stage_file("parse", outlet_name), (a.to_dict() for a in articles)))


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


def reparse(settings: Settings, run_id: str, outlet_name: str, progress: Progress = no_progress) -> str:
    """Re-parse an outlet's stored articles from the archive (no network) into the parse staging file.

    An article keeps its identity: if the parser now finds another canonical URL, the stored one is
    kept (and the change logged), so its claims are replaced rather than duplicated under a new id.
    """
    from pipeline.util import charset_of

    paths = RunPaths(settings, run_id)
    archive = Archive(settings.archive_dir)
    domain = declared_domain(settings, outlet_name)
    articles: list[StagedArticle] = []
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
        staged, logged = parse_one(archive, result, outlet_name, domain)
        if staged is None:
            log.warning("reprocess: %s kept as stored: %s", row["url"], logged.reason)
            log_rows.append(result_row(logged, "reparse"))
            continue
        if staged.article.article_id != row["article_id"]:
            log.info("reprocess: %s keeps its canonical URL %s (parser now says %s)",
                     row["url"], row["canonical_url"], staged.article.canonical_url)  # fmt: skip
            staged = replace(staged, article=replace(staged.article, canonical_url=row["canonical_url"]))
        fetched_at = row.get("fetched_at")
        articles.append(replace(staged, fetched_at=str(fetched_at) if fetched_at is not None else None))
        progress("reparse", outlet_name, i)
    write_jsonl(paths.log_file("reparse", outlet_name), log_rows)
    return str(write_jsonl(paths.stage_file("parse", outlet_name), (a.to_dict() for a in articles)))
