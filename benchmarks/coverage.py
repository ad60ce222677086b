#!/usr/bin/env python3
"""Extraction coverage of the comparison gold: how many cross-outlet cluster members we extract at all.

    python benchmarks/coverage.py                  # dev gold, figures on stdout
    python benchmarks/coverage.py --misses         # and list the members no claim matched
    python benchmarks/coverage.py --keep PRED.jsonl  # keep the prediction file it scored

The extractor runs the way the pipeline runs it (``python -m pipeline.cli claims``, this checkout's
``src`` first on ``PYTHONPATH``) on the PolNeAR dev texts; its claims are written in the form
``shared/eval/score_comparison.py`` reads (doc_id, claim_id, content, cluster_id=null,
speaker_id=null, polarity), and the scorer's ``coverage`` is printed: the share of gold cluster
members whose article has a claim with content-word Jaccard >= 0.5 against the gold content.
Skips with a message when ``../shared`` (or ``FACTCHECK_SHARED_DIR``) is absent; nothing from it
is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_scorer, run_claims_cli, shared_dir  # noqa: E402

TARGET = 0.75


def prediction_rows(claims_path: Path) -> list[dict[str, Any]]:
    """The CLI's claims file turned into the comparison scorer's prediction rows."""
    rows: list[dict[str, Any]] = []
    with claims_path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            doc = json.loads(line)
            for n, claim in enumerate(doc["claims"]):
                rows.append(
                    {
                        "doc_id": doc["id"],
                        "claim_id": f"{doc['id']}#c{n}",
                        "content": claim["content"],
                        "cluster_id": None,
                        "speaker_id": None,
                        "polarity": claim["polarity"],
                    }
                )
    return rows


def misses(scorer: Any, gold_dir: Path, preds: list[dict[str, Any]]) -> list[str]:
    """One line per gold cluster member left unmatched, with its best Jaccard and that claim."""
    records = {r["id"]: r for r in scorer._jsonl(f"{gold_dir}/records.jsonl")}
    clusters = scorer._jsonl(f"{gold_dir}/clusters.jsonl")
    lines = []
    for member in (m for c in clusters for m in c["members"]):
        gold = records[member["id"]]
        words = scorer._words(gold["content"])
        best, text = 0.0, ""
        for p in preds:
            if p["doc_id"] == gold["doc_id"]:
                j = scorer._jaccard(words, scorer._words(p["content"]))
                if j > best:
                    best, text = j, p["content"]
        if best < 0.5:
            lines.append(
                f"{member['id']}  best={best:.2f}\n  gold: [{gold['source']}] [{gold['cue']}] "
                f"{gold['content']}\n  ours: {text}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the cluster members not extracted")
    parser.add_argument("--keep", help="copy the prediction JSONL here")
    args = parser.parse_args(argv)

    shared = shared_dir()
    articles = shared / "data" / "attribution" / "dev.jsonl"
    gold_dir = shared / "data" / "comparison-dev"
    scorer_path = shared / "eval" / "score_comparison.py"
    if not (articles.is_file() and (gold_dir / "clusters.jsonl").is_file() and scorer_path.is_file()):
        print(f"skipped: {articles}, {gold_dir} or {scorer_path} not found (set FACTCHECK_SHARED_DIR)")
        return 0
    scorer = load_scorer(scorer_path)

    with tempfile.TemporaryDirectory(prefix="factcheck-cov-") as tmp:
        docs_path, claims_path = Path(tmp) / "docs.jsonl", Path(tmp) / "claims.jsonl"
        pred_path = Path(tmp) / "pred.jsonl"
        with articles.open(encoding="utf-8") as src, docs_path.open("w", encoding="utf-8") as out:
            for line in src:
                if line.strip():
                    doc = json.loads(line)
                    out.write(json.dumps({"id": doc["doc_id"], "text": doc["text"]}, ensure_ascii=False) + "\n")
        run_claims_cli(docs_path, claims_path)
        preds = prediction_rows(claims_path)
        with pred_path.open("w", encoding="utf-8") as out:
            for row in preds:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        if args.keep:
            shutil.copyfile(pred_path, args.keep)
        result = scorer.score(str(gold_dir), scorer._jsonl(str(pred_path)))

    from pipeline.claims import EXTRACTOR_VERSION

    counts = result["counts"]
    print(
        f"comparison-dev, extractor `{EXTRACTOR_VERSION}`, {len(preds)} predicted claims, "
        "scored by `shared/eval/score_comparison.py`"
    )
    print(
        f"coverage of cluster members: {result['coverage']:.3f} ({counts['extracted']} of "
        f"{counts['members']}; target {TARGET})"
    )
    print(f"positive pairs with both sides extracted: {counts['pos_ext']} of {counts['pos_pairs']}")
    if args.misses:
        print("\nmissed cluster members:")
        print("\n".join(misses(scorer, gold_dir, preds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
