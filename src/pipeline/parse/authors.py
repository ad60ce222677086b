"""Authors as a clean list of the people a page names, from structured data, meta tags and visible bylines.

A page that names no person but credits an organisation as its author (the outlet itself, a wire
agency: "By The Associated Press", a JSON-LD author typed Organization) gets that credit as its one
author: it is what the page states, and an agency credit ties syndicated copies together across outlets.
A credit is never listed beside a person's name."""


from __future__ import annotations

import logging
import re
import unicodedata
from copy import deepcopy
from html import unescape
from typing import Any

import lxml.html
from lxml import etree

from pipeline.parse.byline_words import (
    BYLINE_WORDS,
    NOT_NAME,
    ORG_WORDS,
    ROLE_WORDS,
    alternatives,
    before_date,
    without_by,
)
from pipeline.parse.credits import header_agency, organisation_credit, outlet_kind
from pipeline.parse.jsonld import id_map, ld_types
from pipeline.parse.names import clean_person, dedupe_names, without_lone_words
from pipeline.parse.rules import enabled
from pipeline.parse.title import is_site
from pipeline.parse.tree import HEAD_SEGMENTS, text_of, text_segments

log = logging.getLogger(__name__)


_AUTHOR_META = (
    "author", "authors", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator",
    "dc:creator", "dcterms.creator", "citation_author", "atc-metaauthor", "rbauthors", "dcsext.author",
    "shareaholic:article_author_name",
)


def _ld_author_values(
    ld: dict[str, Any] | None, ids: dict[str, dict[str, Any]], organisations: bool = False
) -> list[str]:
    """The author names of the JSON-LD article; organisations are left out unless asked for."""
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
                types = ld_types(a)
                if types and "person" not in types and not organisations:
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
    r"^[\s|·•–—-]*(?:(?:(?:written|posted|published|reported|words|text|story|article)\s+)?by\s*:?"
    r"|(?:author|autor|autorin|auteur|autore)\s*:)\s*$",  # "Author:" with its colon: a label
    re.IGNORECASE,
)
_BY_INLINE = re.compile(r"(?:^|[\s|·•–—,])by\s*:?\s+(\S.*)$", re.IGNORECASE)
_NOT_BYLINE_BEFORE = re.compile(
    r"\b(?:powered|hosted|designed|developed|supported|sponsored|presented|brought|made|built|run|owned|"
    r"operated|followed|inspired|caused|led|organi[sz]ed|funded|produced|edited|photographed|"
    r"illustrated|translated|licensed|protected|verified|reviewed|crafted|created|coded|themed|with)\s*$",
    re.IGNORECASE,
)
# a copyright notice running into an inline "by" ("© 2024 Theme by Example"): a credit of the site. Its
# reach ends at a separator ("Photo © Harbour Images · By Ana Lima" is a photo credit, then the byline)
_COPYRIGHT_BEFORE = re.compile(r"(?:©|\bcopyright\b)[^·|–—]*$", re.IGNORECASE)
# a credit label of the pictures before "by", opening a piece or after a separator ("Photos by Tom Berg"):
# the photographer's credit ("Words and photos by Ana Lima" is the writer's)
_PICTURE_BEFORE = re.compile(
    rf"(?:^|[·|–—,;])\s*(?:{alternatives(BYLINE_WORDS['picture'])})\s*$", re.IGNORECASE
)
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|(?:van|von|de|der|den|da|di|du|la|le|bin|al|el|y|st\.?)|[A-Z]\.)"
_PERSONISH = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}$")
_HANDLE = re.compile(r"^[^\W\d_][\w.-]{1,29}$")
# a CMS login: "siteadmin", "webmaster2", "editor_1" name an account, not a person; a word of a login
# other than "admin" and "webmaster" marks one only as the whole handle, digits or "._-" aside ("Staffan",
# "Rootsi" are names)
_LOGIN = re.compile(r"admin|webmaster|^(?:moderator|editor|root|user|staff)[\d._-]*$", re.IGNORECASE)
# the site's footers: a <footer> (or the "contentinfo" landmark) outside the article and the main content
_SITE_FOOTERS = etree.XPath(
    "descendant-or-self::*[self::footer or @role='contentinfo'][not(ancestor::article) and not(ancestor::main)]"
)


def _text_bylines(
    tree: lxml.html.HtmlElement,
    sites: set[str],
    credits: list[str] | None = None,
    head: list[str] | None = None,
    handles: set[str] | None = None,
) -> list[str]:
    """A visible "By Jane Doe" from the headline on: "By" alone followed by a name anywhere after it,
    or "... by Jane Doe" inline close to it. Names of the outlet are passed over; the first byline
    crediting the outlet or a wire agency is added to ``credits`` when given, and a one-word display
    name returned after a lone label ("by marc") to ``handles``."""
    root = tree.find("body")
    if root is None:
        return []

    def credit(value: str) -> str | None:
        """Whether ``value`` credits an organisation: "outlet" (pass over it and read on) or
        "agency" (a wire agency's byline: the article's, naming nobody); None otherwise."""
        name = organisation_credit(value, sites)
        if name is None:
            return None
        if credits is not None and not credits:
            credits.append(name)
        return "outlet" if outlet_kind(name, sites) == "outlet" else "agency"

    segments = head if head is not None else text_segments(root, HEAD_SEGMENTS)
    footer: set[str] | None = None

    def in_site_footer(seg: str) -> bool:
        """Whether ``seg`` is text of the site's footer (outside the article): a "By ..." there is
        a menu heading or a credit of the site ("By Example Hotels"), not the article's byline."""
        nonlocal footer
        if footer is None:
            footer = {piece for el in _SITE_FOOTERS(root) for piece in text_segments(el, 2000)}
        return seg in footer and enabled("authors.site_footer")

    start = 0
    h1 = next(root.iter("h1"), None)
    if h1 is not None:
        headline = text_of(h1)
        first_word = headline.split()[0] if headline else ""
        start = next((i for i, seg in enumerate(segments) if first_word and first_word in seg), 0)
    start = max(0, start - 3)
    for i in range(start, len(segments)):
        seg = segments[i]
        if len(seg) > 160:
            continue
        if _BY_ALONE.match(seg):
            before = segments[i - 1] if i > 0 else ""
            if in_site_footer(seg) or _NOT_BYLINE_BEFORE.search(before) or _PICTURE_BEFORE.search(before):
                continue  # "Designed" / "Crafted with" + "by": a credit of the site
            nxt = next((x for x in segments[i + 1 : i + 4] if x.strip(" |·•,")), "").strip(" |·•,")
            kind = credit(nxt)
            if kind == "agency":
                return []  # a wire agency's byline is the article's, and it names nobody
            if kind:
                continue
            if _PERSONISH.match(nxt) and outlet_kind(nxt, sites) != "outlet":
                return [nxt]
            generic = nxt.lower() in ROLE_WORDS or nxt.lower() in ORG_WORDS or _LOGIN.search(nxt)
            if _HANDLE.match(nxt) and not generic and not is_site(nxt, sites) and enabled("authors.handle_after_by"):
                if handles is not None:
                    handles.add(nxt)
                return [nxt]  # a one-word name or handle right after a lone "by" ("by marc")
            continue
        m = _BY_INLINE.search(seg) if i < start + 150 else None
        before = seg[: m.start() + 1] if m else ""
        credit_line = any(r.search(before) for r in (_NOT_BYLINE_BEFORE, _COPYRIGHT_BEFORE, _PICTURE_BEFORE))
        if m and not credit_line and not in_site_footer(seg):
            names = m.group(1).strip()
            first = re.split(r"\s*(?:,|\band\b|&|\s[-–—|]\s)\s*", names)[0].strip(" .")
            kind = credit(names)
            if kind == "agency":
                return []
            if kind:
                continue
            if _PERSONISH.match(first) and outlet_kind(first, sites) != "outlet":
                return [names]
    return []


_AT_HANDLE = re.compile(r"@\w+")
# what follows a name in a byline slot: "Ana Lima in Lisbon", "Ana Lima for Example Gazette"
# lower case only: "Kim In Young" and "Marta Von Am Ende" are names, "Ana Lima in Lisbon" is not
_PLACE_OR_OUTLET_TAIL = re.compile(r"\s+(?:am|on|for|at|in|to|from|of|via|with)\s+.*$")


def _byline_values(tree: lxml.html.HtmlElement) -> list[str]:
    """The parts of the page's byline slot, found by trafilatura's author XPaths, as written there:
    its case kept, cut where its date begins (trafilatura's own normalisation title-cases a login
    and splits a date into words: "Monday", "Nov")."""
    from trafilatura.metadata import extract_metainfo, prune_unwanted_nodes
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    try:
        subtree = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS)
        found = extract_metainfo(subtree, AUTHOR_XPATHS, len_limit=120)
    except (ValueError, TypeError, etree.XPathError) as e:
        log.debug("byline search failed: %s", e)
        return []
    if not found or found.lower().startswith("http"):
        return []
    text = before_date(unescape(found), digits=True)
    parts = (_PLACE_OR_OUTLET_TAIL.sub("", _AT_HANDLE.sub("", p)).strip() for p in re.split(r"[;,|\n]", text))
    return [p for p in parts if p.strip(" .:-–—·•")]


# a label of the Twitter card's label/value pairs that introduces the author ("Written by" beside
# "Jane Doe", as SEO plugins write it): one of the byline lexicon's labels, in full
_AUTHOR_LABELS = frozenset(" ".join(w.split()) for w in BYLINE_WORDS["label"]) - {"text", "words", "texte", "texto"}


def _card_author(meta: dict[str, list[str]]) -> list[str]:
    """The author an SEO plugin states in the Twitter card's label/value pairs ("twitter:label1" =
    "Written by", "twitter:data1" = "Jane Doe"); [] when no pair's label names the author."""
    for i in range(1, 6):
        labels, values = meta.get(f"twitter:label{i}"), meta.get(f"twitter:data{i}")
        if labels and values and " ".join(labels[0].lower().strip(" :：").split()) in _AUTHOR_LABELS:
            return values[:1]
    return []


# a link to an author's page: "/author/jane-doe/", "/authors/jane-doe", "/contributors/jane-doe"
_AUTHOR_PAGE = re.compile(
    r"/(?:author|authors|autor|autore|autores|autoren|auteur|auteurs|contributor|contributors|writer|writers|"
    r"columnist|columnists|journalist|journalists|reporter|reporters)/([^/?#]+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_LINKED_AUTHORS_MAX = 3  # more names linked to author pages than this: a list of other articles


def _squeezed(text: str) -> str:
    """``text`` as letters and digits only, lower case, accents dropped ("Zoë O'Neil" -> "zoeoneil")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


_NAVIGATION = re.compile(r"menu|(?<![a-z])nav", re.IGNORECASE)
_NAVIGATION_DEPTH = 3


def _in_navigation(el: lxml.html.HtmlElement) -> bool:
    """Whether ``el`` sits in the site's navigation: inside a ``<nav>`` or ``<footer>``, or within
    ``_NAVIGATION_DEPTH`` levels of a container whose class or id says menu or nav (a menu of the
    site's columnists links each to their page; a page-wide wrapper's "has-menu" class says nothing)."""
    for depth, anc in enumerate(el.iterancestors()):
        if anc.tag in ("nav", "footer"):
            return True
        if depth < _NAVIGATION_DEPTH and _NAVIGATION.search(f"{anc.get('class') or ''} {anc.get('id') or ''}"):
            return True
    return False


def _linked_author(tree: lxml.html.HtmlElement) -> list[str]:
    """The first name the page links to its author page, where the page's address spells the link's
    text ("/authors/jane-doe/" for "Jane Doe"); [] when there is none or when more than
    ``_LINKED_AUTHORS_MAX`` names are linked so (a list of other articles, each with its author)."""
    root = tree.find("body")
    if root is None:
        return []
    found: list[str] = []
    for a in root.iter("a"):
        m = _AUTHOR_PAGE.search(a.get("href") or "")
        if not m or _in_navigation(a):
            continue
        text = " ".join(a.text_content().split())
        key, slug = _squeezed(text), _squeezed(m.group(1))
        if 3 <= len(key) and len(text) <= 60 and (key in slug or slug in key) and text not in found:
            found.append(text)
    return found[:1] if 1 <= len(found) <= _LINKED_AUTHORS_MAX else []


def choose_authors(
    tree: lxml.html.HtmlElement,
    meta: dict[str, list[str]],
    nodes: list[dict[str, Any]],
    ld: dict[str, Any] | None,
    sites: set[str],
    large: bool = False,
    head: list[str] | None = None,
) -> tuple[str, ...]:
    """Person names from JSON-LD and author meta tags, else the JSON-LD graph, else bylines; when none
    names a person, the organisation the page credits. ``head``: the body's first text pieces
    (``tree.text_segments``), when the caller has them."""
    ids = id_map(nodes)
    meta_values = [v for key in _AUTHOR_META for v in meta.get(key, []) if not v.lower().startswith("http")]

    credited: list[str] = []  # the outlet or agency a visible byline credits, met on the way
    shown_handles: set[str] = set()  # display names after a visible "By" label

    def from_bylines() -> list[str]:
        """Names in the visible bylines; else, on pages not too large, trafilatura's byline search (noting credits)."""
        shown = _text_bylines(tree, sites, credited, head, shown_handles)
        if shown or large:  # trafilatura's byline search copies the whole tree
            return shown
        found = _byline_values(tree)
        credited.extend(c for c in (organisation_credit(v, sites) for v in found) if c)
        return [", ".join(found)] if found else []  # one value: a credit in it tells a dateline from a name

    def from_graph() -> list[str]:
        """The JSON-LD graph's authors, when the ``authors.graph_persons`` switch is on."""
        found = graph_authors()
        return found if found and enabled("authors.graph_persons") else []

    def graph_authors() -> list[str]:
        """A WebPage node's authors, else the page's Person nodes when there are one to three, else none."""
        # no author on the article node: a WebPage's author, else the page's only Person nodes
        for node in nodes:
            if node is not ld and "webpage" in ld_types(node) and node.get("author"):
                return _ld_author_values(node, ids)
        persons = [n for n in nodes if ld_types(n) == {"person"} and isinstance(n.get("name"), str)]
        return [n["name"] for n in persons] if 1 <= len(persons) <= 3 else []

    def clean(values: list[str]) -> list[str]:
        """The person names found in ``values``, cleaned."""
        handles = frozenset(shown_handles)
        return [name for value in values for name in clean_person(value, sites, handles)]

    def people(names: list[str]) -> list[str]:
        """The names that do not name an outlet or agency."""
        return [n for n in names if outlet_kind(n, sites) is None]

    # JSON-LD and author meta tags complement each other (one often lists fewer authors than the other);
    # the structure-less sources are used only when neither names anyone. A name equal to the outlet's
    # (a personal site) is the last resort.
    declared = clean(_ld_author_values(ld, ids)) + clean(meta_values)
    if not people(declared):
        card = clean(_card_author(meta))
        if people(card) and enabled("authors.twitter_card"):
            declared += card
    names = people(declared)
    if not names:
        found = clean(from_graph()) + clean(from_bylines())
        if not people(found):
            linked = clean(_linked_author(tree))
            if people(linked) and enabled("authors.author_link"):
                found += linked
        names = (
            people(found)
            or declared
            or found
            or _credits(ld, ids, meta_values, sites)[:1]
            or credited[:1]
            or header_agency(tree, head)
            or _declared_handle(_ld_author_values(ld, ids) + meta_values, sites)
        )
    elif any(len(n.split()) == 1 for n in names) and enabled("authors.first_name_expansion"):
        # a first name alone ("Todd"): the visible byline may give the full name
        shown = people(clean(_text_bylines(tree, sites, head=head)))
        names = [next((b for b in shown if b.split()[0].lower() == n.lower()), n) for n in names]
    return dedupe_names(without_lone_words(names))


def _declared_handle(values: list[str], sites: set[str]) -> list[str]:
    """The page's one declared author when it is a user handle or a lower-case name ("jdoe",
    "sara.r.peter", "q_admin"): the name test drops those as display names, yet when the page
    names nobody else it is who the page says wrote it. A URL, an address or the site's name is not."""
    found = {v for v in (without_by(raw).strip(" .:-–—·•") for raw in values) if v}
    if len(found) != 1:
        return []
    value = found.pop()
    handle_like = value == value.lower() or any(ch in value for ch in "._-")
    if not handle_like or not _HANDLE.match(value) or NOT_NAME.search(value) or is_site(value, sites):
        return []  # a capitalised word alone ("Editorial", "Redação") is a generic credit, not a login
    if not enabled("authors.declared_handle"):
        return []
    return [value]


def _credits(
    ld: dict[str, Any] | None, ids: dict[str, dict[str, Any]], meta_values: list[str], sites: set[str]
) -> list[str]:
    """When no person is named anywhere, the organisation the page credits as the author is the author:
    a JSON-LD author (typed as an organisation or not) or an author value, when it names the outlet or a
    wire agency. Other organisations (a sponsor, a company, a certifying body) are not credited: they
    are often what the page is about or who paid for it, not who wrote it."""
    named = _ld_author_values(ld, ids)
    typed = [v for v in _ld_author_values(ld, ids, organisations=True) if v not in named]
    out: list[str] = []
    for value in typed + named + meta_values:
        name = organisation_credit(value, sites)
        if name:
            out.append(name)
    return out
