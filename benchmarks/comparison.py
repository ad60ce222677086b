#!/usr/bin/env python3
"""Comparison benchmark: PolNeAR dev articles -> extractor -> canonical speakers -> claim clusters,
scored by ``shared/eval/score_comparison.py`` against ``shared/data/comparison-dev``.

    python benchmarks/comparison.py              # extract (cached), compare, score, print figures
    python benchmarks/comparison.py --refresh    # re-run the extractor instead of using the cache
    python benchmarks/comparison.py --out DIR    # keep the prediction files in DIR
    python benchmarks/comparison.py --json PATH  # also write a result file for run_all.py (make bench)

The extraction step runs the real extractor the way the pipeline runs it (``python -m pipeline.cli
claims``, this checkout's ``src`` first) and is cached under ``tmp/cache/comparison/`` keyed by the
extractor version and the input, so clustering can be iterated on quickly. Skips with a message
when ``../shared`` (or ``FACTCHECK_SHARED_DIR``) is absent. Nothing from it is written into the
repository outside ``tmp/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, SRC, Result, Row, run_claims_cli, shared_dir  # noqa: E402

CACHE = REPO / "tmp" / "cache" / "comparison"
# gold set -> (PolNeAR split its articles come from, the publication month they are drawn from)
GOLDS = {"dev": ("dev", ""), "train": ("train", "2016-07")}
TARGETS = {"link_recall_ext": 0.65, "link_precision": 0.80, "speaker_r": 0.80, "speaker_p": 0.90, "coverage": 0.75}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def extracted(docs: list[dict[str, Any]], split: str, refresh: bool) -> dict[str, list[dict[str, Any]]]:
    """doc_id -> claims (as dicts), from the cache or a run of ``pipeline.cli claims``."""
    sys.path.insert(0, str(SRC))
    from pipeline.claims import EXTRACTOR_VERSION

    inputs = [{"id": d["doc_id"], "text": d["text"]} for d in docs]
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    cache = CACHE / f"claims-{split}-{EXTRACTOR_VERSION}-{digest}.jsonl"
    if refresh or not cache.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        docs_path = CACHE / f"docs-{split}-{digest}.jsonl"
        _write_jsonl(docs_path, inputs)
        partial = cache.with_suffix(".partial")
        took = run_claims_cli(docs_path, partial)
        partial.replace(cache)
        print(f"extracted {len(docs)} articles in {took:.0f} s -> {cache}")
    else:
        print(f"extraction cached: {cache}")
    return {row["id"]: row["claims"] for row in _jsonl(cache)}


def _cached(encode: Any) -> Any:
    """``encode`` with its vectors kept under ``tmp/cache/comparison/`` by content, so a second run
    of the semantic method on the same claims does not spend minutes on the model again."""
    import numpy as np

    path = CACHE / "vectors-all-minilm-l6-v2.npz"
    known: dict[str, Any] = {}
    if path.is_file():
        with np.load(path) as npz:
            known = dict(zip((str(k) for k in npz["keys"]), npz["vectors"], strict=True))

    def run(texts: list[str]) -> list[Any]:
        key = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        missing = sorted({k: t for k, t in zip(key, texts, strict=True) if k not in known}.items())
        if missing:
            known.update(zip((k for k, _ in missing), encode([t for _, t in missing]), strict=True))
            CACHE.mkdir(parents=True, exist_ok=True)
            keys = sorted(known)
            np.savez(path, keys=np.array(keys), vectors=np.stack([known[k] for k in keys]))
        return [known[k] for k in key]

    return run


def compare(
    docs: list[dict[str, Any]], claims: dict[str, list[dict[str, Any]]], method: str = "lexical"
) -> tuple[list[dict], list[dict]]:
    """Predictions (the scorer's JSONL rows) and contradictions for the extracted claims."""
    from pipeline.compare import ClusterState, assign, canonical_speakers, contradictions
    from pipeline.compare.clusters import HYBRID, SEMANTIC, Params

    articles = [(claims.get(d["doc_id"], []), d["text"]) for d in docs]
    speakers, registry = canonical_speakers(articles)
    rows: list[dict[str, Any]] = []
    for d, (doc_claims, _), sps in zip(docs, articles, speakers, strict=True):
        doc_id = d["doc_id"]
        outlet, day = doc_id.split("_")[:2]
        for n, (c, sp) in enumerate(zip(doc_claims, sps, strict=True)):
            rows.append(
                {
                    "claim_id": f"{doc_id}#{n}",
                    "doc_id": doc_id,
                    "outlet": outlet,
                    "date": day,
                    "content": c["content"],
                    "polarity": c["polarity"],
                    "cue": c.get("cue"),
                    "speaker_id": sp.speaker_id,
                    "speaker_name": sp.name,
                }
            )
    encode = None
    if method in ("semantic", "hybrid"):
        from pipeline.compare.semantic import load_encoder

        encode = _cached(load_encoder())
    state = ClusterState(params={"semantic": SEMANTIC, "hybrid": HYBRID}.get(method, Params()))
    assignments = assign(rows, state, encode=encode)
    preds = [
        {
            "doc_id": r["doc_id"],
            "claim_id": r["claim_id"],
            "content": r["content"],
            "cluster_id": a.cluster_id,
            "stance": a.stance,
            "speaker_id": r["speaker_id"],
            "speaker": r["speaker_name"],
            "polarity": r["polarity"],
        }
        for r, a in zip(rows, assignments, strict=True)
    ]
    contra = [{"a_claim_id": c.asserting_claim_id, "b_claim_id": c.denying_claim_id} for c in contradictions(state)]
    reasons: dict[str, int] = {}
    for a in assignments:
        key = a.reason if a.cluster_id is None else "clustered"
        reasons[key] = reasons.get(key, 0) + 1
    print(f"{len(rows)} claims, {len(registry.speakers)} canonical speakers, {len(state.clusters)} clusters; {reasons}")
    return preds, contra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split",
        default="dev",
        choices=tuple(GOLDS),
        help="gold set: dev (84 PolNeAR dev articles) or train (the 86 July 2016 PolNeAR train articles)",
    )
    parser.add_argument("--refresh", action="store_true", help="re-run the extractor, ignoring the cache")
    methods = ("lexical", "semantic", "hybrid")
    parser.add_argument("--method", default="lexical", choices=methods, help="clustering method")
    parser.add_argument("--out", help="write pred.jsonl and contradictions.jsonl here (default: a temp dir)")
    parser.add_argument("--json", help="write the figures as a benchmark result file (for run_all.py)")
    args = parser.parse_args(argv)
    command = f"PYTHONPATH=src python benchmarks/comparison.py --split {args.split} --method {args.method}"

    shared = shared_dir()
    source, month = GOLDS[args.split]
    docs_path = shared / "data" / "attribution" / f"{source}.jsonl"
    gold_dir = shared / "data" / f"comparison-{args.split}"
    scorer = shared / "eval" / "score_comparison.py"
    if not (docs_path.is_file() and gold_dir.is_dir() and scorer.is_file()):
        why = f"{docs_path}, {gold_dir} or {scorer} not found (set FACTCHECK_SHARED_DIR)"
        print(f"skipped: {why}")
        if args.json:
            Result(name=_name(args.split), title=_title(args.split), command=command, skipped=why).write(args.json)
        return 0
    docs = [d for d in _jsonl(docs_path) if d["doc_id"].split("_")[1].startswith(month)]
    claims = extracted(docs, args.split, args.refresh)
    started = time.perf_counter()
    preds, contra = compare(docs, claims, args.method)
    took = time.perf_counter() - started
    print(f"speakers + clusters ({args.method}): {took:.2f} s")
    with tempfile.TemporaryDirectory(prefix="factcheck-compare-") as tmp:
        out = Path(args.out) if args.out else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        pred_path, contra_path = out / "pred.jsonl", out / "contradictions.jsonl"
        _write_jsonl(pred_path, preds)
        _write_jsonl(contra_path, contra)
        cmd = [sys.executable, str(scorer), str(gold_dir), str(pred_path), str(contra_path), "--json"]
        result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    print(f"score_comparison.py {gold_dir} PRED CONTRADICTIONS:")
    for key, value in result.items():
        target = TARGETS.get(key)
        mark = "" if target is None else f"   (target >= {target}: {'met' if value >= target else 'NOT met'})"
        print(f"  {key:16} {value}{mark}")
    found, total = (int(x) for x in result["contradictions"].split("/"))
    print(
        f"  contradictions share {found / total:.2f}   (target >= 0.30: {'met' if found / total >= 0.3 else 'NOT met'})"
    )
    if args.json:
        result_file(result, args.method, took, len(docs), len(preds), command, args.split).write(args.json)
    return 0


def _name(split: str) -> str:
    return "comparison" if split == "dev" else f"comparison-{split}"


def _title(split: str) -> str:
    return f"Comparison across outlets ({split} gold)"


def result_file(
    score: dict[str, Any], method: str, took: float, n_docs: int, n_claims: int, command: str, split: str = "dev"
) -> Result:
    """The scorer's figures as a benchmark result, each beside its target from issue 15."""
    counts = score["counts"]
    found, total = (int(x) for x in score["contradictions"].split("/"))
    rows = [
        Row("coverage of cluster members", score["coverage"], "", TARGETS["coverage"], "higher"),
        Row(
            f"link recall among extracted pairs ({counts['linked_pos']}/{counts['pos_ext']})",
            score["link_recall_ext"],
            "",
            TARGETS["link_recall_ext"],
            "higher",
        ),
        Row("link recall, end to end", score["link_recall"], ""),
        Row(
            f"link precision ({counts['linked_neg']} negatives linked)",
            score["link_precision"],
            "",
            TARGETS["link_precision"],
            "higher",
        ),
        Row(f"contradictions found ({found}/{total})", found / total if total else 0.0, "", 0.30, "higher"),
        Row("canonical-speaker recall", score["speaker_r"], "", TARGETS["speaker_r"], "higher"),
        Row("canonical-speaker precision", score["speaker_p"], "", TARGETS["speaker_p"], "higher"),
        Row("largest cluster", counts["largest_cluster"], "claims"),
        Row(f"speakers + clusters for {n_claims:,} claims", took, "s", note=f"method {method}"),
    ]
    notes = [
        f"{n_docs} PolNeAR {split} articles through the extractor (cached), canonical_speakers and assign, scored by "
        "shared/eval/score_comparison.py; method and thresholds in docs/COMPARISON.md."
    ]
    return Result(name=_name(split), title=_title(split), command=command, rows=rows, notes=notes)


if __name__ == "__main__":
    sys.exit(main())
