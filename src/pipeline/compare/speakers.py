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
   with that surname; two people who share a surname are never merged. Likewise a description of
   two words or more whose article names no organisation holding those words ("the port
   authority") joins the only known organisation whose name ends with it ("Harlow Port
   Authority"); the description as written stays the finer speaker (``sub``).

The speaker id is a slug of the canonical key (``person:donald-trump``), so it never changes when
other speakers arrive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.compare.aliases import AliasEntry, load_alias_file
from pipeline.compare.lexicon import (
    ARTICLES,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    bare,
    country_table,
    key_text,
    slug,
    wordset,
)
from pipeline.compare.mentions import Mention, resolve_article, singular
from pipeline.compare.names import is_cap, person_parts, read_article


@dataclass(frozen=True, slots=True)
class Speaker:
    """One canonical speaker: a stable id, a display name, a kind and the names seen for it."""

    speaker_id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The speaker as a plain dict."""
        return {"speaker_id": self.speaker_id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases)}


def _acronym(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if is_cap(w) and bare(w) not in ("of", "the", "and", "for"))


def _name_words(parts: Sequence[str]) -> list[str]:
    """The words of a person's name without the sentence words a speaker can open with
    ("Certainly Donald Trump" -> "Donald Trump", "Meanwhile Trump" -> "Trump"), or [] when what is
    left cannot be a name: a calendar word, a pronoun, a quantifier, a number or a percentage
    ("June", "His", "Many", "Twenty-four percent"), or a word not written with a capital."""
    stop = wordset("not_names.txt")

    def never(word: str) -> bool:
        folded = bare(word)
        return (
            not folded
            or folded in stop
            or any(part in stop for part in folded.split("-"))
            or any(ch.isdigit() for ch in folded)
            or (folded.endswith("ly") and len(folded) > 4 and word[:1].isupper() and len(parts) > 1)
        )

    words = list(parts)
    while len(words) > 1 and never(words[0]):
        words = words[1:]
    if any(bare(w) == "percent" for w in words):
        return []
    if not words or never(words[0]) or not all(is_cap(w) or w in NAME_PARTICLES for w in words):
        return []
    return words


class SpeakerRegistry:
    """The cross-article speaker table: names -> :class:`Speaker`, keyed by a deterministic cascade.

    ``learn`` full names first (so a bare surname can join the one person who bears it), then
    ``resolve`` each mention. Ids are slugs of the canonical key, so they never change."""

    def __init__(self, aliases: Mapping[str, AliasEntry] | None = None) -> None:
        self.aliases = dict(load_alias_file() if aliases is None else aliases)
        self.speakers: dict[str, Speaker] = {}
        self._surnames: dict[str, set[str]] = {}  # surname -> person keys with that surname
        self._named: dict[str, int] = {}  # person key -> how many ``learn`` calls (articles) named it
        self._org_tails: dict[str, set[tuple[str, str]]] = {}  # "port authority" -> {(key, name)} ending so

    def learn(self, names: Iterable[str]) -> None:
        """Register full names: a lone surname can then be matched to the only person bearing it, and
        a generic description ("the port authority") to the only organisation whose name ends so."""
        seen: set[str] = set()
        for name in names:
            kind, key, display = self._key(name)
            if kind == "person" and " " in key:
                self._surnames.setdefault(key.split()[-1], set()).add(key)
                if key not in seen:
                    seen.add(key)
                    self._named[key] = self._named.get(key, 0) + 1
            words = [bare(w) for w in display.split()]
            if kind == "organisation" and len(words) >= 2 and all(is_cap(w) for w in display.split()):
                for n in range(1, len(words)):
                    self._org_tails.setdefault(" ".join(words[n:]), set()).add((key, display))

    def _key(self, name: str) -> tuple[str, str, str]:
        """(kind, key, display name) for a resolved name."""
        if name.strip()[:1] in "“\"‘'":
            return "group", "", name  # a title in quotes ("“Morning Joe"): a show or a book, not a speaker
        agent = re.fullmatch(r"(.+) \((\w+)\)", name.strip())
        if agent is not None:
            kind, key, display = self._key(agent.group(1))
            return kind, f"{key} ~ {agent.group(2)}", f"{display} ({agent.group(2)})"
        k = key_text(name)
        entry = self.aliases.get(k)
        if entry is not None:
            return entry.kind, key_text(entry.canonical), entry.canonical
        countries = country_table()
        if k in countries:
            return "country", key_text(countries[k]), countries[k]
        words = [w.strip(',."“”') for w in name.split()]
        words = [w for w in words if w]
        while words and bare(words[0]) in ARTICLES:
            words = words[1:]
        orgs = wordset("orgs.txt")
        if words and (
            any(bare(w) in orgs for w in words) or (len(words) == 1 and words[0].isupper() and len(words[0]) > 1)
        ):
            joiners = ("of", "the", "and", "for", "&")
            if "and" in [bare(w) for w in words[1:-1]] or "&" in words:
                left, right = re.split(r"\s+(?:and|&)\s+", " ".join(words), maxsplit=1)
                if is_cap(left) and is_cap(right) and any(bare(w) in orgs for w in left.split()):
                    return "group", k, " ".join(words)  # "NBC News and ABC News": two organisations, not one
            # an acronym stands for a proper name only: every word capitalised but the joiners, six words at most
            proper = len(words) <= 6 and all(is_cap(w) or bare(w) in joiners for w in words)
            acro = words[0] if len(words) == 1 else _acronym(words)
            if len(words) == 1 or (proper and len(acro) >= 3):
                return "organisation", acro.lower(), " ".join(words)
            return "organisation", k, " ".join(words)
        if words and not all(is_cap(w) for w in words):
            head = singular(bare(words[-1]))
            return "group", head if head in wordset("groups.txt") else k, " ".join(words)
        if words and singular(bare(words[-1])) in wordset("groups.txt") and len(words) == 1:
            return "group", singular(bare(words[-1])), words[-1]
        parts = person_parts(" ".join(words))
        if not parts:
            return "group", k, name
        parts = _name_words(parts)
        if not parts:
            return "person", "", name  # "June", "Many", "Just 28 percent": no person at all
        rest = [p for p in parts if bare(p) not in NAME_SUFFIXES]
        suffix = [bare(p) for p in parts if bare(p) in NAME_SUFFIXES]
        if len(rest) >= 2:
            key = " ".join([bare(rest[0]), bare(rest[-1]), *suffix])
            return "person", key, " ".join(parts)
        return "person", bare(rest[0]) if rest else k, " ".join(parts)

    def resolve(self, name: str | None) -> Speaker | None:
        """The canonical speaker of a resolved name (None stays None)."""
        if not name or not name.strip():
            return None
        kind, key, display = self._key(name)
        if kind == "person" and " " not in key:
            bearers = self._surnames.get(key, set())
            principal = self._principal(bearers)
            if principal is not None:
                key = principal
                display = self.speakers.get(f"person:{slug(key)}", Speaker("", display, kind)).name
                if display == name.strip():
                    display = key.title()
        if not key:
            return None
        return self._record(kind, key, display, name)

    def _principal(self, bearers: set[str]) -> str | None:
        """The person a bare surname means across articles: the only one known with it, or, among
        relatives sharing it, the one named in at least twice as many articles as any other
        and in three articles at least ("Obama": Barack, not Michelle); None otherwise."""
        if len(bearers) == 1:
            return next(iter(bearers))
        ranked = sorted(((self._named.get(k, 0), k) for k in bearers), reverse=True)
        if len(ranked) >= 2 and ranked[0][0] >= 3 and ranked[0][0] >= 2 * ranked[1][0]:
            return ranked[0][1]
        return None

    def resolve_description(self, description: str | None) -> Speaker | None:
        """The organisation a generic description stands for ("the port authority"), when the
        registry knows exactly one organisation whose name ends with its words ("Harlow Port
        Authority"); else None. Two port authorities known: neither is chosen; a one-word
        description ("the campaign") is never matched."""
        written = [w for w in (description or "").split() if bare(w) not in ARTICLES]
        if len(written) < 2 or not all(w.isalpha() and w.islower() for w in written):
            # a name ("Port Authority"), or one word ("the campaign", "the company"): too generic
            return None
        words = [bare(w) for w in written]
        if not any(w in wordset("orgs.txt") for w in words):
            return None
        holders = self._org_tails.get(" ".join(words), set())
        if len(holders) != 1:
            return None
        key, display = next(iter(holders))
        return self._record("organisation", key, display, (description or "").strip())

    def _record(self, kind: str, key: str, display: str, name: str) -> Speaker:
        speaker_id = f"{kind}:{slug(key)}"
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
    own_orgs: list[list[str]] = []  # per article, the organisation names it spells out, folded
    for claims, text in articles:
        names = read_article(text or "")
        mentions.append(resolve_article(claims, names=names))
        own_orgs.append([" ".join(bare(w) for w in org.split()) for org in names.orgs])
        registry.learn(n for n in (names.full_name(s) for s in names.by_surname) if n)
        registry.learn(names.orgs)
    registry.learn(m.name for ms in mentions for m in ms if m.name and len(m.name.split()) >= 2)
    out: list[list[SpeakerAssignment]] = []
    for ms, orgs in zip(mentions, own_orgs, strict=True):
        row = []
        for m in ms:
            if m.name:
                sp, how = registry.resolve(m.name), m.how
            else:
                # "the port authority" of an article that names no organisation with those words in it
                # ("The Port Authority of New York and New Jersey" is not the Harlow one known elsewhere)
                words = " ".join(bare(w) for w in (m.sub or "").split() if bare(w) not in ARTICLES)
                named_here = bool(words) and any(f" {words} " in f" {org} " for org in orgs)
                sp, how = (None if named_here else registry.resolve_description(m.sub)), "description"
            if sp is None:
                row.append(SpeakerAssignment(None, None, None, m.sub, m.how))
            else:
                row.append(SpeakerAssignment(sp.speaker_id, sp.name, sp.kind, m.sub, how))
        out.append(row)
    return out, registry
