"""Person names out of one byline or author value, and the list of names a page gets: the name test,
handles spelled as names, a person's outlet beside the name, repeats and lone words dropped."""

from __future__ import annotations

import logging
import re

from pipeline.parse.byline_words import (
    BRACKETED,
    CREDENTIALS,
    LEADING_BY,
    LEADING_ROLES,
    NAME_SPLIT,
    NOT_NAME,
    ROLE_WORDS,
    SUFFIXES,
    before_date,
    before_stop,
    unglued,
    without_by,
    without_label,
    without_picture_credits,
    without_title,
)
from pipeline.parse.credits import credits_outlet, names_agency, outlet_kind
from pipeline.parse.rules import enabled
from pipeline.parse.tree import norm

log = logging.getLogger(__name__)


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


def clean_person(raw: str, sites: set[str], handles: frozenset[str] = frozenset()) -> list[str]:
    """Split a byline or author value into clean person names.

    A value naming the outlet is dropped, unless it reads as a person's name (a personal site). A
    part that does not read as a name is dropped, unless it is one of ``handles``: the one-word
    names shown after a visible "By" or "Author:" label (a forum's or blog's display name).
    """
    s = without_picture_credits(before_date(BRACKETED.sub("", without_by(raw))))
    s = re.split(r"\s+[|–—]\s+|\s+-\s+|\s*／\s*", s)[0]  # "Jane Doe - Staff Writer", "林宸誼／即時報導"
    s = before_stop(s)  # "Jane Doe. Example Wire International"
    names: list[str] = []
    phrase = False  # a part of the value reads as text, not a name
    credit = False  # a part credits the outlet or a wire agency
    for part in NAME_SPLIT.split(s):
        part = LEADING_ROLES.sub("", without_label(LEADING_BY.sub("", part))).strip(" .:-–—·•\t")
        part = _name_from_handle(part) or ""
        if not part or NOT_NAME.search(part):
            continue
        if names_agency(part) or outlet_kind(part, sites) == "outlet" or credits_outlet(part, sites):
            credit = True
            continue
        part = without_title(unglued(part))
        if not part:
            continue
        low = part.lower().strip(".")
        if low in SUFFIXES and names:
            names[-1] = f"{names[-1]} {part}"
            continue
        if low in CREDENTIALS or low.replace(".", "") in CREDENTIALS:
            if names and enabled("authors.credentials_kept"):
                names[-1] = f"{names[-1]}, {part}"  # "Ana Lima, PhD": how the page names its author
            continue
        words = part.split()
        if len(words) > 5 or len(part) > 60:
            continue
        if all(w.lower().strip(".,") in ROLE_WORDS for w in words):
            continue
        if outlet_kind(part, sites) == "outlet":
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


def without_lone_words(names: list[str]) -> list[str]:
    """A one-word name beside full names is a credit (an outlet, a partner site) or a handle, not a
    co-author: "Jane Doe, Grist". One-word names alone ("Maria", "Katerina") are kept."""
    if not any(len(n.split()) >= 2 for n in names):
        return names
    return [n for n in names if len(n.split()) >= 2]


def _without_middle_initials(key: str) -> str:
    """A normalised name without its one-letter words between the first and the last ("troy l smith" ->
    "troy smith"); a final one ("malcolm x") is kept."""
    words = key.split()
    if len(words) < 3:
        return key
    return " ".join([words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]])


def dedupe_names(names: list[str]) -> tuple[str, ...]:
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
