"""The compare stage: DuckDB claims not yet compared -> speakers, entities, clusters and alerts."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from pipeline.settings import Settings

log = logging.getLogger(__name__)


def compare(settings: Settings, compare_run_id: str | None = None, max_articles: int | None = None) -> dict[str, Any]:
    """Compare the claims no run has compared yet: canonical speakers, entities, clusters and new
    contradictions (alerts), written in one transaction. Returns the run's summary.

    One writable connection is held from the first read to the commit (so no load interleaves);
    the work is the pure ``pipeline.compare.stage`` (``resolve_new``, then ``cluster_new``). Claims
    already compared are read only as the state to compare with: the clusters within the time
    window around the new claims' dates that share a term or the speaker with one of them, so a
    run's cost follows the new claims, not the store. A run that adds nothing writes nothing
    but its ``compare_runs`` row. ``max_articles`` caps the articles taken in one run (the rest stay
    new for the next). A missing database, alias file or [semantic] extra stops it before anything
    is opened or created.
    """
    from pipeline import store
    from pipeline.compare import load_alias_file
    from pipeline.compare.clusters import params_for
    from pipeline.compare.stage import cluster_new, resolve_new
    from pipeline.store import compare as compare_store

    store.require_store(settings)  # compare only what a load stored; never create a file
    started = datetime.now(UTC)
    run = compare_run_id or "compare__" + started.strftime("%Y-%m-%dT%H:%M:%S.%f")
    aliases = load_alias_file(settings.speaker_aliases_path)  # a bad alias file stops here, naming the line
    params = params_for(settings.compare_method)
    encode = None
    if params.method != "lexical":
        from pipeline.compare.semantic import load_encoder

        encode = load_encoder()  # without the [semantic] extra this says what to install
    t0 = time.perf_counter()
    con = store.open_store(settings)
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
        alerted = compare_store.alerted_pairs(con, (r["cluster_id"] for r in state.rows))
        cluster_new(
            result, state.rows, state.df, state.n_claims, params, encode, alerted, settings.max_alerts_per_cluster
        )
        write = compare_store.CompareWrite(
            compare_run_id=run,
            started_at=started,
            speakers=result.speakers,
            claim_speakers=result.claim_speakers,
            entities=result.entities,
            claim_entities=result.claim_entities,
            assignments=result.assignment_rows(),
            alerts=result.alerts,
            merges=result.merges,
            n_restored=result.n_restored,
        )
        counts = store.retry_conflicts(con, lambda: compare_store.write_compare(con, write), f"compare run {run}")
        store.publish_for_readers(settings, con, end_of_run=True)  # readers of the snapshot see the new clusters
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
        "merged": counts["merged"],
        "pruned": counts["pruned"],
        "reasons": result.reasons(),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    log.info("compare %s: %s", run, summary)
    return summary


def respeak(settings: Settings, compare_run_id: str | None = None) -> dict[str, Any]:
    """Recompute the canonical speaker and entities of every stored claim with the alias file as it
    is now (``factcheck compare --respeak``), so a corrected alias reaches the claims compared before
    it. One writable connection and one transaction: speakers, entities and every summary are
    replaced together, and a row in ``speaker_recomputes`` says when. Clusters, stances and alerts
    stay as they are (their ids never move); new claims are left for the next compare run.

    Every stored claim and article text is read at once (the names an article gives are learned
    before any bare surname is resolved), so memory grows with the store."""
    from pipeline import store
    from pipeline.compare import load_alias_file
    from pipeline.compare.stage import resolve_new
    from pipeline.store import respeak as respeak_store

    store.require_store(settings)
    started = datetime.now(UTC)
    run = compare_run_id or "respeak__" + started.strftime("%Y-%m-%dT%H:%M:%S.%f")
    aliases = load_alias_file(settings.speaker_aliases_path)  # a bad alias file stops here, naming the line
    t0 = time.perf_counter()
    con = store.open_store(settings)
    try:
        claims = respeak_store.every_claim(con)
        result = resolve_new(claims, respeak_store.every_text(con), (), (), aliases)
        write = respeak_store.RespeakWrite(
            compare_run_id=run,
            started_at=started,
            speakers=result.speakers,
            claim_speakers=result.claim_speakers,
            entities=result.entities,
            claim_entities=result.claim_entities,
            aliases=str(settings.speaker_aliases_path) if settings.speaker_aliases_path else None,
        )
        counts = store.retry_conflicts(con, lambda: respeak_store.write_respeak(con, write), f"respeak {run}")
        store.publish_for_readers(settings, con, end_of_run=True)
    finally:
        con.close()
    summary = {"compare_run_id": run, **counts, "seconds": round(time.perf_counter() - t0, 3)}
    log.info("respeak %s: %s", run, summary)
    return summary
