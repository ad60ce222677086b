"""The read API: plain queries and row counts, and the read-side queries of the Claims view (the
Airflow plugin and its JSON API) and the report. Each query takes an open connection and returns
plain values; filters are bound as parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from pipeline.store.schema import connect
from pipeline.store.snapshot import connect_reader


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple]]:
    """Run a query; return column names and rows (``params`` by position, or by name as a mapping)."""
    cur = con.execute(sql, dict(params) if isinstance(params, Mapping) else list(params))
    names = [d[0] for d in cur.description or []]
    return names, cur.fetchall()


class QueryRefused(ValueError):
    """A user's query failed: DuckDB's message, with what the SQL door allows when it was refused."""


_REFUSED = ("read-only mode", "configuration has been locked", "disabled by configuration")


def user_query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """Run a query a user typed (``factcheck sql``): like :func:`query`, but any DuckDB error becomes
    :class:`QueryRefused`, which says what the door allows when the query tried to write or reach out."""
    try:
        return query(con, sql)
    except duckdb.Error as e:
        hint = ""
        if isinstance(e, duckdb.PermissionException) or any(r in str(e) for r in _REFUSED):
            hint = ("\nfactcheck sql reads the store's tables and views only: it writes nothing and reaches "
                    "no other file (no ATTACH, COPY, read_csv, INSTALL or SET)")  # fmt: skip
        raise QueryRefused(f"{e}{hint}") from e


FAILED_FETCHES_SQL = "SELECT outlet, stage, reason FROM fetch_log WHERE NOT ok"
"""The query the CLI suggests when outlets did not load: why each failed."""

REPORT_SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "contested",
        "Asserted by some, denied by others",
        """SELECT score, asserted_by, asserting_outlet, assertion, denied_by, denying_outlet, denial
           FROM contested_claims ORDER BY score DESC, asserted_at LIMIT ?""",
    ),
    (
        "spread",
        "Claims carried by several outlets, and who had them first",
        """SELECT n_outlets, outlets, first_outlet, first_seen_at, content
           FROM claim_spread WHERE n_outlets > 1 ORDER BY n_outlets DESC, first_seen_at LIMIT ?""",
    ),
    (
        "entities",
        "Named entities across outlets",
        """SELECT entity, n_claims, n_outlets, asserted_by, denied_by, first_outlet, first_seen_at
           FROM entity_claims ORDER BY n_outlets DESC, n_claims DESC, entity LIMIT ?""",
    ),
    (
        "speakers",
        "Speakers across outlets",
        """SELECT speaker, n_claims, n_outlets, n_asserts, n_denies, first_outlet, first_seen_at
           FROM speaker_outlets ORDER BY n_claims DESC, speaker LIMIT ?""",
    ),
    (
        "failures",
        "What could not be fetched or parsed",
        """SELECT stage, url, reason, total_attempts, failures
           FROM fetch_log WHERE NOT ok ORDER BY failures DESC, url LIMIT ?""",
    ),
)
"""The run report's sections: key, heading and the query that fills it (``limit`` rows each)."""


def report_sections(con: duckdb.DuckDBPyConnection, limit: int) -> list[tuple[str, str, list[str], list[tuple]]]:
    """Each section of the run report: its key, heading, column names and up to ``limit`` rows."""
    return [(key, title, *query(con, sql, [limit])) for key, title, sql in REPORT_SECTIONS]


def top_clusters(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[list[str], list[tuple]]:
    """The clusters carried by more than one claim, widest first: what ``factcheck compare`` prints."""
    return query(
        con,
        """SELECT n_outlets AS outlets, n_independent AS reports, asserted_by, denied_by, first_outlet,
                  first_seen_at, representative
           FROM cluster_coverage WHERE n_claims > 1 ORDER BY n_outlets DESC, first_seen_at LIMIT ?""",
        [int(limit)],
    )


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the main tables: outlets, fetch_log, articles, claims."""
    return {
        name: int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]
        for name in ("outlets", "fetch_log", "articles", "claims")
    }


def base_table_counts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, int]:
    """Row counts of every base table (views excluded) of a database, by table name."""
    catalog = catalog or _one_str(con, "SELECT current_database()")
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = ? AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1",
            [catalog],
        ).fetchall()
    ]
    return {n: int(con.execute(f'SELECT count(*) FROM "{catalog}".main."{n}"').fetchone()[0]) for n in names}  # type: ignore[index]


def _one_str(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The first value of the one row ``sql`` returns, as a string."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return str(row[0])


def articles_for_reprocess(path: Path) -> list[dict[str, Any]]:
    """Every stored article with an archived body: what ``reprocess`` re-parses.

    Opens the file read-only and closes it before returning, so the caller holds no lock while
    the load task writes (a reader and a writer conflict in DuckDB).
    """
    con = connect(path, read_only=True)
    try:
        names, rows = query(
            con,
            """SELECT article_id, raw_ref, url, canonical_url, outlet, last_seen_at AS fetched_at
               FROM articles WHERE raw_ref IS NOT NULL ORDER BY outlet, article_id""",
        )
    finally:
        con.close()
    out = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        item["fetched_at"] = item["fetched_at"].isoformat() if item["fetched_at"] is not None else None
        out.append(item)
    return out


# --- Read-side queries for the Claims view (the Airflow plugin and its JSON API) --------------------
# Each takes an open (read-only) connection and returns plain dicts. Filters are bound as parameters;
# the only SQL assembled here is a fixed set of WHERE fragments chosen by which filters are present.

SPEAKER_KEY_SQL = "regexp_replace(lower(trim({})), '^the ', '')"  # the normalisation of speaker_outlets

# How much article text around a claim is returned as its evidence, and how far away the speaker
# or cue may sit from the content and still be shown in the same window.
EVIDENCE_CONTEXT = 160
EVIDENCE_SPAN_REACH = 400


@contextmanager
def reading(
    path: Path, lock_wait: float = 10.0, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one request, closed as soon as the block ends.

    It reads the read snapshot when the loads publish one (``pipeline.store.snapshot``), which no
    load ever locks; else the live file, waiting up to ``lock_wait`` seconds for a load batch.
    ``memory_limit`` ("256MB") caps DuckDB's memory for the connection: a big query spills to disk
    (or fails) rather than grow the serving process. Like every reader it reaches that one file
    only, and its configuration is locked (``schema.reader_config``).
    """
    con = connect_reader(path, lock_wait=lock_wait, memory_limit=memory_limit)
    try:
        yield con
    finally:
        con.close()


def rows_as_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[dict[str, Any]]:
    """Rows of a query as dicts keyed by column name."""
    names, rows = query(con, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def data_version(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """A cheap fingerprint of what the claim facets are computed from: the claims (their ids are
    hashes of article, span and extractor version, so a changed claim changes it), the entity
    links and the compare runs. Equal fingerprints, equal facets."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM claims), (SELECT bit_xor(hash(claim_id)) FROM claims),
                  (SELECT count(*) FROM claim_entities), (SELECT count(*) FROM entities),
                  (SELECT count(*) FROM compare_runs)"""
    ).fetchone()
    return tuple(row) if row else ()


def claim_facets(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values the claim filters can take: outlets, polarities, kinds and entities present in the data
    (the 200 most discussed canonical entities, from the summaries the compare runs keep)."""
    facets: dict[str, list[str]] = {}
    for name, sql in (
        # on the base tables, not the views: the same values without computing every view row
        ("outlets", "SELECT DISTINCT outlet FROM articles WHERE article_id IN (SELECT article_id FROM claims) "
         "ORDER BY 1"),
        ("polarities", "SELECT DISTINCT polarity FROM claims ORDER BY 1"),
        ("kinds", "SELECT DISTINCT kind FROM claims ORDER BY 1"),
        (  # the most discussed entities, as the compare runs keep them (entity_summaries): no claim read
            "entities",
            "SELECT entity FROM entity_summaries WHERE entity IS NOT NULL ORDER BY n_claims DESC, entity LIMIT 200",
        ),
    ):
        facets[name] = [str(row[0]) for row in con.execute(sql).fetchall() if row[0] is not None]
    if not facets["entities"]:  # before any compare run: the mentions as written, read from every claim
        facets["entities"] = [
            str(row[0])
            for row in con.execute(
                """SELECT coalesce(e.name, m.mention) AS entity
                   FROM (SELECT claim_id, unnest(entities) AS mention FROM claims) m
                   LEFT JOIN claim_entities ce ON ce.claim_id = m.claim_id AND ce.mention = m.mention
                   LEFT JOIN entities e USING (entity_id)
                   GROUP BY 1 ORDER BY count(DISTINCT m.claim_id) DESC, 1 LIMIT 200"""
            ).fetchall()
            if row[0] is not None
        ]
    return facets


def resolve_speaker(con: duckdb.DuckDBPyConnection, speaker: str) -> dict[str, Any] | None:
    """The canonical speaker ``speaker`` names: its id, or its name or any name its claims went by
    (case and a leading "the" ignored), as the Across-outlets page looks it up; the
    ``speaker_summaries`` row (``speaker_id``, ``speaker`` ...) or None for a name no compare run
    resolved."""
    key = SPEAKER_KEY_SQL.format("?")
    rows = rows_as_dicts(
        con,
        f"""SELECT * FROM speaker_summaries
            WHERE speaker_key = {key} OR speaker_id = ?
               OR list_contains(list_transform(names, lambda n: {SPEAKER_KEY_SQL.format("n")}), {key})
            ORDER BY (speaker_id = ?) DESC, (speaker_key = {key}) DESC, n_claims DESC, speaker_id LIMIT 1""",
        [speaker, speaker, speaker, speaker, speaker],
    )
    return rows[0] if rows else None


def claim_filter(
    con: duckdb.DuckDBPyConnection,
    *,
    outlet: str | None = None,
    speaker: str | None = None,
    polarity: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    entity: str | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE condition (over ``LEAN_CLAIMS c``) and its parameters for the claim filters.

    ``speaker`` goes by the canonical speaker when it names one (its id, name or a name its claims
    went by): every claim a compare run gave that speaker, the rows its count on the Across-outlets
    page counts; else the claims no compare run resolved whose name as written matches (case and a
    leading "the" ignored)."""
    where: list[str] = []
    params: list[Any] = []
    if outlet:
        where.append("c.outlet = ?")
        params.append(outlet)
    if speaker:
        found = resolve_speaker(con, speaker)
        if found is not None:
            where.append("c.claim_id IN (SELECT claim_id FROM claim_speakers WHERE speaker_id = ?)")
            params.append(found["speaker_id"])
        else:
            where.append(
                f"{SPEAKER_KEY_SQL.format('c.speaker_name')} = {SPEAKER_KEY_SQL.format('?')} AND c.claim_id NOT IN "
                "(SELECT claim_id FROM claim_speakers WHERE speaker_id IS NOT NULL)"
            )
            params.append(speaker)
    if polarity:
        where.append("c.polarity = ?")
        params.append(polarity)
    if kind:
        where.append("c.kind = ?")
        params.append(kind)
    if text:
        where.append("(strpos(lower(c.content), lower(?)) > 0 OR strpos(lower(coalesce(c.title, '')), lower(?)) > 0)")
        params.extend([text, text])
    if entity:
        where.append(
            "(list_contains(c.entities, ?) OR c.claim_id IN (SELECT ce.claim_id FROM claim_entities ce "
            "JOIN entities e USING (entity_id) WHERE e.name = ? OR e.entity_id = ?))"
        )
        params.extend([entity, entity, entity])
    return (" AND ".join(where) if where else "TRUE"), params


def find_claims(
    con: duckdb.DuckDBPyConnection,
    *,
    outlet: str | None = None,
    speaker: str | None = None,
    polarity: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    entity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Claims matching every given filter, newest first, each with its evidence window.

    ``speaker`` matches the resolved speaker the way ``speaker_outlets`` groups them (case and a
    leading "the" ignored); ``text`` is a case-insensitive substring of the content or the title;
    ``entity`` is one of the claim's named entities as written, or an entity's canonical name or id
    (every mention a compare run linked to it). Returns the total match count and one page.
    Each row carries ``evidence`` (the article text from ``evidence_start``) and the stored offsets
    of content, speaker and cue, all relative to the article text.
    """
    condition, params = claim_filter(
        con, outlet=outlet, speaker=speaker, polarity=polarity, kind=kind, text=text, entity=entity
    )
    # Claims are ordered by their article's seen time (then outlet and article), then by place in the
    # text. So the matches are counted per article first, the articles ordered (far fewer rows than
    # claims) with a running total, and only the articles holding the page are read claim by claim:
    # the count and the page in one pass, and a deep page costs what the first one does.
    spans = con.execute(
        f"""WITH hits AS (SELECT c.article_id, count(*) AS n FROM {LEAN_CLAIMS} c WHERE {condition}
                          GROUP BY c.article_id),
                 ranked AS (
                     SELECT h.article_id, h.n, sum(h.n) OVER () AS total, sum(h.n) OVER (
                                ORDER BY coalesce(a.published_at, a.first_seen_at) DESC NULLS LAST, a.outlet,
                                         h.article_id ROWS UNBOUNDED PRECEDING) AS upto
                     FROM hits h JOIN articles a USING (article_id))
            SELECT article_id, upto - n AS before, total
            FROM ranked WHERE upto > ? AND upto - n < ? ORDER BY upto""",
        [*params, int(offset), int(offset) + int(limit)],
    ).fetchall()
    if not spans:
        found = con.execute(f"SELECT count(*) FROM {LEAN_CLAIMS} c WHERE {condition}", params).fetchone()
        return (int(found[0]) if found else 0), []
    total, skip = int(spans[0][2]), int(offset) - int(spans[0][1])
    ids = [
        r[0]
        for r in con.execute(
            f"""SELECT c.claim_id FROM {LEAN_CLAIMS} c
                WHERE {condition} AND c.article_id IN (SELECT unnest(?::VARCHAR[]))
                ORDER BY seen_at DESC NULLS LAST, outlet, article_id, content_start, claim_id LIMIT ? OFFSET ?""",
            [*params, [r[0] for r in spans], int(limit), skip],
        ).fetchall()
    ]
    return total, claims_by_id(con, ids)


# The columns of claims_by_source that claim filters and the claim order use, from the base tables
# alone (``seen_at`` as claims_by_source defines it), so that paging does not pay for its joins.
LEAN_CLAIMS = """(SELECT cl.claim_id, cl.article_id, a.outlet, a.title,
        coalesce(a.published_at, a.first_seen_at) AS seen_at, cl.kind,
        coalesce(cl.speaker_resolved, cl.speaker) AS speaker_name, cl.polarity, cl.content, cl.entities,
        cl.content_start
    FROM claims cl JOIN articles a USING (article_id))"""


def claims_by_id(con: duckdb.DuckDBPyConnection, claim_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The claims ``claim_ids`` as ``claims_by_source`` rows, in that order, each with its evidence
    window (``evidence``, ``evidence_start``, ``article_length``) and the offsets of content,
    speaker and cue (into the article text).

    The claims are picked first and the other tables joined to those few rows; article texts are
    read for the page's articles only."""
    if not claim_ids:
        return []
    rows = rows_as_dicts(
        con,
        f"""WITH page AS (
                SELECT claim_id, pos FROM (SELECT unnest(?::VARCHAR[]) AS claim_id,
                                                  generate_subscripts(?::VARCHAR[], 1) AS pos)),
            picked AS (
                SELECT cl.*, p.pos,
                       least(cl.content_start,
                             CASE WHEN cl.speaker_start >= cl.content_start - {EVIDENCE_SPAN_REACH}
                                  THEN cl.speaker_start END,
                             CASE WHEN cl.cue_start >= cl.content_start - {EVIDENCE_SPAN_REACH} THEN cl.cue_start END)
                           AS lo,
                       greatest(cl.content_end,
                                CASE WHEN cl.speaker_end <= cl.content_end + {EVIDENCE_SPAN_REACH}
                                     THEN cl.speaker_end END,
                                CASE WHEN cl.cue_end <= cl.content_end + {EVIDENCE_SPAN_REACH} THEN cl.cue_end END)
                           AS hi
                FROM claims cl JOIN page p USING (claim_id)),
            texts AS (
                SELECT article_id, text FROM articles
                WHERE article_id IN (SELECT article_id FROM picked))
            SELECT c.claim_id, c.article_id, a.outlet, a.canonical_url, a.title, a.published_at, a.first_seen_at,
                   coalesce(a.published_at, a.first_seen_at) AS seen_at,
                   c.kind, c.speaker, c.speaker_resolved, coalesce(c.speaker_resolved, c.speaker) AS speaker_name,
                   c.speaker_role, c.cue, c.cue_strength, c.polarity, c.content, c.entities, c.extractor_version,
                   c.content_start, c.content_end, c.speaker_start, c.speaker_end, c.cue_start, c.cue_end,
                   cs.speaker_id, sp.name AS canonical_speaker, k.cluster_id, k.stance, k.sign,
                   coalesce(l.original_article_id, c.article_id) AS origin_article_id, a.wire, a.raw_ref,
                   greatest(c.lo - {EVIDENCE_CONTEXT}, 0) AS evidence_start,
                   substr(t.text, greatest(c.lo - {EVIDENCE_CONTEXT}, 0) + 1,
                          c.hi + {EVIDENCE_CONTEXT} - greatest(c.lo - {EVIDENCE_CONTEXT}, 0)) AS evidence,
                   length(t.text) AS article_length
            FROM picked c
            JOIN articles a ON a.article_id = c.article_id
            LEFT JOIN texts t ON t.article_id = c.article_id
            LEFT JOIN article_links l ON l.article_id = c.article_id
            LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
            LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id
            LEFT JOIN claim_clusters k ON k.claim_id = c.claim_id
            ORDER BY c.pos""",
        [list(claim_ids), list(claim_ids)],
    )
    return rows


def article_archive_ref(con: duckdb.DuckDBPyConnection, article_id: str) -> str | None:
    """The archive reference of an article's stored body (``raw_ref``), or None."""
    row = con.execute("SELECT raw_ref FROM articles WHERE article_id = ?", [article_id]).fetchone()
    return str(row[0]) if row and row[0] else None


def article_archive_info(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    """What the archive viewer's header shows of an article: outlet, addresses, title, when it was
    fetched (first and last) and published, and its archive reference (the content hash), or None."""
    rows = rows_as_dicts(
        con,
        """SELECT article_id, outlet, url, canonical_url, title, published_at, first_seen_at, last_seen_at, raw_ref
           FROM articles WHERE article_id = ?""",
        [article_id],
    )
    return rows[0] if rows else None


def contested_pairs(
    con: duckdb.DuckDBPyConnection, speaker: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Assertions set against denials of the same point (``contested_claims``), best-scored first;
    with ``speaker``, only pairs where that speaker asserts or denies. Empty for a database whose
    views predate ``contested_claims`` (read-only connections cannot recreate views)."""
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'contested_claims'"
    ).fetchone()
    if not present or not present[0]:
        return []
    where, params = "TRUE", []
    if speaker:
        key = SPEAKER_KEY_SQL.format("?")
        where = (
            f"({SPEAKER_KEY_SQL.format('asserted_by')} = {key} OR {SPEAKER_KEY_SQL.format('denied_by')} = {key})"
        )
        params = [speaker, speaker]
    return rows_as_dicts(
        con,
        f"""SELECT * FROM contested_claims WHERE {where}
            ORDER BY score DESC, asserted_at NULLS LAST, asserting_claim_id, denying_claim_id LIMIT ?""",
        [*params, limit],
    )


def claim_spread(con: duckdb.DuckDBPyConnection, min_outlets: int = 2, limit: int = 100) -> list[dict[str, Any]]:
    """The same wording carried by at least ``min_outlets`` outlets (``claim_spread``), widest first."""
    return rows_as_dicts(
        con,
        """SELECT * FROM claim_spread WHERE n_outlets >= ?
           ORDER BY n_outlets DESC, first_seen_at NULLS LAST, content LIMIT ?""",
        [min_outlets, limit],
    )


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, Any]]:
    """The latest loads recorded in ``runs``, newest first."""
    return rows_as_dicts(con, "SELECT * FROM runs ORDER BY loaded_at DESC NULLS LAST, run_id DESC LIMIT ?", [limit])


def fetch_failures(con: duckdb.DuckDBPyConnection, limit: int = 100) -> list[dict[str, Any]]:
    """What could not be discovered, fetched or parsed, with the reason; most often failing first."""
    return rows_as_dicts(
        con,
        """SELECT url, stage, outlet, status, reason, attempts, total_attempts, failures, started_at, run_id
           FROM fetch_log WHERE NOT ok
           ORDER BY failures DESC, started_at DESC NULLS LAST, url, stage LIMIT ?""",
        [limit],
    )


def health_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Row counts, and fetch-log outcomes per outlet and stage."""
    return {
        "counts": table_counts(con),
        "by_outlet": rows_as_dicts(
            con,
            """SELECT outlet, stage, count(*) FILTER (WHERE ok) AS ok, count(*) FILTER (WHERE NOT ok) AS failed,
                      max(started_at) AS last_attempt
               FROM fetch_log GROUP BY outlet, stage ORDER BY outlet, stage""",
        ),
    }
