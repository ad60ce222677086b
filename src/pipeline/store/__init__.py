"""DuckDB: the only module that talks to the database.

The schema is created and migrated by ``migrate`` (versions recorded in ``schema_migrations``);
the comparison views are recreated after every migration. ``load_batch`` bulk-loads one batch of
staging files inside a single transaction: either all of a batch is in the database, or none.

Natural keys make every load idempotent:
- ``articles.article_id`` is derived from the canonical URL (unique), so a re-fetch updates in place;
- ``claims.claim_id`` is derived from article, content span and extractor version, and a batch
  replaces all claims of the articles it carries, so re-extraction replaces and never adds;
- ``fetch_log`` keeps one row per URL and stage (the latest attempt, with attempts counted
  across runs), so a re-run of the same run changes nothing.

Identity across URLs and outlets (migration 2): an article whose text equals one already stored
for its outlet is recorded in ``article_urls`` and not stored again; a near-identical text (a wire
story reprinted elsewhere) is linked in ``article_links`` to the earliest of its group, so
``claim_spread.n_independent`` counts reports, not copies.

SQL text never carries feed or page content: values are bound parameters, and the only strings
formatted into SQL are column names from this package and staging paths built by
``pipeline.staging`` (quoted, with quotes doubled).

Comparison (migration 5): ``speakers``, ``claim_speakers``, ``entities``, ``claim_entities``,
``claim_clusters``, ``alerts`` and ``compare_runs``, written by one transaction per compare run
(``compare.write_compare``), read by the views ``cluster_coverage``, ``contradictions``,
``claim_wording`` and ``speaker_timeline``; ``claims_by_source`` carries ``speaker_id`` and
``cluster_id``.

The package: ``schema`` (open with lock retry, migrations from ``sql/migrations``, views from
``sql/views``), ``load`` (the loader), ``compare`` (what a compare run reads and writes),
``queries`` (the read API of the Claims view and the report), ``cluster_queries`` (its cluster
pages, alerts and name search), ``outlet_queries`` (its comparison and spread pages, over the
summaries that ``summaries`` keeps for the compare runs), ``export`` (views to Parquet, CSV and ClaimReview JSON-LD),
``backup``, ``snapshot`` (the read snapshot the loads publish for readers), ``reviews`` (the
contradictions desk's verdicts, in their own file beside the store) and ``lake`` (the DuckLake
backend: ``open_store`` / ``open_reader`` open whichever ``Settings.store`` names). Callers use
``from pipeline import store`` and the names re-exported here.
"""

from pipeline.store.backup import backup
from pipeline.store.cluster_queries import (
    CLUSTER_ORDERS,
    cluster_contradictions,
    cluster_summary,
    cluster_timeline,
    cluster_versions,
    cluster_wording,
    count_clusters,
    folded_into,
    latest_clusters,
    list_clusters,
    search_names,
)
from pipeline.store.lake import (
    Lake,
    as_of,
    is_lake,
    open_reader,
    open_store,
    reading_store,
    require_store,
    retry_conflicts,
)
from pipeline.store.load import (
    ARTICLE_COLUMNS,
    CLAIM_COLUMNS,
    LOG_COLUMNS,
    Batch,
    load_batch,
    record_run,
)
from pipeline.store.outlet_queries import (
    compare_entity,
    compare_speaker,
    contradiction_pairs,
    desk_pairs,
    list_entities,
    list_speakers,
    spread_clusters,
)
from pipeline.store.queries import (
    EVIDENCE_CONTEXT,
    EVIDENCE_SPAN_REACH,
    FAILED_FETCHES_SQL,
    SPEAKER_KEY_SQL,
    QueryRefused,
    article_archive_info,
    article_archive_ref,
    articles_for_reprocess,
    base_table_counts,
    claim_facets,
    claim_filter,
    claim_spread,
    claims_by_id,
    contested_pairs,
    data_version,
    fetch_failures,
    find_claims,
    health_summary,
    query,
    reading,
    recent_runs,
    report_sections,
    resolve_speaker,
    table_counts,
    top_clusters,
    user_query,
)
from pipeline.store.respeak import last_recompute
from pipeline.store.schema import (
    CONTESTED_MIN_SCORE,
    CONTESTED_WINDOW_DAYS,
    DEFAULT_LOCK_WAIT,
    MAX_TEMP_DIRECTORY_SIZE,
    MIGRATIONS,
    SCHEMA_VERSION,
    VIEWS,
    Migration,
    StoreError,
    connect,
    create_views,
    migrate,
    reader_config,
    require_database,
    schema_version,
    transaction,
)
from pipeline.store.snapshot import (
    SNAPSHOT_MODES,
    Published,
    attach_reader,
    connect_reader,
    publish_for_readers,
    publish_snapshot,
    remove_snapshot,
    snapshot_path,
)

__all__ = [
    "ARTICLE_COLUMNS", "CLAIM_COLUMNS", "last_recompute", "CLUSTER_ORDERS", "cluster_contradictions", "cluster_summary",
    "cluster_timeline", "cluster_versions", "cluster_wording", "count_clusters", "folded_into",
    "latest_clusters", "list_clusters",
    "search_names", "claims_by_id", "CONTESTED_MIN_SCORE", "CONTESTED_WINDOW_DAYS", "DEFAULT_LOCK_WAIT",
    "EVIDENCE_CONTEXT", "EVIDENCE_SPAN_REACH", "LOG_COLUMNS", "MAX_TEMP_DIRECTORY_SIZE", "MIGRATIONS",
    "SCHEMA_VERSION", "SPEAKER_KEY_SQL", "VIEWS", "Batch", "Migration", "StoreError",
    "article_archive_ref", "articles_for_reprocess", "backup", "base_table_counts", "claim_facets", "claim_spread",
    "compare_entity",
    "compare_speaker", "connect", "contested_pairs", "contradiction_pairs", "spread_clusters", "data_version",
    "create_views", "fetch_failures", "find_claims",
    "health_summary", "list_entities", "list_speakers", "load_batch", "migrate", "query", "reading",
    "recent_runs", "record_run", "schema_version", "table_counts", "transaction",
    "reader_config", "require_database", "attach_reader",
    "FAILED_FETCHES_SQL", "QueryRefused", "user_query", "report_sections", "top_clusters",
    "desk_pairs", "claim_filter", "article_archive_info", "resolve_speaker",
    "Lake", "as_of", "is_lake", "open_reader", "open_store", "reading_store", "require_store", "retry_conflicts",
    "SNAPSHOT_MODES", "Published", "connect_reader", "publish_for_readers", "publish_snapshot", "remove_snapshot",
    "snapshot_path",
]
