"""The import rules of docs/ARCHITECTURE.md, read from the source: a stage imports no other stage,
``net/`` imports nothing above it, only ``store/`` touches DuckDB and the library never imports Airflow."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pipeline"

# what net/ may use: itself and the base modules below every layer
NET_MAY_IMPORT = ("pipeline.net", "pipeline.archive", "pipeline.credentials", "pipeline.files",
                  "pipeline.records", "pipeline.settings", "pipeline.util")  # fmt: skip
# the modules no stage owns: shared helpers of the stages, and the package itself
STAGES_SHARED = ("pipeline.stages.common", "pipeline.stages")


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at the top or inside a function, as dotted names."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{a.name}" for a in node.names)
    return found


def modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", modules("stages"), ids=lambda p: p.name)
def test_a_stage_imports_no_other_stage(path: Path) -> None:
    own = f"pipeline.stages.{path.stem}"
    others = [
        name
        for name in imports(path)
        if within(name, ("pipeline.stages",)) and not within(name, (own,)) and name not in STAGES_SHARED
        and not name.startswith("pipeline.stages.common.")
    ]
    assert not others, f"{path.name} reaches into another stage: {others}; move the shared piece to its owner"


@pytest.mark.parametrize("path", modules("net"), ids=lambda p: p.name)
def test_net_imports_nothing_above_it(path: Path) -> None:
    above = [n for n in imports(path) if n.startswith("pipeline") and not within(n, NET_MAY_IMPORT)]
    assert not above, f"net/{path.name} imports {above}: net/ sits below every stage and the store"


def test_only_the_store_touches_duckdb() -> None:
    outside = [
        str(p.relative_to(PACKAGE))
        for p in modules()
        if "store" not in p.relative_to(PACKAGE).parts and any(within(n, ("duckdb",)) for n in imports(p))
    ]
    assert not outside, f"DuckDB used outside store/: {outside}"


def test_the_library_never_imports_airflow_but_its_local_runner() -> None:
    # localairflow.py runs the real Airflow for the demo and the tests; nothing else may need it
    users = [
        str(p.relative_to(PACKAGE))
        for p in modules()
        if p.name != "localairflow.py" and any(within(n, ("airflow",)) for n in imports(p))
    ]
    assert not users, f"Airflow imported by the library: {users}"


def test_the_rules_see_the_imports_they_judge(tmp_path: Path) -> None:
    # the reader finds imports at the top and inside functions, so a rule cannot pass by missing them
    sample = tmp_path / "sample.py"
    sample.write_text("import duckdb\n\ndef f():\n    from pipeline.stages.fetch import OutletState\n")
    assert imports(sample) == ["duckdb", "pipeline.stages.fetch", "pipeline.stages.fetch.OutletState"]


# upper case, as this codebase writes its SQL
SQL_START = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|MERGE|COPY)\b")


def sql_strings(path: Path) -> list[str]:
    """String constants of ``path`` that read as SQL statements (f-strings by their literal parts)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_START.match(node.value):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and SQL_START.match(first.value):
                found.append(first.value)
    return [s for s in found if re.search(r"\b(FROM|INTO|TABLE|SET|VIEW)\b", s)]


def test_sql_lives_in_the_store() -> None:
    # localairflow.py reads Airflow's own metadata database, not the store
    roots = [*modules(), *sorted((PACKAGE.parents[1] / "plugins").glob("*.py")),
             *sorted((PACKAGE.parents[1] / "dags").glob("*.py"))]  # fmt: skip
    outside = {
        str(p.relative_to(PACKAGE.parents[1])): sql_strings(p)
        for p in roots
        if "store" not in p.relative_to(PACKAGE.parents[1]).parts and p.name != "localairflow.py"
    }
    outside = {k: v for k, v in outside.items() if v}
    assert not outside, f"SQL outside src/pipeline/store/: {outside}"


def test_no_private_name_is_imported_across_modules() -> None:
    # a helper two modules share is public in the module that owns it, once
    roots = [*modules(), *sorted((PACKAGE.parents[1] / "plugins").glob("*.py")),
             *sorted((PACKAGE.parents[1] / "dags").glob("*.py"))]  # fmt: skip
    private = [
        f"{p.relative_to(PACKAGE.parents[1])}: {node.module}.{a.name}"
        for p in roots
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline")
        for a in node.names
        if a.name.startswith("_")
    ]
    assert not private, f"private names imported from another module: {private}"
