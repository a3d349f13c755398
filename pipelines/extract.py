"""Item pipeline turning an article page into clean text and metadata."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from pipelines.extraction import GENERIC_RULES, ExtractionRules, extract_article
from pipelines.metadata import iso_date
from spiders.items import ArticleItem, ArticleStatusItem


class ExtractPipeline:
    """Runs `extract_article` with the spider's site rules; drops pages with no text."""

    def __init__(self, rules: ExtractionRules, stats: StatsCollector):
        self.rules = rules
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Take the extraction rules from the spider's site profile."""
        profile = getattr(crawler.spider, "profile", None)
        rules = profile.extraction if profile is not None else GENERIC_RULES
        return cls(rules, crawler.stats)

    def process_item(
        self, item: ArticleItem | ArticleStatusItem
    ) -> ArticleItem | ArticleStatusItem:
        """Attach the extracted article to the item (status items have nothing to extract)."""
        if not isinstance(item, ArticleItem):
            return item
        article = extract_article(item.html, item.url, self.rules)
        if article is None:
            self.stats.inc_value("archive/extract_empty")
            raise DropItem(f"no article text in {item.url} (page kept in WARC)")
        if article.published is None and item.news_published:
            # the page gives no date; the site's Google News sitemap did
            article.published = iso_date(item.news_published)
        item.article = article
        return item
