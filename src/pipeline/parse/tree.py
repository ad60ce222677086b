"""Parsing the decoded page with lxml, bounding oversized trees, and reading its meta tags."""


from __future__ import annotations

import logging
import re
from typing import Any

import lxml.html
from lxml import etree

from pipeline.parse.rules import enabled

log = logging.getLogger(__name__)



_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_tree(text: str) -> lxml.html.HtmlElement | None:
    """The page's lxml tree (an XML declaration dropped first), or None when lxml cannot parse it."""
    text = _XML_DECL.sub("", text, count=1)
    parser = lxml.html.HTMLParser(
        encoding="utf-8", collect_ids=False, default_doctype=False, remove_pis=True
    )
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        log.debug("lxml could not parse the page: %s", e)
        return None
    return tree


def truncate_tree(tree: lxml.html.HtmlElement, max_elements: int, max_chars: int) -> bool:
    """Cut the tree after its first ``max_elements`` elements or ``max_chars`` characters of text
    (scripts and styles not counted), in document order. True when it was cut."""
    n_elements = int(tree.xpath("count(//*)"))
    if n_elements <= max_elements and len(tree.xpath("string()")) <= max_chars:
        return False  # the common case, decided in C
    cut = None
    chars = 0
    for i, el in enumerate(tree.iter()):
        if el.tag not in ("script", "style"):
            chars += len(el.text or "")
        chars += len(el.tail or "")
        if i >= max_elements or chars > max_chars:
            cut = el
            break
    if cut is None or cut is tree:
        return False
    node = cut
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    parent = cut.getparent()
    if parent is not None:
        parent.remove(cut)
    return True


# React's streaming server rendering (Next.js and others) sends a slow part of the page late, as a
# hidden <div id="S:n"> at the end of the body, and a script call that moves it into its slot:
# $RC("B:n", "S:n") replaces a Suspense boundary's fallback ("Loading...") after <template id="B:n">;
# $RS("S:n", "P:n") fills the placeholder <template id="P:n">
_REACT_SWAP = re.compile(r"""\$R([CS])\(\s*["']([BPS]:[\w-]+)["']\s*,\s*["']([BPS]:[\w-]+)["']""")


def place_streamed_content(tree: lxml.html.HtmlElement) -> int:
    """Move the late parts of a React-streamed page where its scripts would put them, as a browser
    shows the page: without this the article's later paragraphs sit in a hidden ``div`` that
    extractors skip, and the "Loading" fallback stands in their place. Only swaps a script asks
    for are made; other hidden content stays hidden. Returns the number of parts moved."""
    parts = {div.get("id"): div for div in tree.xpath("//div[@hidden][starts-with(@id, 'S:')]")}
    if not parts or not enabled("tree.streamed_content"):
        return 0
    slots = {t.get("id"): t for t in tree.xpath("//template[starts-with(@id, 'B:') or starts-with(@id, 'P:')]")}
    moved = 0
    for script in tree.iter("script"):
        for kind, first_id, second_id in _REACT_SWAP.findall(script.text or ""):
            slot_id, part_id = (first_id, second_id) if kind == "C" else (second_id, first_id)
            slot, part = slots.pop(slot_id, None), parts.pop(part_id, None)
            if slot is None or part is None or slot.getparent() is None:
                continue
            if any(a is part for a in slot.iterancestors()):
                continue  # a part holding its own slot: malformed, left as it is
            if kind == "C":
                _drop_fallback(slot)
            _move_before(part, slot)
            del part.attrib["hidden"]
            slot.drop_tree()
            moved += 1
    return moved


def _drop_fallback(slot: Any) -> None:
    """Remove what follows a boundary's <template> up to the boundary's closing ``<!--/$-->``;
    nothing when that comment is not among the template's following siblings."""
    fallback: list[Any] = []
    for node in slot.itersiblings():
        if node.tag is etree.Comment and (node.text or "").strip() == "/$":
            for el in fallback:
                el.drop_tree()  # keeps any text after it
            return
        fallback.append(node)


def _move_before(el: Any, anchor: Any) -> None:
    """Move ``el`` (without its tail, which stays where it was) to just before ``anchor``."""
    tail, el.tail = el.tail, None
    previous, parent = el.getprevious(), el.getparent()
    if tail and parent is not None:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    anchor.addprevious(el)


def text_of(el: Any) -> str:
    """The element's text with its descendants', whitespace collapsed (its tail left out)."""
    try:
        # serialised by libxml2: the same text as joining itertext(), at a third of the cost
        return " ".join(etree.tostring(el, method="text", encoding=str, with_tail=False).split())
    except (ValueError, TypeError):
        return ""




def meta_map(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Meta tag values by lower-cased key (property, name, itemprop or http-equiv), in page order.

    A microdata ``<meta itemprop>`` inside a nested item (an element with ``itemscope`` that is
    itself a property of another item: a citation, a related article) describes that item, not the
    page: it is left out, so that a reference list's authors and dates are not the article's."""
    out: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        if key and key == meta.get("itemprop") and _in_nested_item(meta):
            continue
        content = meta.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
    return out


_PAGE_ITEM_PROPS = {"mainentity", "mainentityofpage"}


def _in_nested_item(el: Any) -> bool:
    """Whether ``el``'s nearest microdata item is the value of another item's property."""
    for anc in el.iterancestors():
        if anc.get("itemscope") is not None:
            prop = (anc.get("itemprop") or "").strip().lower()
            return bool(prop) and prop not in _PAGE_ITEM_PROPS
    return False


def first(meta: dict[str, list[str]], *keys: str) -> str | None:
    """The first value of the first of ``keys`` that has one in ``meta``, else None."""
    for key in keys:
        values = meta.get(key)
        if values:
            return values[0]
    return None


# how many of the body's text pieces the header-reading steps (bylines, datelines, shown dates) look at
HEAD_SEGMENTS = 4000
SKIP_TAGS = {"script", "style", "template", "svg", "button", "select", "option", "form", "nav"}


def text_segments(root: Any, limit: int) -> list[str]:
    """The visible text pieces under ``root`` in document order (element texts and tails)."""
    out: list[str] = []

    def walk(el: Any) -> None:
        """Append the visible texts and tails under ``el`` to ``out``, skipping SKIP_TAGS, up to ``limit`` pieces."""
        for child in el:
            if len(out) >= limit:
                return
            tag = child.tag
            if isinstance(tag, str) and tag not in SKIP_TAGS:
                if child.text and not child.text.isspace():
                    out.append(" ".join(child.text.split()))
                walk(child)
            if child.tail and not child.tail.isspace():
                out.append(" ".join(child.tail.split()))

    if root.text and not root.text.isspace():
        out.append(" ".join(root.text.split()))
    walk(root)
    return out


def norm(s: str) -> str:
    """Lower-cased words of ``s`` joined by single spaces (punctuation dropped), for comparing texts."""
    return " ".join(re.findall(r"\w+", s.lower()))


HEADER_SEGMENTS = 12  # how far after the headline the article's header (byline, dateline) reaches
HEADER_PROSE_CHARS = 200  # a text piece this long is prose: the header is over


def header_pieces(tree: lxml.html.HtmlElement, head: list[str] | None = None) -> list[str]:
    """The text pieces of the article's header: after the headline (the first ``<h1>``) and before
    the first piece of prose, at most ``HEADER_SEGMENTS``. Empty without a headline. ``head``: the
    body's first ``HEAD_SEGMENTS`` text pieces, when the caller has them."""
    root = tree.find("body")
    h1 = next(root.iter("h1"), None) if root is not None else None
    if root is None or h1 is None:
        return []
    # the headline's own text and what follows it, in document order
    segments = head if head is not None else text_segments(root, HEAD_SEGMENTS)
    own = text_segments(h1, 50)
    n = len(own)
    start = next((i for i in range(len(segments)) if n and segments[i : i + n] == own), None)
    if start is None:
        return []
    pieces: list[str] = []
    for seg in segments[start + n : start + n + HEADER_SEGMENTS]:
        if len(seg) >= HEADER_PROSE_CHARS:
            break
        pieces.append(seg)
    return pieces
