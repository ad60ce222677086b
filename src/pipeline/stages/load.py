"""The load stage: an outlet's staging files -> DuckDB, one transaction per outlet (the one writer).

``load`` takes what ``news_ingest`` (or ``factcheck run``) staged; ``reprocess_load`` what a
reprocessing run staged. Both publish the read snapshot and retire the run's staging folder.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from pipeline.settings import Settings
from pipeline.sources import Outlet
from pipeline.stages.common import listed_outlets, log_summary
from pipeline.staging import RunPaths, local_copy, read_results
from pipeline.state import OutletState

log = logging.getLogger(__name__)

LOGGED_STAGES = ("discover", "fetch", "parse", "extract")


def _totals() -> dict[str, int]:
    totals = dict.fromkeys(("fetch_log", "articles", "claims", "failures", "duplicates", "copies"), 0)
    totals.update(outlets=0, skipped_outlets=0, extract_failures=0)
    return totals


def load(settings: Settings, run_id: str, outlet_names: Iterable[str]) -> dict[str, int]:
    """Load every outlet whose stages all completed; one transaction per outlet. Returns totals.

    The DuckDB file is opened for one batch at a time and closed in between, so a reader (the
    ``factcheck sql`` command, the UI) waits at most one batch, never the whole load. Staging files
    on object storage are first copied to a local temporary folder, since DuckDB reads local files.
    A load killed part-way leaves whole batches only; running it again completes it.

    After an outlet's transaction committed, its fetch state learns which URLs are now stored and
    which pages did not become articles (``OutletState.record_loaded``).

    A run with no staging folder at all (a mistyped run id, or a run whose folder was pruned after
    its load) is a ValueError, before the database is opened: loading it would record a run of
    nothing.
    """
    from pipeline import store

    paths = RunPaths(settings, run_id)
    if not paths.root.exists():
        raise ValueError(
            f"no staging files for run {run_id!r} (looked in {paths.root}); nothing loaded. Give the id of a run "
            "whose stages ran (factcheck run, or a news_ingest DAG run); a loaded run's folder is deleted "
            f"{settings.staging_keep_days:g} days after its load (FACTCHECK_STAGING_KEEP_DAYS)"
        )
    outlets = listed_outlets(settings)
    totals = _totals()
    names = list(outlet_names)
    with tempfile.TemporaryDirectory(prefix="factcheck-load-") as tmp:
        for i, name in enumerate(names, 1):
            folder = Path(tmp) / str(i)
            claim_file = local_copy(paths.stage_file("extract", name), folder)
            outlet = outlets.get(name) or Outlet(name, None, (), ())
            logs = {s: local_copy(paths.log_file(s, name), folder) for s in LOGGED_STAGES}
            log_files = tuple(f for f in logs.values() if f is not None)
            if claim_file is None:
                log.error("outlet %s did not finish its stages in run %s; none of its articles is loaded", name, run_id)
                totals["skipped_outlets"] += 1
                _load_failure_log(settings, run_id, outlet, log_files, totals)
                continue
            batch = store.Batch(
                run_id=run_id,
                outlet=_public_outlet(outlet),
                log_files=log_files,
                article_file=local_copy(paths.stage_file("parse", name), folder),
                claim_file=claim_file,
            )
            con = store.open_store(settings)
            try:
                log.info("run %s: loading outlet %s (%d of %d)", run_id, name, i, len(names))
                counts = store.retry_conflicts(con, partial(store.load_batch, con, batch), f"the batch of {name}")
                store.publish_for_readers(settings, con, end_of_run=False)
            finally:
                con.close()
            for key, value in counts.items():
                totals[key] += value
            totals["outlets"] += 1
            totals["extract_failures"] += _count_failed(logs["extract"])
            parse_log = logs["parse"]
            OutletState(settings, name).record_loaded(run_id, read_results(parse_log) if parse_log else ())
            shutil.rmtree(folder, ignore_errors=True)
            log.info("run %s: outlet %s loaded (%d of %d): %s", run_id, name, i, len(names), counts)
    con = store.open_store(settings)
    try:
        store.retry_conflicts(
            con, lambda: store.record_run(con, run_id, totals, totals["outlets"]), f"the totals of run {run_id}"
        )
        store.publish_for_readers(settings, con, end_of_run=True)
    finally:
        con.close()
    log_summary("load", f"run {run_id}", totals)
    _retire_staging(settings, paths, totals)
    return totals


def reprocess_load(settings: Settings, run_id: str, outlet_names: Iterable[str]) -> dict[str, int]:
    """Replace the re-parsed articles and their claims; the only DuckDB writer of a reprocess run."""
    from pipeline import store

    paths = RunPaths(settings, run_id)
    totals = _totals()
    # Staging may be on object storage: DuckDB reads local copies (see ``load``).
    tmp = tempfile.TemporaryDirectory(prefix="factcheck-reprocess-")
    con = store.open_store(settings)
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
            done = store.retry_conflicts(con, partial(store.load_batch, con, batch), f"the reprocessed {name}")
            for key, value in done.items():
                totals[key] += value
            totals["outlets"] += 1
            store.publish_for_readers(settings, con, end_of_run=False)
        store.retry_conflicts(
            con, lambda: store.record_run(con, run_id, totals, totals["outlets"]), f"the totals of run {run_id}"
        )
        store.publish_for_readers(settings, con, end_of_run=True)
    finally:
        con.close()
        tmp.cleanup()
    log.info("reprocess %s loaded: %s", run_id, totals)
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
    return sum(1 for r in read_results(log_file) if not r.ok) if log_file is not None else 0


def _load_failure_log(
    settings: Settings, run_id: str, outlet: Outlet, log_files: tuple[Path, ...], totals: dict[str, int]
) -> None:
    """Record what an outlet that did not finish got as far as (why every feed failed, say) in
    ``fetch_log``, in a transaction of its own, so the Ingest health page shows the reasons."""
    from pipeline import store

    if not log_files:
        return
    con = store.open_store(settings)
    try:
        failed = store.Batch(run_id, _public_outlet(outlet), log_files, None, None)
        counts = store.retry_conflicts(con, lambda: store.load_batch(con, failed), f"the failure log of {outlet.name}")
    finally:
        con.close()
    for key in ("fetch_log", "failures"):
        totals[key] += counts.get(key, 0)


def _retire_staging(settings: Settings, paths: RunPaths, totals: dict[str, int]) -> None:
    """Mark this run's staging as loaded when every outlet of it loaded, and delete the folders of
    runs loaded long enough ago. A run with an outlet that did not load keeps its folder: running
    the load again (``factcheck load --run-id``) after its stages are redone still finds the files."""
    now = datetime.now(UTC)
    if totals["skipped_outlets"]:
        log.warning("run %s: %d outlet(s) did not load; its staging folder is kept", paths.run_id,
                    totals["skipped_outlets"])
    elif totals["outlets"]:
        paths.mark_loaded(totals, now)
    if settings.staging_keep_days > 0:
        paths.prune_loaded(timedelta(days=settings.staging_keep_days), now)
