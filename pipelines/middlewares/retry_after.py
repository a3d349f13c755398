"""Honour `Retry-After`: a retried 429 or 503 waits as long as the server asked.

Scrapy's RetryMiddleware retries such answers at once. This middleware sits just before it
in the response chain (priority 555 against its 550) and holds the response back for the
Retry-After time, at most RETRY_AFTER_MAX seconds, so the retry goes out no earlier. Only
that request waits; the rest of the crawl goes on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import sleep

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Seconds a `Retry-After` value asks for (delta-seconds or HTTP-date), None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Delays a response that RetryMiddleware will retry by its Retry-After time."""

    def __init__(
        self,
        max_delay: float,
        retry_codes: set[int],
        max_retry_times: int,
        stats: StatsCollector,
    ):
        self.max_delay = max_delay
        self.retry_codes = retry_codes
        self.max_retry_times = max_retry_times
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        """Read RETRY_AFTER_MAX and the RETRY_* settings RetryMiddleware also follows."""
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED") or settings.getfloat("RETRY_AFTER_MAX") <= 0:
            raise NotConfigured
        return cls(
            settings.getfloat("RETRY_AFTER_MAX"),
            {int(code) for code in settings.getlist("RETRY_HTTP_CODES")},
            settings.getint("RETRY_TIMES"),
            crawler.stats,
        )

    def delay_for(self, request: Request, response: Response) -> float:
        """How long to hold this response back: 0 unless it is retried and says when."""
        value = response.headers.get("Retry-After")
        if (
            value is None
            or response.status not in self.retry_codes
            or request.meta.get("dont_retry", False)
            or request.meta.get("retry_times", 0)
            >= request.meta.get("max_retry_times", self.max_retry_times)
        ):
            return 0.0
        seconds = retry_after_seconds(value.decode("latin-1"), datetime.now(UTC))
        if seconds is None:
            return 0.0
        return min(seconds, self.max_delay)

    async def process_response(self, request: Request, response: Response) -> Response:
        """Wait out the Retry-After time, then let RetryMiddleware retry."""
        delay = self.delay_for(request, response)
        if delay > 0:
            logger.info(
                "HTTP %d with Retry-After for %s: retrying in %.1f s",
                response.status,
                request.url,
                delay,
            )
            self.stats.inc_value("archive/retry_after_waits")
            await sleep(delay)
        return response
