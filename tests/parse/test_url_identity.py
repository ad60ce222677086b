"""One URL, one identity: the candidate normaliser (before fetching) and every parse-time path
(the fetched URL, rel=canonical, og:url, JSON-LD) give the same URL for variants of one address."""

from __future__ import annotations

import pytest
from parse_pages import article_page

from pipeline.parse import parse_article
from pipeline.urls import TRACKING_PARAMS, clean_url, is_tracking, normalize_url

IDENTITY = "https://news.example.org/transport/night-buses?id=7&page=2"

# One article as feeds, share buttons and templates write it.
VARIANTS = [
    "https://news.example.org/transport/night-buses?id=7&page=2",
    "HTTPS://News.Example.ORG/transport/night-buses?id=7&page=2#comments",
    "https://news.example.org:443/transport/night-buses?utm_source=rss&id=7&utm_medium=feed&page=2",
    "https://news.example.org/transport/night-buses?id=7&fbclid=IwAR0x&page=2&ref=rss",
    "https://news.example.org./transport//night-buses?id=7&page=2&CMP=share_btn&ICID=x&__twitter_impression=true",
    "https://news.example.org/transport/night-buses?id=7&Utm_Campaign=spring&page=2&smid=tw-share&at_medium=x",
    "https://news.example.org/transport/night-buses?id=7&page=2&share=facebook&intcmp=home#top",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_path_gives_one_identity(variant: str) -> None:
    assert normalize_url(variant) == IDENTITY  # candidate URL: fetch state key and request
    fetched = parse_article(article_page().encode(), variant)  # no canonical named: the fetched URL
    assert fetched.canonical_url == IDENTITY
    base = "https://news.example.org/transport/night-buses?id=7&page=2&utm_source=x"
    for head in (
        f'<link rel="canonical" href="{variant}">',
        f'<meta property="og:url" content="{variant}">',
    ):
        named = parse_article(article_page(head=head).encode(), base)
        assert named.canonical_url == IDENTITY, head
        assert named.article_id == fetched.article_id
    assert clean_url(variant, "") == IDENTITY  # JSON-LD url / mainEntityOfPage


def test_a_parameter_that_chooses_the_document_is_kept() -> None:
    # cid, id, page, p, story select the article on many CMSs: two articles must stay two
    one = normalize_url("https://n.example/news.php?cid=12&p=3")
    two = normalize_url("https://n.example/news.php?cid=13&p=3")
    assert one != two and one == "https://n.example/news.php?cid=12&p=3"
    assert not any(is_tracking(name) for name in ("cid", "id", "page", "p", "story", "v", "q"))
    assert {"fbclid", "gclid", "ref", "share", "cmp"} <= TRACKING_PARAMS


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM:443/a/b.html#top", "https://news.example.com/a/b.html"),
        ("http://n.example:80/x?utm_source=rss&id=7&fbclid=abc", "http://n.example/x?id=7"),
        ("https://n.example/x?gclid=1&utm_campaign=a", "https://n.example/x"),
        ("https://n.example/x?b=2&a=1", "https://n.example/x?b=2&a=1"),  # order kept: it may matter
        ("https://n.example:8443//a//b", "https://n.example:8443/a/b"),
        ("https://n.example", "https://n.example/"),
        ("mailto:x@example.org", "mailto:x@example.org"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://User:PassWord@N.example/feed", "https://User:PassWord@n.example/feed"),  # as written
    ],
)
def test_candidate_urls_are_normalised(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_a_url_inside_the_path_keeps_its_double_slash() -> None:
    archived = "https://web.archive.org/web/2020/https://news.example.org/a//b"
    assert normalize_url(archived) == "https://web.archive.org/web/2020/https://news.example.org/a/b"
