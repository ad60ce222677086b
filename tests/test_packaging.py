"""The installed package carries its data files (the Docker image installs it without -e)."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pipeline"


def test_every_data_file_of_the_library_is_declared_as_package_data() -> None:
    config = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["pipeline"]
    declared = {Path(p) for pattern in patterns for p in glob.glob(str(PACKAGE / pattern), recursive=True)}
    data_files = {
        p for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    assert data_files, "no data files found: the library's lexicons and defaults should be here"
    missing = sorted(str(p.relative_to(PACKAGE)) for p in data_files - declared)
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
