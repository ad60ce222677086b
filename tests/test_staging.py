"""Staging through a storage URL: a local folder, a file:// URL, or another fsspec filesystem.

Workers on different hosts hand files over through object storage; the load copies them to a local
temporary folder before DuckDB reads them. fsspec's in-memory filesystem stands in for a remote store
here: like S3 it is not this machine's disk, so the load has to copy.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import fsspec
import pytest
from fsspec.implementations.dirfs import DirFileSystem
from fsspec.implementations.local import LocalFileSystem
from staged import stage_run, write_sources

from pipeline import runner, store
from pipeline.demo.server import NewsroomServer
from pipeline.settings import Settings
from pipeline.staging import RunPaths, StagedFile, local_copy, read_jsonl, write_jsonl


def _load_counts(settings: Settings, run_id: str) -> dict[str, int]:
    totals = runner.load(settings, run_id, runner.outlet_names(settings))
    con = store.connect(settings.database, read_only=True)
    try:
        counts = store.table_counts(con)
    finally:
        con.close()
    assert totals["outlets"] == counts["outlets"]
    return counts


def test_the_staging_url_setting_comes_from_the_environment(tmp_path: Path) -> None:
    default = Settings.from_env({"FACTCHECK_DATA_DIR": str(tmp_path)})
    assert default.staging_location == str(tmp_path / "staging")
    shared = Settings.from_env({"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_STAGING_URL": "s3://bucket/staging"})
    assert shared.staging_location == "s3://bucket/staging"


def test_a_file_url_puts_every_staging_file_under_it_and_the_load_reads_them(tmp_path: Path) -> None:
    shared = tmp_path / "shared-volume" / "staging"
    settings = Settings(data_dir=tmp_path / "data", staging_url=shared.as_uri(),
                        sources_path=write_sources(tmp_path / "sources.yaml", 3))
    run = stage_run(settings, "run-1", settings.sources, 3, 5)
    staged = sorted(p.relative_to(shared).parts[1] for p in shared.rglob("*.jsonl"))
    assert staged == ["extract"] * 3 + ["log"] * 3 + ["parse"] * 3
    assert not (settings.data_dir / "staging").exists()
    counts = _load_counts(settings, run.run_id)
    assert counts == {"outlets": 3, "fetch_log": run.n_articles, "articles": run.n_articles, "claims": run.n_claims}


def test_staging_on_another_filesystem_is_copied_locally_and_loads_the_same(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources.yaml", 4)
    local = Settings(data_dir=tmp_path / "local", sources_path=sources)
    root = f"memory://factcheck-test-{uuid.uuid4().hex}/staging"
    remote = Settings(data_dir=tmp_path / "remote", sources_path=sources, staging_url=root)
    try:
        stage_run(local, "run-1", sources, 4, 6)
        run = stage_run(remote, "run-1", sources, 4, 6)
        fs = fsspec.filesystem("memory")
        assert len(fs.find(root.removeprefix("memory://"))) == 12
        assert not (remote.data_dir / "staging").exists()
        remote_counts = _load_counts(remote, run.run_id)
        assert remote_counts == _load_counts(local, run.run_id)
        assert remote_counts["claims"] == run.n_claims
    finally:
        fsspec.filesystem("memory").rm(root.removeprefix("memory://").split("/")[0], recursive=True)


def test_an_unfinished_outlet_on_remote_staging_is_skipped(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources.yaml", 2)
    root = f"memory://factcheck-test-{uuid.uuid4().hex}/staging"
    settings = Settings(data_dir=tmp_path / "d", sources_path=sources, staging_url=root)
    try:
        stage_run(settings, "run-1", sources, 2, 3)
        unfinished = RunPaths(settings, "run-1").stage_file("extract", runner.outlet_names(settings)[1])
        unfinished.fs.rm(unfinished.path)
        totals = runner.load(settings, "run-1", runner.outlet_names(settings))
        assert (totals["outlets"], totals["skipped_outlets"], totals["articles"]) == (1, 1, 3)
    finally:
        fsspec.filesystem("memory").rm(root.removeprefix("memory://").split("/")[0], recursive=True)


class Boom(RuntimeError):
    pass


def _rows_then_fail() -> object:
    yield {"n": 1}
    raise Boom("the stage failed half-way")


@pytest.mark.parametrize("kind", ["path", "file-url", "object-store", "rename-store"])
def test_a_stage_that_fails_half_way_publishes_no_file(tmp_path: Path, kind: str) -> None:
    memory_root = f"/factcheck-test-{uuid.uuid4().hex}"
    target: Path | StagedFile
    if kind == "path":
        target = tmp_path / "out" / "a.jsonl"
    elif kind == "file-url":
        target = StagedFile(LocalFileSystem(), str(tmp_path / "out" / "a.jsonl"))
    elif kind == "object-store":
        target = StagedFile(fsspec.filesystem("memory"), f"{memory_root}/out/a.jsonl")
    else:  # a filesystem without atomic uploads: written under a temporary name, then renamed
        target = StagedFile(DirFileSystem(path=str(tmp_path), fs=LocalFileSystem()), "out/a.jsonl")
    with pytest.raises(Boom):
        write_jsonl(target, _rows_then_fail())  # type: ignore[arg-type]
    if isinstance(target, Path):
        assert not target.exists()
    else:
        assert not target.exists()
        leftovers = target.fs.find(target.path.rsplit("/", 1)[0]) if target.fs.exists(
            target.path.rsplit("/", 1)[0]) else []
        assert leftovers == []
    write_jsonl(target, [{"n": 1}, {"n": 2}])
    assert list(read_jsonl(target)) == [{"n": 1}, {"n": 2}]
    if kind == "object-store":
        fsspec.filesystem("memory").rm(memory_root, recursive=True)


def test_local_copy_returns_none_for_a_missing_remote_file(tmp_path: Path) -> None:
    missing = StagedFile(fsspec.filesystem("memory"), f"/factcheck-test-{uuid.uuid4().hex}/none.jsonl")
    assert local_copy(missing, tmp_path) is None
    assert local_copy(StagedFile(LocalFileSystem(), str(tmp_path / "none.jsonl")), tmp_path) is None


def _staging_url(kind: str, tmp_path: Path) -> str:
    return str(tmp_path / "staging") if kind == "local" else f"memory://factcheck-test-{uuid.uuid4().hex}/staging"


def _run_folders(settings: Settings) -> set[str]:
    base = RunPaths(settings, "any")._base
    return {p.rstrip("/").rsplit("/", 1)[1] for p in base.fs.ls(base.path, detail=False)}


@pytest.mark.parametrize("kind", ["local", "object-store"])
def test_a_load_deletes_the_staging_of_runs_loaded_before_the_retention_time(tmp_path: Path, kind: str) -> None:
    from datetime import UTC, datetime, timedelta

    from pipeline.util import safe_name

    sources = write_sources(tmp_path / "sources.yaml", 2)
    url = _staging_url(kind, tmp_path)
    settings = Settings(data_dir=tmp_path / "d", sources_path=sources, staging_url=url, staging_keep_days=7)
    try:
        for run_id in ("old-run", "recent-run", "unloaded-run", "this-run"):
            stage_run(settings, run_id, sources, 2, 3)
        for run_id in ("old-run", "recent-run"):
            runner.load(settings, run_id, runner.outlet_names(settings))
        now = datetime.now(UTC)
        # loaded eight days ago and yesterday; "unloaded-run" never reached DuckDB
        RunPaths(settings, "old-run").mark_loaded({"claims": 12}, now - timedelta(days=8))
        RunPaths(settings, "recent-run").mark_loaded({"claims": 12}, now - timedelta(days=1))

        runner.load(settings, "this-run", runner.outlet_names(settings))

        left = _run_folders(settings)
        assert left == {safe_name(r) for r in ("recent-run", "unloaded-run", "this-run")}
        assert RunPaths(settings, "this-run").loaded_marker().exists()
        # the rows of the pruned run are in DuckDB: staging was only the hand-over
        con = store.connect(settings.database, read_only=True)
        try:
            runs = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
        finally:
            con.close()
        assert {"old-run", "recent-run", "this-run"} <= runs
    finally:
        if kind != "local":
            fsspec.filesystem("memory").rm(url.removeprefix("memory://").split("/")[0], recursive=True)


def test_retention_zero_keeps_every_staging_folder_and_a_bad_marker_keeps_its_folder(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    sources = write_sources(tmp_path / "sources.yaml", 1)
    settings = Settings(data_dir=tmp_path, sources_path=sources, staging_keep_days=0)
    for run_id in ("a", "b"):
        stage_run(settings, run_id, sources, 1, 2)
        runner.load(settings, run_id, runner.outlet_names(settings))
    long_ago = datetime.now(UTC) - timedelta(days=365)
    RunPaths(settings, "a").mark_loaded({}, long_ago)
    runner.load(settings, "b", runner.outlet_names(settings))
    assert len(_run_folders(settings)) == 2

    marker = RunPaths(settings, "a").loaded_marker()
    assert isinstance(marker, Path)
    marker.write_text("not json\n", encoding="utf-8")
    pruned = RunPaths(settings, "b").prune_loaded(timedelta(days=1), datetime.now(UTC))
    assert pruned == [] and len(_run_folders(settings)) == 2
    RunPaths(settings, "a").mark_loaded({}, long_ago)
    assert RunPaths(settings, "b").prune_loaded(timedelta(days=1), datetime.now(UTC)) == ["a"]


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1e9"])
def test_a_retention_that_is_not_a_number_of_days_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="FACTCHECK_STAGING_KEEP_DAYS"):
        Settings.from_env({"FACTCHECK_STAGING_KEEP_DAYS": value})


def test_a_run_with_an_outlet_that_did_not_load_keeps_its_staging(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    sources = write_sources(tmp_path / "sources.yaml", 2)
    settings = Settings(data_dir=tmp_path, sources_path=sources, staging_keep_days=1)
    stage_run(settings, "partial", sources, 2, 3)
    unfinished = RunPaths(settings, "partial").stage_file("extract", runner.outlet_names(settings)[1])
    assert isinstance(unfinished, Path)
    unfinished.unlink()
    totals = runner.load(settings, "partial", runner.outlet_names(settings))
    assert (totals["outlets"], totals["skipped_outlets"]) == (1, 1)
    assert not RunPaths(settings, "partial").loaded_marker().exists()
    # a year later another run's load leaves it alone: the missing outlet can still be redone
    stage_run(settings, "later", sources, 2, 3)
    runner.load(settings, "later", runner.outlet_names(settings))
    RunPaths(settings, "later").prune_loaded(timedelta(days=1), datetime.now(UTC) + timedelta(days=365))
    assert (RunPaths(settings, "partial").root / "extract").exists()


def test_loading_a_pruned_run_again_keeps_its_recorded_totals(tmp_path: Path) -> None:
    import shutil

    sources = write_sources(tmp_path / "sources.yaml", 2)
    settings = Settings(data_dir=tmp_path, sources_path=sources)
    run = stage_run(settings, "run-1", sources, 2, 3)
    runner.load(settings, "run-1", runner.outlet_names(settings))
    root = RunPaths(settings, "run-1").root
    assert isinstance(root, Path)
    shutil.rmtree(root)  # pruned
    # refused before the database is opened (issue 21, item 9): a load of nothing records nothing
    with pytest.raises(ValueError, match="no staging files for run 'run-1'"):
        runner.load(settings, "run-1", runner.outlet_names(settings))
    con = store.connect(settings.database, read_only=True)
    try:
        row = con.execute("SELECT n_outlets, n_articles, n_claims FROM runs WHERE run_id = 'run-1'").fetchone()
    finally:
        con.close()
    assert row == (2, run.n_articles, run.n_claims)
    assert not RunPaths(settings, "run-1").loaded_marker().exists()


def test_a_marker_without_a_zone_is_read_as_utc_and_a_cleared_marker_protects_the_folder(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    sources = write_sources(tmp_path / "sources.yaml", 1)
    settings = Settings(data_dir=tmp_path, sources_path=sources)
    for run_id in ("naive", "restarted", "current"):
        stage_run(settings, run_id, sources, 1, 2)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    RunPaths(settings, "naive").mark_loaded({}, long_ago.replace(tzinfo=None))
    RunPaths(settings, "restarted").mark_loaded({}, long_ago)
    RunPaths(settings, "restarted").clear_loaded()  # its stages run again (a cleared DAG run)
    pruned = RunPaths(settings, "current").prune_loaded(timedelta(days=7), datetime.now(UTC))
    assert pruned == ["naive"]
    assert len(_run_folders(settings)) == 2


def test_the_parse_staging_file_has_one_schema_for_its_two_readers(tmp_path: Path, newsroom: NewsroomServer) -> None:
    """What the parse stage writes is what the extract stage reads back (``StagedArticle``) and the
    columns the store reads (``store.ARTICLE_COLUMNS``); a key no stage writes is refused."""
    from pipeline.records import STAGED_ARTICLE_KEYS, StagedArticle
    from pipeline.staging import read_articles

    settings = Settings(data_dir=tmp_path / "data", sources_path=newsroom.write_sources(tmp_path / "sources.yaml"),
                        allow_private_network=True, per_host_delay=0.0)  # fmt: skip
    name = runner.outlet_names(settings)[0]
    for stage in (runner.discover, runner.fetch, runner.parse):
        stage(settings, "r", name)
    parse_file = RunPaths(settings, "r").stage_file("parse", name)
    rows = list(read_jsonl(parse_file))
    assert rows
    for row in rows:
        assert set(row) == STAGED_ARTICLE_KEYS
        assert set(store.ARTICLE_COLUMNS) <= set(row)
        assert set(row) - set(store.ARTICLE_COLUMNS) == {"is_article", "not_article_reason"}
    assert [a.to_dict() for a in read_articles(parse_file)] == rows
    with pytest.raises(ValueError, match="wordcount"):
        StagedArticle.from_dict({**rows[0], "wordcount": 3})
