#!/usr/bin/env python3
"""Byte-identical check of claim extraction: record the claims of the dev articles, then compare.

    python benchmarks/identical.py --record DIR   # write DIR/claims.jsonl from this checkout
    python benchmarks/identical.py --check DIR    # extract again; list every difference, exit 1 on any

The articles are PolNeAR dev (``<shared>/data/attribution/dev.jsonl``) and the seed article
(``<shared>/data/seed/*.txt``); ``--split train`` adds PolNeAR train for a wider net. The extractor
runs the way ``factcheck claims`` runs it, as a subprocess (``python -m pipeline.cli claims``) with
this checkout's ``src`` first on ``PYTHONPATH``. Use it around a refactor that must not change output.
Nothing from the shared data is written into the repository: DIR belongs outside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import run_claims_cli, shared_dir  # noqa: E402

OUTPUT = "claims.jsonl"


def articles(splits: list[str]) -> list[dict[str, str]] | None:
    """(id, text) of every article to extract, or None (with a message) when the data is absent."""
    data = shared_dir() / "data"
    docs: list[dict[str, str]] = []
    for split in splits:
        path = data / "attribution" / f"{split}.jsonl"
        if not path.is_file():
            print(f"skipped: {path} not found (set FACTCHECK_SHARED_DIR)")
            return None
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    docs.append({"id": f"{split}/{row['doc_id']}", "text": row["text"]})
    for seed in sorted((data / "seed").glob("*.txt")):
        docs.append({"id": f"seed/{seed.name}", "text": seed.read_text(encoding="utf-8")})
    return docs


def extract(docs: list[dict[str, str]], out_path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="factcheck-identical-") as tmp:
        docs_path = Path(tmp) / "docs.jsonl"
        with docs_path.open("w", encoding="utf-8") as fh:
            for doc in docs:
                fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
        run_claims_cli(docs_path, out_path)


def read_rows(path: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def differences(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[str]:
    """One line per difference: a document missing or added, an error, a claim changed or moved."""
    out: list[str] = []
    for doc_id in sorted(old.keys() - new.keys()):
        out.append(f"{doc_id}: missing from the new run")
    for doc_id in sorted(new.keys() - old.keys()):
        out.append(f"{doc_id}: not in the recorded run")
    for doc_id in sorted(old.keys() & new.keys()):
        a, b = old[doc_id], new[doc_id]
        if a.get("error") != b.get("error"):
            out.append(f"{doc_id}: error {a.get('error')!r} -> {b.get('error')!r}")
        ca, cb = a["claims"], b["claims"]
        for n in range(max(len(ca), len(cb))):
            x = ca[n] if n < len(ca) else None
            y = cb[n] if n < len(cb) else None
            if x == y:
                continue
            if x is None or y is None:
                gone = "added" if x is None else "removed"
                claim = y if x is None else x
                out.append(f"{doc_id} #{n}: claim {gone}: {json.dumps(claim, ensure_ascii=False)}")
                continue
            fields = [f"{k}: {x.get(k)!r} -> {y.get(k)!r}" for k in sorted(x.keys() | y.keys()) if x.get(k) != y.get(k)]
            out.append(f"{doc_id} #{n}: " + "; ".join(fields))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", metavar="DIR", help="write the claims of this checkout into DIR")
    group.add_argument("--check", metavar="DIR", help="compare this checkout's claims with DIR's")
    parser.add_argument("--split", action="append", choices=("dev", "train"), help="PolNeAR split(s), default dev")
    args = parser.parse_args(argv)

    docs = articles(args.split or ["dev"])
    if docs is None:
        return 0
    if args.record:
        folder = Path(args.record)
        folder.mkdir(parents=True, exist_ok=True)
        extract(docs, folder / OUTPUT)
        rows = read_rows(folder / OUTPUT)
        n = sum(len(r["claims"]) for r in rows.values())
        print(f"recorded {n} claims of {len(rows)} articles into {folder / OUTPUT}")
        return 0
    recorded = Path(args.check) / OUTPUT
    if not recorded.is_file():
        print(f"no recording at {recorded}: run --record first")
        return 2
    with tempfile.TemporaryDirectory(prefix="factcheck-identical-") as tmp:
        fresh = Path(tmp) / OUTPUT
        extract(docs, fresh)
        same_bytes = fresh.read_bytes() == recorded.read_bytes()
        new = read_rows(fresh)
    old = read_rows(recorded)
    diffs = differences(old, new)
    for line in diffs:
        print(line)
    n = sum(len(r["claims"]) for r in new.values())
    if diffs or not same_bytes:
        extra = "" if diffs else " (the rows compare equal but the bytes differ)"
        print(f"DIFFERENT: {len(diffs)} differences over {len(new)} articles{extra}")
        return 1
    print(f"identical: {n} claims of {len(new)} articles, byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
