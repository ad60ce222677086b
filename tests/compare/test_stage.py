"""The compare stage as a pure function: entity ids, and the rows one run produces from claim rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.compare.entities import EntityRegistry
from pipeline.compare.lexicon import key_text
from pipeline.compare.stage import compare_claims


@pytest.mark.parametrize(
    ("mentions", "same"),
    [
        (["the Harlow River", "Harlow River", "Harlow River's", "THE HARLOW RIVER"], True),
        (["North Korea", "Pyongyang", "the DPRK"], True),
        (["Harlow River", "Harlow"], False),  # a bare "Harlow" may be the river, the port or the club
        (["Harlow Port Authority", "Harlow River"], False),
    ],
)
def test_entity_mentions_share_an_id_only_when_their_keys_agree(mentions: list[str], same: bool) -> None:
    registry = EntityRegistry()
    ids = {e.entity_id for e in (registry.resolve(m) for m in mentions) if e is not None}
    assert (len(ids) == 1) is same, ids


def test_entity_kind_name_and_aliases() -> None:
    registry = EntityRegistry()
    river = registry.resolve("the Harlow River")
    again = registry.resolve("Harlow River")
    korea = registry.resolve("Pyongyang")
    port = registry.resolve("the Harlow Port Authority")
    assert river is not None and again is not None and korea is not None and port is not None
    assert again.entity_id == "entity:harlow-river" and again.name == "Harlow River" and again.kind == "place"
    assert again.aliases == ("the Harlow River", "Harlow River")
    assert (korea.name, korea.kind) == ("North Korea", "country")
    assert port.kind == "organisation"
    assert registry.resolve("  ") is None
    assert key_text("The Mayor’s") == "mayor"


def test_stored_entities_keep_their_name_and_only_changes_are_written() -> None:
    stored = [
        {"entity_id": "entity:harlow-river", "name": "Harlow River", "kind": "place", "aliases": ["Harlow River"]}
    ]
    registry = EntityRegistry(stored)
    registry.resolve("Harlow River")
    assert registry.changed() == []
    registry.resolve("the Harlow River")
    assert [e.aliases for e in registry.changed()] == [("Harlow River", "the Harlow River")]


def _claim(
    claim_id: str, article: str, content: str, speaker: str | None, polarity: str = "asserts", **kw: object
) -> dict:
    row = {
        "claim_id": claim_id,
        "article_id": article,
        "seen_at": datetime(2026, 3, 2, tzinfo=UTC),
        "speaker": speaker,
        "speaker_resolved": None,
        "speaker_start": None,
        "content": content,
        "content_start": 0,
        "polarity": polarity,
        "entities": [],
        "is_new": True,
    }
    row.update(kw)
    return row


def test_old_claims_give_context_but_are_not_reassigned() -> None:
    claims = [
        _claim("a1", "A", "the spill near the terminal had been contained", "Marcus Feld", is_new=False),
        _claim("a2", "A", "water samples downstream showed no trace of solvent", "Feld"),
    ]
    texts = {"A": "Marcus Feld said the spill near the terminal had been contained. Feld added more."}
    result = compare_claims(claims, texts, [])
    assert [a.claim_id for a in result.assignments] == ["a2"]
    assert [r["claim_id"] for r in result.claim_speakers] == ["a2"]
    assert result.claim_speakers[0]["speaker_id"] == "person:marcus-feld"


def test_a_claim_without_speaker_or_date_is_clustered_or_says_why() -> None:
    claims = [
        _claim("x1", "A", "the harbour water was safe to drink on Monday", None, seen_at=None),
        _claim("x2", "B", "the accusation", None, seen_at=None),
        _claim("x3", "C", "", None),
    ]
    result = compare_claims(claims, {}, [])
    by_id = {a.claim_id: a for a in result.assignments}
    assert by_id["x1"].cluster_id is not None and by_id["x1"].reason == "new"
    assert by_id["x2"].cluster_id is None and "content words" in (by_id["x2"].reason or "")
    assert by_id["x3"].cluster_id is None and by_id["x3"].reason == "no content"
    assert all(r["speaker_id"] is None for r in result.claim_speakers)


def test_contradictions_are_reported_only_when_a_new_claim_takes_part() -> None:
    old = {
        "claim_id": "o1",
        "doc_id": "A",
        "content": "the Harlow River spill had been contained",
        "polarity": "asserts",
        "speaker_id": "organisation:hpa",
        "seen_at": datetime(2026, 3, 2, tzinfo=UTC),
        "cluster_id": "cl-old",
        "stance": "+",
        "sign": 1,
        "reason": "new",
    }
    denial = _claim("n1", "B", "the Harlow River spill had been contained", "Elena Ruiz", "denies")
    result = compare_claims([denial], {"B": "Elena Ruiz denied it."}, [old])
    assert result.n_restored == 1
    assert result.assignments[0].cluster_id == "cl-old" and result.assignments[0].stance == "-"
    assert result.alerts == [{"asserting_claim_id": "o1", "denying_claim_id": "n1", "cluster_id": "cl-old"}]
    again = compare_claims([], {}, [old, {**old, "claim_id": "n1", "doc_id": "B", "polarity": "denies", "sign": -1,
                                           "stance": "-", "reason": "joined"}])  # fmt: skip
    assert again.alerts == [] and again.assignments == []
