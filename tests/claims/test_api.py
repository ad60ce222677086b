"""The library surface the pipeline calls: batching, ordering, chunking, the loader and the lexicons."""

from __future__ import annotations

import pytest

from pipeline.claims import EXTRACTOR_VERSION, extract_claims, extract_many, load_nlp
from pipeline.claims.chunks import split_chunks
from pipeline.claims.lexicons import load_lexicon

from .conftest import assert_offsets


def test_version_is_a_string() -> None:
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION


def test_loader_is_cached(nlp) -> None:  # type: ignore[no-untyped-def]
    assert load_nlp() is nlp


def test_loader_names_the_package_when_missing() -> None:
    with pytest.raises(ValueError, match="pip install"):
        load_nlp("no_such_spacy_model_xyz")


def test_extract_many_keeps_order_and_count(nlp) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "The governor said the budget was balanced.",
        "",
        "Nothing is reported here.",
        "“We will appeal the ruling,” the lawyer said.",
    ]
    out = list(extract_many(texts, nlp=nlp, batch_size=2))
    assert len(out) == 4
    assert [len(x) > 0 for x in out] == [True, False, False, True]
    assert out[3][0].speaker == "the lawyer"


def test_extract_many_of_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    assert list(extract_many([], nlp=nlp)) == []


def test_split_chunks_covers_the_text() -> None:
    text = "".join(f"Paragraph {i} has some words in it.\n\n" for i in range(50))
    pieces = list(split_chunks(text, limit=200))
    assert len(pieces) > 1
    assert "".join(p for _, p in pieces) == text
    for offset, piece in pieces:
        assert text[offset : offset + len(piece)] == piece
        assert len(piece) <= 200
        assert piece.endswith("\n\n")


def test_split_chunks_without_breaks() -> None:
    text = "x" * 450
    pieces = list(split_chunks(text, limit=200))
    assert "".join(p for _, p in pieces) == text


def test_long_text_is_chunked_not_skipped(nlp) -> None:  # type: ignore[no-untyped-def]
    para = "The mayor said the new bridge would open in the spring.\n\n"
    text = para * (101_000 // len(para) + 1)
    assert len(text) > 100_000
    claims = extract_claims(text, nlp=nlp)
    assert_offsets(text, claims)
    assert claims[-1].content_start > 100_000
    assert len(claims) == text.count("said")


def test_a_pipeline_without_parser_is_a_configuration_error() -> None:
    import spacy

    with pytest.raises(ValueError, match="dependency parse"):
        extract_claims("The governor said the budget was balanced.", nlp=spacy.blank("en"))
    assert extract_claims("", nlp=spacy.blank("en")) == []


def test_lexicons_load_and_exclude_non_speech_verbs() -> None:
    lex = load_lexicon("en")
    assert "say" in lex.cue_verbs and "want" not in lex.cue_verbs
    assert "deny" in lex.denial_cues and lex.strength_of("insist") == "strong"
    with pytest.raises(ValueError, match="no lexicon"):
        load_lexicon("xx")


BROKEN = "The marker sentence trips the rules."


@pytest.fixture
def rule_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: the real rules, except that a text holding ``BROKEN`` raises as a rule bug would."""
    import pipeline.claims.api as claims_api

    real = claims_api.claims_from_doc

    def tripping(doc, offset=0, lang="en"):  # type: ignore[no-untyped-def]
        if BROKEN in doc.text:
            raise IndexError("list index out of range")
        return real(doc, offset=offset, lang=lang)

    monkeypatch.setattr(claims_api, "claims_from_doc", tripping)


def test_a_rule_failure_is_raised_not_swallowed(nlp, rule_bug: None) -> None:  # type: ignore[no-untyped-def]
    from pipeline.claims import ExtractionError

    with pytest.raises(ExtractionError, match=r"text 1: claim rules failed at offset 0 \(IndexError"):
        list(extract_many(["The governor said the budget was balanced.", BROKEN], nlp=nlp))


def test_a_failed_text_is_reported_and_yields_nothing_the_others_go_on(nlp, rule_bug: None) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "The governor said the budget was balanced.",
        "“We are ready,” the minister said.\n\n" + "Filler words here. " * 30 + "\n\n" + BROKEN,
        "The mayor said the bridge would open in May.",
    ]
    errors: list[tuple[int, Exception]] = []
    results = list(extract_many(texts, nlp=nlp, batch_size=2, on_error=lambda n, e: errors.append((n, e))))
    assert [len(r) for r in results] == [1, 0, 1]  # the failed text's earlier claim is dropped too
    assert [(n, type(e.__cause__)) for n, e in errors] == [(1, IndexError)]
    assert [r[0].speaker for r in (results[0], results[2])] == ["The governor", "The mayor"]
