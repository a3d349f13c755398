"""Keep every request on the crawled site: same host AND port, http(s) only.

Scrapy's own OffsiteMiddleware compares host names, so a link or a redirect to another
server on the same host (`127.0.0.1:8081` from a site on `127.0.0.1:8080`) gets through,
and it lets non-HTTP schemes pass to their download handlers (`file:`, `data:`, `ftp:`).
This middleware runs first in the downloader (priority 50, before robots.txt at 100, so no
other site's robots.txt is fetched either) and drops any request, redirects included, that
the spider's `UrlPolicy.on_site` refuses.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class SiteOnlyMiddleware:
    """Drops requests for another site than the spider's; logs each other site once."""

    def __init__(self, crawler: Crawler, stats: StatsCollector):
        self.crawler = crawler
        self.stats = stats
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOnlyMiddleware:
        """Follow the crawl's spider, whose `policy` says what its site is."""
        return cls(crawler, crawler.stats)

    def process_request(self, request: Request) -> None:
        """Let on-site http(s) requests through; raise IgnoreRequest for the rest."""
        policy = getattr(self.crawler.spider, "policy", None)
        if policy is None or policy.on_site(request.url):
            return
        parts = urlsplit(request.url)
        where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
        self.stats.inc_value("archive/offsite_dropped")
        if where not in self._seen:
            self._seen.add(where)
            logger.info(
                "Not fetching %s: %s is not the crawled site %s (further requests there "
                "are dropped quietly)",
                request.url[:200],
                where,
                policy.address,
            )
        raise IgnoreRequest(f"not on the crawled site: {request.url[:200]}")
