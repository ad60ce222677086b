"""Which trafilatura passes the body step runs: a second full extraction only where it can change the result."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from parse_pages import PARAGRAPHS

import pipeline.parse.body as body


def run_passes(monkeypatch: pytest.MonkeyPatch, page_html: str, results: dict[str, str]) -> list[str]:
    """Run extract_body with trafilatura replaced by canned results; return the modes it asked for."""
    asked: list[str] = []

    def fake(tree: Any, url: str, **options: Any) -> str:
        mode = "balanced"
        if options.get("favor_precision"):
            mode = "precision"
        elif options.get("favor_recall"):
            mode = "recall"
        asked.append(mode)
        return results[mode]

    monkeypatch.setattr(body, "_trafilatura_text", fake)
    body.extract_body(lxml.html.document_fromstring(page_html), "https://example.org/a", None)
    return asked


SHORT = f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"  # what the precise pass finds: enough, yet under SHORT_TEXT_CHARS


def test_no_balanced_pass_when_the_page_shows_little_more_than_the_precise_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    page_html = f"<html><body><nav><a href='/'>Home</a></nav>{paras}</body></html>"
    asked = run_passes(monkeypatch, page_html, {"precision": SHORT, "balanced": "", "recall": ""})
    assert asked == ["precision"]


def test_balanced_pass_when_the_page_holds_much_more_text(monkeypatch: pytest.MonkeyPatch) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    page_html = f"<html><body><div class='gallery'>{paras}</div></body></html>"
    longer = "\n\n".join(PARAGRAPHS * 3)
    asked = run_passes(monkeypatch, page_html, {"precision": SHORT, "balanced": longer, "recall": ""})
    assert asked == ["precision", "balanced"]


def test_no_recall_pass_after_the_balanced_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # balanced mode retries in recall mode by itself when it finds little of a larger page
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    page_html = f"<html><body>{paras}</body></html>"
    asked = run_passes(monkeypatch, page_html, {"precision": "Too short.", "balanced": "Short too.", "recall": ""})
    assert asked == ["precision", "balanced"]


def test_recall_pass_when_nothing_else_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    page_html = "<html><body><p>Too short.</p><p>A few more words here.</p></body></html>"
    asked = run_passes(monkeypatch, page_html, {"precision": "Too short.", "balanced": "", "recall": ""})
    assert asked == ["precision", "recall"]
