"""Publication date: structured values, the URL, the date the page shows, time zones."""

from __future__ import annotations

from datetime import date

import pytest
from parse_pages import article_page

from pipeline.parse import parse_article
from pipeline.parse.dates import _parse_dt

URL = "https://news.example.org/transport/buses"


def published(head: str = "", body_top: str = "", url: str = URL) -> date:
    a = parse_article(article_page(head=head, body_top=body_top).encode(), url)
    assert a.published_at is not None
    return a.published_at.date()


def test_jsonld_date_with_offset_keeps_its_zone() -> None:
    a = parse_article(
        article_page(
            head='<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2024-03-05T08:30:00-05:00"}</script>'
        ).encode(),
        "https://news.example.org/transport/buses",
    )
    assert a.published_at is not None
    assert a.published_at.utcoffset() is not None
    assert a.published_at.isoformat() == "2024-03-05T08:30:00-05:00"


def test_local_offset_preferred_over_utc_stamp_of_the_same_instant() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-03-04T23:30:00Z"}</script>'
        '<meta property="article:published_time" content="2024-03-05T01:30:00+02:00">'
    )
    assert published(head) == date(2024, 3, 5)


def test_free_form_date_string() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "Tue, Mar 5 2024 10:01:41 EDT"}</script>'
    )
    assert published(head) == date(2024, 3, 5)


def test_url_date_is_the_local_day_of_a_utc_stamp() -> None:
    head = '<meta property="article:published_time" content="2024-03-06T02:10:00Z">'
    assert published(head, url="https://news.example.org/2024/03/05/buses/") == date(2024, 3, 5)


def test_url_date_beats_a_much_later_stamp() -> None:
    head = '<meta property="article:published_time" content="2026-01-10T10:00:00+01:00">'
    assert published(head, url="https://news.example.org/2024/03/05/buses/") == date(2024, 3, 5)


def test_shown_date_when_no_metadata() -> None:
    assert published(body_top="<p class='date'>Published March 5, 2024</p>") == date(2024, 3, 5)


def test_utc_stamp_moved_to_the_local_day_the_page_shows() -> None:
    head = '<meta property="article:published_time" content="2024-03-06T03:00:00Z">'
    assert published(head, body_top="<p>March 5, 2024</p>") == date(2024, 3, 5)


def test_modified_date_is_not_the_publication_date() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05",'
        ' "dateModified": "2024-06-01"}</script>'
    )
    assert published(head, body_top="<p>Updated June 1, 2024</p>") == date(2024, 3, 5)


@pytest.mark.parametrize("value", ["not a date", "0000-00-00", "1970-01-01T00:00:00Z", "3024-01-01"])
def test_junk_dates_are_ignored(value: str) -> None:
    html = article_page(head=f'<meta property="article:published_time" content="{value}">')
    a = parse_article(html.encode(), "https://news.example.org/transport/buses")
    assert a.published_at is None


def test_utc_stamp_moved_to_a_neighbouring_day_shown_without_year() -> None:
    head = '<meta property="article:published_time" content="2024-03-06T00:20:00Z">'
    assert published(head, body_top="<p>mardi 5 mars, 21 h 14</p>") == date(2024, 3, 5)


def test_sloppy_seconds_still_parse_as_utc() -> None:
    head = '<meta property="article:published_time" content="2024-03-05T23:15:0Z">'
    assert published(head, body_top="<p>Mercoledì 06 Marzo 2024 | 00:36</p>") == date(2024, 3, 6)


def test_header_dateline_beats_a_calendar_widget_without_structured_dates() -> None:
    # no JSON-LD or meta date: the date beside the byline is the article's, not today's date in the nav
    page = article_page(body_top="<p class='byline'>By Jane Doe <span>12.03.2024</span></p>").replace(
        "<header><nav>", "<header><div class='today'>Friday, December 19, 2025</div><nav>"
    )
    a = parse_article(page.encode(), URL)
    assert a.published_at is not None
    assert a.published_at.date() == date(2024, 3, 12)


@pytest.mark.parametrize(
    "footer",
    ["<p>&copy; 2016 Example Gazette. All rights reserved.</p>", "<p>&copy; 2012-2016 Example Gazette</p>"],
)
def test_a_copyright_year_does_not_date_the_article(footer: str) -> None:
    # htmldate reads a bare copyright year as 1 January: that would make the page the first to
    # report anything, so with nothing else to go on the article is left undated
    page = article_page().replace("</footer>", f"{footer}</footer>")
    assert parse_article(page.encode(), URL).published_at is None


@pytest.mark.parametrize(
    ("body_top", "head"),
    [
        ("<p class='date'>Published January 1, 2016</p>", ""),
        ("<p class='date'><time datetime='2016-01-01T09:00'>New Year's Day</time></p>", ""),
        ("", '<meta property="article:published_time" content="2016-01-01T09:00:00+01:00">'),
    ],
)
def test_a_new_years_day_the_page_states_is_kept(body_top: str, head: str) -> None:
    page = article_page(head=head, body_top=body_top).replace("</footer>", "<p>&copy; 2016</p></footer>")
    a = parse_article(page.encode(), URL)
    assert a.published_at is not None
    assert a.published_at.date() == date(2016, 1, 1)


def test_header_update_label_is_not_the_publication_date() -> None:
    body_top = "<p>By Jane Doe</p><p>Updated on June 18, 2025</p><p>Published March 3, 2025</p>"
    assert published(body_top=body_top) == date(2025, 3, 3)


def test_structured_date_kept_when_the_header_shows_only_an_update() -> None:
    head = '<meta property="article:published_time" content="2024-09-06T10:00:00+02:00">'
    assert published(head, body_top="<p>By Jane Doe</p><p>November 14, 2025</p>") == date(2024, 9, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Jane Doe | March 5, 2024", date(2024, 3, 5)),
        ("Mar. 5th 2024, 10:00", date(2024, 3, 5)),
        ("5. März 2024", date(2024, 3, 5)),
        ("le 5 mars 2024", date(2024, 3, 5)),
        ("2024-03-05T10:00", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("13/03/2024", date(2024, 3, 13)),
        ("03/13/2024", date(2024, 3, 13)),
        ("03/05/2024", None),  # day and month cannot be told apart
        ("Joined May 11, 2017", None),
        ("Last updated: Dec 17, 2025", None),
        # a time of day between the label and its date
        ("UPDATED 10:32 AM EST Mar 05, 2024", None),
        ("Updated at 10.32 on 5 March 2024", None),
        ("Updated 10:32 AM EST, Tue March 5, 2024. Published 9:00 AM EST, Mon March 4, 2024", date(2024, 3, 4)),
        ("By Jane Doe | 10:32 AM EST March 5, 2024", date(2024, 3, 5)),
    ],
)
def test_date_in_text(text: str, expected: date | None) -> None:
    from pipeline.parse.dates import _date_in_text

    found = _date_in_text(text)
    assert (found.date() if found else None) == expected


_MODIFIED_META = '<meta property="article:modified_time" content="2024-06-20T09:00:00+00:00">'


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        # a WebPage (or Q&A) node is the page: its datePublished beats the modification meta tag
        ('{"@type": "WebPage", "datePublished": "2024-03-05T10:00:00+00:00"}', date(2024, 3, 5)),
        ('{"@type": ["WebPage", "ItemPage"], "datePublished": "2024-03-05"}', date(2024, 3, 5)),
        ('{"@type": "QAPage", "mainEntity": {"@type": "Question", "datePublished": "2024-03-05"}}', date(2024, 3, 5)),
        # an embedded video's date is not the page's
        ('{"@type": "VideoObject", "datePublished": "2023-01-10"}', date(2024, 6, 20)),
    ],
)
def test_page_node_date_when_no_article_node(node: str, expected: date) -> None:
    head = f'<script type="application/ld+json">{{"@graph": [{node}]}}</script>{_MODIFIED_META}'
    assert published(head) == expected


_LATE_UTC = '<meta property="article:published_time" content="2024-03-06T02:30:00Z">'


def _schedule(*stamps: str) -> str:
    items = ", ".join(f'{{"show": "Evening news", "start": "{s}"}}' for s in stamps)
    return f"<script>window.schedule = [{items}];</script>"


@pytest.mark.parametrize(
    ("head", "body_top", "expected"),
    [
        # the page's other stamps are in US Eastern time: 02:30 UTC is the evening before there
        (_LATE_UTC + _schedule("2024-03-05T19:00:00-05:00", "Tue, 05 Mar 2024 23:00:00 -0500"), "", date(2024, 3, 5)),
        (_LATE_UTC + _schedule("2024-03-05T19:00:00-05:00", "2024-07-01T19:00:00-04:00"), "", date(2024, 3, 5)),
        # one stamp is not enough, nor are stamps from zones far apart
        (_LATE_UTC + _schedule("2024-03-05T19:00:00-05:00"), "", date(2024, 3, 6)),
        (_LATE_UTC + _schedule("2024-03-05T19:00:00-05:00", "2024-03-06T09:00:00+09:00"), "", date(2024, 3, 6)),
        # a time of day alone carries no zone
        (_LATE_UTC + _schedule("19:00-05:00", "23:00 -0500"), "", date(2024, 3, 6)),
        # the page shows the UTC day: it is the day the reader sees
        (
            _LATE_UTC + _schedule("2024-03-05T19:00:00-05:00", "2024-03-05T23:00:00-05:00"),
            "<p>March 6, 2024</p>",
            date(2024, 3, 6),
        ),
    ],
)
def test_utc_stamp_moved_to_the_zone_of_the_pages_other_stamps(head: str, body_top: str, expected: date) -> None:
    assert published(head, body_top) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.org/2024/03/05/buses/", date(2024, 3, 5)),
        ("https://news.example.org/transport/2024-3-5-buses", date(2024, 3, 5)),
        ("https://news.example.org/news/20240305/night-buses", date(2024, 3, 5)),
        ("https://news.example.org/transport/night-buses-20240305-a1b2c3-story.html", date(2024, 3, 5)),
        # an id that merely contains the digits, an impossible day, a query parameter: no date
        ("https://news.example.org/news/120240305093011/night-buses", None),
        ("https://news.example.org/news/20240231/night-buses", None),
        ("https://news.example.org/news/night-buses?d=20240305", None),
    ],
)
def test_url_day(url: str, expected: date | None) -> None:
    from pipeline.parse.dates import _url_day

    found, _separated = _url_day(url)
    assert (found.date() if found else None) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # a dated address was made at first publication: a much later stamp is a re-save
        ("https://news.example.org/2024/03/05/buses", date(2024, 3, 5)),
        # eight digits alone may be an article id that reads as a date: the stamp stands
        ("https://news.example.org/news/20240305/buses", date(2026, 1, 10)),
    ],
)
def test_only_a_separated_url_date_overrules_a_much_later_stamp(url: str, expected: date) -> None:
    head = '<meta property="article:published_time" content="2026-01-10T10:00:00+01:00">'
    assert published(head, url=url) == expected


def test_a_compact_url_date_dates_a_page_that_states_none() -> None:
    assert published(url="https://news.example.org/news/20240305/buses") == date(2024, 3, 5)


_LD_PUBLISHED = '"datePublished": "2024-03-05T08:30:00-05:00"'


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # JSON-LD dateModified of the article node
        (f'<script type="application/ld+json">{{"@type": "NewsArticle", {_LD_PUBLISHED}, '
         '"dateModified": "2024-03-06T10:00:00-05:00"}</script>', "2024-03-06T10:00:00-05:00"),
        # the OpenGraph / article:* tags
        (f'<script type="application/ld+json">{{"@type": "NewsArticle", {_LD_PUBLISHED}}}</script>'
         '<meta property="article:modified_time" content="2024-03-05T12:00:00Z">', "2024-03-05T12:00:00+00:00"),
        (f'<script type="application/ld+json">{{"@type": "NewsArticle", {_LD_PUBLISHED}}}</script>'
         '<meta property="og:updated_time" content="2024-03-07T09:15:00+01:00">', "2024-03-07T09:15:00+01:00"),
        # none stated
        (f'<script type="application/ld+json">{{"@type": "NewsArticle", {_LD_PUBLISHED}}}</script>', None),
        # a "modification" long before publication is a template default, not an update
        (f'<script type="application/ld+json">{{"@type": "NewsArticle", {_LD_PUBLISHED}, '
         '"dateModified": "2019-01-01T00:00:00Z"}</script>', None),
        # ... and the next candidate is read instead
        (f'<script type="application/ld+json">{{"@type": "NewsArticle", {_LD_PUBLISHED}, '
         '"dateModified": "2019-01-01T00:00:00Z"}</script>'
         '<meta property="article:modified_time" content="2024-03-08T12:00:00Z">', "2024-03-08T12:00:00+00:00"),
    ],
)
def test_the_stated_modification_time_is_kept_beside_the_publication_date(head: str, expected: str | None) -> None:
    a = parse_article(article_page(head=head).encode(), URL)
    assert a.published_at is not None and a.published_at.date() == date(2024, 3, 5)
    assert (a.modified_at.isoformat() if a.modified_at else None) == expected


def test_a_modification_time_never_becomes_the_publication_date() -> None:
    head = '<meta property="article:modified_time" content="2024-03-09T12:00:00Z">'
    a = parse_article(article_page(head=head, body_top="<p>Published 5 March 2024</p>").encode(), URL)
    assert a.modified_at is not None and a.modified_at.date() == date(2024, 3, 9)
    assert a.published_at is not None and a.published_at.date() == date(2024, 3, 5)


_OFFSET_STAMPS = (
    '<meta property="article:modified_time" content="2024-03-06T09:00:00-05:00">'
    '<meta property="og:updated_time" content="2024-03-06T09:00:00-05:00">'
)


def test_a_bare_local_time_gets_the_offset_the_page_states() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-03-05T22:10:00"}</script>' + _OFFSET_STAMPS
    )
    a = parse_article(article_page(head=head).encode(), URL)
    assert a.published_at is not None
    assert a.published_at.isoformat() == "2024-03-05T22:10:00-05:00"


def test_a_utc_stamp_moved_to_the_local_day_keeps_its_instant_in_the_local_offset() -> None:
    # 03:00 UTC on the 6th is 22:00 on the 5th at UTC-5, the day the page shows
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-03-06T03:00:00Z"}</script>' + _OFFSET_STAMPS
    )
    a = parse_article(article_page(head=head, body_top="<p>March 5, 2024</p>").encode(), URL)
    assert a.published_at is not None
    assert a.published_at.isoformat() == "2024-03-05T22:00:00-05:00"


@pytest.mark.parametrize(
    ("head", "body_top"),
    [
        # a visible "Updated" label in the article's header
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05"}</script>',
            "<p>Published March 5, 2024</p><p>Updated March 9, 2024</p>",
        ),
        # the page node's dateModified, when the article node has none
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "datePublished": '
            '"2024-03-05"}, {"@type": "WebPage", "dateModified": "2024-03-09T08:00:00+01:00"}]}</script>',
            "",
        ),
        # microdata
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05"}</script>',
            "<p><time itemprop='dateModified' datetime='2024-03-09'>9 March</time></p>",
        ),
    ],
)
def test_a_stated_update_fills_modified_at(head: str, body_top: str) -> None:
    a = parse_article(article_page(head=head, body_top=body_top).encode(), URL)
    assert a.published_at is not None and a.published_at.date() == date(2024, 3, 5)
    assert a.modified_at is not None and a.modified_at.date() == date(2024, 3, 9)


def test_when_the_url_and_a_stamp_disagree_htmldate_decides_unless_the_page_shows_the_day() -> None:
    from datetime import datetime

    from pipeline.parse.dates import _arbitrate

    url_day, stamp = datetime(2019, 3, 5), datetime(2024, 6, 1, 10, 0)
    assert _arbitrate(url_day, [stamp], datetime(2024, 6, 1)) == stamp
    assert _arbitrate(url_day, [stamp], datetime(2019, 3, 5)) == url_day
    assert _arbitrate(url_day, [stamp], None) == url_day
    assert _arbitrate(url_day, [stamp], datetime(2021, 1, 1)) == url_day


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20200924T15:04:34Z", "2020-09-24T15:04:34+00:00"),
        ("20200924T150434+0200", "2020-09-24T15:04:34+02:00"),
        ("20200924", "2020-09-24T00:00:00"),
        ("20201324T15:04:34Z", None),  # no 13th month
        ("120200924", None),  # a number that holds a date is not one
    ],
)
def test_iso_basic_format_is_read(value: str, expected: str | None) -> None:
    got = _parse_dt(value)
    assert (got.isoformat() if got else None) == expected


def test_basic_format_stamps_date_the_page_and_its_update() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "20200924T15:04:34Z", '
        '"dateModified": "20200925T09:00:00Z"}</script>'
    )
    a = parse_article(article_page(head=head).encode(), URL)
    assert a.published_at is not None and a.published_at.isoformat() == "2020-09-24T15:04:34+00:00"
    assert a.modified_at is not None and a.modified_at.isoformat() == "2020-09-25T09:00:00+00:00"
