"""What one article says about names: people and their full names, roles, genders, countries."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipeline.compare.lexicon import (
    ARTICLES,
    GENDER,
    GENDER_WINDOW,
    HONORIFIC_GENDER,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    POSSESSIVE,
    ROMAN,
    WORD,
    bare,
    country_table,
    key_text,
    title_words,
    wordset,
)


@dataclass(slots=True)
class _NameMention:
    start: int
    name: str  # the name without titles
    role: tuple[str, ...]  # folded role words around it ("republican", "nominee")


_KINSHIP = (
    "daughter|son|wife|husband|brother|sister|mother|father|niece|nephew|granddaughter|grandson|widow|"
    "stepdaughter|stepson|daughter-in-law|son-in-law"
)
_FIRST_PERSON = re.compile(r"I(?:['’](?:m|ve|ll|d))?")  # "I", "I'm", "I've": never part of a name


def _tokens(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in WORD.finditer(text)]


def _sentence_start(text: str, at: int) -> bool:
    before = text[max(0, at - 3) : at].rstrip(" \"“'‘")
    return not before or before[-1] in ".!?\n:;"


@lru_cache(maxsize=8)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"(?<![\w'’])[a-z][a-z'’-]*", text))


def _lower_elsewhere(text: str, word: str) -> bool:
    """Whether ``word`` also appears in lower case in the text (so it is an ordinary word)."""
    return bare(word) in _lower_words(text)


def _title_case_line(text: str, at: int) -> bool:
    """Whether the line holding ``at`` is a headline written in title case."""
    lo = text.rfind("\n", 0, at) + 1
    hi = text.find("\n", at)
    words = text[lo : hi if hi >= 0 else len(text)].split()
    caps = sum(is_cap(w) for w in words)
    return len(words) >= 4 and caps >= 0.6 * len(words)


def is_cap(word: str) -> bool:
    return word[:1].isupper() and any(c.isalpha() for c in word)


def _names_in_text(text: str) -> list[_NameMention]:
    """Capitalised runs in the text, split into role words and a name, with role words before the
    name ("Millbrook Mayor Elena Ruiz") or in an apposition after it ("Elena Ruiz, the mayor")."""
    titles = title_words()
    toks = _tokens(text)
    out: list[_NameMention] = []
    i = 0
    while i < len(toks):
        start, word = toks[i]
        if not is_cap(word) or _FIRST_PERSON.fullmatch(word):
            i += 1
            continue
        j = i
        run: list[str] = []
        # the pronoun "I" is never part of a name ("Maybe I can ...")
        while j < len(toks) and (
            (is_cap(toks[j][1]) and not _FIRST_PERSON.fullmatch(toks[j][1]))
            or (run and toks[j][1] in NAME_PARTICLES)
        ):
            if run and text[toks[j - 1][0] + len(toks[j - 1][1]) : toks[j][0]] not in (" ", "\xa0"):
                break  # a line break or punctuation between two capitalised words ends the name
            run.append(toks[j][1])
            j += 1
            w = toks[j - 1][1]
            if POSSESSIVE.search(w) and "'" in w.replace("’", "'"):
                break
            if w.endswith(".") and not (len(w) == 2 or bare(w) in titles):
                break  # a sentence ends here, unless it is an initial or "Sen."
        if _title_case_line(text, start):
            i = max(j, i + 1)
            continue
        # role words: titles inside the run and lower-case ones just before it
        last_title = -1
        for k, w in enumerate(run):
            if bare(w) in titles:
                last_title = k
        name_words = [POSSESSIVE.sub("", w).rstrip(".,") if k == len(run) - 1 else w for k, w in enumerate(run)]
        name_words = name_words[last_title + 1 :]
        role = [bare(w) for w in run[: last_title + 1]]
        b = i - 1
        # only a title noun right before the name opens a role ("campaign manager Jane Roe"); a verb
        # there ("The mayor accused Corvane Chemicals") makes the words before it no role of the name
        if b < 0 or bare(toks[b][1]) not in titles:
            b = -1
        while b >= 0 and i - b <= 4 and toks[b][1][:1].islower() and toks[b][1] not in ARTICLES:
            role.insert(0, bare(toks[b][1]))
            b -= 1
        # an apposition: "Name, the Republican nominee,"
        if j + 1 < len(toks) and toks[j][1] == "," and toks[j + 1][1].lower() in ("the", "a"):
            k = j + 2
            while k < len(toks) and k - j <= 8 and toks[k][1] not in (",", ".", ";", "(", ")"):
                role.append(bare(toks[k][1]))
                if toks[k][1].endswith(".") and bare(toks[k][1]) not in titles:
                    break  # "Name, the Republican nominee. The president ...": the sentence ended
                k += 1
        name_words = [w for w in name_words if w not in ("'", "’", "-")]
        if len(name_words) > 1 and (
            (last_title < 0 and _sentence_start(text, start) and _lower_elsewhere(text, name_words[0]))
            or bare(name_words[0]).endswith("ly")  # "Significantly Berman"
            or (name_words[0].isupper() and len(name_words[0]) > 1)  # "UPDATE Farook"
        ):
            name_words = name_words[1:]  # "Meanwhile Trump": a capitalised sentence opener, not a first name
            start = toks[i + 1][0]
        if name_words and bare(name_words[0]) not in _stopwords():
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
    words = set(wordset("function_words.txt"))
    return frozenset(words)


def person_like(words: Sequence[str]) -> bool:
    """Whether capitalised words can be a person's name: no organisation word, no country name."""
    orgs = wordset("orgs.txt")
    countries = country_table()
    return (
        bool(words)
        and not names_a_thing(words)
        and all(
            (is_cap(w) or w in NAME_PARTICLES) and bare(w) not in orgs and key_text(w) not in countries
            for w in words
        )
    )


def names_a_thing(words: Sequence[str]) -> bool:
    """Whether a capitalised run names a thing, an event or a place by its head ("World War II")."""
    heads = [w for w in words if not ROMAN.fullmatch(w.strip(".,")) and not w.strip(".,").isdigit()]
    return bool(heads) and bare(heads[-1]) in wordset("not_people.txt")


def person_parts(name: str) -> list[str]:
    """The words of a person's name without titles, suffix dots and possessive endings."""
    titles = title_words()
    words = [POSSESSIVE.sub("", w).strip(',."“”') for w in name.split()]
    words = [w for w in words if w]
    while words and (bare(words[0]) in titles or bare(words[0]) in ARTICLES):
        words = words[1:]
    return words


def surname_of(words: Sequence[str]) -> str | None:
    rest = [w for w in words if bare(w) not in NAME_SUFFIXES]
    return bare(rest[-1]) if rest else None


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
    staff: list[tuple[int, str, str]] = field(default_factory=list)  # (offset, staffer's surname, principal)

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

    def recent_subject(self, before: int | None, role: str = "", sentences: int = 2) -> str | None:
        """The person opening the latest of the sentence holding offset ``before`` and the
        ``sentences`` sentences before it that a named person opens, or None: the person a story
        is about at that point ("Hillary Clinton spoke out ... The former secretary of state
        said ..."). None as well when the ``role`` noun is used between that person and ``before``
        ("Trump attacked Rubio, mocking the Florida senator. The Florida senator said ..."): the
        description already stood for somebody else there."""
        if before is None or not self.sentences:
            return None
        found = self._opening_subject(before, sentences, self.people)
        if found is None or (role and self._role_used_for_another(role, found[0], before)):
            return None
        return self.full_name(found[1])

    def _opening_subject(
        self, before: int, sentences: int, people: Sequence[tuple[int, str, bool]]
    ) -> tuple[int, str] | None:
        """(offset, surname) of the latest of ``people`` before ``before`` who opens the sentence
        holding ``before`` or one of the ``sentences`` sentences before it, else None."""
        here = bisect.bisect_right(self.sentences, before)
        for pos, surname, opens in reversed(people):
            if pos < before and opens and bisect.bisect_right(self.sentences, pos) >= here - sentences:
                return pos, surname
        return None

    def _role_used_for_another(self, role: str, start: int, end: int) -> bool:
        """Whether a description ending in ``role`` stands between ``start`` and ``end`` right after
        a word of running text ("attacked Rubio, mocking the Florida senator"): there it meant
        someone other than the sentence's subject. One opening its sentence ("The Florida senator
        sought ...") or in apposition after a comma ("Hillary Clinton, the former secretary of
        state, ...") is the subject again, and does not count."""
        phrase = re.compile(rf"\b(?:the|a|an|this|that)\s+(?:[\w'’.-]+\s+){{0,3}}{re.escape(role)}\b", re.IGNORECASE)
        for m in phrase.finditer(self.text, start, end):
            before = self.text[max(start, m.start() - 40) : m.start()].split()
            if before and before[-1].islower() and before[-1].isalpha():
                return True
        return False

    def gender(self, name: str) -> str | None:
        """Gender, "m" or "f", as the article's own pronouns and honorifics show a person's gender, else None."""
        return self.genders.get(surname_of(person_parts(name)) or "")

    def antecedent(self, pronoun: str, before: int | None) -> str | None:
        """The full name of the person a gendered pronoun ("he", "her") at offset ``before`` most
        likely means, or None: the subject of this or the previous sentence when the article shows
        that person's gender to match, else the nearest person before it whose gender matches.
        The pronoun's own occurrence is not counted as evidence of anybody's gender."""
        want = GENDER.get(pronoun)
        if want is None or before is None:
            return None
        genders = _gender_of(v for v in self.gender_votes if v[0] != before)
        earlier = [(pos, sur, sub) for pos, sur, sub in self.people if pos < before and genders.get(sur) == want]
        subject = self._opening_subject(before, 1, earlier)
        if subject is not None:
            return self.full_name(subject[1])
        return self.full_name(earlier[-1][1]) if earlier else None

    def principal_of(self, name: str, before: int | None) -> str | None:
        """The person ``name`` speaks for, when the article introduced them as that person's
        spokesperson, aide or campaign staffer before offset ``before``; else None."""
        surname = surname_of(person_parts(name))
        found = [p for pos, s, p in self.staff if s == surname and (before is None or pos <= before)]
        return found[-1] if found else None

    def full_org(self, words: Sequence[str]) -> str | None:
        """The longest organisation name in the text that ends with ``words`` ("port authority" ->
        "Harlow Port Authority"), the most frequent when several do."""
        tail = [bare(w) for w in words if bare(w) not in ARTICLES]
        if not tail:
            return None
        fits = [
            (n, len(name.split()), name)
            for name, n in self.orgs.items()
            if [bare(w) for w in name.split()][-len(tail) :] == tail and len(name.split()) > len(tail)
        ]
        return max(fits)[2] if fits else None

    def full_name(self, surname: str) -> str | None:
        """The full name the article gives most often for a surname, or None when none is given."""
        counts = self.by_surname.get(surname)
        if not counts:
            return None
        # "Sanders Trump" (two surnames run together) loses to "Donald Trump"
        clean = {n: k for n, k in counts.items() if bare(n.split()[0]) not in self.by_surname} or counts
        if len(clean) > 1:
            # several people share the surname ("Donald Trump", "Ivanka Trump"): a news text calls the
            # relatives it names by their first names, so a bare surname is not one whose first name
            # the text also uses alone
            principal = {n: k for n, k in clean.items() if not self.is_relative(n)}
            clean = principal or clean
        return max(clean.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]

    def is_relative(self, name: str) -> bool:
        """Whether the text marks ``name`` as a relative of someone sharing the surname: it calls the
        person by first name alone, or introduces them by kinship ("his daughter Ivanka Trump",
        "Trump's wife, Melania Trump")."""
        first = name.split()[0] if name.split() else ""
        if not first:
            return False
        kin = re.compile(rf"\b(?:{_KINSHIP})\b[,\s]+(?:[a-z]+\s+)?{re.escape(first)}\b")
        return self._first_name_alone(name) or bool(kin.search(self.text))

    def _first_name_alone(self, name: str) -> bool:
        """Whether the text uses the first word of ``name`` without its surname after it ("Ivanka
        said" beside "Ivanka Trump"; middle names and initials between the two still count as the
        full name)."""
        first, _, rest = name.partition(" ")
        if not rest or bare(first) in title_words():
            return False
        full = re.compile(r"\s+(?:[A-Z][\w.'’-]*\s+){0,2}" + re.escape(rest.split()[-1]))
        return any(not full.match(self.text, m.end()) for m in re.finditer(rf"\b{re.escape(first)}\b", self.text))

    def main_person(self) -> str | None:
        """The person the article is about: the one it mentions most often (counting every use of the
        surname), when that is at least twice as often as anyone else; None when two people share the
        story ("Ginsburg ... Trump": "the justice" is then not taken for the more-named one). A person
        the text only ever names with a title ("Mr. Obama", "President Obama") counts too, and is then
        returned as that surname."""
        titled = {bare(m.name): m.name for m in self.roles if len(m.name.split()) == 1 and person_like([m.name])}
        candidates = set(self.by_surname) | set(titled)
        if not candidates:
            return None
        ranked = sorted(
            candidates,
            key=lambda s: (self.words[s], sum(self.by_surname.get(s, Counter()).values()), s),
            reverse=True,
        )
        surname = ranked[0]
        if len(ranked) > 1 and self.words[surname] < 2 * self.words[ranked[1]]:
            return None
        return self.full_name(surname) or titled[surname]

    def holder(self, description: Sequence[str], before: int | None) -> str | None:
        """The named person the article gives a role matching ``description`` (folded words)."""
        words = [w for w in description if w not in ARTICLES and w not in ("former", "then", "of")]
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
            freq = {n: (self._count(n), self.words[surname_of(n.split()) or ""]) for n in tied}
            ordered = sorted(tied, key=lambda n: (freq[n], best[n][1]), reverse=True)
            if freq[ordered[0]] == freq[ordered[1]] and not counts:
                return None
            return self.full_name(surname_of(ordered[0].split()) or "") or ordered[0]
        name = ranked[0][0]
        return self.full_name(surname_of(name.split()) or "") or name

    def _count(self, name: str) -> int:
        s = surname_of(name.split())
        return self.by_surname.get(s or "", Counter()).get(name, 0)

    def last_country(self, before: int | None) -> str | None:
        """The last country named at or before position ``before`` (anywhere when None), or None."""
        found = [c for pos, c in self.countries if before is None or pos <= before]
        return found[-1] if found else None


def read_article(text: str) -> ArticleNames:
    """Collect the names, roles and countries an article's text gives."""
    names = ArticleNames()
    countries = country_table()
    names.words.update(bare(w) for w in re.findall(r"\b[A-Z][\w'’-]*", text))
    mentions = _names_in_text(text)
    for m in mentions:
        key = key_text(m.name)
        if key in countries:
            names.countries.append((m.start, countries[key]))
            continue
        words = person_parts(m.name)
        if len(words) >= 2 and bare(words[-1]) in wordset("orgs.txt"):
            names.orgs[" ".join(words)] += 1
        if len(words) >= 2 and person_like(words):
            surname = surname_of(words)
            if surname:
                names.by_surname.setdefault(surname, Counter())[" ".join(words)] += 1
        if m.role and person_like(person_parts(m.name)):
            names.roles.append(m)
    _read_people(text, mentions, names)
    _read_staff(text, names)
    # single-word country names and demonym phrases inside capitalised runs
    for run in re.finditer(r"\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}", text):
        key = key_text(run.group())
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
        words = person_parts(m.name)
        surname = surname_of(words) if words else None
        if not surname or surname not in names.by_surname:
            continue
        if len(words) >= 2 and not person_like(words):
            continue
        names.people.append((m.start, surname, _opens_sentence(text, m.start, names.sentences)))
        for r in m.role:
            if r in HONORIFIC_GENDER:
                names.gender_votes.append((m.start, surname, HONORIFIC_GENDER[r], 3))
        given = first_name_gender(words[0]) if len(words) >= 2 else None
        if given is not None:
            names.gender_votes.append((m.start, surname, given, 2))
    quoted = _quoted_spans(text)
    for k, (pos, surname, _) in enumerate(names.people):
        end = min(names.people[k + 1][0] if k + 1 < len(names.people) else len(text), pos + GENDER_WINDOW)
        for w in re.finditer(r"[a-z]+", text[pos:end].lower()):
            g = GENDER.get(w.group())
            # a pronoun inside a quotation is the quoted speaker's, usually about someone else
            if g is not None and not _inside(quoted, pos + w.start()):
                names.gender_votes.append((pos + w.start(), surname, g, 1))
    names.genders = _gender_of(names.gender_votes)


_STAFF = re.compile(
    r"(?P<owner>\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?|\b[Hh]is|\b[Hh]er)\s+"
    r"(?:(?:top|senior|chief|longtime|deputy|national|foreign|policy|press|communications|campaign)\s+){0,4}"
    r"(?:spokes(?:wo)?man|spokesperson|chair(?:man|woman)?|manager|aide|adviser|advisor|strategist|secretary)\s+"
    r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2})"
)
"""A staffer introduced with whom they work for: "Trump campaign chairman Paul Manafort", "Clinton's top
foreign policy aide Jake Sullivan", "His campaign chairman Paul Manafort"."""


def _read_staff(text: str, names: ArticleNames) -> None:
    """The spokespeople, aides and campaign staff the article ties to a person ("<principal> campaign
    spokesman <name>"): each staffer's surname with the principal's full name, at the tie's offset. A
    former staffer ("Former Trump campaign manager ...") and a staffer of an organisation ("Justice
    Department spokeswoman ...") are no one's voice here."""
    for m in _STAFF.finditer(text):
        if "former" in text[max(0, m.start() - 12) : m.start()].lower():
            continue
        owner = POSSESSIVE.sub("", m.group("owner"))
        if owner.lower() in ("his", "her"):
            principal = names.antecedent(owner.lower(), m.start())
        elif owner.lower() == "campaign":
            # "Campaign chair Paul Manafort" with no candidate named: the campaign of the person the
            # article is about, when it is about one person
            principal = names.main_person()
        else:
            parts = person_parts(owner)
            surname = surname_of(parts) if parts and person_like(parts) else None
            known = surname is not None and (surname in names.by_surname or names.words[surname] >= 2)
            principal = (names.full_name(surname or "") or " ".join(parts)) if known else None
        staffer = person_parts(m.group("name"))
        surname = surname_of(staffer) if staffer and person_like(staffer) else None
        if principal and surname and surname_of(person_parts(principal)) != surname:
            names.staff.append((m.start(), surname, principal))


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
        abbreviation = bare(word) in title_words() or (len(word) == 1 and word.isupper()) or "." in word  # "U.S."
        if m.group().startswith("\n") or not abbreviation:
            starts.append(m.end())
    return starts


def _opens_sentence(text: str, pos: int, starts: Sequence[int]) -> bool:
    """Whether the words between the sentence's start and ``pos`` are only capitalised words and
    titles ("Mrs. Lind said", "Green Party nominee Ada Lind"): the mention is the sentence's subject."""
    begin = starts[bisect.bisect_right(starts, pos) - 1] if starts else 0
    titles = title_words()
    return all(is_cap(w) or bare(w) in titles for w in text[begin:pos].split() if any(c.isalpha() for c in w))


@lru_cache(maxsize=1)
def _given_names() -> Any:
    import gender_guesser.detector  # a first-name list of some 40,000 names by country

    return gender_guesser.detector.Detector(case_sensitive=False)


def first_name_gender(first: str) -> str | None:
    """"m" or "f" for a first name that name lists give to one gender ("Hillary", "Donald"); None
    for a name given to both ("Jan": male in most countries, mostly female in the USA), an initial or
    an unknown name."""
    if len(first.strip(".")) < 2:
        return None
    lists = _given_names()
    found = {"male": "m", "female": "f"}.get(lists.get_gender(first))
    other = {"m": "female", "f": "male"}.get(found or "")
    # a name English-language lists give to the other gender is no evidence in an English text
    if found is None or any(lists.get_gender(first, c) in (other, f"mostly_{other}") for c in ("usa", "great_britain")):
        return None
    return found


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
