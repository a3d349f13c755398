"""`scrapy crawl`, checking spider arguments and the archive before anything starts.

Scrapy reports a bad argument raised in a spider's constructor as a traceback after the
crawl machinery has started; this reports it as a one-line usage error (exit status 2).
Exit statuses, for cron and Scrapyd: 0 when the run finished (or was paused by Ctrl-C),
1 when it failed, 2 for bad arguments, 75 (EX_TEMPFAIL) when another crawl holds the
archive.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from archive.db import ArchiveError, open_archive
from archive.lock import ArchiveBusy, ArchiveLock
from archive.store import utc_now
from pipelines.archive_session import ArchiveSession

EXIT_FAILED = 1
EXIT_BUSY = 75


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command with `check_arguments` and ARCHIVE_DIR checked first."""

    _crawler: Crawler | None = None

    def _create_crawler(self, spname: str) -> Crawler:
        self._crawler = super()._create_crawler(spname)
        return self._crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Validate, take the archive's lock, crawl as Scrapy does, exit with the run's fate."""
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError as exc:
                raise UsageError(f"no spider named {args[0]!r}", print_help=False) from exc
            check = getattr(spidercls, "check_arguments", None)
            archive_dir = self.settings.get("ARCHIVE_DIR")
            try:
                if check is not None:
                    check(**opts.spargs)
                if archive_dir:
                    # The lock first: a second crawl must not even run migrations.
                    ArchiveLock(archive_dir).acquire(utc_now())
                    open_archive(archive_dir).close()
            except ArchiveBusy as exc:
                print(f"crawl: {exc}", file=sys.stderr)
                self.exitcode = EXIT_BUSY
                return
            except (ValueError, TypeError, ArchiveError) as exc:
                raise UsageError(str(exc), print_help=False) from exc
        super().run(args, opts)
        session = self._crawler.get_extension(ArchiveSession) if self._crawler else None
        if session is not None and session.status == "failed" and not self.exitcode:
            self.exitcode = EXIT_FAILED
