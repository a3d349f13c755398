"""One crawl per archive: the lock, and what a second crawl and a failed crawl exit with."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.db import ArchiveError
from archive.lock import LOCK_NAME, ArchiveBusy, ArchiveLock
from tests.site.crawl import ROOT, archive_rows, crawl_command, start_crawl
from tests.site.server import ReplicaServer

HOLD = """
import sys, time
from archive.lock import ArchiveLock
ArchiveLock(sys.argv[1]).acquire("2026-11-29T10:00:00Z")
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path):
    """Another process holding the archive's lock."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


@pytest.mark.e2e
def test_a_held_lock_refuses_a_second_holder_and_says_who(tmp_path: Path, holder) -> None:
    with pytest.raises(ArchiveBusy, match=rf"pid {holder.pid} on .*started 2026-11-29T10:00:00Z"):
        ArchiveLock(tmp_path).acquire("now")


@pytest.mark.e2e
def test_the_lock_dies_with_its_holder(tmp_path: Path, holder) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    lock = ArchiveLock(tmp_path).acquire("now")
    lock.release()


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    first = ArchiveLock(tmp_path).acquire("now")
    assert ArchiveLock(tmp_path).acquire("later") is first
    first.release()
    assert (tmp_path / LOCK_NAME).exists()


def test_a_file_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive"
    path.write_text("keep me")
    with pytest.raises(ArchiveError, match="is not a directory"):
        ArchiveLock(path).acquire("now")
    assert path.read_text() == "keep me"


def _runs(archive: Path) -> list[tuple]:
    return archive_rows(archive, "select id, status from runs")


@pytest.mark.e2e
def test_a_second_crawl_on_the_same_archive_stops_at_once(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    # A slow first crawl: one request every 0.3 s keeps it running for a while.
    with ReplicaServer(articles=12) as server:
        base = server.base_url + "/"
        slow = crawl_command("news", base, archive, DOWNLOAD_DELAY="0.3")
        first = start_crawl(slow)
        try:
            deadline = time.monotonic() + 30
            while not _runs(archive):
                assert time.monotonic() < deadline, "the first crawl never started"
                time.sleep(0.1)
            warcs_before = sorted((archive / "warc").iterdir())
            second = subprocess.run(
                crawl_command("news", base, archive),
                cwd=ROOT,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=60,
            )
            # it stopped while the first still ran: it did not wait for the lock
            assert first.poll() is None, "the first crawl ended before the second did"
        finally:
            _, first_err = first.communicate(timeout=120)
    assert second.returncode == 75, second.stderr[-2000:]
    assert f"archive {archive} is in use by another crawl (pid {first.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    # the second crawl neither started a run nor wrote a WARC file
    assert sorted((archive / "warc").iterdir())[: len(warcs_before)] == warcs_before
    assert first.returncode == 0, first_err[-2000:]
    assert _runs(archive) == [(1, "finished")]


@pytest.mark.e2e
def test_a_crawl_that_fetches_nothing_exits_1(tmp_path: Path) -> None:
    # port 9 (discard) refuses connections: the site is down
    result = subprocess.run(
        crawl_command("news", "http://127.0.0.1:9/", tmp_path / "archive", RETRY_TIMES="0"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert _runs(tmp_path / "archive") == [(1, "failed")]
