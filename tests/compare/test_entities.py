"""Canonical entity ids: in-article forms and the cross-article key cascade (invented texts)."""

from __future__ import annotations

import pytest

from pipeline.compare import EntityRegistry, canonical_entities, resolve_entities


def test_article_and_possessive_do_not_make_a_new_entity() -> None:
    (ids,), _ = canonical_entities([["the Harlow River", "Harlow River", "Harlow River's"]])
    assert {e.entity_id for e in ids if e} == {"entity:harlow-river"}


def test_bare_name_joins_the_only_longer_entity_it_belongs_to() -> None:
    assert resolve_entities(["the Harlow River", "Harlow"]) == ["Harlow River", "Harlow River"]


def test_bare_name_stays_apart_when_two_longer_entities_fit() -> None:
    got = resolve_entities(["Harlow River", "Harlow Port Authority", "Harlow"])
    assert got == ["Harlow River", "Harlow Port Authority", "Harlow"]


def test_ending_words_join_too() -> None:
    # "the Port Authority" is the one "... Port Authority" the article names
    assert resolve_entities(["Harlow Port Authority", "the Port Authority"])[1] == "Harlow Port Authority"


def test_one_id_across_articles_and_aliases_kept() -> None:
    (a, b), registry = canonical_entities([["the Harlow River", "Millbrook"], ["Harlow", "Harlow River"]])
    assert a[0] is not None and b[0] is not None and a[0].entity_id == b[0].entity_id
    river = registry.entities["entity:harlow-river"]
    assert river.name == "Harlow River" and "the Harlow River" in river.aliases


@pytest.mark.parametrize("mention", ["North Korea", "Pyongyang", "the DPRK"])
def test_countries_use_the_country_table(mention: str) -> None:
    entity = EntityRegistry().resolve(mention)
    assert entity is not None and entity.entity_id == "country:north-korea" and entity.kind == "country"


def test_alias_file_entries_apply_to_entities() -> None:
    entity = EntityRegistry().resolve("the U.N.")
    assert entity is not None and entity.name == "United Nations"


def test_empty_mentions_get_no_entity() -> None:
    (ids,), _ = canonical_entities([["", "  ", "Harlow River"]])
    assert ids[0] is None and ids[1] is None and ids[2] is not None


def test_ids_are_stable_whatever_came_before() -> None:
    first = EntityRegistry().resolve("Harlow River")
    registry = EntityRegistry()
    registry.resolve("Millbrook")
    assert first is not None and registry.resolve("the Harlow River") == EntityRegistry().resolve("the Harlow River")
    again = registry.resolve("Harlow River")
    assert again is not None and again.entity_id == first.entity_id


def test_entities_in_other_scripts_keep_distinct_non_empty_ids() -> None:
    registry = EntityRegistry(aliases={})
    ids = [registry.resolve(n).entity_id for n in ("Βουλή των Ελλήνων", "Государственная Дума")]  # type: ignore[union-attr]
    assert len(set(ids)) == 2 and all(i.split(":", 1)[1] for i in ids), ids
