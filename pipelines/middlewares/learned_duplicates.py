"""Drop a request that a lesson learned since it was queued makes a duplicate.

A crawl learns that a query parameter changes nothing (`spiders/query_lessons.py`) while
requests carrying it already wait in the scheduler: a sort filter's pages, sent before the
page that taught the lesson was read. Just before each download, this middleware asks the
spider (`learned_duplicate`) whether the request, in the form today's lessons give its URL,
is a page the crawl has already asked for; if so it goes no further, and its trap family
counts it as a page that brought nothing.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector


class LearnedDuplicatesMiddleware:
    """Drops queued requests that the crawl's lessons have since made duplicates."""

    def __init__(self, crawler: Crawler, stats: StatsCollector):
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LearnedDuplicatesMiddleware:
        """Follow the crawl's spider, whose `learned_duplicate` knows the lessons."""
        return cls(crawler, crawler.stats)

    def process_request(self, request: Request) -> None:
        """Let the request through unless a lesson makes it a duplicate."""
        learned_duplicate = getattr(self.crawler.spider, "learned_duplicate", None)
        same = learned_duplicate(request) if learned_duplicate is not None else None
        if same is None:
            return
        self.stats.inc_value("traps/duplicates_avoided")
        raise IgnoreRequest(f"the same page as {same[:200]}, by what the crawl has learned")
