"""Staging files: where each stage leaves its output for the next one.

    <staging>/<run id>/<stage>/<outlet>.jsonl      one stage's records for one outlet
    <staging>/<run id>/log/<outlet>.<stage>.jsonl  fetch-log rows of that stage

``<staging>`` is the ``staging_url`` setting: a local folder (the default, ``<data_dir>/staging``) or
any fsspec URL (``file:///shared/staging``, ``s3://bucket/factcheck/staging``, ...), so that workers
on different hosts can hand files to each other and to the single DuckDB writer. Credentials for
object storage come from the filesystem library's usual configuration (e.g. ``AWS_*`` for s3fs).

Files are published whole: on a local disk they are written beside their final name and renamed
into place; elsewhere they are written to a local temporary file first and uploaded once complete
(object stores show an upload only when it completes; other filesystems get a temporary name and a
rename). Either way a reader never sees half a file, and a stage that fails publishes nothing.
Names are derived from run ids and outlet names through ``safe_name``, so no feed or page content
ever becomes part of a path.

Retention: once a load has committed every outlet of its run, it writes ``<run id>/loaded.json``
(when, and the totals). Run folders whose marker is older than ``staging_keep_days`` are deleted at
the end of a later load (``prune_loaded``). A folder without a marker is never deleted: a run still
going, one whose load never finished or left an outlet out, or one whose stages were started again
(discover removes the marker), so nothing that has not reached DuckDB is lost.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import IO, Any, TypeVar

import fsspec
from fsspec.implementations.local import LocalFileSystem

from pipeline.files import atomic_write
from pipeline.records import FetchResult, StagedArticle
from pipeline.settings import Settings
from pipeline.util import safe_name

log = logging.getLogger(__name__)

# Object stores publish an upload atomically when it completes: write there directly.
ATOMIC_UPLOAD_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "memory"})
LOADED_MARKER = "loaded.json"  # in a run's folder once its load committed: see ``prune_loaded``


@dataclass(frozen=True, slots=True)
class StagedFile:
    """One staging file on some fsspec filesystem: local disk or object storage."""

    fs: fsspec.AbstractFileSystem
    path: str  # as the filesystem names it (no protocol)

    @property
    def is_local(self) -> bool:
        """True when the file is on the local file system."""
        return isinstance(self.fs, LocalFileSystem)

    @property
    def url(self) -> str:
        """The file's full URL, protocol included."""
        return str(self.fs.unstrip_protocol(self.path))

    @property
    def name(self) -> str:
        """The last part of the path."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    def local_path(self) -> Path | None:
        """The file on this machine's disk, or None when it lives elsewhere (fetch it with ``local_copy``)."""
        return Path(self.path) if self.is_local else None

    def exists(self) -> bool:
        """True when the file exists."""
        return bool(self.fs.exists(self.path))

    def open(self, mode: str = "r") -> IO[Any]:
        """Open the file; text modes read and write UTF-8."""
        return self.fs.open(self.path, mode, encoding="utf-8") if "b" not in mode else self.fs.open(self.path, mode)

    def __str__(self) -> str:
        return self.path if self.is_local else self.url


def staging_root(url: str) -> StagedFile:
    """The staging location named by a path or URL."""
    fs, path = fsspec.core.url_to_fs(url)
    return StagedFile(fs, path.rstrip("/"))


# A staging file: a plain Path on this machine's disk (the default, and file:// URLs), a StagedFile
# on any other filesystem. Both go through write_jsonl, read_jsonl and local_copy.
StagingFile = Path | StagedFile


@dataclass(frozen=True)
class RunPaths:
    """Where one run's staging files, logs and loaded marker live."""
    settings: Settings
    run_id: str

    @cached_property
    def _base(self) -> StagedFile:
        return staging_root(self.settings.staging_location)

    @property
    def root(self) -> StagingFile:
        """The run's own folder."""
        return self._child(safe_name(self.run_id))

    def _child(self, *parts: str) -> StagingFile:
        child = StagedFile(self._base.fs, "/".join((self._base.path, *parts)))
        return child.local_path() or child

    def stage_file(self, stage: str, outlet: str) -> StagingFile:
        """The JSON-lines file one stage writes for one outlet."""
        return self._child(safe_name(self.run_id), stage, f"{safe_name(outlet)}.jsonl")

    def log_file(self, stage: str, outlet: str) -> StagingFile:
        """The JSON-lines log one stage writes for one outlet."""
        return self._child(safe_name(self.run_id), "log", f"{safe_name(outlet)}.{stage}.jsonl")

    def loaded_marker(self) -> StagingFile:
        """The file that marks this run as loaded."""
        return self._child(safe_name(self.run_id), LOADED_MARKER)

    def clear_loaded(self) -> None:
        """Forget that this run was loaded: its stages are running again."""
        marker = self.loaded_marker()
        if isinstance(marker, Path):
            marker.unlink(missing_ok=True)
        elif marker.exists():
            marker.fs.rm(marker.path)

    def mark_loaded(self, totals: dict[str, int], when: datetime) -> None:
        """Record that this run's load committed: its folder may be pruned after the retention time."""
        row = {"run_id": self.run_id, "loaded_at": when.isoformat(), "totals": totals}
        write_jsonl(self.loaded_marker(), [row])

    def prune_loaded(self, keep: timedelta, now: datetime) -> list[str]:
        """Delete the folders of runs loaded more than ``keep`` before ``now``; returns their run ids.

        Only folders holding a readable marker are candidates, and never this run's own folder (a
        retried load of this run still finds its files). A marker that cannot be read is logged and
        its folder kept.
        """
        fs, base = self._base.fs, self._base.path
        if not fs.exists(base):
            return []
        mine = f"{base}/{safe_name(self.run_id)}"
        pruned: list[str] = []
        for folder in sorted(fs.ls(base, detail=False)):
            folder = folder.rstrip("/")
            marker = f"{folder}/{LOADED_MARKER}"
            if folder == mine or not fs.isdir(folder) or not fs.exists(marker):
                continue
            try:
                row = json.loads(fs.cat_file(marker).decode("utf-8").splitlines()[0])
                loaded_at = datetime.fromisoformat(row["loaded_at"])
                if loaded_at.tzinfo is None:  # written by hand or by another tool: read as UTC
                    loaded_at = loaded_at.replace(tzinfo=UTC)
                run_id = str(row["run_id"])
                expired = now - loaded_at >= keep
            except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, OverflowError) as e:
                log.warning("staging folder %s: unreadable %s (%s); kept", folder, LOADED_MARKER, e)
                continue
            if expired:
                fs.rm(folder, recursive=True)
                pruned.append(run_id)
        if pruned:
            log.info("staging: deleted the folders of %d loaded run(s) older than %s", len(pruned), keep)
        return pruned


F = TypeVar("F", bound=Path | StagedFile)


def _write_local(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _dump(fh, rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dump(fh: IO[str], rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def write_jsonl(path: F, rows: Iterable[dict[str, Any]]) -> F:
    """Write all rows, then publish the file whole: a reader never sees a half-written staging file."""
    if isinstance(path, Path):
        _write_local(path, rows)
        return path
    local = path.local_path()
    if local is not None:
        _write_local(local, rows)
        return path
    # Serialize to a local temporary file first: a stage that fails half-way uploads nothing.
    # (An fsspec file object closed by an exception still commits what it holds.)
    fd, local_tmp = tempfile.mkstemp(prefix="factcheck-stage-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _dump(fh, rows)
        _publish(path, local_tmp)
    finally:
        Path(local_tmp).unlink(missing_ok=True)
    return path


def _publish(path: StagedFile, local_file: str) -> None:
    fs = path.fs
    parent = path.path.rsplit("/", 1)[0]
    fs.makedirs(parent, exist_ok=True)
    protocols = {fs.protocol} if isinstance(fs.protocol, str) else set(fs.protocol)
    if protocols & ATOMIC_UPLOAD_PROTOCOLS:
        fs.put_file(local_file, path.path)
        return
    tmp = f"{parent}/.tmp-{uuid.uuid4().hex}-{path.name}"
    try:
        fs.put_file(local_file, tmp)
        fs.mv(tmp, path.path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> Path:
    """Write a whole UTF-8 text file on this machine through a temporary file and a rename."""
    return atomic_write(path, text.encode("utf-8"))


def read_jsonl(path: Path | StagedFile) -> Iterator[dict[str, Any]]:
    """Yield each non-blank line of a JSON-lines staging file as a dict."""
    with path.open(encoding="utf-8") if isinstance(path, Path) else path.open("r") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def result_row(result: FetchResult, stage: str) -> dict[str, Any]:
    """A fetch result as a stage log (and the fetch stage file) holds it: its fields and the stage."""
    row = result.to_dict()
    row["stage"] = stage
    return row


def read_results(path: StagingFile) -> Iterator[FetchResult]:
    """The fetch results of a stage log or of the fetch stage file (rows of ``result_row``)."""
    for row in read_jsonl(path):
        row.pop("stage", None)
        yield FetchResult.from_dict(row)


def read_articles(path: StagingFile) -> Iterator[StagedArticle]:
    """The articles of a parse stage file (rows of ``StagedArticle.to_dict``)."""
    for row in read_jsonl(path):
        yield StagedArticle.from_dict(row)


def local_copy(file: StagingFile, into: Path) -> Path | None:
    """The file as a path on this machine (downloaded into ``into`` when remote), or None if absent.

    DuckDB reads local files; the load task calls this so staging can live on object storage.
    """
    local = file if isinstance(file, Path) else file.local_path()
    if local is not None:
        return local if local.exists() else None
    assert isinstance(file, StagedFile)
    if not file.exists():
        return None
    into.mkdir(parents=True, exist_ok=True)
    target = into / f"{uuid.uuid4().hex[:8]}-{file.name}"
    file.fs.get(file.path, str(target))
    return target
