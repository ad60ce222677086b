#!/usr/bin/env python3
"""Date audit: where ``factcheck parse`` and the ground truth disagree on a page's date, and why.

The date figure of ``benchmarks/extraction.py`` counts a page as wrong whenever our publication
date differs from the annotated one. This script looks at each such page and at what the page
itself says, so that a miss can be told apart from an annotation that no rule can reach:

* ``modified``: the annotation is the page's own stated modification date (dateModified,
  article:modified_time), not its publication date;
* ``absent``: the annotated day is written nowhere in the page's HTML, in any usual form;
* ``markup only``: it is in the HTML (a meta tag, a script) but not in the text a reader sees;
* ``shown``: the annotated day is in the text a reader sees.

Each line also says whether our date is shown to the reader.

It also counts, over the pages that state a modification on another day than their publication,
which of the two the annotators chose: the convention the data sets follow.

    python benchmarks/date_audit.py [--sets NAME ...]

Reads ``<shared>/data/extraction`` (``$FACTCHECK_SHARED_DIR`` or ``../shared``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, extraction_sets, subprocess_env  # noqa: E402

SETS = ("wcxb-articles-meta", "htmldate-mediacloud-2020", "trafilatura-eval-en-meta")
_MONTHS = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip


def _day(value: object) -> date | None:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _written_forms(d: date) -> list[re.Pattern[str]]:
    """Ways a day is commonly written: ISO, month names (English) either side, numeric both orders."""
    month = _MONTHS[d.month - 1]
    day = rf"0?{d.day}"
    return [
        re.compile(rf"(?<!\d){d.year}-{d.month:02d}-{d.day:02d}(?!\d)"),
        re.compile(rf"\b{month}[a-z]*\.?\s+{day}(?:st|nd|rd|th)?,?\s+{d.year}\b", re.I),
        re.compile(rf"\b{day}(?:st|nd|rd|th)?\s+{month}[a-z]*\.?,?\s+{d.year}\b", re.I),
        re.compile(rf"(?<![\d/.])0?{d.month}[/.]{day}[/.]{d.year}(?!\d)"),
        re.compile(rf"(?<![\d/.]){day}[/.]0?{d.month}[/.]{d.year}(?!\d)"),
    ]


def _written(d: date, html: str) -> bool:
    return any(p.search(html) for p in _written_forms(d))


def _page(path: str) -> tuple[str, str]:
    """The page's HTML and the text a reader sees (scripts, styles and tags left out)."""
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    html = data.decode("utf-8", "replace")
    tree = lxml.html.fromstring(html.encode("utf-8"))
    for node in tree.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    return html, " ".join(tree.text_content().split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS), help="data set names")
    args = parser.parse_args(argv)
    found = extraction_sets(args.sets)
    if found is None:
        return 0
    scorer, sets = found
    for name, (folder, files) in sets.items():
        out = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "parse", *files],
            capture_output=True, text=True, check=True, env=subprocess_env(), cwd=REPO,
        )  # fmt: skip
        preds = {scorer._key(row["path"]): row for row in map(json.loads, out.stdout.splitlines())}
        paths = {scorer._key(f): f for f in files}
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        dated = right = 0
        convention: Counter[str] = Counter()
        misses: list[str] = []
        causes: Counter[str] = Counter()
        for key, g in truth.items():
            gold = _day(g.get("publish_date") or g.get("date"))
            if gold is None:
                continue
            dated += 1
            page = scorer._file_of(key, g)
            row = preds.get(page, {})
            ours, modified = _day(row.get("published")), _day(row.get("modified"))
            if ours and modified and ours != modified:
                convention["publication" if gold == ours else "modification" if gold == modified else "other"] += 1
            if gold == ours:
                right += 1
                continue
            html, text = _page(paths[page]) if page in paths else ("", "")
            if modified == gold:
                cause = "modified"
            elif _written(gold, text):
                cause = "shown"
            elif _written(gold, html):
                cause = "markup only"
            else:
                cause = "absent"
            causes[cause] += 1
            ours_note = "" if ours is None else (" (ours shown too)" if _written(ours, text) else " (ours not shown)")
            misses.append(f"  {page}: truth {gold}, ours {ours}, modified {modified}: {cause}{ours_note}")
        print(f"{name}: {right}/{dated} dates right ({right / dated:.3f})" if dated else f"{name}: no dates")
        print("  pages stating a modification on another day; the truth takes: " + (
            ", ".join(f"{k} {v}" for k, v in convention.most_common()) or "none"))  # fmt: skip
        print("  misses by cause: " + (", ".join(f"{k} {v}" for k, v in causes.most_common()) or "none"))
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
