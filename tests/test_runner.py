"""The runner composes the stages through staging files; the load is per outlet and idempotent."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipeline import runner, store
from pipeline.demo.server import NewsroomServer
from pipeline.settings import Settings
from pipeline.staging import RunPaths, read_jsonl


def _settings(tmp_path: Path, newsroom: NewsroomServer) -> Settings:
    sources = newsroom.write_sources(tmp_path / "sources.yaml")
    return Settings(data_dir=tmp_path / "data", sources_path=sources, allow_private_network=True, per_host_delay=0.0)


def test_redoing_the_same_run_changes_nothing(tmp_path: Path, newsroom: NewsroomServer) -> None:
    s = _settings(tmp_path, newsroom)
    first = runner.run_all(s, "run-a")
    con = store.connect(s.database, read_only=True)
    before = store.table_counts(con)
    attempts = con.execute("SELECT sum(total_attempts) FROM fetch_log").fetchone()
    con.close()
    second = runner.run_all(s, "run-a")
    con = store.connect(s.database, read_only=True)
    assert store.table_counts(con) == before
    assert con.execute("SELECT sum(total_attempts) FROM fetch_log").fetchone() == attempts
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    con.close()
    assert first == second


def test_stages_pass_only_references_and_write_staging_files(tmp_path: Path, newsroom: NewsroomServer) -> None:
    s = _settings(tmp_path, newsroom)
    name = runner.outlet_names(s)[0]
    paths = [runner.discover(s, "r", name), runner.fetch(s, "r", name), runner.parse(s, "r", name),
             runner.extract(s, "r", name)]
    assert all(isinstance(p, str) and Path(p).is_file() for p in paths)
    articles = list(read_jsonl(Path(paths[2])))
    claims = list(read_jsonl(Path(paths[3])))
    assert len(articles) == 2
    ids = {a["article_id"] for a in articles}
    assert claims and {c["article_id"] for c in claims} <= ids
    texts = {a["article_id"]: a["text"] for a in articles}
    for c in claims:
        assert texts[c["article_id"]][c["content_start"] : c["content_end"]] == c["content"]


def test_an_outlet_that_did_not_finish_is_not_loaded_and_the_others_are(
    tmp_path: Path, newsroom: NewsroomServer
) -> None:
    s = _settings(tmp_path, newsroom)
    names = runner.outlet_names(s)
    for name in names:
        for stage in (runner.discover, runner.fetch, runner.parse, runner.extract):
            stage(s, "r", name)
    RunPaths(s, "r").stage_file("extract", names[0]).unlink()  # as if its extract task had failed
    totals = runner.load(s, "r", names)
    assert totals["skipped_outlets"] == 1 and totals["outlets"] == len(names) - 1
    con = store.connect(s.database, read_only=True)
    loaded = {r[0] for r in con.execute("SELECT DISTINCT outlet FROM articles").fetchall()}
    con.close()
    assert names[0] not in loaded and len(loaded) == len(names) - 1


def test_articles_in_other_languages_are_kept_without_claims(tmp_path: Path, newsroom: NewsroomServer) -> None:
    extra = [{"name": "Musterstadt Bote (sample)", "urls": [newsroom.base_url + "/_fault/german"]}]
    sources = newsroom.write_sources(tmp_path / "sources.yaml", extra_outlets=extra)
    s = Settings(data_dir=tmp_path / "data", sources_path=sources, allow_private_network=True, per_host_delay=0.0)
    runner.run_all(s, "r")
    con = store.connect(s.database, read_only=True)
    row = con.execute(
        "SELECT a.language, count(c.claim_id) FROM articles a LEFT JOIN claims c USING (article_id) "
        "WHERE a.outlet = 'Musterstadt Bote (sample)' GROUP BY a.language"
    ).fetchone()
    con.close()
    assert row == ("de", 0)


def _summary(caplog: pytest.LogCaptureFixture, stage: str, outlet: str) -> str:
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("pipeline.stages")]
    found = [line for line in lines if line.startswith(f"{stage} summary for {outlet}: ")]
    assert len(found) == 1, lines
    return found[0]


def test_every_stage_logs_one_summary_line_with_counts_and_failures_by_reason(
    tmp_path: Path, newsroom: NewsroomServer, caplog: pytest.LogCaptureFixture
) -> None:
    """What an operator reads in a task's log: one line per stage with its counts, failures by reason."""
    base = newsroom.base_url
    outlet = "Mixed Wire (test)"
    mixed = {
        "name": outlet,
        "feeds": [f"{base}/ledger/feed.xml", f"{base}/_fault/html-feed"],
        "urls": [f"{base}/_fault/status/404", f"{base}/_fault/empty"],
    }
    sources = newsroom.write_sources(tmp_path / "sources.yaml", extra_outlets=[mixed])
    s = Settings(data_dir=tmp_path / "data", sources_path=sources, allow_private_network=True, per_host_delay=0.0,
                 max_retries=0)
    caplog.set_level(logging.INFO, logger="pipeline.stages")
    for stage in (runner.discover, runner.fetch, runner.parse, runner.extract):
        stage(s, "r", outlet)
    assert _summary(caplog, "discover", outlet) == (
        f"discover summary for {outlet}: feeds=2 feeds_failed=1 candidates=4 retried=0 already_stored=0 "
        "given_up=0; failures: not a feed=1"
    )
    assert _summary(caplog, "fetch", outlet) == (
        f"fetch summary for {outlet}: urls=4 fetched=3 failed=1; failures: HTTP 404=1"
    )
    assert _summary(caplog, "parse", outlet) == (
        f"parse summary for {outlet}: pages=3 articles=2 rejected=1; failures: not an article=1"
    )
    extract = _summary(caplog, "extract", outlet)
    claims = sum(1 for _ in read_jsonl(RunPaths(s, "r").stage_file("extract", outlet)))
    assert claims > 0
    assert extract == (
        f"extract summary for {outlet}: articles=2 english=2 with_claims=2 claims={claims} failed=0 no_claim_model=0"
    )


@pytest.mark.parametrize(
    ("reason", "key"),
    [
        ("HTTP 404", "HTTP 404"),
        ("HTTP 503 (after 3 attempts)", "HTTP 503"),
        ("connection error: ConnectionError: refused", "connection error"),
        ("not an article: too short", "not an article"),
        ("x" * 500, "x" * 59 + "…"),
        (None, "unknown"),
    ],
)
def test_failure_reasons_are_counted_by_kind(reason: str | None, key: str) -> None:
    assert runner.reason_key(reason) == key


def test_an_outlet_whose_every_feed_fails_fails_alone(tmp_path: Path, newsroom: NewsroomServer) -> None:
    """Its discover raises (the DAG fails that outlet's chain); ``factcheck run`` loads the others."""
    dead = {"name": "Dead Feed (test)", "feeds": ["http://127.0.0.1:9/feed.xml"]}
    sources = newsroom.write_sources(tmp_path / "sources.yaml", extra_outlets=[dead])
    s = Settings(data_dir=tmp_path / "data", sources_path=sources, allow_private_network=True, per_host_delay=0.0,
                 max_retries=0)
    with pytest.raises(runner.OutletFailed, match="none of its 1 feeds could be read"):
        runner.discover(s, "r", "Dead Feed (test)")
    totals = runner.run_all(s, "r2")
    assert totals["skipped_outlets"] == 1 and totals["outlets"] == len(runner.outlet_names(s)) - 1
    con = store.connect(s.database, read_only=True)
    try:
        # why it failed is recorded (the Ingest health page shows it), though none of it loaded
        reasons = con.execute("SELECT stage, reason FROM fetch_log WHERE outlet = 'Dead Feed (test)'").fetchall()
        articles = con.execute("SELECT count(*) FROM articles WHERE outlet = 'Dead Feed (test)'").fetchone()
    finally:
        con.close()
    assert [(stage, reason.split(":")[0]) for stage, reason in reasons] == [("discover", "connection error")]
    assert articles == (0,)


def _stored_articles(s: Settings) -> list[tuple[object, ...]]:
    con = store.connect(s.database, read_only=True)
    try:
        return con.execute(
            "SELECT article_id, url, canonical_url, title, text, content_hash, raw_ref, first_seen_at "
            "FROM articles ORDER BY article_id"
        ).fetchall()
    finally:
        con.close()


def _fetch_state(s: Settings, outlet: str) -> dict[str, dict[str, object]]:
    """What a run must not change on a 304: validators, the archived body, and what is stored."""
    from pipeline.state import FetchState

    keep = ("kind", "etag", "last_modified", "archive_ref", "stored", "stored_run", "failed_runs", "reason")
    urls = FetchState.load(s.state_dir, outlet).urls
    return {url: {k: entry.get(k) for k in keep} for url, entry in urls.items()}


def test_an_unchanged_page_or_feed_is_read_from_the_archive_and_changes_nothing(
    tmp_path: Path, newsroom: NewsroomServer
) -> None:
    """A second run with refetch asks for every stored page and every feed conditionally: each 304
    becomes the body archived before (feeds and articles through the same path), the articles are
    parsed from it again, and the stored articles and the fetch state stay as they were."""
    from pipeline.staging import read_results

    s = _settings(tmp_path, newsroom)
    runner.run_all(s, "run-1")
    names = runner.outlet_names(s)
    articles_before = _stored_articles(s)
    state_before = {name: _fetch_state(s, name) for name in names}
    assert articles_before

    again = s.with_overrides(refetch=True)
    runner.run_all(again, "run-2")

    assert _stored_articles(again) == articles_before
    assert {name: _fetch_state(again, name) for name in names} == state_before
    paths = RunPaths(again, "run-2")
    unchanged = 0
    for name in names:
        archived = {url: e["archive_ref"] for url, e in state_before[name].items()}
        results = [*read_results(paths.log_file("discover", name)), *read_results(paths.log_file("fetch", name))]
        for r in results:
            if r.ok and r.status == 304:
                unchanged += 1
                assert r.archive_ref == archived[r.url], r.url  # read from the body archived before
        parsed = {a["url"] for a in read_jsonl(paths.stage_file("parse", name))}
        stored = {url for url, e in state_before[name].items() if e["stored"]}
        assert stored <= parsed, "every stored page was parsed again from its archived body"
    kinds = {r.kind for name in names for stage in ("discover", "fetch")
             for r in read_results(paths.log_file(stage, name)) if r.status == 304}  # fmt: skip
    assert unchanged and kinds == {"feed", "article"}


def test_the_model_setting_reaches_the_claim_extractor(tmp_path: Path, newsroom: NewsroomServer) -> None:
    s = _settings(tmp_path, newsroom)
    name = runner.outlet_names(s)[0]
    for stage in (runner.discover, runner.fetch, runner.parse):
        stage(s, "r", name)
    configured = Settings.from_env({"FACTCHECK_SPACY_MODEL": "no_such_spacy_model_xyz"}, data_dir=s.data_dir,
                                   sources_path=s.sources_path)  # fmt: skip
    with pytest.raises(ValueError, match="no_such_spacy_model_xyz"):
        runner.extract(configured, "r", name)
