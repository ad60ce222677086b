"""Sentence -> expected claims, one row per construction, and sentences that must yield nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline.claims import extract_claims
from pipeline.records import Claim

from .conftest import assert_offsets


@dataclass(frozen=True)
class Want:
    kind: str
    speaker: str | None  # a substring of the speaker span
    cue: str | None
    content: str  # a substring of the content
    polarity: str = "asserts"


CASES: list[tuple[str, str, Want]] = [
    (
        "direct, cue after",
        "“We will win this election,” the senator said.",
        Want("direct", "the senator", "said", "We will win this election"),
    ),
    (
        "direct, inverted cue",
        "“We will win this race,” said Senator Jane Doe.",
        Want("direct", "Jane Doe", "said", "We will win this race"),
    ),
    (
        "direct, colon introduction",
        "The minister said: “Prices will fall next year.”",
        Want("direct", "The minister", "said", "Prices will fall next year"),
    ),
    (
        "colon introduction without quotes",
        "The report concluded: the dam had been poorly maintained for years.",
        Want("indirect", "The report", "concluded", "the dam had been poorly maintained"),
    ),
    (
        "split quote is one claim",
        "“The economy is strong,” Trump said, “and it will get stronger next year.”",
        Want("direct", "Trump", "said", "get stronger next year"),
    ),
    (
        "indirect with that",
        "The governor said that the budget would be balanced by June.",
        Want("indirect", "The governor", "said", "the budget would be balanced by June"),
    ),
    (
        "indirect without that",
        "Officials stated the bridge was safe for traffic.",
        Want("indirect", "Officials", "stated", "the bridge was safe for traffic"),
    ),
    (
        "deny cue",
        "The company denied that it had broken the law.",
        Want("indirect", "The company", "denied", "it had broken the law", "denies"),
    ),
    (
        "negated content",
        "The ministry said it had not sent any troops to the border.",
        Want("indirect", "The ministry", "said", "had not sent any troops", "denies"),
    ),
    (
        "accuse of",
        "The mayor accused the council of wasting public money.",
        Want("indirect", "The mayor", "accused", "wasting public money"),
    ),
    (
        "told someone to",
        "The official told the United States to stop making threats.",
        Want("indirect", "The official", "told", "stop making threats"),
    ),
    (
        "according to, leading",
        "According to the ministry, exports rose by ten percent last year.",
        Want("according_to", "the ministry", "According to", "exports rose by ten percent"),
    ),
    (
        "according to, trailing",
        "Exports rose by ten percent last year, according to the ministry.",
        Want("according_to", "the ministry", "according to", "Exports rose by ten percent"),
    ),
    (
        "noun cue with by",
        "The denial by Moscow that its troops crossed the border surprised nobody.",
        Want("indirect", "Moscow", "denial", "its troops crossed the border", "denies"),
    ),
    (
        "noun cue with possessive",
        "The senator's claim that the election was rigged spread quickly.",
        Want("indirect", "senator", "claim", "the election was rigged"),
    ),
    (
        "noun-phrase content",
        "The senator cited concerns about rising costs.",
        Want("indirect", "The senator", "cited", "concerns about rising costs"),
    ),
    (
        "relative clause keeps the speaker out",
        "Russia bought drones that U.S. officials said had technical problems.",
        Want("indirect", "U.S. officials", "said", "had technical problems"),
    ),
    (
        "participle saying",
        "The agency issued a statement saying the vaccine was safe.",
        Want("indirect", "The agency", "saying", "the vaccine was safe"),
    ),
    (
        "quote spanning paragraphs",
        "“The first part of the statement goes here.\n\n“The second part continues the same quote,” "
        "the spokesman said.",
        Want("direct", "the spokesman", "said", "The first part of the statement"),
    ),
    (
        "typewriter quote marks",
        "''We are staying right here,'' said Mr. Hedge, a developer.",
        Want("direct", "Mr. Hedge", "said", "We are staying right here"),
    ),
    (
        "parenthetical cue",
        "The new rules, the minister said, will cut emissions by half within ten years.",
        Want("indirect", "the minister", "said", "will cut emissions by half"),
    ),
    (
        "colon closing the paragraph before the quote",
        "In a speech in 1963, he declared:\n\n“Segregation now, segregation tomorrow, segregation forever.”",
        Want("direct", "he", "declared", "Segregation now"),
    ),
    (
        "noun cue with a prepositional object",
        "The senator's criticism of the trade deal surprised her colleagues.",
        Want("indirect", "senator", "criticism", "the trade deal"),
    ),
    (
        "transcript label",
        "TAPPER: And obviously, you are supporting the governor in this race.",
        Want("indirect", "TAPPER", ":", "you are supporting the governor"),
    ),
    (
        "dash byline",
        "“I just hope this campaign gives our community the anger to go out and vote.” ― Jorge Falcon",
        Want("direct", "Jorge Falcon", "―", "I just hope this campaign"),
    ),
    (
        "called X Y",
        "The Clinton campaign pushed back, calling it the mark of a desperate candidate.",
        Want("indirect", "The Clinton campaign", "calling", "the mark of a desperate candidate"),
    ),
    (
        "prepositional topic",
        "The governor complained about the cost of the new stadium.",
        Want("indirect", "The governor", "complained", "the cost of the new stadium"),
    ),
    (
        "passive with an agent",
        "The secret meeting was first reported by Politico.",
        Want("indirect", "Politico", "reported", "The secret meeting"),
    ),
    (
        "mixed quote in a clause",
        "The general warned that the army would respond “with overwhelming force” to any attack.",
        Want("mixed", "The general", "warned", "with overwhelming force"),
    ),
]


def _matches(c: Claim, want: Want) -> bool:
    return (
        c.kind == want.kind
        and (want.speaker is None or (c.speaker is not None and want.speaker in c.speaker))
        and (want.cue is None or c.cue == want.cue)
        and want.content in c.content
        and c.polarity == want.polarity
    )


@pytest.mark.parametrize(("text", "want"), [(t, w) for _, t, w in CASES], ids=[n for n, _, _ in CASES])
def test_construction(nlp, text: str, want: Want) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert any(_matches(c, want) for c in claims), [c.to_dict() for c in claims]


def test_split_quote_is_a_single_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“The economy is strong,” Trump said, “and it will get stronger next year.”"
    claims = extract_claims(text, nlp=nlp)
    assert len(claims) == 1
    assert "economy is strong" in claims[0].content and "stronger" in claims[0].content


def test_quote_continued_after_the_cue_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“We are not winning yet,” Clinton said on ABC’s “This Week.” “But the pressure is going to build.”"
    )
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert len(claims) == 1
    assert "not winning" in claims[0].content and "pressure is going to build" in claims[0].content


def test_continued_quote_after_a_long_speaker_description_is_its_own_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“It is time,” said Ron Weiser, who was a national co-chair for a presidential campaign in 2008 "
        "and is one of the party's most generous donors in the state. “We cannot wait.”"
    )
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert [c.content for c in claims] == ["“It is time,”", "“We cannot wait.”"]
    assert all(c.speaker == "Ron Weiser" for c in claims)
    assert claims[1].cue is None and claims[1].kind == "direct"


def test_opening_mark_typed_as_closing_mark(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“It is unusual,“ said Larry Noble, an attorney. “It is a hard thing to pull off.”"
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert len(claims) == 1 and claims[0].speaker is not None and "Larry Noble" in claims[0].speaker


def test_relative_pronoun_speaker_resolves_to_its_noun(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The diplomat met Kim Gunn, his counterpart, who voiced “serious concern” over the new law."
    claims = extract_claims(text, nlp=nlp)
    claim = next(c for c in claims if "serious concern" in c.content)
    assert claim.speaker == "who" and claim.speaker_resolved == "Kim Gunn"


def test_relative_clause_content_excludes_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims("Russia bought drones that U.S. officials said had technical problems.", nlp=nlp)
    assert claims and all("officials" not in c.content for c in claims)


def test_floating_quote_inherits_previous_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The mayor said the plan would cut traffic in the city centre.\n\n"
        "“We have studied every detail of this plan for two years.”"
    )
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    floating = [c for c in claims if "studied every detail" in c.content]
    assert len(floating) == 1
    assert floating[0].kind == "direct" and floating[0].speaker == "The mayor"


def test_nested_report_is_not_a_separate_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The spokesman said the minister had told reporters that taxes would rise."
    claims = extract_claims(text, nlp=nlp)
    assert len(claims) == 1 and claims[0].speaker == "The spokesman"


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("The minister said that the figures were correct.", "neutral"),
        ("The minister insisted that the figures were correct.", "strong"),
        ("The minister claimed that the figures were correct.", "weak"),
        ("The minister admitted that the figures were wrong.", "concede"),
    ],
)
def test_cue_strength(nlp, text: str, strength: str) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert len(claims) == 1 and claims[0].cue_strength == strength


def test_appositive_role_is_kept_apart(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Sung Kim, the special representative, said talks would resume soon."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.speaker == "Sung Kim"
    assert claim.speaker_role == "special representative"


def test_pronoun_resolves_to_named_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Mayor Jane Porter said the budget was balanced.\n\n"
        "“We did not raise a single tax to get there,” she said."
    )
    claims = extract_claims(text, nlp=nlp)
    quote = next(c for c in claims if "single tax" in c.content)
    assert quote.speaker == "she" and quote.speaker_resolved == "Jane Porter"
    assert quote.polarity == "denies"


def test_surname_resolves_to_full_name(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Jane Porter became mayor in May.\n\nPorter said the budget was balanced."
    claims = extract_claims(text, nlp=nlp)
    assert claims and claims[0].speaker == "Porter" and claims[0].speaker_resolved == "Jane Porter"


def test_entities_in_content(nlp) -> None:  # type: ignore[no-untyped-def]
    (claim,) = extract_claims("The minister said that Germany and France would sign the deal.", nlp=nlp)
    assert "Germany" in claim.entities and "France" in claim.entities


NOTHING = [
    ("cue with only an addressee", "He said to reporters on Monday."),
    ("scare quotes", "The so-called “peace plan” was never published."),
    ("title", "She starred in “The Long Road Home” last year."),
    ("nickname", "His nickname, “the Hammer,” stuck with him for years."),
    ("bare quoted title", "“The Long Goodbye”"),
    ("needs to", "He needs to finish the report by Friday."),
    ("continues to", "They continue to oppose the measure."),
    ("feels", "She feels that the weather is getting better."),
    ("no speech at all", "The river flooded the town after three days of rain."),
]


@pytest.mark.parametrize("text", [t for _, t in NOTHING], ids=[n for n, _ in NOTHING])
def test_no_claim(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert extract_claims(text, nlp=nlp) == []


# Stray, unclosed or doubled quote marks: each text gives exactly these claims (kind, speaker, cue,
# the content's first and last words), or none. extract_claims raises if a rule fails on the text
# (pipeline.claims.ExtractionError), so a rule that trips over a stray quote fails here.
UNBALANCED: list[tuple[str, list[tuple[str, str, str, str, str]]]] = [
    ("“He said it would rain all week, the forecaster said.", []),  # which quote? nothing guessed
    ('He said "no.', []),
    ("”Weird closing first” he said.", []),
    (
        "The United States’ commitment to “defend South Korea,” officials said, is firm.",
        [("mixed", "officials", "said", "The United States’ commitment", "is firm")],
    ),
    ("“One.\n\n“Two.\n\n“Three,” she said.", [("direct", "she", "said", "“One.", "“Three,”")]),
    ('"""', []),
    ("“", []),
    ("", []),
    ("   \n\n  ", []),
]


@pytest.mark.parametrize(("text", "expected"), UNBALANCED)
def test_unbalanced_quotes_give_these_claims(nlp, text: str, expected: list[tuple[str, ...]]) -> None:  # type: ignore[no-untyped-def]
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    got = [(c.kind, c.speaker, c.cue, c.content) for c in claims]
    assert len(got) == len(expected), got
    for (kind, speaker, cue, content), (w_kind, w_speaker, w_cue, w_first, w_last) in zip(got, expected, strict=True):
        assert (kind, speaker, cue) == (w_kind, w_speaker, w_cue)
        assert content.startswith(w_first) and content.endswith(w_last), content


def test_apostrophe_is_not_a_closing_quote(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“The United States’ commitment is firm and will not change,” the minister said."
    (claim,) = extract_claims(text, nlp=nlp)
    assert claim.kind == "direct" and claim.content.endswith("change,”")
