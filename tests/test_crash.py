"""Crash safety: a crawl killed with SIGKILL at several moments, restarted each time."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.recovery import PARTIAL_DIR
from tests.site.crawl import archive_rows, crawl_command, run_crawl, start_crawl
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command

PACED = {"DOWNLOAD_DELAY": "0.03", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
KILL_AFTER = (1, 12, 25)  # stored articles at each kill


def _articles(archive: Path) -> int:
    rows = archive_rows(archive, "select count(*) from articles")
    return rows[0][0] if rows else 0


def _kill_when(command: list[str], archive: Path, articles: int) -> str:
    """Start a crawl, SIGKILL it once `articles` are stored; return what it logged."""
    process = start_crawl(command)
    deadline = time.monotonic() + 60
    while _articles(archive) < articles:
        assert process.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    return process.communicate(timeout=30)[1]


def _tear_last_warc_file(archive: Path) -> bytes:
    """Append the first half of a record to the newest WARC file, as a kill mid-write does."""
    newest = max((archive / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_mtime)
    record = zlib.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 4000, wbits=31)
    torn = record[: len(record) // 2]
    with newest.open("ab") as handle:
        handle.write(torn)
    return torn


def test_killed_crawls_end_as_one_whole_crawl(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with ReplicaServer(articles=40) as server:
        root, site = server.base_url, server.site
        command = crawl_command("nationworldnews", root + "/", archive, **PACED)
        logs = []
        for n, articles in enumerate(KILL_AFTER):
            logs.append(_kill_when(command, archive, articles))
            if n == 1:
                torn = _tear_last_warc_file(archive)
        final = run_crawl("nationworldnews", root + "/", archive, **PACED)
    assert final.returncode == 0, final.stderr[-3000:]
    # the torn tail was found at the next start, logged, cut off and kept aside
    (kept,) = (archive / PARTIAL_DIR).iterdir()
    assert kept.read_bytes() == torn
    assert "ended in a torn record" in logs[2]
    assert "marked crashed" in logs[1] and "marked crashed" in final.stderr

    with sqlite3.connect(archive / "archive.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        texts = dict(db.execute("select url, text from articles"))
        versions = db.execute("select count(*) from versions").fetchone()[0]
        runs = [row[0] for row in db.execute("select status from runs order by id")]
        fetches = db.execute(
            "select url, warc_filename, warc_offset, warc_record_id, warc_type from fetches"
        ).fetchall()

    # exactly the articles of an uninterrupted crawl, each once
    assert set(texts) == {root + path for path in site.expected_article_paths()}
    for article in site.articles:
        assert texts[root + article.path] == article.expected_text, article.slug
    assert versions == len(site.articles)
    assert runs == ["crashed"] * len(KILL_AFTER) + ["finished"]

    # every fetches row opens its own record in a WARC file that reads to the end
    for url, filename, offset, record_id, warc_type in fetches:
        with (archive / "warc" / filename).open("rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Record-ID") == record_id
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.rec_type == warc_type
    warcio = Path(sys.executable).parent / "warcio"
    files = sorted((archive / "warc").glob("*.warc.gz"))
    assert len(files) == len(KILL_AFTER) + 1
    check = subprocess.run([warcio, "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
