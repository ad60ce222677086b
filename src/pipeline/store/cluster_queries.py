"""The read API of the Claims view's comparison pages: claim clusters, their contradictions and
alerts, and the search over canonical speakers and entities.

Each query takes an open (read-only) connection and returns plain dicts, bounded by a limit (every
list is paged, never whole). Values are bound parameters; the SQL assembled here is fixed text.
The cluster lists read ``cluster_summaries`` (one row per cluster, rewritten by each compare run
for the clusters it touched), so a page costs a top-N over one narrow table, not an aggregate of
every cluster's claims.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.store.queries import claims_by_id, rows_as_dicts

CLUSTER_ORDERS = ("newest", "oldest")  # by first seen
MAX_REPRINTS = 200  # reprints folded under one page of versions
MAX_TIMELINE_POINTS = 300


def count_clusters(con: duckdb.DuckDBPyConnection) -> int:
    """How many clusters the compare runs have formed (as of the last run)."""
    row = con.execute("SELECT count(*) FROM cluster_summaries").fetchone()
    return int(row[0]) if row else 0


def _summaries_in_order(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[dict[str, Any]]:
    """The ``cluster_summaries`` rows of ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    rows = rows_as_dicts(con, "SELECT * FROM cluster_summaries WHERE list_contains(?::VARCHAR[], cluster_id)", [ids])
    rank = {cid: i for i, cid in enumerate(ids)}
    return sorted(rows, key=lambda r: rank[r["cluster_id"]])


def list_clusters(
    con: duckdb.DuckDBPyConnection, limit: int = 50, offset: int = 0, order: str = "newest"
) -> list[dict[str, Any]]:
    """One page of cluster summaries ordered by first seen (``newest`` or ``oldest`` first).

    The order is a top-N over the stored summaries' first sightings alone; only the page's rows are
    then read whole."""
    if order not in CLUSTER_ORDERS:
        raise ValueError(f"order must be one of {CLUSTER_ORDERS}, got {order!r}")
    direction = "DESC" if order == "newest" else "ASC"
    ids = [
        r[0]
        for r in con.execute(
            f"""SELECT cluster_id FROM cluster_summaries
                ORDER BY first_seen_at {direction} NULLS LAST, cluster_id LIMIT ? OFFSET ?""",
            [int(limit), int(offset)],
        ).fetchall()
    ]
    return _summaries_in_order(con, ids)


def latest_clusters(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[dict[str, Any]]:
    """The summaries of the clusters compare runs formed last, newest first: a top-N over
    ``claim_clusters`` alone, cheap at any size (the front page's list)."""
    ids = [
        r[0]
        for r in con.execute(
            """SELECT cluster_id FROM claim_clusters WHERE reason = 'new' AND cluster_id IS NOT NULL
               ORDER BY assigned_at DESC, cluster_id LIMIT ?""",
            [int(limit)],
        ).fetchall()
    ]
    return _summaries_in_order(con, ids)


def cluster_summary(con: duckdb.DuckDBPyConnection, cluster_id: str) -> dict[str, Any] | None:
    """The stored summary of one cluster, or None when no compare run formed such a cluster."""
    rows = rows_as_dicts(con, "SELECT * FROM cluster_summaries WHERE cluster_id = ?", [cluster_id])
    return rows[0] if rows else None


def folded_into(con: duckdb.DuckDBPyConnection, cluster_id: str) -> str | None:
    """The cluster a folded cluster's claims now belong to, or None when ``cluster_id`` was never folded."""
    row = con.execute("SELECT kept_id FROM cluster_merges WHERE folded_id = ?", [cluster_id]).fetchone()
    return str(row[0]) if row else None


def cluster_versions(
    con: duckdb.DuckDBPyConnection, cluster_id: str, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Each outlet's version of a cluster's claim, first seen first, with its evidence window.

    A wire reprint whose original article has a claim in the cluster is not listed on its own: it
    comes under that original's version as ``reprints`` (its outlet, URL, seen time and how it was
    linked). A reprint whose original is not in the cluster is listed, with ``original_outlet``.
    A claim whose words are part of its article's title (a headline) is not listed when a claim of
    the same article restates it in the body: its words come as ``headlines`` of that article's
    first version. Returns the number of listed versions and one page of them."""
    # the listed members' ids in order, on the base tables, then those few rows whole
    listed = con.execute(
        """WITH members AS (
               SELECT k.claim_id, c.article_id, c.content, coalesce(l.original_article_id, c.article_id) AS origin,
                      coalesce(a.published_at, a.first_seen_at) AS seen_at,
                      strpos(lower(coalesce(a.title, '')), lower(c.content)) > 0 AS headline
               FROM claim_clusters k JOIN claims c USING (claim_id) JOIN articles a ON a.article_id = c.article_id
               LEFT JOIN article_links l ON l.article_id = c.article_id
               WHERE k.cluster_id = ?),
           shown AS (
               SELECT *, count(*) FILTER (WHERE NOT headline) OVER (PARTITION BY article_id) AS n_body
               FROM members WHERE origin = article_id OR origin NOT IN (SELECT article_id FROM members)),
           kept AS (
               SELECT *, claim_id = min(claim_id) OVER (PARTITION BY article_id) AS leads
               FROM shown WHERE NOT (headline AND n_body > 0)),
           heads AS (
               SELECT article_id, list(content ORDER BY claim_id) AS headlines
               FROM shown WHERE headline AND n_body > 0 GROUP BY article_id)
           SELECT k.claim_id, count(*) OVER () AS total,
                  (SELECT count(*) FROM members WHERE origin <> article_id) AS n_reprints,
                  CASE WHEN k.leads THEN h.headlines END AS headlines
           FROM kept k LEFT JOIN heads h USING (article_id)
           ORDER BY k.seen_at NULLS LAST, k.claim_id LIMIT ? OFFSET ?""",
        [cluster_id, int(limit), int(offset)],
    ).fetchall()
    if not listed and offset:
        return cluster_versions(con, cluster_id, 1, 0)[0], []
    total = int(listed[0][1]) if listed else 0
    rows = claims_by_id(con, [r[0] for r in listed])
    for row, (_, _, _, headlines) in zip(rows, listed, strict=True):
        row["reprints"] = []
        row["original_outlet"] = None
        row["headlines"] = list(headlines or [])
    if not rows or not listed[0][2]:  # no reprint in the cluster: nothing to fold or to name
        return total, rows
    originals = sorted({r["article_id"] for r in rows})
    reprints = rows_as_dicts(
        con,
        """SELECT c.claim_id, c.article_id, c.origin_article_id, c.outlet, c.canonical_url, c.title,
                  c.published_at, c.first_seen_at, c.seen_at, c.content, c.polarity, c.stance,
                  coalesce(l.relation, 'reprint') AS relation, l.similarity
           FROM claims_by_source c LEFT JOIN article_links l ON l.article_id = c.article_id
           WHERE c.cluster_id = ? AND c.origin_article_id <> c.article_id
             AND list_contains(?::VARCHAR[], c.origin_article_id)
           ORDER BY c.seen_at NULLS LAST, c.claim_id LIMIT ?""",
        [cluster_id, originals, MAX_REPRINTS],
    )
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_article.setdefault(row["article_id"], []).append(row)
    for reprint in reprints:
        candidates = by_article.get(reprint["origin_article_id"]) or []
        # under the original's version with the same words, else its first version in the cluster
        target = next(
            (c for c in candidates if c["content"] == reprint["content"]), candidates[0] if candidates else None
        )
        if target is not None:
            target["reprints"].append(reprint)
    origin_outlets = rows_as_dicts(
        con,
        "SELECT article_id, outlet FROM articles WHERE list_contains(?::VARCHAR[], article_id)",
        [sorted({r["origin_article_id"] for r in rows if r["origin_article_id"] != r["article_id"]})],
    )
    outlet_of = {r["article_id"]: r["outlet"] for r in origin_outlets}
    for row in rows:
        row["original_outlet"] = outlet_of.get(row["origin_article_id"])
    return total, rows


def cluster_contradictions(
    con: duckdb.DuckDBPyConnection, cluster_id: str, limit: int = 50, summary: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The assertion-denial pairs of one cluster (``contradictions``), earliest assertion first.

    With the cluster's ``summary`` at hand, a cluster that does not both assert and deny is
    answered without a query."""
    if summary is not None and not (summary.get("n_asserting") and summary.get("n_denying")):
        return []
    return rows_as_dicts(
        con,
        """SELECT * FROM contradictions WHERE cluster_id = ?
           ORDER BY asserted_at NULLS LAST, denied_at NULLS LAST, asserting_claim_id, denying_claim_id LIMIT ?""",
        [cluster_id, int(limit)],
    )


def cluster_wording(con: duckdb.DuckDBPyConnection, cluster_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """Per outlet, the cue words it used for the cluster's claim (``claim_wording``), first seen first."""
    return rows_as_dicts(
        con,
        "SELECT * FROM claim_wording WHERE cluster_id = ? ORDER BY first_seen_at NULLS LAST, outlet LIMIT ?",
        [cluster_id, int(limit)],
    )


def cluster_timeline(
    con: duckdb.DuckDBPyConnection, cluster_id: str, limit: int = MAX_TIMELINE_POINTS
) -> list[dict[str, Any]]:
    """Who reported the cluster's claim when: one point per claim (outlet, seen time, stance)."""
    return rows_as_dicts(
        con,
        """SELECT claim_id, outlet, seen_at, published_at, polarity, stance, sign,
                  coalesce(canonical_speaker, speaker_name) AS speaker, origin_article_id <> article_id AS reprint
           FROM claims_by_source WHERE cluster_id = ? ORDER BY seen_at NULLS LAST, claim_id LIMIT ?""",
        [cluster_id, int(limit)],
    )


FOLD_SQL = "strip_accents(lower({}))"  # how the search compares names: accents and case ignored
FUZZY_SEARCH = 0.9  # Jaro-Winkler similarity a name needs to be found when nothing contains the text


def search_names(con: duckdb.DuckDBPyConnection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Speakers and entities found by any name: a canonical speaker by its id, its name, its
    aliases, and every name its claims were written with or resolved to ("the mayor", "Millbrook
    Mayor Elena Ruiz"); an entity by its id, name, aliases and the mentions linked to it; and a
    speaker no compare run resolved by its name as written (its ``id`` is None). Accents and case
    are ignored ("elena ruíz" finds Elena Ruiz); when no name contains the text, names within a
    small spelling distance are found instead ("Markus Feld").

    Each hit: ``type`` (speaker | entity), ``id``, ``name``, ``kind``, ``aliases`` and ``matched``
    (the name that matched); exact matches first, then by name."""
    needle = " ".join(text.split())
    if not needle:
        return []
    hits = _search(con, needle, limit, fuzzy=False)
    return hits or _search(con, needle, limit, fuzzy=True)


def _search(con: duckdb.DuckDBPyConnection, needle: str, limit: int, fuzzy: bool) -> list[dict[str, Any]]:
    fold = FOLD_SQL.format
    matches = (
        f"jaro_winkler_similarity({fold('n')}, {fold('$needle')}) >= {FUZZY_SEARCH}"
        if fuzzy
        else f"strpos({fold('n')}, {fold('$needle')}) > 0"
    )
    # the names claims were written with, per speaker (NULL: no compare run resolved the claim)
    written = f"""SELECT DISTINCT cs.speaker_id, w.n FROM (
                      SELECT claim_id, speaker AS n FROM claims WHERE speaker IS NOT NULL
                      UNION ALL
                      SELECT claim_id, speaker_resolved FROM claims WHERE speaker_resolved IS NOT NULL) w
                  LEFT JOIN claim_speakers cs USING (claim_id)
                  WHERE {matches}"""
    return rows_as_dicts(
        con,
        f"""WITH written AS ({written}),
           named AS (
               SELECT 'speaker' AS type, sp.speaker_id AS id, sp.name, sp.kind, sp.aliases,
                      list_distinct(list_concat([sp.name, sp.speaker_id], sp.aliases, coalesce(ss.names, []),
                                                coalesce((SELECT list(w.n) FROM written w
                                                          WHERE w.speaker_id = sp.speaker_id), [])))
                          AS called
               FROM speakers sp LEFT JOIN speaker_summaries ss USING (speaker_id)
               UNION ALL
               SELECT 'entity', e.entity_id, e.name, e.kind, e.aliases,
                      list_distinct(list_concat([e.name, e.entity_id], e.aliases, coalesce(es.mentions, [])))
               FROM entities e LEFT JOIN entity_summaries es USING (entity_id)
               UNION ALL
               SELECT 'speaker', NULL, min(n), 'not resolved', [], list(DISTINCT n)
               FROM written WHERE speaker_id IS NULL GROUP BY regexp_replace({fold('n')}, '^the ', '')),
           found AS (
               SELECT type, id, name, kind, aliases,
                      list_filter(called, lambda n: n IS NOT NULL AND {matches}) AS matching,
                      list_filter(called, lambda n: n IS NOT NULL AND {fold('n')} = {fold('$needle')}) AS same
               FROM named)
           SELECT type, id, name, kind, list_filter(aliases, lambda a: a <> name) AS aliases,
                  coalesce(same[1], matching[1]) AS matched, len(same) > 0 AS exact
           FROM found WHERE len(matching) > 0
           ORDER BY exact DESC, type DESC, id IS NULL, name, id LIMIT $limit""",
        {"needle": needle, "limit": int(limit)},
    )
