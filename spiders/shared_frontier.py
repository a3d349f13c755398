"""A re-run shared by workers: what one worker must hear of the others' sitemaps.

A re-run skips the archived articles its sitemaps show unchanged and, at its end, revisits
the archived articles no sitemap listed (`spiders/incremental.py`). In a crawl shared
through Redis each worker reads only some of a site's sitemaps, so what "no sitemap
listed" means must be the crawl's, not the worker's: an article a sitemap shows unchanged
is counted as asked for in the shared duplicate filter (the scrapy-redis one the
scheduler uses), so that no worker revisits it, and a worker revisits only once the whole
crawl is quiet (nothing queued, no other worker busy), when every sitemap has been read.
"""

from __future__ import annotations

import contextlib
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.misc import load_object

from pipelines.extensions.shared_crawl import REDIS_ERRORS, SharedCrawl


class SharedFrontier:
    """The shared crawl's duplicate filter and queue, as one worker's spider sees them."""

    def __init__(self, dupefilter: Any, crawl: SharedCrawl):
        self.dupefilter = dupefilter
        self.crawl = crawl

    @classmethod
    def of(cls, spider: Spider) -> SharedFrontier | None:
        """The spider's shared frontier; None when the crawl is not shared (no REDIS_URL)."""
        crawler = spider.crawler
        crawl = crawler.get_extension(SharedCrawl) if crawler.settings.get("REDIS_URL") else None
        if crawl is None:
            return None
        # the scheduler's own duplicate filter, opened as the scheduler opens it
        dupefilter = load_object(crawler.settings["DUPEFILTER_CLASS"]).from_spider(spider)
        return cls(dupefilter, crawl)

    def skip(self, url: str) -> None:
        """Count a URL as asked for by the crawl (a sitemap shows its page unchanged)."""
        # a lost Redis: the scheduler says so and stops the worker
        with contextlib.suppress(*REDIS_ERRORS):
            self.dupefilter.request_seen(Request(url))

    def asked(self, url: str) -> bool:
        """Whether a worker asked for the URL already (or skipped it as unchanged)."""
        fingerprint = self.dupefilter.request_fingerprint(Request(url))
        try:
            return bool(self.dupefilter.server.sismember(self.dupefilter.key, fingerprint))
        except REDIS_ERRORS:
            return False

    def quiet(self) -> bool:
        """Whether the crawl has nothing queued and no other worker is busy."""
        try:
            return self.crawl.quiet()
        except REDIS_ERRORS:
            return True  # the worker is stopping: nothing to wait for
