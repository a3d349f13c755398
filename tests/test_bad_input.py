"""Bad input to the command lines: one line on stderr, exit status 2, nothing touched."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.models import Article, Fetch, WarcLocation
from archive.store import ArchiveStore
from tests.processes import archive_command, as_unprivileged
from tests.site.crawl import ROOT

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command

URL = "https://example.com/peru/"


def build_archive(directory: Path) -> Path:
    """An archive holding one article."""
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    at = "2026-11-29T10:00:01+00:00"
    fetch_id = store.record_fetch(
        Fetch(
            url=URL,
            method="GET",
            status=200,
            fetched_at=at,
            response=WarcLocation("NEWS-1.warc.gz", 0, 50, "<urn:uuid:1>"),
            request_record_id="<urn:uuid:r1>",
        )
    )
    store.save_article(Article(url=URL, title="Peru", text="Peru and the US."), fetch_id, at)
    store.finish_run("finished", "finished", {})
    store.db.close()
    return directory


def assert_one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def _not_an_archive(tmp_path: Path, kind: str) -> Path:
    """A path that is no archive, of one kind; its contents must survive the command."""
    path = tmp_path / kind
    if kind == "file":
        path.write_text("keep me")
    elif kind == "empty-folder":
        path.mkdir()
    elif kind == "not-sqlite":
        path.mkdir()
        (path / "archive.db").write_text("keep me")
    elif kind == "other-sqlite":
        path.mkdir()
        with sqlite3.connect(path / "archive.db") as db:
            db.execute("create table notes (text)")
    return path


def _snapshot(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "no archive at"),
        ("file", "not a directory"),
        ("empty-folder", "archive.db is missing"),
        ("not-sqlite", "file is not a database"),
        ("other-sqlite", "is not a news archive"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [("stats",), ("search", "peru"), ("export", "--format", "csv"), ("show", URL)],
    ids=lambda c: c[0],
)
def test_a_path_that_is_no_archive(
    tmp_path: Path, kind: str, message: str, command: tuple[str, ...]
) -> None:
    path = _not_an_archive(tmp_path, kind)
    before = _snapshot(path) if path.exists() else None
    result = archive_command(command[0], str(path), *command[1:])
    assert_one_line_error(result, message)
    assert (_snapshot(path) if path.exists() else None) == before


@pytest.mark.parametrize("query", ["peru AND", "NOT", "(peru"])
def test_malformed_queries(tmp_path: Path, query: str) -> None:
    archive = build_archive(tmp_path / "archive")
    result = archive_command("export", str(archive), "--query", query)
    assert_one_line_error(result, "malformed search query")
    # search reads a query SQLite rejects as plain words instead (tests/test_cli.py)
    result = archive_command("search", str(archive), query)
    assert result.returncode == 0, result.stderr
    assert_one_line_error(archive_command("search", str(archive), " "), "empty search query")


@pytest.mark.parametrize("date", ["2023-13-01", "yesterday", "2023-02-29"])
def test_bad_dates(tmp_path: Path, date: str) -> None:
    archive = build_archive(tmp_path / "archive")
    for option in ("--since", "--until"):
        assert_one_line_error(archive_command("export", str(archive), option, date), "bad date")


def test_existing_output_file_is_not_overwritten(tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "archive")
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    result = archive_command("export", str(archive), "--format", "csv", "--output", str(out))
    assert_one_line_error(result, "already exists; pass --force")
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "out.csv"]


def test_output_that_is_a_folder(tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "archive")
    result = archive_command("export", str(archive), "--output", str(tmp_path), "--force")
    assert_one_line_error(result, "is a directory")


def test_unwritable_output_folder(tmp_path: Path) -> None:
    prefix = as_unprivileged()
    # Not under pytest's tmp folder: its mode 700 would keep the other user out entirely.
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch).chmod(0o755)
        archive = build_archive(Path(scratch) / "archive")
        for path in archive.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        locked = Path(scratch) / "locked"
        locked.mkdir(mode=0o555)
        locked.chmod(0o555)
        out = locked / "out.jsonl"
        result = archive_command("export", str(archive), "--output", str(out), prefix=prefix)
    assert_one_line_error(result, f"cannot write {out}: folder {locked} is not writable")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:8000/", "(for example -a url=https://127.0.0.1:8000/)"),
        ("ftp://127.0.0.1/news/", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("http:///news/", "has no host name"),
    ],
)
def test_crawl_refuses_a_bad_site_url_before_starting(
    tmp_path: Path, url: str, message: str
) -> None:
    archive = tmp_path / "archive"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={url}"),
            *("-s", f"ARCHIVE_DIR={archive}"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.startswith("crawl: error: ") and result.stderr.count("\n") == 1
    assert not archive.exists()  # nothing was started
