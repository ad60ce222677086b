"""Hostile inputs against the network stages, end to end through ``pipeline.runner`` and loopback servers."""

from __future__ import annotations

from pathlib import Path

import yaml
from faultserver import FaultServer

from pipeline import runner
from pipeline.settings import Settings
from pipeline.staging import RunPaths, read_jsonl


def test_a_gzip_bomb_sitemap_fails_that_feed_with_a_reason(tmp_path: Path) -> None:
    """A .xml.gz sitemap served as application/x-gzip that inflates past max_feed_bytes: that feed
    fails with "too large", the outlet's other feed still gives its URLs."""
    with FaultServer() as server:
        sources = tmp_path / "sources.yaml"
        feeds = [server.base + "/sitemap-bomb.xml.gz", server.base + "/latest.xml"]
        sources.write_text(yaml.safe_dump({"outlets": [{"name": "Bomb", "feeds": feeds}]}), encoding="utf-8")
        settings = Settings(
            data_dir=tmp_path / "data",
            sources_path=sources,
            allow_endpoints=f"127.0.0.1:{server.port}",
            per_host_delay=0.0,
            max_feed_bytes=1_000_000,
        )
        runner.discover(settings, "bomb-run", "Bomb")
    paths = RunPaths(settings, "bomb-run")
    rows = {r["url"]: r for r in read_jsonl(paths.log_file("discover", "Bomb"))}
    bomb = rows[server.base + "/sitemap-bomb.xml.gz"]
    assert bomb["ok"] is False
    assert bomb["reason"].startswith("too large: gzip-compressed feed of ")
    assert "over 1000000 bytes once decompressed" in bomb["reason"]
    assert rows[server.base + "/latest.xml"]["ok"] is True
    candidates = [r["url"] for r in read_jsonl(paths.stage_file("discover", "Bomb"))]
    assert candidates == [server.base + "/news/later.html"]
