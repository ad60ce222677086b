"""Synthetic staged runs: many outlets' staging files written the way the stages write them.

The durability and concurrency tests need loads of many batches, far more than the sample newsroom
gives, without spending minutes in spaCy; these files have the same columns and keys as real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from pipeline.records import Article, Claim, FetchResult, StagedArticle
from pipeline.runner import claim_id
from pipeline.settings import Settings
from pipeline.staging import RunPaths, result_row, write_jsonl

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VERSION = "synthetic-1"


@dataclass(frozen=True)
class StagedRun:
    run_id: str
    sources: Path
    outlets: list[str]
    articles_per_outlet: int
    claims_per_article: int

    @property
    def n_articles(self) -> int:
        return len(self.outlets) * self.articles_per_outlet

    @property
    def n_claims(self) -> int:
        return self.n_articles * self.claims_per_article


def outlet_name(i: int) -> str:
    return f"Synthetic Outlet {i:03d}"


def write_sources(path: Path, n_outlets: int) -> Path:
    outlets = [{"name": outlet_name(i), "urls": [f"https://outlet{i}.example/"]} for i in range(n_outlets)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"outlets": outlets}), encoding="utf-8")
    return path


def stage_run(
    settings: Settings,
    run_id: str,
    sources: Path,
    n_outlets: int,
    articles_per_outlet: int,
    claims_per_article: int = 2,
    padding: int = 400,
) -> StagedRun:
    """Write discover/fetch/parse logs, parse (articles) and extract (claims) files for every outlet."""
    paths = RunPaths(settings, run_id)
    names = [outlet_name(i) for i in range(n_outlets)]
    for o, name in enumerate(names):
        articles, claims, logs = [], [], []
        for a in range(articles_per_outlet):
            url = f"https://outlet{o}.example/story/{a}"
            sentences = [f"Speaker {o}-{a}-{c} said that claim number {c} holds." for c in range(claims_per_article)]
            text = " ".join(sentences) + " " + ("Filler words. " * (padding // 14))
            article = Article(url, url, name, f"Story {a}", ("A. Writer",), T0 + timedelta(minutes=a), "en", text)
            articles.append(StagedArticle(article, fetched_at=T0.isoformat()).to_dict())
            for c, sentence in enumerate(sentences):
                start = text.index(sentence)
                content = f"claim number {c} holds"
                cs = text.index(content, start)
                claim = Claim("indirect", content, cs, cs + len(content), f"Speaker {o}-{a}-{c}", start,
                              start + len(f"Speaker {o}-{a}-{c}"), cue="said")
                crow = claim.to_dict()
                crow.update(claim_id=claim_id(article.article_id, claim, VERSION), article_id=article.article_id,
                            extractor_version=VERSION)
                claims.append(crow)
            logs.append(result_row(FetchResult(url, name, "article", True, 200, attempts=1, started_at=T0), "fetch"))
        write_jsonl(paths.log_file("fetch", name), logs)
        write_jsonl(paths.stage_file("parse", name), articles)
        write_jsonl(paths.stage_file("extract", name), claims)
    return StagedRun(run_id, sources, names, articles_per_outlet, claims_per_article)
