"""Item pipeline turning an article page into clean text and metadata."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from archive.models import Article
from pipelines.extract_pool import ExtractionWorkers, ExtractorPool, in_workers
from pipelines.extraction import extract_article
from pipelines.metadata import iso_date
from spiders.items import ArticleItem, ArticleStatusItem


class ExtractPipeline:
    """Gives each article page its clean text and metadata; drops pages with no text.

    The spider has usually extracted the article already, from the same parse of the
    page that found its links; otherwise it is extracted here, in the crawl's workers.
    """

    def __init__(self, pool: ExtractorPool, stats: StatsCollector):
        self.pool = pool
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Share the crawl's extraction workers (and so the spider profile's rules)."""
        return cls(ExtractionWorkers.pool_of(crawler), crawler.stats)

    async def process_item(
        self, item: ArticleItem | ArticleStatusItem
    ) -> ArticleItem | ArticleStatusItem:
        """Attach the extracted article to the item (status items have nothing to extract)."""
        if not isinstance(item, ArticleItem):
            return item
        article = item.article
        if not item.extracted:
            article = await in_workers(self.pool, extract_article, item.html, item.url)
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
