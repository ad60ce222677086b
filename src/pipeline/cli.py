"""The ``factcheck`` command line: the only module that prints.

Subcommands keep stable forms because benchmarks and scorers depend on them:

    factcheck parse FILE... [--url URL]
    factcheck claims --input DOCS.jsonl --output CLAIMS.jsonl
    factcheck claims --text FILE
    factcheck run --sources FILE --db FILE [--allow-private-network]
    factcheck sql "SELECT ..." --db FILE
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _read_page(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data


def cmd_parse(args: argparse.Namespace) -> int:
    from pipeline.parse import parse_article

    if args.url and len(args.files) > 1:
        raise SystemExit("factcheck parse: --url names one page's address; give it with a single FILE")
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            data = _read_page(path)
        except (OSError, EOFError) as e:
            print(f"factcheck parse: cannot read {path}: {e}", file=sys.stderr)
            failed += 1
            continue
        url = args.url or path.resolve().as_uri()
        article = parse_article(data, url=url)
        row = {
            "path": str(path),
            "url": article.url,
            "canonical_url": article.canonical_url,
            "title": article.title,
            "authors": list(article.authors),
            "published": article.published_at.isoformat() if article.published_at else None,
            "language": article.language,
            "text": article.text,
            "is_article": article.is_article,
            "not_article_reason": article.not_article_reason,
        }
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 1 if failed else 0


def _read_docs(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"factcheck claims: {path}:{n} is not JSON ({e})") from e
            if not isinstance(doc, dict) or "text" not in doc or "id" not in doc:
                raise SystemExit(f'factcheck claims: {path}:{n} needs the keys "id" and "text"')
            yield doc


def _claim_row(claim: Any) -> dict[str, Any]:
    return claim.to_dict()


def cmd_claims(args: argparse.Namespace) -> int:
    from pipeline.claims import extract_claims, extract_many, load_nlp

    nlp = load_nlp(args.model)
    if args.text:
        text = Path(args.text).read_text(encoding="utf-8")
        for i, claim in enumerate(extract_claims(text, nlp=nlp), 1):
            speaker = claim.speaker or "?"
            if claim.speaker_resolved and claim.speaker_resolved != claim.speaker:
                speaker += f" (= {claim.speaker_resolved})"
            cue = claim.cue or "-"
            print(f"{i:3d}. [{claim.kind}, {claim.polarity}] {speaker} -- {cue} --> {claim.content}")
        return 0
    if not (args.input and args.output):
        raise SystemExit(
            "factcheck claims: give --input DOCS.jsonl and --output CLAIMS.jsonl, or --text FILE"
        )
    docs = list(_read_docs(Path(args.input)))
    progress = _progress(len(docs), "claims", args.quiet)
    with Path(args.output).open("w", encoding="utf-8") as out:
        for doc, claims in zip(docs, extract_many((d["text"] for d in docs), nlp=nlp), strict=True):
            row = {"id": doc["id"], "claims": [_claim_row(c) for c in claims]}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            progress.update(1)
    progress.close()
    return 0


def _progress(total: int | None, desc: str, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="doc", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="factcheck", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and skipped documents")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="extract article text and metadata from saved HTML pages")
    p.add_argument("files", nargs="+", metavar="FILE", help=".html or .html.gz")
    p.add_argument("--url", help="the address the page was fetched from (one FILE only)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("claims", help="extract attributed claims from texts")
    p.add_argument("--input", help='JSON lines with "id" and "text"')
    p.add_argument("--output", help="JSON lines with the claims of each input line")
    p.add_argument("--text", help="a plain-text article: print its claims readably")
    p.add_argument("--model", help="spaCy model name (default: the FACTCHECK_SPACY_MODEL setting)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_claims)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
