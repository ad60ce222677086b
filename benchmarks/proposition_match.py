#!/usr/bin/env python3
"""An experiment, not a method: would a proposition-level match find the contradictions the word
overlap misses?

    PYTHONPATH=src python benchmarks/proposition_match.py --split dev
    PYTHONPATH=src python benchmarks/proposition_match.py --split train

Every extracted claim's content is parsed (the pipeline's spaCy model) into propositions: the
subject, the verb's lemma, the head lemma of its object or complement, and a sign (a negation on
the verb or a "no"/"never" before the object turns it over; a denial turns it over again). The
subject is a canonical key: "I"/"we" is the claim's own speaker, a name goes through the run's
speaker registry, a common noun is its lemma; "he"/"she"/"it" are left out (whom they mean is not
in the content). Two claims of different articles and different speakers contradict when they
share a (subject, verb, object) and their signs differ.

It prints, for the chosen gold set, how many SAME_OPPOSITE pairs (both claims extracted) such a
match finds, how many labelled negative pairs it would flag, and how many pairs it flags in all.
docs/COMPARISON.md keeps the figures of both sets.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import shared_dir  # noqa: E402
from comparison import GOLDS, _jsonl, compare, extracted  # noqa: E402
from comparison_ceiling import gold_to_claims  # noqa: E402

_SUBJECTS = ("nsubj", "nsubjpass")
_OBJECTS = ("dobj", "attr", "acomp", "oprd", "xcomp", "ccomp")
_SELF = {"i", "we"}
_OPAQUE = {"he", "she", "it", "they", "this", "that", "who", "which"}


def propositions(content: str, speaker_id: str | None, polarity: str, nlp: Any, registry: Any) -> set[tuple]:
    """(subject, verb lemma, object lemma, sign) of each verb in ``content`` that has both."""
    out: set[tuple] = set()
    doc = nlp(content)
    base = -1 if polarity == "denies" else 1
    for tok in doc:
        if tok.pos_ not in ("VERB", "AUX"):
            continue
        subj = next((c for c in tok.children if c.dep_ in _SUBJECTS), None)
        obj = next((c for c in tok.children if c.dep_ in _OBJECTS), None)
        if obj is None:
            prep = next((c for c in tok.children if c.dep_ == "prep"), None)
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if subj is None or obj is None:
            continue
        word = subj.lower_
        if word in _OPAQUE:
            continue
        if word in _SELF:
            key = speaker_id
        elif subj.pos_ == "PROPN":
            span = " ".join(t.text for t in subj.subtree if t.pos_ == "PROPN")
            found = registry.resolve(span)
            key = found.speaker_id if found is not None else span.lower()
        else:
            key = subj.lemma_.lower()
        if not key:
            continue
        negated = any(c.dep_ == "neg" for c in tok.children) or any(
            c.lower_ in ("no", "never", "nothing") for c in obj.children
        )
        sign = -base if negated else base
        out.add((key, tok.lemma_.lower(), obj.lemma_.lower(), sign))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=tuple(GOLDS))
    parser.add_argument(
        "--loose", action="store_true", help="match on (subject, verb) alone, whatever the object"
    )
    args = parser.parse_args(argv)
    shared = shared_dir()
    source, month = GOLDS[args.split]
    docs_path = shared / "data" / "attribution" / f"{source}.jsonl"
    gold_dir = shared / "data" / f"comparison-{args.split}"
    if not (docs_path.is_file() and gold_dir.is_dir()):
        print(f"skipped: {docs_path} or {gold_dir} not found (set FACTCHECK_SHARED_DIR)")
        return 0
    from pipeline.claims.nlp import load_nlp
    from pipeline.compare import canonical_speakers

    docs = [d for d in _jsonl(docs_path) if d["doc_id"].split("_")[1].startswith(month)]
    claims = extracted(docs, args.split, False)
    preds, _ = compare(docs, claims)
    _, registry = canonical_speakers([(claims.get(d["doc_id"], []), d["text"]) for d in docs])
    nlp = load_nlp()
    props = {
        p["claim_id"]: propositions(p["content"] or "", p["speaker_id"], p["polarity"], nlp, registry) for p in preds
    }
    if args.loose:
        props = {cid: {(s, v, "", sign) for s, v, _, sign in ps} for cid, ps in props.items()}

    def contradict(a: dict[str, Any], b: dict[str, Any]) -> bool:
        if a["doc_id"] == b["doc_id"] or (a["speaker_id"] and a["speaker_id"] == b["speaker_id"]):
            return False
        pa = {(s, v, o): sign for s, v, o, sign in props[a["claim_id"]]}
        return any(k in pa and pa[k] != sign for s, v, o, sign in props[b["claim_id"]] for k in [(s, v, o)])

    records = {r["id"]: r for r in _jsonl(gold_dir / "records.jsonl")}
    mapped = gold_to_claims(records, preds)
    pairs = [p for p in _jsonl(gold_dir / "pairs.jsonl") if p["a_id"] in mapped and p["b_id"] in mapped]
    found = defaultdict(int)
    total = defaultdict(int)
    for p in pairs:
        total[p["label"]] += 1
        found[p["label"]] += contradict(mapped[p["a_id"]], mapped[p["b_id"]])
    by_key: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for p in preds:
        for s, v, o, _ in props[p["claim_id"]]:
            by_key[(s, v, o)].append(p)
    flagged = {
        frozenset((a["claim_id"], b["claim_id"]))
        for group in by_key.values()
        for a, b in itertools.combinations(group, 2)
        if contradict(a, b)
    }
    n_props = sum(len(v) for v in props.values())
    name = f"{args.split}{' (loose)' if args.loose else ''}"
    print(f"{name}: {len(preds)} claims, {n_props} propositions, {len(pairs)} labelled pairs both extracted")
    for label in ("SAME_OPPOSITE", "SAME", "RELATED", "DIFFERENT"):
        print(f"  {label:14} flagged as contradictions: {found[label]} / {total[label]}")
    print(f"  pairs flagged in all (labelled or not): {len(flagged)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
