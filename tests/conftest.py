"""Shared fixtures: settings in a temporary data directory, the sample newsroom on loopback, ../shared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.demo.server import NewsroomServer
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """The read-only ``shared`` folder beside the repository (or FACTCHECK_SHARED_DIR), if present."""
    candidates = [os.environ.get("FACTCHECK_SHARED_DIR"), REPO.parent / "shared"]
    for c in candidates:
        if c and (Path(c) / "data").is_dir():
            return Path(c)
    return None


@pytest.fixture
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("../shared is not present (set FACTCHECK_SHARED_DIR); this test reads real data from it")
    return found


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        allow_private_network=True,
        per_host_delay=0.0,
        backoff_base=0.01,
        connect_timeout=2.0,
        read_timeout=5.0,
    )


@pytest.fixture(scope="session")
def newsroom() -> Iterator[NewsroomServer]:
    with NewsroomServer() as server:
        yield server


@pytest.fixture(scope="session")
def loaded_settings(tmp_path_factory: pytest.TempPathFactory, newsroom: NewsroomServer) -> Settings:
    """Settings whose DuckDB file holds the sample newsroom, ingested once by the real pipeline."""
    from pipeline import runner

    data = tmp_path_factory.mktemp("loaded")
    sources = newsroom.write_sources(data / "sources.yaml")
    s = Settings(data_dir=data, sources_path=sources, allow_private_network=True, per_host_delay=0.0)
    runner.run_all(s, "fixture-run")
    return s
