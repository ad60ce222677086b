"""Canonical speakers: one id per real-world actor, across the claims of many articles.

Two steps, both deterministic:

1. In the article (:func:`resolve_article`): the speaker of each claim becomes the fullest name the
   article gives for it. A surname or a title with a surname takes the full name the article uses
   ("Feld" -> "Marcus Feld", "Mr. Trump" -> "Donald Trump"); a description takes the named holder
   of that role in the article ("the mayor" -> "Elena Ruiz" when the text says "Mayor Elena Ruiz");
   a pronoun the extractor could not link takes the previous person speaker; "the X campaign",
   "X's spokeswoman" become X with the finer speaker kept as ``sub``; a description of a country
   ("the Communist country") takes the last country the text named.
2. Across articles (:class:`SpeakerRegistry`): a key cascade over that name. The editable alias file
   first, then the country table (capitals, demonyms, acronyms), then person names without
   honorifics and middle names ("Donald J. Trump" = "Donald Trump"), organisation acronyms
   ("Federal Bureau of Investigation" = "FBI"), and collective nouns ("Democrats"). A bare surname
   the article could not complete joins a full name only when the registry knows exactly one person
   with that surname; two people who share a surname are never merged.

The speaker id is a slug of the canonical key (``person:donald-trump``), so it never changes when
other speakers arrive.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("person", "organisation", "country", "group")

_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "i", "me", "my", "we", "us", "our", "they", "them", "their"}
_PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "i", "me", "my"}
_EMPTY_SPEAKERS = {"", "that", "this", "it"}
_GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
_HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}
_GENDER_WINDOW = 250  # characters after a person's mention in which "he"/"she" count as that person's
_ROMAN = re.compile(r"[IVX]+")
_ARTICLES = {"the", "a", "an", "this", "that", "these", "those"}
_SUB_WORDS = {
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
_COUNTRY_HEADS = {"country", "nation", "regime", "government", "state", "kingdom", "republic", "dictatorship"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_LOWER_NAME_PARTICLES = {"de", "van", "von", "der", "da", "del", "la", "le", "bin", "al"}
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w’'.-]*|\S")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def _fold(text: str) -> str:
    """Lower case without accents, curly quotes made straight."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold(text)).strip("-")


@lru_cache(maxsize=65536)
def _bare(word: str) -> str:
    """A word without possessive ending or trailing dot, folded."""
    return _fold(_POSSESSIVE.sub("", word)).rstrip(".,;:")


def _read_lines(name: str) -> list[str]:
    text = (resources.files("pipeline.compare") / "data" / name).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines()]


@cache
def _wordset(name: str) -> frozenset[str]:
    return frozenset(w.strip() for w in _read_lines(name) if w.strip() and not w.startswith("#"))


def _titles() -> frozenset[str]:
    return _wordset("titles.txt")


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
            table[_key_text(name)] = canonical
    return table


def _key_text(text: str) -> str:
    """Folded text without a leading article, possessive ending or surrounding punctuation."""
    words = [_bare(w) for w in text.split()]
    words = [w for w in words if w]
    while words and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words).strip(" \"'“”,.")


# --------------------------------------------------------------------------- alias file


@dataclass(frozen=True, slots=True)
class AliasEntry:
    canonical: str
    kind: str
    aliases: tuple[str, ...]
    line: int


def parse_alias_file(text: str, source: str = "aliases.tsv") -> dict[str, AliasEntry]:
    """Folded alias or canonical name -> its entry. Refuses (ValueError naming the line) a line that
    is not three fields, an unknown kind, an alias that is another line's canonical name (a chain or
    a cycle), and an alias given to two speakers."""
    entries: list[AliasEntry] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in raw.split("\t")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(
                f"{source} line {n}: expected 'canonical<TAB>kind<TAB>alias|alias', got {raw!r}; fix that line"
            )
        canonical, kind, aliases = parts
        if kind not in KINDS:
            raise ValueError(f"{source} line {n}: unknown kind {kind!r} (use one of {', '.join(KINDS)}); fix that line")
        names = tuple(a.strip() for a in aliases.split("|"))
        if any(not a for a in names):
            raise ValueError(f"{source} line {n}: an empty alias between '|' separators; fix that line")
        entries.append(AliasEntry(canonical, kind, names, n))
    table: dict[str, AliasEntry] = {}
    canon_line: dict[str, int] = {}
    for e in entries:
        key = _key_text(e.canonical)
        if key in canon_line:
            raise ValueError(
                f"{source} line {e.line}: {e.canonical!r} is already a canonical name on line {canon_line[key]}; "
                "merge the two lines"
            )
        canon_line[key] = e.line
        table[key] = e
    for e in entries:
        for alias in e.aliases:
            key = _key_text(alias)
            if key in canon_line and canon_line[key] != e.line:
                raise ValueError(
                    f"{source} line {e.line}: alias {alias!r} is the canonical name on line {canon_line[key]} "
                    "(a chain or cycle of aliases); fix line "
                    f"{e.line} to name the final speaker"
                )
            if key in table and table[key].line != e.line:
                raise ValueError(
                    f"{source} line {e.line}: alias {alias!r} already belongs to line {table[key].line}; "
                    "fix one of the two lines"
                )
            table[key] = e
    return table


def load_alias_file(path: str | Path | None = None) -> dict[str, AliasEntry]:
    """The packaged alias file, or the one at ``path`` (a user's corrections)."""
    if path is None:
        text = (resources.files("pipeline.compare") / "data" / "aliases.tsv").read_text(encoding="utf-8")
        return parse_alias_file(text)
    return parse_alias_file(Path(path).read_text(encoding="utf-8"), source=str(path))


# --------------------------------------------------------------------------- in-article names


@dataclass(slots=True)
class _NameMention:
    start: int
    name: str  # the name without titles
    role: tuple[str, ...]  # folded role words around it ("republican", "nominee")


def _tokens(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _WORD.finditer(text)]


def _sentence_start(text: str, at: int) -> bool:
    before = text[max(0, at - 3) : at].rstrip(" \"“'‘")
    return not before or before[-1] in ".!?\n:;"


@lru_cache(maxsize=8)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"(?<![\w'’])[a-z][a-z'’-]*", text))


def _lower_elsewhere(text: str, word: str) -> bool:
    """Whether ``word`` also appears in lower case in the text (so it is an ordinary word)."""
    return _bare(word) in _lower_words(text)


def _title_case_line(text: str, at: int) -> bool:
    """Whether the line holding ``at`` is a headline written in title case."""
    lo = text.rfind("\n", 0, at) + 1
    hi = text.find("\n", at)
    words = text[lo : hi if hi >= 0 else len(text)].split()
    caps = sum(_is_cap(w) for w in words)
    return len(words) >= 4 and caps >= 0.6 * len(words)


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and any(c.isalpha() for c in word)


def _names_in_text(text: str) -> list[_NameMention]:
    """Capitalised runs in the text, split into role words and a name, with role words before the
    name ("Millbrook Mayor Elena Ruiz") or in an apposition after it ("Elena Ruiz, the mayor")."""
    titles = _titles()
    toks = _tokens(text)
    out: list[_NameMention] = []
    i = 0
    while i < len(toks):
        start, word = toks[i]
        if not _is_cap(word) or word == "I":
            i += 1
            continue
        j = i
        run: list[str] = []
        # the pronoun "I" is never part of a name ("Maybe I can ...")
        while j < len(toks) and (
            (_is_cap(toks[j][1]) and toks[j][1] != "I") or (run and toks[j][1] in _LOWER_NAME_PARTICLES)
        ):
            if run and text[toks[j - 1][0] + len(toks[j - 1][1]) : toks[j][0]] != " ":
                break  # a line break or punctuation between two capitalised words ends the name
            run.append(toks[j][1])
            j += 1
            w = toks[j - 1][1]
            if _POSSESSIVE.search(w) and "'" in w.replace("’", "'"):
                break
            if w.endswith(".") and not (len(w) == 2 or _bare(w) in titles):
                break  # a sentence ends here, unless it is an initial or "Sen."
        if _title_case_line(text, start):
            i = max(j, i + 1)
            continue
        # role words: titles inside the run and lower-case ones just before it
        last_title = -1
        for k, w in enumerate(run):
            if _bare(w) in titles:
                last_title = k
        name_words = [_POSSESSIVE.sub("", w).rstrip(".,") if k == len(run) - 1 else w for k, w in enumerate(run)]
        name_words = name_words[last_title + 1 :]
        role = [_bare(w) for w in run[: last_title + 1]]
        b = i - 1
        # only a title noun right before the name opens a role ("campaign manager Jane Roe"); a verb
        # there ("The mayor accused Corvane Chemicals") makes the words before it no role of the name
        if b < 0 or _bare(toks[b][1]) not in titles:
            b = -1
        while b >= 0 and i - b <= 4 and toks[b][1][:1].islower() and toks[b][1] not in _ARTICLES:
            role.insert(0, _bare(toks[b][1]))
            b -= 1
        # an apposition: "Name, the Republican nominee,"
        if j + 1 < len(toks) and toks[j][1] == "," and toks[j + 1][1].lower() in ("the", "a"):
            k = j + 2
            while k < len(toks) and k - j <= 8 and toks[k][1] not in (",", ".", ";", "(", ")"):
                role.append(_bare(toks[k][1]))
                k += 1
        name_words = [w for w in name_words if w not in ("'", "’", "-")]
        if len(name_words) > 1 and (
            (last_title < 0 and _sentence_start(text, start) and _lower_elsewhere(text, name_words[0]))
            or _bare(name_words[0]).endswith("ly")  # "Significantly Berman"
            or (name_words[0].isupper() and len(name_words[0]) > 1)  # "UPDATE Farook"
        ):
            name_words = name_words[1:]  # "Meanwhile Trump": a capitalised sentence opener, not a first name
            start = toks[i + 1][0]
        if name_words and _bare(name_words[0]) not in _stopwords():
            out.append(
                _NameMention(
                    toks[i + last_title + 1][0] if last_title + 1 < len(run) else start,
                    " ".join(name_words),
                    tuple(role),
                )
            )
        i = max(j, i + 1)
    return out


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    words = set(_wordset("function_words.txt"))
    return frozenset(words)


def _person_like(words: Sequence[str]) -> bool:
    """Whether capitalised words can be a person's name: no organisation word, no country name."""
    orgs = _wordset("orgs.txt")
    countries = country_table()
    return bool(words) and not _names_a_thing(words) and all(
        (_is_cap(w) or w in _LOWER_NAME_PARTICLES) and _bare(w) not in orgs and _key_text(w) not in countries
        for w in words
    )


def _names_a_thing(words: Sequence[str]) -> bool:
    """Whether a capitalised run names a thing, an event or a place by its head ("World War II")."""
    heads = [w for w in words if not _ROMAN.fullmatch(w.strip(".,")) and not w.strip(".,").isdigit()]
    return bool(heads) and _bare(heads[-1]) in _wordset("not_people.txt")


def _person_parts(name: str) -> list[str]:
    """The words of a person's name without titles, suffix dots and possessive endings."""
    titles = _titles()
    words = [_POSSESSIVE.sub("", w).strip(',."“”') for w in name.split()]
    words = [w for w in words if w]
    while words and (_bare(words[0]) in titles or _bare(words[0]) in _ARTICLES):
        words = words[1:]
    return words


def _surname(words: Sequence[str]) -> str | None:
    rest = [w for w in words if _bare(w) not in _SUFFIXES]
    return _bare(rest[-1]) if rest else None


@dataclass(slots=True)
class ArticleNames:
    """What one article says about names: full names by surname, and the roles given to names."""

    by_surname: dict[str, Counter[str]] = field(default_factory=dict)
    roles: list[_NameMention] = field(default_factory=list)
    countries: list[tuple[int, str]] = field(default_factory=list)
    orgs: Counter[str] = field(default_factory=Counter)  # organisation names the text spells out
    words: Counter[str] = field(default_factory=Counter)  # capitalised words of the text, folded
    people: list[tuple[int, str, bool]] = field(default_factory=list)  # (offset, surname, starts its sentence)
    sentences: list[int] = field(default_factory=list)  # offsets where sentences start
    text: str = ""
    genders: dict[str, str] = field(default_factory=dict)  # surname -> "m" / "f", from the text's pronouns
    gender_votes: list[tuple[int, str, str, int]] = field(default_factory=list)  # (offset, surname, m/f, weight)

    def subject(self, at: int | None) -> str | None:
        """The person a sentence is about, for a claim with no speaker at offset ``at``: a named
        person opening the sentence ("Lind took offense at suggestions that ..."), or the person a
        "He"/"She" opening it stands for; None otherwise."""
        if at is None or not self.sentences:
            return None
        begin = self.sentences[bisect.bisect_right(self.sentences, at) - 1]
        for pos, surname, opens in self.people:
            if begin <= pos < at and opens:
                return self.full_name(surname)
        first = self.text[begin:at].split()[:1]
        return self.antecedent(first[0].lower(), begin) if first else None

    def gender(self, name: str) -> str | None:
        """Gender, "m" or "f", as the article's own pronouns and honorifics show a person's gender, else None."""
        return self.genders.get(_surname(_person_parts(name)) or "")

    def antecedent(self, pronoun: str, before: int | None) -> str | None:
        """The full name of the person a gendered pronoun ("he", "her") at offset ``before`` most
        likely means, or None: the subject of this or the previous sentence when the article shows
        that person's gender to match, else the nearest person before it whose gender matches.
        The pronoun's own occurrence is not counted as evidence of anybody's gender."""
        want = _GENDER.get(pronoun)
        if want is None or before is None:
            return None
        genders = _gender_of(v for v in self.gender_votes if v[0] != before)
        here = bisect.bisect_right(self.sentences, before)
        earlier = [(pos, sur, sub) for pos, sur, sub in self.people if pos < before and genders.get(sur) == want]
        for pos, surname, subject in reversed(earlier):
            if subject and bisect.bisect_right(self.sentences, pos) >= here - 1:
                return self.full_name(surname)
        return self.full_name(earlier[-1][1]) if earlier else None

    def full_org(self, words: Sequence[str]) -> str | None:
        """The longest organisation name in the text that ends with ``words`` ("port authority" ->
        "Harlow Port Authority"), the most frequent when several do."""
        tail = [_bare(w) for w in words if _bare(w) not in _ARTICLES]
        if not tail:
            return None
        fits = [
            (n, len(name.split()), name)
            for name, n in self.orgs.items()
            if [_bare(w) for w in name.split()][-len(tail) :] == tail and len(name.split()) > len(tail)
        ]
        return max(fits)[2] if fits else None

    def full_name(self, surname: str) -> str | None:
        """The full name the article gives most often for a surname, or None when none is given."""
        counts = self.by_surname.get(surname)
        if not counts:
            return None
        # "Sanders Trump" (two surnames run together) loses to "Donald Trump"
        clean = {n: k for n, k in counts.items() if _bare(n.split()[0]) not in self.by_surname} or counts
        return max(clean.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]

    def main_person(self) -> str | None:
        """The person the article mentions most often (counting every use of the surname), or None."""
        if not self.by_surname:
            return None
        surname = max(self.by_surname, key=lambda s: (self.words[s], sum(self.by_surname[s].values()), s))
        return self.full_name(surname)

    def holder(self, description: Sequence[str], before: int | None) -> str | None:
        """The named person the article gives a role matching ``description`` (folded words)."""
        words = [w for w in description if w not in _ARTICLES and w not in ("former", "then", "of")]
        if not words:
            return None
        head = words[-1]
        best: dict[str, tuple[int, int]] = {}
        for m in self.roles:
            if head not in m.role and (head.rstrip("s") not in m.role):
                continue
            score = len(set(words) & set(m.role))
            near = m.start if before is None or m.start <= before else -m.start
            old = best.get(m.name)
            if old is None or (score, near) > old:
                best[m.name] = (score, near)
        # a two-word description ("Republican nominee") must meet both words, not the head alone
        needed = min(2, len(set(words)))
        best = {n: v for n, v in best.items() if v[0] >= needed}
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
        if len(ranked) > 1 and ranked[0][1][0] == ranked[1][1][0]:
            # two holders fit equally: take the one named most often
            top = ranked[0][1][0]
            tied = [n for n, s in ranked if s[0] == top]
            counts = Counter({n: sum(n in c for c in self.by_surname.values()) for n in tied})
            freq = {n: self._count(n) for n in tied}
            ordered = sorted(tied, key=lambda n: (freq[n], best[n][1]), reverse=True)
            if freq[ordered[0]] == freq[ordered[1]] and not counts:
                return None
            return self.full_name(_surname(ordered[0].split()) or "") or ordered[0]
        name = ranked[0][0]
        return self.full_name(_surname(name.split()) or "") or name

    def _count(self, name: str) -> int:
        s = _surname(name.split())
        return self.by_surname.get(s or "", Counter()).get(name, 0)

    def last_country(self, before: int | None) -> str | None:
        found = [c for pos, c in self.countries if before is None or pos <= before]
        return found[-1] if found else None


def read_article(text: str) -> ArticleNames:
    """Collect the names, roles and countries an article's text gives."""
    names = ArticleNames()
    countries = country_table()
    names.words.update(_bare(w) for w in re.findall(r"\b[A-Z][\w'’-]*", text))
    mentions = _names_in_text(text)
    for m in mentions:
        key = _key_text(m.name)
        if key in countries:
            names.countries.append((m.start, countries[key]))
            continue
        words = _person_parts(m.name)
        if len(words) >= 2 and _bare(words[-1]) in _wordset("orgs.txt"):
            names.orgs[" ".join(words)] += 1
        if len(words) >= 2 and _person_like(words):
            surname = _surname(words)
            if surname:
                names.by_surname.setdefault(surname, Counter())[" ".join(words)] += 1
        if m.role and _person_like(_person_parts(m.name)):
            names.roles.append(m)
    _read_people(text, mentions, names)
    # single-word country names and demonym phrases inside capitalised runs
    for run in re.finditer(r"\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}", text):
        key = _key_text(run.group())
        if key in countries and (not names.countries or names.countries[-1][0] != run.start()):
            names.countries.append((run.start(), countries[key]))
    names.countries.sort()
    return names


def _read_people(text: str, mentions: Sequence[_NameMention], names: ArticleNames) -> None:
    """Person mentions in text order, and each person's gender as the article itself shows it: an
    honorific ("Mrs.") or the gendered pronouns that follow the person's mentions before the next
    person is named. A gender is kept only when one side has at least twice the votes of the other."""
    names.sentences = _sentence_starts(text)
    names.text = text
    for m in mentions:
        words = _person_parts(m.name)
        surname = _surname(words) if words else None
        if not surname or surname not in names.by_surname:
            continue
        if len(words) >= 2 and not _person_like(words):
            continue
        names.people.append((m.start, surname, _opens_sentence(text, m.start, names.sentences)))
        for r in m.role:
            if r in _HONORIFIC_GENDER:
                names.gender_votes.append((m.start, surname, _HONORIFIC_GENDER[r], 3))
    quoted = _quoted_spans(text)
    for k, (pos, surname, _) in enumerate(names.people):
        end = min(names.people[k + 1][0] if k + 1 < len(names.people) else len(text), pos + _GENDER_WINDOW)
        for w in re.finditer(r"[a-z]+", text[pos:end].lower()):
            g = _GENDER.get(w.group())
            # a pronoun inside a quotation is the quoted speaker's, usually about someone else
            if g is not None and not _inside(quoted, pos + w.start()):
                names.gender_votes.append((pos + w.start(), surname, g, 1))
    names.genders = _gender_of(names.gender_votes)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the quotations in the text: curly quotes open and close, a straight double
    quote toggles, and a line break ends any quotation left open."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for m in re.finditer(r'[“”"\n]|\'\'', text):
        ch = m.group()
        if ch == "\n":
            if start is not None:
                spans.append((start, m.start()))
            start = None
        elif ch == "“" or (ch in ('"', "''") and start is None):
            start = m.end() if start is None else start
        elif start is not None:
            spans.append((start, m.start()))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _inside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    k = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def _sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start: after a line break, or after ".", "!" or "?" (and closing
    quotes) and a space, unless the word before the dot is a title ("Mrs."), an initial ("J.") or an
    abbreviation with dots inside ("U.S.")."""
    starts = [0]
    for m in re.finditer(r"\n+|(\S*)[.!?][\"”’']*\s+", text):
        word = m.group(1) or ""
        abbreviation = _bare(word) in _titles() or (len(word) == 1 and word.isupper()) or "." in word  # "U.S."
        if m.group().startswith("\n") or not abbreviation:
            starts.append(m.end())
    return starts


def _opens_sentence(text: str, pos: int, starts: Sequence[int]) -> bool:
    """Whether the words between the sentence's start and ``pos`` are only capitalised words and
    titles ("Mrs. Lind said", "Green Party nominee Ada Lind"): the mention is the sentence's subject."""
    begin = starts[bisect.bisect_right(starts, pos) - 1] if starts else 0
    titles = _titles()
    return all(_is_cap(w) or _bare(w) in titles for w in text[begin:pos].split() if any(c.isalpha() for c in w))


def _gender_of(votes: Iterable[tuple[int, str, str, int]]) -> dict[str, str]:
    """surname -> "m" / "f" where one side has at least twice the other's votes."""
    counts: dict[str, Counter[str]] = {}
    for _, surname, g, weight in votes:
        counts.setdefault(surname, Counter())[g] += weight
    out: dict[str, str] = {}
    for surname, v in counts.items():
        if v["m"] >= 2 * v["f"] and v["m"] > 0:
            out[surname] = "m"
        elif v["f"] >= 2 * v["m"] and v["f"] > 0:
            out[surname] = "f"
    return out


# --------------------------------------------------------------------------- per claim


@dataclass(frozen=True, slots=True)
class Mention:
    """A claim's speaker as the article resolves it: the name to key on, and a finer speaker."""

    name: str | None
    sub: str | None = None  # the spokesperson or campaign under the principal, kept apart
    how: str = "name"  # name | surname | title | description | pronoun | principal | country | unresolved


def _get(claim: Any, key: str) -> Any:
    if isinstance(claim, Mapping):
        return claim.get(key)
    return getattr(claim, key, None)


def _principal(words: list[str]) -> tuple[str, str] | None:
    """("the Clinton campaign" | "Hillary Clinton's spokeswoman Jane Roe") -> (principal, sub)."""
    folded = [_bare(w) for w in words]
    for k, w in enumerate(folded):
        if w not in _SUB_WORDS:
            continue
        # "X's campaign", "the X campaign", "X campaign manager Y"
        left = words[:k]
        while left and _bare(left[0]) in _ARTICLES:
            left = left[1:]
        if left and _is_cap(left[-1]):
            # the capitalised run just before the sub word
            run: list[str] = []
            for x in reversed(left):
                if not _is_cap(x):
                    break
                run.insert(0, x)
            return " ".join(run), " ".join(words)
        if left and _bare(left[-1]) in ("his", "her", "their"):
            return _bare(left[-1]), " ".join(words)
        # "a spokesman for X"
        if k + 2 <= len(words) and folded[k + 1 : k + 2] == ["for"]:
            run = []
            for x in words[k + 2 :]:
                if not _is_cap(x):
                    break
                run.append(x)
            if run:
                return " ".join(run), " ".join(words)
    return None


def resolve_article(claims: Sequence[Any], text: str | None = None, names: ArticleNames | None = None) -> list[Mention]:
    """One :class:`Mention` per claim of one article (claims in any order; mapping or ``Claim``)."""
    names = names if names is not None else read_article(text or "")
    order = sorted(
        range(len(claims)), key=lambda i: _get(claims[i], "speaker_start") or _get(claims[i], "content_start") or 0
    )
    out: list[Mention | None] = [None] * len(claims)
    last_person: str | None = None
    for i in order:
        c = claims[i]
        at = _get(c, "speaker_start")
        speaker, resolved = _get(c, "speaker"), _get(c, "speaker_resolved")
        if not resolved and _bare((speaker or "").strip()) in _EMPTY_SPEAKERS:
            # no speaker (or a bare "that"): the sentence's subject, when a person opens it
            subject = names.subject(_get(c, "content_start"))
            m = Mention(subject, None, "subject") if subject else Mention(None, None, "unresolved")
        else:
            end = _get(c, "speaker_end")
            staffer = _WORKS_FOR.match(names.text, end) if isinstance(end, int) and speaker else None
            if staffer is not None:  # the clause after the name says whom the speaker works for
                speaker = f"{speaker}{staffer.group()}"
            m = _resolve_one(speaker, resolved, at, names, last_person)
        if m.how == "pronoun-fallback":
            m = _pronoun_fallback(_bare((_get(c, "speaker") or "").strip()), at, names, last_person, m.sub)
        out[i] = m
        if m.name and _looks_person(m.name) and m.how not in ("country",):
            last_person = m.name
    return [m or Mention(None, None, "unresolved") for m in out]


def _pronoun_fallback(
    pronoun: str, at: int | None, names: ArticleNames, last_person: str | None, sub: str | None
) -> Mention:
    """A person pronoun the extractor left without antecedent: the nearest person before it whose
    gender the article shows to match ("she" after "Mrs. Lind ... her"), else the previous person
    speaker unless the article shows that person's gender to be the other one."""
    found = names.antecedent(pronoun, at)
    if found:
        return Mention(found, sub, "pronoun")
    want = _GENDER.get(pronoun)
    if last_person is not None and (want is None or names.gender(last_person) in (None, want)):
        return Mention(last_person, sub, "pronoun")
    return Mention(None, sub, "unresolved")


def _looks_person(name: str) -> bool:
    words = name.split()
    return (
        1 <= len(words) <= 4
        and all(_is_cap(w) for w in words)
        and _key_text(name) not in country_table()
        and not any(_bare(w) in _wordset("orgs.txt") for w in words)
        and not _names_a_thing(words)
    )


def _complete(name: str, names: ArticleNames) -> tuple[str, str]:
    """A person name completed from the article: ("Mr. Trump" -> "Donald Trump", "title")."""
    words = _person_parts(name)
    if not words:
        return name, "name"
    had_title = len(words) < len(name.split())
    if len(words) == 1:
        full = names.full_name(_bare(words[0]))
        if full:
            return full, "title" if had_title else "surname"
        return words[0], "name"
    surname = _surname(words)
    counts = names.by_surname.get(surname or "", Counter())
    # "Donald J. Trump" and "Donald Trump" keep their own spelling; the registry keys them together
    if counts and " ".join(words) not in counts and len(words) == 2 and _bare(words[0]) in _titles():
        return names.full_name(surname or "") or " ".join(words), "title"
    return " ".join(words), "name"


def _resolve_one(
    speaker: str | None, resolved: str | None, at: int | None, names: ArticleNames, last_person: str | None
) -> Mention:
    if not speaker and not resolved:
        return Mention(None, None, "unresolved")
    raw = (speaker or resolved or "").strip(" \"“”'-,")
    raw = re.sub(r"^.*\s-\s", "", raw)  # "predictable - Donald J. Trump"
    words = raw.split()
    if not words:
        return Mention(None, None, "unresolved")
    folded = [_bare(w) for w in words]
    countries = country_table()
    key = _key_text(raw)
    if key in countries:
        return Mention(countries[key], None, "country")
    agent = _agent(words)
    if agent is not None:
        who, role = agent
        if who in _PRONOUNS:
            principal = _pronoun_fallback(who, at, names, last_person, None).name
        else:
            principal = _resolve_one(who, None, at, names, last_person).name
        if principal is None:
            return Mention(None, raw, "unresolved")
        return Mention(f"{principal} ({role})", None, "agent")
    works_for = _WORKS_FOR.search(raw)
    if works_for is not None:
        full, _ = _complete(works_for.group(1), names)
        return Mention(full, raw, "principal")
    owner = _principal(words)
    if owner is not None:
        who, sub = owner
        if who in ("his", "her", "their"):
            owner_m = _pronoun_fallback(who, at, names, last_person, sub)
            return Mention(owner_m.name, sub, "principal" if owner_m.name else "unresolved")
        full, _ = _complete(who, names)
        return Mention(full, sub, "principal")
    if len(folded) == 1 and folded[0] in _PRONOUNS | {"who", "that", "which"}:
        if resolved and resolved.strip().lower() != raw.lower():
            r = _resolve_one(resolved, None, at, names, last_person)
            want = _GENDER.get(folded[0])
            if want is not None:
                named = r.how not in ("main", "unresolved") and bool(r.name) and _looks_person(r.name or "")
                if named and names.gender(r.name or "") in (None, want):
                    return r
                # the extractor's antecedent is no named person ("a reader", an unnamed description)
                # or one the article shows to be of the other gender: the nearest person who fits
                found = names.antecedent(folded[0], at)
                if found:
                    return Mention(found, None, "pronoun")
                if named:
                    return Mention(None, resolved, "unresolved")
            if r.how not in ("main", "unresolved") or folded[0] not in _PERSON_PRONOUNS:
                return r
            # the antecedent is a description the text never names: better unknown than a guess
            return Mention(None, resolved, "unresolved")
        return Mention(None, None, "pronoun-fallback" if folded[0] in _PERSON_PRONOUNS else "unresolved")
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return Mention(words[0], None, "name")  # an acronym: "FBI", never a surname
    if folded[0] in _ARTICLES and len(words) > 1 and (not _is_cap(words[1]) or _is_role_noun(words[-1])):
        return _description(raw, folded[1:], resolved, at, names, last_person)
    group = _singular(folded[-1])
    if len(words) <= 2 and words[-1].endswith("s") and group in _wordset("groups.txt"):
        return Mention(" ".join(words), None, "name")  # "Democrats", "Senate Republicans"
    caps = [w for w in words if _is_cap(w) and _bare(w) not in _titles() and _bare(w) not in _ARTICLES]
    if caps:
        run = _name_run(words)
        orgs = _wordset("orgs.txt")
        of_at = next((k for k, w in enumerate(words) if k > 1 and w.lower() == "of"), None)
        if of_at is not None:
            head = _name_run(words[:of_at])
            if len(head) >= 2 and not any(_bare(w) in orgs for w in head) and _person_like(head):
                # "Marcus Feld of the port authority": a person, then where they work
                return _resolve_one(" ".join(words[:of_at]), resolved, at, names, last_person)
        if any(_bare(w) in orgs for w in run) or _bare(words[-1]) in orgs:
            start = next(k for k, w in enumerate(words) if w in caps)
            name = " ".join(words[start:]).strip(",.")
            if _key_text(name) in countries:
                return Mention(countries[_key_text(name)], None, "country")
            # "Port authority" -> "Harlow Port Authority" when the article spells it out
            return Mention(names.full_org(words) or name, None, "name")
        if not run:
            desc = [w for w in folded if w not in _ARTICLES]
            return _description(raw, desc, resolved, at, names, last_person)
        name = " ".join(run)
        if _key_text(name) in countries:
            return Mention(countries[_key_text(name)], None, "country")
        r_parts = _name_run(resolved.split()) if resolved else []
        if len(r_parts) >= 2 and _surname(r_parts) == _surname(run) and _person_like(r_parts):
            # the extractor already linked the name to the fullest form in the text
            return Mention(" ".join(r_parts), None, "surname" if len(run) == 1 else "name")
        had_title = len(run) < len([w for w in words if w not in _ARTICLES])
        full, how = _complete(name, names)
        return Mention(full.strip(",."), None, "title" if had_title and how != "name" else how)
    desc = [w for w in folded if w not in _ARTICLES]
    return _description(raw, desc, resolved, at, names, last_person)


_WORKS_FOR = re.compile(
    r",\s*who\s+(?:runs|leads|heads|directs|manages|oversees|coordinates|works\s+(?:for|on))\s+(?:the\s+)?"
    r"((?:[A-Z][\w.-]*\s+){0,2}[A-Z][\w-]*)['’]s?(?=\s|$)"
)
"""A staffer named with whom they work for: "Jane Roe, who runs Lind's field effort," -> Lind."""


def _name_run(words: Sequence[str]) -> list[str]:
    """The person's name inside a speaker written with titles, roles, an outlet or a place:
    "Former Florida Gov. Jeb Bush", "Breitbart's Joel Pollak", "Secretary of State John Kerry",
    "Rep. Elijah Cummings of Maryland", "Hillary Clinton, like Obama" -> the last capitalised run
    before an "of" or a comma that follows a name."""
    titles = _titles()
    runs: list[list[str]] = []
    current: list[str] = []
    for w in words:
        b = _bare(w)
        plain = w.rstrip(",")
        if _is_cap(w) and b not in titles and b not in _ARTICLES:
            if _POSSESSIVE.search(plain) and "'" in plain.replace("’", "'"):
                current = []  # "Breitbart's": an owner, not the name
                continue
            current.append(plain.rstrip("."))
            if w.endswith(","):
                runs.append(current)
                break  # an apposition or list follows the name
        elif current and w in _LOWER_NAME_PARTICLES:
            current.append(w)
        else:
            if current:
                runs.append(current)
            current = []
            if b == "of" and runs:
                break  # "Cummings of Maryland": the place is not the name
    else:
        if current:
            runs.append(current)
    return runs[-1] if runs else []


def _is_role_noun(word: str) -> bool:
    """A lower-case title noun ending a description ("the Green Party nominee")."""
    return word.islower() and (_bare(word) in _titles() or _bare(word) in _COUNTRY_HEADS)


def _description(
    raw: str, desc: list[str], resolved: str | None, at: int | None, names: ArticleNames, last_person: str | None
) -> Mention:
    """A speaker written as a description: "the mayor", "the Republican nominee", "the Communist country"."""
    if " of " in f" {' '.join(desc)} ":
        desc = " ".join(desc).split(" of ")[0].split()
    if not desc:
        return Mention(None, raw, "unresolved")
    if desc[-1] in _wordset("orgs.txt"):
        org = names.full_org(desc)
        if org:
            return Mention(org, None, "name")
    if desc[-1] in _COUNTRY_HEADS:
        country = names.last_country(at)
        if country:
            return Mention(country, None, "country")
    if desc[-1] in _titles():
        holder = names.holder(desc, at)
        if holder:
            return Mention(holder, None, "description")
    if resolved and resolved.strip().lower() != raw.lower() and _is_cap(resolved.strip()[:1]):
        r = _resolve_one(resolved, None, at, names, last_person)
        if r.name and r.how != "unresolved":
            return r
    if desc[-1] in _titles() and not desc[-1].endswith("s") and raw.split()[0].lower() in ("the", "this", "that"):
        main = names.main_person()
        if main:
            return Mention(main, None, "main")
    if desc[-1].endswith("s") or _singular(desc[-1]) in _wordset("groups.txt"):
        return Mention(" ".join(desc), None, "name")  # a collective: "experts", "the officials"
    if len(desc) == 1 and not raw[:1].isupper():
        return Mention(desc[0], None, "name")  # "public", "video"
    return Mention(None, raw, "unresolved")


_AGENT_WORDS = {
    "lawyer",
    "lawyers",
    "attorney",
    "attorneys",
    "doctor",
    "physician",
    "wife",
    "husband",
    "son",
    "daughter",
}


def _agent(words: list[str]) -> tuple[str, str] | None:
    """("his lawyer" | "Pagliano's attorney") -> (principal, agent role): a separate speaker from the
    principal, unlike a spokesperson."""
    folded = [_bare(w) for w in words]
    if len(words) < 2 or folded[-1] not in _AGENT_WORDS:
        return None
    before = words[-2]
    role = _singular(folded[-1])
    role = _AGENT_SYNONYMS.get(role, role)
    if _bare(before) in ("his", "her", "their"):
        return _bare(before), role
    if _POSSESSIVE.search(before) and "'" in before.replace("’", "'"):
        return " ".join(words[:-1]).replace("’", "'").removesuffix("'s").strip(), role
    return None


_AGENT_SYNONYMS = {"attorney": "lawyer", "physician": "doctor"}


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# --------------------------------------------------------------------------- across articles


@dataclass(frozen=True, slots=True)
class Speaker:
    """One canonical speaker: a stable id, a display name, a kind and the names seen for it."""

    speaker_id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"speaker_id": self.speaker_id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases)}


def _acronym(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if _is_cap(w) and _bare(w) not in ("of", "the", "and", "for"))


class SpeakerRegistry:
    """The cross-article speaker table: names -> :class:`Speaker`, keyed by a deterministic cascade.

    ``learn`` full names first (so a bare surname can join the one person who bears it), then
    ``resolve`` each mention. Ids are slugs of the canonical key, so they never change."""

    def __init__(self, aliases: Mapping[str, AliasEntry] | None = None) -> None:
        self.aliases = dict(load_alias_file() if aliases is None else aliases)
        self.speakers: dict[str, Speaker] = {}
        self._surnames: dict[str, set[str]] = {}  # surname -> person keys with that surname

    def learn(self, names: Iterable[str]) -> None:
        """Register full person names, so that a lone surname can be matched to its only bearer."""
        for name in names:
            kind, key, _ = self._key(name)
            if kind == "person" and " " in key:
                self._surnames.setdefault(key.split()[-1], set()).add(key)

    def _key(self, name: str) -> tuple[str, str, str]:
        """(kind, key, display name) for a resolved name."""
        agent = re.fullmatch(r"(.+) \((\w+)\)", name.strip())
        if agent is not None:
            kind, key, display = self._key(agent.group(1))
            return kind, f"{key} ~ {agent.group(2)}", f"{display} ({agent.group(2)})"
        k = _key_text(name)
        entry = self.aliases.get(k)
        if entry is not None:
            return entry.kind, _key_text(entry.canonical), entry.canonical
        countries = country_table()
        if k in countries:
            return "country", _key_text(countries[k]), countries[k]
        words = [w.strip(',."“”') for w in name.split()]
        words = [w for w in words if w]
        while words and _bare(words[0]) in _ARTICLES:
            words = words[1:]
        orgs = _wordset("orgs.txt")
        if words and (
            any(_bare(w) in orgs for w in words) or (len(words) == 1 and words[0].isupper() and len(words[0]) > 1)
        ):
            acro = words[0] if len(words) == 1 else _acronym(words)
            if len(words) == 1 or len(acro) >= 3:
                return "organisation", acro.lower(), " ".join(words)
            return "organisation", k, " ".join(words)
        if words and not all(_is_cap(w) for w in words):
            head = _singular(_bare(words[-1]))
            return "group", head if head in _wordset("groups.txt") else k, " ".join(words)
        if words and _singular(_bare(words[-1])) in _wordset("groups.txt") and len(words) == 1:
            return "group", _singular(_bare(words[-1])), words[-1]
        parts = _person_parts(" ".join(words))
        if not parts:
            return "group", k, name
        rest = [p for p in parts if _bare(p) not in _SUFFIXES]
        suffix = [_bare(p) for p in parts if _bare(p) in _SUFFIXES]
        if len(rest) >= 2:
            key = " ".join([_bare(rest[0]), _bare(rest[-1]), *suffix])
            return "person", key, " ".join(parts)
        return "person", _bare(rest[0]) if rest else k, " ".join(parts)

    def resolve(self, name: str | None) -> Speaker | None:
        """The canonical speaker of a resolved name (None stays None)."""
        if not name or not name.strip():
            return None
        kind, key, display = self._key(name)
        if kind == "person" and " " not in key:
            bearers = self._surnames.get(key, set())
            if len(bearers) == 1:
                key = next(iter(bearers))
                display = self.speakers.get(f"person:{_slug(key)}", Speaker("", display, kind)).name
                if display == name.strip():
                    display = key.title()
        if not key:
            return None
        speaker_id = f"{kind}:{_slug(key)}"
        old = self.speakers.get(speaker_id)
        if old is None:
            speaker = Speaker(speaker_id, display, kind, (name.strip(),))
        else:
            aliases = old.aliases if name.strip() in old.aliases else (*old.aliases, name.strip())
            better = display if len(display.split()) > len(old.name.split()) else old.name
            speaker = Speaker(speaker_id, better, kind, aliases)
        self.speakers[speaker_id] = speaker
        return speaker


@dataclass(frozen=True, slots=True)
class SpeakerAssignment:
    """The canonical speaker of one claim: id (None when unknown), name, kind and the finer speaker."""

    speaker_id: str | None
    name: str | None
    kind: str | None
    sub: str | None
    how: str


def canonical_speakers(
    articles: Iterable[tuple[Sequence[Any], str | None]], registry: SpeakerRegistry | None = None
) -> tuple[list[list[SpeakerAssignment]], SpeakerRegistry]:
    """Canonical speakers for the claims of many articles: ``[(claims, text), ...]`` in, one list of
    :class:`SpeakerAssignment` per article out, plus the registry (pass it back in next time)."""
    registry = registry or SpeakerRegistry()
    mentions: list[list[Mention]] = []
    for claims, text in articles:
        names = read_article(text or "")
        mentions.append(resolve_article(claims, names=names))
        registry.learn(n for n in (names.full_name(s) for s in names.by_surname) if n)
    registry.learn(m.name for ms in mentions for m in ms if m.name and len(m.name.split()) >= 2)
    out: list[list[SpeakerAssignment]] = []
    for ms in mentions:
        row = []
        for m in ms:
            sp = registry.resolve(m.name)
            if sp is None:
                row.append(SpeakerAssignment(None, None, None, m.sub, m.how))
            else:
                row.append(SpeakerAssignment(sp.speaker_id, sp.name, sp.kind, m.sub, m.how))
        out.append(row)
    return out, registry
