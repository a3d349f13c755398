"""What an operator reads of a crawl: a progress line that means something, a summary.

Instead of Scrapy's "Crawled 0 pages (at 0 pages/min)", every PROGRESS_INTERVAL seconds:
pages fetched and their rate, articles new / changed / unchanged, requests waiting, trap
families cut and query parameters learned (one line per site when there are several).
At the end, the same figures for the whole run. Scrapy's own lines for a failed download
come down to one WARNING line without a traceback: the spider says what failed, once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call

from archive.sites import site_address
from pipelines.middlewares.warc_capture import REQUISITE_META_KEY

logger = logging.getLogger(__name__)

# Scrapy loggers whose download-failure lines repeat what the spider reports itself.
_DOWNLOAD_FAILURE_LOGGERS = (
    "scrapy.downloadermiddlewares.retry",
    "scrapy.downloadermiddlewares.robotstxt",
)


class _OneLineDownloadFailures(logging.Filter):
    """ERROR with a traceback for a failed download becomes one WARNING line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith(
            ("Gave up retrying", "Error downloading")
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = None
            record.exc_text = None
        return True


def _plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} " + (noun if count == 1 else nouns or noun + "s")


class CrawlReport:
    """Scrapy extension logging the crawl's progress every few seconds, and a summary."""

    def __init__(self, crawler: Crawler, stats: StatsCollector, interval: float):
        self.crawler = crawler
        self.stats = stats
        self.interval = interval
        self.pages: Counter[str] = Counter()  # responses by site
        self.started = time.monotonic()
        self._last = (self.started, 0)
        self._task: Any = None
        self._filter = _OneLineDownloadFailures()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        """Report every PROGRESS_INTERVAL seconds (0: only the summary)."""
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        if interval < 0:
            raise NotConfigured
        report = cls(crawler, crawler.stats, interval)
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.response_received, signal=signals.response_received)
        return report

    def spider_opened(self, spider: Spider) -> None:
        """Start the clock and the progress lines; quiet Scrapy's repeated failure lines."""
        for name in _DOWNLOAD_FAILURE_LOGGERS:
            logging.getLogger(name).addFilter(self._filter)
        self.started = time.monotonic()
        self._last = (self.started, 0)
        if self.interval > 0:
            self._task = create_looping_call(self.log_progress)
            self._task.start(self.interval, now=False)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Count a fetched page for its site (a page's requisites are counted apart)."""
        if REQUISITE_META_KEY in request.meta:
            return
        self.pages[site_address(response.url)] += 1
        self.stats.inc_value(f"sites/{site_address(response.url)}/pages")

    def _articles(self, site: str | None = None) -> str:
        suffix = f"/{site}" if site else ""
        get = self.stats.get_value
        new = get(f"archive/articles_new{suffix}", 0)
        changed = get(f"archive/articles_changed{suffix}", 0)
        unchanged = get(f"archive/articles_unchanged{suffix}", 0) + get(
            f"archive/articles_not_modified{suffix}", 0
        )
        gone = get(f"archive/articles_gone{suffix}", 0)
        text = f"articles {new:,} new, {changed:,} changed, {unchanged:,} unchanged"
        return text + (f", {gone:,} gone" if gone else "")

    def _fetched(self) -> str:
        """How many pages were fetched, and requisites when the pages' were fetched too."""
        pages = _plural(sum(self.pages.values()), "page")
        requisites = self.stats.get_value("requisites/fetched", 0)
        return f"{pages} and {_plural(requisites, 'requisite')}" if requisites else pages

    def _traps(self) -> str:
        get = self.stats.get_value
        cut, learned = get("traps/families_cut", 0), get("traps/params_learned", 0)
        return (
            f"{_plural(cut, 'trap family', 'trap families')} cut, "
            f"{_plural(learned, 'query parameter')} learned"
        )

    def log_progress(self) -> None:
        """One line on the crawl so far (and one per site when there are several)."""
        now = time.monotonic()
        pages = sum(self.pages.values())
        last_time, last_pages = self._last
        rate = (pages - last_pages) / max(now - last_time, 1e-9)
        self._last = (now, pages)
        get = self.stats.get_value
        waiting = get("scheduler/enqueued", 0) - get("scheduler/dequeued", 0)
        held = getattr(self.crawler.spider, "held_requests", lambda: 0)()
        logger.info(
            "Progress: %s fetched (%.1f/s); %s; %s waiting, %s held by trap families; %s",
            self._fetched(),
            rate,
            self._articles(),
            f"{waiting:,}",
            f"{held:,}",
            self._traps(),
        )
        self._per_site()

    def _per_site(self) -> None:
        if len(self.pages) > 1:
            for site, count in sorted(self.pages.items()):
                logger.info("  %s: %s; %s", site, _plural(count, "page"), self._articles(site))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Stop the progress lines; sum the run up."""
        if self._task is not None and self._task.running:
            self._task.stop()
        for name in _DOWNLOAD_FAILURE_LOGGERS:
            logging.getLogger(name).removeFilter(self._filter)
        elapsed = time.monotonic() - self.started
        get = self.stats.get_value
        logger.info(
            "Summary (%s): %s fetched in %.1f s; %s; %s (%s spent on them, %s not made)",
            reason,
            self._fetched(),
            elapsed,
            self._articles(),
            self._traps(),
            _plural(get("traps/pages_spent", 0), "page"),
            _plural(get("traps/requests_dropped", 0), "request"),
        )
        self._per_site()
