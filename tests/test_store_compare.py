"""The comparison on the sample newsroom: the real pipeline loads it (``loaded_settings``), then
``runner.compare`` resolves speakers and entities, clusters the claims and writes alerts, through
the store, into a copy of the DuckDB file per test."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import cli, runner, store
from pipeline.compare.stage import compare_claims
from pipeline.settings import Settings
from pipeline.store import compare as compare_store

MIGRATION_005 = Path(store.__file__).parent / "sql" / "migrations" / "005_comparison.sql"


@pytest.fixture
def fresh(loaded_settings: Settings, tmp_path: Path) -> Settings:
    """Settings on a copy of the loaded sample newsroom, not compared yet."""
    db = tmp_path / "compare.duckdb"
    shutil.copy(loaded_settings.database, db)
    return Settings(data_dir=tmp_path, db_path=db)


@pytest.fixture
def compared(fresh: Settings) -> Iterator[Settings]:
    runner.compare(fresh)
    yield fresh


def _rows(settings: Settings, sql: str, params: list[Any] | None = None) -> list[tuple]:
    con = store.connect(settings.database, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _speaker_ids(settings: Settings, names: tuple[str, ...]) -> dict[str, set[str | None]]:
    rows = _rows(
        settings,
        """SELECT coalesce(c.speaker, c.speaker_resolved), s.speaker_id FROM claims c
           JOIN claim_speakers s USING (claim_id) WHERE coalesce(c.speaker, c.speaker_resolved) IN
           (SELECT unnest(?::VARCHAR[]))""",
        [list(names)],
    )
    out: dict[str, set[str | None]] = {}
    for name, speaker_id in rows:
        out.setdefault(name, set()).add(speaker_id)
    return out


def _snapshot(settings: Settings) -> dict[str, list[tuple]]:
    return {
        "clusters": _rows(settings, "SELECT claim_id, cluster_id, stance, sign, reason FROM claim_clusters ORDER BY 1"),
        "speakers": _rows(settings, "SELECT claim_id, speaker_id FROM claim_speakers ORDER BY 1"),
        "alerts": _rows(settings, "SELECT asserting_claim_id, denying_claim_id, cluster_id FROM alerts ORDER BY 1, 2"),
        "entities": _rows(settings, "SELECT claim_id, mention, entity_id FROM claim_entities ORDER BY 1, 2"),
        "summaries": _rows(settings, "SELECT * FROM cluster_summaries ORDER BY cluster_id"),
    }


def _assert_summaries_are_current(settings: Settings) -> None:
    """The stored cluster summaries, kept run by run, equal cluster_coverage computed from scratch."""
    stored = _rows(settings, "SELECT * FROM cluster_summaries ORDER BY cluster_id")
    assert stored, "no cluster summaries were written"
    assert stored == _rows(settings, "SELECT * FROM cluster_coverage ORDER BY cluster_id")
    # and the speaker and entity summaries equal the views' rows of the canonical ones
    for table, view, key in (
        ("speaker_summaries", "speaker_outlets", "speaker_id"),
        ("entity_summaries", "entity_claims", "entity_id"),
    ):
        cols = ", ".join(c for (c,) in _rows(settings, f"SELECT column_name FROM (DESCRIBE {view})"))
        stored = _rows(settings, f"SELECT {cols} FROM {table} ORDER BY {key}")
        assert stored, f"no {table} were written"
        assert stored == _rows(settings, f"SELECT {cols} FROM {view} WHERE {key} IS NOT NULL ORDER BY {key}")


def test_every_claim_gets_a_cluster_or_a_reason_and_the_views_answer(compared: Settings) -> None:
    n_claims, unexplained = _rows(
        compared,
        """SELECT count(*), count(*) FILTER (WHERE k.claim_id IS NULL OR (k.cluster_id IS NULL AND k.reason IS NULL))
           FROM claims c LEFT JOIN claim_clusters k USING (claim_id)""",
    )[0]
    assert n_claims >= 15 and unexplained == 0
    # the wire story reprinted by two outlets: one cluster, two outlets, one independent report
    coverage = _rows(
        compared,
        """SELECT outlets, n_outlets, n_independent, asserted_by, first_outlet, first_seen_at, last_seen_at,
                  first_seen_as
           FROM cluster_coverage
           WHERE representative ILIKE '%poor maintenance%' OR representative ILIKE '%negligence%'""",
    )
    # Corvane denies two things in that story (poor maintenance, negligence): one cluster or two, each
    # carried by both outlets of the reprint and counted as one independent report
    assert 1 <= len(coverage) <= 2
    # (the denial is the first claim of its cluster, so Corvane is on the first report's side)
    for outlets, n_outlets, n_independent, agree_by, first_outlet, first_seen, last_seen, seen_as in coverage:
        assert n_outlets == 2 and n_independent == 1 and first_outlet in outlets
        assert agree_by == ["Corvane Chemicals"] and first_seen <= last_seen and seen_as == "published"
    # "the spill is contained": the port side agrees with the first report, the mayor disputes it
    contained = _rows(
        compared,
        """SELECT n_asserting, n_denying, first_outlet, denied_by FROM cluster_coverage
           WHERE representative ILIKE '%spill is contained%'""",
    )
    assert contained and contained[0][0] >= 1 and contained[0][1] >= 1
    assert contained[0][2] == "Millbrook Ledger (sample)"
    pairs = _rows(
        compared,
        """SELECT x.asserting_outlet, x.denying_outlet, x.asserted_at <= x.denied_at, x.alerted_at IS NOT NULL,
                  a.stance, d.stance, a.cluster_id = d.cluster_id
           FROM contradictions x JOIN claim_clusters a ON a.claim_id = x.asserting_claim_id
           JOIN claim_clusters d ON d.claim_id = x.denying_claim_id""",
    )
    assert pairs and all(p[3] and p[4] == "+" and p[5] == "-" and p[6] for p in pairs)
    assert any(p[1] == "Coastline Daily (sample)" for p in pairs), "the mayor's denial in Coastline"
    cues = _rows(compared, "SELECT cues FROM claim_wording WHERE 'denied' IN cues")
    assert cues
    timeline = _rows(
        compared,
        "SELECT seq, outlet, seen_at FROM speaker_timeline WHERE speaker_id = 'person:marcus-feld' ORDER BY seq",
    )
    assert [r[0] for r in timeline] == list(range(1, len(timeline) + 1)) and len(timeline) >= 3
    assert [r[2] for r in timeline] == sorted(r[2] for r in timeline)
    carried = _rows(
        compared, "SELECT count(*) FROM claims_by_source WHERE cluster_id IS NOT NULL AND speaker_id IS NOT NULL"
    )
    assert carried[0][0] >= 10


def test_feld_and_marcus_feld_are_one_speaker_everywhere(compared: Settings) -> None:
    ids = _speaker_ids(compared, ("Feld", "Marcus Feld", "Marcus Feld of the port authority"))
    assert set(ids) == {"Feld", "Marcus Feld", "Marcus Feld of the port authority"}
    assert set().union(*ids.values()) == {"person:marcus-feld"}
    rows = _rows(
        compared, "SELECT speaker, names, n_claims FROM speaker_outlets WHERE speaker_id = 'person:marcus-feld'"
    )
    assert len(rows) == 1 and {"Feld", "Marcus Feld"} <= set(rows[0][1]) and rows[0][2] >= 3
    con = store.connect(compared.database, read_only=True)
    try:
        by_surname = store.compare_speaker(con, "Feld")
        river = store.compare_entity(con, "the Harlow River")
        total, about_river = store.find_claims(con, entity="Harlow River")
    finally:
        con.close()
    assert by_surname is not None and by_surname["summary"]["speaker"] == "Marcus Feld"
    assert river is not None and river["summary"]["entity_id"] == "entity:harlow-river"
    assert {"the Harlow River", "Harlow River"} <= set(river["summary"]["mentions"])
    assert total >= 2 and {m for r in about_river for m in r["entities"]} >= {"the Harlow River", "Harlow River"}


@pytest.mark.parametrize(
    "names",
    [
        ("The mayor", "Millbrook Mayor Elena Ruiz", "Ruiz"),
        ("Port authority", "The Harlow Port Authority"),
    ],
)
def test_harlow_speakers_written_differently_are_one_speaker(compared: Settings, names: tuple[str, ...]) -> None:
    ids = _speaker_ids(compared, names)
    assert set(ids) == set(names)
    assert len(set().union(*ids.values())) == 1, ids


def test_a_rerun_adds_nothing_and_new_claims_keep_earlier_ids(fresh: Settings) -> None:
    # Hold one article's claims back, compare the rest, then let them arrive.
    con = store.connect(fresh.database)
    con.execute(
        """CREATE TABLE held AS SELECT c.* FROM claims c JOIN articles a USING (article_id)
           WHERE a.canonical_url LIKE '%harlow-inquiry%'"""
    )
    con.execute("DELETE FROM claims WHERE claim_id IN (SELECT claim_id FROM held)")
    n_held = con.execute("SELECT count(*) FROM held").fetchone()
    con.close()
    assert n_held is not None and n_held[0] >= 2
    first = runner.compare(fresh)
    _assert_summaries_are_current(fresh)
    before = _snapshot(fresh)
    again = runner.compare(fresh)
    assert again["claims"] == 0 and again["alerts"] == 0 and again["new_speakers"] == 0
    assert _snapshot(fresh) == before

    con = store.connect(fresh.database)
    con.execute("INSERT INTO claims SELECT * FROM held")
    # What a run holding every stored assignment in memory would decide (no blocking in SQL) ...
    articles = compare_store.pending_articles(con)
    everything = [
        dict(zip(("claim_id", "doc_id", "content", "polarity", "speaker_id", "seen_at", "cluster_id", "stance",
                  "sign", "reason"), r, strict=True))
        for r in con.execute(
            """SELECT k.claim_id, c.article_id, c.content, c.polarity, s.speaker_id,
                      coalesce(a.published_at, a.first_seen_at) AS seen_at, k.cluster_id, k.stance, k.sign, k.reason
               FROM claim_clusters k JOIN claims c USING (claim_id) JOIN articles a ON a.article_id = c.article_id
               LEFT JOIN claim_speakers s ON s.claim_id = k.claim_id ORDER BY seen_at, k.claim_id"""
        ).fetchall()
    ]  # fmt: skip
    in_memory = compare_claims(
        compare_store.claims_of_articles(con, articles),
        compare_store.article_texts(con, articles),
        everything,
        compare_store.stored_speakers(con),
        compare_store.stored_entities(con),
    )
    con.close()
    later = runner.compare(fresh)
    # ... is what the bounded run (candidate clusters read in SQL, window term weights) decided.
    assert sorted(_rows(fresh, "SELECT claim_id, cluster_id, stance, sign FROM claim_clusters WHERE claim_id IN "
                               "(SELECT claim_id FROM held)")) == sorted(
        (a.claim_id, a.cluster_id, a.stance, a.sign) for a in in_memory.assignments
    )  # fmt: skip
    after = _snapshot(fresh)
    assert later["claims"] == n_held[0] and 0 < later["restored"] <= first["claims"]
    for table in ("clusters", "speakers", "entities"):
        assert set(before[table]) <= set(after[table]), f"{table}: earlier rows changed"
    assert set(before["alerts"]) <= set(after["alerts"])
    assert len(after["alerts"]) == len(set(after["alerts"])) == first["alerts"] + later["alerts"]
    held_ids = {r[0] for r in _rows(fresh, "SELECT claim_id FROM held")}
    assert all(a in held_ids or d in held_ids for a, d, _ in set(after["alerts"]) - set(before["alerts"]))
    # Feld in the held article ("Marcus Feld of the port authority") joins the stored Marcus Feld
    assert _speaker_ids(fresh, ("Marcus Feld of the port authority",)) == {
        "Marcus Feld of the port authority": {"person:marcus-feld"}
    }
    assert runner.compare(fresh)["claims"] == 0
    _assert_summaries_are_current(fresh)


def test_a_compare_that_fails_before_its_commit_leaves_the_previous_clusters(fresh: Settings, tmp_path: Path) -> None:
    twin = Settings(data_dir=tmp_path / "twin", db_path=tmp_path / "twin.duckdb")
    con = store.connect(fresh.database)
    con.execute("CREATE TABLE held AS SELECT * FROM claims WHERE article_id IN (SELECT max(article_id) FROM claims)")
    con.execute("DELETE FROM claims WHERE claim_id IN (SELECT claim_id FROM held)")
    con.close()
    shutil.copy(fresh.database, twin.database)  # the same history, compared without a failure
    runner.compare(fresh)
    before = _snapshot(fresh)
    # New claims arrive, and the run's last write fails: compare_runs is no longer a table.
    con = store.connect(fresh.database)
    con.execute("INSERT INTO claims SELECT * FROM held")
    con.execute("DROP TABLE compare_runs")
    con.execute("CREATE VIEW compare_runs AS SELECT 1 AS compare_run_id")
    con.close()
    with pytest.raises(duckdb.Error):
        runner.compare(fresh)
    assert _snapshot(fresh) == before, "a failed run must leave every comparison table as it was"
    # The table is back (as migration 5 makes it): the next run completes the comparison.
    con = store.connect(fresh.database)
    con.execute("DROP VIEW compare_runs")
    statement = next(
        s for s in duckdb.extract_statements(MIGRATION_005.read_text()) if "CREATE TABLE compare_runs" in s.query
    )
    con.execute(statement.query)
    con.close()
    done = runner.compare(fresh)
    assert done["claims"] == len(_rows(fresh, "SELECT * FROM held"))
    # exactly what the same two runs give when nothing fails
    runner.compare(twin)
    con = store.connect(twin.database)
    con.execute("INSERT INTO claims SELECT * FROM held")
    con.close()
    runner.compare(twin)
    assert set(before["clusters"]) <= set(_snapshot(fresh)["clusters"])
    assert _snapshot(fresh) == _snapshot(twin)


def test_cli_compare_summary_and_a_refused_alias_file(
    fresh: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "aliases.tsv"
    bad.write_text("# corrections\nHarlow Port Authority\torganisation\tPort authority\nMarcus Feld\tpreson\tFeld\n")
    assert cli.main(["compare", "--db", str(fresh.database), "--aliases", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "preson" in err
    assert _rows(fresh, "SELECT count(*) FROM claim_clusters") == [(0,)]
    assert cli.main(["compare", "--db", str(fresh.database)]) == 0
    out = capsys.readouterr().out
    assert "new claims from 7 articles" in out and "new contradictions (alerts)" in out
    assert "Millbrook Ledger (sample)" in out  # the clusters table: first outlet of a shared cluster
    assert cli.main(["compare", "--db", str(fresh.database)]) == 0
    assert "compare" in (out := capsys.readouterr().out) and ": 0 new claims from 0 articles" in out


def test_export_writes_readable_parquet_csv_and_claimreview(compared: Settings, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert cli.main(["export", "--db", str(compared.database), "--to", str(out)]) == 0
    con = duckdb.connect()
    for view in ("cluster_coverage", "contradictions", "claim_wording", "speaker_timeline", "claims_by_source"):
        parquet = con.execute(f"SELECT count(*) FROM read_parquet('{out / view}.parquet')").fetchone()
        with (out / f"{view}.csv").open(encoding="utf-8", newline="") as fh:
            csv_rows = list(csv.DictReader(fh))
        assert parquet is not None and parquet[0] == len(csv_rows) > 0, view
    con.close()
    graph = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert graph["@context"] == "https://schema.org"
    n_clusters = _rows(compared, "SELECT count(*) FROM cluster_coverage")[0][0]
    assert len(graph["@graph"]) == n_clusters
    wire = next(r for r in graph["@graph"] if len(r["itemReviewed"]["appearance"]) >= 2
                and "Corvane" in str(r["itemReviewed"].get("author")))  # fmt: skip
    claim = wire["itemReviewed"]
    urls = [a["url"] for a in claim["appearance"]]
    dates = [a["datePublished"] for a in claim["appearance"]]
    assert wire["@type"] == "ClaimReview" and claim["@type"] == "Claim"
    assert claim["author"]["name"] == "Corvane Chemicals" and claim["author"]["identifier"]
    assert len(set(urls)) >= 2 and all(u.startswith("http://127.0.0.1") for u in urls)
    assert claim["firstAppearance"]["url"] == urls[0] and dates == sorted(dates)
    one = tmp_path / "one"
    assert cli.main(["export", "--db", str(compared.database), "--to", str(one), "--cluster", wire["identifier"]]) == 0
    single = json.loads((one / f"claimreview-{wire['identifier']}.jsonld").read_text(encoding="utf-8"))
    assert single["identifier"] == wire["identifier"] and single["@context"] == "https://schema.org"
    assert cli.main(["export", "--db", str(compared.database), "--to", str(one), "--cluster", "cl-nope"]) == 2


def test_alerts_of_claims_that_are_gone_are_pruned_by_the_next_run(compared: Settings) -> None:
    alerts = _rows(compared, "SELECT asserting_claim_id, denying_claim_id FROM alerts ORDER BY 1, 2")
    assert alerts, "the sample newsroom has a contradiction (the spill contained / not contained)"
    gone, _ = alerts[0]
    con = store.connect(compared.database)  # as a reload that re-extracted the article would leave it
    try:
        con.execute("DELETE FROM claims WHERE claim_id = ?", [gone])
    finally:
        con.close()
    runner.compare(compared)
    left = _rows(compared, "SELECT asserting_claim_id, denying_claim_id FROM alerts ORDER BY 1, 2")
    assert all(gone not in pair for pair in left)
    assert set(left) == {pair for pair in alerts if gone not in pair}
    _assert_summaries_are_current(compared)


@pytest.mark.parametrize(
    ("version", "tables"),
    [(6, ("cluster_summaries",)), (7, ("speaker_summaries", "entity_summaries"))],
)
def test_a_summary_migration_backfills_an_older_database(
    compared: Settings, version: int, tables: tuple[str, ...]
) -> None:
    con = store.connect(compared.database)  # as a database compared before the migration left it
    try:
        for table in tables:
            con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM schema_migrations WHERE version = ?", [version])
    finally:
        con.close()
    store.connect(compared.database).close()  # a writable connection migrates
    _assert_summaries_are_current(compared)


def test_a_compare_run_killed_halfway_leaves_the_summaries_as_they_were(
    compared: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.store import summaries

    tables = ("speaker_summaries", "entity_summaries", "cluster_summaries")
    before = {t: _rows(compared, f"SELECT * FROM {t} ORDER BY 1") for t in tables}
    con = store.connect(compared.database)
    try:
        gone = con.execute("SELECT min(claim_id) FROM claim_speakers WHERE speaker_id IS NOT NULL").fetchone()[0]
        con.execute("DELETE FROM claims WHERE claim_id = ?", [gone])
    finally:
        con.close()

    def killed(_con: object) -> int:
        raise RuntimeError("killed while summarising")

    monkeypatch.setattr(summaries, "summarise_touched", killed)
    assert compare_store.summaries is summaries
    with pytest.raises(RuntimeError, match="killed"):
        runner.compare(compared)
    assert {t: _rows(compared, f"SELECT * FROM {t} ORDER BY 1") for t in tables} == before
    monkeypatch.undo()
    runner.compare(compared)  # the next run prunes the claim and brings its speaker's row up to date
    _assert_summaries_are_current(compared)


def test_the_compare_method_is_a_setting_and_a_wrong_one_is_refused(
    fresh: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match="COMPARE_METHOD must be one of lexical, semantic, hybrid"):
        Settings.from_env({"FACTCHECK_COMPARE_METHOD": "fuzzy"})
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        # without the [semantic] extra the run stops before writing, saying what to install
        with pytest.raises(ImportError, match=r"\[semantic\] extra"):
            runner.compare(fresh.with_overrides(compare_method="semantic"))
        assert _rows(fresh, "SELECT count(*) FROM claim_clusters") == [(0,)]
        return
    assert cli.main(["compare", "--db", str(fresh.database), "--method", "semantic"]) == 0
    assert "new claims from 7 articles" in capsys.readouterr().out
    unclustered = _rows(fresh, "SELECT count(*) FROM claim_clusters WHERE cluster_id IS NULL AND reason IS NULL")
    assert unclustered == [(0,)]  # every claim has a cluster or a reason, as with the lexical method


def test_a_fold_moves_every_stored_member_and_alert_of_the_folded_cluster(compared: Settings) -> None:
    from datetime import UTC, datetime

    (keep, gone) = [
        r[0]
        for r in _rows(
            compared,
            "SELECT cluster_id FROM claim_clusters WHERE cluster_id IS NOT NULL "
            "GROUP BY cluster_id ORDER BY count(*) DESC, cluster_id LIMIT 2",
        )
    ]
    moving = _rows(compared, "SELECT claim_id, stance FROM claim_clusters WHERE cluster_id = ?", [gone])
    con = store.connect(compared.database)
    try:
        # the folded founder on the other side from the kept one: every moved stance turns over
        write = compare_store.CompareWrite("fold-test", datetime.now(UTC), merges=[(gone, keep, -1)])
        assert compare_store.write_compare(con, write)["merged"] == 1
    finally:
        con.close()
    assert _rows(compared, "SELECT count(*) FROM claim_clusters WHERE cluster_id = ?", [gone]) == [(0,)]
    assert _rows(compared, "SELECT count(*) FROM alerts WHERE cluster_id = ?", [gone]) == [(0,)]
    assert _rows(compared, "SELECT count(*) FROM claim_clusters WHERE cluster_id = ? AND reason = 'new'", [keep]) == [
        (1,)
    ]  # the folded founder is 'merged' now: one founder per cluster
    for claim_id, before in moving:
        stance = "-" if before == "+" else "+"  # relative to the kept cluster's founder
        assert _rows(compared, "SELECT cluster_id, stance FROM claim_clusters WHERE claim_id = ?", [claim_id]) == [
            (keep, stance)
        ]
    _assert_summaries_are_current(compared)  # the folded cluster's summary is gone, the kept one's current
    from pipeline import claimspages

    con = store.connect(compared.database)
    try:
        assert store.folded_into(con, gone) == keep and store.folded_into(con, keep) is None
        # the old id still opens a page: the cluster its claims now belong to
        assert claimspages.cluster_data(con, gone, 50, 0)[0]["cluster_id"] == keep
        (third,) = [r[0] for r in con.execute(
            "SELECT cluster_id FROM claim_clusters WHERE cluster_id NOT IN (?, ?) AND cluster_id IS NOT NULL "
            "ORDER BY cluster_id LIMIT 1", [keep, gone]).fetchall()]  # fmt: skip
        later = compare_store.CompareWrite("fold-test-2", datetime.now(UTC), merges=[(keep, third, 1)])
        compare_store.write_compare(con, later)
        assert store.folded_into(con, gone) == third == store.folded_into(con, keep)  # chains flattened
    finally:
        con.close()
    _assert_summaries_are_current(compared)


def test_the_comparison_pages_read_bounded_pages_that_add_up_to_the_whole(compared: Settings) -> None:
    con = store.connect(compared.database, read_only=True)
    try:
        top = store.list_speakers(con, limit=2)
        canonical = con.execute(
            "SELECT speaker_id FROM speaker_outlets WHERE speaker_id IS NOT NULL ORDER BY n_claims DESC, speaker_id"
        ).fetchall()
        first = store.compare_speaker(con, "Feld", limit=1)
        assert first is not None and first["total"] >= 2
        pages = [store.compare_speaker(con, "Feld", limit=1, offset=i) for i in range(first["total"])]
        expected = con.execute(
            """SELECT count(*) FROM (SELECT DISTINCT content_key, polarity FROM claims_by_source
               WHERE speaker_id = 'person:marcus-feld')"""
        ).fetchone()[0]
        total, spread = store.spread_clusters(con, 2, limit=1)
        spread_pages = [store.spread_clusters(con, 2, limit=1, offset=i)[1] for i in range(total)]
        wide = con.execute(
            """SELECT cluster_id FROM cluster_coverage WHERE n_outlets >= 2
               ORDER BY n_outlets DESC, first_seen_at NULLS LAST, cluster_id"""
        ).fetchall()
        alerts = store.contradiction_pairs(con, limit=1000)
        one = store.contradiction_pairs(con, limit=1)
        speaker = con.execute(
            "SELECT speaker_id FROM claim_speakers WHERE claim_id = ?", [alerts[0]["denying_claim_id"]]
        ).fetchone()[0]
        theirs = store.contradiction_pairs(con, speaker_id=speaker)
        mine = {
            r[0] for r in con.execute("SELECT claim_id FROM claim_speakers WHERE speaker_id = ?", [speaker]).fetchall()
        }
    finally:
        con.close()
    assert len(top) == 2 and [r["speaker_id"] for r in top] == [r[0] for r in canonical[:2]]
    assert all(p is not None and len(p["claims"]) == 1 for p in pages)
    groups = {(p["claims"][0]["content_key"], p["claims"][0]["polarity"]) for p in pages if p is not None}
    assert first["total"] == expected == len(groups)
    assert len(spread) == 1 and total == len(wide) >= 1
    assert [rows[0]["cluster_id"] for rows in spread_pages] == [r[0] for r in wide]
    assert all(r["n_outlets"] >= 2 and r["first_outlet"] in r["outlets"] for rows in spread_pages for r in rows)
    assert alerts and len(one) == 1 and one[0] == alerts[0]
    assert len(alerts) == _rows(compared, "SELECT count(*) FROM alerts")[0][0]
    assert theirs and all(p["asserting_claim_id"] in mine or p["denying_claim_id"] in mine for p in theirs)


def test_migration_9_makes_each_stored_sign_the_claims_polarity(compared: Settings) -> None:
    con = store.connect(compared.database)  # as an older run left it: a negation in the words turned a sign
    try:
        (claim_id,) = con.execute(
            "SELECT min(k.claim_id) FROM claim_clusters k JOIN claims c USING (claim_id) WHERE c.polarity = 'asserts'"
        ).fetchone()
        con.execute("UPDATE claim_clusters SET sign = -1 WHERE claim_id = ?", [claim_id])
        con.execute("DELETE FROM schema_migrations WHERE version = 9")
    finally:
        con.close()
    store.connect(compared.database).close()  # a writable connection migrates
    wrong = _rows(
        compared,
        """SELECT count(*) FROM claim_clusters k JOIN claims c USING (claim_id)
           WHERE k.sign <> CASE WHEN c.polarity = 'denies' THEN -1 ELSE 1 END""",
    )
    assert wrong == [(0,)]
    _assert_summaries_are_current(compared)


def test_respeak_takes_a_corrected_alias_file_to_every_stored_claim_and_keeps_the_clusters(
    compared: Settings, tmp_path: Path
) -> None:
    from dataclasses import replace

    from pipeline.stages.compare import respeak

    clusters = _rows(compared, "SELECT claim_id, cluster_id, stance FROM claim_clusters ORDER BY claim_id")
    ruiz = _rows(compared, "SELECT claim_id FROM claim_speakers WHERE speaker_id = 'person:elena-ruiz' ORDER BY 1")
    assert ruiz, "the sample newsroom's mayor is a canonical speaker"
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("Elena Ruiz-Vidal\tperson\tElena Ruiz|Ruiz|Elena Ruíz\n", encoding="utf-8")
    done = respeak(replace(compared, speaker_aliases_path=aliases))
    assert done["changed"] >= len(ruiz)
    # every claim the old id held, the ones compared before the alias file too, is the renamed person now
    assert _rows(compared, "SELECT claim_id FROM claim_speakers WHERE speaker_id = 'person:elena-ruiz' ") == []
    now = _rows(compared, "SELECT claim_id FROM claim_speakers WHERE speaker_id = 'person:elena-ruiz-vidal' ORDER BY 1")
    assert now == ruiz
    assert _rows(compared, "SELECT claim_id, cluster_id, stance FROM claim_clusters ORDER BY claim_id") == clusters
    _assert_summaries_are_current(compared)
    names = _rows(
        compared, "SELECT list_has_any(asserted_by || denied_by, ['Elena Ruiz-Vidal']) FROM cluster_summaries"
    )
    assert any(r[0] for r in names), "the clusters' sides name the corrected speaker"
    (last,) = _rows(compared, "SELECT n_changed, aliases FROM speaker_recomputes")
    assert last == (done["changed"], str(aliases))
    again = respeak(replace(compared, speaker_aliases_path=aliases))  # the same file again changes nothing
    assert again["changed"] == 0


def test_respeak_on_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    from pipeline.stages.compare import respeak

    with pytest.raises(Exception, match="no database"):
        respeak(Settings(data_dir=tmp_path, db_path=tmp_path / "typo.duckdb"))
    assert not list(tmp_path.iterdir())


def test_factcheck_compare_respeak_from_the_command_line(compared: Settings) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "compare", "--db", str(compared.database), "--respeak"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "speakers of" in proc.stdout and "clusters kept as they were" in proc.stdout
    from pipeline import claimsview

    con = store.connect(compared.database, read_only=True)
    try:
        recomputed = store.last_recompute(con)
    finally:
        con.close()
    assert recomputed is not None and recomputed["n_changed"] == 0  # the packaged file, as the run used
    page = claimsview.render_compare(speakers=[], entities=[], recomputed=recomputed)
    assert "last recomputed" in page
    assert "never recomputed" in claimsview.render_compare(speakers=[], entities=[])
