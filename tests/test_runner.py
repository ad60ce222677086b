"""The runner composes the stages through staging files; the load is per outlet and idempotent."""

from __future__ import annotations

from pathlib import Path

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
