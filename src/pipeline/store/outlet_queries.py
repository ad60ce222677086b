"""The read API of the comparison pages (Across outlets, Claim spread): speakers, entities,
contradictions and the claims carried by several outlets, every list bounded and paged.

The lists read stored summaries kept by the compare runs (``speaker_summaries``,
``entity_summaries``, ``cluster_summaries``) and the ``alerts`` they wrote, so a page costs a
top-N over one narrow table plus the page's rows, never an aggregate of every claim. A speaker or
entity no compare run resolved (a name left unresolved, a mention never linked) is summarised on
request from its own claims, picked before any aggregation. The views ``speaker_outlets``,
``entity_claims``, ``claim_spread`` and ``contested_claims`` stay for SQL users.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.store.queries import SPEAKER_KEY_SQL, resolve_speaker, rows_as_dicts

NAMES_SHOWN = 20  # speakers named per side of one entity in a list (a common entity has thousands)
COMPARE_ROWS = 200  # claims listed per page for one speaker or entity, first seen first
_ENTITY_NAMES = f"""* REPLACE (list_slice(asserted_by, 1, {NAMES_SHOWN}) AS asserted_by,
                     list_slice(denied_by, 1, {NAMES_SHOWN}) AS denied_by)"""
_KEY = SPEAKER_KEY_SQL.format("?")

# One claim with what the comparison lists show of it (``content_key`` as claims_by_source has it).
_MEMBER = """SELECT c.claim_id, c.content, regexp_replace(lower(c.content), '[^a-z0-9]+', ' ', 'g') AS content_key,
                    c.polarity, coalesce(c.speaker_resolved, c.speaker) AS speaker_name, sp.name AS canonical_speaker,
                    cs.speaker_id, a.outlet, a.canonical_url, coalesce(a.published_at, a.first_seen_at) AS seen_at,
                    c.article_id, a.raw_ref
             FROM claims c JOIN articles a ON a.article_id = c.article_id
             LEFT JOIN claim_speakers cs ON cs.claim_id = c.claim_id
             LEFT JOIN speakers sp ON sp.speaker_id = cs.speaker_id"""


def _members(ids: str) -> str:
    """``_MEMBER`` for the claims ``ids`` selects (a ``claim_id`` column), picked before the joins."""
    on = "c.claim_id = ids.claim_id" + (" AND list_has_any(c.entities, ids.linked)" if "linked" in ids else "")
    return _MEMBER.replace("FROM claims c", f"FROM ({ids}) ids JOIN claims c ON {on}", 1)


_OF_SPEAKER = "SELECT claim_id FROM claim_speakers WHERE speaker_id = ?"
_WRITTEN = SPEAKER_KEY_SQL.format("coalesce(c.speaker_resolved, c.speaker)")
_OF_NAME = f"""SELECT c.claim_id FROM claims c LEFT JOIN claim_speakers cs USING (claim_id)
               WHERE cs.speaker_id IS NULL AND {_WRITTEN} = {_KEY}"""
# an entity's claims: those whose mentions still hold a linked one (as entity_claims joins them)
_OF_ENTITY = "SELECT claim_id, list(mention) AS linked FROM claim_entities WHERE entity_id = ? GROUP BY claim_id"
_OF_MENTION = """SELECT c.claim_id FROM claims c WHERE list_contains(c.entities, ?) AND NOT EXISTS (
                     SELECT 1 FROM claim_entities ce WHERE ce.claim_id = c.claim_id AND ce.mention = ?)"""


def list_speakers(con: duckdb.DuckDBPyConnection, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """Canonical speakers across outlets (``speaker_summaries``), most quoted first."""
    return rows_as_dicts(
        con,
        """SELECT * FROM speaker_summaries ORDER BY n_claims DESC, n_outlets DESC, speaker, speaker_id
           LIMIT ? OFFSET ?""",
        [int(limit), int(offset)],
    )


def list_entities(con: duckdb.DuckDBPyConnection, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """Canonical entities across outlets (``entity_summaries``), most discussed first, each naming at
    most ``NAMES_SHOWN`` speakers per side."""
    return rows_as_dicts(
        con,
        f"""SELECT {_ENTITY_NAMES} FROM entity_summaries
            ORDER BY n_claims DESC, n_outlets DESC, entity, entity_id LIMIT ? OFFSET ?""",
        [int(limit), int(offset)],
    )


def _grouped(
    con: duckdb.DuckDBPyConnection, members: str, params: list[Any], by_speaker: bool, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """The claims ``members`` selects, same wording grouped, first seen first: (groups, one page)."""
    speaker = "coalesce(canonical_speaker, speaker_name)"
    keys = f"content_key, {speaker}, polarity" if by_speaker else "content_key, polarity"
    rows = rows_as_dicts(
        con,
        f"""SELECT content_key, arg_min(content, seen_at) AS content, {speaker + " AS speaker, " if by_speaker else ""}
                   polarity, list(DISTINCT outlet ORDER BY outlet) AS outlets, count(*) AS n_reports,
                   min(seen_at) AS first_seen_at, arg_min(outlet, seen_at) AS first_outlet,
                   arg_min(canonical_url, seen_at) AS first_url, count(*) OVER () AS n_groups
            FROM ({members}) GROUP BY {keys}
            ORDER BY first_seen_at NULLS LAST, content, content_key LIMIT ? OFFSET ?""",
        [*params, int(limit), int(offset)],
    )
    total = int(rows[0]["n_groups"]) if rows else 0
    return total, [{k: v for k, v in r.items() if k != "n_groups"} for r in rows]


def compare_speaker(
    con: duckdb.DuckDBPyConnection, speaker: str, limit: int = COMPARE_ROWS, offset: int = 0
) -> dict[str, Any] | None:
    """One speaker across outlets: its summary (the columns of ``speaker_outlets``), one page of its
    claims (same wording grouped, first seen first) with their outlets and who had them first, and
    ``total`` such groups. None if unknown.

    ``speaker`` is a canonical speaker's name, any name it went by, or its ``speaker_id`` (read
    from ``speaker_summaries``); else a name as written, case and a leading "the" ignored."""
    found = resolve_speaker(con, speaker)
    summary = [found] if found is not None else []
    if summary:
        members, params = _members(_OF_SPEAKER), [summary[0]["speaker_id"]]
    else:  # a name no compare run resolved: its claims alone, then summarised
        members, params = _members(_OF_NAME), [speaker]
        summary = rows_as_dicts(
            con,
            f"""SELECT any_value({SPEAKER_KEY_SQL.format("speaker_name")}) AS speaker_key, NULL AS speaker_id,
                       min(speaker_name) AS speaker, list(DISTINCT speaker_name ORDER BY speaker_name) AS names,
                       count(*) AS n_claims, count(DISTINCT outlet) AS n_outlets,
                       list(DISTINCT outlet ORDER BY outlet) AS outlets,
                       count(*) FILTER (WHERE polarity = 'asserts') AS n_asserts,
                       count(*) FILTER (WHERE polarity = 'denies') AS n_denies,
                       min(seen_at) AS first_seen_at, arg_min(outlet, seen_at) AS first_outlet
                FROM ({members}) HAVING count(*) > 0""",
            params,
        )
        if not summary:
            return None
    total, claims = _grouped(con, members, params, False, limit, offset)
    return {"summary": summary[0], "claims": claims, "total": total, "offset": int(offset)}


def compare_entity(
    con: duckdb.DuckDBPyConnection, entity: str, limit: int = COMPARE_ROWS, offset: int = 0
) -> dict[str, Any] | None:
    """One named entity across outlets: its summary (the columns of ``entity_claims``, at most
    ``NAMES_SHOWN`` speakers per side), one page of the claims about it with speaker, stance,
    outlets and first sighting, and ``total`` such groups. None if unknown.

    ``entity`` is a canonical entity's name, any mention linked to it ("the Harlow River" finds
    Harlow River) or its ``entity_id``; else a mention as written that no compare run linked."""
    summary = rows_as_dicts(
        con,
        f"""SELECT {_ENTITY_NAMES} FROM entity_summaries
            WHERE entity = ? OR entity_id = ? OR list_contains(mentions, ?)
            ORDER BY (entity = ?) DESC, n_claims DESC, entity_id LIMIT 1""",
        [entity, entity, entity, entity],
    )
    if summary:
        members, params = _members(_OF_ENTITY), [summary[0]["entity_id"]]
    else:  # a mention no compare run linked: its claims alone, then summarised
        members, params = _members(_OF_MENTION), [entity, entity]
        who = "coalesce(canonical_speaker, speaker_name)"
        summary = rows_as_dicts(
            con,
            f"""SELECT ? AS entity, NULL AS entity_id, NULL AS kind, [?] AS mentions, count(*) AS n_claims,
                       count(DISTINCT outlet) AS n_outlets, list(DISTINCT outlet ORDER BY outlet) AS outlets,
                       list_slice(list(DISTINCT {who} ORDER BY {who}) FILTER (WHERE polarity = 'asserts'),
                                  1, {NAMES_SHOWN}) AS asserted_by,
                       list_slice(list(DISTINCT {who} ORDER BY {who}) FILTER (WHERE polarity = 'denies'),
                                  1, {NAMES_SHOWN}) AS denied_by,
                       min(seen_at) AS first_seen_at, arg_min(outlet, seen_at) AS first_outlet
                FROM ({members}) HAVING count(*) > 0""",
            [entity, entity, *params],
        )
        if not summary:
            return None
    total, claims = _grouped(con, members, params, True, limit, offset)
    return {"summary": summary[0], "claims": claims, "total": total, "offset": int(offset)}


def contradiction_pairs(
    con: duckdb.DuckDBPyConnection,
    speaker_id: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Contradictions the compare runs found (``alerts``: an assertion and a denial in one cluster,
    from two articles), newest first, with both sides (speaker as resolved and its id, outlet,
    wording, date, address); only those where ``speaker_id`` asserts or denies, or about
    ``entity_id``, when given. The one query for alerts: the front page shows its first rows, the
    compare pages filter and page it. The page's alerts are picked first."""
    where, params = "TRUE", []
    if speaker_id:
        mine = "(SELECT claim_id FROM claim_speakers WHERE speaker_id = ?)"
        where, params = f"(al.asserting_claim_id IN {mine} OR al.denying_claim_id IN {mine})", [speaker_id, speaker_id]
    elif entity_id:
        about = "(SELECT claim_id FROM claim_entities WHERE entity_id = ?)"
        where, params = f"(al.asserting_claim_id IN {about} OR al.denying_claim_id IN {about})", [entity_id, entity_id]
    return rows_as_dicts(
        con,
        f"""WITH picked AS (
                SELECT al.* FROM alerts al WHERE {where}
                ORDER BY al.created_at DESC, al.asserting_claim_id, al.denying_claim_id LIMIT ? OFFSET ?)
            SELECT p.cluster_id, p.created_at AS alerted_at, p.compare_run_id,
                   p.asserting_claim_id, coalesce(a.canonical_speaker, a.speaker_name) AS asserted_by,
                   a.speaker_id AS asserting_speaker_id, a.outlet AS asserting_outlet, a.content AS assertion,
                   a.seen_at AS asserted_at, a.canonical_url AS asserting_url,
                   p.denying_claim_id, coalesce(d.canonical_speaker, d.speaker_name) AS denied_by,
                   d.speaker_id AS denying_speaker_id, d.outlet AS denying_outlet, d.content AS denial,
                   d.seen_at AS denied_at, d.canonical_url AS denying_url
            FROM picked p
            JOIN ({_MEMBER}) a ON a.claim_id = p.asserting_claim_id
            JOIN ({_MEMBER}) d ON d.claim_id = p.denying_claim_id
            ORDER BY p.created_at DESC, p.asserting_claim_id, p.denying_claim_id""",
        [*params, int(limit), int(offset)],
    )


DESK_SIDES = ("asserting", "denying")
# Each alert with what the desk filters on (both sides' outlet and seen time): the alerts are few (a
# compare run bounds them) and are joined to the claims, never the claims scanned for a filter.
_ALERT_SIDES = """SELECT al.asserting_claim_id, al.denying_claim_id, al.cluster_id, al.created_at, al.compare_run_id,
                         aa.outlet AS a_outlet, ad.outlet AS d_outlet,
                         coalesce(aa.published_at, aa.first_seen_at) AS a_seen,
                         coalesce(ad.published_at, ad.first_seen_at) AS d_seen
                  FROM alerts al
                  JOIN claims ca ON ca.claim_id = al.asserting_claim_id
                  JOIN articles aa ON aa.article_id = ca.article_id
                  JOIN claims cd ON cd.claim_id = al.denying_claim_id
                  JOIN articles ad ON ad.article_id = cd.article_id"""


def desk_pairs(
    con: duckdb.DuckDBPyConnection,
    *,
    outlet: str | None = None,
    speaker: str | None = None,
    entity: str | None = None,
    since: Any = None,
    until: Any = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Every contradiction the compare runs found (``alerts``), newest first, for the contradictions
    desk: (how many match, one page). Filters: ``outlet`` (either side's), ``speaker`` (either side's
    canonical speaker, by id, name or any name it went by; else a name as written no compare run
    resolved), ``entity`` (either side names it: an entity's id, name or linked mention, else a
    mention as written) and ``since``/``until`` (dates: either side seen within them, both ends
    included). Each row has both sides whole (speaker and id, outlet, words, date, address, article
    and archived copy) and the cluster's representative wording. The page's alerts are picked
    first, then their claims read."""
    where: list[str] = []
    params: list[Any] = []

    def either(sql: str, *values: Any) -> None:
        where.append(f"(asserting_claim_id IN ({sql}) OR denying_claim_id IN ({sql}))")
        params.extend([*values, *values])

    if outlet:
        where.append("(a_outlet = ? OR d_outlet = ?)")
        params.extend([outlet, outlet])
    if speaker:
        found = resolve_speaker(con, speaker)
        if found is not None:
            either(_OF_SPEAKER, found["speaker_id"])
        else:
            either(_OF_NAME, speaker)
    if entity:
        row = con.execute(
            """SELECT entity_id FROM entity_summaries WHERE entity = ? OR entity_id = ? OR list_contains(mentions, ?)
               ORDER BY (entity = ?) DESC, n_claims DESC, entity_id LIMIT 1""",
            [entity, entity, entity, entity],
        ).fetchone()
        if row:
            either("SELECT claim_id FROM claim_entities WHERE entity_id = ?", row[0])
        else:
            either("SELECT claim_id FROM claims WHERE list_contains(entities, ?)", entity)
    for seen in ("a_seen", "d_seen"):
        bounds = [(f"{seen} >= ?::DATE", since), (f"{seen} < ?::DATE + INTERVAL 1 DAY", until)]
        given = [(sql, value) for sql, value in bounds if value is not None]
        if given:
            where.append(" AND ".join(sql for sql, _ in given))
            params.extend(value for _, value in given)
    if since is not None or until is not None:  # either side within the dates
        dated = where[-2:]
        where[-2:] = [f"(({dated[0]}) OR ({dated[1]}))"]
    condition = " AND ".join(where) if where else "TRUE"
    picked = rows_as_dicts(
        con,
        f"""SELECT asserting_claim_id, denying_claim_id, cluster_id, created_at AS alerted_at, compare_run_id,
                   count(*) OVER () AS n_matching
            FROM ({_ALERT_SIDES}) WHERE {condition}
            ORDER BY created_at DESC, asserting_claim_id, denying_claim_id LIMIT ? OFFSET ?""",
        [*params, int(limit), int(offset)],
    )
    if not picked:
        row = con.execute(f"SELECT count(*) FROM ({_ALERT_SIDES}) WHERE {condition}", params).fetchone()
        return (int(row[0]) if row else 0), []
    ids = sorted({p[f"{side}_claim_id"] for p in picked for side in DESK_SIDES})
    members = {m["claim_id"]: m for m in rows_as_dicts(con, _members("SELECT unnest(?::VARCHAR[]) AS claim_id"), [ids])}
    names = dict(
        con.execute(
            "SELECT cluster_id, representative FROM cluster_summaries WHERE list_contains(?::VARCHAR[], cluster_id)",
            [sorted({p["cluster_id"] for p in picked})],
        ).fetchall()
    )
    rows: list[dict[str, Any]] = []
    for p in picked:
        item = {k: v for k, v in p.items() if k != "n_matching"} | {"representative": names.get(p["cluster_id"])}
        for side in DESK_SIDES:
            m = members.get(p[f"{side}_claim_id"]) or {}
            item |= {
                f"{side}_speaker": m.get("canonical_speaker") or m.get("speaker_name"),
                f"{side}_speaker_id": m.get("speaker_id"), f"{side}_outlet": m.get("outlet"),
                f"{side}_content": m.get("content"), f"{side}_seen_at": m.get("seen_at"),
                f"{side}_url": m.get("canonical_url"), f"{side}_article_id": m.get("article_id"),
                f"{side}_raw_ref": m.get("raw_ref"),
            }
        rows.append(item)
    return int(picked[0]["n_matching"]), rows


def spread_clusters(
    con: duckdb.DuckDBPyConnection, min_outlets: int = 2, limit: int = 100, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Claim clusters carried by at least ``min_outlets`` outlets (``cluster_summaries``), widest
    first: (how many, one page). Each row has the first wording (``content``), the outlets and who
    had it first, independent reports (copies of one original count once), the speakers on either
    side and the stances present."""
    row = con.execute("SELECT count(*) FROM cluster_summaries WHERE n_outlets >= ?", [int(min_outlets)]).fetchone()
    rows = rows_as_dicts(
        con,
        """SELECT cluster_id, representative AS content, n_claims, n_outlets, outlets, n_independent,
                  list_sort(list_distinct(list_concat(coalesce(asserted_by, []), coalesce(denied_by, []))))
                      AS speakers,
                  list_filter([CASE WHEN n_asserting > 0 THEN 'asserts' END, CASE WHEN n_denying > 0 THEN 'denies' END],
                              lambda p: p IS NOT NULL) AS polarities,
                  list_filter([CASE WHEN n_asserting > 0 THEN '+' END, CASE WHEN n_denying > 0 THEN '-' END],
                              lambda p: p IS NOT NULL) AS stances,
                  n_asserting, n_denying, first_seen_at, first_outlet, first_speaker, first_url
           FROM cluster_summaries WHERE n_outlets >= ?
           ORDER BY n_outlets DESC, first_seen_at NULLS LAST, cluster_id LIMIT ? OFFSET ?""",
        [int(min_outlets), int(limit), int(offset)],
    )
    return (int(row[0]) if row else 0), rows
