"""Writing HTTP exchanges to rotating, gzip-per-record WARC files with warcio."""

from __future__ import annotations

import itertools
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from archive.models import WarcLocation

WARC_VERSION = "WARC/1.1"
DEFAULT_MAX_SIZE = 1024**3

# Twisted de-chunks bodies before the crawler sees them, so the header would lie about
# the bytes that follow it; it is kept under this name instead (the convention of pywb
# and Browsertrix for headers whose meaning no longer holds).
ORIGINAL_HEADER_PREFIX = "X-Archive-Orig-"
_HOP_HEADERS = {"transfer-encoding"}

IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass
class HttpExchange:
    """One HTTP request and its response, as sent and received on the wire."""

    url: str
    method: str
    status: int
    reason: str
    http_version: str = "HTTP/1.1"
    request_http_version: str = "HTTP/1.1"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    ip_address: str | None = None
    date: datetime | None = None
    # Why the body is shorter than sent, as WARC-Truncated says it ("disconnect", "length").
    truncated: str | None = None

    @property
    def request_target(self) -> str:
        """The request line's target: path and query string, as the server saw it."""
        parts = urlsplit(self.url)
        target = parts.path or "/"
        return f"{target}?{parts.query}" if parts.query else target


@dataclass(frozen=True)
class Revisit:
    """What a revisit record points back to: an earlier full capture of the same URL."""

    profile: str
    target_uri: str
    date: datetime
    record_id: str


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest of a body, in warcio's form (`sha1:` + base32)."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def _warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True)


@dataclass
class WrittenExchange:
    """Where an exchange went: the response record, the request record and the digest."""

    response: WarcLocation
    request_record_id: str
    payload_digest: str | None


def warc_filename(prefix: str, serial: int, when: datetime | None = None) -> str:
    """A WARC file name unique per worker, in Heritrix's prefix-time-serial-pid~host form."""
    when = when or datetime.now(UTC)
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    host = socket.gethostname().replace("~", "-").replace("/", "-")
    return f"{prefix}-{stamp}-{serial:05d}-{os.getpid()}~{host}.warc.gz"


def _recorded_response_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (f"{ORIGINAL_HEADER_PREFIX}{name}" if name.lower() in _HOP_HEADERS else name, value)
        for name, value in headers
    ]


@dataclass(frozen=True)
class BuiltExchange:
    """An exchange's two records, each its own gzip member, ready to be appended to a file."""

    data: bytes
    response_length: int  # bytes of the response (or revisit) record, which comes first
    response_id: str
    request_id: str
    payload_digest: str | None


def build_exchange(exchange: HttpExchange, revisit: Revisit | None = None) -> BuiltExchange:
    """The response (or revisit) record then the request record of one exchange.

    A revisit record keeps the response's status line and headers but not its body,
    which is in the earlier record it refers to (or, for a 304, was never sent). Built
    in memory, so that both reach the file in one write.
    """
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
    common = {"WARC-Date": _warc_date(exchange.date or datetime.now(UTC))}
    if exchange.ip_address:
        common["WARC-IP-Address"] = exchange.ip_address

    http_response = StatusAndHeaders(
        f"{exchange.status} {exchange.reason}".strip(),
        _recorded_response_headers(exchange.response_headers),
        protocol=exchange.http_version,
    )
    if revisit is None:
        headers = dict(common)
        if exchange.truncated:
            headers["WARC-Truncated"] = exchange.truncated
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=http_response,
            warc_headers_dict=headers,
        )
    else:
        response = _revisit_record(writer, exchange, http_response, common, revisit)
    http_request = StatusAndHeaders(
        f"{exchange.method} {exchange.request_target} {exchange.request_http_version}",
        list(exchange.request_headers),
        is_http_request=True,
    )
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        http_headers=http_request,
        warc_headers_dict={**common, "WARC-Concurrent-To": response_id},
    )
    writer.write_record(response)
    length = buffer.tell()
    writer.write_record(request)
    return BuiltExchange(
        data=buffer.getvalue(),
        response_length=length,
        response_id=response_id,
        request_id=request.rec_headers.get_header("WARC-Record-ID"),
        payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
    )


def _revisit_record(
    writer: WARCWriter,
    exchange: HttpExchange,
    http_response: StatusAndHeaders,
    common: dict[str, str],
    revisit: Revisit,
) -> ArcWarcRecord:
    headers = {
        **common,
        "WARC-Profile": revisit.profile,
        "WARC-Refers-To-Target-URI": revisit.target_uri,
        "WARC-Refers-To-Date": _warc_date(revisit.date),
        "WARC-Refers-To": revisit.record_id,
    }
    if revisit.profile == IDENTICAL_PAYLOAD:
        headers["WARC-Payload-Digest"] = payload_digest(exchange.body)
    return writer.create_warc_record(
        exchange.url, "revisit", http_headers=http_response, warc_headers_dict=headers
    )


class WarcWriter:
    """Appends request/response record pairs to WARC files, rotating at `max_size` bytes."""

    def __init__(
        self,
        directory: str | Path,
        *,
        prefix: str = "NEWS",
        max_size: int = DEFAULT_MAX_SIZE,
        warcinfo: dict[str, str] | None = None,
    ):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.filename: str | None = None
        self._file: BinaryIO | None = None
        self._serial = itertools.count()

    def write_exchange(
        self, exchange: HttpExchange, revisit: Revisit | None = None
    ) -> WrittenExchange:
        """Write the response (or revisit) then the request record of one exchange."""
        return self._append(build_exchange(exchange, revisit))

    def _append(self, built: BuiltExchange) -> WrittenExchange:
        handle = self._current()
        offset = handle.tell()
        handle.write(built.data)
        handle.flush()
        return WrittenExchange(
            response=WarcLocation(
                filename=self.filename or "",
                offset=offset,
                length=built.response_length,
                record_id=built.response_id,
            ),
            request_record_id=built.request_id,
            payload_digest=built.payload_digest,
        )

    def close(self) -> None:
        """Flush and close the current file; the next write opens a new one."""
        if self._file is not None:
            self._file.close()
        self._file = None
        self.filename = None

    def _current(self) -> BinaryIO:
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            while True:
                name = warc_filename(self.prefix, next(self._serial))
                try:
                    handle = open(self.directory / name, "xb")  # noqa: SIM115 - kept open
                except FileExistsError:
                    continue
                break
            self._file, self.filename = handle, name
            writer = WARCWriter(handle, gzip=True, warc_version=WARC_VERSION)
            info = {"format": "WARC File Format 1.1", **self.warcinfo}
            info.setdefault("hostname", socket.gethostname())
            writer.write_record(writer.create_warcinfo_record(name, info))
            handle.flush()
        return self._file
