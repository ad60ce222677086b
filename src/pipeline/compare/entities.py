"""Canonical named entities: one id per place, body or thing, across the claims of many articles.

The same key cascade as the speakers (:mod:`pipeline.compare.speakers`), for entity mentions:

1. In the article (:func:`resolve_entities`): a mention takes the fullest form the article gives
   for it. "Harlow River" and "the Harlow River" are one form; a shorter mention ("Harlow") takes
   a longer one whose words it opens or ends ("Harlow River") only when exactly one such longer
   entity is in the article: with "Harlow River" and "Harlow Port Authority" both present, a bare
   "Harlow" stays its own entity.
2. Across articles (:class:`EntityRegistry`): the alias file, then the country table (capitals,
   demonyms, acronyms), then the folded form without a leading article or a possessive ending.

The entity id is a slug of the canonical key (``entity:harlow-river``, ``country:north-korea``), so
it never changes when other entities arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.compare.aliases import AliasEntry, load_alias_file
from pipeline.compare.lexicon import country_table, key_text, slug, wordset

log = logging.getLogger(__name__)


# Head words that make an entity a place (the extractor stores names, not spaCy's labels).
_PLACE_HEADS = {
    "river", "lake", "sea", "ocean", "bay", "bank", "valley", "mountain", "mountains", "island", "islands",
    "street", "road", "square", "city", "county", "state", "province", "region", "district", "terminal",
    "port", "harbour", "harbor", "park", "bridge", "airport", "station", "coast",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entity:
    """One named entity: a stable id, a display name, a kind and the mentions seen for it."""

    entity_id: str
    name: str
    kind: str  # country | organisation | place | other
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The entity as a plain dict."""
        return {"entity_id": self.entity_id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases)}


def _display(mention: str) -> str:
    """A mention without a leading article, a possessive ending or surrounding punctuation."""
    words = mention.strip(" \"'“”‘’,.;:()").split()
    while words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    if words:
        last = words[-1]
        for ending in ("'s", "’s", "'", "’"):
            if last.endswith(ending) and len(last) > len(ending):
                words[-1] = last[: -len(ending)]
                break
    return " ".join(words)


def resolve_entities(mentions: Sequence[str]) -> list[str]:
    """The article-level form of each mention of one article (same order): the fullest form the
    article gives for it, a shorter mention joining a longer one only when exactly one fits."""
    forms = [_display(m) for m in mentions]
    keys = {key_text(f): f for f in forms if f}
    # the most frequent spelling of each key is its display form
    counts: dict[str, dict[str, int]] = {}
    for f in forms:
        if f:
            counts.setdefault(key_text(f), {}).setdefault(f, 0)
            counts[key_text(f)][f] += 1
    best = {k: max(v.items(), key=lambda kv: (kv[1], kv[0]))[0] for k, v in counts.items()}
    out: list[str] = []
    for f in forms:
        if not f:
            out.append("")
            continue
        key = key_text(f)
        words = key.split()
        longer = [
            k
            for k in keys
            if len(k.split()) > len(words) and (k.split()[: len(words)] == words or k.split()[-len(words) :] == words)
        ]
        # only the longest forms count: "Harlow River Authority" contains "Harlow River" as well
        maximal = [k for k in longer if not any(o != k and f" {k} " in f" {o} " for o in longer)]
        out.append(best[maximal[0]] if len(maximal) == 1 else best[key])
    return out


class EntityRegistry:
    """The cross-article entity table: article-level forms -> :class:`Entity`, by a key cascade
    (the alias file, the country table, then :func:`lexicon.key_text`); ids are slugs of the key, so they
    never depend on what came before. ``stored`` rows (the ``entities`` table) carry over."""

    def __init__(self, stored: Iterable[Mapping[str, Any]] = (), aliases: Mapping[str, AliasEntry] | None = None):
        self.aliases = dict(load_alias_file() if aliases is None else aliases)
        self.entities: dict[str, Entity] = {}
        for row in stored:
            e = Entity(str(row["entity_id"]), str(row["name"]), str(row["kind"]), tuple(row.get("aliases") or ()))
            self.entities[e.entity_id] = e
        self.stored = dict(self.entities)

    def resolve(self, name: str | None, mention: str | None = None) -> Entity | None:
        """The entity an article-level form names (None for an empty one); ``mention``, the words as
        written (default: ``name``), is learnt as an alias."""
        if not name:
            return None
        key = key_text(name)
        if not key:
            return None
        display = _display(name)
        kind = "other"
        prefix = "entity"
        entry = self.aliases.get(key) or self.aliases.get(key_text(name))
        countries = country_table()
        if entry is not None:
            key, display = key_text(entry.canonical), entry.canonical
            kind = entry.kind if entry.kind in ("country", "organisation") else "other"
        elif key in countries or key_text(name) in countries:
            display = countries.get(key) or countries[key_text(name)]
            key, kind = key_text(display), "country"
        elif any(w in wordset("orgs.txt") for w in key.split()):
            kind = "organisation"
        elif key.split()[-1] in _PLACE_HEADS:
            kind = "place"
        if kind == "country":
            prefix = "country"
        entity_id = f"{prefix}:{slug(key)}"
        written = (mention or name).strip()
        old = self.entities.get(entity_id)
        if old is None:
            entity = Entity(entity_id, display or written, kind, (written,))
        else:
            seen = old.aliases if written in old.aliases else (*old.aliases, written)
            entity = Entity(entity_id, old.name, old.kind, seen)
        self.entities[entity_id] = entity
        return entity

    def changed(self) -> list[Entity]:
        """Entities new since the registry was built, or with a new alias."""
        return [e for i, e in sorted(self.entities.items()) if self.stored.get(i) != e]


def canonical_entities(
    articles: Iterable[Sequence[str]],
    registry: EntityRegistry | None = None,
    aliases: Mapping[str, AliasEntry] | None = None,
) -> tuple[list[list[Entity | None]], EntityRegistry]:
    """Canonical entities for the entity mentions of many articles (one list of mention strings per
    article, e.g. every claim's ``entities`` of that article): one list of :class:`Entity` (None for
    an empty mention) per article, in the same order, plus the registry (pass it back in next time)."""
    if registry is None:
        registry = EntityRegistry(aliases=aliases)
    out: list[list[Entity | None]] = []
    for mentions in articles:
        mentions = list(mentions)
        forms = resolve_entities(mentions)
        out.append([registry.resolve(f, m) for f, m in zip(forms, mentions, strict=True)])
    return out, registry
