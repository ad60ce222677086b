"""Shared word lists and folding for speakers and entities: titles, countries, keys."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("person", "organisation", "country", "group")

PRONOUNS = {"he", "she", "him", "her", "his", "hers", "i", "me", "my", "we", "us", "our", "they", "them", "their"}
PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "i", "me", "my"}
EMPTY_SPEAKERS = {"", "that", "this", "it"}
GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}
GENDER_WINDOW = 250  # characters after a person's mention in which "he"/"she" count as that person's
ROMAN = re.compile(r"[IVX]+")
ARTICLES = {"the", "a", "an", "this", "that", "these", "those"}
SUB_WORDS = {
    "campaign",
    "camp",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "aide",
    "aides",
    "adviser",
    "advisers",
    "advisor",
    "advisors",
    "staff",
    "staffer",
    "staffers",
    "manager",
    "surrogate",
    "surrogates",
    "team",
    "office",
    "plan",
    "website",
    "statement",
}
COUNTRY_HEADS = {"country", "nation", "regime", "government", "state", "kingdom", "republic", "dictatorship"}
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
NAME_PARTICLES = {"de", "van", "von", "der", "da", "del", "la", "le", "bin", "al"}
WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w’'.-]*|\S")
POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def fold(text: str) -> str:
    """Lower case without accents, curly quotes made straight."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def slug(text: str) -> str:
    """The id part of a folded name: its letters, digits and marks in any script, each run of
    anything else one hyphen ("Donald J. Trump" -> "donald-j-trump", "Ali Øster" -> "ali-øster",
    "Αλέξης Τσίπρας" -> "αλεξης-τσιπρας"). A name with no letter or digit at all gets a stable hash,
    so two different names never share an id and no id is left empty."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else "-" for ch in fold(text))
    out = re.sub(r"-+", "-", kept).strip("-")
    return out or "h" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=65536)
def bare(word: str) -> str:
    """A word without possessive ending or trailing dot, folded."""
    return fold(POSSESSIVE.sub("", word)).rstrip(".,;:")


def _read_lines(name: str) -> list[str]:
    text = (resources.files("pipeline.compare") / "data" / name).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines()]


@cache
def wordset(name: str) -> frozenset[str]:
    return frozenset(w.strip() for w in _read_lines(name) if w.strip() and not w.startswith("#"))


def title_words() -> frozenset[str]:
    return wordset("titles.txt")


@lru_cache(maxsize=1)
def country_table() -> dict[str, str]:
    """Folded name, capital, demonym or acronym -> canonical country name (from ``countries.tsv``)."""
    table: dict[str, str] = {}
    for n, line in enumerate(_read_lines("countries.tsv"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"countries.tsv line {n}: expected 2 tab-separated fields, got {len(parts)}")
        canonical, others = parts
        for name in (canonical, *others.split("|")):
            table[key_text(name)] = canonical
    return table


def key_text(text: str) -> str:
    """Folded text without a leading article, possessive ending or surrounding punctuation."""
    words = [bare(w) for w in text.split()]
    words = [w for w in words if w]
    while words and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words).strip(" \"'“”,.")


# --------------------------------------------------------------------------- alias file
