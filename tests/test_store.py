"""The DuckDB store: migrations, idempotent batch loads, all-or-nothing transactions, views."""

from __future__ import annotations

from contextlib import ExitStack, closing
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline import store
from pipeline.records import Article, Claim, FetchResult
from pipeline.runner import claim_id
from pipeline.staging import write_jsonl

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _article(url: str, outlet: str, text: str) -> Article:
    return Article(url, url, outlet, "Title", ("A. Writer",), T0, "en", text)


def _claim(text: str, content: str, speaker: str, polarity: str = "asserts", entities: tuple[str, ...] = ()) -> Claim:
    start = text.index(content)
    s = text.index(speaker)
    return Claim(
        "indirect",
        content,
        start,
        start + len(content),
        speaker,
        s,
        s + len(speaker),
        polarity=polarity,
        entities=entities,
    )


def _batch(
    tmp: Path,
    run_id: str,
    outlet: str,
    articles: list[Article],
    claims: dict[str, list[Claim]],
    logs: list[FetchResult],
    version: str = "test-1",
) -> store.Batch:
    folder = tmp / run_id / outlet
    art_rows = []
    for a in articles:
        row = a.to_dict()
        row["fetched_at"] = T0.isoformat()
        art_rows.append(row)
    claim_rows = []
    for a in articles:
        for c in claims.get(a.url, []):
            row = c.to_dict()
            row.update(claim_id=claim_id(a.article_id, c, version), article_id=a.article_id, extractor_version=version)
            claim_rows.append(row)
    log_rows = [dict(r.to_dict(), stage="fetch") for r in logs]
    return store.Batch(
        run_id=run_id,
        outlet={"name": outlet, "domain": None, "feeds": [], "urls": []},
        log_files=(write_jsonl(folder / "log.jsonl", log_rows),),
        article_file=write_jsonl(folder / "articles.jsonl", art_rows),
        claim_file=write_jsonl(folder / "claims.jsonl", claim_rows),
    )


TEXT_A = "Moscow denied that it bought arms. The ministry said the report was fake."
TEXT_B = "Officials said Moscow bought arms from Pyongyang."


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = store.connect(tmp_path / "db" / "t.duckdb")
    yield c
    c.close()


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return store.table_counts(con)


def test_migrations_create_the_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "m.duckdb"
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {
        "outlets",
        "fetch_log",
        "articles",
        "claims",
        "runs",
        "schema_migrations",
        "claims_by_source",
        "speaker_outlets",
        "entity_claims",
        "claim_spread",
    } <= tables
    con.close()
    con = store.connect(path)  # a second open migrates nothing and keeps one version row
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(store.MIGRATIONS),)
    con.close()


def test_a_migration_numbered_below_the_applied_version_is_still_applied(tmp_path: Path) -> None:
    # Branches claim migration numbers ahead of each other: a 004 may land after 005 was applied.
    # Simulate it with migration 3 (articles.modified_at) missing from a database at the latest version.
    path = tmp_path / "late.duckdb"
    con = store.connect(path)
    con.execute("ALTER TABLE articles DROP COLUMN modified_at")
    con.execute("DELETE FROM schema_migrations WHERE version = 3")
    con.close()
    con = store.connect(path)
    try:
        columns = {r[0] for r in con.execute("DESCRIBE articles").fetchall()}
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    finally:
        con.close()
    assert "modified_at" in columns
    assert versions == [m.version for m in store.MIGRATIONS]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "n.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO schema_migrations (version, description) VALUES (999, 'future')")
    con.close()
    with pytest.raises(store.StoreError, match="newer than this code"):
        store.connect(path)


def test_read_only_open_of_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(store.StoreError, match="run the ingest first"):
        store.connect(tmp_path / "nope.duckdb", read_only=True)


def test_loading_the_same_batch_twice_adds_nothing(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = _article("https://a.example/1", "A", TEXT_A)
    claims = {
        a.url: [
            _claim(TEXT_A, "it bought arms", "Moscow", "denies"),
            _claim(TEXT_A, "the report was fake", "The ministry"),
        ]
    }
    log = [
        FetchResult(a.url, "A", "article", True, 200, attempts=1, started_at=T0),
        FetchResult("https://a.example/2", "A", "article", False, 500, "HTTP 500", attempts=3, started_at=T0),
    ]
    batch = _batch(tmp_path, "run1", "A", [a], claims, log)
    first = store.load_batch(con, batch)
    assert first == {"fetch_log": 2, "articles": 1, "claims": 2, "failures": 1, "duplicates": 0, "copies": 0}
    before = _counts(con)
    store.load_batch(con, batch)
    assert _counts(con) == before == {"outlets": 1, "fetch_log": 2, "articles": 1, "claims": 2}
    # A re-run of the same run does not count its attempts twice...
    assert con.execute("SELECT total_attempts, failures FROM fetch_log WHERE status = 500").fetchone() == (3, 1)
    # ...a later run does, so a site that keeps failing is visible.
    store.load_batch(con, _batch(tmp_path, "run2", "A", [a], claims, log))
    assert con.execute("SELECT total_attempts, failures FROM fetch_log WHERE status = 500").fetchone() == (6, 2)
    assert _counts(con) == before


def test_reextraction_replaces_claims(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = _article("https://a.example/1", "A", TEXT_A)
    store.load_batch(con, _batch(tmp_path, "r1", "A", [a], {a.url: [_claim(TEXT_A, "it bought arms", "Moscow")]}, []))
    newer = {a.url: [_claim(TEXT_A, "the report was fake", "The ministry")]}
    store.load_batch(con, _batch(tmp_path, "r2", "A", [a], newer, [], version="test-2"))
    rows = con.execute("SELECT content, extractor_version FROM claims").fetchall()
    assert rows == [("the report was fake", "test-2")]


def test_spans_lead_back_to_the_stored_text(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = _article("https://a.example/1", "A", TEXT_A)
    store.load_batch(con, _batch(tmp_path, "r1", "A", [a], {a.url: [_claim(TEXT_A, "it bought arms", "Moscow")]}, []))
    row = con.execute(
        "SELECT substr(a.text, c.content_start + 1, c.content_end - c.content_start), c.content, "
        "substr(a.text, c.speaker_start + 1, c.speaker_end - c.speaker_start), c.speaker "
        "FROM claims c JOIN articles a USING (article_id)"
    ).fetchone()
    assert row is not None and row[0] == row[1] and row[2] == row[3]


def test_a_failing_batch_leaves_nothing_behind(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = _article("https://a.example/1", "A", TEXT_A)
    batch = _batch(tmp_path, "r1", "A", [a], {a.url: [_claim(TEXT_A, "it bought arms", "Moscow")]}, [])
    assert batch.claim_file is not None
    batch.claim_file.write_text('{"claim_id": "x", "content_start": "not a number"}\n', encoding="utf-8")
    with pytest.raises(duckdb.Error):
        store.load_batch(con, batch)
    assert _counts(con) == {"outlets": 0, "fetch_log": 0, "articles": 0, "claims": 0}


def test_views_line_up_claims_across_outlets(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = _article("https://a.example/1", "A", TEXT_A)
    b = _article("https://b.example/1", "B", TEXT_B)
    store.load_batch(
        con,
        _batch(
            tmp_path, "r", "A", [a], {a.url: [_claim(TEXT_A, "it bought arms", "Moscow", "denies", ("Moscow",))]}, []
        ),
    )
    store.load_batch(
        con,
        _batch(
            tmp_path,
            "r",
            "B",
            [b],
            {
                b.url: [
                    _claim(TEXT_B, "Moscow bought arms from Pyongyang", "Officials", "asserts", ("Moscow", "Pyongyang"))
                ]
            },
            [],
        ),
    )
    row = con.execute(
        "SELECT n_outlets, outlets, asserted_by, denied_by FROM entity_claims WHERE entity = 'Moscow'"
    ).fetchone()
    assert row == (2, ["A", "B"], ["Officials"], ["Moscow"])
    speakers = dict(con.execute("SELECT speaker_key, n_claims FROM speaker_outlets").fetchall())
    assert speakers == {"moscow": 1, "officials": 1}


LOCK_HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_reader_waits_for_the_writer_instead_of_failing(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "l.duckdb"
    store.connect(path).close()
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path), "1.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(store.StoreError, match="stayed locked"):
            store.connect(path, read_only=True, lock_wait=0.1)
        con = store.connect(path, read_only=True, lock_wait=30)
        assert store.schema_version(con) == store.SCHEMA_VERSION
        con.close()
    finally:
        holder.wait(timeout=30)


def test_contested_claims_pair_an_assertion_with_a_denial_of_the_same_point(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    a_text = "The port authority said the chemical spill was contained. Crews said lunch was served."
    b_text = "The mayor denied that the chemical spill was contained. Unions denied a strike."
    a = _article("https://a.example/1", "A", a_text)
    b = _article("https://b.example/1", "B", b_text)
    store.load_batch(con, _batch(tmp_path, "r", "A", [a], {a.url: [
        _claim(a_text, "the chemical spill was contained", "The port authority"),
        _claim(a_text, "lunch was served", "Crews"),
    ]}, []))
    store.load_batch(con, _batch(tmp_path, "r", "B", [b], {b.url: [
        _claim(b_text, "that the chemical spill was contained", "The mayor", "denies"),
        _claim(b_text, "a strike", "Unions", "denies"),
    ]}, []))
    rows = con.execute("SELECT asserted_by, denied_by, shared_terms FROM contested_claims").fetchall()
    assert len(rows) == 1
    asserted_by, denied_by, terms = rows[0]
    assert (asserted_by, denied_by) == ("The port authority", "The mayor")
    assert set(terms) == {"chemical", "spill", "contained"}


def test_a_version_2_database_gains_modified_at_and_loads_fill_it(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import timedelta

    path = tmp_path / "v2.duckdb"
    old = duckdb.connect(str(path))
    old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMPTZ DEFAULT current_timestamp)")
    for m in store.MIGRATIONS[:2]:
        for statement in m.statements:
            old.execute(statement)
        old.execute("INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [m.version, m.description])
    old.execute("INSERT INTO articles (article_id, canonical_url, url, outlet, text, content_hash) "
                "VALUES ('a0', 'https://old.example/1', 'https://old.example/1', 'Old', 'text', 'h')")
    old.close()

    con = store.connect(path)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION >= 3
        assert con.execute("SELECT modified_at FROM articles WHERE article_id = 'a0'").fetchall() == [(None,)]
        article = replace(_article("https://news.example/a", "Outlet A", TEXT_A), modified_at=T0 + timedelta(days=2))
        store.load_batch(con, _batch(tmp_path, "run-1", "Outlet A", [article], {}, []))
        rows = con.execute("SELECT published_at, modified_at FROM articles WHERE outlet = 'Outlet A'").fetchall()
        assert rows == [(T0, T0 + timedelta(days=2))]
        # a later fetch of the same article that states a newer modification updates it in place
        newer = replace(article, modified_at=T0 + timedelta(days=5))
        store.load_batch(con, _batch(tmp_path, "run-2", "Outlet A", [newer], {}, []))
        rows = con.execute("SELECT modified_at FROM articles WHERE outlet = 'Outlet A'").fetchall()
        assert rows == [(T0 + timedelta(days=5),)]
    finally:
        con.close()


def test_a_claims_column_added_by_a_later_migration_does_not_break_the_load(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # A migration appends columns at the end of a table; the load names its columns, so it still
    # fills every column it knows and leaves the new one empty.
    con.execute("ALTER TABLE claims ADD COLUMN reviewed_by VARCHAR")
    a = _article("https://news.example/a", "Outlet A", TEXT_A)
    claims = {a.url: [_claim(TEXT_A, "it bought arms", "Moscow")]}
    store.load_batch(con, _batch(tmp_path, "run-1", "Outlet A", [a], claims, []))
    rows = con.execute("SELECT speaker, content, run_id, reviewed_by FROM claims").fetchall()
    assert rows == [("Moscow", "it bought arms", "run-1", None)]


def test_contested_thresholds_are_read_by_the_view_from_contested_settings(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    a_text = "The port authority said the chemical spill was contained."
    b_text = "The mayor denied that the chemical spill was contained."
    a = _article("https://a.example/1", "A", a_text)
    b = _article("https://b.example/1", "B", b_text)
    store.load_batch(con, _batch(tmp_path, "r", "A", [a], {a.url: [
        _claim(a_text, "the chemical spill was contained", "The port authority")]}, []))
    store.load_batch(con, _batch(tmp_path, "r", "B", [b], {b.url: [
        _claim(b_text, "that the chemical spill was contained", "The mayor", "denies")]}, []))
    assert con.execute("SELECT count(*) FROM contested_claims").fetchone() == (1,)
    store.create_views(con, min_score=1.01)  # no pair can score above 1
    assert con.execute("SELECT min_score FROM contested_settings").fetchall() == [(1.01,)]
    assert con.execute("SELECT count(*) FROM contested_claims").fetchone() == (0,)
    store.create_views(con)
    assert con.execute("SELECT count(*) FROM contested_claims").fetchone() == (1,)
    assert "spill" not in {w for (w,) in con.execute("SELECT word FROM stopwords").fetchall()}
    assert {"said", "that"} <= {w for (w,) in con.execute("SELECT word FROM stopwords").fetchall()}


@pytest.mark.parametrize("opened", ["live file", "snapshot", "live file, no snapshot", "claims view request"])
def test_read_connections_reach_their_own_file_and_nothing_else(tmp_path: Path, opened: str) -> None:
    # item 1 of issue 21: a read-only connection still let a query write another file, attach the
    # live file for writing and read any local file
    db = tmp_path / "f.duckdb"
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    writer = store.connect(db)
    writer.execute("INSERT INTO outlets (name) VALUES ('Outlet A')")
    if opened != "live file, no snapshot":
        store.publish_snapshot(writer, db)
    writer.close()
    with ExitStack() as stack:
        if opened == "live file":
            con = stack.enter_context(closing(store.connect(db, read_only=True)))
        elif opened == "claims view request":  # as the plugin opens one per request
            con = stack.enter_context(store.reading(db, memory_limit="256MB"))
        else:
            con = stack.enter_context(closing(store.connect_reader(db)))
        for sql in (
            f"ATTACH '{db}' AS live (READ_WRITE)",
            f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
            f"COPY (SELECT 1) TO '{out}'",
            f"COPY (SELECT 1) TO '{db}'",
            f"SELECT * FROM read_csv('{secret}')",
            "DELETE FROM outlets",
            "SET enable_external_access = true",
            "SET memory_limit = '64GB'",
            "SET max_temp_directory_size = '1TB'",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        assert con.execute("SELECT count(*) FROM outlets").fetchone() == (1,)
    assert not out.exists() and not (tmp_path / "other.duckdb").exists()
    check = store.connect(db, read_only=True)
    try:
        assert check.execute("SELECT name FROM outlets").fetchall() == [("Outlet A",)]
    finally:
        check.close()
