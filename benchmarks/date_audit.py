#!/usr/bin/env python3
"""Date audit: where ``factcheck parse`` and the ground truth disagree on a page's date, and why.

The date figure of ``benchmarks/extraction.py`` counts a page as wrong whenever our publication
date differs from the annotated one. This script looks at each such page and at what the page
itself says, so that a miss can be told apart from an annotation that no rule can reach:

* ``modified``: the annotation is the page's own stated modification date (dateModified,
  article:modified_time), not its publication date;
* ``absent``: the annotated day is neither in the markup in ISO form nor shown to the reader;
* ``markup only``: it is in the HTML in ISO form (a meta tag, a script) but not in the text a
  reader sees;
* ``shown``: the annotated day is in the text a reader sees, in one of the forms the parser's
  date step recognises (``pipeline.parse.dates.date_shown``).

Each line also says whether our date is shown to the reader.

It also counts, over the pages that state a modification on another day than their publication,
which of the two the annotators chose: the convention the data sets follow.

    PYTHONPATH=src python benchmarks/date_audit.py [--sets NAME ...]

Reads ``<shared>/data/extraction`` (``$FACTCHECK_SHARED_DIR`` or ``../shared``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, extraction_sets, subprocess_env  # noqa: E402

from pipeline.parse.dates import date_shown  # noqa: E402

SETS = ("wcxb-articles-meta", "htmldate-mediacloud-2020", "trafilatura-eval-en-meta")
def _day(value: object) -> date | None:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _in_markup(d: date, html: str) -> bool:
    """Whether the day is in the page's HTML as structured data writes it (ISO, as in meta tags,
    scripts and datetime attributes)."""
    return d.isoformat() in html


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
            elif date_shown(gold, text):
                cause = "shown"
            elif _in_markup(gold, html):
                cause = "markup only"
            else:
                cause = "absent"
            causes[cause] += 1
            ours_note = "" if ours is None else (" (ours shown too)" if date_shown(ours, text) else " (ours not shown)")
            misses.append(f"  {page}: truth {gold}, ours {ours}, modified {modified}: {cause}{ours_note}")
        print(f"{name}: {right}/{dated} dates right ({right / dated:.3f})" if dated else f"{name}: no dates")
        print("  pages stating a modification on another day; the truth takes: " + (
            ", ".join(f"{k} {v}" for k, v in convention.most_common()) or "none"))  # fmt: skip
        print("  misses by cause: " + (", ".join(f"{k} {v}" for k, v in causes.most_common()) or "none"))
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
