"""Repairs at the start of a crawl: torn WARC tails cut off and kept, dead runs closed."""

from __future__ import annotations

import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.db import open_archive, warc_dir
from archive.models import Fetch
from archive.recovery import PARTIAL_DIR, complete_length, recover
from archive.store import ArchiveStore
from archive.warc_writer import HttpExchange, WarcWriter


def write_warc(archive: Path, pages: int = 3) -> tuple[Path, ArchiveStore]:
    """A WARC file of `pages` exchanges, each indexed in `fetches` as a crawl would."""
    store = ArchiveStore(open_archive(archive))
    store.start_run("news", {})
    writer = WarcWriter(warc_dir(archive))
    for n in range(pages):
        exchange = HttpExchange(
            url=f"http://127.0.0.1:8000/story-{n}/",
            method="GET",
            status=200,
            reason="OK",
            response_headers=[("Content-Type", "text/html")],
            body=f"<html><body><p>Story {n}.</p></body></html>".encode() * 50,
            date=datetime(2026, 11, 29, 10, 0, n, tzinfo=UTC),
        )
        written = writer.write_exchange(exchange)
        store.record_fetch(
            Fetch(
                url=exchange.url,
                method="GET",
                status=200,
                fetched_at=exchange.date.isoformat(),
                response=written.response,
                request_record_id=written.request_record_id,
            )
        )
    writer.close()
    (path,) = warc_dir(archive).glob("*.warc.gz")
    return path, store


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    warcio = Path(sys.executable).parent / "warcio"
    return subprocess.run([warcio, "check", str(path)], capture_output=True, text=True)


def test_a_whole_file_is_left_alone(tmp_path: Path) -> None:
    path, store = write_warc(tmp_path)
    before = path.read_bytes()
    assert recover(tmp_path, store.db) == []
    assert path.read_bytes() == before
    assert complete_length(path) == len(before)


@pytest.mark.parametrize("share", [0.01, 0.5, 0.99])
@pytest.mark.e2e
def test_a_torn_last_record_is_cut_off_and_kept_aside(tmp_path: Path, share: float, caplog) -> None:
    path, store = write_warc(tmp_path)
    whole = path.read_bytes()
    # a crash part-way through appending one more record (a gzip member)
    scratch = WarcWriter(tmp_path / "scratch")
    scratch.write_exchange(
        HttpExchange("http://127.0.0.1:8000/x/", "GET", 200, "OK", body=b"x" * 99)
    )
    scratch.close()
    (other,) = (tmp_path / "scratch").glob("*.warc.gz")
    data = other.read_bytes()
    member = zlib.decompressobj(wbits=31)
    member.decompress(data)
    after_warcinfo = member.unused_data
    member = zlib.decompressobj(wbits=31)
    member.decompress(after_warcinfo)
    record = after_warcinfo[: len(after_warcinfo) - len(member.unused_data)]  # one whole record
    torn = record[: max(1, int(len(record) * share))]
    path.write_bytes(whole + torn)
    assert complete_length(path) == len(whole)

    (repair,) = recover(tmp_path, store.db)
    assert path.read_bytes() == whole
    assert warcio_check(path).returncode == 0
    assert repair.tail.parent == tmp_path / PARTIAL_DIR
    assert repair.tail.read_bytes() == torn
    assert (repair.kept_bytes, repair.cut_bytes) == (len(whole), len(torn))
    assert "torn record" in caplog.text


def test_garbage_after_the_last_record_is_cut_off(tmp_path: Path) -> None:
    path, store = write_warc(tmp_path)
    whole = path.read_bytes()
    path.write_bytes(whole + b"\x00garbage")
    (repair,) = recover(tmp_path, store.db)
    assert path.read_bytes() == whole
    assert repair.cut_bytes == len(b"\x00garbage")


def test_a_file_with_nothing_whole_is_moved_aside(tmp_path: Path) -> None:
    path, store = write_warc(tmp_path)
    empty = warc_dir(tmp_path) / "NEWS-20261129100000000-00000-1~host.warc.gz"
    empty.write_bytes(path.read_bytes()[:10])
    (repair,) = recover(tmp_path, store.db)
    assert not empty.exists()
    assert (tmp_path / PARTIAL_DIR / empty.name).exists()
    assert repair.kept_bytes == 0


def test_runs_left_running_are_marked_crashed(tmp_path: Path) -> None:
    _, store = write_warc(tmp_path)
    store.db.close()
    db = open_archive(tmp_path)
    recover(tmp_path, db)
    assert db.execute("select status from runs").fetchall() == [("crashed",)]
