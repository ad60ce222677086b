#!/usr/bin/env python3
"""How far can a similarity threshold go on the dev gold? An upper bound, not a method.

    python benchmarks/comparison_ceiling.py                   # lexical IDF-Jaccard and, when the
                                                              # [semantic] extra is installed, cosine

Every labelled pair of the comparison gold whose two claims were both extracted is scored the way
the clustering scores it (IDF-Jaccard of the content terms; cosine of all-MiniLM-L6-v2 embeddings),
and put in one of three groups by the canonical speakers the pipeline gave its two claims: the same
speaker, one side unknown, two different speakers. Then the thresholds are **fitted on the gold
itself**, one per group, to link as many positive pairs as possible while keeping link precision at
or above 0.80. Pairs are counted one by one, so no chaining through a third claim is charged.

Nothing deployable can beat this figure with the same score and the same speakers: it is what a
threshold tuned on the answers would give. When it is below the target, the target needs a better
score (a model that tells a paraphrase from a related claim), not better thresholds.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import shared_dir  # noqa: E402
from comparison import _cached, _jsonl, compare, extracted  # noqa: E402

PRECISION = 0.80
_WORD = re.compile(r"\w+")


def _words(text: str | None) -> set[str]:
    return set(_WORD.findall((text or "").lower()))


def gold_to_claims(records: dict[str, dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each gold record's predicted claim: the one of its article with the highest word Jaccard,
    when that reaches 0.5 (the scorer's rule, so the pairs counted here are the scorer's)."""
    by_doc: dict[str, list[tuple[set[str], dict[str, Any]]]] = defaultdict(list)
    for p in preds:
        by_doc[p["doc_id"]].append((_words(p["content"]), p))
    out = {}
    for rid, rec in records.items():
        gold = _words(rec["content"])
        scored = [(len(gold & w) / len(gold | w) if gold | w else 0.0, p) for w, p in by_doc.get(rec["doc_id"], [])]
        best = max(scored, key=lambda t: t[0], default=(0.0, None))
        if best[0] >= 0.5 and best[1] is not None:
            out[rid] = best[1]
    return out


def best_thresholds(rows: list[tuple[bool, str, float]]) -> tuple[int, int, dict[str, float]]:
    """(positives linked, negatives linked, threshold per group) maximising the positives linked at
    precision >= PRECISION; a group whose threshold is inf links nothing."""
    curves: dict[str, list[tuple[float, int, int]]] = {}
    for group in sorted({g for _, g, _ in rows}):
        mine = [(pos, s) for pos, g, s in rows if g == group]
        thresholds = sorted({s for _, s in mine}) + [float("inf")]
        curves[group] = [
            (t, sum(p for p, s in mine if s >= t), sum(not p for p, s in mine if s >= t)) for t in thresholds
        ]
    best: tuple[int, int, dict[str, float]] = (0, 0, {g: float("inf") for g in curves})
    for combo in itertools.product(*curves.values()):
        tp, fp = sum(c[1] for c in combo), sum(c[2] for c in combo)
        if tp > best[0] and tp >= PRECISION * (tp + fp):
            best = (tp, fp, {g: c[0] for g, c in zip(curves, combo, strict=True)})
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    shared = shared_dir()
    docs_path = shared / "data" / "attribution" / "dev.jsonl"
    gold_dir = shared / "data" / "comparison-dev"
    if not (docs_path.is_file() and gold_dir.is_dir()):
        print(f"skipped: {docs_path} or {gold_dir} not found (set FACTCHECK_SHARED_DIR)")
        return 0
    from pipeline.compare.clusters import ClusterState, similarity
    from pipeline.compare.wording import content_terms

    docs = _jsonl(docs_path)
    preds, _ = compare(docs, extracted(docs, "dev", refresh=False), "lexical")
    records = {r["id"]: r for r in _jsonl(gold_dir / "records.jsonl")}
    mapped = gold_to_claims(records, preds)
    state = ClusterState()
    for p in preds:
        state.df.update(content_terms(p["content"] or ""))
        state.n_claims += 1
    encode = None
    try:
        from pipeline.compare.semantic import cosine, load_encoder

        encode = _cached(load_encoder())
    except ImportError as exc:
        print(f"cosine left out: {exc}")
    pairs = [p for p in _jsonl(gold_dir / "pairs.jsonl") if p["a_id"] in mapped and p["b_id"] in mapped]
    scored: dict[str, list[tuple[bool, str, float]]] = defaultdict(list)
    for p in pairs:
        a, b = mapped[p["a_id"]], mapped[p["b_id"]]
        positive = p["label"] in ("SAME", "SAME_OPPOSITE")
        if a["speaker_id"] is None or b["speaker_id"] is None:
            group = "one unknown"
        else:
            group = "same speaker" if a["speaker_id"] == b["speaker_id"] else "different speakers"
        lexical, _ = similarity(content_terms(a["content"]), content_terms(b["content"]), state)
        scored["lexical"].append((positive, group, lexical))
        if encode is not None:
            va, vb = encode([a["content"], b["content"]])
            scored["cosine"].append((positive, group, cosine(va, vb)))
    n_pos = sum(pos for pos, _, _ in scored["lexical"])
    print(f"{len(pairs)} labelled pairs with both claims extracted: {n_pos} positive")
    for group in sorted({g for _, g, _ in scored["lexical"]}):
        pos = sum(p for p, g, _ in scored["lexical"] if g == group)
        print(f"  {group:18} {pos:3} positive, {sum(g == group for _, g, _ in scored['lexical']) - pos:3} negative")
    for name, rows in scored.items():
        tp, fp, thresholds = best_thresholds(rows)
        shown = ", ".join(f"{g} {'never' if t == float('inf') else f'>= {t:.2f}'}" for g, t in thresholds.items())
        figure = f"{tp}/{n_pos} = {tp / n_pos:.3f} ({fp} negatives)"
        print(f"{name:8} ceiling at precision >= {PRECISION}: {figure}; {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
