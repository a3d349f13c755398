"""The WARC writer: record pairs, fidelity of what was on the wire, digests, rotation."""

from __future__ import annotations

import gzip
import hashlib
from base64 import b32encode
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc_writer import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    HttpExchange,
    Revisit,
    WarcWriter,
    payload_digest,
    warc_filename,
)

BODY = gzip.compress(b"<html><body><p>Hello, archive.</p></body></html>")


def exchange(**changes) -> HttpExchange:
    """A gzip-encoded, chunked HTML response with two cookies."""
    values = dict(
        url="http://127.0.0.1:8000/a-story/?b=2&a=1",
        method="GET",
        status=200,
        reason="OK",
        http_version="HTTP/1.0",
        request_headers=[("Host", "127.0.0.1:8000"), ("Accept-Encoding", "gzip")],
        response_headers=[
            ("Content-Type", "text/html; charset=UTF-8"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("Set-Cookie", "first=1; Path=/"),
            ("Set-Cookie", "second=2; Path=/"),
        ],
        body=BODY,
        ip_address="127.0.0.1",
        date=datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC),
    )
    values.update(changes)
    return HttpExchange(**values)


def records(path: Path) -> list:
    """Every record of a WARC file, read fully so its digests are checked."""
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle, check_digests=True):
            record.content_stream().read()
            out.append(record)
    return out


@pytest.fixture
def written(tmp_path: Path):
    writer = WarcWriter(tmp_path, warcinfo={"software": "test-suite", "robots": "obey"})
    result = writer.write_exchange(exchange())
    writer.close()
    (path,) = tmp_path.glob("*.warc.gz")
    return path, result


def test_file_opens_with_warcinfo_then_response_and_request(written) -> None:
    path, _ = written
    kinds = [r.rec_type for r in records(path)]
    assert kinds == ["warcinfo", "response", "request"]


def test_warcinfo_names_software_format_and_robots_policy(written) -> None:
    path, _ = written
    info = records(path)[0]
    with path.open("rb") as handle:
        record = next(iter(ArchiveIterator(handle)))
        fields = record.content_stream().read().decode()
    assert info.rec_headers.get_header("WARC-Filename") == path.name
    assert "software: test-suite" in fields
    assert "format: WARC File Format 1.1" in fields
    assert "robots: obey" in fields
    assert "hostname: " in fields


def test_request_is_concurrent_to_response(written) -> None:
    path, result = written
    _, response, request = records(path)
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    assert response_id == result.response.record_id
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response_id
    assert request.rec_headers.get_header("WARC-Record-ID") == result.request_record_id


def test_offset_and_length_locate_the_response_record(written) -> None:
    path, result = written
    with path.open("rb") as handle:
        handle.seek(result.response.offset)
        raw = handle.read(result.response.length)
    (record,) = list(ArchiveIterator(BytesIO(raw)))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == exchange().url


def test_status_line_keeps_the_servers_http_version(written) -> None:
    path, _ = written
    response = records(path)[1]
    assert response.http_headers.protocol == "HTTP/1.0"
    assert response.http_headers.get_statuscode() == "200"


def test_request_line_has_path_and_query(written) -> None:
    path, _ = written
    request = records(path)[2]
    line = f"{request.http_headers.protocol} {request.http_headers.statusline}"
    assert line == "GET /a-story/?b=2&a=1 HTTP/1.1"
    assert request.http_headers.get_header("Host") == "127.0.0.1:8000"


def test_repeated_headers_are_all_kept(written) -> None:
    path, _ = written
    headers = records(path)[1].http_headers.headers
    cookies = [value for name, value in headers if name == "Set-Cookie"]
    assert cookies == ["first=1; Path=/", "second=2; Path=/"]


def test_body_kept_as_received_with_content_encoding(tmp_path: Path, written) -> None:
    path, _ = written
    with path.open("rb") as handle:
        iterator = ArchiveIterator(handle)
        next(iterator)
        response = next(iterator)
        assert response.http_headers.get_header("Content-Encoding") == "gzip"
        assert response.raw_stream.read() == BODY


def test_no_chunked_header_in_front_of_a_dechunked_body(written) -> None:
    path, _ = written
    headers = records(path)[1].http_headers
    assert headers.get_header("Transfer-Encoding") is None
    assert headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"


def test_payload_digest_is_sha1_of_the_body_as_received(written) -> None:
    path, result = written
    expected = "sha1:" + b32encode(hashlib.sha1(BODY).digest()).decode()
    response = records(path)[1]
    assert response.rec_headers.get_header("WARC-Payload-Digest") == expected
    assert result.payload_digest == expected
    assert response.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")


def test_ip_address_and_date_recorded(written) -> None:
    path, _ = written
    response = records(path)[1]
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response.rec_headers.get_header("WARC-Date") == "2026-11-29T10:00:00.123456Z"


def test_each_record_is_its_own_gzip_member(written) -> None:
    path, result = written
    with path.open("rb") as handle:
        handle.seek(result.response.offset)
        member = handle.read(result.response.length)
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")


def test_files_rotate_at_max_size(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, max_size=1)
    first = writer.write_exchange(exchange())
    second = writer.write_exchange(exchange())
    writer.close()
    assert first.response.filename != second.response.filename
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 2
    for path in files:
        assert [r.rec_type for r in records(path)] == ["warcinfo", "response", "request"]


def test_file_names_are_unique_per_worker() -> None:
    when = datetime(2026, 11, 29, 10, 0, 0, 5000, tzinfo=UTC)
    name = warc_filename("NEWS", 7, when)
    assert name.startswith("NEWS-20261129100000005-00007-")
    assert name.endswith(".warc.gz")
    assert "~" in name  # pid~host, as Heritrix names files


# --- revisit records ---------------------------------------------------------------------


def _revisits(tmp_path: Path) -> tuple[list, object, object]:
    writer = WarcWriter(tmp_path)
    original = writer.write_exchange(exchange())
    first = Revisit(
        IDENTICAL_PAYLOAD,
        exchange().url,
        datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC),
        original.response.record_id,
    )
    later = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    same = writer.write_exchange(exchange(date=later), first)
    not_modified = exchange(
        date=later,
        status=304,
        reason="Not Modified",
        response_headers=[("ETag", '"abc"')],
        body=b"",
    )
    second = Revisit(SERVER_NOT_MODIFIED, first.target_uri, first.date, first.record_id)
    writer.write_exchange(not_modified, second)
    writer.close()
    (path,) = tmp_path.glob("*.warc.gz")
    return records(path), original, same


def test_identical_payload_revisit_refers_to_the_original(tmp_path: Path) -> None:
    written, original, same = _revisits(tmp_path)
    revisit = written[3]
    headers = revisit.rec_headers
    assert headers.get_header("WARC-Type") == "revisit"
    assert headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
    assert headers.get_header("WARC-Refers-To") == original.response.record_id
    assert headers.get_header("WARC-Refers-To-Target-URI") == exchange().url
    assert headers.get_header("WARC-Refers-To-Date") == "2026-11-29T10:00:00.123456Z"
    assert headers.get_header("WARC-Payload-Digest") == original.payload_digest
    assert same.payload_digest == original.payload_digest == payload_digest(BODY)
    # the status line and headers are kept, the body is not stored twice
    assert revisit.http_headers.get_header("Set-Cookie") == "first=1; Path=/"
    assert revisit.content_stream().read() == b""
    assert written[4].rec_headers.get_header("WARC-Concurrent-To") == same.response.record_id


def test_server_not_modified_revisit_keeps_the_304(tmp_path: Path) -> None:
    written, original, _ = _revisits(tmp_path)
    revisit = written[5]
    assert revisit.rec_headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
    assert revisit.rec_headers.get_header("WARC-Refers-To") == original.response.record_id
    assert revisit.rec_headers.get_header("WARC-Payload-Digest") is None
    assert revisit.http_headers.get_statuscode() == "304"
    assert revisit.http_headers.get_header("ETag") == '"abc"'


def test_payload_digest_is_warcios_sha1_base32() -> None:
    expected = "sha1:" + b32encode(hashlib.sha1(BODY).digest()).decode()
    assert payload_digest(BODY) == expected


def test_a_body_cut_by_a_disconnect_is_marked_truncated(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    writer.write_exchange(exchange(truncated="disconnect"))
    writer.write_exchange(exchange())
    writer.close()
    (path,) = tmp_path.glob("*.warc.gz")
    responses = [r for r in records(path) if r.rec_type == "response"]
    assert [r.rec_headers.get_header("WARC-Truncated") for r in responses] == ["disconnect", None]
