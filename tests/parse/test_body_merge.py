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


def test_credit_lines_next_to_the_kept_text_are_restored() -> None:
    # the editor's note sits outside the article element, the reporting credit right after the text
    tree = lxml.html.document_fromstring(
        "<html><body><main><h1>Council extends night buses</h1>"
        "<div class='note'><p>This story originally appeared on the Northern Courier.</p></div>"
        f"<article><p>{P1}</p><p>{P2}</p><p>{P3}</p>"
        "<p>Additional reporting by Ann Smith; Editing by Bob Jones</p>"
        "<p>Read our coverage of the regional mobility fund and the new timetable here</p></article>"
        "<p>Maria Perez contributed to this report.</p></main></body></html>"
    )
    merged = _merge_dropped_blocks(tree, f"{P1}\n\n{P2}\n\n{P3}")
    assert merged.split("\n\n") == [
        "This story originally appeared on the Northern Courier.",
        P1,
        P2,
        P3,
        "Additional reporting by Ann Smith; Editing by Bob Jones",
        "Maria Perez contributed to this report.",
    ]


def test_date_stamps_and_distant_lines_are_not_credit_lines() -> None:
    tree = page(
        "<p>First published on Nov 20, 2019 01:38 pm</p>"
        f"<p>{P1}</p><p>{P2}</p>"
        "<p>Sign up for the morning newsletter of the example gazette</p>"
        "<p>Most read articles of the week in the northern districts</p>"
        "<p>Our picks of the weekend events in the old town</p>"
        "<p>Reporting by the whole newsroom of the gazette, every day of the year</p>"
    )
    text = f"{P1}\n\n{P2}"
    assert _merge_dropped_blocks(tree, text) == text


def slide(n: int, caption: str) -> str:
    return (
        f"<figure class='slide'><h3><a href='/gallery/{n}'>{n}. A stop on the new route</a></h3>"
        f"<figcaption class='slide-caption'><p>{caption}</p></figcaption></figure>"
    )


def test_gallery_caption_built_like_the_kept_ones_is_restored() -> None:
    dropped = "Buses now stop beside the fountain in the old town square until midnight."
    tree = page(f"<p>{P1}</p><div class='gallery'>{slide(1, P2)}{slide(2, dropped)}{slide(3, P3)}</div>")
    merged = _merge_dropped_blocks(tree, f"{P1}\n\n{P2}\n\n{P3}")
    assert merged.split("\n\n") == [P1, P2, dropped, P3]


def test_a_comment_quoting_the_article_does_not_make_comments_body_text() -> None:
    tree = page(
        f"<p>{P1}</p><p>{P2}</p>"
        f"<div class='comments'><div class='comment'><p>{P1}</p></div>"
        "<div class='comment'><p>What a waste of money, nobody rides the night bus anyway.</p></div></div>"
        f"<p>{P3}</p>"
    )
    text = f"{P1}\n\n{P2}\n\n{P3}"
    assert _merge_dropped_blocks(tree, text) == text


LATER = [
    "The operator said the first night buses would leave the central station at ten past eleven, "
    "and that the timetable would be printed at every stop on the new northern routes.",
    "Residents who had campaigned for the service planned a small celebration at the terminus, "
    "where the first driver will be met by the council members who voted for the change.",
]


def chunked(first: str, later: str, before: str = "") -> lxml.html.HtmlElement:
    """An article body cut into chunks between ad slots, each chunk in its own wrapper."""
    return lxml.html.document_fromstring(
        f"<html><body><main><article>{before}"
        f"<div class='grid'><div class='body article__body'>{first}</div><div class='ad-rail'>Ad</div></div>"
        f"<div class='grid'><div class='body article__body'>{later}</div><div class='ad-rail'>Ad</div></div>"
        "</article></main><footer><p>Copyright Example Gazette and all of its partners</p></footer></body></html>"
    )


def test_later_chunks_of_the_body_are_added_after_the_kept_text() -> None:
    tree = chunked(
        f"<p>{P1}</p><p>{P2}</p>",
        f"<p>{LATER[0]}</p><p>{LATER[1]}</p>"
        "<h3>More from the Gazette</h3><ul><li>Trams return to the <a href='/t'>old town square</a></li>"
        "<li>Why the harbour ferry is late <a href='/f'>again this winter</a></li></ul>",
    )
    merged = _merge_dropped_blocks(tree, f"{P1}\n\n{P2}")
    assert merged.split("\n\n") == [P1, P2, *LATER]


def test_a_trailing_heading_of_a_chunk_is_left_out() -> None:
    tree = chunked(f"<p>{P1}</p><p>{P2}</p>", f"<p>{LATER[0]}</p><h2>Other posts you may like</h2>")
    assert _merge_dropped_blocks(tree, f"{P1}\n\n{P2}").split("\n\n") == [P1, P2, LATER[0]]


def test_only_chunks_after_the_kept_text_and_built_the_same_way_are_added() -> None:
    # a teaser built like the body but placed before it, and later text in a differently named box
    tree = chunked(
        f"<p>{P1}</p><p>{P2}</p>",
        "",
        before=f"<div class='body article__body'><p>{LATER[0]}</p></div>",
    )
    tree.find(".//footer").addprevious(lxml.html.fromstring(f"<div class='promo-box'><p>{LATER[1]}</p></div>"))
    text = f"{P1}\n\n{P2}"
    assert _merge_dropped_blocks(tree, text) == text


def test_chunks_far_longer_than_the_kept_text_are_not_added() -> None:
    # the kept text is what the extractor judged the article; ten times as much elsewhere is not its tail
    later = "".join(f"<p>{LATER[i % 2]} This is note {i} of the series.</p>" for i in range(20))
    tree = chunked(f"<p>{P1}</p><p>{P2}</p>", later)
    text = f"{P1}\n\n{P2}"
    assert _merge_dropped_blocks(tree, text) == text
