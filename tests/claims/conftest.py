"""Shared fixtures for the claim-extraction tests: one spaCy pipeline per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.records import Claim


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from pipeline.claims import load_nlp

    try:
        return load_nlp()
    except ValueError as e:
        pytest.skip(f"no spaCy English model installed: {e}")


def shared_dir() -> Path:
    """The ``shared`` directory beside the repository root, or ``FACTCHECK_SHARED_DIR``."""
    env = os.environ.get("FACTCHECK_SHARED_DIR")
    if env:
        return Path(env).resolve()
    return (Path(__file__).parents[2] / ".." / "shared").resolve()


def assert_offsets(text: str, claims: list[Claim]) -> None:
    """Every span field of every claim must be the text at its offsets."""
    for c in claims:
        assert text[c.content_start : c.content_end] == c.content, c
        if c.speaker is not None:
            assert c.speaker_start is not None and c.speaker_end is not None
            assert text[c.speaker_start : c.speaker_end] == c.speaker, c
        else:
            assert c.speaker_start is None and c.speaker_end is None
        if c.cue is not None:
            assert c.cue_start is not None and c.cue_end is not None
            assert text[c.cue_start : c.cue_end] == c.cue, c
