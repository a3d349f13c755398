"""Item pipeline saving articles, and what became of archived ones, in the SQLite archive."""

from __future__ import annotations

import logging
import sqlite3

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from archive.sites import site_address
from archive.store import EMPTY, ArchiveStore
from pipelines.extensions.archive_session import ArchiveSession
from pipelines.items import GONE, ArticleItem, ArticleStatusItem

logger = logging.getLogger(__name__)


class SaveArticlesPipeline:
    """Saves each article; a new `versions` row only when its clean text changed."""

    def __init__(self, store: ArchiveStore, stats: StatsCollector):
        self.store = store
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SaveArticlesPipeline:
        """Share the crawl's archive session."""
        return cls(ArchiveSession.of(crawler, "storing articles").store, crawler.stats)

    def process_item(
        self, item: ArticleItem | ArticleStatusItem
    ) -> ArticleItem | ArticleStatusItem:
        """Store the item's article (or its new status) and count what happened to it."""
        if isinstance(item, ArticleStatusItem):
            return self._store_status(item)
        if item.fetch_id is None or item.fetched_at is None:
            self.stats.inc_value("archive/store_skipped")
            raise DropItem(f"{item.url} has no archived fetch")
        try:
            outcome = self.store.save_article(
                item.article, item.fetch_id, item.fetched_at, sitemap_lastmod=item.sitemap_lastmod
            )
        except sqlite3.Error as exc:
            self.stats.inc_value("archive/store_error")
            logger.error("Cannot store %s (its page is in the WARC): %s", item.url, exc)
            raise DropItem(f"storage failed for {item.url}") from exc
        self._count(outcome, item.url)
        if outcome == EMPTY:
            raise DropItem(
                f"{item.url} holds nothing but the site's boilerplate (page kept in WARC)"
            )
        return item

    def _store_status(self, item: ArticleStatusItem) -> ArticleStatusItem:
        if item.fetch_id is None or item.fetched_at is None:
            self.stats.inc_value("archive/store_skipped")
            raise DropItem(f"{item.url} has no archived fetch")
        if item.outcome == GONE:
            self.store.mark_gone(item.url, item.status, item.fetched_at, fetch_id=item.fetch_id)
            logger.info("Gone (HTTP %d), kept in the archive: %s", item.status, item.url)
        else:
            self.store.mark_not_modified(
                item.url, item.fetch_id, item.fetched_at, sitemap_lastmod=item.sitemap_lastmod
            )
        self._count(item.outcome, item.url)
        return item

    def _count(self, outcome: str, url: str) -> None:
        """Count what happened to an article, for the run and for its site."""
        self.stats.inc_value(f"archive/articles_{outcome}")
        self.stats.inc_value(f"archive/articles_{outcome}/{site_address(url)}")
