"""One crawl at a time per archive: an advisory lock the kernel drops when a crawl dies."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path
from typing import BinaryIO

from archive.db import ArchiveError

LOCK_NAME = "crawl.lock"
# What flock raises when another process holds the lock.
_BUSY = (BlockingIOError, PermissionError)
# Locks held by this process, so that the crawl command and the crawl it starts share one.
_held: dict[Path, ArchiveLock] = {}


class ArchiveBusy(ArchiveError):
    """Another crawl is writing to this archive."""


class ArchiveLock:
    """An exclusive `flock` on ARCHIVE_DIR/crawl.lock, holding who took it and when."""

    def __init__(self, archive_dir: str | Path):
        self.path = (Path(archive_dir) / LOCK_NAME).resolve()
        self._file: BinaryIO | None = None

    def acquire(self, started_at: str) -> ArchiveLock:
        """Take the lock (re-entrant within a process) or raise ArchiveBusy at once."""
        if self.path in _held:
            return _held[self.path]
        if self.path.parent.exists() and not self.path.parent.is_dir():
            raise ArchiveError(f"{self.path.parent} is not a directory")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+b")  # noqa: SIM115 - held for the crawl's lifetime
        except OSError as exc:
            raise ArchiveError(f"cannot use {self.path.parent} as an archive: {exc}") from exc
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except _BUSY as exc:
            handle.seek(0)
            holder = _describe(handle.read())
            handle.close()
            raise ArchiveBusy(
                f"archive {self.path.parent} is in use by another crawl ({holder}); "
                "this one stops without touching it"
            ) from exc
        handle.seek(0)
        handle.truncate()
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": started_at}
        handle.write(json.dumps(holder).encode())
        handle.flush()
        self._file = handle
        _held[self.path] = self
        return self

    def release(self) -> None:
        """Drop the lock (the file stays, empty of meaning once unlocked)."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        _held.pop(self.path, None)


def _describe(raw: bytes) -> str:
    try:
        holder = json.loads(raw)
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started_at']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"
