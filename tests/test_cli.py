"""The factcheck command as a user runs it: a subprocess, real files, the sample newsroom on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from pipeline.demo.server import NewsroomServer


def factcheck(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=600, cwd=cwd, env=env
    )


def test_parse_prints_one_json_line_per_file(tmp_path: Path, newsroom: NewsroomServer) -> None:
    page = newsroom.newsroom.render("/ledger/news/2026/03/harlow-spill-contained.html", "https://ledger.sample")
    (tmp_path / "a.html").write_bytes(page.body)
    import gzip

    (tmp_path / "b.html.gz").write_bytes(gzip.compress(page.body))
    proc = factcheck("parse", str(tmp_path / "a.html"), str(tmp_path / "b.html.gz"))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert {"path", "url", "canonical_url", "title", "authors", "published", "language", "text"} <= set(row)
        assert row["title"] == "Port authority says Harlow River spill is contained"
        assert row["authors"] == ["Dana Whitcombe"]
        assert row["published"].startswith("2026-03-02")
        assert row["language"] == "en"
        assert "booms are holding" in row["text"]
    proc = factcheck("parse", str(tmp_path / "a.html"), "--url", "https://ledger.sample/x")
    assert json.loads(proc.stdout)["url"] == "https://ledger.sample/x"


def test_claims_jsonl_offsets_point_into_the_text(tmp_path: Path) -> None:
    text = 'The minister denied that taxes would rise. "We will not raise taxes," she said.'
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "d1", "text": text}) + "\n" + json.dumps({"id": "d2", "text": ""}) + "\n")
    out = tmp_path / "claims.jsonl"
    proc = factcheck("claims", "--input", str(docs), "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["d1", "d2"]
    assert rows[1]["claims"] == []
    claims = rows[0]["claims"]
    assert len(claims) >= 2
    for c in claims:
        for key in ("kind", "speaker", "cue", "content", "polarity"):
            assert key in c
        assert text[c["content_start"] : c["content_end"]] == c["content"]
        if c["speaker_start"] is not None:
            assert text[c["speaker_start"] : c["speaker_end"]] == c["speaker"]
    assert any(c["polarity"] == "denies" for c in claims)


def test_the_model_setting_reaches_the_claims_command(tmp_path: Path) -> None:
    """FACTCHECK_SPACY_MODEL goes through Settings to the extractor; --model wins over it."""
    text = tmp_path / "a.txt"
    text.write_text('"Taxes will not rise," she said.', encoding="utf-8")
    env = {**os.environ, "FACTCHECK_SPACY_MODEL": "no_such_spacy_model_xyz"}
    proc = factcheck("claims", "--text", str(text), env=env)
    assert proc.returncode == 2 and "no_such_spacy_model_xyz" in proc.stderr, proc.stderr
    proc = factcheck("claims", "--text", str(text), "--model", "another_missing_model", env=env)
    assert proc.returncode == 2 and "another_missing_model" in proc.stderr
    assert "no_such_spacy_model_xyz" not in proc.stderr


def test_claims_input_errors_name_the_line(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"id": 1, "text": "ok"}\n{"oops": 1}\n')
    proc = factcheck("claims", "--input", str(docs), "--output", str(tmp_path / "o.jsonl"))
    assert proc.returncode != 0
    assert f"{docs}:2" in proc.stderr and '"id" and "text"' in proc.stderr


def test_run_then_sql_and_report(tmp_path: Path, newsroom: NewsroomServer) -> None:
    sources = newsroom.write_sources(tmp_path / "sources.yaml")
    db = tmp_path / "f.duckdb"
    common = ["--sources", str(sources), "--db", str(db), "--data-dir", str(tmp_path / "data"), "-q"]
    proc = factcheck("run", *common, "--allow-private-network")
    assert proc.returncode == 0, proc.stderr
    assert "7 articles" in proc.stdout
    proc = factcheck("sql", "SELECT count(DISTINCT outlet) AS n FROM claims_by_source", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[2].strip() == "4"
    proc = factcheck("sql", "SELEC nonsense", "--db", str(db))
    assert proc.returncode == 1 and "syntax error" in proc.stderr.lower()
    proc = factcheck("report", "--db", str(db), "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).read_text().startswith("# Claims across outlets")


def test_run_refuses_loopback_without_the_flag(tmp_path: Path, newsroom: NewsroomServer) -> None:
    sources = newsroom.write_sources(tmp_path / "sources.yaml")
    db = tmp_path / "f.duckdb"
    proc = factcheck("run", "--sources", str(sources), "--db", str(db), "--data-dir", str(tmp_path / "d"), "-q")
    assert proc.returncode == 1, proc.stderr  # every outlet was refused: the run is not a good one
    assert "0 articles" in proc.stdout and "did not load" in proc.stderr
    proc = factcheck("sql", "SELECT DISTINCT reason FROM fetch_log", "--db", str(db), "--max-width", "300")
    assert "non-public address 127.0.0.1" in proc.stdout


def test_broken_sources_file_stops_with_what_to_fix(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("outlets:\n  - name: X\n    feeds: [notaurl]\n")
    proc = factcheck("run", "--sources", str(bad), "--db", str(tmp_path / "f.duckdb"), "-q")
    assert proc.returncode == 2
    assert "outlet #1 ('X') (line 2), field 'feeds' item 1 (line 3): 'notaurl' is not an http(s) URL" in proc.stderr
    assert not (tmp_path / "f.duckdb").exists()


def test_sql_on_a_missing_database_says_what_to_do(tmp_path: Path) -> None:
    proc = factcheck("sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert proc.returncode == 2 and "run the ingest first" in proc.stderr



def test_sql_prints_control_characters_escaped(tmp_path: Path) -> None:
    from pipeline import store

    db = tmp_path / "f.duckdb"
    con = store.connect(db)  # a row as an older version, which kept control characters, stored it
    con.execute(
        "INSERT INTO articles (article_id, canonical_url, url, outlet, title, authors, text, content_hash) "
        "VALUES ('a1', 'https://x.example/1', 'https://x.example/1', 'X', ?, ?, 'body', 'h')",
        ["Title \x1b]0;pwned\x07 \x9b2J\u202eend", ["Ana \x1b[2JLima"]],
    )
    con.close()
    proc = factcheck("sql", "SELECT title, authors FROM articles", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(proc.stdout)
    assert "Title \\x1b]0;pwned\\x07 \\x9b2J\\u202eend" in proc.stdout and "Ana \\x1b[2JLima" in proc.stdout
    proc = factcheck("sql", "SELECT CAST(title AS INTEGER) FROM articles", "--db", str(db))
    assert proc.returncode == 1 and "\\x1b]0;pwned" in proc.stderr and "\x1b" not in proc.stderr


def _clean_env() -> dict[str, str]:
    """The environment without FACTCHECK_* settings, so only the command's own arguments count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("FACTCHECK_")}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_with_an_article(db: Path) -> None:
    from pipeline import store

    con = store.connect(db)
    con.execute(
        "INSERT INTO articles (article_id, canonical_url, url, outlet, title, authors, text, content_hash) "
        "VALUES ('a1', 'https://x.example/1', 'https://x.example/1', 'X', 'A title', ['Ana Lima'], 'body', 'h')"
    )
    store.publish_snapshot(con, db)
    con.close()


def test_sql_writes_nothing_and_reads_no_other_file(tmp_path: Path) -> None:
    # item 1 of issue 21: ATTACH ... (READ_WRITE) emptied the live claims, COPY ... TO replaced the
    # database with a CSV, read_csv read any local file
    db = tmp_path / "f.duckdb"
    _store_with_an_article(db)
    snapshot = tmp_path / "f.read.duckdb"
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    before = {p: _digest(p) for p in (db, snapshot)}
    attacks = (
        f"ATTACH '{db}' AS live (READ_WRITE); DELETE FROM live.articles",
        "DELETE FROM articles",
        f"COPY (SELECT 'x') TO '{db}'",
        f"COPY (SELECT 'x') TO '{tmp_path / 'new.csv'}'",
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM '{secret}'",
        "SET enable_external_access = true",
    )
    for live in ((), ("--live",)):
        for sql in attacks:
            proc = factcheck("sql", sql, "--db", str(db), *live)
            assert proc.returncode == 1, (sql, live, proc.stdout)
            assert "hunter2" not in proc.stdout and "Traceback" not in proc.stderr
            if "read_csv" in sql:
                assert "writes nothing and reaches no other file" in proc.stderr, proc.stderr
    assert {p: _digest(p) for p in (db, snapshot)} == before
    assert not (tmp_path / "new.csv").exists()
    proc = factcheck("sql", "SELECT count(*) AS n FROM articles", "--db", str(db))
    assert proc.returncode == 0 and proc.stdout.splitlines()[2].strip() == "1"


def test_the_hint_for_outlets_that_did_not_load_runs_as_printed(tmp_path: Path, newsroom: NewsroomServer) -> None:
    # item 9: the hint printed `factcheck sql "..."` without --db, which then read the default database
    sources = newsroom.write_sources(tmp_path / "sources.yaml")
    db = tmp_path / "store" / "f.duckdb"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = ("run", "--sources", str(sources), "--db", str(db), "--data-dir", str(tmp_path / "d"), "-q")
    proc = factcheck(*run, cwd=elsewhere, env=_clean_env())
    assert proc.returncode == 1 and "See why with: " in proc.stderr, proc.stderr
    argv = shlex.split(proc.stderr.split("See why with: ", 1)[1].splitlines()[0])
    assert argv[:2] == ["factcheck", "sql"]
    again = factcheck(*argv[1:], cwd=elsewhere, env=_clean_env())
    assert again.returncode == 0, again.stderr
    assert "non-public address" in again.stdout and "(4 rows)" in again.stdout


def test_compare_on_a_mistyped_database_creates_nothing(tmp_path: Path) -> None:
    # item 9: compare --db typo.duckdb created typo.duckdb and typo.read.duckdb and exited 0
    proc = factcheck("compare", "--db", str(tmp_path / "typo.duckdb"), cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 2 and "no database at" in proc.stderr and "typo.duckdb" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_compare_names_a_missing_alias_file_and_the_missing_semantic_extra(tmp_path: Path) -> None:
    # item 9: both ended in a traceback
    db = tmp_path / "f.duckdb"
    _store_with_an_article(db)
    before = {p.name: _digest(p) for p in tmp_path.iterdir()}
    proc = factcheck("compare", "--db", str(db), "--aliases", str(tmp_path / "nosuch.tsv"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"no alias file at {tmp_path / 'nosuch.tsv'}" in proc.stderr
    # without the extra installed (its import blocked, in case it is installed here)
    blocked = "import sys; sys.modules['sentence_transformers'] = None; from pipeline.cli import main; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", blocked, "compare", "--db", str(db), "--method", "semantic"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "pip install -e '.[semantic]'" in proc.stderr and "sentence_transformers" in proc.stderr
    assert {p.name: _digest(p) for p in tmp_path.iterdir()} == before


def test_load_of_a_run_id_with_no_staging_writes_nothing(tmp_path: Path) -> None:
    # item 9: it recorded a run of zeros and said a staging folder "is kept" that did not exist
    db = tmp_path / "f.duckdb"
    _store_with_an_article(db)
    before = _digest(db)
    proc = factcheck("load", "--run-id", "nosuchrun", "--db", str(db), "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "no staging files for run 'nosuchrun'" in proc.stderr and "is kept" not in proc.stderr
    assert _digest(db) == before and not (tmp_path / "data").exists()
    proc = factcheck("load", "--run-id", "nosuchrun", "--db", str(tmp_path / "new.duckdb"),
                     "--data-dir", str(tmp_path / "data"))  # fmt: skip
    assert proc.returncode == 2 and not (tmp_path / "new.duckdb").exists()
