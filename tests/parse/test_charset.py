"""Character-set decisions: BOM, header, <meta>, detection; never requests' ISO-8859-1 guess."""

from __future__ import annotations

import codecs

import pytest
from parse_pages import PARAGRAPHS, article_page

from pipeline.parse import decide_charset, decode_html, parse_article

URL = "https://news.example.org/2024/03/05/buses"
CAFE = "Café owners in Zürich said the “new” rules were fair"


def _page(meta: str = "") -> str:
    return article_page(head=meta, paragraphs=[CAFE + ". " + p for p in PARAGRAPHS])


@pytest.mark.parametrize(
    ("data", "header", "expected", "how"),
    [
        (codecs.BOM_UTF8 + "<p>é</p>".encode(), "iso-8859-1", "utf-8", "bom"),
        (codecs.BOM_UTF16_LE + "<p>é</p>".encode("utf-16-le"), None, "utf-16-le", "bom"),
        ("<p>é</p>".encode("cp1252"), "windows-1252", "cp1252", "header"),
        ("<p>й</p>".encode("koi8-r"), "koi8-r", "koi8-r", "header"),
        (b'<meta charset="windows-1252"><p>\xe9</p>', None, "cp1252", "meta"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\xe9</p>', None,
         "cp1252", "meta"),
        ("<p>é</p>".encode(), None, "utf-8", "detected"),
        (b"<p>plain ascii</p>", None, "utf-8", "detected"),
        # the header says Latin-1 but the bytes are valid multi-byte UTF-8: they are UTF-8
        ("<p>Zürich</p>".encode(), "ISO-8859-1", "utf-8", "header-overridden-by-utf8"),
        # an unknown label is ignored, not trusted
        ("<p>é</p>".encode(), "x-no-such-charset", "utf-8", "detected"),
    ],
)
def test_decide_charset(data: bytes, header: str | None, expected: str, how: str) -> None:
    assert decide_charset(data, header) == (expected, how)


def test_iso_8859_1_label_decodes_as_windows_1252() -> None:
    # 0x93/0x94 are curly quotes in windows-1252 and C1 controls in real ISO-8859-1
    text, codec = decode_html(b"<p>\x93quoted\x94</p>", "iso-8859-1")
    assert codec == "cp1252"
    assert "“quoted”" in text


def test_meta_windows_1252_page() -> None:
    data = _page('<meta charset="windows-1252">').encode("cp1252")
    article = parse_article(data, URL)
    assert article.is_article, article.not_article_reason
    assert CAFE in article.text


def test_header_charset_wins_over_detection() -> None:
    data = _page().encode("cp1252")
    article = parse_article(data, URL, charset="windows-1252")
    assert CAFE in article.text


def test_utf8_without_any_charset() -> None:
    article = parse_article(_page().encode("utf-8"), URL)
    assert CAFE in article.text


def test_cp1252_without_any_charset_is_detected() -> None:
    article = parse_article(_page().encode("cp1252"), URL)
    assert "Zürich" in article.text


def test_bom_beats_wrong_header() -> None:
    data = codecs.BOM_UTF8 + _page('<meta charset="iso-8859-1">').encode("utf-8")
    article = parse_article(data, URL, charset="iso-8859-1")
    assert CAFE in article.text


def test_utf8_header_on_windows_1252_bytes_is_passed_over() -> None:
    text = " ".join(["Café, crème brûlée, Zürich, naïve, “quotes”."] * 5)
    data = _page('<meta charset="windows-1252">').replace(PARAGRAPHS[0], text).encode("cp1252")
    article = parse_article(data, URL, charset="utf-8")
    assert "crème brûlée" in article.text


def test_utf8_page_with_one_stray_byte_stays_utf8() -> None:
    data = _page().encode("utf-8").replace(b"</p>", b"\xff</p>", 1)
    codec, how = decide_charset(data, "utf-8")
    assert (codec, how) == ("utf-8", "header")
