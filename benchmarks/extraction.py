#!/usr/bin/env python3
"""Article extraction benchmark: ``factcheck parse`` against trafilatura alone, on the shared dev sets.

For each data set in ``<shared>/data/extraction`` (``shared`` beside the repository root, or
``$FACTCHECK_SHARED_DIR``) this runs, as subprocesses over the same pages in the same run:

* ``python -m pipeline.cli parse FILE...`` (ours), and
* trafilatura alone (``bare_extraction(with_metadata=True)``) writing the same JSON-lines fields,

scores both with ``<shared>/eval/score_extraction.py``, and prints one table row per metric with the
target and whether it is met, then pages/s of each and their ratio. Sets that are missing are skipped
with a message. Beside author accuracy it gives author precision (of the names returned, the share
that are right: a wrong author counts against, an empty list does not).

With ``--cv K`` it also gives cross-validated figures: the pages are split by site into K folds and
every named parse rule (``pipeline.parse.rules``) that only sites of one fold support is switched off
on that fold's pages (``benchmarks/crossval.py`` says how); the table shows dev and cross-validated
figures side by side, the target judged on the cross-validated one, and a second table lists each
rule with the pages and sites it helps.

    python benchmarks/extraction.py [--sets NAME ...] [--cv K] [--markdown docs/BENCHMARKS.md]

Run it alone on the machine: timings are shared with whatever else runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, extraction_sets, subprocess_env  # noqa: E402
from crossval import author_precision, cross_validate, rules_table  # noqa: E402

# (set, metric) -> target; the metrics each set is judged on
TARGETS: dict[str, dict[str, float]] = {
    "scrapinghub-aeb": {"body_shingle_f1": 0.970},
    "wcxb-articles-meta": {"body_bow_f1": 0.965, "title_acc": 0.85, "author_acc": 0.92, "date_acc": 0.95},
    "htmldate-mediacloud-2020": {"date_acc": 0.94},
    "trafilatura-eval-en-meta": {
        "snippets_with": 0.95,
        "snippets_without": 0.97,
        "title_acc": 0.85,
        "author_acc": 0.85,
        "date_acc": 0.94,
    },
}
# validation sets: measured only when named (``--sets wcxb-articles-meta-more``), never in the gate or
# the default run; no parse rule may be written for one of their sites. Targets set by issue 22
# against trafilatura 2.3.1 on the same pages (body 0.953, date 0.846 there).
VALIDATION: dict[str, dict[str, float]] = {
    "wcxb-articles-meta-more": {"body_bow_f1": 0.963, "title_acc": 0.85, "author_acc": 0.80, "date_acc": 0.876},
}
# figures shown without a target, after the set's targeted ones
INFORMATIONAL = ("author_precision",)
# the quality gate (``--gate``, run by ``make gate``): each figure pinned a little under what the parser
# reaches, on the dev pages and cross-validated (``GATE_FOLDS`` folds of sites); a drop below fails
GATE_FOLDS = 5
# (pinned 2026-12-02 at 0.004-0.008 under the measured figure: one page lost on a set of 60-100 fails;
# trafilatura-eval author_acc raised the same day after the byline fixes, 0.919 dev / 0.889 cv)
FLOORS: dict[str, dict[str, dict[str, float]]] = {
    "dev": {
        "scrapinghub-aeb": {"body_shingle_f1": 0.970},
        "wcxb-articles-meta": {
            "body_bow_f1": 0.968, "title_acc": 0.895, "author_acc": 0.895, "date_acc": 0.925,
            "author_precision": 0.960,
        },
        "htmldate-mediacloud-2020": {"date_acc": 0.955},
        "trafilatura-eval-en-meta": {
            "snippets_with": 0.945, "snippets_without": 0.972, "title_acc": 0.935, "author_acc": 0.915,
            "date_acc": 0.915, "author_precision": 0.965,
        },
    },
    "cv": {
        "scrapinghub-aeb": {"body_shingle_f1": 0.967},
        "wcxb-articles-meta": {
            "body_bow_f1": 0.963, "title_acc": 0.878, "author_acc": 0.895, "date_acc": 0.895,
            "author_precision": 0.945,
        },
        "htmldate-mediacloud-2020": {"date_acc": 0.925},
        "trafilatura-eval-en-meta": {
            "snippets_with": 0.942, "snippets_without": 0.972, "title_acc": 0.935, "author_acc": 0.885,
            "date_acc": 0.905, "author_precision": 0.965,
        },
    },
}


def trafilatura_main(files: list[str]) -> int:
    """Child process: trafilatura alone, the same JSON-lines fields as ``factcheck parse``."""
    from trafilatura import bare_extraction

    for name in files:
        data = Path(name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        url = Path(name).resolve().as_uri()
        doc = bare_extraction(data, url=url, with_metadata=True)
        row: dict[str, Any] = {"path": name, "url": url, "text": "", "title": None, "authors": []}
        row["published"] = None
        if doc is not None:
            author = getattr(doc, "author", None) or ""
            row.update(
                text=getattr(doc, "text", None) or "",
                title=getattr(doc, "title", None),
                authors=[a.strip() for a in author.split(";") if a.strip()],
                published=getattr(doc, "date", None),
                language=getattr(doc, "language", None),
            )
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def _run(cmd: list[str], out: Path) -> float:
    env = subprocess_env()
    start = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        subprocess.run(cmd, stdout=fh, check=True, env=env, cwd=REPO)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets", nargs="*", default=list(TARGETS),
        help=f"data set names (default: the dev sets; validation sets: {', '.join(VALIDATION)})",
    )
    parser.add_argument("--markdown", type=Path, help="also write the 'Article extraction' section here")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per tool, alternating (best kept)")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="also cross-validate by site over K folds")
    parser.add_argument(
        "--gate", action="store_true",
        help=f"only the dev and cross-validated ({GATE_FOLDS} folds) figures: exit 1 below a pinned floor",
    )
    parser.add_argument("--trafilatura-child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.trafilatura_child is not None:
        return trafilatura_main(args.trafilatura_child)

    found = extraction_sets(args.sets)
    if found is None:
        return 0
    scorer, sets = found
    if args.gate:
        return gate(scorer, {k: v for k, v in sets.items() if k not in VALIDATION})
    files = [f for _, names in sets.values() for f in names]
    if not files:
        print("no data set found: nothing measured")
        return 0
    rows: list[Line] = []
    secs: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # one process per tool over all pages, as a pipeline worker would run
        commands = {
            "ours": [sys.executable, "-m", "pipeline.cli", "parse", *files],
            "trafilatura": [sys.executable, str(Path(__file__).resolve()), "--trafilatura-child", *files],
        }
        outputs = {tool: Path(tmp) / f"{tool}.jsonl" for tool in commands}
        # alternate the tools and keep each one's best time: the machine is shared, and load that
        # comes and goes would otherwise land on one tool only
        load_before = os.getloadavg()[0]
        for _ in range(max(1, args.repeat)):
            for tool, cmd in commands.items():
                took = _run(cmd, outputs[tool])
                secs[tool] = min(secs.get(tool, took), took)
        load_after = os.getloadavg()[0]
        for name, (folder, names) in sets.items():
            mine = {scorer._key(f) for f in names}
            scores = {}
            for tool, out in outputs.items():
                preds = {k: v for k, v in scorer.load_preds(str(out)).items() if k in mine}
                scores[tool] = scorer.score(str(folder), preds)
                gt = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
                precision = author_precision(gt, preds, scorer)
                if precision is not None:
                    scores[tool]["author_precision"] = precision
            label = f"{name} ({scores['ours']['pages']})"
            wanted: dict[str, float | None] = dict(TARGETS.get(name) or VALIDATION.get(name) or {})
            shown = ("body_shingle_f1",) if name in VALIDATION else ()
            wanted.update({m: None for m in (*shown, *INFORMATIONAL) if m in scores["ours"] and m not in wanted})
            for metric, target in wanted.items():
                got, base = scores["ours"].get(metric), scores["trafilatura"].get(metric)
                rows.append(Line(label, metric, base, got, None, target))
    total_pages = len(files)
    rules = ""
    if args.cv > 1:
        result = cross_validate(scorer, sets, args.cv, progress=lambda s: print(f"cv: {s}", flush=True))
        for line in rows:
            set_name = line.label.split(" (")[0]
            line.cv = result["figures"][set_name]["cv"].get(line.metric)
        for name, lines in result["misses"].items():
            print(f"{name}: author and date misses, cross-validated")
            print("\n".join(f"- {x}" for x in lines) or "- none")
        rules = (
            f"Rules and the pages they help (a page is helped when switching the rule off lowers its "
            f"figures); cross-validated over {args.cv} folds of sites:\n\n" + rules_table(result)
        )

    if not rows:
        print("no data set found: nothing measured")
        return 0
    table = _table(rows, cv=args.cv > 1)
    speed = (
        f"pages/s over {total_pages} pages (one process per tool, start-up included, best of "
        f"{max(1, args.repeat)} alternating runs): ours {total_pages / secs['ours']:.1f}, "
        f"trafilatura {total_pages / secs['trafilatura']:.1f}, "
        f"ratio {secs['trafilatura'] / secs['ours']:.2f} "
        f"(load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores)"
    )
    print(table)
    if rules:
        print(rules)
    print(speed)
    if args.markdown:
        body = f"{table}\n\n{rules}" if rules else table
        _write_markdown(args.markdown, body, speed, argv if argv is not None else sys.argv[1:])
    return 0


def gate(scorer: Any, sets: dict[str, tuple[Path, list[str]]]) -> int:
    """The quality gate: every figure of ``FLOORS`` measured in this process (no trafilatura, no
    timing); 1 when one is below its floor or its set is missing, else 0."""
    start = time.perf_counter()
    result = cross_validate(scorer, sets, GATE_FOLDS)
    low: list[str] = []
    print("| set | metric | kind | figure | floor |\n|---|---|---|---|---|")
    for kind, floors in FLOORS.items():
        for name, metrics in floors.items():
            figures = result["figures"].get(name, {}).get(kind, {})
            for metric, floor in metrics.items():
                got = figures.get(metric)
                flag = "" if got is not None and got >= floor else " **below**"
                print(f"| {name} | {metric} | {kind} | {_fmt(got)} | {floor:.3f}{flag} |")
                if flag:
                    low.append(f"{name} {metric} ({kind})")
    for name, lines in result["misses"].items():
        print(f"\n{name}: author and date misses, cross-validated\n" + "\n".join(f"- {x}" for x in lines))
    print(f"\nextraction gate: {time.perf_counter() - start:.0f} s wall, {time.process_time():.0f} s CPU")
    if low:
        print(f"gate failed: {', '.join(low)} below the pinned floor")
        return 1
    return 0


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


@dataclass
class Line:
    """One figure of one set: trafilatura's, ours on the dev pages, ours cross-validated, the target."""

    label: str
    metric: str
    base: float | None
    dev: float | None
    cv: float | None
    target: float | None

    def met(self, cv: bool) -> bool | None:
        """Whether ours meets the target (the cross-validated figure when there is one)."""
        got = self.cv if cv else self.dev
        if self.target is None or got is None:
            return None
        return got >= self.target


def _table(rows: list[Line], cv: bool = False) -> str:
    if cv:
        lines = [
            "| set (pages) | metric | trafilatura | ours, dev | ours, cross-validated | target | met (cv)? |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        lines = ["| set (pages) | metric | trafilatura | ours | target | met? |", "|---|---|---|---|---|---|"]
    for r in rows:
        met = r.met(cv)
        flag = "-" if met is None else ("yes" if met else "NO")
        target = "-" if r.target is None else f"{r.target:.3f}"
        figures = f"{_fmt(r.dev)} | {_fmt(r.cv)}" if cv else _fmt(r.dev)
        lines.append(f"| {r.label} | {r.metric} | {_fmt(r.base)} | {figures} | {target} | {flag} |")
    return "\n".join(lines)


NOTES_MARKER = "<!-- notes: written by hand, kept by benchmarks/extraction.py -->"


def _write_markdown(path: Path, table: str, speed: str, argv: list[str]) -> None:
    """Replace the figures of the 'Article extraction' section of ``path``; the notes after
    ``NOTES_MARKER`` in that section (what the figures mean, page by page) are kept as they are."""
    cmd = " ".join(["PYTHONPATH=src", "python", "benchmarks/extraction.py", *argv])
    section = (
        "## Article extraction\n\n"
        "`factcheck parse` (src/pipeline/parse/) against trafilatura 2.3.1 alone "
        "(`bare_extraction(with_metadata=True)`), same pages, same run, scored by "
        "`shared/eval/score_extraction.py` on the development sets in `shared/data/extraction`.\n\n"
        f"Command (from the repository root, ideally with nothing else running):\n\n    {cmd}\n\n"
        f"Measured {time.strftime('%Y-%m-%d')} on the 2-core development machine.\n\n"
        f"{table}\n\n{speed}\n\n"
    )
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find("## Article extraction")
    if start < 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.rstrip("\n") + "\n\n" + section + NOTES_MARKER + "\n", encoding="utf-8")
        return
    # the section ends at the next heading or at another script's marker comment before it
    marker = text.find("\n<!-- ", start + 1)
    while marker >= 0 and text.startswith(NOTES_MARKER, marker + 1):
        marker = text.find("\n<!-- ", marker + 1)
    ends = [i for i in (text.find("\n## ", start + 1), marker) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    old = text[start:end]
    notes = old[old.index(NOTES_MARKER) :] if NOTES_MARKER in old else NOTES_MARKER + "\n"
    path.write_text(text[:start] + section + notes + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
