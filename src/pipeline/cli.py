"""The ``factcheck`` command line: the only module that prints.

Subcommands keep stable forms because benchmarks and scorers depend on them:

    factcheck parse FILE... [--url URL]
    factcheck claims --input DOCS.jsonl --output CLAIMS.jsonl
    factcheck claims --text FILE
    factcheck run --sources FILE --db FILE [--allow-private-network] [--refetch]
    factcheck reprocess --db FILE [--data-dir DIR]
    factcheck sql "SELECT ..." --db FILE
    factcheck load --run-id RUN [--sources FILE] [--db FILE] [--staging-url URL]
    factcheck backup --db FILE --to FILE
    factcheck compare --db FILE [--aliases FILE] [--respeak]
    factcheck export --db FILE --to DIR [--cluster ID]
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

from pipeline.controls import escape_controls, escape_json_line
from pipeline.settings import COMPARE_METHODS

log = logging.getLogger(__name__)


def _read_page(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data


def cmd_parse(args: argparse.Namespace) -> int:
    """Print each saved page's parsed article as one JSON line; return 1 if any file could not be read."""
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
            "modified": article.modified_at.isoformat() if article.modified_at else None,
            "language": article.language,
            "text": article.text,
            "is_article": article.is_article,
            "not_article_reason": article.not_article_reason,
        }
        sys.stdout.write(escape_json_line(json.dumps(row, ensure_ascii=False)) + "\n")
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
    """Print the claims of one text file, or write each input document's claims as JSON lines."""
    from pipeline.claims import extract_claims, extract_many, load_nlp

    nlp = load_nlp(args.model or _settings(args).spacy_model)
    if args.text:
        text = Path(args.text).read_text(encoding="utf-8")
        for i, claim in enumerate(extract_claims(text, nlp=nlp), 1):
            speaker = claim.speaker or "?"
            if claim.speaker_resolved and claim.speaker_resolved != claim.speaker:
                speaker += f" (= {claim.speaker_resolved})"
            cue = claim.cue or "-"
            line = f"{i:3d}. [{claim.kind}, {claim.polarity}] {speaker} -- {cue} --> {claim.content}"
            print(escape_controls(line))
        return 0
    if not (args.input and args.output):
        raise SystemExit(
            "factcheck claims: give --input DOCS.jsonl and --output CLAIMS.jsonl, or --text FILE"
        )
    docs = list(_read_docs(Path(args.input)))
    progress = _progress(len(docs), "claims", args.quiet)
    failures: dict[int, Exception] = {}
    texts = (d["text"] for d in docs)
    with Path(args.output).open("w", encoding="utf-8") as out:
        for i, (doc, claims) in enumerate(
            zip(docs, extract_many(texts, nlp=nlp, on_error=failures.__setitem__), strict=True)
        ):
            row: dict[str, Any] = {"id": doc["id"], "claims": [_claim_row(c) for c in claims]}
            if i in failures:
                row["error"] = str(failures[i])
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            progress.update(1)
    progress.close()
    if failures:
        ids = ", ".join(str(docs[i]["id"]) for i in sorted(failures)[:10])
        print(escape_controls(f"factcheck claims: extraction failed on {len(failures)} of {len(docs)} documents "
                              f"(ids {ids}{', ...' if len(failures) > 10 else ''}); their rows carry \"error\""),
              file=sys.stderr)  # fmt: skip
    return 0  # every row is written; benchmarks read the file whole, the failures are named above


def _progress(total: int | None, desc: str, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="doc", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)


def _settings(args: argparse.Namespace, **extra: Any) -> Any:
    """Settings from the environment, overridden by whichever of --sources/--db/--data-dir were given."""
    from pipeline.settings import Settings

    paths = {"sources_path": "sources", "db_path": "db", "data_dir": "data_dir"}
    overrides: dict[str, Any] = {f: Path(getattr(args, a)) for f, a in paths.items() if getattr(args, a, None)}
    overrides.update(extra)
    return Settings.from_env(None, **overrides)


def _with_progress(label: str, quiet: bool, work: Any) -> Any:
    """Run ``work(progress)`` under a progress bar (shown only on a terminal)."""
    bar = _progress(None, label, quiet)

    def progress(stage: str, outlet: str, n: int) -> None:
        """Advance the progress bar by one and show the stage and outlet."""
        bar.set_description(escape_controls(f"{stage} {outlet}")[:40])
        bar.update(1)

    try:
        return work(progress)
    finally:
        bar.close()


def cmd_run(args: argparse.Namespace) -> int:
    """Run the whole pipeline in this process, then print the run totals and a comparison summary."""
    from datetime import UTC, datetime

    from pipeline import runner

    settings = _settings(
        args,
        allow_private_network=True if args.allow_private_network else None,
        refetch=True if args.refetch else None,
    )
    run_id = args.run_id or "cli__" + datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    totals = _with_progress("run", args.quiet, lambda progress: runner.run_all(settings, run_id, progress))
    print(
        f"run {run_id}: {totals['outlets']} outlets, {totals['articles']} articles, "
        f"{totals['claims']} claims, {totals['failures']} failed fetches, pages or extractions "
        f"({totals['extract_failures']} claim extractions) -> {settings.database}"
    )
    print(_compare_summary(runner.compare(settings)))
    return _skipped_outlets_status(totals, settings.database)


def _skipped_outlets_status(totals: dict[str, int], database: Path) -> int:
    """Exit status 1 when an outlet did not load (its reasons are in ``fetch_log``), so a script or a
    scheduler never takes a run that skipped outlets for a good one; the other outlets stay loaded.
    The command it prints names the database, so it runs as printed from any folder."""
    import shlex

    skipped = totals.get("skipped_outlets", 0)
    if skipped:
        from pipeline import store

        why = shlex.join(["factcheck", "sql", store.FAILED_FETCHES_SQL, "--db", str(database)])
        print(escape_controls(f"factcheck: {skipped} outlet(s) did not load; the others are committed. "
                              f"See why with: {why}"), file=sys.stderr)  # fmt: skip
        return 1
    return 0


def _compare_summary(summary: dict[str, Any]) -> str:
    reasons = summary["reasons"]
    out = [
        f"compare {summary['compare_run_id']}: {summary['claims']} new claims from {summary['articles']} articles "
        f"(compared with {summary['restored']} stored): {reasons.get('new', 0)} started a cluster, "
        f"{reasons.get('joined', 0)} joined one, "
        f"{sum(v for k, v in reasons.items() if k not in ('new', 'joined'))} unclustered; "
        f"{summary['new_speakers']} new speakers, {summary['alerts']} new contradictions (alerts)"
    ]
    out.extend(
        f"  unclustered: {n} x {reason}" for reason, n in sorted(reasons.items()) if reason not in ("new", "joined")
    )
    return "\n".join(out)


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare stored claims, then print the summary and the clusters carried by more than one claim."""
    from pipeline import runner, store
    from pipeline.compare.semantic import missing_extra

    settings = _settings(
        args, speaker_aliases_path=Path(args.aliases) if args.aliases else None, compare_method=args.method
    )
    if args.respeak:
        from pipeline.stages.compare import respeak

        done = respeak(settings)
        print(
            f"respeak {done['compare_run_id']}: speakers of {done['claims']} stored claims recomputed, "
            f"{done['changed']} changed; {done['speakers']} canonical speakers, {done['entities']} entities; "
            "clusters kept as they were"
        )
        return 0
    if settings.compare_method != "lexical" and (missing := missing_extra()):
        raise ValueError(f"the {settings.compare_method} method {missing}")
    print(_compare_summary(runner.compare(settings)))
    con = store.connect(settings.database, read_only=True)
    try:
        names, rows = store.top_clusters(con, args.limit)
    finally:
        con.close()
    if rows:
        print(f"\nClusters carried by more than one claim (top {args.limit}):")
        print(format_table(names, rows, max_width=args.max_width))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the store's views and ClaimReview JSON (or one cluster's) to a folder."""
    from pipeline.store.export import export

    settings = _settings(args)
    done = export(settings.database, Path(args.to), args.cluster)
    for view, rows in done.counts.items():
        print(f"{done.folder / view}.parquet and .csv: {rows} rows")
    n = done.n_reviews
    print(f"{done.claim_reviews}: {n} ClaimReview{'s' if n != 1 else ''} (read from {done.source})")
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Re-parse and re-extract the stored articles without fetching, then print the totals."""
    from datetime import UTC, datetime

    from pipeline import runner

    settings = _settings(args)
    run_id = args.run_id or "reprocess__" + datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    totals = _with_progress("reprocess", args.quiet, lambda progress: runner.reprocess_all(settings, run_id, progress))
    print(
        f"reprocess {run_id}: {totals['outlets']} outlets, {totals['articles']} articles re-parsed, "
        f"{totals['claims']} claims now stored, {totals['extract_failures']} failed claim extractions "
        f"-> {settings.database} (nothing fetched)"
    )
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    """Run one SQL query on the store (its read snapshot, or the live file) and print the rows as a table."""
    from pipeline import store

    settings = _settings(args)
    # The read snapshot the loads publish never waits for a load; --live reads the file loads write.
    # On DuckLake every reader sees the last committed snapshot (or the one --as-of names).
    if args.live and settings.store != "ducklake" and args.as_of is None:
        con = store.connect(settings.database, read_only=True)
    else:
        con = store.open_reader(settings, as_of_run=args.as_of)
    try:
        names, rows = store.user_query(con, args.query)
    except store.QueryRefused as e:
        print(escape_controls(f"factcheck sql: {e}", keep="\n"), file=sys.stderr)
        return 1
    finally:
        con.close()
    print(format_table(names, rows, max_width=args.max_width))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    """Load one run's staged files into the store and print what was loaded."""
    from pipeline import runner

    settings = _settings(args, staging_url=args.staging_url)
    totals = runner.load(settings, args.run_id, runner.outlet_names(settings))
    print(
        f"run {args.run_id}: loaded {totals['outlets']} outlets ({totals['skipped_outlets']} unfinished, skipped), "
        f"{totals['articles']} articles, {totals['claims']} claims -> {settings.database}"
    )
    return _skipped_outlets_status(totals, settings.database)


def cmd_backup(args: argparse.Namespace) -> int:
    """Back up the store to a file and print the verified row counts."""
    from pipeline import store

    settings = _settings(args)
    counts = store.backup(settings.database, Path(args.to))
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"backed up {settings.database} -> {args.to} (verified: {summary})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the Markdown report on the store and print its path."""
    from pipeline.report import write_report

    settings = _settings(args)
    print(write_report(settings, args.label, limit=args.limit))
    return 0


def format_table(names: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    """A plain-text table; long cells are cut to ``max_width`` characters with an ellipsis.

    Control characters (terminal escapes a page may carry) are shown escaped, never sent raw.
    """

    def cell(value: Any) -> str:
        """One cell as text: whitespace collapsed, control characters escaped, cut to ``max_width``."""
        text = "" if value is None else str(value)
        text = escape_controls(" ".join(text.split()))
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    names = [cell(n) for n in names]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = lambda values: " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(list(names)), "-+-".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    """The ``factcheck`` argument parser with one subcommand per command."""
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

    p = sub.add_parser("run", help="run the whole pipeline in this process (no scheduler)")
    p.add_argument("--sources", help="the sources YAML file (default: FACTCHECK_SOURCES_PATH or the packaged list)")
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--data-dir", help="where staging files and the raw archive go (default: FACTCHECK_DATA_DIR)")
    p.add_argument("--run-id", help="name of this run (default: cli__<UTC time>); reuse one to redo a run")
    p.add_argument(
        "--allow-private-network",
        action="store_true",
        help="also fetch loopback and private addresses (local testing and the demo only)",
    )
    p.add_argument(
        "--refetch",
        action="store_true",
        help="request already stored articles again (conditionally: an unchanged page costs a 304)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "reprocess", help="re-parse stored articles from the raw archive and replace their claims (no network)"
    )
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--data-dir", help="where the raw archive and staging files are (default: FACTCHECK_DATA_DIR)")
    p.add_argument("--sources", help="the sources YAML file (only read for settings; nothing is fetched)")
    p.add_argument("--run-id", help="name of this reprocessing run (default: reprocess__<UTC time>)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_reprocess)

    p = sub.add_parser(
        "sql", help="query the store's tables and views and print a table (writes nothing, reads no other file)"
    )
    p.add_argument("query", help='e.g. "SELECT * FROM speaker_outlets ORDER BY n_claims DESC"')
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--max-width", type=int, default=60, help="cut cells longer than this (default 60)")
    p.add_argument("--live", action="store_true",
                   help="read the live file (waits while a load batch writes) instead of the read snapshot")
    p.add_argument("--as-of", metavar="RUN_ID|TIMESTAMP",
                   help="answer as the store stood when that load or compare run committed, or at that ISO time "
                        "(FACTCHECK_STORE=ducklake: its snapshots; the embedded file keeps only the present)")
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("load", help="load a run's staging files into DuckDB (again): completes an interrupted load")
    p.add_argument("--run-id", required=True, help="the run whose staging files to load")
    p.add_argument("--sources", help="the sources YAML file: its outlets are the batches to load")
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--data-dir", help="the data directory (default: FACTCHECK_DATA_DIR)")
    p.add_argument("--staging-url", help="folder or fsspec URL of the staging files (default: FACTCHECK_STAGING_URL)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("backup", help="write a consistent, verified copy of the DuckDB file (safe during loads)")
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--to", required=True, help="the copy to write; replaced only once the new copy is verified")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "compare", help="compare the claims not yet compared: speakers, clusters, alerts (in-process)"
    )
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--data-dir", help="the data directory (default: FACTCHECK_DATA_DIR)")
    p.add_argument(
        "--aliases", help="a speaker alias file to use instead of the packaged one (canonical<TAB>kind<TAB>alias|alias)"
    )
    p.add_argument(
        "--method",
        choices=COMPARE_METHODS,
        help="how clusters are scored (default: FACTCHECK_COMPARE_METHOD or lexical; semantic and hybrid "
        "need the [semantic] extra)",
    )
    p.add_argument(
        "--respeak",
        action="store_true",
        help="instead of comparing new claims, recompute the speakers and entities of every stored claim with "
        "the alias file as it is now (one transaction; clusters and their ids stay)",
    )
    p.add_argument("--limit", type=int, default=15, help="clusters to print (default 15)")
    p.add_argument("--max-width", type=int, default=50, help="cut cells longer than this (default 50)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser(
        "export", help="write the comparison views as Parquet and CSV, and clusters as ClaimReview JSON-LD"
    )
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--to", required=True, help="the folder to write into (created if missing)")
    p.add_argument("--cluster", help="write only this cluster's ClaimReview (no views)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="write the cross-outlet comparison report (Markdown and JSON)")
    p.add_argument("--db", help="the DuckDB file (default: FACTCHECK_DB_PATH or DATA_DIR/factcheck.duckdb)")
    p.add_argument("--data-dir", help="the report goes to DATA_DIR/reports (default: FACTCHECK_DATA_DIR)")
    p.add_argument("--label", default="manual", help="name of the report files (default: manual)")
    p.add_argument("--limit", type=int, default=25, help="rows per section (default 25)")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the chosen subcommand and return its exit status (2 on bad sources, store or config)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from pipeline.sources import SourcesError
    from pipeline.store import StoreError

    try:
        return int(args.func(args) or 0)
    except (SourcesError, StoreError, ValueError) as e:
        print(escape_controls(f"factcheck {args.command}: {e}", keep="\n"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
