"""Pages that are not articles, and input that must not break the parser."""

from __future__ import annotations

import os

import pytest
from parse_pages import PARAGRAPHS, article_page

from pipeline.parse import parse_article

URL = "https://news.example.org/section/"


def test_article_page_is_article() -> None:
    a = parse_article(article_page().encode(), URL)
    assert a.is_article and a.not_article_reason is None
    assert PARAGRAPHS[0] in a.text


def test_index_page_with_many_links() -> None:
    items = "\n".join(
        f'<li><a href="/news/{i}">Headline number {i} about the council and the buses in town</a></li>'
        for i in range(120)
    )
    html = f"""<html lang="en"><head><title>News</title><meta property="og:type" content="website"></head>
    <body><h1>Latest news</h1><ul>{items}</ul><p>Short intro to the section.</p></body></html>"""
    a = parse_article(html.encode(), URL)
    assert not a.is_article
    assert a.not_article_reason


def test_consent_wall() -> None:
    html = """<html><head><title>Before you continue</title></head><body>
    <div class="consent"><h2>We value your privacy</h2>
    <p>We use cookies and similar technologies to personalise content and ads and to analyse our traffic.
    You can accept all cookies or manage your preferences at any time by visiting our cookie settings.</p>
    <button>Accept all</button><button>Manage preferences</button></div></body></html>"""
    a = parse_article(html.encode(), URL)
    assert not a.is_article
    assert a.not_article_reason


def test_paywall_stub() -> None:
    html = """<html><head><title>Council budget</title><meta property="og:type" content="article"></head>
    <body><article><h1>Council budget under pressure</h1>
    <p>The council faces a shortfall of several million next year, officials warned on Monday.</p>
    <p>Subscribe now to continue reading. Already a subscriber? Sign in.</p></article></body></html>"""
    a = parse_article(html.encode(), URL)
    assert not a.is_article
    assert "wall" in (a.not_article_reason or "") or "too little" in (a.not_article_reason or "")


def test_product_page_by_jsonld() -> None:
    html = article_page(
        head='<script type="application/ld+json">{"@type": "Product", "name": "Bus pass"}</script>'
        '<meta property="og:type" content="product">',
        paragraphs=PARAGRAPHS[:2],
    )
    a = parse_article(html.encode(), URL)
    assert not a.is_article
    assert "product" in (a.not_article_reason or "")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        b"\x00\x01\x02\x03" * 1000,
        os.urandom(20_000),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj" + os.urandom(5000),
        b"\x89PNG\r\n\x1a\n" + os.urandom(5000),
        b"just some plain text without markup",
        b"<html><body></body></html>",
        b"<<<<>>>><</>\xff\xfe\xfd",
        "<p>broken \udcff surrogate</p>".encode("utf-8", "surrogateescape"),
    ],
    ids=["empty", "blank", "nul", "random", "pdf", "png", "plain", "empty-body", "tag-soup", "bad-utf8"],
)
def test_bad_input_never_raises(data: bytes) -> None:
    a = parse_article(data, URL)
    assert not a.is_article
    assert a.not_article_reason
    assert a.url == URL


def test_huge_page_is_truncated_not_fatal() -> None:
    filler = "<div><p>" + "word " * 200 + "</p></div>\n"
    data = (article_page() + filler * 12_000).encode()
    assert len(data) > 10_000_000
    a = parse_article(data, URL)
    assert isinstance(a.text, str)
    assert a.is_article or a.not_article_reason


def test_deeply_nested_markup() -> None:
    html = "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"
    a = parse_article(html.encode(), URL)
    assert not a.is_article
    assert a.not_article_reason


def test_deeply_nested_article_keeps_text() -> None:
    inner = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = "<html><body>" + "<div>" * 200 + inner + "</div>" * 200 + "</body></html>"
    a = parse_article(html.encode(), URL)
    assert PARAGRAPHS[0][:60] in a.text


def test_raw_ref_and_outlet_are_kept() -> None:
    a = parse_article(b"", URL, outlet="Example Gazette", raw_ref="sha256:abc")
    assert a.outlet == "Example Gazette"
    assert a.raw_ref == "sha256:abc"


@pytest.mark.parametrize("url", ["http://[::1", "", "javascript:void(0)", "http://exa mple.com/%zz"])
def test_broken_page_urls_do_not_raise(url: str) -> None:
    html = article_page(head='<base href="http://[bad"><link rel="canonical" href="http://[::1">')
    a = parse_article(html.encode(), url)
    assert a.url == url
    assert PARAGRAPHS[0] in a.text


def test_jsonld_with_unexpected_shapes_does_not_raise() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": [null, 3, {"@id": 5},'
        ' {"name": ["Ana Lima", "x"]}], "datePublished": ["2024"], "headline": {"a": 1}}</script>'
        '<script type="application/ld+json">' + "[" * 60 + "]" * 60 + "</script>"
    )
    a = parse_article(article_page(head=head).encode(), URL)
    assert a.is_article
    assert a.authors == ("Ana Lima",)


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><table>"
        + "".join(f"<tr><td>cell {i}</td><td>value {i * 7}</td></tr>" for i in range(40_000))
        + "</table></body></html>",
        "<html><body>"
        + "".join(f"<div><a href=/a{i}>link {i}</a></div>" for i in range(30_000))
        + "</body></html>",
        "<html><body><article><p>" + "council bus route " * 60 + "</p></article>"
        + "".join(f"<p>paragraph {i} " + "word " * 80 + "</p>" for i in range(9_000)) + "</body></html>",
    ],
    ids=["huge-table", "many-links", "megabytes-of-text"],
)
def test_oversized_pages_are_cut_not_fatal(html: str) -> None:
    a = parse_article(html.encode(), URL)
    assert isinstance(a.text, str)
    assert len(a.text) < 1_000_000
