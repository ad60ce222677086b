"""The article body: trafilatura with fallbacks, dropped blocks merged back, promotional lines removed."""


from __future__ import annotations

import logging
import re
from typing import Any

import lxml.html
from lxml import etree

from pipeline.parse.rules import enabled
from pipeline.parse.tree import norm, text_of, text_segments

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 250  # below this the body is "too little": try the fallbacks, then call it no article
# A second, balanced-mode extraction of short precise texts on pages showing four times as much was
# removed (issue 12): cross-validated by site it acted on 38 dev pages and helped one site only, at
# the cost of a second full extraction of each.



def _paragraphs(text: str) -> str:
    """One paragraph per block, separated by a blank line."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # table rule lines ("|---|---|") carry no words
    return "\n\n".join(line for line in lines if line and not _RULE_LINE.match(line))


_RULE_LINE = re.compile(r"^[|:\-\s+=_*]+$")


_PROMO = re.compile(
    # what starts a promotional line
    r"^\W{0,3}(?:sign up\b|subscribe\b|join (?:our|the) newsletter|related(?: articles?| stories)?:|"
    r"read (?:more|also|next):|(?:à )?lire aussi|lesen sie auch|mehr zum thema:|leer m[aá]s:|"
    r"follow us on|advertisement$|(?:photo |image )?credits?:)"
    # newsletter boxes, affiliate disclosures, comment calls, wherever they are in the line
    r"|newsletter.{0,80}(?:sign(?:ing)? up|inbox|subscribe)|(?:sign(?:ing)? up|subscribe).{0,80}newsletter"
    r"|affiliate links?.{0,120}(?:commission|compensat|disclosure)|we want to hear what you think",
    re.IGNORECASE,
)
PROMO_MAX_CHARS = 300


def _drop_promos(text: str) -> str:
    """Remove short paragraphs that sell or point elsewhere (newsletter boxes, "read also", credits)."""
    paras = text.split("\n\n")
    kept = [p for p in paras if len(p) > PROMO_MAX_CHARS or not _PROMO.search(p)]
    return "\n\n".join(kept)


def _trafilatura_text(tree: lxml.html.HtmlElement, url: str, **options: Any) -> str:
    from trafilatura import bare_extraction

    try:
        doc = bare_extraction(
            tree,
            url=url or None,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
            **options,
        )
    except (ValueError, TypeError, RecursionError, AttributeError) as e:
        log.debug("trafilatura failed: %s", e)
        return ""
    if doc is None:
        return ""
    text = getattr(doc, "text", None) or ""
    return _paragraphs(text)


def _ld_body(ld: dict[str, Any] | None) -> str:
    if not ld:
        return ""
    body = ld.get("articleBody") or ld.get("text")
    if not isinstance(body, str):
        return ""
    body = _unescape_keep_lines(body)
    return _paragraphs(body)


def _unescape_keep_lines(s: str) -> str:
    from html import unescape

    s = re.sub(r"<\s*(br|/p|/div|/h\d|/li)\s*/?>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"<[^>]+>", "", s)
    return unescape(s)


def _paragraph_fallback(tree: lxml.html.HtmlElement) -> str:
    """Last resort: the <p> texts under the element that holds the most paragraph text."""
    scores: dict[Any, int] = {}
    for p in tree.iter("p"):
        t = text_of(p)
        if len(t) < 40:
            continue
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(t)
    if not scores:
        return ""
    best = max(scores, key=lambda k: scores[k])
    paras = [text_of(p) for p in best.iter("p")]
    return "\n\n".join(p for p in paras if p)


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("p", "li", *_HEADINGS, "blockquote", "dd", "dt", "pre")
_NOT_BODY_TAGS = {"a", "nav", "aside", "footer", "header", "form", "figure", "figcaption", "button", "script",
                  "style", "noscript", "template", "select", "svg", "table"}
_NOT_BODY_CLASS = re.compile(
    r"share|social|related|newsletter|subscri|promo|advert|\bads?\b|ad-|sponsor|comment|author|byline|"
    r"bio\b|breadcrumb|\btags?\b|\btoc\b|table-of-contents|signup|cookie|popup|modal|recommend|more-|"
    r"sidebar|widget|caption|credit|disclaimer|disclosure|hidden|sr-only|visually-hidden|meta|footer|nav|"
    r"photo|image|\bimg|gallery|slide|media|embed|card|product|\bcta\b|button|recent|teaser|contact",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")  # what norm() keeps
_CODE_LIKE = re.compile(r"[{};]\s*$|^\s*[#.]?[\w-]+\s*\{|\bvar\s+\w+\s*=|&(?:amp;)?lt;|</?\w+[^>]*>")
MERGE_MIN_MATCHED = 0.6  # share of the extracted text that must sit in one container before merging
MERGE_MAX_GAIN = 2.5  # at most this many times the extracted text is added back
CHUNKS_MAX_GAIN = 4.0  # at most this many times the extracted text is added from continuation chunks


def _merge_dropped_blocks(tree: lxml.html.HtmlElement, text: str) -> str:
    """Add back the paragraphs and list items the extractor dropped from inside the container that
    holds its text (the deepest element holding most of it), in document order.

    Blocks under navigation, asides, figures, forms or elements whose class names sell, share or
    credit are left out, as are link lists, unless they are built like kept blocks (same tags and
    classes up to the container: the captions of a gallery whose other captions were kept). Before
    the first kept block and after the last only credit lines ("Reporting by ...", "This article
    first appeared on ...") are taken. The later chunks of a body cut up between ad slots (elements
    after the container with its tag and class) are added after the text, up to their last paragraph.
    Returns ``text`` unchanged when no container holds most of it.
    """
    body = tree.find("body")
    paras = [p for p in text.split("\n\n") if p]
    if body is None or len(paras) < 2:
        return text
    wanted = {norm(p): i for i, p in enumerate(paras)}
    exact = {p: i for i, p in enumerate(paras)}
    longest = max(len(p) for p in paras)
    # normalising is the costly part: only for plausible sizes (it drops characters) and first words
    shortest = max(1, min(len(k) for k in wanted))
    first_words = {k.split(" ", 1)[0] for k in wanted}
    matched: list[tuple[Any, int]] = []
    for el in body.iter(_BLOCKS):
        t = text_of(el)
        i = exact.get(t)
        if i is None and shortest <= len(t) <= 2 * longest:
            word = _WORD.search(t.lower())
            if word is None or word.group() in first_words:
                i = wanted.get(norm(t))
        if i is not None:
            matched.append((el, i))
    total = sum(len(p) for p in paras)
    if not matched or sum(len(paras[i]) for _, i in matched) < MERGE_MIN_MATCHED * total:
        return text
    # the deepest ancestor of the first matched block that holds most of the matched text
    held: dict[Any, int] = {}
    for el, i in matched:
        for anc in el.iterancestors():
            held[anc] = held.get(anc, 0) + len(paras[i])
    container = next(
        (anc for anc in matched[0][0].iterancestors() if held[anc] >= MERGE_MIN_MATCHED * total), None
    )
    if container is None or container is body:
        return text
    kept = norm(text)
    kept_words = set(kept.split())
    seen = set(wanted)
    after: dict[int, list[str]] = {}
    pending: list[tuple[int, str]] = []
    last = -1
    positions = {el: i for el, i in matched}
    # shapes of the kept blocks, each paragraph counted where it first appears (a comment quoting
    # the article repeats its paragraphs)
    first_seen: dict[int, Any] = {}
    for el, i in matched:
        first_seen.setdefault(i, el)
    kept_shapes = {_shape(el, container) for el in first_seen.values()}

    def dropped_text(el: Any, scope: Any) -> str | None:
        """The text of a block the extractor left out that belongs to the article, else None."""
        if any(child.tag in _BLOCKS for child in el.iterdescendants()):
            return None  # its inner blocks are looked at on their own
        t = " ".join(text_segments(el, 200))
        if _CODE_LIKE.search(t) or _is_caption(el):
            return None
        key = norm(t)
        if len(key) < 15 or key in seen:
            return None
        # a block built like the kept ones (a slide's caption beside the kept captions) is body text
        # even inside a figure or a gallery
        if _shape(el, scope) not in kept_shapes and _dropped_region(el, scope):
            return None
        words = key.split()
        if key in kept or (len(words) >= 12 and sum(w in kept_words for w in words) > 0.8 * len(words)):
            return None  # already in the text: joined to a neighbour, or written slightly differently
        linked = sum(len(text_of(a)) for a in el.iter("a"))
        if linked > 0.5 * len(t):
            return None
        seen.add(key)
        return t

    for el in container.iter(_BLOCKS):
        if el in positions:
            # only gaps between kept blocks are filled: what precedes the first or follows the last
            # kept block is where headers, related links and comment calls sit
            if last >= 0:
                for at, t in pending:
                    after.setdefault(at, []).append(t)
            pending = []
            last = max(last, positions[el])
            continue
        if last >= 0 and (found := dropped_text(el, container)) is not None:
            pending.append((last, found))
    added = sum(len(t) for ts in after.values() for t in ts)
    if added > MERGE_MAX_GAIN * total:
        after = {}
    # the article continued in later containers built like this one (a body cut into chunks
    # between ad slots), which the extractor did not reach
    more: list[tuple[str, str]] = []
    for chunk in _continuation_chunks(container, body, positions):
        taken = [(el.tag, found) for el in chunk.iter(_BLOCKS) if (found := dropped_text(el, chunk)) is not None]
        while taken and taken[-1][0] in _HEADINGS:
            taken.pop()  # a heading with nothing after it titles links or teasers that were left out
        more.extend(taken)
    while more and more[-1][0] != "p":
        more.pop()  # lists and headings after the last paragraph: "more stories", not the article
    if more and sum(len(t) for _, t in more) <= CHUNKS_MAX_GAIN * total:
        after.setdefault(len(paras) - 1, []).extend(t for _, t in more)
    lead, tail = _credit_lines(container, body, positions, kept)
    if not (after or lead or tail):
        return text
    out: list[str] = lead
    for i, p in enumerate(paras):
        out.append(p)
        out.extend(after.get(i, []))
    return "\n\n".join(out + tail)


# who reported, edited or first published the piece: part of the article, though extractors drop it
# with the bylines and footers around it
_CREDIT = re.compile(
    r"^\W{0,3}(?:(?:with )?(?:additional )?(?:reporting|writing|editing|research) (?:by|from)\b"
    r"|(?:this (?:article|story|post|piece|report) )?(?:was )?(?:originally|first) (?:appeared|published|ran)\b"
    r"(?!\s+(?:on\s+)?(?:\w{3,9}\.?\s+)?\d)"  # not "First published on Nov 20, 2019": a date stamp
    r"|[\w.' -]{2,60} contributed (?:reporting|research|to this (?:report|article|story))\b)",
    re.IGNORECASE,
)
CREDIT_REACH = 3  # credit lines are looked for among this many blocks before and after the kept text


def _continuation_chunks(container: Any, body: Any, kept_blocks: dict[Any, int]) -> list[Any]:
    """Elements after ``container`` with its tag and its (non-empty) class attribute that hold none
    of the kept blocks: the later chunks of an article body split between ad slots."""
    cls = container.get("class")
    if not cls or not cls.strip():
        return []
    # following:: is what comes after the container's end: neither its descendants nor its ancestors
    later = container.xpath("following::*[local-name() = $tag][@class = $cls]", tag=container.tag, cls=cls)
    chunks = [
        el
        for el in later
        if not any(True for b in el.iter(_BLOCKS) if b in kept_blocks) and not _dropped_region(el, body)
    ]
    return chunks if chunks and enabled("body.continuation_chunks") else []


def _credit_lines(
    container: Any, body: Any, kept_blocks: dict[Any, int], kept: str
) -> tuple[list[str], list[str]]:
    """The credit lines among the ``CREDIT_REACH`` blocks right before the first kept block and right
    after the last, looked for in the container or the element around it (an editor's note often
    sits just outside the article element): ``(lead, tail)``."""
    scope = container.getparent()
    if scope is None or scope is body:
        scope = container
    blocks = [
        el for el in scope.iter(_BLOCKS)
        if el in kept_blocks or not any(True for _ in el.iterdescendants(_BLOCKS))
    ]
    at = [i for i, el in enumerate(blocks) if el in kept_blocks]
    if not at:
        return [], []

    def credit_lines(els: list[Any]) -> list[str]:
        """The texts of ``els`` that read as short credit lines and are not already kept."""
        texts = (text_of(el) for el in els)
        return [t for t in texts if len(t) <= PROMO_MAX_CHARS and _CREDIT.match(t) and norm(t) not in kept]

    first, last = at[0], at[-1]
    lead = credit_lines(blocks[max(0, first - CREDIT_REACH) : first])
    tail = credit_lines(blocks[last + 1 : last + 1 + CREDIT_REACH])
    if (lead or tail) and not enabled("body.credit_lines"):
        return [], []
    return lead, tail


_MEDIA = ("img", "picture", "video", "iframe", "figure")


def _is_caption(el: Any) -> bool:
    """A block holding media, or right after it: a caption or credit line."""
    if any(True for _ in el.iter(*_MEDIA)):
        return True
    prev = el.getprevious()
    if prev is None and el.getparent() is not None:
        prev = el.getparent().getprevious()  # <div><img></div><p>caption</p>, one level up
    return prev is not None and (prev.tag in _MEDIA or any(True for _ in prev.iter(*_MEDIA))) and not text_of(prev)


def _shape(el: Any, container: Any) -> tuple[tuple[str, str], ...]:
    """The tags and classes from ``el`` up to (not including) ``container``."""
    shape = []
    node = el
    while node is not None and node is not container:
        shape.append((str(node.tag), node.get("class") or ""))
        node = node.getparent()
    return tuple(shape)


def _dropped_region(el: Any, container: Any) -> bool:
    node = el
    while node is not None and node is not container:
        if node.tag in _NOT_BODY_TAGS or _NOT_BODY_CLASS.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        node = node.getparent()
    return False


# Precision mode sometimes keeps a fragment of the article: the introduction of a page built of many
# sections under their own headings (a guide, a best-of list), or a notice in place of an article the
# page holds in its JSON-LD. A text under a third of what the page holds is such a fragment (the line
# ``benchmarks/extraction_diff.py`` audits against trafilatura).
FRAGMENT_RATIO = 3.0
# the balanced text replaces a fragment only when it holds the fragment's words (the same article, not
# another region of the page: a column of notices, a list of other posts)
FRAGMENT_KEPT_WORDS = 0.7
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template"
    " or ancestor::a)]"
)


def _visible_chars(tree: lxml.html.HtmlElement) -> int:
    """The characters of the page's visible text outside links, white space folded: what an article could hold
    at most (link text is navigation, teasers and menus)."""
    return sum(len(" ".join(str(t).split())) for t in _VISIBLE_TEXT(tree))


def _kept_words(part: str, whole: str) -> float:
    """The share of ``part``'s words (counted with repeats, lower case) that ``whole`` holds."""
    from collections import Counter

    mine = Counter(_WORD.findall(part.lower()))
    if not mine:
        return 1.0
    return sum((mine & Counter(_WORD.findall(whole.lower()))).values()) / sum(mine.values())


def _fuller_body(
    tree: lxml.html.HtmlElement, url: str, ld: dict[str, Any] | None, text: str
) -> tuple[str, str]:
    """``(text, extractor)`` of a fuller body when ``text`` is a fragment of what the page holds, else
    ``(text, "")``: the JSON-LD ``articleBody`` when it is ``FRAGMENT_RATIO`` times longer (the
    publisher's own statement of the article: a paywall or reprint notice on the page does not
    replace it), else trafilatura in balanced mode when it is that much longer and holds the
    fragment's words. Balanced mode is run only when the page's visible text could hold that much."""
    floor = FRAGMENT_RATIO * max(len(text), 1)
    declared = _ld_body(ld)
    if len(declared) >= floor and enabled("body.fragment_jsonld"):
        return declared, "jsonld-articleBody"
    if len(text) < MIN_TEXT_CHARS or _visible_chars(tree) < floor:
        return text, ""
    balanced = _trafilatura_text(tree, url)
    if len(balanced) >= floor and _kept_words(text, balanced) >= FRAGMENT_KEPT_WORDS:
        if enabled("body.fragment_balanced"):
            return balanced, "trafilatura-balanced"
    return text, ""


def extract_body(
    tree: lxml.html.HtmlElement, url: str, ld: dict[str, Any] | None, large: bool = False
) -> tuple[str, str]:
    """Return ``(text, extractor)``.

    trafilatura in precision mode first (measured best on the dev sets: boilerplate stays out); recall
    mode when the text is under ``MIN_TEXT_CHARS``; then the JSON-LD ``articleBody`` and the densest
    block of paragraphs.
    A ``large`` tree gets one fast pass only (no readability/jusText comparison), to bound the time
    spent on it.
    """
    if large:
        text = _drop_promos(_trafilatura_text(tree, url, favor_precision=True, fast=True))
        if len(text) < MIN_TEXT_CHARS:
            fallback = _ld_body(ld) or _paragraph_fallback(tree)
            if len(fallback) > len(text):
                return fallback, "fallback-large-page"
        return text, "trafilatura-fast"
    text = _trafilatura_text(tree, url, favor_precision=True)
    how = "trafilatura-precision"
    # too little text: recall mode, asked directly (balanced mode's own retry in recall mode has
    # narrow conditions: a result under 3,000 characters covering under a fifth of the page)
    if len(text) < MIN_TEXT_CHARS:
        recall = _trafilatura_text(tree, url, favor_recall=True)
        if len(recall) > len(text):
            text, how = recall, "trafilatura-recall"
    fuller, fuller_how = _fuller_body(tree, url, ld, text)
    if fuller_how:
        text, how = fuller, fuller_how
    merged = _merge_dropped_blocks(tree, text)
    if merged != text and enabled("body.merge_dropped"):
        text, how = merged, f"{how}+merged"
    promos_out = _drop_promos(text)
    if promos_out != text and enabled("body.drop_promos"):
        text = promos_out
    if len(text) < MIN_TEXT_CHARS:
        fallbacks = ((_ld_body(ld), "jsonld-articleBody"), (_paragraph_fallback(tree), "paragraphs"))
        for candidate, name in fallbacks:
            if len(candidate) > max(len(text), MIN_TEXT_CHARS - 1):
                text, how = candidate, name
                break
    return text, how


