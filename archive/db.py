"""Opening an archive directory: the SQLite database, its pragmas and migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from archive.migrations import migrations

DB_NAME = "archive.db"
WARC_DIR = "warc"


class ArchiveError(Exception):
    """A problem with an archive that a user can fix (missing, unreadable, wrong file)."""


def db_path(archive_dir: str | Path) -> Path:
    """Path of the SQLite database inside an archive directory."""
    return Path(archive_dir) / DB_NAME


def warc_dir(archive_dir: str | Path) -> Path:
    """Path of the WARC folder inside an archive directory."""
    return Path(archive_dir) / WARC_DIR


def open_archive(archive_dir: str | Path) -> Database:
    """Open (creating if needed) the archive for writing: WAL, foreign keys, migrations."""
    directory = Path(archive_dir)
    if directory.exists() and not directory.is_dir():
        raise ArchiveError(f"{directory} is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    warc_dir(directory).mkdir(exist_ok=True)
    try:
        db = Database(db_path(directory))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA foreign_keys=ON")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{db_path(directory)}: {exc}") from exc
    return db


def open_archive_readonly(archive_dir: str | Path) -> Database:
    """Open an existing archive read-only, for queries and export."""
    path = db_path(archive_dir)
    if not Path(archive_dir).is_dir():
        raise ArchiveError(f"no archive at {archive_dir}: not a directory")
    if not path.is_file():
        raise ArchiveError(f"no archive at {archive_dir}: {path.name} is missing")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists():
        # WAL readers must create the -shm file; in a folder nobody may write to (a
        # published copy), no crawl can be writing either, so the file is read as is.
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        db = Database(conn)
        db.execute("PRAGMA busy_timeout=10000")
        if not migrations.applied(db):
            raise ArchiveError(f"{path} is not a news archive")
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: {exc}") from exc
    return db


def open_history(archive_dir: str | Path | None) -> Database | None:
    """The archive earlier crawls left at `archive_dir`, read-only; None when there is none
    yet (a shared crawl's first run, before any merge)."""
    if not archive_dir or not db_path(archive_dir).is_file():
        return None
    return open_archive_readonly(archive_dir)
