#!/usr/bin/env python3
"""Our lenient JSON-LD reader (``pipeline.parse.jsonld``) against extruct's and trafilatura's, on the dev pages.

Issue 14 asks to replace hand-written code by a well-kept library where the benchmarks show no
loss. For JSON-LD the candidates are extruct's ``JsonLdExtractor`` (extruct is not in the lock:
install it into a throwaway directory and pass ``--extruct-path``) and trafilatura's JSON-LD
metadata step (``trafilatura.metadata.extract_meta_json``, already installed). Over every page
of ``<shared>/data/extraction`` this counts:

* the ``ld+json`` blocks each reader decodes, and the blocks it loses (extruct raises on the first
  block it cannot decode, which loses every block of the page; per block is counted too);
* the article node's headline, ``datePublished`` and author each reader's nodes give (ours with
  ``article_node`` over both node lists, so that only the decoding differs);
* with ``--score``, the extraction figures with ``parse_article`` reading JSON-LD through extruct
  instead of ours (same scorer as ``benchmarks/extraction.py``), and the time each reader takes.

    PYTHONPATH=src python benchmarks/jsonld_compare.py --extruct-path DIR [--score]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import extraction_sets  # noqa: E402

import pipeline.parse as parse_pkg  # noqa: E402
from pipeline.parse import jsonld as ours  # noqa: E402

SETS = ["scrapinghub-aeb", "wcxb-articles-meta", "htmldate-mediacloud-2020", "trafilatura-eval-en-meta"]
FIELDS = ("headline", "datePublished", "author")


def _page_bytes(path: str) -> bytes:
    data = Path(path).read_bytes()
    return gzip.decompress(data) if path.endswith(".gz") else data


def _blocks(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [s for s in tree.iter("script") if "ld+json" in (s.get("type") or "").lower()]


def extruct_nodes(extractor: Any) -> Callable[[lxml.html.HtmlElement], list[dict[str, Any]]]:
    """A ``jsonld_nodes`` that decodes with extruct (a block it cannot decode is skipped, not fatal)."""

    def nodes(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for script in _blocks(tree):
            try:
                items = list(extractor._extract_items(script))
            except ValueError:
                continue
            for item in items:
                out.extend(ours._walk_ld(item))
        return out

    return nodes


def _field(node: dict[str, Any] | None, key: str) -> str:
    if not node:
        return ""
    value = node.get(key)
    if key == "author":
        values = value if isinstance(value, list) else [value]
        return "|".join(sorted(str(v.get("name") if isinstance(v, dict) else v) for v in values if v))
    return str(value or "")


def _trafilatura_fields(tree: lxml.html.HtmlElement) -> dict[str, str]:
    from trafilatura.metadata import extract_meta_json
    from trafilatura.settings import Document

    doc = extract_meta_json(tree, Document())
    return {"headline": doc.title or "", "author": doc.author or ""}


def compare(files: list[str], extractor: Any) -> dict[str, Any]:
    """Per-block and per-page counts of what each reader decodes (see the module docstring)."""
    counts: Counter[str] = Counter()
    differences: list[str] = []
    to_extruct = extruct_nodes(extractor)
    for path in files:
        tree = lxml.html.fromstring(_page_bytes(path))
        blocks = _blocks(tree)
        if not blocks:
            continue
        counts["pages with JSON-LD"] += 1
        counts["blocks"] += len(blocks)
        page_raises = False
        for script in blocks:
            raw = script.text or ""
            if ours._loads_lenient(raw) is None:
                counts["blocks ours cannot decode"] += 1
                if ours._rescue_fields(raw):
                    counts["of which fields rescued by pattern"] += 1
            try:
                list(extractor._extract_items(script))
            except ValueError:
                counts["blocks extruct cannot decode"] += 1
                page_raises = True
        counts["pages where extruct's extract() raises"] += page_raises
        mine = ours.article_node(ours.jsonld_nodes(tree))
        theirs = ours.article_node(to_extruct(tree))
        for key in FIELDS:
            a, b = _field(mine, key), _field(theirs, key)
            counts[f"{key}: ours"] += bool(a)
            counts[f"{key}: extruct"] += bool(b)
            if a != b:
                differences.append(f"{Path(path).name} {key}: ours {a[:60]!r} / extruct {b[:60]!r}")
        traf = _trafilatura_fields(tree)
        counts["author: trafilatura json_metadata"] += bool(traf["author"])
        counts["headline: trafilatura json_metadata"] += bool(traf["headline"])
    return {"counts": counts, "differences": differences}


def _timed(files: list[str], reader: Callable[[lxml.html.HtmlElement], Any]) -> float:
    trees = [lxml.html.fromstring(_page_bytes(p)) for p in files]
    start = time.process_time()
    for tree in trees:
        reader(tree)
    return time.process_time() - start


def score(scorer: Any, sets: dict[str, tuple[Path, list[str]]], reader: Callable[..., Any]) -> dict[str, Any]:
    """The scorer's figures per set with ``parse_article`` reading JSON-LD through ``reader``."""
    before = parse_pkg.jsonld_nodes
    parse_pkg.jsonld_nodes = reader  # type: ignore[attr-defined]
    try:
        out = {}
        for name, (folder, files) in sets.items():
            preds = {}
            for path in files:
                art = parse_pkg.parse_article(_page_bytes(path), url=Path(path).resolve().as_uri())
                preds[Path(path).name.removesuffix(".gz")] = {
                    "path": path, "text": art.text, "title": art.title, "authors": list(art.authors),
                    "published": art.published_at.isoformat() if art.published_at else None,
                }
            out[name] = scorer.score(str(folder), preds)
        return out
    finally:
        parse_pkg.jsonld_nodes = before  # type: ignore[attr-defined]


def _rows(pairs: Iterator[tuple[str, Any]]) -> str:
    return "\n".join(f"| {k} | {v} |" for k, v in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--extruct-path", type=Path, help="a directory holding extruct (pip install --target DIR extruct)"
    )
    parser.add_argument("--score", action="store_true", help="also score parse_article with extruct's reader")
    args = parser.parse_args(argv)
    if args.extruct_path:
        sys.path.append(str(args.extruct_path))  # after site-packages: the project's lxml is kept
    try:
        from extruct.jsonld import JsonLdExtractor
    except ImportError:
        print("skipped: extruct is not importable (pip install --target DIR extruct; --extruct-path DIR)")
        return 0
    found = extraction_sets(SETS)
    if found is None:
        return 0
    scorer, sets = found
    files = [f for _, names in sets.values() for f in names]
    extractor = JsonLdExtractor()
    result = compare(files, extractor)
    print(f"{len(files)} pages\n\n| count | pages or blocks |\n|---|---|")
    print(_rows(iter(sorted(result["counts"].items()))))
    print("\nArticle-node fields that differ:")
    print("\n".join(f"- {d}" for d in result["differences"]) or "- none")
    print(
        f"\nCPU s over all pages: ours {_timed(files, ours.jsonld_nodes):.2f}, "
        f"extruct {_timed(files, extruct_nodes(extractor)):.2f}"
    )
    if args.score:
        mine, theirs = score(scorer, sets, ours.jsonld_nodes), score(scorer, sets, extruct_nodes(extractor))
        print("\n| set | metric | ours | with extruct's JSON-LD |\n|---|---|---|---|")
        for name in sets:
            for metric in ("body_shingle_f1", "body_bow_f1", "title_acc", "author_acc", "date_acc"):
                if metric in mine[name]:
                    print(f"| {name} | {metric} | {mine[name][metric]:.3f} | {theirs[name][metric]:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
