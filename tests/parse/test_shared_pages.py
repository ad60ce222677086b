"""Smoke test on a few real pages from ../shared (skipped when the shared data is not there).

The quality gate with figures is benchmarks/extraction.py; this only checks that real pages parse
into articles without errors.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from pipeline.parse import parse_article

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("FACTCHECK_SHARED_DIR") or REPO.parent / "shared")
AEB = SHARED / "data" / "extraction" / "scrapinghub-aeb" / "html"

pytestmark = pytest.mark.shared


def _pages(n: int) -> list[Path]:
    if not AEB.is_dir():
        pytest.skip(f"shared extraction data not found at {AEB} (set FACTCHECK_SHARED_DIR)")
    return sorted(AEB.glob("*.html.gz"))[:n]


def test_real_news_pages_parse_into_articles() -> None:
    pages = _pages(12)
    articles = [parse_article(gzip.decompress(p.read_bytes()), "https://news.example.org/a") for p in pages]
    assert all(a.text for a in articles)
    assert sum(a.is_article for a in articles) >= len(articles) - 1
    assert all("\n\n" in a.text for a in articles if len(a.text) > 2000)
