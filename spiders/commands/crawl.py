"""`scrapy crawl`, checking spider arguments and the archive before anything starts.

Scrapy reports a bad argument raised in a spider's constructor as a traceback after the
crawl machinery has started; this reports it as a one-line usage error (exit status 2).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archive.db import ArchiveError, open_archive


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command with `check_arguments` and ARCHIVE_DIR checked first."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Validate, then crawl as Scrapy does."""
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError as exc:
                raise UsageError(f"no spider named {args[0]!r}", print_help=False) from exc
            check = getattr(spidercls, "check_arguments", None)
            try:
                if check is not None:
                    check(**opts.spargs)
                if self.settings.get("ARCHIVE_DIR"):
                    open_archive(self.settings["ARCHIVE_DIR"]).close()
            except (ValueError, TypeError, ArchiveError) as exc:
                raise UsageError(str(exc), print_help=False) from exc
        super().run(args, opts)
