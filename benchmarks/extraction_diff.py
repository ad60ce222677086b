#!/usr/bin/env python3
"""What a parser change does to every page, read without labels: a revision diff and an audit.

Two parts, over every page of every set under ``<shared>/data/extraction`` (or ``--sets``):

* **diff**: ``factcheck parse`` as of a git revision (``--before``, default ``HEAD``; its ``src/`` is
  unpacked with ``git archive`` into a temporary folder) and as of the working tree (``--after``,
  default the working tree, or another revision) over the same pages; every page whose body, title,
  authors or date changed is listed with the value (or, for the body, the length) before and after
  and trafilatura's beside it. A body that shrinks to under half of what it was is a **collapse**:
  listed first, and the exit status is 1 when there is one (``--allow-collapse`` to only report).
* **audit**: the ``--after`` parse against trafilatura alone on the same pages: each page whose body
  is under a third or over three times trafilatura's length, or whose authors share no word with
  trafilatura's (both non-empty), is listed for reading.

No label is needed for either. Where the page's set has a gold body or author the line also shows
the per-page bag-of-words F1 (ours before, ours after, trafilatura) or which side names the gold
author, to help the reading; the decision of what to fix is made by reading the pages.

Parsed outputs are cached under the system temporary folder keyed by the source tree's content (a
git tree hash, or a hash of the working tree's ``src/pipeline`` files) and the page list, so a second
run re-parses only what changed. One process per revision, one core: keep runs targeted.

    python benchmarks/extraction_diff.py [--before REV] [--after REV] [--sets NAME ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, extraction_sets, shared_dir  # noqa: E402

WORKTREE = "worktree"
COLLAPSE = 0.5  # a body under this share of its former length has collapsed
AUDIT_RATIO = 3.0  # our body under 1/3 or over 3x trafilatura's is listed for reading
FIELDS = ("text", "title", "authors", "published")
_WORD = re.compile(r"\w+", re.UNICODE)

Row = dict[str, Any]


def _cache_dir() -> Path:
    path = Path(os.environ.get("FACTCHECK_DIFF_CACHE") or Path(tempfile.gettempdir()) / "factcheck-extraction-diff")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def _worktree_hash() -> str:
    """A hash of the working tree's parser sources (every file under src/pipeline)."""
    h = hashlib.sha256()
    for path in sorted((REPO / "src" / "pipeline").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(REPO)).encode())
            h.update(path.read_bytes())
    return "wt-" + h.hexdigest()[:16]


def _pages_hash(files: list[str]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.encode())
        h.update(str(Path(f).stat().st_size).encode())
    return h.hexdigest()[:12]


def _unpack(rev: str, into: Path) -> Path:
    """The ``src`` folder of git revision ``rev``, unpacked under ``into``."""
    data = subprocess.run(["git", "archive", rev, "src"], cwd=REPO, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _run_parse(src: Path, files: list[str], out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(src))
    with out.open("w", encoding="utf-8") as fh:
        cmd = [sys.executable, "-m", "pipeline.cli", "parse", *files]
        subprocess.run(cmd, stdout=fh, env=env, check=True, cwd=REPO)


def _load(path: Path) -> dict[str, Row]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["path"]] = row
    return rows


def parsed(rev: str, files: list[str], progress: bool = True) -> tuple[str, dict[str, Row]]:
    """``(label, rows by page path)``: ``factcheck parse`` as of ``rev`` (or the working tree)."""
    if rev == WORKTREE:
        key, label = _worktree_hash(), "working tree"
    else:
        sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
        key, label = "git-" + _git("rev-parse", f"{sha}:src"), f"{rev} ({sha[:8]})"
    cached = _cache_dir() / f"{key}-{_pages_hash(files)}.jsonl"
    if not cached.exists():
        if progress:
            print(f"parsing {len(files)} pages as of {label} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            src = REPO / "src" if rev == WORKTREE else _unpack(sha, Path(tmp))
            part = Path(tmp) / "out.jsonl"
            _run_parse(src, files, part)
            part.replace(cached)
    return label, _load(cached)


def trafilatura_rows(files: list[str]) -> dict[str, Row]:
    """trafilatura alone over ``files`` (``extraction.py --trafilatura-child``), cached by its version."""
    from importlib.metadata import version

    cached = _cache_dir() / f"trafilatura-{version('trafilatura')}-{_pages_hash(files)}.jsonl"
    if not cached.exists():
        print(f"trafilatura over {len(files)} pages ...", file=sys.stderr, flush=True)
        part = cached.with_suffix(".part")
        with part.open("w", encoding="utf-8") as fh:
            cmd = [sys.executable, str(REPO / "benchmarks" / "extraction.py"), "--trafilatura-child", *files]
            subprocess.run(cmd, stdout=fh, check=True, cwd=REPO)
        part.replace(cached)
    return _load(cached)


def _words(s: str | None) -> list[str]:
    return _WORD.findall((s or "").lower())


def _bow_f1(gold: str, text: str) -> float:
    from collections import Counter

    g, p = Counter(_words(gold)), Counter(_words(text))
    tp = sum((g & p).values())
    if not tp:
        return 0.0
    prec, rec = tp / sum(p.values()), tp / sum(g.values())
    return 2 * prec * rec / (prec + rec)


class Gold:
    """Per-page gold where a set has it: body and author, keyed by page path."""

    def __init__(self, sets: dict[str, tuple[Path, list[str]]], scorer: Any) -> None:
        self.body: dict[str, str] = {}
        self.author: dict[str, str] = {}
        self.set_of: dict[str, str] = {}
        for name, (folder, files) in sets.items():
            gt = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
            by_file = {scorer._file_of(k, g): g for k, g in gt.items()}
            for f in files:
                self.set_of[f] = name
                g = by_file.get(scorer._key(f), {})
                if g.get("articleBody"):
                    self.body[f] = g["articleBody"]
                author = g.get("author")
                if author:
                    self.author[f] = "; ".join(author) if isinstance(author, list) else str(author)

    def body_f1(self, path: str, *texts: str) -> str:
        gold = self.body.get(path)
        if gold is None:
            return ""
        return " (gold F1 " + " / ".join(f"{_bow_f1(gold, t):.2f}" for t in texts) + ")"

    def author_note(self, path: str, **sides: list[str]) -> str:
        gold = self.author.get(path)
        if gold is None:
            return ""
        gwords = set(_words(gold))
        right = [name for name, names in sides.items() if gwords and gwords <= set(_words(" ".join(names)))]
        return f" (gold names all: {', '.join(right) or 'neither'})"


def _short(v: Any, n: int = 70) -> str:
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[: n - 3] + "..."


def _label(path: str, gold: Gold) -> str:
    name = Path(path).name.removesuffix(".gz")
    return f"{gold.set_of.get(path, '?')}/{name}"


def diff_lines(
    before: dict[str, Row], after: dict[str, Row], traf: dict[str, Row], gold: Gold
) -> tuple[list[str], int]:
    """The changed pages, collapses first: ``(lines, collapses)``."""
    collapses: list[str] = []
    others: list[str] = []
    counts = dict.fromkeys(FIELDS, 0)
    for path in sorted(after):
        b, a, t = before.get(path, {}), after[path], traf.get(path, {})
        label = _label(path, gold)
        for field in FIELDS:
            if b.get(field) == a.get(field):
                continue
            counts[field] += 1
            if field == "text":
                lb, la, lt = len(b.get("text") or ""), len(a.get("text") or ""), len(t.get("text") or "")
                note = gold.body_f1(path, b.get("text") or "", a.get("text") or "", t.get("text") or "")
                line = f"{label} body: {lb} -> {la} chars, trafilatura {lt}{note}"
                if lb and la < COLLAPSE * lb:
                    collapses.append("COLLAPSE " + line)
                else:
                    others.append(line)
            elif field == "authors":
                note = gold.author_note(path, before=b.get("authors") or [], after=a.get("authors") or [],
                                        trafilatura=t.get("authors") or [])
                others.append(f"{label} authors: {_short(b.get('authors'))} -> {_short(a.get('authors'))}, "
                              f"trafilatura {_short(t.get('authors'))}{note}")
            else:
                tv = t.get(field)
                others.append(f"{label} {field}: {_short(b.get(field))} -> {_short(a.get(field))}, "
                              f"trafilatura {_short(tv)}")
    head = "changed pages: " + ", ".join(f"{'body' if f == 'text' else f} {n}" for f, n in counts.items())
    return [head, *collapses, *others], len(collapses)


def audit_lines(ours: dict[str, Row], traf: dict[str, Row], gold: Gold) -> list[str]:
    """The pages where our parse and trafilatura's disagree a lot: body length or author words."""
    body: list[str] = []
    author: list[str] = []
    for path in sorted(ours):
        o, t = ours[path], traf.get(path, {})
        label = _label(path, gold)
        lo, lt = len(o.get("text") or ""), len(t.get("text") or "")
        if (lt and lo < lt / AUDIT_RATIO) or (lo and lo > AUDIT_RATIO * lt):
            note = gold.body_f1(path, o.get("text") or "", t.get("text") or "")
            body.append(f"{label} body: ours {lo} chars, trafilatura {lt}{note}")
        oa, ta = o.get("authors") or [], t.get("authors") or []
        if oa and ta and not set(_words(" ".join(oa))) & set(_words(" ".join(ta))):
            note = gold.author_note(path, ours=oa, trafilatura=ta)
            author.append(f"{label} authors: ours {_short(oa)}, trafilatura {_short(ta)}{note}")
    return [
        f"audit: {len(body)} pages with a body under 1/{AUDIT_RATIO:g} or over {AUDIT_RATIO:g}x trafilatura's; "
        f"{len(author)} with authors sharing no word with trafilatura's",
        *body,
        *author,
    ]


def _all_sets() -> list[str]:
    root = shared_dir() / "data" / "extraction"
    return sorted(p.name for p in root.iterdir() if (p / "ground-truth.json").exists()) if root.exists() else []


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="git revision to compare from (default HEAD)")
    parser.add_argument("--after", default=WORKTREE, help=f"git revision to compare to (default: the {WORKTREE})")
    parser.add_argument("--sets", nargs="*", help="data set names (default: every set under shared/data/extraction)")
    parser.add_argument("--no-diff", action="store_true", help="only the audit of --after against trafilatura")
    parser.add_argument("--allow-collapse", action="store_true", help="exit 0 even when a body collapses")
    parser.add_argument("--out", type=Path, help="also write the listing to this file")
    args = parser.parse_args(list(argv) if argv is not None else None)

    found = extraction_sets(args.sets if args.sets else _all_sets())
    if found is None:
        return 0
    scorer, sets = found
    files = [f for _, names in sets.values() for f in names]
    if not files:
        print("no data set found: nothing compared")
        return 0
    gold = Gold(sets, scorer)
    traf = trafilatura_rows(files)
    after_label, after = parsed(args.after, files)
    lines = [f"{len(files)} pages of {', '.join(sets)}"]
    collapses = 0
    if not args.no_diff:
        before_label, before = parsed(args.before, files)
        lines.append(f"\n## diff: {before_label} -> {after_label}")
        lines.append("(body lines: chars before -> after, trafilatura's; gold F1 before / after / trafilatura)")
        changed, collapses = diff_lines(before, after, traf, gold)
        lines += changed
    lines.append(f"\n## audit: {after_label} against trafilatura")
    lines.append("(gold F1 ours / trafilatura where the set has a body)")
    lines += audit_lines(after, traf, gold)
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    if collapses and not args.allow_collapse:
        print(f"\n{collapses} bodies collapsed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
