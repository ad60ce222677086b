"""Content bounds of rules-7: 'as' asides, clauses the parser split off the cue, and remarks after
the reported words. Invented sentences; each row is text -> the one claim of the cue named."""

from __future__ import annotations

import pytest

from pipeline.claims import extract_claims

from .conftest import assert_offsets

# (name, text, cue, speaker, content): the claim whose cue is ``cue`` must have exactly this content
CASES = [
    (
        "as-aside before the clause",
        "As several budget analysts have pointed out, the county can pay for the bridge without new taxes.",
        "pointed",
        "several budget analysts",
        "the county can pay for the bridge without new taxes",
    ),
    (
        "as-aside after the clause",
        "The harbour will need dredging within two years, as the port director noted on Monday.",
        "noted",
        "the port director",
        "The harbour will need dredging within two years",
    ),
    (
        "two clauses under one cue are one content",
        "Okafor said the mayor has great respect for the police and her remark was an expression of anger "
        "at the budget.",
        "said",
        "Okafor",
        "the mayor has great respect for the police and her remark was an expression of anger at the budget",
    ),
    (
        "bare infinitive joined to the cue continues the content",
        "On Monday’s episode of “The Morning Hour,” the former governor and current party nominee said she "
        "wanted to speak “directly to young voters” and let them know that “this is their fight too.”",
        "said",
        "the former governor",
        "she wanted to speak “directly to young voters” and let them know that “this is their fight too.”",
    ),
    (
        "'but would' joined to the cue continues the content",
        "The budget office said the levy would lower revenue in the first years as buyers delayed purchases, "
        "but would eventually add $40 billion over ten years.",
        "said",
        "The budget office",
        "the levy would lower revenue in the first years as buyers delayed purchases, but would eventually "
        "add $40 billion over ten years",
    ),
    (
        "infinitive right after the cue, not a clause beyond it",
        "On Friday, however, Lindqvist spoke to a gathering of dairy industry leaders, promising to lift "
        "grazing limits and open more state land to farming ― probably not exactly what Berg had in mind.",
        "promising",
        "Lindqvist",
        "to lift grazing limits and open more state land to farming ― probably",
    ),
    (
        "although-clause is the writer's remark",
        "She argued that raising the fares was fair, although she again declined to publish the budget.",
        "argued",
        "She",
        "that raising the fares was fair",
    ),
    (
        "even-though clause is the writer's remark",
        "The minister said the two countries could trade freely by spring, even though few diplomats expect "
        "a deal this year.",
        "said",
        "The minister",
        "the two countries could trade freely by spring",
    ),
    (
        "a when-clause after a quotation is the setting, not the words",
        "Halvorsen said during the forum last month, “That makes me careful,” when Berg attacked him for "
        "missing votes.",
        "said",
        "Halvorsen",
        "“That makes me careful,”",
    ),
]


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "content"), [r[1:] for r in CASES], ids=[r[0] for r in CASES]
)
def test_content_bounds(nlp, text: str, cue: str, speaker: str, content: str) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    found = [c for c in claims if c.cue == cue]
    assert [c.content for c in found] == [content], claims
    assert found[0].speaker is not None and speaker in found[0].speaker


def test_continued_content_leaves_no_second_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The budget office said the levy would lower revenue in the first years as buyers delayed purchases, "
        "but would eventually add $40 billion over ten years."
    )
    assert [c.cue for c in extract_claims(text, nlp=nlp)] == ["said"]


def test_although_inside_a_phrase_is_not_cut(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "She said that the hearing was a useful, although brief, chance to question the board."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.content == "that the hearing was a useful, although brief, chance to question the board"


@pytest.mark.parametrize(
    "text",
    [
        "As the senator spoke, protesters gathered outside the building.",  # a time, not a report
        "As expected, the council approved the budget on Tuesday.",  # no one said it
        "As the rain fell, the crowd slowly left the square.",  # no cue at all
    ],
)
def test_as_clause_without_report_yields_nothing(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert extract_claims(text, nlp=nlp) == []
