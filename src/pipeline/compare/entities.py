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
from dataclasses import dataclass, field

from pipeline.compare.speakers import AliasEntry, _key_text, _slug, country_table, load_alias_file

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Entity:
    """One canonical entity: a stable id, a display name and the mentions seen for it."""

    entity_id: str
    name: str
    kind: str  # "country", or the alias file's kind, else "entity"
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
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
    keys = {_key_text(f): f for f in forms if f}
    # the most frequent spelling of each key is its display form
    counts: dict[str, dict[str, int]] = {}
    for f in forms:
        if f:
            counts.setdefault(_key_text(f), {}).setdefault(f, 0)
            counts[_key_text(f)][f] += 1
    best = {k: max(v.items(), key=lambda kv: (kv[1], kv[0]))[0] for k, v in counts.items()}
    out: list[str] = []
    for f in forms:
        if not f:
            out.append("")
            continue
        key = _key_text(f)
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


@dataclass(slots=True)
class EntityRegistry:
    """The cross-article entity table: article-level forms -> :class:`Entity`, by a key cascade."""

    aliases: dict[str, AliasEntry] = field(default_factory=load_alias_file)
    entities: dict[str, Entity] = field(default_factory=dict)

    def _key(self, name: str) -> tuple[str, str, str]:
        k = _key_text(name)
        entry = self.aliases.get(k)
        if entry is not None:
            return entry.kind, _key_text(entry.canonical), entry.canonical
        countries = country_table()
        if k in countries:
            return "country", _key_text(countries[k]), countries[k]
        return "entity", k, _display(name)

    def resolve(self, name: str | None, mention: str | None = None) -> Entity | None:
        """The canonical entity of an article-level form (None or an empty name stays None);
        ``mention``, the words as written, is kept among its aliases (default: ``name``)."""
        if not name or not _display(name):
            return None
        kind, key, display = self._key(name)
        if not key:
            return None
        prefix = "country" if kind == "country" else "entity"
        entity_id = f"{prefix}:{_slug(key)}"
        old = self.entities.get(entity_id)
        mention = (mention or name).strip()
        if old is None:
            entity = Entity(entity_id, display, kind, (mention,))
        else:
            aliases = old.aliases if mention in old.aliases else (*old.aliases, mention)
            entity = Entity(entity_id, old.name, kind, aliases)
        self.entities[entity_id] = entity
        return entity


def canonical_entities(
    articles: Iterable[Sequence[str]],
    registry: EntityRegistry | None = None,
    aliases: Mapping[str, AliasEntry] | None = None,
) -> tuple[list[list[Entity | None]], EntityRegistry]:
    """Canonical entities for the entity mentions of many articles (one list of mention strings per
    article, e.g. every claim's ``entities`` of that article): one list of :class:`Entity` (None for
    an empty mention) per article, in the same order, plus the registry (pass it back in next time)."""
    if registry is None:
        registry = EntityRegistry(dict(aliases)) if aliases is not None else EntityRegistry()
    out: list[list[Entity | None]] = []
    for mentions in articles:
        mentions = list(mentions)
        forms = resolve_entities(mentions)
        out.append([registry.resolve(f, m) for f, m in zip(forms, mentions, strict=True)])
    return out, registry
