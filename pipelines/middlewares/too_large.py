"""Count the downloads Scrapy cancels for passing DOWNLOAD_MAXSIZE: `archive/too_large`.

Scrapy logs such a cancellation and counts it only as one more
`downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError`; this makes it
a figure of its own in the run's stats.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class TooLargeCounter:
    """Downloader middleware counting and naming the pages too large to download."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TooLargeCounter:
        """Count into the crawl's stats."""
        return cls(crawler.stats)

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Count a cancellation for size; let every exception go on its way."""
        if isinstance(exception, DownloadCancelledError) and "max size" in str(exception):
            self.stats.inc_value("archive/too_large")
            logger.warning("Not archived, larger than DOWNLOAD_MAXSIZE: %s", request.url)
