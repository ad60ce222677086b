"""Authors as a clean list of the people a page names, from structured data, meta tags and visible bylines.

A page that names no person but credits an organisation as its author (the outlet itself, a wire
agency: "By The Associated Press", a JSON-LD author typed Organization) gets that credit as its one
author: it is what the page states, and an agency credit ties syndicated copies together across outlets.
A credit is never listed beside a person's name."""


from __future__ import annotations

import logging
import re
from copy import deepcopy
from html import unescape
from importlib import resources
from typing import Any

import lxml.html
from lxml import etree

from pipeline.dedupe import WIRE_AGENCIES
from pipeline.parse.jsonld import id_map, ld_types
from pipeline.parse.rules import enabled
from pipeline.parse.title import is_site
from pipeline.parse.tree import HEAD_SEGMENTS, header_pieces, norm, text_of, text_segments

log = logging.getLogger(__name__)



# "by" in the languages of the byline lexicon: "By Ana Lima", "Von Ana Lima", "Af Ana Lima"
_BY_WORDS = r"(?:by|von|par|por|di|door|av|af)"
_BY = re.compile(
    r"^\s*(?:(?:view|see|read|more)?\s*(?:all\s+)?(?:posts|articles|stories|written|posted|reported|"
    rf"published|text|words)\s+)?{_BY_WORDS}\b[:\s]*",
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
# "et", "y", "e" join names only in lower case: "Ana E. Lima" and "Ana Y Lima" hold an initial
_NAME_SPLIT = re.compile(
    r"\s*(?:,|;|\||\band\b|&|\bund\b|(?-i:\bet\b|\by\b|\be\b)|\n)\s*", re.IGNORECASE
)
# a run of 3+ digits is a date or a number, unless it ends a handle ("delta201")
_NOT_NAME = re.compile(r"https?://|www\.|@|(?<![^\W_])\d{3,}|[<>{}=#]|^\d")
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


_BRACKETED = re.compile(r"\s*[\(\[].*?[\)\]]")  # "(Reuters)", "[email]"


def _read_byline_words() -> dict[str, tuple[str, ...]]:
    """The byline lexicon (``data/byline_words.tsv``): kind -> its words, lower case, of every language."""
    text = (resources.files("pipeline") / "data" / "byline_words.tsv").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _lang, words = line.split("\t")
        out.setdefault(kind.strip(), []).extend(w.strip().lower() for w in words.split("|") if w.strip())
    return {kind: tuple(dict.fromkeys(words)) for kind, words in out.items()}


def _alternatives(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of ``words``, longest first, a space matching any white space."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_BYLINE_WORDS = _read_byline_words()
# a label in front of the names: one of the lexicon's ("Authors", "Text", "Af"), with or without its
# colon, or any one word followed by a colon ("Questioner:"), in any script
_CJK = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff]+$")  # kana and ideographs: no spaces between words
_LABEL = re.compile(
    rf"^\s*(?:(?:{_alternatives([w for w in _BYLINE_WORDS['label'] if not _CJK.match(w)])})(?![\w-])\s*[:：]?"
    rf"|(?:{_alternatives([w for w in _BYLINE_WORDS['label'] if _CJK.match(w)])})\s*[:：]?"
    r"|[^\W\d_][\w-]{0,24}\s*[:：])\s*",
    re.IGNORECASE,
)
# where a byline's date begins: a label of the date ("Updated", "Publicado"; "Posted by" is a label of
# the names) where a date follows it or where it opens the value, a weekday before a day number, or a month
# and one ("Monday, November 18", "Wed, 08"), a month beside a day number ("Nov 20", "20 Nov"). A weekday
# or month alone is no date: "Domingo", "April", "May" are names; nor is a date label alone after a name
# ("Peter Stand").
_MONTHS = _alternatives(_BYLINE_WORDS["month"])
_CALENDAR = _alternatives([*_BYLINE_WORDS["weekday"], *_BYLINE_WORDS["month"]])
_STAMPS = _alternatives(_BYLINE_WORDS["stamp"])
_STAMP_WORD = rf"(?:{_STAMPS})(?![\w-])(?!\s+{_BY_WORDS}\b)"
# what follows a date label where it starts a date: a colon, a digit or a calendar word a few characters
# on, or another date label ("publié le , mis à jour à": a page whose dates a script fills in)
_DATE_AFTER_STAMP = (
    rf"(?=\s*[:：]|.{{0,12}}?\d|.{{0,12}}?(?<![\w-])(?:{_CALENDAR})(?![\w-])"
    rf"|.{{0,24}}?(?<![\w-])(?:{_STAMPS})(?![\w-]))"
)
_DATE_START = re.compile(
    rf"^\s*{_STAMP_WORD}|(?<![\w-])(?:{_STAMP_WORD}{_DATE_AFTER_STAMP}"
    rf"|(?:{_alternatives(_BYLINE_WORDS['weekday'])})\.?,?\s*(?:(?:{_MONTHS})\.?\s*)?\d"
    rf"|(?:{_MONTHS})\.?,?\s*\d"
    rf"|\d{{1,2}}\.?\s+(?:{_CALENDAR})(?![\w-]))",
    re.IGNORECASE,
)


def _before_date(value: str, digits: bool = False) -> str:
    """``value`` up to where its date begins ("Ana Lima Monday, November 18" -> "Ana Lima"); with
    ``digits``, up to its first digit too (a byline slot's date or time in any format)."""
    m = _DATE_START.search(value)
    if m:
        value = value[: m.start()]
    if digits:
        value = re.split(r"\d", value, maxsplit=1)[0]
    return value


# a part of a byline that credits the pictures, video or graphics ("Photos: Tom Berg", "Illustration by
# Tom Berg"), up to the next separator: it names no author of the text
_PICTURE_CREDIT = re.compile(
    rf"(?:^|(?<=[,;|\n]))\s*(?:{_alternatives(_BYLINE_WORDS['picture'])})(?![\w-])\s*(?:[:：]|{_BY_WORDS}\b)"
    r"[^,;|\n]*",
    re.IGNORECASE,
)


def _without_picture_credits(value: str) -> str:
    """``value`` without its parts crediting pictures ("Text: Ana Lima, Photos: Tom Berg" -> "Text: Ana Lima")."""
    stripped = _PICTURE_CREDIT.sub("", value)
    return stripped if stripped == value else stripped.strip(" ,;|\n")


def _without_label(part: str) -> str:
    """``part`` without the labels in front of its names ("Авторы: Дмитрий Попов" -> "Дмитрий Попов")."""
    for _ in range(2):  # "By Text: ..."
        stripped = _LABEL.sub("", part, count=1)
        if stripped == part:
            break
        part = stripped
    return part


# job titles: a value ending in one of these nouns is a title ("AP Auto Writer", "Online News Editor")
_JOB_NOUNS = frozenset(_BYLINE_WORDS["job"])


def _job_word(word: str) -> str:
    """A word of a job title as the lexicon lists it: lower case, its hyphenated tail dropped
    ("Editor-at-large", "Editor-in-Chief" -> "editor")."""
    return word.lower().strip(".,").split("-", 1)[0]


def _without_title(part: str) -> str:
    """A name without the job title after it ("Ana Lima Staff Writer" -> "Ana Lima"); "" when the
    value is a title alone ("AP Auto Writer", "Online News Editor")."""
    words = part.split()
    if not words or _job_word(words[-1]) not in _JOB_NOUNS:
        return part
    while words and _job_word(words[-1]) in _ROLE_WORDS | _JOB_NOUNS:
        words.pop()
    if len(words) >= 2 and not any(w.lower() in _ROLE_WORDS or w.lower() in _ORG_WORDS for w in words):
        return " ".join(words)
    return ""


# a name run together with the next element's text: "Isabel KeaneJournal News" (a lower-case letter
# then a capital inside a word, after three lower-case letters: "MacKenzie", "DeArdo" are names)
_GLUED = re.compile(r"[A-Z][a-z]{3,}(?=[A-Z][a-z])")
# abbreviations a period may follow inside a name or title ("Prof. Ana Lima")
_ABBREVIATIONS = {
    "prof", "rev", "gen", "sen", "rep", "gov", "col", "capt", "sgt", "hon", "inc", "ltd", "corp", "bros",
    "mrs", "messrs", "mme", "mlle", "sra", "dra", "esq", "lic", "ing", "hrsg",
}
_STOP = re.compile(r"([^\W\d_]{3,})\.\s+(?=\S)")


def _before_stop(value: str) -> str:
    """A name followed by a period and more text ("Ana Lima. Harbour Wire International"): the name."""
    for m in _STOP.finditer(value):
        if m.group(1).lower() not in _ABBREVIATIONS and " " in value[: m.end(1)].strip():
            return value[: m.end(1)]
    return value


def _unglued(part: str) -> str:
    """``part`` cut where a name runs into an organisation's name ("Tom BergCity Journal" -> "Tom Berg")."""
    for m in _GLUED.finditer(part):
        # a person's name is two words or more: a cut leaving one word split a name written in camel
        # case ("InstaTunnel Team" is one team's name, not "Insta" glued to "Tunnel Team")
        if len(part[: m.end()].split()) >= 2 and any(
            w.lower().strip(".,") in _ORG_WORDS for w in part[m.end() :].split()
        ):
            return part[: m.end()]
    return part


# what a person's name may hold in lower case: name particles ("Ludwig van Beethoven")
_PARTICLES = {
    "van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin", "ibn", "al", "el", "y", "st",
    "del", "della", "dos", "das", "do", "ter", "ten", "zu", "af", "e", "dei",
}
# words that never stand in a name: a clause of the text ("stated that pills", "injections are about
# equally effective") or a label ("Medically Reviewed", "Board Certified") holds one of them
_NOT_IN_NAMES = {
    "the", "a", "an", "that", "this", "these", "those", "is", "are", "was", "were", "be", "been", "being",
    "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "must", "do", "does",
    "did", "not", "no", "or", "but", "if", "than", "then", "when", "what", "which", "who", "whom", "how",
    "why", "where", "about", "with", "from", "for", "into", "onto", "over", "under", "after", "before",
    "of", "on", "in", "at", "to", "as", "by", "it", "its", "they", "them", "their", "we", "our", "you",
    "your", "he", "she", "his", "her", "i", "my", "me", "us", "all", "more", "most", "very", "also", "only",
    "just", "so", "said", "says", "say", "stated", "states", "according", "here", "there", "equally",
    "effective", "certified", "certification", "reviewed", "verified", "accredited", "licensed",
    "registered", "approved", "medically", "fact", "checked", "trusted", "award", "winning", "seal",
    "badge", "member", "since", "posts", "view", "read", "profile", "follow", "share", "comments",
    # a quantity of the text ("by five times", "by ten percent")
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "hundred", "thousand",
    "million", "billion", "percent", "times", "twice",
}
# a company is no person: "Example Group", "Harbour Holdings Ltd"
_COMPANY_WORDS = {
    "group", "inc", "ltd", "llc", "gmbh", "plc", "corp", "corporation", "company", "holdings", "limited",
    "foundation",
}
# words of a media organisation's name ("The Washington Post" beside a person's name is their outlet)
_MEDIA_WORDS = {
    "news", "media", "press", "presse", "journal", "magazine", "tv", "radio", "network", "agency",
    "gazette", "tribune", "herald", "chronicle", "online",
}
_DOMAIN = re.compile(r"\w\.(?:com|org|net|co|info|[a-z]{2})$", re.IGNORECASE)


def _org_like(name: str) -> bool:
    """Whether ``name`` reads as an organisation's: "The ...", a domain, or a media word in it."""
    words = name.lower().split()
    return (
        words[:1] == ["the"]
        or bool(_DOMAIN.search(name))
        or any(w.strip(".,") in _MEDIA_WORDS | _COMPANY_WORDS for w in words)
    )


_CREDIT_ROLES = {"staff", "editors", "writers", "reporters", "team", "desk", "newsroom"}
# a user name in place of a display name: "jane.doe", "jane_doe", "jane-doe"
_HANDLE_PARTS = re.compile(r"^([a-z][a-z'’]+)[._-]([a-z][a-z'’]+)$")
_GENERIC_TLDS = {"com", "org", "net", "info", "io", "gov", "edu", "biz", "co", "news", "online"}
_EMAIL = re.compile(r"^([\w.+-]+)@[\w-]+(?:\.[\w-]+)+$")


def _name_from_handle(value: str) -> str | None:
    """A user handle or e-mail address as the name it spells ("jane.doe", "jane.doe@example.org" ->
    "Jane Doe"); None for any other handle or address, which names nobody readably."""
    s = value.strip()
    email = _EMAIL.match(s)
    if email:
        s = email.group(1)
    m = _HANDLE_PARTS.match(s.lower()) if s == s.lower() else None
    if m and m.group(2) in _GENERIC_TLDS:
        return None  # a domain ("example.com"), not "first.last"
    if m:
        return f"{m.group(1).capitalize()} {m.group(2).capitalize()}"
    return None if email else value


def looks_like_name(name: str) -> bool:
    """Whether ``name`` reads as a person's name: one to five words, each capitalised (or a name
    particle, or an initial), no digits, and none of the words that make a phrase of the text or a
    label. All-lower-case words are a phrase or a user handle, not a display name."""
    words = name.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in name):
        return False
    capitalised = 0
    for i, word in enumerate(words):
        core = word.strip(".,;:'’\"()")
        low = core.lower()
        if not core:
            return False
        if len(core) == 1 and core.isupper():
            capitalised += 1  # an initial: "Jane A Doe"
            continue
        # a word of running text as it is written there: in lower case, or capitalised after the
        # first word ("Board Certified"); a first word "Will" or "The" starts a name
        if low in _NOT_IN_NAMES and (core.islower() or i > 0):
            return False
        if low in _PARTICLES and capitalised:
            continue
        if i == len(words) - 1 and capitalised and low in _CREDIT_ROLES:
            continue  # "The Currency editors", "Example Gazette staff": a credit of the outlet's staff
        if core[:1].islower() or not core[:1].isalpha():
            return False  # scripts without case (Arabic, Devanagari, CJK) pass
        if low.endswith(("'s", "’s")) or low in _COMPANY_WORDS:
            return False  # a possessive ("Kirin's Lion") or a company ("Example Group") is no name
        capitalised += 1
    return capitalised > 0


def _without_by(raw: str) -> str:
    """A byline or author value as text: entities decoded, white space folded, a leading "By" dropped."""
    from html import unescape

    return _BY.sub("", " ".join(unescape(raw).split()))


def _clean_person(raw: str, sites: set[str], handles: frozenset[str] = frozenset()) -> list[str]:
    """Split a byline or author value into clean person names.

    A value naming the outlet is dropped, unless it reads as a person's name (a personal site). A
    part that does not read as a name is dropped, unless it is one of ``handles``: the one-word
    names shown after a visible "By" or "Author:" label (a forum's or blog's display name).
    """
    s = _without_picture_credits(_before_date(_BRACKETED.sub("", _without_by(raw))))
    s = re.split(r"\s+[|–—]\s+|\s+-\s+|\s*／\s*", s)[0]  # "Jane Doe - Staff Writer", "林宸誼／即時報導"
    s = _before_stop(s)  # "Jane Doe. Example Wire International"
    names: list[str] = []
    phrase = False  # a part of the value reads as text, not a name
    credit = False  # a part credits the outlet or a wire agency
    for part in _NAME_SPLIT.split(s):
        part = _LEADING_ROLES.sub("", _without_label(_BY.sub("", part))).strip(" .:-–—·•\t")
        part = _name_from_handle(part) or ""
        if not part or _NOT_NAME.search(part):
            continue
        if _names_agency(part) or _outlet_kind(part, sites) == "outlet" or _credits_outlet(part, sites):
            credit = True
            continue
        part = _without_title(_unglued(part))
        if not part:
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
        if not looks_like_name(part) and part not in handles:
            log.debug("author value %r does not read as a name: dropped", part)
            phrase = True
            continue
        names.append(part)
    if phrase or credit:
        # split off a phrase ("Center for Drug Evaluation and Research"), a lone word is its tail; beside
        # an agency's or the outlet's credit, it is a dateline's place ("Reuters, Lisbon") or a section
        names = [n for n in names if len(n.split()) > 1 and not (phrase and n.lower().startswith("the "))]
    if any(not _org_like(n) for n in names):
        # "Jane Doe, The Washington Post", "Jane Doe, Example.com": the person's outlet, no co-author
        names = [n for n in names if not _org_like(n)]
    return names


_ORG_WORDS = {
    "news", "press", "presse", "media", "times", "post", "journal", "foundation", "group", "inc", "ltd",
    "llc", "gmbh", "magazine", "daily", "weekly", "online", "tv", "radio", "network", "agency", "staff",
    "team", "editors", "editorial", "desk", "reports", "blog", "institute", "university", "association",
    "company", "gazette", "tribune", "herald", "chronicle", "observer", "review", "today", "clinic",
    "hospital", "center", "centre", "council", "committee", "bank", "party", "club", "society", "digital",
}


# the outlet's newsroom, credited in place of a person ("Redacción La Razón", "Redação")
_NEWSROOM = frozenset(_BYLINE_WORDS["newsroom"])


def _credits_outlet(part: str, sites: set[str]) -> bool:
    """Whether ``part`` credits the outlet rather than a person: its newsroom ("Redacción La Razón"),
    or its name followed by a section or a desk ("Example Gazette Sport", "Example Gazette Andalucía")."""
    words = norm(part).split()
    if words and words[0] in _NEWSROOM:
        return True
    squeezed = [s.replace(" ", "") for s in sites if len(s.split()) >= 2]
    return any("".join(words[:k]) in squeezed for k in range(2, len(words)))


def _outlet_kind(name: str, sites: set[str]) -> str | None:
    """None for a name that is not the outlet's; "personal" when the outlet's name reads as a person's
    (a personal site: kept only when nobody else is named); "outlet" otherwise (always dropped)."""
    n = norm(name)
    if n.replace(" ", "") not in {s.replace(" ", "") for s in sites}:
        return None
    words = name.split()
    looks_personal = (
        2 <= len(words) <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(w.lower() in _ORG_WORDS for w in words)
    )
    return "personal" if looks_personal else "outlet"


# wire agencies as bylines name them (the project's agency lexicon, shared with pipeline.dedupe); a
# byline crediting one of these (or the outlet) names no person
_AGENCIES = frozenset(norm(name).removeprefix("the ") for agency in WIRE_AGENCIES for name in agency.names)


def _names_agency(text: str) -> bool:
    """Whether ``text`` is a wire agency's name and nothing else ("The Associated Press", "JIJI")."""
    return norm(text).removeprefix("the ") in _AGENCIES
_CREDIT_TAIL = {"staff", "reports", "report", "wire", "wires", "service", "services", "writers", "reporters"}


def _credit(raw: str, sites: set[str]) -> str | None:
    """The organisation a byline value credits in place of a person: the outlet itself ("By Example
    Gazette") or a wire agency ("By The Associated Press", "Reuters staff"); None for anything else,
    generic words alone ("Staff", "Admin") included."""
    s = _LEADING_ROLES.sub("", _without_label(_without_by(raw)))
    words = _BRACKETED.sub("", s).strip(" .:-–—·•").split()
    while words and words[-1].lower() in _CREDIT_TAIL:
        words.pop()  # "Reuters staff"
    name = " ".join(words)
    if not name or len(words) > 5 or _NOT_NAME.search(name):
        return None
    if _names_agency(name):
        return name
    if words[0].lower() in _NEWSROOM and len(words) > 1:
        return _credit(" ".join(words[1:]), sites)  # "Redacción La Razón": the outlet's newsroom
    for k in range(len(words) - 1, 1, -1):  # "Example Gazette Andalucía": the outlet and a section
        if _outlet_kind(" ".join(words[:k]), sites) == "outlet":
            return " ".join(words[:k])
    key = norm(name)
    if all(w in _ROLE_WORDS or w in _ORG_WORDS for w in key.split()):
        return None  # "News", "Staff and News": generic words, even where they match a site name
    return name if _outlet_kind(name, sites) == "outlet" else None


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
    rf"(?:^|[·|–—,;])\s*(?:{_alternatives(_BYLINE_WORDS['picture'])})\s*$", re.IGNORECASE
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
        name = _credit(value, sites)
        if name is None:
            return None
        if credits is not None and not credits:
            credits.append(name)
        return "outlet" if _outlet_kind(name, sites) == "outlet" else "agency"

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
            if _PERSONISH.match(nxt) and _outlet_kind(nxt, sites) != "outlet":
                return [nxt]
            generic = nxt.lower() in _ROLE_WORDS or nxt.lower() in _ORG_WORDS or _LOGIN.search(nxt)
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
            if _PERSONISH.match(first) and _outlet_kind(first, sites) != "outlet":
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
    text = _before_date(unescape(found), digits=True)
    parts = (_PLACE_OR_OUTLET_TAIL.sub("", _AT_HANDLE.sub("", p)).strip() for p in re.split(r"[;,|\n]", text))
    return [p for p in parts if p.strip(" .:-–—·•")]


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
        credited.extend(c for c in (_credit(v, sites) for v in found) if c)
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
        return [name for value in values for name in _clean_person(value, sites, handles)]

    def people(names: list[str]) -> list[str]:
        """The names that do not name an outlet or agency."""
        return [n for n in names if _outlet_kind(n, sites) is None]

    # JSON-LD and author meta tags complement each other (one often lists fewer authors than the other);
    # the structure-less sources are used only when neither names anyone. A name equal to the outlet's
    # (a personal site) is the last resort.
    declared = clean(_ld_author_values(ld, ids)) + clean(meta_values)
    names = people(declared)
    if not names:
        found = clean(from_graph()) + clean(from_bylines())
        names = (
            people(found)
            or declared
            or found
            or _credits(ld, ids, meta_values, sites)[:1]
            or credited[:1]
            or _header_agency(tree, head)
            or _declared_handle(_ld_author_values(ld, ids) + meta_values, sites)
        )
    elif any(len(n.split()) == 1 for n in names) and enabled("authors.first_name_expansion"):
        # a first name alone ("Todd"): the visible byline may give the full name
        shown = people(clean(_text_bylines(tree, sites, head=head)))
        names = [next((b for b in shown if b.split()[0].lower() == n.lower()), n) for n in names]
    return _dedupe_names(_without_lone_words(names))


def _declared_handle(values: list[str], sites: set[str]) -> list[str]:
    """The page's one declared author when it is a user handle or a lower-case name ("jdoe",
    "sara.r.peter", "q_admin"): the name test drops those as display names, yet when the page
    names nobody else it is who the page says wrote it. A URL, an address or the site's name is not."""
    found = {v for v in (_without_by(raw).strip(" .:-–—·•") for raw in values) if v}
    if len(found) != 1:
        return []
    value = found.pop()
    handle_like = value == value.lower() or any(ch in value for ch in "._-")
    if not handle_like or not _HANDLE.match(value) or _NOT_NAME.search(value) or is_site(value, sites):
        return []  # a capitalised word alone ("Editorial", "Redação") is a generic credit, not a login
    if not enabled("authors.declared_handle"):
        return []
    return [value]


def _without_lone_words(names: list[str]) -> list[str]:
    """A one-word name beside full names is a credit (an outlet, a partner site) or a handle, not a
    co-author: "Jane Doe, Grist". One-word names alone ("Maria", "Katerina") are kept."""
    if not any(len(n.split()) >= 2 for n in names):
        return names
    return [n for n in names if len(n.split()) >= 2]


HEADER_SENTENCE_CHARS = 80  # a header piece longer than this is a sentence of the text (or a standfirst)


def _header_agency(tree: lxml.html.HtmlElement, head: list[str] | None) -> list[str]:
    """A wire agency named alone in the article's header ("JIJI", "Reuters" on a credit line of
    its own, without "By"): the article is the agency's."""
    for piece in header_pieces(tree, head):
        if len(piece) > HEADER_SENTENCE_CHARS:
            break  # the text has begun: a name further on is not the header's
        if _names_agency(piece):
            return [piece.strip(" .:-–—·•|")] if enabled("authors.header_agency") else []
    return []


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
        name = _credit(value, sites)
        if name:
            out.append(name)
    return out


def _without_middle_initials(key: str) -> str:
    """A normalised name without its one-letter words between the first and the last ("troy l smith" ->
    "troy smith"); a final one ("malcolm x") is kept."""
    words = key.split()
    if len(words) < 3:
        return key
    return " ".join([words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]])


def _dedupe_names(names: list[str]) -> tuple[str, ...]:
    """Drop repeats, ignoring case and punctuation; one name equal to another without its middle
    initials ("Troy L. Smith", "Troy Smith"; never two with different initials: "Tom L. Berg", "Tom K.
    Berg"); and names contained in a longer one ("Todd")."""
    keys = [norm(n) for n in names]
    bare = [_without_middle_initials(k) for k in keys]
    out: list[str] = []
    kept: list[int] = []
    for i, (name, key) in enumerate(zip(names, keys, strict=True)):
        if not key or any(key == keys[j] or key == bare[j] or bare[i] == keys[j] for j in kept):
            continue
        if any(bare[i] != other and f" {bare[i]} " in f" {other} " for other in bare):
            continue
        kept.append(i)
        out.append(name)
    return tuple(out)
