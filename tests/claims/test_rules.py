"""The rule modules: pure generators over one immutable document index, run in a fixed order."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.claims.doc_index import DocIndex
from pipeline.claims.draft import Draft
from pipeline.claims.lexicons import load_lexicon
from pipeline.claims.rules import RULES

TEXT = (
    "“We will not raise taxes,” the governor said on Monday. “The budget is balanced.”\n\n"
    "The mayor told reporters that the bridge would reopen in May.\n\n"
    "Democrats want to raise the minimum wage next year.\n\n"
    "According to the police, the suspect fled the scene before dawn.\n\n"
    "Moscow's denial that it had sent troops surprised nobody in the region.\n\n"
    "TAPPER: And obviously the campaign is far from over now.\n"
)


def _key(d: Draft) -> tuple[object, ...]:
    speaker = d.speaker
    return (
        d.kind,
        d.content,
        d.cue.i if d.cue is not None else None,
        d.cue_span,
        d.cue_lemma,
        (speaker.span, speaker.head.i, speaker.role, speaker.antecedent) if speaker else None,
        d.inherited_from.content if d.inherited_from is not None else None,
        tuple(t.i for t in d.polarity_tokens),
        d.floating,
    )


def _snapshot(ix: DocIndex) -> tuple[object, ...]:
    fields = tuple(getattr(ix, f.name) for f in dataclasses.fields(ix) if f.name != "_sents")
    return ix.doc.to_bytes(), fields


def test_rules_run_in_their_order() -> None:
    assert [r.name for r in RULES] == ["quotes", "verbs", "attitudes", "according", "nouns", "labels"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_a_rule_is_a_pure_generator(nlp, rule) -> None:  # type: ignore[no-untyped-def]
    lex = load_lexicon("en")
    ix = DocIndex.build(nlp(TEXT), lex)
    before = _snapshot(ix)
    first = [_key(d) for d in rule.find(ix, lex)]
    second = [_key(d) for d in rule.find(ix, lex)]
    assert first, f"the sample text should give the {rule.name} rule something to find"
    assert first == second
    assert _snapshot(ix) == before  # neither the index nor its parse changed


def test_a_draft_cannot_be_changed() -> None:
    d = Draft("indirect", (0, 5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.content = (0, 6)  # type: ignore[misc]


def test_a_rule_reads_its_own_word_list_by_name() -> None:
    lex = load_lexicon("en")
    assert "say" in lex.words("cue_verbs")
    with pytest.raises(ValueError, match="no lexicon 'no_such_list'"):
        lex.words("no_such_list")


def test_a_dash_tagged_as_a_second_subject_gives_way_to_the_named_one(nlp) -> None:  # type: ignore[no-untyped-def]
    # the parse spaCy gave "... were made public ― Trump boasted, ...": the dash as a noun subject
    # of "boasted" before the name; the speaker is the name, not "public ―"
    from spacy.tokens import Doc

    from pipeline.claims.doc_index import DocIndex
    from pipeline.claims.lexicons import load_lexicon
    from pipeline.claims.speakers import subject_of

    words = ["Returns", "were", "made", "public", "―", "Lind", "boasted"]
    doc = Doc(
        nlp.vocab,
        words=words,
        heads=[2, 2, 2, 4, 6, 6, 2],
        deps=["nsubjpass", "auxpass", "ROOT", "amod", "nsubj", "nsubj", "oprd"],
        pos=["NOUN", "AUX", "VERB", "ADJ", "NOUN", "PROPN", "VERB"],
    )
    ix = DocIndex.build(doc, load_lexicon("en"))
    assert subject_of(ix, doc[6]).text == "Lind"  # type: ignore[union-attr]
    lone = Doc(nlp.vocab, words=["―", "boasted"], heads=[1, 1], deps=["nsubj", "ROOT"], pos=["NOUN", "VERB"])
    assert subject_of(DocIndex.build(lone, load_lexicon("en")), lone[1]).text == "―"  # type: ignore[union-attr]
