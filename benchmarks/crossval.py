"""Cross-validation by site for ``benchmarks/extraction.py --cv K``: what the parse rules are worth
on pages they were not written for.

Most of the parser's rules are written by hand, each while looking at some dev pages. The honest
held-out figure for such a rule is the figure on sites that did not motivate it. So:

1. every page of every set is parsed with all rules on (the dev figure) and, for each named rule of
   ``pipeline.parse.rules.RULES``, with that rule off; the pages whose score the rule raises are its
   *support*, and the sites (host of the page's address) of those pages its supporting sites;
2. the sites of each set are split into K folds (a stable hash of the host name);
3. for each fold, every rule whose supporting sites all lie in that fold is switched off, since
   nothing outside the fold would have led anyone to write it, and the fold's pages are parsed
   again; the cross-validated figure scores each page as parsed for its own fold.

A rule supported by a single site is a fit: the report lists it with the pages it helps and hurts.
Authors are also scored for precision here (``author_precision``: of the names we return on pages
whose authors are annotated, the share that are right; an empty list costs nothing).
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from pipeline.parse import parse_article
from pipeline.parse import rules as parse_rules

Row = dict[str, Any]
METRICS = (
    "body_shingle_f1", "body_bow_f1", "snippets_with", "snippets_without",
    "title_acc", "author_acc", "author_precision", "date_acc",
)
_WORD = re.compile(r"\w+", re.UNICODE)
_GT_NAME_SPLIT = re.compile(r"\s*(?:;|,| and | & |\|)\s*")


def _norm(s: str | None) -> str:
    return " ".join(_WORD.findall((s or "").lower()))


def file_key(path: str) -> str:
    """The scorer's key for a page file: its name without ``.gz``."""
    name = Path(path).name
    return name[:-3] if name.endswith(".gz") else name


def site_of(url: str | None, key: str) -> str:
    """The site of a page: the host of its address without ``www.``, else the file name's first part."""
    host = urlsplit(url or "").hostname or ""
    if not host:
        host = key.split("-", 1)[0].split(".html", 1)[0]
    return host.lower().removeprefix("www.")


def fold_of(site: str, k: int) -> int:
    """A stable fold number for a site (the same on every run and machine)."""
    return zlib.crc32(site.encode("utf-8")) % k


def parse_row(path: str) -> Row:
    """``factcheck parse``'s output fields for one page file, parsed in this process."""
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    article = parse_article(data, url=Path(path).resolve().as_uri())
    return {
        "path": path,
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published_at.isoformat() if article.published_at else None,
        "modified": article.modified_at.isoformat() if article.modified_at else None,
        "text": article.text,
    }


def author_precision(gt: dict[str, dict[str, Any]], preds: dict[str, Row], scorer: ModuleType) -> float | None:
    """Of the author names returned on pages with annotated authors, the share that name an annotated
    author (either holds the other once normalised: "Jane Doe" for "Jane Doe, MD"). None when no
    name is returned at all."""
    right = total = 0
    for key, g in gt.items():
        if not g.get("author"):
            continue
        p = preds.get(scorer._file_of(key, g), {})
        gold_raw = g["author"] if isinstance(g["author"], list) else [g["author"]]
        gold = [_norm(a) for a in gold_raw]
        gold += [_norm(n) for a in gold_raw for n in _GT_NAME_SPLIT.split(a) if len(_norm(n)) > 3]
        for name in p.get("authors") or []:
            n = _norm(name)
            total += 1
            right += bool(n) and any(n in gname or (gname and gname in n) for gname in gold)
    return round(right / total, 4) if total else None


class Scorer:
    """The shared scorer over subsets of one set's pages, plus author precision."""

    def __init__(self, scorer: ModuleType, folder: Path, tmp: Path) -> None:
        self.scorer = scorer
        self.gt: dict[str, dict[str, Any]] = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        self.tmp = tmp
        self._dirs: dict[frozenset[str], Path] = {}

    def files(self) -> dict[str, str]:
        """Ground-truth key -> page file key."""
        return {k: self.scorer._file_of(k, g) for k, g in self.gt.items()}

    def score(self, preds: dict[str, Row], keys: Iterable[str] | None = None) -> dict[str, float]:
        """The scorer's figures over the pages ``keys`` (ground-truth keys; all when None)."""
        subset = frozenset(self.gt if keys is None else keys)
        folder = self._dirs.get(subset)
        if folder is None:
            folder = self.tmp / f"gt{len(self._dirs)}"
            folder.mkdir()
            gt = {k: self.gt[k] for k in subset}
            (folder / "ground-truth.json").write_text(json.dumps(gt), encoding="utf-8")
            self._dirs[subset] = folder
        out = dict(self.scorer.score(str(folder), preds))
        precision = author_precision({k: self.gt[k] for k in subset}, preds, self.scorer)
        if precision is not None:
            out["author_precision"] = precision
        return out


def _page_figures(sc: Scorer, preds: dict[str, Row], key: str) -> dict[str, float]:
    figures = sc.score(preds, [key])
    if "author_precision" not in figures and sc.gt[key].get("author"):
        figures["author_precision"] = 1.0  # no name returned: no wrong name (so dropping one counts)
    return {m: figures[m] for m in METRICS if m in figures}


def cross_validate(
    scorer: ModuleType,
    sets: dict[str, tuple[Path, list[str]]],
    k: int,
    progress: Callable[[str], None] = lambda s: None,
) -> dict[str, Any]:
    """Dev and cross-validated figures per set, and each rule's support (see the module docstring)."""
    files = [f for _, names in sets.values() for f in names]
    by_key = {file_key(f): f for f in files}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        scorers = {name: Scorer(scorer, folder, tmp / name) for name, (folder, _) in sets.items()}
        for name in sets:
            (tmp / name).mkdir()
        site: dict[str, str] = {}  # file key -> site
        owner: dict[str, tuple[str, str]] = {}  # file key -> (set, ground-truth key)
        for name, sc in scorers.items():
            for gkey, fkey in sc.files().items():
                # mediacloud's ground truth is keyed by the page's address
                url = sc.gt[gkey].get("url") or (gkey if gkey.startswith("http") else None)
                site[fkey] = site_of(url, fkey)
                owner[fkey] = (name, gkey)

        progress(f"dev pass over {len(files)} pages")
        dev: dict[str, Row] = {}
        acted: dict[str, set[str]] = {}  # file key -> the rules that changed something on it
        for f in files:
            with parse_rules.recording() as used:
                dev[file_key(f)] = parse_row(f)
            acted[file_key(f)] = set(used)
        per_page: dict[str, dict[str, float]] = {
            fkey: _page_figures(scorers[s], dev, g) for fkey, (s, g) in owner.items() if fkey in dev
        }

        support: dict[str, dict[str, list[str]]] = {}
        for rule in parse_rules.RULES:
            progress(f"without {rule}")
            helped: list[str] = []
            hurt: list[str] = []
            with parse_rules.disabled([rule]):
                for fkey, path in by_key.items():
                    if rule not in acted[fkey]:
                        continue  # the rule did nothing on this page: switching it off changes nothing
                    row = parse_row(path)
                    if all(row.get(f) == dev[fkey].get(f) for f in ("title", "authors", "published", "text")):
                        continue
                    s, g = owner[fkey]
                    without = _page_figures(scorers[s], {fkey: row}, g)
                    delta = sum(per_page[fkey].get(m, 0.0) - without.get(m, 0.0) for m in METRICS)
                    if delta > 0.005:
                        helped.append(fkey)
                    elif delta < -0.005:
                        hurt.append(fkey)
            support[rule] = {
                "acted": sum(rule in a for a in acted.values()),
                "helped": helped,
                "hurt": hurt,
                "sites": sorted({site[f] for f in helped}),
            }

        folds: dict[int, set[str]] = defaultdict(set)
        for s in set(site.values()):
            folds[fold_of(s, k)].add(s)
        off_in_fold: dict[int, list[str]] = {}
        for f, sites_in in sorted(folds.items()):
            off_in_fold[f] = [r for r, sup in support.items() if sup["sites"] and set(sup["sites"]) <= sites_in]
        cv: dict[str, Row] = {}
        for f, rules_off in sorted(off_in_fold.items()):
            keys = [fkey for fkey in dev if fold_of(site[fkey], k) == f]
            cv.update({fkey: dev[fkey] for fkey in keys})
            keys = [fkey for fkey in keys if acted[fkey] & set(rules_off)]
            if not keys:
                continue
            progress(f"fold {f}: {len(keys)} pages without {', '.join(rules_off)}")
            with parse_rules.disabled(rules_off):
                cv.update({fkey: parse_row(by_key[fkey]) for fkey in keys})

        figures: dict[str, dict[str, Any]] = {}
        misses: dict[str, list[str]] = {}
        for name, sc in scorers.items():
            fold_figures = {}
            for f in sorted(folds):
                keys = [g for g, fkey in sc.files().items() if fold_of(site[fkey], k) == f]
                if keys:
                    fold_figures[f] = {"pages": len(keys), "dev": sc.score(dev, keys), "cv": sc.score(cv, keys)}
            figures[name] = {"dev": sc.score(dev), "cv": sc.score(cv), "folds": fold_figures}
            misses[name] = _misses(sc, cv)
    return {"figures": figures, "support": support, "off_in_fold": off_in_fold, "k": k, "misses": misses}


def _misses(sc: Scorer, preds: dict[str, Row]) -> list[str]:
    """One line per page whose author or date the scorer counts wrong: what the gold says, what we give."""
    out = []
    for gkey, fkey in sorted(sc.files().items()):
        g, p = sc.gt[gkey], preds.get(fkey, {})
        figures = _page_figures(sc, preds, gkey)
        if figures.get("author_acc", 1.0) < 1.0:
            out.append(f"{fkey} author: gold {g.get('author')!r}, ours {p.get('authors')!r}")
        if figures.get("date_acc", 1.0) < 1.0:
            gold = g.get("publish_date") or g.get("date")
            out.append(f"{fkey} date: gold {gold}, ours {p.get('published')} (modified {p.get('modified')})")
    return out


def rules_table(result: dict[str, Any]) -> str:
    """Markdown: each rule, the pages it helps and hurts, and whether one site alone supports it."""
    lines = [
        "| rule | pages it acts on | helped | hurt | supporting sites | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for rule, sup in result["support"].items():
        n_sites = len(sup["sites"])
        if not sup["helped"] and not sup["hurt"]:
            verdict = "no effect"
        elif len(sup["hurt"]) >= len(sup["helped"]):
            verdict = "harmful"
        else:
            verdict = "single site: a fit" if n_sites == 1 else "general"
        shown = ", ".join(sup["sites"][:4]) + (" ..." if n_sites > 4 else "")
        counts = f"{sup['acted']} | {len(sup['helped'])} | {len(sup['hurt'])}"
        lines.append(f"| `{rule}` | {counts} | {n_sites}: {shown} | {verdict} |")
    return "\n".join(lines)
