"""Local file writes that never leave half a file behind, and a lock one process at a time holds."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class Busy(RuntimeError):
    """Another process holds a lock that allows one holder at a time; the message names it."""


@contextmanager
def only_one(path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive ``fcntl.flock`` on ``path`` for the block, or raise ``Busy`` at once when
    another process holds it (the message says which: the holder writes its pid and start time
    into the file). The lock goes with the process, so one that dies leaves nothing to clean up;
    the file itself stays (removing a lock file others may be waiting on would let two in)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "a process that did not say which"
            raise Busy(f"{what} is already running ({holder}; lock {path})") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
