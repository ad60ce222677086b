"""Claims vs parser: the whole claims step against spaCy's ``nlp.pipe`` alone, on the same texts.

    PYTHONPATH=src python benchmarks/claims_speed.py [--rounds 5] [--json out.json]

Texts: the PolNeAR dev articles (``<shared>/data/attribution/dev.jsonl``), else the sample
newsroom's articles (with a message). Each round times, back to back and in alternating order:

* parser alone: ``for doc in nlp.pipe(texts, batch_size=B)`` with the pipeline ``load_nlp`` gives
  (the same components the claims step runs, the paragraph-break component included);
* claims step: ``for claims in extract_many(texts, nlp=nlp, batch_size=B)`` (parse + rules).

The ratio of the two in the same round is the cost of everything that is not the parser. Also
reported: the parser with ``n_process=2`` (what a second core could give), informational only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Paired, Result, Row, median, paired_rounds, shared_dir, timed  # noqa: E402

TARGET_RATIO = 1.10


def load_texts() -> tuple[list[str], str]:
    path = shared_dir() / "data" / "attribution" / "dev.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            texts = [json.loads(line)["text"] for line in fh if line.strip()]
        return texts, f"PolNeAR dev, {len(texts)} articles ({path})"
    print(f"claims_speed: {path} is absent; using the sample newsroom's articles instead", file=sys.stderr)
    from pipeline.demo.server import load_newsroom

    data = load_newsroom()
    texts = ["\n\n".join([a["title"], *a["paragraphs"]]) for a in data["articles"]]
    return texts * 10, f"the sample newsroom's {len(texts)} articles, each 10 times (PolNeAR dev absent)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-sizes", default="16,64")
    parser.add_argument("--json")
    args = parser.parse_args()

    from pipeline.claims import extract_many, load_nlp
    from pipeline.settings import Settings

    texts, what = load_texts()
    nlp = load_nlp(Settings.from_env().spacy_model)
    result = Result(
        name="claims",
        title="Claims vs parser",
        command=f"PYTHONPATH=src python benchmarks/claims_speed.py --rounds {args.rounds}",
    )
    result.notes.append(f"texts: {what}, {sum(len(t) for t in texts):,} characters")
    result.notes.append(f"pipeline: {', '.join(nlp.pipe_names)}")
    # Warm up: first calls allocate and load lexicons.
    list(extract_many(texts[:3], nlp=nlp))
    n_tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
    n_claims = sum(len(c) for c in extract_many(texts, nlp=nlp))
    result.notes.append(f"{n_tokens:,} tokens, {n_claims:,} claims")

    table = [
        "| batch size | parser alone: wall / CPU (s) | claims step: wall / CPU (s) | ratio, wall | ratio, CPU |",
        "|---|---|---|---|---|",
    ]
    best: tuple[int, Paired] | None = None
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        print(f" batch_size={bs}", flush=True)

        def parse_only(bs: int = bs) -> None:
            for _ in nlp.pipe(texts, batch_size=bs):
                pass

        def claims_step(bs: int = bs) -> None:
            for _ in extract_many(texts, nlp=nlp, batch_size=bs):
                pass

        p = paired_rounds(args.rounds, parse_only, claims_step)
        table.append(
            f"| {bs} | {median(p.wall_a):.2f} / {median(p.cpu_a):.2f} | {median(p.wall_b):.2f} / {median(p.cpu_b):.2f} "
            f"| {median(p.wall_ratios):.3f} ({', '.join(f'{r:.2f}' for r in p.wall_ratios)}) "
            f"| {median(p.cpu_ratios):.3f} ({', '.join(f'{r:.2f}' for r in p.cpu_ratios)}) |"
        )
        if best is None or median(p.cpu_b) < median(best[1].cpu_b):
            best = (bs, p)
    assert best is not None
    bs, p = best
    result.rows += [
        Row(f"claims step / parser alone, CPU time (batch {bs}, 1 process)", median(p.cpu_ratios), "x", TARGET_RATIO),
        Row(f"claims step / parser alone, wall time (batch {bs})", median(p.wall_ratios), "x", TARGET_RATIO,
            note="disturbed by other jobs on the machine"),
        Row("parser alone, tokens per CPU second", n_tokens / median(p.cpu_a), "tok/s"),
        Row("claims step, tokens per CPU second", n_tokens / median(p.cpu_b), "tok/s"),
        Row("claims step, tokens per wall second", n_tokens / median(p.wall_b), "tok/s"),
        Row("claims step, articles per wall second", len(texts) / median(p.wall_b), "art/s"),
    ]

    # What a second process would give the parser (informational: extract_many takes no n_process).
    t2: list[float] = []
    t1: list[float] = []
    for _ in range(max(1, args.rounds // 2)):
        x, _ = timed(lambda: [None for _ in nlp.pipe(texts, batch_size=bs, n_process=2)])
        y, _ = timed(lambda: [None for _ in nlp.pipe(texts, batch_size=bs)])
        t2.append(x)
        t1.append(y)
    result.rows.append(
        Row("parser, n_process=2 vs 1: wall-time speed-up", median([a / b for a, b in zip(t1, t2, strict=True)]),
            "x", note="informational; 2 shared cores")
    )
    result.tables.append("\n".join(table))
    result.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
