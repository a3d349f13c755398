"""Keep every request on the crawled sites (same host AND port, http(s) only), but for
the requisites of their pages and the robots.txt of the hosts that serve them.

Scrapy's own OffsiteMiddleware compares host names, so a link or a redirect to another
server on the same host (`127.0.0.1:8081` from a site on `127.0.0.1:8080`) gets through,
and it lets non-HTTP schemes pass to their download handlers (`file:`, `data:`, `ftp:`).
This middleware runs first in the downloader (priority 50, before robots.txt at 100, so no
other site's robots.txt is fetched either) and drops any request, redirects included, that
the spider's `may_fetch` refuses: each crawled site's `UrlPolicy.on_site`, and for the
requisites the spider asks for off the sites (stylesheets, images and fonts from a CDN),
its address policy (`spiders.requisites`), checked again on every redirect.
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
    """Drops requests for other sites than the crawled ones; logs each other site once."""

    def __init__(self, crawler: Crawler, stats: StatsCollector):
        self.crawler = crawler
        self.stats = stats
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOnlyMiddleware:
        """Follow the crawl's spider, whose `on_site` says what its sites are."""
        return cls(crawler, crawler.stats)

    def process_request(self, request: Request) -> None:
        """Let requests for the crawled sites through; raise IgnoreRequest for the rest."""
        may_fetch = getattr(self.crawler.spider, "may_fetch", None)
        if may_fetch is None or may_fetch(request):
            return
        parts = urlsplit(request.url)
        where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
        self.stats.inc_value("archive/offsite_dropped")
        if where not in self._seen:
            self._seen.add(where)
            logger.info(
                "Not fetching %s: %s is not a crawled site (further requests there are "
                "dropped quietly)",
                request.url[:200],
                where,
            )
        raise IgnoreRequest(f"not on a crawled site: {request.url[:200]}")
