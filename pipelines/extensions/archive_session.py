"""The crawl's handle on its archive: opened once, shared, and closed with the run row."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

from archive.db import open_archive, open_history
from archive.lock import ArchiveLock
from archive.recovery import recover
from archive.reextract import reclean_site
from archive.store import ArchiveStore, utc_now
from pipelines.extensions.extraction_workers import spider_rules

logger = logging.getLogger(__name__)

_STATUS_BY_REASON = {"finished": "finished", "shutdown": "interrupted"}


def command_line_settings(crawler: Crawler) -> dict[str, Any]:
    """The settings given on the command line (`-s NAME=VALUE`), for the run record."""
    return {
        name: crawler.settings[name]
        for name in crawler.settings
        if crawler.settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
    }


class ArchiveSession:
    """Scrapy extension owning the crawl's `ArchiveStore` and its row in `runs`.

    With `ARCHIVE_HISTORY_DIR` (set for each worker of a shared crawl: the archive its
    shards are merged into), what earlier crawls archived is read from that archive,
    read-only, as well as from ARCHIVE_DIR: the crawl is a re-run of what it holds.
    """

    def __init__(self, archive_dir: str, crawler: Crawler, history_dir: str | None = None):
        self.archive_dir = archive_dir
        self.history_dir = history_dir
        self.crawler = crawler
        # Taken before the database is touched: a second crawl must change nothing.
        self.lock = ArchiveLock(archive_dir).acquire(utc_now())
        # an archive is no history of itself: what it holds is read from it anyway
        same = history_dir and Path(history_dir).resolve() == Path(archive_dir).resolve()
        history = None if same else open_history(history_dir)
        self.store = ArchiveStore(open_archive(archive_dir), history)
        # Under the lock no other crawl writes: what a killed one left half-done is repaired.
        recover(archive_dir, self.store.db)
        self.status: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSession:
        """Open the archive named by ARCHIVE_DIR and follow the spider's lifetime."""
        settings = crawler.settings
        session = cls(settings.get("ARCHIVE_DIR"), crawler, settings.get("ARCHIVE_HISTORY_DIR"))
        crawler.signals.connect(session.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(session.spider_closed, signal=signals.spider_closed)
        return session

    @classmethod
    def of(cls, crawler: Crawler, component: str) -> ArchiveSession:
        """The crawl's session, for a component that cannot work without one."""
        session = crawler.get_extension(cls)
        if session is None:
            raise NotConfigured(f"{component} needs the ArchiveSession extension")
        return session

    def spider_opened(self, spider: Spider) -> None:
        """Record the start of the run."""
        arguments = {
            "spider_arguments": getattr(spider, "arguments", {}),
            "settings": command_line_settings(self.crawler),
        }
        run_id = self.store.start_run(spider.name, arguments)
        for site, rules in spider_rules(spider).items():
            if site:  # "" is the spider's own fallback, not a site
                self.store.record_site_rules(site, rules.as_dict())
        logger.info("Archiving into %s (run %d)", self.archive_dir, run_id)
        if self.store.history is not None:
            logger.info("Reading what earlier crawls archived from %s", self.history_dir)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Re-clean what a learned body container makes stale, record the end of the run
        with Scrapy's stats, then close the database."""
        for site, rules in spider_rules(spider).items():
            if site and rules.learned_container:
                self.reclean(site)
        stats = self.crawler.stats.get_stats()
        # one worker of a shared crawl may find every page taken by the others
        shared = bool(self.crawler.settings.get("REDIS_URL"))
        status = self.store.finish_run(
            _STATUS_BY_REASON.get(reason, reason), reason, stats, empty_is_failure=not shared
        )
        self.status = status
        if status == "failed":
            # the spider has said why in one ERROR line (a site it could not reach)
            logger.warning("Run %d fetched nothing: recorded as failed", self.store.run_id)
        self.store.db.close()
        if self.store.history is not None:
            self.store.history.close()
        self.lock.release()

    def reclean(self, site: str) -> None:
        """Re-extract, from the WARCs, the site's articles read before its body container
        was learned (or by an earlier crawl): `reextract`, as the command line runs it.

        A failure is logged and leaves the texts as they were: `python -m archive
        reextract`, or the next crawl's end, does it again.
        """
        stats = self.crawler.stats
        try:
            done = reclean_site(
                self.store.db,
                self.archive_dir,
                site,
                announce=lambda n: logger.info(
                    "Re-cleaning %d stored texts of %s with its body container", n, site
                ),
            )
        except Exception:  # the crawl's own records must still be written
            logger.exception("Could not re-clean the articles of %s", site)
            return
        if done is None:
            return
        stats.inc_value("extract/recleaned", done.versions)
        stats.inc_value("extract/recleaned_changed", done.changed)
        logger.info(
            "Re-cleaned %d stored texts of %s with its body container: %d changed "
            "(%d words gained, %d lost)%s%s",
            done.versions,
            site,
            done.changed,
            done.words_gained,
            done.words_lost,
            f"; {done.boilerplate_unlearned} paragraphs learned as boilerplate from the old "
            "texts given back"
            if done.boilerplate_unlearned
            else "",
            f"; {done.unreadable} could not be read again, kept as they were"
            if done.unreadable
            else "",
        )
