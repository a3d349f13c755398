"""Item pipeline turning an article page into clean text and metadata."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future

from archive.models import Article
from pipelines.extract_pool import ExtractorPool, default_processes
from pipelines.extraction import GENERIC_RULES, extract_article
from pipelines.metadata import iso_date
from spiders.items import ArticleItem, ArticleStatusItem


class ExtractPipeline:
    """Runs `extract_article` with the spider's site rules in worker processes; drops pages
    with no text."""

    def __init__(self, pool: ExtractorPool, stats: StatsCollector, reactor: object):
        self.pool = pool
        self.stats = stats
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Take the extraction rules from the spider's site profile, workers from
        EXTRACT_PROCESSES."""
        from twisted.internet import reactor  # installed by now: the crawler chose it

        profile = getattr(crawler.spider, "profile", None)
        rules = profile.extraction if profile is not None else GENERIC_RULES
        processes = crawler.settings.get("EXTRACT_PROCESSES")
        processes = default_processes() if processes in (None, "") else int(processes)
        level = logging.getLevelName(crawler.settings.get("LOG_LEVEL", "INFO"))
        pool = ExtractorPool(rules, processes, level if isinstance(level, int) else logging.INFO)
        return cls(pool, crawler.stats, reactor)

    def open_spider(self) -> None:
        """Start the extraction workers."""
        self.pool.start()
        self.stats.set_value("extract/processes", self.pool.processes)

    def close_spider(self) -> None:
        """Stop the workers once the last page is extracted."""
        self.stats.set_value("extract/worker_pids", len(self.pool.worker_pids))
        self.pool.close()

    async def process_item(
        self, item: ArticleItem | ArticleStatusItem
    ) -> ArticleItem | ArticleStatusItem:
        """Attach the extracted article to the item (status items have nothing to extract)."""
        if not isinstance(item, ArticleItem):
            return item
        if self.pool.in_process:
            article = extract_article(item.html, item.url, self.pool.rules)
        else:
            pending = self.pool.extract_deferred(item.html, item.url, self.reactor)
            article = await maybe_deferred_to_future(pending)
        return self.attach(item, article)

    def attach(self, item: ArticleItem, article: Article | None) -> ArticleItem:
        """The item with its article; DropItem when the page had no article text."""
        if article is None:
            self.stats.inc_value("archive/extract_empty")
            raise DropItem(f"no article text in {item.url} (page kept in WARC)")
        if article.published is None and item.news_published:
            # the page gives no date; the site's Google News sitemap did
            article.published = iso_date(item.news_published)
        item.article = article
        return item
