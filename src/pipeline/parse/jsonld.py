"""JSON-LD blocks, read leniently: the article node among them and the fields rescued from broken ones."""


from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import lxml.html

from pipeline.urls import clean_url

log = logging.getLogger(__name__)



_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicnewsarticle",
    "satiricalarticle",
    "scholarlyarticle",
    "medicalscholarlyarticle",
    "techarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "discussionforumposting",
    "report",
    "advertisercontentarticle",
    "creativework",
}
NOT_ARTICLE_TYPES = {
    "product",
    "collectionpage",
    "searchresultspage",
    "profilepage",
    "itemlist",
    "event",
    "recipe",
    "jobposting",
    "videoobject",
    "store",
    "localbusiness",
    "offer",
    "aggregateoffer",
}


def _loads_lenient(raw: str) -> Any:
    """Parse one JSON-LD block, repairing the usual faults; None when it cannot be repaired."""
    s = raw.strip()
    s = re.sub(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", s)
    s = re.sub(r"(-->|//\s*\]\]>|\]\]>)\s*$", "", s).strip().rstrip(";")
    if not s:
        return None
    try:
        return json.loads(s, strict=False)
    except json.JSONDecodeError:
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", s)  # trailing commas
    repaired = re.sub(r"[\x00-\x1f]+", " ", repaired)  # raw control characters inside strings
    try:
        return json.loads(repaired, strict=False)
    except json.JSONDecodeError:
        pass
    # several objects glued together ("{...}{...}" or "{...};{...}"), or junk after the last one
    decoder = json.JSONDecoder(strict=False)
    out: list[Any] = []
    pos = 0
    while True:
        while pos < len(repaired) and repaired[pos] in " \t\r\n;,":
            pos += 1
        if pos >= len(repaired) or repaired[pos] not in "{[":
            break
        try:
            obj, pos = decoder.raw_decode(repaired, pos)
        except json.JSONDecodeError:
            break
        out.append(obj)
    return out or None


# fields rescued by pattern from blocks that no repair makes valid JSON
_LD_FIELD = re.compile(r'"(headline|datePublished|dateCreated|dateModified|@type)"\s*:\s*"([^"]{1,500})"')
_LD_AUTHOR = re.compile(r'"author"\s*:\s*(?:\[\s*)?\{[^{}]*?"name"\s*:\s*"([^"]{1,200})"')


def _rescue_fields(raw: str) -> dict[str, Any] | None:
    fields: dict[str, Any] = {}
    for key, value in _LD_FIELD.findall(raw):
        fields.setdefault(key, value)
    names = _LD_AUTHOR.findall(raw)
    if names:
        fields["author"] = [{"@type": "Person", "name": n} for n in names]
    if "@type" not in fields and ("headline" in fields or "datePublished" in fields):
        fields["@type"] = "Article"
    return fields or None


def _walk_ld(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(obj, list):
        for item in obj:
            yield from _walk_ld(item, depth + 1)
    elif isinstance(obj, dict):
        yield obj
        # not itemListElement / hasPart: lists of other articles, paywall page parts
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in obj and isinstance(obj[key], (list, dict)):
                yield from _walk_ld(obj[key], depth + 1)


def ld_types(node: dict[str, Any]) -> set[str]:
    """A JSON-LD node's @type values, lower case, without any URL prefix."""
    t = node.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def jsonld_nodes(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, flattened out of lists and ``@graph``."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = script.text or ""
        data = _loads_lenient(raw)
        if data is None:
            data = _rescue_fields(raw)
            log.debug("malformed JSON-LD; rescued %s", sorted(data) if data else "nothing")
        nodes.extend(_walk_ld(data))
    return nodes


def id_map(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``@id`` -> the node that describes it (not a bare reference), for resolving ``{"@id": ...}``."""
    ids: dict[str, dict[str, Any]] = {}
    for node in nodes:
        ref = node.get("@id")
        if isinstance(ref, str) and not set(node) <= {"@id", "@type"}:
            ids.setdefault(ref, node)
    return ids


def article_node(nodes: list[dict[str, Any]], page_url: str | None = None) -> dict[str, Any] | None:
    """The JSON-LD node describing this page's article: article types first, then the one whose
    ``url`` / ``mainEntityOfPage`` is this page, then the one with a headline and a date."""
    best: dict[str, Any] | None = None
    best_score = -1
    for node in nodes:
        types = ld_types(node)
        if not types & _ARTICLE_TYPES:
            continue
        score = 2 if any(t.endswith(("article", "posting")) for t in types) else 1
        score += bool(node.get("headline")) + bool(node.get("datePublished"))
        if page_url and page_url in _node_urls(node):
            score += 4
        if score > best_score:
            best, best_score = node, score
    return best


def _node_urls(node: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for key in ("url", "mainEntityOfPage", "@id"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str):
            cleaned = clean_url(value.split("#")[0], "")
            if cleaned:
                out.add(cleaned)
    return out


