import json

from pipeline.report import write_report
from pipeline.settings import Settings


def test_report_lines_up_claims_across_outlets(loaded_settings: Settings) -> None:
    path = write_report(loaded_settings, "manual__2026-03-06T00:00:00+00:00")
    markdown = open(path, encoding="utf-8").read()
    assert path.endswith("manual__2026-03-06T00_00_00_00_00.md")
    assert markdown.startswith("# Claims across outlets")
    assert "## Asserted by some, denied by others" in markdown
    latest = json.loads((loaded_settings.data_dir / "reports" / "latest.json").read_text(encoding="utf-8"))
    assert latest["counts"]["articles"] == 7
    spread = latest["sections"]["spread"]
    assert spread and all(row["n_outlets"] >= 2 for row in spread)
    assert {"Coastline Daily (sample)", "Valley Courier (sample)"} <= set(spread[0]["outlets"])
    assert latest["sections"]["contested"], "the sample story has an assertion set against a denial"
