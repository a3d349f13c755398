"""Repairs after a crawl died (SIGKILL, OOM killer): torn WARC tails and runs left "running".

Records are gzip members written whole, one after another, and each crawl writes only files
it created, so a crash can only leave the last member of a file incomplete. At the start of
the next crawl (under the archive's lock, so no writer is active) each file is checked from
its last indexed record to its end; an incomplete tail is cut off and kept aside in
`ARCHIVE_DIR/warc-partial/`, where WARC tools that read `warc/*.warc.gz` do not look.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from archive.db import warc_dir
from archive.store import utc_now

logger = logging.getLogger(__name__)

PARTIAL_DIR = "warc-partial"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Repair:
    """A WARC file whose torn tail was cut off (and where the tail was kept)."""

    filename: str
    kept_bytes: int
    cut_bytes: int
    tail: Path


def complete_length(path: Path, start: int = 0) -> int:
    """Bytes of `path` that form whole gzip members, reading from `start` (a member start)."""
    end = start
    with path.open("rb") as handle:
        handle.seek(start)
        data = b""
        while True:
            member = zlib.decompressobj(wbits=31)
            consumed = 0
            while not member.eof:
                if not data:
                    data = handle.read(_CHUNK)
                    if not data:
                        return end  # the file ends inside this member
                try:
                    member.decompress(data)
                except zlib.error:
                    return end  # not gzip from here on
                used = len(data) - len(member.unused_data)
                consumed += used
                data = member.unused_data
            end += consumed
            if not data:
                data = handle.read(_CHUNK)
                if not data:
                    return end


def _last_indexed_offsets(db: Database) -> dict[str, int]:
    """Per WARC file, where the last record the archive indexed starts."""
    rows = db.execute("select warc_filename, max(warc_offset) from fetches group by warc_filename")
    return dict(rows.fetchall())


def repair_warc_files(archive_dir: str | Path, db: Database) -> list[Repair]:
    """Cut torn tails off the archive's WARC files, keeping them aside; say what was done."""
    directory = warc_dir(archive_dir)
    starts = _last_indexed_offsets(db)
    repairs = []
    for path in sorted(directory.glob("*.warc.gz")):
        size = path.stat().st_size
        good = complete_length(path, starts.get(path.name, 0))
        if good == size:
            continue
        aside = Path(archive_dir) / PARTIAL_DIR
        aside.mkdir(exist_ok=True)
        tail = aside / f"{path.name}.{good}.partial"
        with path.open("r+b") as handle:
            handle.seek(good)
            tail.write_bytes(handle.read())
            handle.truncate(good)
        if good == 0:
            # nothing whole in it, not even its warcinfo record: the file goes aside too
            path.rename(aside / path.name)
        repairs.append(Repair(path.name, good, size - good, tail))
    return repairs


def close_crashed_runs(db: Database) -> list[int]:
    """Mark runs still "running" as crashed (called under the lock: none is running)."""
    ids = [row[0] for row in db.execute("select id from runs where status = 'running'")]
    with db.atomic():
        for run_id in ids:
            db["runs"].update(
                run_id,
                {"status": "crashed", "finish_reason": f"found still running at {utc_now()}"},
            )
    return ids


def recover(archive_dir: str | Path, db: Database) -> list[Repair]:
    """Everything a crawl checks before it starts writing; logs each repair."""
    for run_id in close_crashed_runs(db):
        logger.warning("Run %d ended without closing (a crash or a kill): marked crashed", run_id)
    repairs = repair_warc_files(archive_dir, db)
    for repair in repairs:
        logger.warning(
            "WARC file %s ended in a torn record (a crash mid-write): cut %d bytes after "
            "offset %d, kept in %s",
            repair.filename,
            repair.cut_bytes,
            repair.kept_bytes,
            repair.tail,
        )
    return repairs
