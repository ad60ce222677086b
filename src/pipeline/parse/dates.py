"""The publication date, weighed across structured data, htmldate, the URL and the dates the page shows."""


from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import lxml.html

from pipeline.parse.jsonld import ld_types
from pipeline.parse.rules import enabled
from pipeline.parse.tree import HEAD_SEGMENTS, header_pieces, text_segments
from pipeline.urls import url_part

log = logging.getLogger(__name__)



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

# where pages state their last modification (JSON-LD dateModified is read from the article node)
_MODIFIED_META_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "parsely-updated-date",
)


def choose_modified(
    meta: dict[str, list[str]],
    ld: dict[str, Any] | None,
    published: datetime | None,
    nodes: Sequence[dict[str, Any]] = (),
    tree: lxml.html.HtmlElement | None = None,
    head: list[str] | None = None,
) -> datetime | None:
    """The last modification time the page states: JSON-LD ``dateModified`` (the article's node,
    else the page node's), meta tags, microdata, then a visible "Updated ..." label in the header.

    Kept beside the publication date, never instead of it: an article corrected or updated after
    publication says so here. A stated modification more than a day before the publication date is
    a template default or a wrong field: it is passed over for the next candidate.
    """
    candidates: list[Any] = [ld.get("dateModified")] if ld else []
    candidates.extend(
        n.get("dateModified") for n in nodes if n is not ld and ld_types(n) & _PAGE_NODE_TYPES
    )
    candidates.extend(v for key in _MODIFIED_META_KEYS for v in meta.get(key, []))
    if tree is not None:
        candidates.extend(tree.xpath("//*[@itemprop='dateModified']/@*[name() = 'datetime' or name() = 'content']"))
        candidates.append(_updated_label_date(tree, head))
    for value in candidates:
        modified = value if isinstance(value, datetime) else _parse_dt(value)
        # a day's slack: the publication date may be a local calendar day, the stamp a UTC instant
        if modified is None or (
            published is not None and _naive_utc(modified) < _naive_utc(published) - timedelta(days=1)
        ):
            continue
        return modified
    return None


_UPDATED_LABEL = re.compile(
    r"\b(?:last\s+)?(?:updated|modified|revised|aktualisiert|geändert|mis à jour|actualizado|aggiornato)\b",
    re.IGNORECASE,
)
UPDATED_LABEL_REACH = 80  # characters after an "Updated" label in which its date is written


def _updated_label_date(tree: lxml.html.HtmlElement, head: list[str] | None) -> datetime | None:
    """The date an "Updated ..." label states in the article's header ("Updated March 5, 2024",
    "Last updated: 10:32 AM EST, Tue March 5, 2024"); None without a headline or a label."""
    text = " ".join(header_pieces(tree, head))
    for m in _UPDATED_LABEL.finditer(text):
        found = _date_in_text(text[m.end() : m.end() + UPDATED_LABEL_REACH], labelled=True)
        if found is not None:
            return found
    return None


def _naive_utc(dt: datetime) -> datetime:
    """For ordering: aware values in UTC, naive ones (a local day) as they are."""
    offset = dt.utcoffset()
    return dt.replace(tzinfo=None) - offset if offset is not None else dt


_ISO_DT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{1,2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


# ISO-8601's basic format, as a whole value: "20200924", "20200924T15:04:34Z", "20200924T150434+0200"
_ISO_BASIC = re.compile(
    r"((?:19|20)\d{2})(\d{2})(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def _parse_dt(value: Any) -> datetime | None:
    """An ISO-8601 date or date-time (extended or basic format), else a free-form one with a month
    name ("Tue, Sep 15 2020 EDT")."""
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = _ISO_DT.match(s) or _ISO_BASIC.fullmatch(s)
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
# JSON-LD nodes that describe the page itself rather than an article: WordPress SEO plugins put the
# post's publication date on the WebPage node, and Q&A pages on the Question, when no Article node has one
_PAGE_NODE_TYPES = frozenset({"webpage", "itempage", "medicalwebpage", "qapage", "faqpage", "question"})


def _structured_dates(
    meta: dict[str, list[str]], ld: dict[str, Any] | None, nodes: Sequence[dict[str, Any]] = ()
) -> list[datetime]:
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
    if not out:
        # no article node and no meta tag dates the page: the page node's datePublished does, where
        # htmldate alone would take article:modified_time
        for node in nodes:
            dt = _parse_dt(node.get("datePublished")) if ld_types(node) & _PAGE_NODE_TYPES else None
            if dt and enabled("dates.page_node"):
                out.append(dt)
                break
    return out


def _htmldate(tree: lxml.html.HtmlElement, url: str, extensive: bool = True) -> datetime | None:
    from htmldate import find_date

    try:
        found = find_date(tree, extensive_search=extensive, original_date=True, url=url or None)
    except (ValueError, TypeError, RecursionError) as e:
        log.debug("htmldate failed: %s", e)
        return None
    return _parse_dt(found) if found else None


def _unless_year_only(
    found: datetime | None, tree: lxml.html.HtmlElement, head: list[str] | None
) -> datetime | None:
    """``found``, unless it is a bare year read as 1 January: htmldate falls back on a copyright
    line ("(c) 2016 Example News"), which dates the site, not the article, and would make it the
    first to report anything. Kept when the page writes that 1 January out somewhere."""
    if found is None or (found.month, found.day) != (1, 1):
        return found
    if date_shown(found, _visible_text(tree, head)):
        return found
    iso = found.strftime("%Y-%m-%d")
    if tree.xpath("boolean(//@*[contains(., $iso)] | //script[contains(., $iso)])", iso=iso):
        return found
    if not enabled("dates.year_only_drop"):
        return found
    log.debug("dropped %s: a year without a day (a copyright line, most likely)", iso)
    return None


_URL_DATES = (
    # /2024/03/05/, /2024-3-5-slug
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=/|$|[^\d])"),
    # /20240305/, -20240305-: eight digits standing alone between separators, a valid month and day
    re.compile(r"(?<=[/_-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"),
)


def _url_day(url: str) -> tuple[datetime | None, bool]:
    """The calendar day written in the address's path, if any, and whether it is written with
    separators (``/2024/03/05/``): eight digits alone (``/20240305/``) may be an id that happens to
    read as a date, so they never overrule a structured date."""
    path = url_part(url, "path")
    for separated, pattern in zip((True, False), _URL_DATES, strict=True):
        m = pattern.search(path)
        if m:
            try:
                day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            if 1995 <= day.year <= datetime.now().year + 1:
                return day, separated
    return None, False
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


def date_shown(d: Any, text: str, *, without_year: bool = False) -> bool:
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
    r"geändert|mis à jour|modifié|actualizado|aggiornato)\b"
    # what may stand between the label and its date: a few words, and a time of day
    # ("Updated 10:32 AM EST, Tue March 5, 2024", "Updated at 10.32 on 5 March 2024")
    r"[^\d]{0,12}(?:\d{1,2}[:.h]\d{2}[^\d]{0,16})?$",
    re.IGNORECASE,
)


def _date_in_text(text: str, labelled: bool = False) -> datetime | None:
    """The first calendar date written out in ``text``; a slashed date only when it is unambiguous.
    Dates after an "Updated" or "Joined" label are passed over, unless ``labelled`` (the caller
    looks for the label's own date)."""
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
            if not labelled and _NOT_PUBLISHED_LABEL.search(text[max(0, m.start() - 48) : m.start()]):
                continue  # "Updated on ...", "Joined ...": a date, but not the publication's
            if 1995 <= y <= datetime.now().year + 1 and (best is None or m.start() < best[0]):
                best = (m.start(), dt)
            break  # the first credible match of each pattern is enough
    return best[1] if best else None


def _header_date(tree: lxml.html.HtmlElement, head: list[str] | None = None) -> datetime | None:
    """The date written in the article's header (``tree.header_pieces``), where the byline and
    dateline sit. None without a headline."""
    pieces = header_pieces(tree, head)
    return _date_in_text(" ".join(pieces)) if pieces else None


def _visible_text(tree: lxml.html.HtmlElement, head: list[str] | None = None) -> str:
    root = tree.find("body")
    if root is None:
        return ""
    segments = head if head is not None else text_segments(root, HEAD_SEGMENTS)
    return " ".join(segments[:3000])[:60_000]


def choose_date(
    tree: lxml.html.HtmlElement,
    meta: dict[str, list[str]],
    ld: dict[str, Any] | None,
    url: str,
    large: bool = False,
    nodes: Sequence[dict[str, Any]] = (),
    head: list[str] | None = None,
) -> datetime | None:
    """Publication date from the evidence, each piece checked against the others.

    Structured values (JSON-LD, meta) are preferred when htmldate confirms them; a date in the URL is
    the local publication day; and the date the page actually shows decides between a structured value
    and htmldate's, or between a UTC time stamp and the neighbouring local day; when the page shows no
    date, the UTC offset of its other time stamps gives that local day. The modification date is never
    taken for the publication date.

    When one source overrules another (the URL's day a later stamp, the header's date htmldate's
    guess) and our pick is not written on the page, htmldate's extensive search decides: the
    candidate it agrees with (within a day) is taken, ours when it agrees with none. (Arbitrating
    between structured values that disagree was tried: on the dev pages htmldate then sided with a
    stale meta tag against the article node, so it is not done.) When the page states no date
    that we read, the answer is htmldate's (its extensive search has then already run).

    Which day counts, one rule: the publication day is the calendar day where the page is published,
    as the page's own time stamps state it. A stamp with a non-zero UTC offset gives that day as
    written (JSON-LD before meta tags when several do, since the article node describes this article
    and OpenGraph tags are often the template's); a UTC stamp is moved to the local day that the page
    shows, or that the offset of its other stamps gives; a bare local time is that day as written.
    The value stored keeps the offset the page gave: a bare local time or a bare day gets the page's
    offset when its stamps state one (see :func:`_with_page_offset`).
    """
    structured = _structured_dates(meta, ld, nodes)
    picked, rival = _pick_date(tree, meta, url, large, structured, head)
    rivals = [rival] if rival is not None else []
    # a date the reader sees is the page's word: htmldate's agreement decides only between unseen ones
    shown = picked is not None and date_shown(picked, _visible_text(tree, head)) if rivals else True
    if rivals and not shown and enabled("dates.htmldate_arbiter"):
        picked = _arbitrate(picked, rivals, _htmldate(tree, url, extensive=not large))
    return _with_page_offset(picked, tree, meta, structured)


def _arbitrate(picked: datetime | None, rivals: list[datetime], checked: datetime | None) -> datetime | None:
    """Of our pick and its rivals, the one htmldate's answer ``checked`` falls within a day of; our
    pick when it agrees with none (or htmldate found nothing)."""
    if checked is None:
        return picked

    def near(a: datetime, b: datetime) -> bool:
        """True when two datetimes fall at most one calendar day apart."""
        return abs((a.date() - b.date()).days) <= 1

    if picked is not None and near(checked, picked):
        return picked
    return next((r for r in rivals if near(checked, r)), picked)


def _with_page_offset(
    picked: datetime | None, tree: lxml.html.HtmlElement, meta: dict[str, list[str]], structured: list[datetime]
) -> datetime | None:
    """``picked`` with the UTC offset the page states, where it has none: the page's own stamp of
    that local day when one has an offset (a UTC stamp is shown in the page's offset), else the
    page's offset attached to a bare local time. A bare day without such a stamp stays a bare day."""
    if picked is None or picked.utcoffset() is not None:
        return picked
    offset = _page_offset(tree, meta)
    bare_day = (picked.hour, picked.minute, picked.second) == (0, 0, 0)
    for stamp in structured:
        stamp_offset = stamp.utcoffset()
        if stamp_offset is None:
            continue
        if stamp_offset == _ZERO and offset is not None:
            stamp = stamp.astimezone(timezone(offset))
        if stamp.date() == picked.date() and (bare_day or stamp.replace(tzinfo=None) == picked):
            return stamp
    if offset is not None and not bare_day:
        return picked.replace(tzinfo=timezone(offset))
    return picked


def _pick_date(
    tree: lxml.html.HtmlElement,
    meta: dict[str, list[str]],
    url: str,
    large: bool,
    structured: list[datetime],
    head: list[str] | None,
) -> tuple[datetime | None, datetime | None]:
    """The cascade of :func:`choose_date` before the arbitration: ``(date, rival)``, where ``rival``
    is the value a source overruled (the URL's day a later stamp, the header's date a guess)."""
    # htmldate's extensive search (free-text dates through dateparser) is slow: without structured
    # dates its quick pass first, the extensive one only when that finds nothing (on the dev pages
    # they never disagreed); with them, htmldate runs only if their date is not shown (below)
    found = None
    if not structured:
        found = _unless_year_only(_htmldate(tree, url, extensive=False), tree, head)
        if found is None and not large:
            found = _unless_year_only(_htmldate(tree, url, extensive=True), tree, head)
    best: datetime | None = None
    if structured:
        # a value with its own (non-UTC) offset carries the local day; UTC stamps may cross midnight
        local = [dt for dt in structured if dt.utcoffset() not in (None, _ZERO)]
        best = local[0] if local else structured[0]
    else:
        best = found

    url_day, separated = _url_day(url)
    if url_day is not None:
        if best is None or _same_local_day(best, url_day):
            return (url_day if best is None or best.date() != url_day.date() else best), None
        if separated and (best.date() - url_day.date()).days > 2 and enabled("dates.url_overrides_later_stamp"):
            return url_day, best  # the address was made at first publication; a later stamp is a re-save

    if best is None:
        return None, None
    if not structured:
        # htmldate's guess without structured evidence: a date written in the article's header (the
        # dateline beside the byline) is the article's, where a guess may be a calendar widget's
        header = _header_date(tree, head)
        if header is not None and header.date() != best.date() and enabled("dates.header_overrides_guess"):
            return header, best
    text = _visible_text(tree, head)
    if not text or date_shown(best, text):
        return best, None
    if structured:  # the structured date is not on the page: now htmldate's search is worth it
        found = _htmldate(tree, url, extensive=not large)
    if found is not None and found.date() != best.date() and date_shown(found, text):
        return found, None  # htmldate's date is on the page, the structured one is not
    if best.utcoffset() == _ZERO:
        for shift in (-1, 1):
            day = best + timedelta(days=shift)
            if not _same_local_day(best, day):
                continue
            # the neighbouring day written out in full, or at least as day and month while the
            # stamp's own day is not written at all
            if (
                date_shown(day, text)
                or (date_shown(day, text, without_year=True) and not date_shown(best, text, without_year=True))
            ) and enabled("dates.neighbour_day"):
                return datetime(day.year, day.month, day.day), None
        # nothing on the page dates it, but the page's other time stamps say where it is published
        offset = _page_offset(tree, meta)
        if offset is not None and (best + offset).date() != best.date() and enabled("dates.page_offset_day"):
            return best.astimezone(timezone(offset)), None
    return best, None


_ZERO = timedelta(0)
# a date-time with a non-zero UTC offset, ISO ("2024-03-05T22:10:00-05:00") or as in e-mail headers
# ("Tue, 05 Mar 2024 22:10:00 -0500"); a bare "+00:00" says nothing about where the page is made
_OFFSET_STAMP = re.compile(
    r"(?:\d{4}-\d{2}-\d{2}T|\s(?:19|20)\d{2}\s)\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?\s?([+-])(\d{2}):?(\d{2})(?![\d:])"
)
PAGE_OFFSET_MIN_STAMPS = 2


def _page_offset(tree: lxml.html.HtmlElement, meta: dict[str, list[str]]) -> timedelta | None:
    """The UTC offset of the page's own time stamps (meta tags, scripts), when at least
    ``PAGE_OFFSET_MIN_STAMPS`` carry a non-zero one and they all agree within an hour (summer
    and winter time); None otherwise."""
    sources = [v for values in meta.values() for v in values]
    sources.extend(script.text or "" for script in tree.iter("script"))
    offsets: list[timedelta] = []
    for source in sources:
        for sign, hours, minutes in _OFFSET_STAMP.findall(source):
            offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
            if _ZERO < abs(offset) <= timedelta(hours=14):
                offsets.append(offset)
    if len(offsets) < PAGE_OFFSET_MIN_STAMPS or max(offsets) - min(offsets) > timedelta(hours=1):
        return None
    return min(offsets, key=abs)  # of summer and winter time, the one nearer UTC


def _same_local_day(instant: datetime, day: datetime) -> bool:
    """Whether a UTC (or naive) ``instant`` falls on calendar ``day`` somewhere between UTC-8 and UTC+10."""
    if instant.utcoffset() not in (None, _ZERO):
        return instant.date() == day.date()
    return any((instant + timedelta(hours=h)).date() == day.date() for h in (-8, 0, 10))


