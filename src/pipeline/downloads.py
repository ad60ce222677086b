"""Downloads from the Claims view: what a page shows (the claim list with its filters, one cluster,
the contradictions desk) as CSV, JSON or ClaimReview JSON-LD, in the files of ``factcheck export``.

The rows are those of the view ``factcheck export`` writes for the same data (``claims_by_source``
for claims and a cluster, ``contradictions`` for the desk), with its columns and its CSV, made by
the same code (``pipeline.store.export``): spreadsheet formulas neutralised, lists as JSON. JSON
is the same rows with their stored values; ClaimReview is the JSON-LD of the clusters involved,
one object for a single cluster (as ``claimreview-<cluster>.jsonld``), else a ``@graph`` (as
``claimreview.jsonld``). A download holds at most ``DOWNLOAD_ROWS`` rows, and says so.

The rows come from ``store.downloads`` (where their queries live); ``render`` makes the file.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from pipeline.claimsview import jsonable

if TYPE_CHECKING:
    from pipeline.store.downloads import Table

FORMATS = ("csv", "json", "jsonld")
EXTENSIONS = {"csv": "csv", "json": "json", "jsonld": "jsonld"}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "jsonld": "application/ld+json"}
DOWNLOAD_ROWS = 10_000


def render(table: Table, fmt: str) -> tuple[bytes, str]:
    """The file of ``table`` in ``fmt`` (csv | json | jsonld) and its media type."""
    from pipeline.store.export import json_for_pages, write_review_graph

    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(["" if v is None else v for v in row] for row in table.text_rows)
        text = out.getvalue()
    elif fmt == "json":
        text = json_for_pages([jsonable(dict(zip(table.columns, row, strict=True))) for row in table.rows]) + "\n"
    elif fmt == "jsonld":
        if table.single and table.reviews:
            text = json_for_pages(table.reviews[0], indent=2) + "\n"
        else:
            out = io.StringIO()
            write_review_graph(out, iter(table.reviews))
            text = out.getvalue()
    else:
        raise ValueError(f"a download is one of {', '.join(FORMATS)}; got {fmt!r}")
    return text.encode("utf-8"), MEDIA_TYPES[fmt]
