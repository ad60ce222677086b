"""Articles vs extractor: ``factcheck parse`` against trafilatura alone, on the same pages, same run.

    PYTHONPATH=src python benchmarks/parse_speed.py [--rounds 3] [--json out.json]

Pages: every ``<shared>/data/extraction/*/html/*.html.gz`` (skipped with a message when absent).
The gzip files are read into memory once, so neither side pays for the disk. Each round times,
back to back and in alternating order:

* ``factcheck parse``: the CLI's own code (``pipeline.cli.main(["parse", FILE...])``) with its
  output discarded, i.e. decompression, ``parse_article`` (trafilatura body, metadata cascade,
  language, page-type guard) and the JSON line of each page;
* trafilatura alone: decompression, ``bare_extraction(html, with_metadata=True)`` and a JSON line
  of the same fields.

Interpreter start-up and imports are outside both timings (each is warmed up on a few pages first).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, Row, median, paired_rounds, shared_dir  # noqa: E402

TARGET_RATIO = 1.3


def trafilatura_alone(pages: list[tuple[Path, bytes]]) -> None:
    from trafilatura import bare_extraction

    out = io.StringIO()
    for path, gz in pages:
        data = gzip.decompress(gz)
        doc = bare_extraction(data, url=path.resolve().as_uri(), with_metadata=True)
        if doc is None:
            row: dict[str, object] = {"path": str(path), "text": None}
        else:
            row = {
                "path": str(path),
                "url": doc.url,
                "title": doc.title,
                "authors": doc.author,
                "published": doc.date,
                "language": doc.language,
                "text": doc.text,
            }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="only the first N pages (a quick check)")
    parser.add_argument("--json")
    args = parser.parse_args()

    result = Result(
        name="parse",
        title="Articles vs extractor",
        command=f"PYTHONPATH=src python benchmarks/parse_speed.py --rounds {args.rounds}",
    )
    files = sorted((shared_dir() / "data" / "extraction").glob("*/html/*.html.gz"))[: args.limit]
    if not files:
        result.skipped = f"no pages under {shared_dir() / 'data' / 'extraction'}"
        result.write(args.json)
        return 0
    from pipeline import cli

    class Sink(io.TextIOBase):
        def write(self, s: str) -> int:
            return len(s)

    def ours(paths: list[Path]) -> None:
        # factcheck parse reads the files itself; the page cache holds them after the warm-up.
        with contextlib.redirect_stdout(Sink()):
            cli.main(["parse", *map(str, paths)])

    pages = [(p, p.read_bytes()) for p in files]
    n_bytes = sum(len(gzip.decompress(gz)) for _, gz in pages)
    ours(files[:3])
    trafilatura_alone(pages[:3])
    p = paired_rounds(args.rounds, lambda: trafilatura_alone(pages), lambda: ours(files))
    sets = sorted({f.parts[-3] for f in files})
    result.notes.append(f"{len(files)} pages ({n_bytes / 1e6:.1f} MB of HTML) from {', '.join(sets)}")
    result.rows += [
        Row("factcheck parse / trafilatura alone, CPU time", median(p.cpu_ratios), "x", TARGET_RATIO),
        Row("factcheck parse / trafilatura alone, wall time", median(p.wall_ratios), "x", TARGET_RATIO,
            note="disturbed by other jobs on the machine"),
        Row("factcheck parse, pages per CPU second", len(files) / median(p.cpu_b), "pages/s"),
        Row("trafilatura alone, pages per CPU second", len(files) / median(p.cpu_a), "pages/s"),
    ]
    result.tables.append(
        "| round | trafilatura: wall / CPU (s) | factcheck parse: wall / CPU (s) | ratio, wall | ratio, CPU |\n"
        "|---|---|---|---|---|\n"
        + "\n".join(
            f"| {i + 1} | {p.wall_a[i]:.2f} / {p.cpu_a[i]:.2f} | {p.wall_b[i]:.2f} / {p.cpu_b[i]:.2f} "
            f"| {p.wall_ratios[i]:.3f} | {p.cpu_ratios[i]:.3f} |"
            for i in range(len(p.wall_a))
        )
    )
    result.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
