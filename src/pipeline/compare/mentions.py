"""In the article: each claim's speaker becomes the fullest name the article gives for it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.compare.lexicon import (
    ARTICLES,
    COUNTRY_HEADS,
    EMPTY_SPEAKERS,
    GENDER,
    NAME_PARTICLES,
    PERSON_PRONOUNS,
    POSSESSIVE,
    PRONOUNS,
    SUB_WORDS,
    bare,
    country_table,
    key_text,
    title_words,
    wordset,
)
from pipeline.compare.names import (
    ArticleNames,
    is_cap,
    names_a_thing,
    person_like,
    person_parts,
    read_article,
    surname_of,
)


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
    """("the Clinton campaign" | "Hillary Clinton's spokeswoman Jane Roe") -> (principal, sub); a
    campaign nobody names ("the campaign", "people close to the campaign") -> ("the", sub)."""
    folded = [bare(w) for w in words]
    for k, w in enumerate(folded):
        if w not in SUB_WORDS:
            continue
        # "X's campaign", "the X campaign", "X campaign manager Y"
        left = words[:k]
        while left and bare(left[0]) in ARTICLES:
            left = left[1:]
        if left and is_cap(left[-1]):
            # the capitalised run just before the sub word
            run: list[str] = []
            for x in reversed(left):
                if not is_cap(x):
                    break
                run.insert(0, x)
            return " ".join(run), " ".join(words)
        if left and bare(left[-1]) in ("his", "her", "their"):
            return bare(left[-1]), " ".join(words)
        if w in ("campaign", "camp") and (not left or bare(left[-1]) in ARTICLES):
            # "the campaign", "people close to the campaign": nobody's campaign is named
            return "the", " ".join(words)
        # "a spokesman for X"
        if k + 2 <= len(words) and folded[k + 1 : k + 2] == ["for"]:
            run = []
            for x in words[k + 2 :]:
                if not is_cap(x):
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
        if not resolved and bare((speaker or "").strip()) in EMPTY_SPEAKERS:
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
            m = _pronoun_fallback(bare((_get(c, "speaker") or "").strip()), at, names, last_person, m.sub)
        principal = names.principal_of(m.name, at) if m.name and m.how not in ("principal", "agent") else None
        if principal is not None:  # "Manafort said", after "Trump campaign chairman Paul Manafort"
            m = Mention(principal, m.name, "principal")
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
    want = GENDER.get(pronoun)
    if last_person is not None and (want is None or names.gender(last_person) in (None, want)):
        return Mention(last_person, sub, "pronoun")
    return Mention(None, sub, "unresolved")


def _looks_person(name: str) -> bool:
    words = name.split()
    return (
        1 <= len(words) <= 4
        and all(is_cap(w) for w in words)
        and key_text(name) not in country_table()
        and not any(bare(w) in wordset("orgs.txt") for w in words)
        and not names_a_thing(words)
    )


def _complete(name: str, names: ArticleNames) -> tuple[str, str]:
    """A person name completed from the article: ("Mr. Trump" -> "Donald Trump", "title")."""
    words = person_parts(name)
    if not words:
        return name, "name"
    had_title = len(words) < len(name.split())
    if len(words) == 1:
        full = names.full_name(bare(words[0]))
        if full:
            return full, "title" if had_title else "surname"
        return words[0], "name"
    surname = surname_of(words)
    counts = names.by_surname.get(surname or "", Counter())
    # "Donald J. Trump" and "Donald Trump" keep their own spelling; the registry keys them together
    if counts and " ".join(words) not in counts and len(words) == 2 and bare(words[0]) in title_words():
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
    described, _, after_comma = raw.rpartition(",")
    # a description holds a lower-case word that is no name particle ("Ludwig van Beethoven" holds none)
    describes = any(w.islower() and w not in NAME_PARTICLES for w in described.split())
    appositive = after_comma.split() if describes else []
    if (
        2 <= len(appositive) <= 4
        and all(is_cap(w) for w in appositive)
        and person_like(appositive)
        and bare(appositive[-1]) in names.by_surname  # a person the article names, not "New York City"
    ):
        # "The director of the centre, Ina Kirsch": the name after a description (not a list of names)
        return _resolve_one(" ".join(appositive), None, at, names, last_person)
    folded = [bare(w) for w in words]
    if len(folded) == 1 and folded[0] in _QUANTIFIERS:
        group = _group_before(names.text, at)  # "all agreed": the experts just named
        return Mention(group, None, "quantifier") if group else Mention(None, raw, "unresolved")
    countries = country_table()
    key = key_text(raw)
    if key in countries:
        return Mention(countries[key], None, "country")
    agent = _agent(words)
    if agent is not None:
        who, role = agent
        if who in PRONOUNS:
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
        if who == "the":  # the campaign of the person the article is about, when it is about one
            main = names.main_person()
            return Mention(main, sub, "principal" if main else "unresolved")
        full, _ = _complete(who, names)
        return Mention(full, sub, "principal")
    if len(folded) == 1 and folded[0] in PRONOUNS | {"who", "that", "which"}:
        if resolved and resolved.strip().lower() != raw.lower():
            r = _resolve_one(resolved, None, at, names, last_person)
            want = GENDER.get(folded[0])
            if want is not None:
                named = r.how not in ("main", "unresolved") and bool(r.name) and _looks_person(r.name or "")
                if named and names.gender(r.name or "") in (None, want):
                    # relatives share the surname's pronoun evidence: "He" after "Ivanka Trump" is the
                    # principal the surname's pronouns speak of, not the relative
                    principal = names.full_name(surname_of(person_parts(r.name or "")) or "")
                    if (
                        principal
                        and principal != r.name
                        and names.is_relative(r.name or "")
                        and names.gender(principal) == want
                    ):
                        return Mention(principal, None, "pronoun")
                    return r
                # the extractor's antecedent is no named person ("a reader", an unnamed description)
                # or one the article shows to be of the other gender: the nearest person who fits
                found = names.antecedent(folded[0], at)
                if found:
                    return Mention(found, None, "pronoun")
                if named:
                    return Mention(None, resolved, "unresolved")
            if r.how not in ("main", "unresolved") or folded[0] not in PERSON_PRONOUNS:
                return r
            # the antecedent is a description the text never names: better unknown than a guess
            return Mention(None, resolved, "unresolved")
        return Mention(None, None, "pronoun-fallback" if folded[0] in PERSON_PRONOUNS else "unresolved")
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return Mention(words[0], None, "name")  # an acronym: "FBI", never a surname
    if folded[0] in ARTICLES and len(words) > 1 and (not is_cap(words[1]) or _is_role_noun(words[-1])):
        return _description(raw, folded[1:], resolved, at, names, last_person)
    group = singular(folded[-1])
    if len(words) <= 2 and words[-1].endswith("s") and group in wordset("groups.txt"):
        return Mention(" ".join(words), None, "name")  # "Democrats", "Senate Republicans"
    if len(words) >= 2 and words[-1].islower() and words[-1].endswith("s") and not words[-1].endswith("ss"):
        # a plural common noun heads it: "Trump fans", "Clinton supporters" are a group, not the person
        return Mention(" ".join(words), None, "name")
    caps = [w for w in words if is_cap(w) and bare(w) not in title_words() and bare(w) not in ARTICLES]
    if caps:
        run = _name_run(words)
        orgs = wordset("orgs.txt")
        of_at = next((k for k, w in enumerate(words) if k > 1 and w.lower() == "of"), None)
        if of_at is not None:
            head = _name_run(words[:of_at])
            if len(head) >= 2 and not any(bare(w) in orgs for w in head) and person_like(head):
                # "Marcus Feld of the port authority": a person, then where they work
                return _resolve_one(" ".join(words[:of_at]), resolved, at, names, last_person)
        if any(bare(w) in orgs for w in run) or bare(words[-1]) in orgs:
            start = next(k for k, w in enumerate(words) if w in caps)
            name = " ".join(words[start:]).strip(",.")
            if key_text(name) in countries:
                return Mention(countries[key_text(name)], None, "country")
            # "Port authority" -> "Harlow Port Authority" when the article spells it out
            return Mention(names.full_org(words) or name, None, "name")
        if not run:
            desc = [w for w in folded if w not in ARTICLES]
            return _description(raw, desc, resolved, at, names, last_person)
        name = " ".join(run)
        if key_text(name) in countries:
            return Mention(countries[key_text(name)], None, "country")
        r_parts = _name_run(resolved.split()) if resolved else []
        bearers = names.by_surname.get(surname_of(run) or "", Counter())
        if (
            len(r_parts) >= 2
            and surname_of(r_parts) == surname_of(run)
            and person_like(r_parts)
            and (len(run) > 1 or len(bearers) < 2)
        ):
            # the extractor already linked the name to the fullest form in the text
            return Mention(" ".join(r_parts), None, "surname" if len(run) == 1 else "name")
        had_title = len(run) < len([w for w in words if w not in ARTICLES])
        full, how = _complete(name, names)
        return Mention(full.strip(",."), None, "title" if had_title and how != "name" else how)
    desc = [w for w in folded if w not in ARTICLES]
    return _description(raw, desc, resolved, at, names, last_person)


_QUANTIFIERS = frozenset(("all", "both", "many", "most", "some", "several", "others", "few"))
_GROUP_WINDOW = 600  # characters before a quantifier speaker in which its group is looked for


def _group_before(text: str, at: int | None) -> str | None:
    """The last plural collective noun ("experts", "officials") shortly before ``at``, or None."""
    if at is None or not text:
        return None
    heads = wordset("groups.txt")
    found = None
    for m in re.finditer(r"[A-Za-z]+s\b", text[max(0, at - _GROUP_WINDOW) : at]):
        word = m.group().lower()
        if singular(word) in heads and singular(word) not in ("poll", "survey"):
            found = word  # polls and surveys are sources, not the people a quantifier counts
    return found


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
    titles = title_words()
    runs: list[list[str]] = []
    current: list[str] = []
    for k, w in enumerate(words):
        b = bare(w)
        plain = w.rstrip(",")
        if is_cap(w) and b not in titles and b not in ARTICLES:
            if POSSESSIVE.search(plain) and "'" in plain.replace("’", "'"):
                if k == len(words) - 1:
                    # the speaker ends in the possessive ("FBI Director James Comey's"): it is the name
                    current.append(POSSESSIVE.sub("", plain))
                    continue
                current = []  # "Breitbart's Joel Pollak": an owner, not the name
                continue
            current.append(plain.rstrip("."))
            if w.endswith(","):
                runs.append(current)
                break  # an apposition or list follows the name
        elif current and w in NAME_PARTICLES:
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
    return word.islower() and (bare(word) in title_words() or bare(word) in COUNTRY_HEADS)


def _description(
    raw: str, desc: list[str], resolved: str | None, at: int | None, names: ArticleNames, last_person: str | None
) -> Mention:
    """A speaker written as a description: "the mayor", "the Republican nominee", "the Communist country"."""
    if " of " in f" {' '.join(desc)} ":
        desc = " ".join(desc).split(" of ")[0].split()
    if not desc:
        return Mention(None, raw, "unresolved")
    if desc[-1] in wordset("orgs.txt"):
        org = names.full_org(desc)
        if org:
            return Mention(org, None, "name")
    if desc[-1] in COUNTRY_HEADS:
        country = names.last_country(at)
        if country:
            return Mention(country, None, "country")
    if desc[-1] in title_words():
        holder = names.holder(desc, at)
        if holder:
            return Mention(holder, None, "description")
    if (
        resolved
        and resolved.strip().lower() != raw.lower()
        and is_cap(resolved.strip()[:1])
        and not all(bare(w) in title_words() or bare(w) in ARTICLES for w in resolved.split())
    ):
        # the extractor's antecedent, unless it is the role word again ("Justice" for "the justice")
        r = _resolve_one(resolved, None, at, names, last_person)
        if r.name and r.how != "unresolved":
            return r
    if desc[-1] in title_words() and not desc[-1].endswith("s") and raw.split()[0].lower() in ("the", "this", "that"):
        # the person the story is about at this point, else the one it is about overall
        recent = names.recent_subject(at, role=desc[-1])
        if recent:
            return Mention(recent, None, "description")
        main = names.main_person()
        if main:
            return Mention(main, None, "main")
    if desc[-1].endswith("s") or singular(desc[-1]) in wordset("groups.txt"):
        return Mention(" ".join(desc), None, "name")  # a collective: "experts", "the officials"
    if len(desc) == 1 and not raw[:1].isupper() and desc[0] not in title_words():
        return Mention(desc[0], None, "name")  # "public", "video"; a role nobody holds here is no one
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
    folded = [bare(w) for w in words]
    if len(words) < 2 or folded[-1] not in _AGENT_WORDS:
        return None
    before = words[-2]
    role = singular(folded[-1])
    role = _AGENT_SYNONYMS.get(role, role)
    if bare(before) in ("his", "her", "their"):
        return bare(before), role
    if POSSESSIVE.search(before) and "'" in before.replace("’", "'"):
        return " ".join(words[:-1]).replace("’", "'").removesuffix("'s").strip(), role
    return None


_AGENT_SYNONYMS = {"attorney": "lawyer", "physician": "doctor"}


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# --------------------------------------------------------------------------- across articles
