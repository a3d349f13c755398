"""`scrapy crawl`, checking spider arguments and the archive before anything starts.

Scrapy reports a bad argument raised in a spider's constructor as a traceback after the
crawl machinery has started; this reports it as a one-line usage error (exit status 2).
Exit statuses, for cron and Scrapyd: 0 when the run finished (or was paused by Ctrl-C),
1 when it failed or a site could not be reached at all, 2 for bad arguments, 75
(EX_TEMPFAIL) when another crawl holds the archive.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.spiderloader import get_spider_loader

from archive.db import ArchiveError, open_archive
from archive.lock import ArchiveBusy, ArchiveLock
from archive.store import utc_now
from pipelines.extensions.archive_session import ArchiveSession
from pipelines.extensions.shared_crawl import redis_problem, shared_settings
from spiders.site_spiders import PROFILE_ERRORS

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 75


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command with `check_arguments` and ARCHIVE_DIR checked first."""

    _crawler: Crawler | None = None

    def _create_crawler(self, spname: str) -> Crawler:
        self._crawler = super()._create_crawler(spname)
        return self._crawler

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Check the spider, its arguments and the archive before Scrapy starts anything."""
        super().process_options(args, opts)
        if len(args) != 1:
            return  # Scrapy's own usage error follows
        if args[0] in PROFILE_ERRORS:
            _refuse(PROFILE_ERRORS[args[0]])
        for name, error in PROFILE_ERRORS.items():
            print(f"crawl: warning: profile {name!r} left out: {error}", file=sys.stderr)
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            _refuse(f"no spider named {args[0]!r}")
        check = getattr(spidercls, "check_arguments", None)
        redis_url = self.settings.get("REDIS_URL")
        if redis_url:
            # one worker of a crawl shared through Redis: its scheduler, and a shard
            if problem := redis_problem(redis_url):
                _refuse(problem, EXIT_FAILED)
            for name, value in shared_settings(self.settings.get("ARCHIVE_DIR")).items():
                self.settings.set(name, value, priority="cmdline")
        archive_dir = self.settings.get("ARCHIVE_DIR")
        try:
            if check is not None:
                check(**opts.spargs)
            if archive_dir:
                # The lock first: a second crawl must not even run migrations.
                ArchiveLock(archive_dir).acquire(utc_now())
                open_archive(archive_dir).close()
        except ArchiveBusy as exc:
            _refuse(str(exc), EXIT_BUSY)
        except (ValueError, TypeError, ArchiveError) as exc:
            _refuse(str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Crawl as Scrapy does, then exit with the run's fate."""
        super().run(args, opts)
        session = self._crawler.get_extension(ArchiveSession) if self._crawler else None
        failed = session is not None and session.status == "failed"
        unreachable = getattr(getattr(self._crawler, "spider", None), "unreachable", None)
        # a worker of a shared crawl that lost its Redis stopped short of the end
        lost = session is not None and session.status == "redis_lost"
        if (failed or unreachable or lost) and not self.exitcode:
            self.exitcode = EXIT_FAILED


def _refuse(message: str, status: int = EXIT_USAGE) -> NoReturn:
    """One line on stderr and an exit status, before any of Scrapy's logging starts."""
    print(f"crawl: error: {message}", file=sys.stderr)
    sys.exit(status)
