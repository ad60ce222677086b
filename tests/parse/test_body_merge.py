"""Second body pass: blocks the extractor dropped from inside the article's own container."""

from __future__ import annotations

import lxml.html
from parse_pages import PARAGRAPHS

from pipeline.parse.body import _merge_dropped_blocks

P1, P2, P3, P4 = PARAGRAPHS


def page(inner: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        "<html><body><nav><ul><li>Home page of the example gazette</li></ul></nav>"
        f"<main><div class='article-body'>{inner}</div></main>"
        "<footer><p>Copyright Example Gazette and all of its partners</p></footer></body></html>"
    )


def test_list_and_heading_between_kept_paragraphs_are_restored_in_order() -> None:
    tree = page(
        f"<p>{P1}</p><h2>What the new routes change</h2>"
        "<ul><li>Buses every twenty minutes until midnight</li><li>No change to the fares this year</li></ul>"
        f"<p>{P2}</p><p>{P3}</p>"
    )
    merged = _merge_dropped_blocks(tree, f"{P1}\n\n{P2}\n\n{P3}")
    assert merged.split("\n\n") == [
        P1,
        "What the new routes change",
        "Buses every twenty minutes until midnight",
        "No change to the fares this year",
        P2,
        P3,
    ]


def test_boilerplate_inside_the_container_stays_out() -> None:
    tree = page(
        f"<p>{P1}</p>"
        "<figure><img src='bus.jpg'><figcaption>A night bus at the depot, photographed in May</figcaption></figure>"
        "<div><img src='map.png'></div><p>Map of the new northern routes by the council</p>"
        "<aside><p>Read our coverage of the regional mobility fund</p></aside>"
        "<div class='share-tools'><p>Share this story with your friends and family</p></div>"
        "<ul><li><a href='/a'>Another article about the council budget</a></li></ul>"
        f"<p>{P2}</p>"
        "<h3>Related stories from the northern districts</h3><ul><li>Trams return to the old town square</li></ul>"
    )
    text = f"{P1}\n\n{P2}"
    assert _merge_dropped_blocks(tree, text) == text


def test_text_outside_any_single_container_is_left_alone() -> None:
    tree = lxml.html.document_fromstring(
        f"<html><body><div><p>{P1}</p></div><div><p>{P2}</p></div>"
        "<div><p>A block that sits in neither of the two paragraph containers</p></div></body></html>"
    )
    text = f"{P1}\n\n{P2}"
    assert _merge_dropped_blocks(tree, text) == text
