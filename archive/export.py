"""Writing export records as JSON Lines or CSV, atomically: a failed export leaves nothing."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from archive.queries import EXPORT_FIELDS

FORMATS = ("jsonl", "csv")


def _write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({**row, "tags": json.dumps(row["tags"], ensure_ascii=False)})
        count += 1
    return count


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], int]] = {
    "jsonl": _write_jsonl,
    "csv": _write_csv,
}


def write_export(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    """Write records to an open text stream in `fmt`; return how many were written."""
    return WRITERS[fmt](rows, out)


def export_to_file(rows: Iterable[dict[str, Any]], fmt: str, path: str | Path) -> int:
    """Write records to `path` through a temporary file renamed into place at the end."""
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            count = write_export(rows, fmt, out)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return count
