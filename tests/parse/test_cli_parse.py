"""`factcheck parse FILE... [--url URL]` prints one JSON line per page with the scored fields."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from parse_pages import PARAGRAPHS, article_page

from pipeline.cli import main

FIELDS = {"path", "url", "canonical_url", "title", "authors", "published", "modified", "language", "text", "is_article",
          "not_article_reason"}


def test_parse_prints_one_json_line_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "a.html"
    page.write_text(article_page(head='<meta name="author" content="Ana Lima">'), encoding="utf-8")
    packed = tmp_path / "b.html.gz"
    packed.write_bytes(gzip.compress(b"\x00\x01 binary"))
    assert main(["parse", str(page), str(packed)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [set(r) for r in rows] == [FIELDS, FIELDS]
    assert rows[0]["is_article"] and rows[0]["authors"] == ["Ana Lima"]
    assert PARAGRAPHS[0] in rows[0]["text"]
    assert rows[1]["is_article"] is False and rows[1]["not_article_reason"]


def test_parse_with_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "a.html"
    page.write_text(article_page(), encoding="utf-8")
    assert main(["parse", str(page), "--url", "https://news.example.org/a?utm_source=x"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["url"] == "https://news.example.org/a?utm_source=x"
    assert row["canonical_url"] == "https://news.example.org/a"
