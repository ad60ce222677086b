"""Metadata cascade: JSON-LD, OpenGraph, meta tags, bylines, titles, canonical URLs."""

from __future__ import annotations

from datetime import date

import pytest
from parse_pages import PARAGRAPHS, article_page

from pipeline.parse import clean_url, parse_article, strip_site_suffix
from pipeline.records import Article

URL = "https://news.example.org/transport/night-buses?utm_source=feed"


def parse(head: str = "", body_top: str = "", **kw: str) -> Article:
    page = article_page(head=head, body_top=body_top, **kw)
    return parse_article(page.encode(), URL, outlet="Example Gazette")


# --- JSON-LD -----------------------------------------------------------------------------------


def test_jsonld_newsarticle_person_objects() -> None:
    a = parse(
        """<script type="application/ld+json">
        {"@context": "https://schema.org", "@type": "NewsArticle",
         "headline": "Council extends night buses to northern districts",
         "datePublished": "2024-03-05T08:30:00+01:00",
         "author": [{"@type": "Person", "name": "Ana Lima"}, {"@type": "Person", "name": "Tom Berg"}],
         "publisher": {"@type": "Organization", "name": "Example Gazette"}}
        </script>"""
    )
    assert a.authors == ("Ana Lima", "Tom Berg")
    assert a.published_at is not None and a.published_at.isoformat() == "2024-03-05T08:30:00+01:00"
    assert a.title == "Council extends night buses to northern districts"


def test_jsonld_graph_and_list_authors() -> None:
    a = parse(
        """<script type="application/ld+json">
        {"@context": "https://schema.org", "@graph": [
          {"@type": "WebSite", "name": "Example Gazette"},
          {"@type": "Organization", "name": "Example Gazette"},
          {"@type": ["NewsArticle"], "headline": "Council extends night buses",
           "datePublished": "2024-03-05", "author": ["Ana Lima", "Tom Berg"]}]}
        </script>"""
    )
    assert a.authors == ("Ana Lima", "Tom Berg")
    assert a.published_at is not None and a.published_at.date() == date(2024, 3, 5)


def test_jsonld_top_level_list() -> None:
    a = parse(
        """<script type="application/ld+json">
        [{"@type": "BreadcrumbList", "itemListElement": []},
         {"@type": "BlogPosting", "datePublished": "2023-11-02", "author": {"name": "Ana Lima"}}]
        </script>"""
    )
    assert a.authors == ("Ana Lima",)
    assert a.published_at is not None and a.published_at.date() == date(2023, 11, 2)


@pytest.mark.parametrize(
    "block",
    [
        # trailing comma and a raw newline inside a string
        '{"@type": "NewsArticle", "datePublished": "2024-03-05", "author": {"@type": "Person", '
        '"name": "Ana Lima"},\n "description": "two\nlines",}',
        # HTML comment wrapper
        '<!-- {"@type": "NewsArticle", "datePublished": "2024-03-05", "author": {"name": "Ana Lima"}} -->',
        # unbalanced junk that no repair fixes: fields are rescued by pattern
        '{"@type": "NewsArticle", "datePublished": "2024-03-05", "author": {"name": "Ana Lima"}, "x": [ ',
    ],
)
def test_malformed_jsonld_is_read_leniently(block: str) -> None:
    a = parse(f'<script type="application/ld+json">{block}</script>')
    assert a.authors == ("Ana Lima",)
    assert a.published_at is not None and a.published_at.date() == date(2024, 3, 5)


def test_organization_author_is_not_a_person() -> None:
    a = parse(
        """<script type="application/ld+json">
        {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example Gazette"},
         "datePublished": "2024-03-05"}</script>
        <meta name="author" content="Ana Lima">"""
    )
    assert a.authors == ("Ana Lima",)


# --- OpenGraph and meta --------------------------------------------------------------------------


def test_opengraph_and_article_meta() -> None:
    a = parse(
        """<meta property="og:type" content="article">
        <meta property="og:title"
              content="Council extends night buses to northern districts | Example Gazette">
        <meta property="og:site_name" content="Example Gazette">
        <meta property="article:published_time" content="2024-03-05T07:00:00Z">
        <meta property="article:author" content="https://news.example.org/staff/ana-lima">
        <meta name="author" content="Ana Lima">"""
    )
    assert a.title == "Council extends night buses to northern districts"
    assert a.authors == ("Ana Lima",)
    assert a.published_at is not None and a.published_at.isoformat() == "2024-03-05T07:00:00+00:00"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Night buses return | Example Gazette", "Night buses return"),
        ("Example Gazette - Night buses return", "Night buses return"),
        ("Night buses return – Example Gazette", "Night buses return"),
        ("Night buses return - News - Example Gazette", "Night buses return - News"),
        ("Night buses: what changes in March", "Night buses: what changes in March"),
        ("Night buses return", "Night buses return"),
    ],
)
def test_strip_site_suffix(title: str, expected: str) -> None:
    assert strip_site_suffix(title, {"example gazette"}) == expected


def test_title_prefers_visible_headline_over_decorated_title() -> None:
    a = parse(title="Council extends night buses to northern districts | Example Gazette")
    assert a.title == "Council extends night buses to northern districts"


# --- bylines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Ana Lima", ("Ana Lima",)),
        ("By ANA LIMA and Tom Berg", ("ANA LIMA", "Tom Berg")),
        ("By Ana Lima, Staff Writer", ("Ana Lima",)),
        ("Ana Lima | Example Gazette", ("Ana Lima",)),
        ("By Ana Lima, Tom Berg &amp; Eva Kos", ("Ana Lima", "Tom Berg", "Eva Kos")),
        ("By Ana Lima (Reuters)", ("Ana Lima",)),
    ],
)
def test_byline_cleanup(byline: str, expected: tuple[str, ...]) -> None:
    a = parse(body_top=f'<p class="byline">{byline}</p>')
    assert a.authors == expected


def test_authors_are_deduplicated() -> None:
    a = parse('<meta name="author" content="Ana Lima, ana lima, Tom Berg">')
    assert a.authors == ("Ana Lima", "Tom Berg")


# --- canonical URL -------------------------------------------------------------------------------


def test_canonical_link_resolved_and_cleaned() -> None:
    a = parse('<link rel="canonical" href="/2024/03/05/night-buses?utm_medium=social&id=7&fbclid=abc#top">')
    assert a.canonical_url == "https://news.example.org/2024/03/05/night-buses?id=7"
    assert a.url == URL


def test_og_url_when_no_canonical_link() -> None:
    a = parse('<meta property="og:url" content="https://news.example.org/a/night-buses?gclid=x">')
    assert a.canonical_url == "https://news.example.org/a/night-buses"


def test_non_http_canonical_falls_back_to_given_url() -> None:
    a = parse('<link rel="canonical" href="javascript:void(0)">')
    assert a.canonical_url == "https://news.example.org/transport/night-buses"


@pytest.mark.parametrize(
    ("page_url", "candidate", "domain", "identity", "claimed"),
    [
        # another site: the fetched URL is the identity, the page's canonical only a recorded claim
        ("https://b.example.net/hj/story", "https://news.example.org/a/story", None,
         "https://b.example.net/hj/story", "https://news.example.org/a/story"),
        ("https://alice.github.io/post", "https://bob.github.io/post", None,
         "https://alice.github.io/post", "https://bob.github.io/post"),
        ("http://127.0.0.2:8080/hj/story", "http://127.0.0.1:8080/a/story", None,
         "http://127.0.0.2:8080/hj/story", "http://127.0.0.1:8080/a/story"),
        # the same registered domain, or the outlet's declared one: the canonical is the identity
        ("https://rss.news.example.co.uk/s/1", "https://www.example.co.uk/a/1", None,
         "https://www.example.co.uk/a/1", None),
        ("http://127.0.0.1:8080/a/story?x=1", "http://127.0.0.1:9090/a/story", None,
         "http://127.0.0.1:9090/a/story", None),
        ("https://amp.cdn.example.net/c/s/1", "https://www.example.org/a/1", "example.org",
         "https://www.example.org/a/1", None),
        ("https://amp.cdn.example.net/c/s/1", "https://www.example.org/a/1", "other.org",
         "https://amp.cdn.example.net/c/s/1", "https://www.example.org/a/1"),
    ],
)  # fmt: skip
def test_a_canonical_url_on_another_site_is_recorded_not_taken(
    page_url: str, candidate: str, domain: str | None, identity: str, claimed: str | None
) -> None:
    page = article_page(head=f'<link rel="canonical" href="{candidate}"><meta property="og:url" content="{candidate}">')
    a = parse_article(page.encode(), page_url, outlet="Example Gazette", domain=domain)
    assert (a.canonical_url, a.claimed_canonical_url) == (identity, claimed)


def test_the_first_candidate_on_the_own_site_wins_over_a_foreign_one() -> None:
    a = parse('<link rel="canonical" href="https://other.example.com/x"><meta property="og:url" '
              'content="https://news.example.org/transport/night-buses-2">')  # fmt: skip
    assert a.canonical_url == "https://news.example.org/transport/night-buses-2"
    assert a.claimed_canonical_url is None


def test_a_page_read_from_a_file_takes_its_canonical_url_as_it_is() -> None:
    page = article_page(head='<link rel="canonical" href="https://news.example.org/a/1">')
    a = parse_article(page.encode(), "file:///tmp/page.html")
    assert (a.canonical_url, a.claimed_canonical_url) == ("https://news.example.org/a/1", None)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("https://a.example/x?utm_source=a&utm_campaign=b", "https://a.example/x"),
        ("HTTPS://A.Example/x?b=2&a=1#frag", "https://a.example/x?b=2&a=1"),
        ("ftp://a.example/x", None),
        ("mailto:desk@a.example", None),
        ("", None),
    ],
)
def test_clean_url(candidate: str, expected: str | None) -> None:
    assert clean_url(candidate, "https://a.example/") == expected


# --- language ------------------------------------------------------------------------------------


def test_language_detected_from_text() -> None:
    a = parse(html_attrs='lang="de"')  # the hint is wrong, the text is plainly English
    assert a.language == "en"


def test_body_paragraphs_are_separated_by_blank_lines() -> None:
    a = parse()
    assert a.is_article, a.not_article_reason
    assert "\n\n" in a.text
    assert a.text.count("\n\n") >= 3
    assert "Copyright Example Gazette" not in a.text


def test_jsonld_author_reference_into_graph() -> None:
    a = parse(
        """<script type="application/ld+json">
        {"@context": "https://schema.org", "@graph": [
          {"@type": "Article", "headline": "Night buses", "datePublished": "2024-03-05",
           "author": {"@id": "https://news.example.org/#/schema/person/1"}},
          {"@type": "Person", "@id": "https://news.example.org/#/schema/person/1", "name": "Ana Lima"}]}
        </script>"""
    )
    assert a.authors == ("Ana Lima",)


def test_outlet_named_as_author_is_dropped_for_the_byline() -> None:
    a = parse(
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person", '
        '"name": "Example Gazette"}}</script><meta property="og:site_name" content="Example Gazette">',
        body_top="<div><span>By</span> <a href='/staff/ana-lima'>Ana Lima</a></div>",
    )
    assert a.authors == ("Ana Lima",)


def test_personal_site_author_is_kept() -> None:
    a = parse('<meta name="author" content="Ana Lima"><meta property="og:site_name" content="Ana Lima">')
    assert a.authors == ("Ana Lima",)


@pytest.mark.parametrize(
    "byline",
    [
        "<p><span>By</span> <a href='/staff/ana-lima'>Ana Lima</a> | March 5, 2024</p>",
        "<p>Posted on March 5, 2024 by Ana Lima</p>",
        "<div><em>Written by:</em> <a href='/staff/ana-lima'>Ana Lima</a></div>",
    ],
)
def test_visible_byline_near_the_headline(byline: str) -> None:
    assert parse(body_top=byline).authors == ("Ana Lima",)


def test_job_titles_are_not_names_and_credentials_stay_with_the_name() -> None:
    # a credential is never an author of its own; since issue 22 it stays with the name it follows
    a = parse('<meta name="author" content="Ana Lima, PhD, Senior Director of Operations">')
    assert a.authors == ("Ana Lima, PhD",)


@pytest.mark.parametrize(
    ("h1", "og_title", "expected"),
    [
        # the visible headline when the metadata title is the same words
        ("Council extends night buses", "Council Extends Night Buses", "Council extends night buses"),
        # a section label or subtitle in the <h1>: the metadata title is the headline
        ("Politics | Council extends night buses", "Council extends night buses",
         "Council extends night buses"),
        # a search-engine title: the lone <h1> the reader sees wins
        ("Council extends night buses to the north", "Night Bus Routes 2024: 5 Things to Know",
         "Council extends night buses to the north"),
    ],
)
def test_title_is_the_headline(h1: str, og_title: str, expected: str) -> None:
    html = (
        f'<html><head><title>{og_title} | Example Gazette</title>'
        f'<meta property="og:title" content="{og_title}"></head>'
        f"<body><article><h1>{h1}</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</article></body></html>"
    )
    assert parse_article(html.encode(), URL).title == expected


def test_title_mentioning_the_site_is_not_taken_for_the_site_name() -> None:
    html = (
        "<html><head><title>Why Gazette readers love night buses - Example Gazette</title></head><body>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</body></html>"
    )
    a = parse_article(html.encode(), "https://gazette.example.org/a", outlet="Example Gazette")
    assert a.title == "Why Gazette readers love night buses"


def test_language_of_a_german_text_under_an_english_hint() -> None:
    german = [
        "Der Stadtrat hat am Dienstag beschlossen, die Nachtbusse bis in die nördlichen Bezirke zu "
        "verlängern, was die Bewohner der neuen Siedlungen seit mehr als zwei Jahren gefordert hatten.",
        "Nach Angaben des Verkehrsamts fahren die zusätzlichen Linien bis Mitternacht alle zwanzig "
        "Minuten und werden aus dem regionalen Mobilitätsfonds bezahlt, nicht durch höhere Preise.",
    ]
    html = article_page(paragraphs=german, html_attrs='lang="en"')
    assert parse_article(html.encode(), URL).language == "de"


def test_short_text_keeps_the_html_lang_hint() -> None:
    html = '<html lang="fr"><body><p>Request unsuccessful. Incident ID: 70300016014392</p></body></html>'
    assert parse_article(html.encode(), URL).language == "fr"


@pytest.mark.parametrize(
    ("body_top", "expected"),
    [
        ("<p>Site powered by WordPress VIP</p>", ()),
        ("<p><span>by</span> <span class='author'>marc</span> on March 5</p>", ("marc",)),
        ("<p>Author: Ana Lima</p><p class='byline'>Author Ana Lima</p>", ("Ana Lima",)),
        ("<p class='byline'>By Staff and News Service Reports</p>", ()),
        ("<p class='byline'>By No Author</p>", ()),
    ],
)
def test_byline_edge_cases(body_top: str, expected: tuple[str, ...]) -> None:
    assert parse(body_top=body_top).authors == expected


def test_first_name_in_metadata_is_completed_by_the_byline() -> None:
    a = parse(
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"author": {"@type": "Person", "name": "Ana"}}</script>',
        body_top="<p><strong>By</strong></p><p>Ana Lima</p>",
    )
    assert a.authors == ("Ana Lima",)


def test_table_rule_lines_are_not_paragraphs() -> None:
    table = "<table><tr><th>Route</th><th>Hours</th></tr><tr><td>N1</td><td>till midnight</td></tr></table>"
    a = parse(body_top=table)
    assert all(set(p) - set("|-: ") for p in a.text.split("\n\n"))


def test_canonical_pointing_at_the_front_page_is_ignored() -> None:
    a = parse('<link rel="canonical" href="https://news.example.org/">')
    assert a.canonical_url == "https://news.example.org/transport/night-buses"


def test_jsonld_article_of_this_page_not_a_related_one() -> None:
    a = parse(
        """<link rel="canonical" href="https://news.example.org/transport/night-buses">
        <script type="application/ld+json">[
          {"@type": "NewsArticle", "headline": "Another story", "datePublished": "2023-01-01",
           "author": {"@type": "Person", "name": "Tom Berg"}, "url": "https://news.example.org/other"},
          {"@type": "NewsArticle", "headline": "Council extends night buses", "datePublished": "2024-03-05",
           "author": {"@type": "Person", "name": "Ana Lima"},
           "mainEntityOfPage": {"@id": "https://news.example.org/transport/night-buses"}}]
        </script>"""
    )
    assert a.authors == ("Ana Lima",)


def test_jsonld_item_lists_are_not_read_as_the_article() -> None:
    a = parse(
        """<script type="application/ld+json">{"@type": "ItemList", "itemListElement": [
          {"@type": "ListItem", "item": {"@type": "NewsArticle", "headline": "Another story",
           "author": {"@type": "Person", "name": "Tom Berg"}}}]}</script>"""
    )
    assert a.authors == ()


def test_an_analytics_data_layer_names_no_author() -> None:
    # one CMS plugin's variable, supported by a single dev site: a fit, removed (issue 12)
    head = '<script>var dataLayer_content = {"pagePostAuthor":"Krista Novak"};</script>'
    a = parse_article(article_page(head=head).encode(), URL)
    assert a.authors == ()
    a = parse_article(article_page(head=head, body_top="<p>By Jonas Weber</p>").encode(), URL)
    assert a.authors == ("Jonas Weber",)


LONG_TITLE = (
    "Fix the Bus Friday: Struggling With How To Get Home After Midnight? We Help 4 Readers Find "
    "Routes (Including One Trick That Works 9/10 Times)"
)


@pytest.mark.parametrize(
    ("headline", "og_title", "expected"),
    [
        # SEO plugins cut the JSON-LD headline at about 110 characters: the full title elsewhere wins
        (LONG_TITLE[:104], f"{LONG_TITLE} - Example Gazette", LONG_TITLE),
        (LONG_TITLE[:80] + "...", LONG_TITLE, LONG_TITLE),
        # a short headline that another title only decorates stays as it is
        ("Council extends night buses", "Council extends night buses | Transport", "Council extends night buses"),
    ],
)
def test_a_truncated_headline_gives_way_to_the_full_title(headline: str, og_title: str, expected: str) -> None:
    html = (
        f'<html><head><title>{og_title}</title><meta property="og:title" content="{og_title}">'
        f'<meta property="og:site_name" content="Example Gazette">'
        f'<script type="application/ld+json">{{"@type": "BlogPosting", "headline": "{headline}"}}</script>'
        "</head><body><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></body></html>"
    )
    assert parse_article(html.encode(), URL).title == expected


# --- control characters ------------------------------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07"  # sets a terminal's title


def test_control_characters_are_removed_from_every_field() -> None:
    paragraphs = list(PARAGRAPHS)
    paragraphs[1] += " \x1b[31mRed\x1b[0m, \x9b2J C1 and \x00NUL\x7f.\r\nNext line\tafter a tab."
    page = article_page(
        head=f'<meta property="og:title" content="Night buses {ESCAPES} extended">'
        f'<meta name="author" content="Ana Li\x07ma\x9b">'
        f'<link rel="canonical" href="/a/night\x1b[2J-buses">',
        paragraphs=paragraphs,
        title=f"Night buses {ESCAPES} extended",
    ).replace("<h1>Council extends night buses to northern districts</h1>", f"<h1>Night buses {ESCAPES} extended</h1>")
    a = parse_article(page.encode(), URL, outlet="Example Gazette")
    assert a.title == "Night buses ]0;pwned extended"
    assert a.authors == ("Ana Lima",)  # the bell and the C1 byte go; the name is a name again
    assert a.canonical_url == "https://news.example.org/a/night%1B[2J-buses"
    assert "fares. [31mRed[0m, 2J C1 and " in a.text and "\n\nOpposition members" in a.text
    for value in (a.title, *a.authors, a.text, a.canonical_url):
        assert not [c for c in value if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F], value
