"""Wires the stages (``pipeline.stages``) for one run; the DAG tasks and the CLI call these names.

Each stage reads the previous stage's staging file and writes its own under
``<staging>/<run id>/<stage>/<outlet>.jsonl`` (written whole, then renamed into place), and
returns that path, so only references cross task boundaries. Of the ingest stages only ``load``
opens the store; ``compare`` (below) is the other writer.

    discover  feeds and sitemaps -> candidate URLs           (network)     stages.discover
    fetch     candidate URLs -> archived bodies               (network)     stages.fetch
    parse     archived bodies -> Articles                     (pure)        stages.parse
    extract   Articles -> Claims                              (pure, spaCy) stages.extract
    load      staging files -> DuckDB, one transaction per outlet           stages.load

Each stage logs one summary line for its outlet (counts, and failures by reason): the line an
operator reads in the task log. An outlet whose every feed fails raises ``OutletFailed`` from
``discover``, so that outlet's chain fails alone; ``load`` still records its stage logs in
``fetch_log`` and counts it as a skipped outlet.

What the network stages know of earlier runs (validators, stored and failed URLs) comes from the
per-outlet fetch state files of ``pipeline.state``, never from DuckDB; ``state.OutletState``
is their one writer (discover and fetch as they fetch, load after each committed outlet).

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

from pipeline.settings import Settings
from pipeline.stages.common import OutletFailed, Progress, log_summary, no_progress, outlet_names, reason_key
from pipeline.stages.compare import compare
from pipeline.stages.discover import discover
from pipeline.stages.extract import claim_id, extract
from pipeline.stages.fetch import fetch
from pipeline.stages.load import load, reprocess_load
from pipeline.stages.parse import parse, reparse, reprocess_list

__all__ = [
    "OutletFailed", "Progress", "claim_id", "compare", "discover", "extract", "fetch", "load",
    "log_summary", "outlet_names", "parse", "reason_key", "reparse", "reprocess_all", "reprocess_list",
    "reprocess_load", "run_all",
]  # fmt: skip

log = logging.getLogger(__name__)

def run_all(settings: Settings, run_id: str, progress: Progress = no_progress) -> dict[str, int]:
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


def reprocess_all(settings: Settings, run_id: str, progress: Progress = no_progress) -> dict[str, int]:
    """``factcheck reprocess``: re-parse and re-extract every stored article from the archive; fetch nothing."""
    names = reprocess_list(settings, run_id)
    for name in names:
        reparse(settings, run_id, name, progress)
        extract(settings, run_id, name, progress)
    return reprocess_load(settings, run_id, names)
