from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.sources import SourcesError, find_outlet, load_sources, parse_sources


def test_valid_sources_round_trip() -> None:
    outlets = parse_sources(
        {
            "outlets": [
                {"name": "A", "domain": "A.example", "feeds": ["https://a.example/rss"]},
                {"name": "B", "urls": "https://b.example/story"},
            ]
        }
    )
    assert [o.name for o in outlets] == ["A", "B"]
    assert outlets[0].domain == "a.example"
    assert outlets[1].urls == ("https://b.example/story",)
    assert find_outlet(outlets, "B").feeds == ()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"outlets": []}, "non-empty list"),
        ({"outlets": [{"feeds": ["https://a.example/rss"]}]}, "outlet #1, field 'name': required"),
        ({"outlets": [{"name": "A", "feeds": ["ftp://a.example/rss"]}]}, "outlet #1 ('A'), field 'feeds' item 1"),
        ({"outlets": [{"name": "A"}]}, "give at least one URL"),
        ({"outlets": [{"name": "A", "feeds": "x", "colour": 1}]}, "unknown fields ['colour']"),
        ({"outlets": [{"name": "A", "urls": ["https://a.example/1"]}] * 2}, "listed twice"),
        ({"outlets": [{"name": "A", "feeds": {"x": 1}}]}, "expected a list of URLs"),
        ({"outlet": []}, "expected a non-empty list"),
    ],
)
def test_invalid_sources_name_the_outlet_and_field(doc: object, message: str) -> None:
    with pytest.raises(SourcesError) as err:
        parse_sources(doc)
    assert message in str(err.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SourcesError) as err:
        parse_sources({"outlets": [{"name": "A"}, {"name": "B", "feeds": ["nope"]}]})
    assert "2 problem(s)" in str(err.value)


def test_broken_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("outlets: [name: : x", encoding="utf-8")
    with pytest.raises(SourcesError, match="not valid YAML"):
        load_sources(bad)
    with pytest.raises(SourcesError, match="does not exist"):
        load_sources(tmp_path / "missing.yaml")


def test_packaged_default_sources_are_valid() -> None:
    outlets = load_sources(Settings().sources)
    assert len(outlets) >= 5
    assert all(o.feeds for o in outlets)
