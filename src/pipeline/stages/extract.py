"""The extract stage: an outlet's parsed articles -> attributed claims (pure, spaCy)."""

from __future__ import annotations

import logging
from typing import Any

from pipeline.records import Claim, FetchResult, sha256_hex
from pipeline.settings import Settings
from pipeline.stages.common import Progress, log_summary, no_progress
from pipeline.staging import RunPaths, read_articles, result_row, write_jsonl

log = logging.getLogger(__name__)


def claim_id(article_id: str, claim: Claim, version: str) -> str:
    """A stable claim id: a hash of the article id, the content offsets and the extractor version."""
    return sha256_hex(f"{article_id}|{claim.content_start}|{claim.content_end}|{version}")[:32]


def extract(settings: Settings, run_id: str, outlet_name: str, progress: Progress = no_progress) -> str:
    """Extract the claims of the outlet's parsed articles (English only; others are kept, without claims).

    An article the claim rules fail on is stored without claims, and its failure is a record of
    the extract log (stage 'extract', with the reason) that the load counts and writes to
    ``fetch_log``, as the parse stage does for pages that are not articles. The spaCy model is
    ``settings.spacy_model``.
    """
    from pipeline.claims import EXTRACTOR_VERSION, ExtractionError, extract_many, load_nlp

    paths = RunPaths(settings, run_id)
    articles = [staged.article for staged in read_articles(paths.stage_file("parse", outlet_name))]
    english = []
    for a in articles:
        if (a.language or "en").startswith("en"):
            english.append(a)
        else:
            log.info("%s: language %s has no claim model; stored without claims", a.url, a.language)
    out_rows: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    failures: dict[int, ExtractionError] = {}
    if english:
        nlp = load_nlp(settings.spacy_model)
        texts = (a.text for a in english)
        for i, (article, claims) in enumerate(
            zip(english, extract_many(texts, nlp=nlp, on_error=failures.__setitem__), strict=True), 1
        ):
            error = failures.get(i - 1)
            if error is not None:
                log.error("%s: claim extraction failed, stored without claims: %s", article.url, error)
            result = FetchResult(article.url, outlet_name, "article", error is None,
                                 reason=f"claim extraction failed: {error}" if error else None,
                                 archive_ref=article.raw_ref)  # fmt: skip
            log_rows.append(result_row(result, "extract"))
            for claim in claims:
                row = claim.to_dict()
                row.update(
                    claim_id=claim_id(article.article_id, claim, EXTRACTOR_VERSION),
                    article_id=article.article_id,
                    extractor_version=EXTRACTOR_VERSION,
                )
                out_rows.append(row)
            progress("extract", outlet_name, i)
    if failures:
        log.error("%s: claim extraction failed on %d of %d articles", outlet_name, len(failures), len(english))
    write_jsonl(paths.log_file("extract", outlet_name), log_rows)
    with_claims = len({row["article_id"] for row in out_rows})
    counts = {
        "articles": len(articles),
        "english": len(english),
        "with_claims": with_claims,
        "claims": len(out_rows),
        "failed": len(failures),
        "no_claim_model": len(articles) - len(english),
    }
    log_summary("extract", outlet_name, counts)
    return str(write_jsonl(paths.stage_file("extract", outlet_name), out_rows))
