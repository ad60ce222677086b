"""rules-6: beliefs and intentions, raising verbs, trimmed tails and 'adding' after a split quote."""

from __future__ import annotations

import pytest

from pipeline.claims import extract_claims

from .conftest import assert_offsets

# (id, text, speaker substring or None for no speaker, cue, content that must be the whole claim)
ATTITUDES = [
    (
        "wants + infinitive",
        "The company wants to expand into Asia next year.",
        "The company",
        "wants",
        "to expand into Asia next year",
    ),
    ("plans + infinitive", "The city plans to build a new bridge.", "The city", "plans", "to build a new bridge"),
    (
        "decided + that clause",
        "The school board decided that the old building would be sold.",
        "The school board",
        "decided",
        "that the old building would be sold",
    ),
    (
        "seeks + infinitive",
        "The senator seeks to block the nomination in committee.",
        "The senator",
        "seeks",
        "to block the nomination in committee",
    ),
    (
        "hopes + clause (tagger lemma 'hop')",
        "Mr. Lopez hopes the new law will pass before the summer recess.",
        "Mr. Lopez",
        "hopes",
        "the new law will pass before the summer recess",
    ),
]


@pytest.mark.parametrize(
    ("text", "speaker", "cue", "content"),
    [row[1:] for row in ATTITUDES],
    ids=[row[0] for row in ATTITUDES],
)
def test_belief_and_intention(nlp, text: str, speaker: str, cue: str, content: str) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert len(claims) == 1
    (claim,) = claims
    assert claim.kind == "indirect"
    assert claim.cue == cue
    assert claim.speaker is not None and speaker in claim.speaker
    assert claim.content == content


def test_raising_verb_keeps_subject_and_names_no_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The lack of enthusiasm among young voters seems to be a real problem for the campaign."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.cue == "seems" and claim.speaker is None
    assert claim.content.startswith("The lack of enthusiasm") and claim.content.endswith("for the campaign")


def test_raising_verb_over_a_report_leaves_the_report(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Stumpf appeared to blame low-level workers for the fraud at the bank."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.cue == "blame" and claim.speaker == "Stumpf"


def test_attitude_inside_a_report_is_nested(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The spokesman said the governor wants to raise taxes on large companies."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.speaker == "The spokesman" and "wants to raise taxes" in claim.content


NO_ATTITUDE = [
    ("bare object", "The company wants a new logo."),
    ("expletive subject", "It seems that the river will flood again this year."),
    ("needs to", "He needs to finish the report by Friday."),
    ("tries to", "The team tried to win the final game of the season."),
    ("continues to", "They continue to oppose the measure."),
]


@pytest.mark.parametrize("text", [t for _, t in NO_ATTITUDE], ids=[n for n, _ in NO_ATTITUDE])
def test_no_attitude_claim(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert extract_claims(text, nlp=nlp) == []


def test_quoted_first_person_intention_is_not_a_second_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“We want to finish the bridge by the end of next year,” the mayor said."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.kind == "direct" and claim.speaker == "the mayor"


TAILS = [
    (
        "which",
        "Murphy said he supports the final bill, which includes provisions that were not in the Senate bill.",
        "he supports the final bill",
    ),
    (
        "calling",
        "He said he would release his tax returns on Friday, calling them very boring returns.",
        "he would release his tax returns on Friday",
    ),
    (
        "despite",
        "Sanders said both men had been fair to him, despite recent suggestions to the contrary.",
        "both men had been fair to him",
    ),
]


@pytest.mark.parametrize(("text", "content"), [r[1:] for r in TAILS], ids=[r[0] for r in TAILS])
def test_appended_remark_is_not_content(nlp, text: str, content: str) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert [c.content for c in claims if c.cue == "said"] == [content]


def test_quotation_is_never_cut(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“We passed the bill, which took two years of work,” the senator said."
    (claim,) = extract_claims(text, nlp=nlp)
    assert "which took two years of work" in claim.content


def test_adding_after_a_split_quote_is_its_own_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“I don't want a fractured convention,” he said, adding, "
        "“We don't want to be in Cleveland fighting for a nomination.”"
    )
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert len(claims) == 2
    first, second = sorted(claims, key=lambda c: c.content_start)
    assert first.cue == "said" and "fractured convention" in first.content and "Cleveland" not in first.content
    assert second.cue == "adding" and "Cleveland" in second.content


def test_split_quote_with_plain_cue_stays_one_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“The economy is strong,” Trump said, “and it will get stronger next year.”"
    (claim,) = extract_claims(text, nlp=nlp)
    assert "strong" in claim.content and "stronger next year" in claim.content


MORE = [
    (
        "raising verb + adjective",
        "Republicans seem confident that they have the votes to override the veto.",
        "seem",
        "Republicans seem confident that they have the votes to override the veto",
    ),
    (
        "raising verb + like",
        "This seems like a comparable moment in the history of the party.",
        "seems",
        "This seems like a comparable moment in the history of the party",
    ),
    (
        "raising verb under a relative 'that'",
        "The dinner is a Wall Street ritual that may seem to be a vestige of a different era.",
        "seem",
        "a Wall Street ritual that may seem to be a vestige of a different era",
    ),
    (
        "continued + that clause",
        "He continued that the plan would never pass the Senate in its current form.",
        "continued",
        "that the plan would never pass the Senate in its current form",
    ),
    (
        "voted + infinitive",
        "In 1988, Congress voted to compensate the victims of the internment camps.",
        "voted",
        "to compensate the victims of the internment camps",
    ),
    (
        "cue noun + infinitive",
        "The governor repeated his promise to build a new hospital in the northern district.",
        "promise",
        "to build a new hospital in the northern district",
    ),
]


@pytest.mark.parametrize(("text", "cue", "content"), [r[1:] for r in MORE], ids=[r[0] for r in MORE])
def test_more_rules6_constructions(nlp, text: str, cue: str, content: str) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert [(c.cue, c.content) for c in claims] == [(cue, content)]


def test_participle_aside_is_not_content(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The senator denied that a campaign shakeup was coming, explaining that he had been away all week."
    claims = extract_claims(text, nlp=nlp)
    denial = next(c for c in claims if c.cue == "denied")
    assert denial.content == "that a campaign shakeup was coming" and denial.polarity == "denies"
    explaining = next(c for c in claims if c.cue == "explaining")
    assert explaining.speaker == "The senator" and explaining.content == "that he had been away all week"


@pytest.mark.parametrize(
    "text",
    [
        "They continue to oppose the measure.",  # 'continue' + infinitive is not speech
        "Voters went to the polls to vote in the primary.",  # no subject of its own for the wish
        "The city has a plan for the new bridge.",  # a cue noun without an infinitive or clause
    ],
)
def test_no_rules6_claim(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert extract_claims(text, nlp=nlp) == []
