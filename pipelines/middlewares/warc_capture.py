"""Downloader middleware writing every HTTP exchange to WARC and to the `fetches` table."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from importlib.metadata import version
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

from archive.db import warc_dir
from archive.known import Capture
from archive.models import Fetch
from archive.store import ArchiveStore
from archive.warc_writer import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    HttpExchange,
    Revisit,
    WarcWriter,
    payload_digest,
)
from pipelines.extensions.archive_session import ArchiveSession

logger = logging.getLogger(__name__)

FETCH_META_KEY = "archive_fetch"
# Set on a request whose response was archived as a revisit (the WARC profile's URI).
REVISIT_META_KEY = "archive_revisit"
# Set by the spider on a request for a page's requisite: the address of the site whose
# page needs it. Its fetch is recorded as a requisite.
REQUISITE_META_KEY = "requisite_of"


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _first(headers: Headers, name: str) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


def request_headers_as_sent(request: Request) -> list[tuple[str, str]]:
    """The request's headers, with the Host and Content-Length the HTTP client adds."""
    pairs = _header_pairs(request.headers)
    names = {name.lower() for name, _ in pairs}
    added = []
    if "host" not in names:
        added.append(("Host", urlsplit(request.url).netloc))
    if request.body and "content-length" not in names:
        added.append(("Content-Length", str(len(request.body))))
    return added + pairs


def revisit_of(exchange: HttpExchange, previous: Capture | None) -> Revisit | None:
    """A revisit when the URL's last full capture already holds this response's content."""
    if previous is None:
        return None
    if exchange.status == 304:
        profile = SERVER_NOT_MODIFIED
    elif exchange.status == 200 and previous.payload_digest == payload_digest(exchange.body):
        profile = IDENTICAL_PAYLOAD
    else:
        return None
    return Revisit(
        profile, previous.url, datetime.fromisoformat(previous.fetched_at), previous.record_id
    )


def exchange_from(request: Request, response: Response, now: datetime) -> HttpExchange:
    """Describe a Scrapy request/response pair as the HTTP exchange that happened."""
    latency = request.meta.get("download_latency") or 0.0
    return HttpExchange(
        url=response.url,
        method=request.method,
        status=response.status,
        reason=_reason(response.status),
        http_version=response.protocol or "HTTP/1.1",
        request_headers=request_headers_as_sent(request),
        request_body=request.body,
        response_headers=_header_pairs(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        date=now - timedelta(seconds=latency),
        # with DOWNLOAD_FAIL_ON_DATALOSS off, Scrapy hands on what arrived before a reset
        truncated="disconnect" if "dataloss" in response.flags else None,
    )


class WarcCaptureMiddleware:
    """Writes request and response records for each exchange, before anything alters them."""

    def __init__(self, writer: WarcWriter, store: ArchiveStore, stats: StatsCollector):
        self.writer = writer
        self.store = store
        self.stats = stats
        self._failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        """Build the writer from WARC_* settings and share the crawl's archive session."""
        session = ArchiveSession.of(crawler, "WARC capture")
        settings = crawler.settings
        spider = crawler.spider
        contact = settings.get("CRAWL_CONTACT_URL")
        warcinfo = {
            "software": (
                f"{settings.get('BOT_NAME')}/{settings.get('VERSION', '0')} "
                f"(Scrapy/{version('scrapy')}; warcio/{version('warcio')})"
            ),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "operator": contact,
            "isPartOf": spider.name if spider else None,
            "description": (
                f"Crawl of {getattr(spider, 'base_url', '?')} by spider {spider.name}"
                if spider
                else None
            ),
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        }
        writer = WarcWriter(
            warc_dir(session.archive_dir),
            prefix=settings.get("WARC_PREFIX", "NEWS"),
            max_size=settings.getint("WARC_MAX_SIZE"),
            warcinfo={k: v for k, v in warcinfo.items() if v},
        )
        middleware = cls(writer, session.store, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        """Archive the exchange, remember its fetch id on the request, pass it on."""
        if urlsplit(response.url).scheme not in ("http", "https"):
            return response
        exchange = exchange_from(request, response, datetime.now(UTC))
        try:
            previous = (
                self.store.last_capture(exchange.url) if exchange.status in (200, 304) else None
            )
            revisit = revisit_of(exchange, previous)
            # a capture in the history archive has no fetch id here: merge resolves it
            in_history = previous is not None and previous.in_history
            written = self.writer.write_exchange(exchange, revisit)
            fetch = Fetch(
                url=exchange.url,
                method=exchange.method,
                status=exchange.status,
                # The same moment as the records' WARC-Date: when the request went out.
                fetched_at=exchange.date.isoformat(timespec="milliseconds"),
                response=written.response,
                request_record_id=written.request_record_id,
                payload_digest=written.payload_digest,
                content_type=_first(response.headers, "Content-Type"),
                content_length=len(response.body),
                etag=_first(response.headers, "ETag"),
                last_modified=_first(response.headers, "Last-Modified"),
                location=_first(response.headers, "Location"),
                ip_address=exchange.ip_address,
                warc_type="revisit" if revisit else "response",
                refers_to_fetch_id=previous.fetch_id if revisit and not in_history else None,
                refers_to_record_id=previous.record_id if revisit and in_history else None,
                requisite=REQUISITE_META_KEY in request.meta,
            )
            fetch_id = self.store.record_fetch(fetch)
        except (OSError, sqlite3.Error) as exc:
            self.stats.inc_value("archive/warc_error")
            if not self._failed:
                logger.error(
                    "Cannot archive %s: %s (further errors counted only)", response.url, exc
                )
                self._failed = True
            return response
        request.meta[FETCH_META_KEY] = (fetch_id, fetch.fetched_at)
        if revisit is not None:
            request.meta[REVISIT_META_KEY] = revisit.profile
            self.stats.inc_value("archive/revisits")
        self.stats.inc_value("archive/warc_records", 2)
        self.stats.inc_value("archive/fetches")
        if fetch.requisite:
            self.stats.inc_value("requisites/fetched")
        return response

    def spider_closed(self, spider: Spider) -> None:
        """Close the current WARC file."""
        self.writer.close()
