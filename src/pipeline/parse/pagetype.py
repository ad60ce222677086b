"""Language detection and the page-type check that marks index pages and walls as not-articles."""


from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import lxml.html

from pipeline.parse.body import MIN_TEXT_CHARS
from pipeline.parse.jsonld import NOT_ARTICLE_TYPES, ld_types
from pipeline.parse.tree import first, text_of, text_segments

log = logging.getLogger(__name__)

# the identifier's cost grows with its input; on the 347 dev pages 1,000 characters gave the same
# language and confidence side as 1,500 on every page
LANGUAGE_SAMPLE_CHARS = 1000




@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # the packaged model through the public class, with probabilities normalised to 0..1
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, html_lang: str | None) -> str | None:
    """ISO 639-1 code from the text, with ``<html lang>`` as the hint when the text says little."""
    hint = None
    if html_lang:
        m = re.match(r"\s*([a-zA-Z]{2})\b", html_lang)
        hint = m.group(1).lower() if m else None
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample) < 40:
        return hint
    try:
        lang, prob = _identifier().classify(sample)
    except (ValueError, IndexError) as e:
        log.debug("language identification failed: %s", e)
        return hint
    # short texts (a block page, a caption) fool the identifier: it must be sure, or the hint wins
    needed = 0.5 if len(sample) >= 200 else 0.95
    if prob < needed:
        return hint
    return str(lang)



# og:type "website" is not among them: many small outlets leave it on their articles
_NON_ARTICLE_OG = {"product", "profile", "video.movie", "video.other", "video.tv_show",
                   "music.song", "music.album", "books.book", "place", "business.business"}
_WALL = re.compile(
    r"(we use cookies|cookie (?:policy|settings|preferences)|accept (?:all )?cookies|manage (?:your )?"
    r"(?:consent|preferences|cookies)|consent to (?:the use|our use)|your privacy choices|"
    r"subscribe (?:now )?to (?:continue|read)|to continue reading|already a subscriber|"
    r"this (?:article|content|story) is (?:only )?(?:available|for) (?:to )?(?:subscribers|members)|"
    r"sign in to (?:continue|read)|create a free account to (?:continue|read)|"
    r"please enable (?:javascript|cookies)|are you a robot|verify you are human|access denied|"
    r"request unsuccessful|incapsula incident|attention required|checking your browser|captcha)",
    re.IGNORECASE,
)


def _link_density(tree: lxml.html.HtmlElement) -> tuple[float, int]:
    """Share of the page's visible text that sits inside links, and the number of links."""
    body = tree.find("body")
    if body is None:
        return 0.0, 0
    total = sum(len(seg) for seg in text_segments(body, 1_000_000))
    anchors = list(body.iter("a"))
    linked = sum(len(text_of(a)) for a in anchors)
    return (min(1.0, linked / total) if total else 0.0), len(anchors)


def _linked_share(tree: lxml.html.HtmlElement, text: str) -> float:
    """Share of the extracted text made of paragraphs that are the whole text of a link."""
    anchors = {t for t in (text_of(a) for a in tree.iter("a")) if len(t) >= 12}
    if not anchors or not text:
        return 0.0
    paras = text.split("\n\n")
    linked = sum(len(p) for p in paras if p in anchors)
    return linked / max(1, sum(len(p) for p in paras))


def not_article_reason(
    tree: lxml.html.HtmlElement,
    text: str,
    meta: dict[str, list[str]],
    nodes: list[dict[str, Any]],
    ld: dict[str, Any] | None,
) -> str | None:
    """Why the page is not an article (no or too little text, a wall, a non-article type, a link page), or None."""
    n = len(text)
    if n == 0:
        return "no body text found"
    wall = _WALL.search(text[:2000]) if n < 1500 else None
    if wall:
        return f"consent wall or paywall stub ({wall.group(0)!r}, {n} chars of text)"
    if n < MIN_TEXT_CHARS:
        return f"too little body text ({n} chars)"
    og_type = (first(meta, "og:type") or "").lower()
    page_types = set().union(*(ld_types(node) for node in nodes)) if nodes else set()
    if ld is None and not og_type.startswith("article"):
        bad = page_types & NOT_ARTICLE_TYPES
        if bad and n < 2000:
            return f"page type {sorted(bad)[0]} (JSON-LD) with {n} chars of text"
        if og_type in _NON_ARTICLE_OG:
            return f"page type {og_type} (og:type)"
    declared = ld is not None or og_type.startswith("article")
    linked = _linked_share(tree, text)
    if linked > (0.8 if declared else 0.5):
        return f"index or link page ({linked:.0%} of the extracted text is link text)"
    if declared:
        return None  # a short article on a page with heavy navigation is still an article
    density, n_links = _link_density(tree)
    if density > 0.6 and n < 1500 and n_links > 40:
        return f"index or link page (link density {density:.2f}, {n_links} links, {n} chars of text)"
    return None


