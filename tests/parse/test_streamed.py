"""Pages rendered by React's streaming server (Next.js): late parts are moved where the browser shows them."""

from __future__ import annotations

import lxml.html
from parse_pages import PARAGRAPHS, article_page

from pipeline.parse import parse_article
from pipeline.parse.tree import parse_tree, place_streamed_content

URL = "https://news.example.org/transport/buses"
LATE = [
    "Bus drivers' representatives said the night shifts would be staffed by volunteers at first, "
    "and that the union would review the arrangement with the operator after three months.",
    "Shop owners along the new routes told the council they expected more evening customers, "
    "though several asked for better street lighting near the stops before the service begins.",
]


def streamed_page(script: str = '<script>$RC("B:0","S:0")</script>') -> str:
    """The first two paragraphs sent at once, the rest behind a Suspense boundary sent late."""
    early = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    late = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:] + LATE)
    page = article_page(paragraphs=[])
    boundary = '<!--$?--><template id="B:0"></template><div class="spinner">Loading story...</div><!--/$-->'
    page = page.replace("</h1>", f"</h1>{early}{boundary}", 1)
    return page.replace("</body>", f'<div hidden id="S:0">{late}</div>{script}</body>', 1)


def test_late_paragraphs_are_read_in_their_place() -> None:
    a = parse_article(streamed_page().encode(), URL)
    assert a.is_article
    positions = [a.text.find(p) for p in PARAGRAPHS + LATE]
    assert -1 not in positions, a.text
    assert positions == sorted(positions)
    assert "Loading story" not in a.text


def test_hidden_part_without_a_swap_script_stays_hidden() -> None:
    # no script moves it: a browser never shows it, so it is not the article's text
    a = parse_article(streamed_page(script="").encode(), URL)
    assert not any(p in a.text for p in LATE)


def test_placeholder_filled_by_rs() -> None:
    # $RS fills a bare placeholder: the late paragraphs land between the ones around it
    before = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    after = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    late = "".join(f"<p>{p}</p>" for p in LATE)
    page = (
        article_page(paragraphs=[])
        .replace("</h1>", f'</h1>{before}<template id="P:3"></template>{after}', 1)
        .replace("</body>", f'<div hidden id="S:3">{late}</div><script>$RS("S:3","P:3")</script></body>', 1)
    )
    text = parse_article(page.encode(), URL).text
    order = PARAGRAPHS[:2] + LATE + PARAGRAPHS[2:]
    positions = [text.find(p) for p in order]
    assert -1 not in positions, text
    assert positions == sorted(positions)


def test_swap_without_a_closing_marker_keeps_what_follows() -> None:
    # a boundary whose end is not marked: the fallback cannot be told from the page, so nothing is removed
    tree = parse_tree(
        '<html><body><main><template id="B:1"></template><p id="after">Kept paragraph.</p></main>'
        '<div hidden id="S:1"><p id="late">Late paragraph.</p></div>'
        '<script>$RC("B:1","S:1")</script></body></html>'
    )
    assert tree is not None
    assert place_streamed_content(tree) == 1
    main = tree.find(".//main")
    assert [el.get("id") for el in main.iter("p")] == ["late", "after"]
    assert tree.find(".//template") is None
    assert all(div.get("hidden") is None for div in tree.iter("div"))


def test_a_part_holding_its_own_slot_is_left_alone() -> None:
    tree = parse_tree(
        '<html><body><p>Early paragraph.</p><div hidden id="S:2"><template id="B:2"></template>'
        '<p>Late paragraph.</p></div><script>$RC("B:2","S:2")</script></body></html>'
    )
    assert tree is not None
    assert place_streamed_content(tree) == 0
    assert tree.find(".//div").get("hidden") is not None


def test_page_without_streaming_is_untouched() -> None:
    html = article_page()
    tree = parse_tree(html)
    assert tree is not None
    before = lxml.html.tostring(tree)
    assert place_streamed_content(tree) == 0
    assert lxml.html.tostring(tree) == before
