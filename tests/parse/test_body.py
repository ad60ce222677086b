"""Which trafilatura passes the body step runs: a second full extraction only where it can change the result.

trafilatura runs for real; a wrapper only records which mode each call asked for.
"""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from parse_pages import PARAGRAPHS, article_page

import pipeline.parse.body as body


def passes(monkeypatch: pytest.MonkeyPatch, page_html: str) -> tuple[list[str], str]:
    """Run extract_body on the page; return the trafilatura modes it ran, in order, and the text."""
    asked: list[str] = []
    real = body._trafilatura_text

    def recording(tree: Any, url: str, **options: Any) -> str:
        if options.get("favor_precision"):
            asked.append("precision")
        elif options.get("favor_recall"):
            asked.append("recall")
        else:
            asked.append("balanced")
        return real(tree, url, **options)

    monkeypatch.setattr(body, "_trafilatura_text", recording)
    text, _how = body.extract_body(lxml.html.document_fromstring(page_html), "https://example.org/a", None)
    return asked, text


def _links(n: int) -> str:
    return "".join(f"<li><a href='/story/{i}'>{PARAGRAPHS[i % len(PARAGRAPHS)]}</a></li>" for i in range(n))


def test_an_ordinary_article_gets_one_precise_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    asked, text = passes(monkeypatch, article_page())
    assert asked == ["precision"]
    assert PARAGRAPHS[0] in text


def test_a_short_precise_text_beside_many_links_gets_no_second_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the balanced second pass was a single-site rule by cross-validation (issue 12): removed
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    page = f"<html><body><article><h1>Buses</h1>{paras}</article><aside><ul>{_links(12)}</ul></aside></body></html>"
    asked, text = passes(monkeypatch, page)
    assert asked == ["precision"]
    assert PARAGRAPHS[0] in text


def test_too_little_text_gets_the_recall_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tiny = "<html><body><p>Too short.</p><p>A few more words here.</p></body></html>"
    assert passes(monkeypatch, tiny)[0] == ["precision", "recall"]
    # a short note beside a long list of links: recall is asked for directly
    note = "<article><h1>Buses</h1><p>Too short.</p></article>"
    page = f"<html><body>{note}<aside><ul>{_links(12)}</ul></aside></body></html>"
    assert passes(monkeypatch, page)[0] == ["precision", "recall"]


def test_a_fragment_of_the_declared_article_body_is_replaced_by_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # a page showing a short notice where its JSON-LD holds the article (issue 22): the notice is no body
    notice = "<html><body><article><p>" + "This article is for subscribers. " * 10 + "</p></article></body></html>"
    ld = {"articleBody": "\n".join(PARAGRAPHS * 3)}
    text, how = body.extract_body(lxml.html.document_fromstring(notice), "https://example.org/a", ld)
    assert how.startswith("jsonld-articleBody")
    assert PARAGRAPHS[0] in text
