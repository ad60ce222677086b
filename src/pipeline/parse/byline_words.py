"""The byline lexicon (``data/byline_words.tsv``) and the text operations that strip one byline or
author value down to its names: a leading "By", labels, dates, picture credits, job titles, a name run
into the next element's text. What counts as a name is ``names``; what credits an organisation, ``credits``."""

from __future__ import annotations

import re
from html import unescape
from importlib import resources

# "by" in the languages of the byline lexicon: "By Ana Lima", "Von Ana Lima", "Af Ana Lima"
_BY_WORDS = r"(?:by|von|par|por|di|door|av|af)"
LEADING_BY = re.compile(
    r"^\s*(?:(?:view|see|read|more)?\s*(?:all\s+)?(?:posts|articles|stories|written|posted|reported|"
    rf"published|text|words)\s+)?{_BY_WORDS}\b[:\s]*",
    re.IGNORECASE,
)
ROLE_WORDS = {
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
LEADING_ROLES = re.compile(
    r"^(?:author|autor|auteur|reporter|correspondent|editor|writer)\s*:?\s+", re.IGNORECASE
)
# "et", "y", "e" join names only in lower case: "Ana E. Lima" and "Ana Y Lima" hold an initial
NAME_SPLIT = re.compile(
    r"\s*(?:,|;|\||\band\b|&|\bund\b|(?-i:\bet\b|\by\b|\be\b)|\n)\s*", re.IGNORECASE
)
# a run of 3+ digits is a date or a number, unless it ends a handle ("delta201")
NOT_NAME = re.compile(r"https?://|www\.|@|(?<![^\W_])\d{3,}|[<>{}=#]|^\d")
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
CREDENTIALS = {
    "phd", "ph.d", "md", "m.d", "ms", "ma", "mba", "rd", "rn", "dds", "esq", "cpa", "msc", "bsc", "mph",
    "dr", "prof", "ld", "cde", "fand", "lmhc", "lcsw", "psyd", "np", "pa-c", "facp", "frcp",
}


BRACKETED = re.compile(r"\s*[\(\[].*?[\)\]]")  # "(Reuters)", "[email]"


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


def alternatives(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of ``words``, longest first, a space matching any white space."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


BYLINE_WORDS = _read_byline_words()
# a label in front of the names: one of the lexicon's ("Authors", "Text", "Af"), with or without its
# colon, or any one word followed by a colon ("Questioner:"), in any script
_CJK = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff]+$")  # kana and ideographs: no spaces between words
_LABEL = re.compile(
    rf"^\s*(?:(?:{alternatives([w for w in BYLINE_WORDS['label'] if not _CJK.match(w)])})(?![\w-])\s*[:：]?"
    rf"|(?:{alternatives([w for w in BYLINE_WORDS['label'] if _CJK.match(w)])})\s*[:：]?"
    r"|[^\W\d_][\w-]{0,24}\s*[:：])\s*",
    re.IGNORECASE,
)
# where a byline's date begins: a label of the date ("Updated", "Publicado"; "Posted by" is a label of
# the names) where a date follows it or where it opens the value, a weekday before a day number, or a month
# and one ("Monday, November 18", "Wed, 08"), a month beside a day number ("Nov 20", "20 Nov"). A weekday
# or month alone is no date: "Domingo", "April", "May" are names; nor is a date label alone after a name
# ("Peter Stand").
_MONTHS = alternatives(BYLINE_WORDS["month"])
_CALENDAR = alternatives([*BYLINE_WORDS["weekday"], *BYLINE_WORDS["month"]])
_STAMPS = alternatives(BYLINE_WORDS["stamp"])
_STAMP_WORD = rf"(?:{_STAMPS})(?![\w-])(?!\s+{_BY_WORDS}\b)"
# what follows a date label where it starts a date: a colon, a digit or a calendar word a few characters
# on, or another date label ("publié le , mis à jour à": a page whose dates a script fills in)
_DATE_AFTER_STAMP = (
    rf"(?=\s*[:：]|.{{0,12}}?\d|.{{0,12}}?(?<![\w-])(?:{_CALENDAR})(?![\w-])"
    rf"|.{{0,24}}?(?<![\w-])(?:{_STAMPS})(?![\w-]))"
)
_DATE_START = re.compile(
    rf"^\s*{_STAMP_WORD}|(?<![\w-])(?:{_STAMP_WORD}{_DATE_AFTER_STAMP}"
    rf"|(?:{alternatives(BYLINE_WORDS['weekday'])})\.?,?\s*(?:(?:{_MONTHS})\.?\s*)?\d"
    rf"|(?:{_MONTHS})\.?,?\s*\d"
    rf"|\d{{1,2}}\.?\s+(?:{_CALENDAR})(?![\w-]))",
    re.IGNORECASE,
)


def before_date(value: str, digits: bool = False) -> str:
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
    rf"(?:^|(?<=[,;|\n]))\s*(?:{alternatives(BYLINE_WORDS['picture'])})(?![\w-])\s*(?:[:：]|{_BY_WORDS}\b)"
    r"[^,;|\n]*",
    re.IGNORECASE,
)


def without_picture_credits(value: str) -> str:
    """``value`` without its parts crediting pictures ("Text: Ana Lima, Photos: Tom Berg" -> "Text: Ana Lima")."""
    stripped = _PICTURE_CREDIT.sub("", value)
    return stripped if stripped == value else stripped.strip(" ,;|\n")


def without_label(part: str) -> str:
    """``part`` without the labels in front of its names ("Авторы: Дмитрий Попов" -> "Дмитрий Попов")."""
    for _ in range(2):  # "By Text: ..."
        stripped = _LABEL.sub("", part, count=1)
        if stripped == part:
            break
        part = stripped
    return part


# job titles: a value ending in one of these nouns is a title ("AP Auto Writer", "Online News Editor")
_JOB_NOUNS = frozenset(BYLINE_WORDS["job"])


def _job_word(word: str) -> str:
    """A word of a job title as the lexicon lists it: lower case, its hyphenated tail dropped
    ("Editor-at-large", "Editor-in-Chief" -> "editor")."""
    return word.lower().strip(".,").split("-", 1)[0]


def without_title(part: str) -> str:
    """A name without the job title after it ("Ana Lima Staff Writer" -> "Ana Lima"); "" when the
    value is a title alone ("AP Auto Writer", "Online News Editor")."""
    words = part.split()
    if not words or _job_word(words[-1]) not in _JOB_NOUNS:
        return part
    while words and _job_word(words[-1]) in ROLE_WORDS | _JOB_NOUNS:
        words.pop()
    if len(words) >= 2 and not any(w.lower() in ROLE_WORDS or w.lower() in ORG_WORDS for w in words):
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


def before_stop(value: str) -> str:
    """A name followed by a period and more text ("Ana Lima. Harbour Wire International"): the name."""
    for m in _STOP.finditer(value):
        if m.group(1).lower() not in _ABBREVIATIONS and " " in value[: m.end(1)].strip():
            return value[: m.end(1)]
    return value


def unglued(part: str) -> str:
    """``part`` cut where a name runs into an organisation's name ("Tom BergCity Journal" -> "Tom Berg")."""
    for m in _GLUED.finditer(part):
        # a person's name is two words or more: a cut leaving one word split a name written in camel
        # case ("InstaTunnel Team" is one team's name, not "Insta" glued to "Tunnel Team")
        if len(part[: m.end()].split()) >= 2 and any(
            w.lower().strip(".,") in ORG_WORDS for w in part[m.end() :].split()
        ):
            return part[: m.end()]
    return part


def without_by(raw: str) -> str:
    """A byline or author value as text: entities decoded, white space folded, a leading "By" dropped."""

    return LEADING_BY.sub("", " ".join(unescape(raw).split()))


ORG_WORDS = {
    "news", "press", "presse", "media", "times", "post", "journal", "foundation", "group", "inc", "ltd",
    "llc", "gmbh", "magazine", "daily", "weekly", "online", "tv", "radio", "network", "agency", "staff",
    "team", "editors", "editorial", "desk", "reports", "blog", "institute", "university", "association",
    "company", "gazette", "tribune", "herald", "chronicle", "observer", "review", "today", "clinic",
    "hospital", "center", "centre", "council", "committee", "bank", "party", "club", "society", "digital",
}
