"""Turn the bytes of one fetched page into an :class:`~pipeline.records.Article`.

Pure: no network, no database, no printing. The steps, each replaceable on its own:

1. guard the input (empty, binary, over ``MAX_BYTES``) and decide the character set from the bytes:
   byte-order mark, the HTTP header's charset, ``<meta charset>``, then detection;
2. parse once with lxml (libxml2 caps nesting depth); oversized trees are cut and get fast passes;
3. metadata by a cascade of evidence, each field on its own: JSON-LD (read leniently), OpenGraph and
   ``article:*`` meta, other meta tags, visible bylines and headlines; htmldate for dates, weighed
   against the structured dates, the URL and the dates the page shows (the dateline in the article
   header beats htmldate's guess when nothing structured dates the page);
4. body text with trafilatura (precision mode, checked against balanced mode when short; recall mode,
   JSON-LD ``articleBody`` and a paragraph fallback when it finds too little); then the paragraphs,
   list items and subheadings it dropped between two blocks it kept, inside the container holding
   most of its text, are merged back; one paragraph per block separated by a blank line,
   promotional lines dropped;
5. decide whether the page is an article at all (page type, text length, link text, walls).

Bad input never raises: it yields an ``Article`` with ``is_article=False`` and a reason. The dev-set
figures behind each choice are in docs/BENCHMARKS.md and the commit messages.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from pipeline.records import Article

log = logging.getLogger(__name__)

MAX_BYTES = 3_000_000  # pages are cut here before parsing, to bound the time spent on one page
MIN_TEXT_CHARS = 250  # below this the body is "too little": try the fallbacks, then call it no article
# Oversized pages are cut here and get fast passes only. The dev pages have at most ~4,000 elements
# and ~200,000 characters of text.
LARGE_TREE_ELEMENTS = 15_000
LARGE_TEXT_CHARS = 600_000
SHORT_TEXT_CHARS = 1500  # a precise extraction this short is checked against the balanced one
PRESCAN_BYTES = 8192  # how far to look for <meta charset>

# ---------------------------------------------------------------------------------------------
# character set


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG Encoding Standard: these labels are decoded as windows-1252 by every browser.
_AS_CP1252 = {"iso8859-1", "latin-1", "ascii", "cp819", "iso-8859-1", "latin1", "us-ascii"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def _codec_name(label: str | bytes | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _AS_CP1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _AS_CP1252:
        return "cp1252"
    return name


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp", "iso8859", "windows", "koi8", "mac", "latin")) or codec in {"tis-620"}


def _valid_utf8_with_multibyte(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # a page cut at MAX_BYTES may end inside a character
        try:
            data[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def decide_charset(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Return ``(codec, how)``: the character set of ``data`` and which evidence decided it.

    Order: byte-order mark, the HTTP header's charset, ``<meta charset>`` / http-equiv in the first
    bytes, then detection. Two corrections to declarations: when a single-byte charset is declared but
    the bytes are valid UTF-8 containing multi-byte sequences, they are UTF-8 (legacy text almost never
    is valid UTF-8 by chance, while mislabelled UTF-8 pages are common); and a UTF-8 declaration whose
    non-ASCII bytes are mostly invalid UTF-8 is passed over (a stray bad byte is not enough).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, "bom"
    for how, label in (("header", header_charset), ("meta", _meta_charset(data[:PRESCAN_BYTES]))):
        declared = _codec_name(label)
        if declared is None:
            continue
        codec = declared
        if codec.startswith("utf-16") or codec.startswith("utf-32"):
            if how == "meta":  # a byte-oriented page cannot declare UTF-16 about itself (WHATWG)
                codec = "utf-8"
            elif b"\x00" not in data[:4096]:
                continue
        if _is_single_byte(codec) and _valid_utf8_with_multibyte(data):
            return "utf-8", f"{how}-overridden-by-utf8"
        if codec == "utf-8" and _mostly_not_utf8(data):
            continue  # declared UTF-8, but the non-ASCII bytes are nearly all invalid UTF-8
        return codec, how
    if data.isascii() or _valid_utf8_with_multibyte(data):
        return "utf-8", "detected"
    return _detect(data), "detected"


def _mostly_not_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    sample = data[:200_000]
    try:
        sample.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    bad = sample.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = len(sample.translate(None, _ASCII_BYTES))
    return bad > 10 and bad > 0.2 * non_ascii


_ASCII_BYTES = bytes(range(128))


def _meta_charset(head: bytes) -> bytes | None:
    m = _META_CHARSET.search(head)
    return m.group(1) if m else None


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:200_000]).best()
    except (ValueError, RuntimeError, LookupError) as e:  # defensive: detection is best effort
        log.debug("charset detection failed: %s", e)
        best = None
    codec = _codec_name(best.encoding) if best is not None else None
    return codec or "cp1252"


def decode_html(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text; undecodable bytes become U+FFFD. Returns ``(text, codec)``."""
    codec, how = decide_charset(data, header_charset)
    log.debug("charset %s (%s)", codec, how)
    if how == "bom":
        data = data[len(next(b for b, c in _BOMS if c == codec)) :]
    return data.decode(codec, errors="replace"), codec


# ---------------------------------------------------------------------------------------------
# input guards

_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"BZh",
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"OggS",
    b"ID3",
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def _binary_reason(data: bytes, text: str) -> str | None:
    if data.lstrip()[:8].startswith(_BINARY_MAGIC):
        return "binary content (file signature), not HTML"
    sample = text[:65536]
    if not sample.strip():
        return "empty page"
    bad = len(_CONTROL.findall(sample))
    if bad > 0.05 * len(sample):
        return f"binary or undecodable content ({bad} control or invalid characters in {len(sample)})"
    if "<" not in sample:
        return "no HTML markup"
    return None


# ---------------------------------------------------------------------------------------------
# parsing

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _parse_tree(text: str) -> lxml.html.HtmlElement | None:
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


def _truncate_tree(tree: lxml.html.HtmlElement, max_elements: int, max_chars: int) -> bool:
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


def _text_of(el: Any) -> str:
    try:
        return " ".join("".join(el.itertext()).split())
    except (ValueError, TypeError):
        return ""


# ---------------------------------------------------------------------------------------------
# JSON-LD

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
_NOT_ARTICLE_TYPES = {
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


def _types(node: dict[str, Any]) -> set[str]:
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


def _id_map(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``@id`` -> the node that describes it (not a bare reference), for resolving ``{"@id": ...}``."""
    ids: dict[str, dict[str, Any]] = {}
    for node in nodes:
        ref = node.get("@id")
        if isinstance(ref, str) and not set(node) <= {"@id", "@type"}:
            ids.setdefault(ref, node)
    return ids


def _article_node(nodes: list[dict[str, Any]], page_url: str | None = None) -> dict[str, Any] | None:
    """The JSON-LD node describing this page's article: article types first, then the one whose
    ``url`` / ``mainEntityOfPage`` is this page, then the one with a headline and a date."""
    best: dict[str, Any] | None = None
    best_score = -1
    for node in nodes:
        types = _types(node)
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


# ---------------------------------------------------------------------------------------------
# meta tags


def _meta_map(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
    return out


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = meta.get(key)
        if values:
            return values[0]
    return None


# ---------------------------------------------------------------------------------------------
# title

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«/]\s+|\s+[|•·»]\s*|\s*[|•·»]\s+")


def _norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def _site_names(meta: dict[str, list[str]], ld: dict[str, Any] | None, outlet: str, url: str) -> set[str]:
    names = {outlet} if outlet else set()
    for key in ("og:site_name", "application-name", "twitter:site", "publisher", "al:android:app_name"):
        for v in meta.get(key, []):
            names.add(v.lstrip("@"))
    if ld:
        pub = ld.get("publisher")
        for p in pub if isinstance(pub, list) else [pub]:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                names.add(p["name"])
            elif isinstance(p, str):
                names.add(p)
    host = _url_part(url, "hostname")
    parts = [p for p in host.split(".") if p not in {"www", "com", "org", "net", "co", "uk", "de", "fr"}]
    names.update(parts)
    return {_norm(n) for n in names if n and _norm(n)}


def strip_site_suffix(title: str, site_names: set[str]) -> str:
    """Remove "| Outlet" and "Outlet - " decorations from a page title."""
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    # drop leading or trailing segments that name the site
    while len(parts) > 1 and _is_site(parts[-1], site_names):
        parts.pop()
    while len(parts) > 1 and _is_site(parts[0], site_names):
        parts.pop(0)
    if len(parts) == 1:
        return parts[0]
    # rebuild with the original separators for what is left
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    kept = title[start:end] if 0 <= start < end else title
    return kept


def _is_site(segment: str, site_names: set[str]) -> bool:
    n = _norm(segment)
    if not n:
        return True
    squashed = n.replace(" ", "")
    for name in site_names:
        sq = name.replace(" ", "")
        if n == name or squashed == sq:
            return True
        # "Guardian" for "The Guardian", "NYT Opinion" for "nyt": a segment that is mostly the name
        if len(sq) >= 4 and (sq in squashed or squashed in sq) and abs(len(squashed) - len(sq)) <= 12:
            return True
    return False


def _choose_title(
    tree: lxml.html.HtmlElement, meta: dict[str, list[str]], ld: dict[str, Any] | None, sites: set[str]
) -> str | None:
    candidates: list[str] = []
    if ld:
        for key in ("headline", "name"):
            v = ld.get(key)
            if isinstance(v, str) and v.strip():
                candidates.append(v)
                break
    for key in ("og:title", "twitter:title", "title", "dc.title", "sailthru.title", "parsely-title"):
        v = _first(meta, key)
        if v:
            candidates.append(v)
    title_el = tree.find(".//title")
    if title_el is not None:
        t = _text_of(title_el)
        if t:
            candidates.append(t)
    h1s = [_text_of(h) for h in tree.iter("h1")]
    h1s = [h for h in h1s if 5 <= len(h) <= 300 and not _is_site(h, sites)]

    cleaned = [strip_site_suffix(_unescape(c), sites) for c in candidates]
    cleaned = [c for c in cleaned if c and not _is_site(c, sites)]
    nh1 = [(h, _norm(h)) for h in h1s]
    ncl = [(c, _norm(c)) for c in cleaned]
    # the visible <h1> when the metadata agrees with it; the metadata title when the <h1> only adds a
    # section label or a subtitle to it
    for h, nh in nh1:
        if any(nh == nc for _, nc in ncl):
            return h
    for _, nh in nh1:
        for c, nc in ncl:
            if len(nc) >= 15 and nc in nh:
                return c
    for h, nh in nh1:
        if any(len(nh) >= 15 and nc.startswith(nh) or _jaccard(nh, nc) >= 0.6 for _, nc in ncl):
            return h
    # a lone <h1> of several words, or the one inside the <article>, is the headline the reader sees,
    # when the metadata titles are written for search engines
    in_article = [_text_of(h) for h in tree.xpath("//article//h1 | //main//h1")]
    in_article = [h for h in in_article if h in h1s]
    lone = in_article[:1] if len(in_article) == 1 else (h1s if len(h1s) == 1 else [])
    if lone and len(lone[0].split()) >= 3:
        return lone[0]
    if cleaned:
        return cleaned[0]
    if candidates:
        return _unescape(candidates[0])
    return h1s[0] if h1s else None


def _jaccard(a: str, b: str) -> float:
    wa, wb = set(a.split()), set(b.split())
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _unescape(s: str) -> str:
    from html import unescape

    return " ".join(unescape(s).split())


# ---------------------------------------------------------------------------------------------
# authors

_BY = re.compile(
    r"^\s*(?:(?:view|see|read|more)?\s*(?:all\s+)?(?:posts|articles|stories|written|posted|reported|"
    r"published|text|words|photos?)\s+)?(?:by|von|par|por|di|door|av)\b[:\s]*",
    re.IGNORECASE,
)
_ROLE_WORDS = {
    "staff", "writer", "reporter", "correspondent", "editor", "contributor", "columnist", "journalist",
    "author", "senior", "chief", "associate", "contributing", "political", "national", "international",
    "news", "desk", "team", "producer", "photographer", "photos", "photo", "video", "analyst", "bureau",
    "updated", "published", "and", "the", "for", "special", "to", "guest", "freelance", "opinion",
    "editorial", "board", "admin", "administrator", "redaktion", "newsroom", "wire", "services", "service",
    "press", "associated", "reuters", "afp", "ap", "upi", "dpa", "agencies", "agency", "sports", "business",
    "technology", "science", "health", "entertainment", "in", "at", "of", "host", "anchor", "presenter",
    "director", "manager", "operations", "sr", "jr", "head", "president", "officer", "founder", "co-founder",
    "ceo", "cto", "cfo", "vp", "marketing", "communications", "digital", "content", "social", "strategist",
    "specialist", "consultant", "expert", "lead", "principal", "partner", "coordinator", "intern",
    "no", "unknown", "anonymous", "none", "null", "n/a", "user", "webmaster", "redakteur", "autor",
    "reports", "report", "wires",
}
_LEADING_ROLES = re.compile(
    r"^(?:author|autor|auteur|reporter|correspondent|editor|writer)\s*:?\s+", re.IGNORECASE
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\||\band\b|&|\bund\b|\bet\b|\by\b|\be\b|\n)\s*", re.IGNORECASE)
_NOT_NAME = re.compile(r"https?://|www\.|@|\d{3,}|[<>{}=#]|^\d")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_CREDENTIALS = {
    "phd", "ph.d", "md", "m.d", "ms", "ma", "mba", "rd", "rn", "dds", "esq", "cpa", "msc", "bsc", "mph",
    "dr", "prof", "ld", "cde", "fand", "lmhc", "lcsw", "psyd", "np", "pa-c", "facp", "frcp",
}
_AUTHOR_META = (
    "author", "authors", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator",
    "dc:creator", "dcterms.creator", "citation_author", "atc-metaauthor", "rbauthors", "dcsext.author",
    "shareaholic:article_author_name",
)


def _clean_person(raw: str, sites: set[str]) -> list[str]:
    """Split a byline or author value into clean person names.

    A value naming the outlet is dropped, unless it reads as a person's name (a personal site).
    """
    from html import unescape

    s = " ".join(unescape(raw).split())
    s = _BY.sub("", s)
    s = re.sub(r"\s*[\(\[].*?[\)\]]", "", s)  # "(Reuters)", "[email]"
    s = re.split(r"\s+[|–—]\s+|\s+-\s+", s)[0]  # "Jane Doe - Staff Writer"
    names: list[str] = []
    for part in _NAME_SPLIT.split(s):
        part = _LEADING_ROLES.sub("", _BY.sub("", part)).strip(" .:-–—·•\t")
        if not part or _NOT_NAME.search(part):
            continue
        low = part.lower().strip(".")
        if low in _SUFFIXES and names:
            names[-1] = f"{names[-1]} {part}"
            continue
        if low in _CREDENTIALS or low.replace(".", "") in _CREDENTIALS:
            continue
        words = part.split()
        if len(words) > 5 or len(part) > 60:
            continue
        if all(w.lower().strip(".,") in _ROLE_WORDS for w in words):
            continue
        if _outlet_kind(part, sites) == "outlet":
            continue
        names.append(part)
    return names


_ORG_WORDS = {
    "news", "press", "presse", "media", "times", "post", "journal", "foundation", "group", "inc", "ltd",
    "llc", "gmbh", "magazine", "daily", "weekly", "online", "tv", "radio", "network", "agency", "staff",
    "team", "editors", "editorial", "desk", "reports", "blog", "institute", "university", "association",
    "company", "gazette", "tribune", "herald", "chronicle", "observer", "review", "today", "clinic",
    "hospital", "center", "centre", "council", "committee", "bank", "party", "club", "society", "digital",
}


def _outlet_kind(name: str, sites: set[str]) -> str | None:
    """None for a name that is not the outlet's; "personal" when the outlet's name reads as a person's
    (a personal site: kept only when nobody else is named); "outlet" otherwise (always dropped)."""
    n = _norm(name)
    if n.replace(" ", "") not in {s.replace(" ", "") for s in sites}:
        return None
    words = name.split()
    looks_personal = (
        2 <= len(words) <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(w.lower() in _ORG_WORDS for w in words)
    )
    return "personal" if looks_personal else "outlet"


def _ld_author_values(ld: dict[str, Any] | None, ids: dict[str, dict[str, Any]]) -> list[str]:
    """The author names of the JSON-LD article; organisations are left out."""
    if not ld:
        return []
    out: list[str] = []
    for key in ("author", "creator"):
        value = ld.get(key)
        for a in value if isinstance(value, list) else [value]:
            if isinstance(a, str):
                out.append(a)
            elif isinstance(a, dict):
                if set(a) <= {"@id", "@type"} and isinstance(a.get("@id"), str):
                    a = ids.get(a["@id"], a)  # a reference into @graph
                types = _types(a)
                if types and "person" not in types:
                    continue  # Organization, NewsMediaOrganization, ...
                name = a.get("name")
                if isinstance(name, list):
                    name = name[0] if name else None
                if not isinstance(name, str) and isinstance(a.get("givenName"), str):
                    name = f"{a.get('givenName')} {a.get('familyName') or ''}".strip()
                if isinstance(name, str):
                    out.append(name)
        if out:
            break
    return out


_BY_ALONE = re.compile(
    r"^[\s|·•–—-]*(?:(?:written|posted|published|reported|words|text|story|article)\s+)?by\s*:?\s*$",
    re.IGNORECASE,
)
_BY_INLINE = re.compile(r"(?:^|[\s|·•–—,])by\s*:?\s+(\S.*)$", re.IGNORECASE)
_NOT_BYLINE_BEFORE = re.compile(
    r"\b(?:powered|hosted|designed|developed|supported|sponsored|presented|brought|made|built|run|owned|"
    r"operated|followed|inspired|caused|led|organi[sz]ed|funded|produced|edited|photographed|"
    r"illustrated|translated|licensed|protected|verified|reviewed)\s*$",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|(?:van|von|de|der|den|da|di|du|la|le|bin|al|el|y|st\.?)|[A-Z]\.)"
_PERSONISH = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}$")
_HANDLE = re.compile(r"^[^\W\d_][\w.-]{1,29}$")
_SKIP_TAGS = {"script", "style", "template", "svg", "button", "select", "option", "form", "nav"}


def _text_segments(root: Any, limit: int) -> list[str]:
    """The visible text pieces under ``root`` in document order (element texts and tails)."""
    out: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            if len(out) >= limit:
                return
            tag = child.tag
            if isinstance(tag, str) and tag not in _SKIP_TAGS:
                if child.text and not child.text.isspace():
                    out.append(" ".join(child.text.split()))
                walk(child)
            if child.tail and not child.tail.isspace():
                out.append(" ".join(child.tail.split()))

    if root.text and not root.text.isspace():
        out.append(" ".join(root.text.split()))
    walk(root)
    return out


def _text_bylines(tree: lxml.html.HtmlElement, sites: set[str]) -> list[str]:
    """A visible "By Jane Doe" from the headline on: "By" alone followed by a name anywhere after it,
    or "... by Jane Doe" inline close to it. Names of the outlet are passed over."""
    root = tree.find("body")
    if root is None:
        return []
    segments = _text_segments(root, 4000)
    start = 0
    h1 = next(root.iter("h1"), None)
    if h1 is not None:
        head = _text_of(h1)
        first_word = head.split()[0] if head else ""
        start = next((i for i, seg in enumerate(segments) if first_word and first_word in seg), 0)
    start = max(0, start - 3)
    for i in range(start, len(segments)):
        seg = segments[i]
        if len(seg) > 160:
            continue
        if _BY_ALONE.match(seg):
            nxt = next((x for x in segments[i + 1 : i + 4] if x.strip(" |·•,")), "").strip(" |·•,")
            if _PERSONISH.match(nxt) and _outlet_kind(nxt, sites) != "outlet":
                return [nxt]
            generic = nxt.lower() in _ROLE_WORDS or nxt.lower() in _ORG_WORDS
            if _HANDLE.match(nxt) and not generic and not _is_site(nxt, sites):
                return [nxt]  # a one-word name or handle right after a lone "by" ("by marc")
            continue
        m = _BY_INLINE.search(seg) if i < start + 150 else None
        if m and not _NOT_BYLINE_BEFORE.search(seg[: m.start() + 1]):
            names = m.group(1).strip()
            first = re.split(r"\s*(?:,|\band\b|&|\s[-–—|]\s)\s*", names)[0].strip(" .")
            if _PERSONISH.match(first) and _outlet_kind(first, sites) != "outlet":
                return [names]
    return []


def _byline_values(tree: lxml.html.HtmlElement) -> list[str]:
    """Bylines in the page body, found by trafilatura's author XPaths."""
    from trafilatura.metadata import extract_author

    try:
        found = extract_author(tree)
    except (ValueError, TypeError, etree.XPathError) as e:
        log.debug("byline search failed: %s", e)
        return []
    return [a.strip() for a in (found or "").split(";") if a.strip()]


# the post's author as the CMS's analytics data layer names it (GTM4WP on WordPress: the display name)
_DATA_LAYER_AUTHOR = re.compile(r'"pagePostAuthor"\s*:\s*"([^"\\]{2,60})"')


def _data_layer_author(tree: lxml.html.HtmlElement) -> list[str]:
    """The post author in an inline analytics data layer, the last source tried: pages that print no
    byline and declare no author often still carry the CMS's author field there."""
    for script in tree.iter("script"):
        m = _DATA_LAYER_AUTHOR.search(script.text or "")
        if m:
            return [m.group(1)]
    return []


def _choose_authors(
    tree: lxml.html.HtmlElement,
    meta: dict[str, list[str]],
    nodes: list[dict[str, Any]],
    ld: dict[str, Any] | None,
    sites: set[str],
    large: bool = False,
) -> tuple[str, ...]:
    """Person names from JSON-LD and author meta tags, else the JSON-LD graph, else bylines."""
    ids = _id_map(nodes)
    meta_values = [v for key in _AUTHOR_META for v in meta.get(key, []) if not v.lower().startswith("http")]

    def from_bylines() -> list[str]:
        shown = _text_bylines(tree, sites)
        if shown or large:  # trafilatura's byline search copies the whole tree
            return shown
        return _byline_values(tree) or _data_layer_author(tree)

    def from_graph() -> list[str]:
        # no author on the article node: a WebPage's author, else the page's only Person nodes
        for node in nodes:
            if node is not ld and "webpage" in _types(node) and node.get("author"):
                return _ld_author_values(node, ids)
        persons = [n for n in nodes if _types(n) == {"person"} and isinstance(n.get("name"), str)]
        return [n["name"] for n in persons] if 1 <= len(persons) <= 3 else []

    def clean(values: list[str]) -> list[str]:
        return [name for value in values for name in _clean_person(value, sites)]

    def people(names: list[str]) -> list[str]:
        return [n for n in names if _outlet_kind(n, sites) is None]

    # JSON-LD and author meta tags complement each other (one often lists fewer authors than the other);
    # the structure-less sources are used only when neither names anyone. A name equal to the outlet's
    # (a personal site) is the last resort.
    declared = clean(_ld_author_values(ld, ids)) + clean(meta_values)
    names = people(declared)
    if not names:
        found = clean(from_graph()) + clean(from_bylines())
        names = people(found) or declared or found
    elif any(len(n.split()) == 1 for n in names):
        # a first name alone ("Todd"): the visible byline may give the full name
        shown = people(clean(_text_bylines(tree, sites)))
        names = [next((b for b in shown if b.split()[0].lower() == n.lower()), n) for n in names]
    return _dedupe_names(names)


def _dedupe_names(names: list[str]) -> tuple[str, ...]:
    """Drop repeats, ignoring case and punctuation, and names contained in a longer one ("Todd")."""
    keys = [_norm(n) for n in names]
    out: list[str] = []
    seen: set[str] = set()
    for name, key in zip(names, keys, strict=True):
        if not key or key in seen:
            continue
        if any(key != other and f" {key} " in f" {other} " for other in keys):
            continue
        seen.add(key)
        out.append(name)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# date

_DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
)


_ISO_DT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{1,2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def _parse_dt(value: Any) -> datetime | None:
    """An ISO-8601 date or date-time, else a free-form one with a month name ("Tue, Sep 15 2020 EDT")."""
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = _ISO_DT.match(s)
    if m:
        iso = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        if m.group(4):
            iso += f"T{m.group(4)}:{m.group(5)}:{int(m.group(6) or 0):02d}"
            tz = m.group(7)
            if tz:
                tz = "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
                iso += tz
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            return None
    elif re.search(r"\b(19|20)\d{2}\b", s) and re.search(r"[A-Za-z]{3}", s) and len(s) < 60:
        from dateutil import parser as dateparser

        try:
            dt = dateparser.parse(s, tzinfos=_TZ_ABBREVIATIONS)
        except (ValueError, OverflowError) as e:
            log.debug("unparsed date %r: %s", s, e)
            return None
    else:
        return None
    if not 1995 <= dt.year <= datetime.now().year + 1:
        return None
    return dt


_TZ_ABBREVIATIONS = {
    name: int(hours * 3600)
    for name, hours in (
        ("UTC", 0), ("GMT", 0), ("Z", 0), ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7),
        ("MDT", -6), ("PST", -8), ("PDT", -7), ("BST", 1), ("CET", 1), ("CEST", 2), ("MEZ", 1), ("MESZ", 2),
        ("EET", 2), ("EEST", 3), ("IST", 5.5), ("JST", 9), ("AEST", 10), ("AEDT", 11),
    )
}
def _structured_dates(meta: dict[str, list[str]], ld: dict[str, Any] | None) -> list[datetime]:
    out: list[datetime] = []
    if ld:
        for key in ("datePublished", "dateCreated"):
            dt = _parse_dt(ld.get(key))
            if dt:
                out.append(dt)
    for key in _DATE_META_KEYS:
        for v in meta.get(key, []):
            dt = _parse_dt(v)
            if dt:
                out.append(dt)
    return out


def _htmldate(tree: lxml.html.HtmlElement, url: str, extensive: bool = True) -> datetime | None:
    from htmldate import find_date

    try:
        found = find_date(tree, extensive_search=extensive, original_date=True, url=url or None)
    except (ValueError, TypeError, RecursionError) as e:
        log.debug("htmldate failed: %s", e)
        return None
    return _parse_dt(found) if found else None


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=/|$|[^\d])")
_MONTHS = [
    # en, de, fr, es, it, nl, pt: full names; the first three letters cover most abbreviations
    "january|januar|janvier|enero|gennaio|januari|janeiro|jan|jän",
    "february|februar|février|fevrier|febrero|febbraio|februari|fevereiro|feb|fév|fev",
    "march|märz|maerz|mars|marzo|maart|março|mar|mär|mrt",
    "april|avril|abril|aprile|apr|avr|abr",
    "may|mai|mayo|maggio|mei|maio",
    "june|juni|juin|junio|giugno|junho|jun",
    "july|juli|juillet|julio|luglio|julho|jul|juil",
    "august|août|aout|agosto|augustus|aug|ago",
    "september|septembre|septiembre|settembre|setembro|sep|sept|set",
    "october|oktober|octobre|octubre|ottobre|outubro|oct|okt|ott|out",
    "november|novembre|noviembre|novembro|nov",
    "december|dezember|décembre|decembre|diciembre|dicembre|dezembro|dec|dez|déc|dic",
]


def _date_shown(d: Any, text: str, *, without_year: bool = False) -> bool:
    """Whether the calendar date ``d`` is written in ``text`` in one of the usual forms.

    ``without_year`` also accepts "24 août" / "Aug 24" with no year, for choosing between two
    neighbouring days only.
    """
    y, m, day = d.year, d.month, d.day
    month = _MONTHS[m - 1]
    dd = rf"0?{day}"
    if without_year:
        loose = (
            rf"\b{dd}(?:st|nd|rd|th|\.|er)?\s+(?:de\s+)?(?:{month})\b",
            rf"\b(?:{month})\.?\s+{dd}\b(?![\d:])",
        )
        if any(re.search(p, text, re.IGNORECASE) for p in loose):
            return True
    patterns = (
        rf"\b(?:{month})\.?\s+{dd}(?:st|nd|rd|th)?,?\s+{y}\b",
        rf"\b{dd}(?:st|nd|rd|th|\.|er)?\s+(?:de\s+)?(?:{month})\.?,?\s+(?:de\s+)?{y}\b",
        rf"\b{y}-{m:02d}-{day:02d}\b",
        rf"\b{y}/{m:02d}/{day:02d}\b",
        rf"\b0?{m}/{dd}/(?:{y}|{y % 100:02d})\b",
        rf"\b{dd}[./-]0?{m}[./-](?:{y}|{y % 100:02d})\b",
    )
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _month_number() -> dict[str, int]:
    return {name: i + 1 for i, names in enumerate(_MONTHS) for name in names.split("|")}


_MONTH_OF = _month_number()
_MONTH_ALT = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_TEXT_DATES = (
    # "March 5, 2024", "Mar. 5th 2024"
    (re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b", re.I), "mdy"),
    # "5 March 2024", "5. März 2024", "5 de marzo de 2024"
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th|\.|er)?\s+(?:de\s+)?({_MONTH_ALT})\.?,?\s+(?:de\s+)?((?:19|20)\d{{2}})\b",
            re.I,
        ),
        "dmy",
    ),
    (re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})\b"), "dmy"),  # dotted dates are day first
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b"), "slash"),
)
_NOT_PUBLISHED_LABEL = re.compile(
    r"\b(?:updated|modified|edited|revised|joined|member since|last reviewed|reviewed|aktualisiert|"
    r"geändert|mis à jour|modifié|actualizado|aggiornato)\b[^\d]{0,12}$",
    re.IGNORECASE,
)
HEADER_SEGMENTS = 12  # how far after the headline the article's dateline is looked for
HEADER_PROSE_CHARS = 200  # a text piece this long is prose: the header is over


def _date_in_text(text: str) -> datetime | None:
    """The first calendar date written out in ``text``; a slashed date only when it is unambiguous."""
    best: tuple[int, datetime] | None = None
    for pattern, order in _TEXT_DATES:
        for m in pattern.finditer(text):
            a, b, c = m.groups()
            if order == "mdy":
                y, mo, d = int(c), _MONTH_OF[a.lower()], int(b)
            elif order == "dmy":
                y, d = int(c), int(a)
                mo = int(b) if b.isdigit() else _MONTH_OF[b.lower()]
            elif order == "ymd":
                y, mo, d = int(a), int(b), int(c)
            else:  # 03/05/2024 is ambiguous; 13/05/2024 and 05/13/2024 are not
                first, second = int(a), int(b)
                if first != second and first <= 12 and second <= 12:
                    continue
                mo, d = (second, first) if first > 12 else (first, second)
                y = int(c)
            try:
                dt = datetime(y, mo, d)
            except ValueError:
                continue
            if _NOT_PUBLISHED_LABEL.search(text[max(0, m.start() - 30) : m.start()]):
                continue  # "Updated on ...", "Joined ...": a date, but not the publication's
            if 1995 <= y <= datetime.now().year + 1 and (best is None or m.start() < best[0]):
                best = (m.start(), dt)
            break  # the first credible match of each pattern is enough
    return best[1] if best else None


def _header_date(tree: lxml.html.HtmlElement) -> datetime | None:
    """The date written in the article's header: between the headline (``<h1>``) and the first piece
    of prose, where the byline and dateline sit. None without a headline."""
    root = tree.find("body")
    h1 = next(root.iter("h1"), None) if root is not None else None
    if root is None or h1 is None:
        return None
    # the headline's own text and what follows it, in document order
    segments = _text_segments(root, 4000)
    own = _text_segments(h1, 50)
    n = len(own)
    start = next((i for i in range(len(segments)) if n and segments[i : i + n] == own), None)
    if start is None:
        return None
    pieces: list[str] = []
    for seg in segments[start + n : start + n + HEADER_SEGMENTS]:
        if len(seg) >= HEADER_PROSE_CHARS:
            break
        pieces.append(seg)
    return _date_in_text(" ".join(pieces))


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    root = tree.find("body")
    if root is None:
        return ""
    return " ".join(_text_segments(root, 3000))[:60_000]


def _choose_date(
    tree: lxml.html.HtmlElement,
    meta: dict[str, list[str]],
    ld: dict[str, Any] | None,
    url: str,
    large: bool = False,
) -> datetime | None:
    """Publication date from the evidence, each piece checked against the others.

    Structured values (JSON-LD, meta) are preferred when htmldate confirms them; a date in the URL is
    the local publication day; and the date the page actually shows decides between a structured value
    and htmldate's, or between a UTC time stamp and the neighbouring local day. The modification date
    is never taken for the publication date.
    """
    structured = _structured_dates(meta, ld)
    # htmldate's extensive search (free-text dates through dateparser) is slow: without structured
    # dates its quick pass first, the extensive one only when that finds nothing (on the dev pages
    # they never disagreed); with them, htmldate runs only if their date is not shown (below)
    found = None
    if not structured:
        found = _htmldate(tree, url, extensive=False)
        if found is None and not large:
            found = _htmldate(tree, url, extensive=True)
    best: datetime | None = None
    if structured:
        # a value with its own (non-UTC) offset carries the local day; UTC stamps may cross midnight
        local = [dt for dt in structured if dt.utcoffset() not in (None, _ZERO)]
        best = local[0] if local else structured[0]
    else:
        best = found

    m = _URL_DATE.search(_url_part(url, "path"))
    url_day = None
    if m:
        try:
            url_day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            url_day = None
    if url_day is not None:
        if best is None or _same_local_day(best, url_day):
            return url_day if best is None or best.date() != url_day.date() else best
        if (best.date() - url_day.date()).days > 2:
            return url_day  # the address was made at first publication; a later stamp is a re-save

    if best is None:
        return None
    if not structured:
        # htmldate's guess without structured evidence: a date written in the article's header (the
        # dateline beside the byline) is the article's, where a guess may be a calendar widget's
        header = _header_date(tree)
        if header is not None and header.date() != best.date():
            return header
    text = _visible_text(tree)
    if not text or _date_shown(best, text):
        return best
    if structured:  # the structured date is not on the page: now htmldate's search is worth it
        found = _htmldate(tree, url, extensive=not large)
    if found is not None and found.date() != best.date() and _date_shown(found, text):
        return found  # htmldate's date is on the page, the structured one is not
    if best.utcoffset() == _ZERO:
        for shift in (-1, 1):
            day = best + timedelta(days=shift)
            if not _same_local_day(best, day):
                continue
            # the neighbouring day written out in full, or at least as day and month while the
            # stamp's own day is not written at all
            if _date_shown(day, text) or (
                _date_shown(day, text, without_year=True) and not _date_shown(best, text, without_year=True)
            ):
                return datetime(day.year, day.month, day.day)
    return best


_ZERO = timedelta(0)


def _same_local_day(instant: datetime, day: datetime) -> bool:
    """Whether a UTC (or naive) ``instant`` falls on calendar ``day`` somewhere between UTC-8 and UTC+10."""
    if instant.utcoffset() not in (None, _ZERO):
        return instant.date() == day.date()
    return any((instant + timedelta(hours=h)).date() == day.date() for h in (-8, 0, 10))


# ---------------------------------------------------------------------------------------------
# canonical URL

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|mc_cid|mc_eid|yclid|_ga|_gl|igshid|mkt_tok|"
    r"ocid|cmpid|icid|ncid|sr_share|share|ref|ref_src|ref_url|smid|smtyp|spm|wt\.mc_id|wt_mc_id|"
    r"__twitter_impression|s_cid|cid|at_medium|at_campaign|at_custom\d|trk|trkcampaign|sc_cid|"
    r"rss|rssid|feature|taid|oref|intcmp|cmp|guccounter|guce_referrer\w*|soc_src|soc_trk)$",
    re.IGNORECASE,
)


def _url_part(url: str, part: str) -> str:
    """``urlsplit(url).<part>``, or "" for a URL that cannot be split (e.g. a broken IPv6 host)."""
    try:
        return getattr(urlsplit(url), part) or ""
    except ValueError:
        return ""


def clean_url(candidate: str | None, base: str) -> str | None:
    """Resolve ``candidate`` against ``base``, strip tracking parameters and the fragment.

    Returns None unless the result is an http(s) URL with a host.
    """
    if not candidate or not candidate.strip():
        return None
    try:
        absolute = urljoin(base, candidate.strip()) if base else candidate.strip()
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def _choose_canonical(tree: lxml.html.HtmlElement, meta: dict[str, list[str]], url: str) -> str:
    base = url
    for b in tree.iter("base"):
        href = b.get("href")
        if href:
            base = clean_url(href, url) or url
            break
    candidates: list[str] = []
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            candidates.append(link.get("href") or "")
    candidates.extend(meta.get("og:url", []))
    own = clean_url(url, "")
    for c in candidates:
        cleaned = clean_url(c, base)
        if cleaned and not _is_home_page_of(cleaned, own):
            return cleaned
    return own or url


def _is_home_page_of(candidate: str, page: str | None) -> bool:
    """A canonical pointing at the site's front page from a deeper page is a template mistake:
    taking it would give every article of the site the same identity."""
    if not page:
        return False
    return _url_part(candidate, "path") in ("", "/") and _url_part(page, "path") not in ("", "/")


# ---------------------------------------------------------------------------------------------
# body text


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
        t = _text_of(p)
        if len(t) < 40:
            continue
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(t)
    if not scores:
        return ""
    best = max(scores, key=lambda k: scores[k])
    paras = [_text_of(p) for p in best.iter("p")]
    return "\n\n".join(p for p in paras if p)


_BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "pre")
_NOT_BODY_TAGS = {"a", "nav", "aside", "footer", "header", "form", "figure", "figcaption", "button", "script",
                  "style", "noscript", "template", "select", "svg", "table"}
_NOT_BODY_CLASS = re.compile(
    r"share|social|related|newsletter|subscri|promo|advert|\bads?\b|ad-|sponsor|comment|author|byline|"
    r"bio\b|breadcrumb|\btags?\b|\btoc\b|table-of-contents|signup|cookie|popup|modal|recommend|more-|"
    r"sidebar|widget|caption|credit|disclaimer|disclosure|hidden|sr-only|visually-hidden|meta|footer|nav|"
    r"photo|image|\bimg|gallery|slide|media|embed|card|product|\bcta\b|button|recent|teaser|contact",
    re.IGNORECASE,
)
_CODE_LIKE = re.compile(r"[{};]\s*$|^\s*[#.]?[\w-]+\s*\{|\bvar\s+\w+\s*=|&(?:amp;)?lt;|</?\w+[^>]*>")
MERGE_MIN_MATCHED = 0.6  # share of the extracted text that must sit in one container before merging
MERGE_MAX_GAIN = 2.5  # at most this many times the extracted text is added back


def _merge_dropped_blocks(tree: lxml.html.HtmlElement, text: str) -> str:
    """Add back the paragraphs and list items the extractor dropped from inside the container that
    holds its text (the deepest element holding most of it), in document order.

    Blocks under navigation, asides, figures, forms or elements whose class names sell, share or
    credit are left out, as are link lists. Returns ``text`` unchanged when no container holds most of it.
    """
    body = tree.find("body")
    paras = [p for p in text.split("\n\n") if p]
    if body is None or len(paras) < 2:
        return text
    wanted = {_norm(p): i for i, p in enumerate(paras)}
    exact = {p: i for i, p in enumerate(paras)}
    longest = max(len(p) for p in paras)
    matched: list[tuple[Any, int]] = []
    for el in body.iter(_BLOCKS):
        t = _text_of(el)
        i = exact.get(t)
        if i is None and 0 < len(t) <= 2 * longest:  # normalising is the costly part: only plausible sizes
            i = wanted.get(_norm(t))
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
    kept = _norm(text)
    kept_words = set(kept.split())
    seen = set(wanted)
    after: dict[int, list[str]] = {}
    pending: list[tuple[int, str]] = []
    last = -1
    positions = {el: i for el, i in matched}
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
        if last < 0 or any(child.tag in _BLOCKS for child in el.iterdescendants()):
            continue  # its inner blocks are looked at on their own
        t = " ".join(_text_segments(el, 200))
        if _CODE_LIKE.search(t) or _is_caption(el):
            continue
        key = _norm(t)
        if len(key) < 15 or key in seen or _dropped_region(el, container):
            continue
        words = key.split()
        if key in kept or (len(words) >= 12 and sum(w in kept_words for w in words) > 0.8 * len(words)):
            continue  # already in the text: joined to a neighbour, or written slightly differently
        linked = sum(len(_text_of(a)) for a in el.iter("a"))
        if linked > 0.5 * len(t):
            continue
        seen.add(key)
        pending.append((last, t))
    added = sum(len(t) for ts in after.values() for t in ts)
    if not after or added > MERGE_MAX_GAIN * total:
        return text
    out: list[str] = []
    for i, p in enumerate(paras):
        out.append(p)
        out.extend(after.get(i, []))
    return "\n\n".join(out)


_MEDIA = ("img", "picture", "video", "iframe", "figure")


def _is_caption(el: Any) -> bool:
    """A block holding media, or right after it: a caption or credit line."""
    if any(True for _ in el.iter(*_MEDIA)):
        return True
    prev = el.getprevious()
    if prev is None and el.getparent() is not None:
        prev = el.getparent().getprevious()  # <div><img></div><p>caption</p>, one level up
    return prev is not None and (prev.tag in _MEDIA or any(True for _ in prev.iter(*_MEDIA))) and not _text_of(prev)


def _dropped_region(el: Any, container: Any) -> bool:
    node = el
    while node is not None and node is not container:
        if node.tag in _NOT_BODY_TAGS or _NOT_BODY_CLASS.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        node = node.getparent()
    return False


def _extract_body(
    tree: lxml.html.HtmlElement, url: str, ld: dict[str, Any] | None, large: bool = False
) -> tuple[str, str]:
    """Return ``(text, extractor)``.

    trafilatura in precision mode first (measured best on the dev sets: boilerplate stays out); when
    that finds little, its balanced mode, kept when it finds much more; then recall mode, the JSON-LD
    ``articleBody`` and the densest block of paragraphs. A ``large`` tree gets one fast pass only
    (no readability/jusText comparison), to bound the time spent on it.
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
    if len(text) < SHORT_TEXT_CHARS:
        balanced = _trafilatura_text(tree, url)
        if len(balanced) > 2 * len(text):
            text, how = balanced, "trafilatura"
    if len(text) < MIN_TEXT_CHARS:
        recall = _trafilatura_text(tree, url, favor_recall=True)
        if len(recall) > len(text):
            text, how = recall, "trafilatura-recall"
    merged = _merge_dropped_blocks(tree, text)
    if merged != text:
        text, how = merged, f"{how}+merged"
    text = _drop_promos(text)
    if len(text) < MIN_TEXT_CHARS:
        fallbacks = ((_ld_body(ld), "jsonld-articleBody"), (_paragraph_fallback(tree), "paragraphs"))
        for candidate, name in fallbacks:
            if len(candidate) > max(len(text), MIN_TEXT_CHARS - 1):
                text, how = candidate, name
                break
    return text, how


# ---------------------------------------------------------------------------------------------
# language


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


def detect_language(text: str, html_lang: str | None) -> str | None:
    """ISO 639-1 code from the text, with ``<html lang>`` as the hint when the text says little."""
    hint = None
    if html_lang:
        m = re.match(r"\s*([a-zA-Z]{2})\b", html_lang)
        hint = m.group(1).lower() if m else None
    sample = text[:1500]
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


# ---------------------------------------------------------------------------------------------
# page type

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
    total = sum(len(seg) for seg in _text_segments(body, 1_000_000))
    anchors = list(body.iter("a"))
    linked = sum(len(_text_of(a)) for a in anchors)
    return (min(1.0, linked / total) if total else 0.0), len(anchors)


def _linked_share(tree: lxml.html.HtmlElement, text: str) -> float:
    """Share of the extracted text made of paragraphs that are the whole text of a link."""
    anchors = {t for t in (_text_of(a) for a in tree.iter("a")) if len(t) >= 12}
    if not anchors or not text:
        return 0.0
    paras = text.split("\n\n")
    linked = sum(len(p) for p in paras if p in anchors)
    return linked / max(1, sum(len(p) for p in paras))


def _not_article_reason(
    tree: lxml.html.HtmlElement,
    text: str,
    meta: dict[str, list[str]],
    nodes: list[dict[str, Any]],
    ld: dict[str, Any] | None,
) -> str | None:
    n = len(text)
    if n == 0:
        return "no body text found"
    wall = _WALL.search(text[:2000]) if n < 1500 else None
    if wall:
        return f"consent wall or paywall stub ({wall.group(0)!r}, {n} chars of text)"
    if n < MIN_TEXT_CHARS:
        return f"too little body text ({n} chars)"
    og_type = (_first(meta, "og:type") or "").lower()
    page_types = set().union(*(_types(node) for node in nodes)) if nodes else set()
    if ld is None and not og_type.startswith("article"):
        bad = page_types & _NOT_ARTICLE_TYPES
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


# ---------------------------------------------------------------------------------------------
# the stage


def parse_article(
    data: bytes,
    url: str,
    outlet: str = "",
    *,
    charset: str | None = None,
    raw_ref: str | None = None,
) -> Article:
    """Extract the body text and metadata of one page. Never raises on bad input."""

    def reject(reason: str) -> Article:
        log.info("not an article: %s: %s", url, reason)
        return Article(
            url=url,
            canonical_url=clean_url(url, "") or url,
            outlet=outlet,
            title=None,
            authors=(),
            published_at=None,
            language=None,
            text="",
            is_article=False,
            not_article_reason=reason,
            raw_ref=raw_ref,
        )

    if not isinstance(data, (bytes, bytearray)) or not data:
        return reject("empty page")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        log.info("page %s is %d bytes; parsing the first %d", url, len(data), MAX_BYTES)
        data = data[:MAX_BYTES]
    try:
        html, _codec = decode_html(data, charset)
    except (LookupError, ValueError) as e:
        return reject(f"undecodable bytes ({e})")
    reason = _binary_reason(data, html)
    if reason:
        return reject(reason)
    tree = _parse_tree(html)
    if tree is None or tree.find("body") is None and len(tree) == 0:
        return reject("unparseable HTML")
    try:
        return _parse_tree_to_article(tree, url, outlet, raw_ref)
    except RecursionError:
        return reject("markup nested too deeply to process")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError) as e:
        # a page that trips a library we call is one bad document, not a failed run: record and skip
        log.warning("parse failed on %s: %r", url, e, exc_info=True)
        return reject(f"extraction failed ({type(e).__name__}: {e})")


def _parse_tree_to_article(
    tree: lxml.html.HtmlElement, url: str, outlet: str, raw_ref: str | None
) -> Article:
    large = _truncate_tree(tree, LARGE_TREE_ELEMENTS, LARGE_TEXT_CHARS)
    if large:
        log.info("page %s is oversized: cut to its first part, fast extraction only", url)
    meta = _meta_map(tree)
    nodes = jsonld_nodes(tree)
    canonical = _choose_canonical(tree, meta, url)
    ld = _article_node(nodes, canonical)
    sites = _site_names(meta, ld, outlet, canonical)
    title = _choose_title(tree, meta, ld, sites)
    authors = _choose_authors(tree, meta, nodes, ld, sites, large)
    published = _choose_date(tree, meta, ld, canonical if canonical.startswith("http") else url, large)
    # comments can carry dates (htmldate reads them) but they mislead the text extractor
    etree.strip_tags(tree, etree.Comment)
    text, how = _extract_body(tree, url, ld, large)
    log.debug("body of %s by %s: %d chars", url, how, len(text))
    language = detect_language(text, tree.get("lang") or _first(meta, "content-language", "og:locale"))
    reason = _not_article_reason(tree, text, meta, nodes, ld)
    return Article(
        url=url,
        canonical_url=canonical,
        outlet=outlet,
        title=title,
        authors=authors,
        published_at=published,
        language=language,
        text=text,
        is_article=reason is None,
        not_article_reason=reason,
        raw_ref=raw_ref,
    )
