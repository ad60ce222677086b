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


def _bomb(levels: int, fan: int) -> str:
    """A "billion laughs" sources file: each level lists the one below ``fan`` times by alias."""
    lines = ['l0: &l0 ["https://a.example/x"]']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * fan) + "]")
    lines.append(f"outlets:\n  - *l{levels}")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(4, 6), encoding="utf-8")  # 6**4 = 1,296 leaves: small, and still refused
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    message = str(err.value)
    assert "line 1" in message and "anchor &l0" in message
    assert len(message) < 400


def test_an_alias_is_refused_at_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text(
        "outlets:\n  - name: A\n    urls: [https://a.example/1]\n  - name: B\n    urls: *elsewhere\n", encoding="utf-8"
    )
    with pytest.raises(SourcesError, match=r"line 5: YAML alias \*elsewhere is not allowed"):
        load_sources(path)


def test_messages_quote_a_bounded_part_of_a_huge_entry() -> None:
    huge = [["https://a.example/" + "x" * 1000] * 1000] * 1000  # a million strings, shared
    with pytest.raises(SourcesError) as err:
        parse_sources({"outlets": [huge, {"name": "N" * 100_000, "feeds": ["f" * 100_000], "y" * 50_000: 1}]})
    message = str(err.value)
    assert "outlet #1: expected a mapping" in message and "outlet #2" in message
    assert len(message) < 1500


def test_problems_and_repeats_name_their_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "outlets:\n"
        "  - name: A\n"
        "    urls:\n"
        "      - https://a.example/1\n"
        "      - https://a.example/2\n"
        "      - https://a.example/1\n"
        "  - name: B\n"
        "    feeds: [https://b.example/rss, ftp://b.example/rss]\n",
        encoding="utf-8",
    )
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert "outlet #2 ('B') (line 7), field 'feeds' item 2 (line 8): 'ftp://b.example/rss'" in str(err.value)
    path.write_text(path.read_text(encoding="utf-8").replace("ftp:", "https:"), encoding="utf-8")
    with caplog.at_level("WARNING", logger="pipeline.sources"):
        outlets = load_sources(path)
    assert outlets[0].urls == ("https://a.example/1", "https://a.example/2")
    assert outlets[1].feeds == ("https://b.example/rss",)  # repeated too, kept once
    assert "item 3 (line 6) repeats item 1 (line 4)" in caplog.text
    assert "item 2 (line 8) repeats item 1 (line 8)" in caplog.text


def test_many_urls_with_repeats_keep_the_first_of_each_in_order() -> None:
    urls = [f"https://a.example/{i % 30_000}" for i in range(40_000)]
    (outlet,) = parse_sources({"outlets": [{"name": "A", "urls": urls}]})
    assert outlet.urls == tuple(f"https://a.example/{i}" for i in range(30_000))


def test_a_huge_value_read_from_a_file_is_quoted_briefly(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    keys = "".join(f"      k{i}: {'v' * 200}\n" for i in range(2000))
    path.write_text(f"outlets:\n  - name: A\n    feeds: [https://a.example/rss]\n    domain:\n{keys}", encoding="utf-8")
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert "(line 2), field 'domain': expected a host name" in str(err.value)
    assert len(str(err.value)) < 600


@pytest.mark.parametrize(
    "url",
    [
        "https://reader:s3cr/et@feeds.example.com/rss",  # a raw / in the password ends the host early
        "https://reader:pa?ss@feeds.example.com/rss",
        "https://reader:pa#ss@feeds.example.com/rss",
        "https://feeds.example.com:80x/rss",
    ],
)
def test_a_url_whose_host_does_not_parse_is_refused_without_quoting_it(url: str) -> None:
    with pytest.raises(SourcesError) as e:
        parse_sources({"outlets": [{"name": "Paywalled", "feeds": [url]}]})
    message = str(e.value)
    assert "does not parse" in message and "percent-encode" in message
    for secret in ("s3cr", "pa?ss", "pa#ss", "80x"):
        assert secret not in message


def test_urls_with_encoded_credentials_and_at_signs_in_paths_are_accepted() -> None:
    (outlet,) = parse_sources(
        {"outlets": [{"name": "Ok", "feeds": ["https://reader:s3cr%2Fet@feeds.example.com/rss"],
                      "urls": ["https://blog.example.com/@ana/first-post"]}]}
    )  # fmt: skip
    assert outlet.feeds == ("https://reader:s3cr%2Fet@feeds.example.com/rss",)
    assert outlet.urls == ("https://blog.example.com/@ana/first-post",)
