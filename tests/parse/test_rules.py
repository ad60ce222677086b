"""The named parse rules: a rule is asked only when it acts, and switching it off undoes what it did."""

from __future__ import annotations

import pytest
from parse_pages import PARAGRAPHS, article_page

from pipeline.parse import parse_article, rules

URL = "https://news.example.org/transport/buses"
PROMO = "Sign up for our newsletter to get the morning briefing in your inbox."


def _page(promo: bool) -> bytes:
    paragraphs = PARAGRAPHS[:2] + ([PROMO] if promo else []) + PARAGRAPHS[2:]
    return article_page(paragraphs=paragraphs).encode()


def test_a_rule_is_recorded_only_on_pages_where_it_acts() -> None:
    with rules.recording() as acted:
        parse_article(_page(promo=True), URL)
    assert "body.drop_promos" in acted
    with rules.recording() as acted:
        parse_article(_page(promo=False), URL)
    assert "body.drop_promos" not in acted


def test_switching_a_rule_off_undoes_it_and_only_inside_the_block() -> None:
    assert PROMO not in parse_article(_page(promo=True), URL).text
    with rules.disabled(["body.drop_promos"]):
        assert not rules.enabled("body.drop_promos")
        assert PROMO in parse_article(_page(promo=True), URL).text
    assert rules.enabled("body.drop_promos")
    assert PROMO not in parse_article(_page(promo=True), URL).text


def test_an_unknown_rule_name_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="unknown parse rules"), rules.disabled(["body.no_such_rule"]):
        pass
