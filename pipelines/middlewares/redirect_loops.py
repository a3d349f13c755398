"""Say when a redirect chain goes round in a circle or goes on too long.

Scrapy's RedirectMiddleware stops a chain after REDIRECT_MAX_TIMES redirects, and its
duplicate filter silently drops a redirect back to a URL already fetched, both logged at
DEBUG only. This middleware, just before it in the response chain (610 against its 600),
logs either case at INFO and counts it (`archive/redirect_loops`,
`archive/redirect_chains_too_long`); a loop is dropped at once. The redirects themselves
are in the WARC already.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}


class RedirectLoopLog:
    """Downloader middleware logging redirect loops and over-long chains."""

    def __init__(self, max_times: int, stats: StatsCollector):
        self.max_times = max_times
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopLog:
        """Follow REDIRECT_ENABLED and REDIRECT_MAX_TIMES, as RedirectMiddleware does."""
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES"), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        """Drop a redirect back into its own chain; log a chain RedirectMiddleware will end."""
        location = response.headers.get("Location")
        if response.status not in _REDIRECTS or location is None:
            return response
        target = safe_url_string(urljoin(response.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            self.stats.inc_value("archive/redirect_loops")
            logger.info("Redirect loop, not followed: %s", " -> ".join([*chain, target]))
            raise IgnoreRequest(f"redirect loop at {request.url}")
        if request.meta.get("redirect_times", 0) >= self.max_times:
            self.stats.inc_value("archive/redirect_chains_too_long")
            logger.info(
                "More than %d redirects from %s, not followed past %s",
                self.max_times,
                chain[0],
                request.url,
            )
        return response
