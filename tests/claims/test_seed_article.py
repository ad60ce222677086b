"""The article the project was specified from: the claims a reader would list, found by the rules."""

from __future__ import annotations

import re

import pytest

from pipeline.claims import extract_claims
from pipeline.records import Claim

from .conftest import assert_offsets, shared_dir

SEED = "data/seed/north-korea-denies-arms-to-russia.txt"

# speaker (matched as whole words in the speaker or what it resolves to), gist words of the content
EXPECTED: list[tuple[str, tuple[str, ...]]] = [
    ("North Korea", ("sent any weapons to Russia",)),
    ("North Korea", ("tarnish",)),
    ("defense official", ("keep its mouth shut",)),
    ("Officials with the Biden administration", ("purchasing arms from North Korea",)),
    ("Moscow", ("fake",)),
    ("North Korean officials", ("never recognized", "unlawful")),
    ("the official", ("lawful right peculiar to a sovereign state",)),
    ("he", ("never exported weapons or ammunition to Russia",)),
    ("the official", ("tarnishing the DPRK",)),
    ("U.S. officials", ("technical problems",)),
    ("Defense experts", ("significant source of artillery",)),
    ("Communist country", ("the U.S.", "crisis")),
    ("Kim Gunn", ("serious concern",)),
    ("they", ("first nuclear test since 2017",)),
]
DENIALS = {0, 7}


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = shared_dir() / SEED
    if not path.is_file():
        pytest.skip(f"seed article not found at {path} (set FACTCHECK_SHARED_DIR to the shared directory)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_claims(seed_text: str, nlp) -> list[Claim]:  # type: ignore[no-untyped-def]
    return extract_claims(seed_text, nlp=nlp)


def _speaks(claim: Claim, speaker: str) -> bool:
    pattern = re.compile(rf"(?<!\w){re.escape(speaker.lower())}(?!\w)")
    names = [claim.speaker or "", claim.speaker_resolved or ""]
    return any(pattern.search(n.lower()) for n in names)


def _find(claims: list[Claim], speaker: str, gist: tuple[str, ...]) -> Claim | None:
    for c in claims:
        if _speaks(c, speaker) and all(g.lower() in c.content.lower() for g in gist):
            return c
    return None


def test_offsets_hold(seed_text: str, seed_claims: list[Claim]) -> None:
    assert_offsets(seed_text, seed_claims)


def test_at_least_twelve_of_fourteen(seed_claims: list[Claim]) -> None:
    missing = [(s, g) for s, g in EXPECTED if _find(seed_claims, s, g) is None]
    found = len(EXPECTED) - len(missing)
    assert found >= 12, f"found {found} of {len(EXPECTED)}; missing {missing}"


@pytest.mark.parametrize("index", sorted(DENIALS))
def test_denials(seed_claims: list[Claim], index: int) -> None:
    speaker, gist = EXPECTED[index]
    claim = _find(seed_claims, speaker, gist)
    assert claim is not None, f"no claim by {speaker!r} about {gist}"
    assert claim.polarity == "denies"


def test_the_pronoun_speaker_resolves_to_the_official(seed_claims: list[Claim]) -> None:
    claim = _find(seed_claims, "he", EXPECTED[7][1])
    assert claim is not None
    assert claim.speaker == "he"
    assert claim.speaker_resolved is not None and "official" in claim.speaker_resolved
