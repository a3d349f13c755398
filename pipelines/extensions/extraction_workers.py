"""Pages read in worker processes, so that every core parses and the reactor never waits.

Parsing and extracting a page is pure CPU work under the GIL: done in the crawl's own
process it stalls downloads, WARC writing and storage, and uses one core at most. The
workers are forked from a `forkserver` that has already imported `parsing`, so none
of them inherits the reactor's threads, sockets or the archive's lock.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from parsing.rules import GENERIC_RULES, ExtractionRules

logger = logging.getLogger(__name__)

# Set in each worker by `_start_worker`: each site's rules, sent once instead of per page.
_worker_rules: Mapping[str, ExtractionRules] | None = None
_worker_log: list[logging.LogRecord] = []


class _KeepRecords(logging.Handler):
    """Keeps a worker's log records, to be sent back with the result and logged by the crawl."""

    def emit(self, record: logging.LogRecord) -> None:
        # args and tracebacks may not pickle: send the message as text
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        _worker_log.append(record)


def _watch_crawl(crawl_alive: Connection) -> None:
    """Exit once the crawl is gone, even killed with -9.

    The worker's parent is the fork server, which outlives the crawl as long as any
    worker does; only the crawl holds the other end of `crawl_alive`, so end of file
    here means the crawl's process has exited.
    """
    with contextlib.suppress(EOFError, OSError):
        crawl_alive.recv_bytes()
    os._exit(1)


def _start_worker(
    rules: Mapping[str, ExtractionRules], log_level: int, crawl_alive: Connection
) -> None:
    """Worker set-up: rules, log capture, signals left to the crawl, orphan watch."""
    global _worker_rules
    _worker_rules = rules
    # Ctrl-C reaches the whole process group; the crawl decides when to stop and shuts
    # the pool down itself, after its last pages are read. SIGTERM stays deadly: it is
    # how a broken pool ends the workers left.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The crawl's own process is the one that must never wait (it feeds every worker);
    # workers take the CPU it leaves.
    os.nice(10)
    root = logging.getLogger()
    root.handlers[:] = [_KeepRecords()]
    root.setLevel(log_level)
    threading.Thread(target=_watch_crawl, args=(crawl_alive,), daemon=True).start()


def _in_worker(
    task: Callable[[str | bytes, str, ExtractionRules], Any],
    html: str | bytes,
    url: str,
    site: str,
    rules: ExtractionRules | None = None,
) -> tuple[Any, list, int]:
    """Run `extract_article` or `read_page` with the worker's rules for the page's site
    (or `rules`, the site's since the crawl learned more); returns what it logged and
    this worker's pid with its result."""
    assert _worker_rules is not None, "worker not initialised"
    _worker_log.clear()
    try:
        rules = rules or rules_for(_worker_rules, site)
        return task(html, url, rules), list(_worker_log), os.getpid()
    finally:
        _worker_log.clear()


def _warm_up() -> int:
    """A no-op task that makes the pool start its workers."""
    return os.getpid()


def spider_rules(spider: object) -> dict[str, ExtractionRules]:
    """A spider's extraction rules by site address: each crawled site's profile's, and
    under "" its own profile's (the generic rules when it has none)."""
    profile = getattr(spider, "profile", None)
    rules = {"": profile.extraction if profile is not None else GENERIC_RULES}
    sites = getattr(spider, "sites", None)
    if isinstance(sites, dict):
        rules.update({address: site.profile.extraction for address, site in sites.items()})
    return rules


def rules_for(rules: Mapping[str, ExtractionRules], site: str) -> ExtractionRules:
    """The rules of a site, or the spider's own when the site has none of its own."""
    return rules.get(site) or rules.get("") or GENERIC_RULES


def default_processes() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ExtractorPool:
    """Runs `extract_article` and `read_page` with each site's rules (`spider_rules`) in
    `processes` worker processes.

    With `processes=0`, or after the pool broke (a worker killed by the OOM killer, say),
    pages are extracted in the crawl's own process instead: slower, but nothing is lost.
    """

    def __init__(
        self,
        rules: Mapping[str, ExtractionRules],
        processes: int,
        log_level: int = logging.INFO,
    ):
        self.rules = dict(rules)
        # the rules the workers were started with; a site's rules changed since travel
        # with each of its pages
        self._started_rules: dict[str, ExtractionRules] = {}
        self.processes = processes
        self.log_level = log_level
        self.worker_pids: set[int] = set()
        self._executor: ProcessPoolExecutor | None = None
        self._crawl_alive: tuple[Connection, Connection] | None = None
        # called (in the reactor thread) with the pid of each worker that answers first
        self.on_new_worker: Callable[[int], None] | None = None

    @classmethod
    def for_crawler(cls, crawler: Crawler, processes: int | None = None) -> ExtractorPool:
        """A pool with the crawl's spider's rules, EXTRACT_PROCESSES workers and log level."""
        rules = spider_rules(getattr(crawler, "spider", None))
        if processes is None:
            setting = crawler.settings.get("EXTRACT_PROCESSES")
            processes = default_processes() if setting in (None, "") else int(setting)
        level = logging.getLevelName(crawler.settings.get("LOG_LEVEL", "INFO"))
        return cls(rules, processes, level if isinstance(level, int) else logging.INFO)

    def set_rules(self, site: str, rules: ExtractionRules) -> None:
        """Read the site's pages with these rules from now on (pages already handed to a
        worker are read with the old ones)."""
        self.rules[site] = rules

    def _changed_rules(self, site: str) -> ExtractionRules | None:
        """The site's rules when they are not those its workers were started with."""
        rules = rules_for(self.rules, site)
        return None if rules is rules_for(self._started_rules, site) else rules

    @property
    def in_process(self) -> bool:
        """True when pages are extracted in the calling process (no workers, or none left)."""
        return self._executor is None

    def start(self) -> None:
        """Start the workers (in the background: the first page waits for them if needed)."""
        if self.processes <= 0 or self._executor is not None:
            return
        context = multiprocessing.get_context("forkserver")
        # imported once in the fork server, so that each worker starts in milliseconds
        context.set_forkserver_preload(["parsing"])
        # this process keeps the writing end and never writes: see _watch_crawl
        self._crawl_alive = context.Pipe(duplex=False)
        self._started_rules = dict(self.rules)
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.rules, self.log_level, self._crawl_alive[0]),
            # No max_tasks_per_child: up to Python 3.15 a pool replacing its workers can
            # stop for good (CPython gh-115634; a crawl here hung at page 8,151).
        )
        for _ in range(self.processes):  # workers start on demand: ask for all of them
            self._executor.submit(_warm_up)

    def submit(
        self,
        task: Callable[[str | bytes, str, ExtractionRules], Any],
        html: str | bytes,
        url: str,
        on_done: Callable[[Future], None],
        site: str = "",
    ) -> None:
        """Run `task` (`extract_article` or `read_page`) on a page of `site` in a worker;
        `on_done` gets the future of (result, log records, worker pid), called in a pool
        thread."""
        assert self._executor is not None
        future = self._executor.submit(_in_worker, task, html, url, site, self._changed_rules(site))
        future.add_done_callback(on_done)

    def deferred(
        self,
        task: Callable[[str | bytes, str, ExtractionRules], Any],
        html: str | bytes,
        url: str,
        reactor: Any,
        site: str = "",
    ) -> Deferred:
        """A Deferred firing, in the reactor's thread, with what `task` gives for the page;
        the task runs here when there are no workers (left)."""
        done: Deferred = Deferred()
        if self._executor is None:
            done.callback(self.run_here(task, html, url, site))
            return done

        def on_done(future: Future) -> None:
            reactor.callFromThread(
                self._deliver, future, done, lambda: self.run_here(task, html, url, site)
            )

        try:
            self.submit(task, html, url, on_done, site)
        except (BrokenProcessPool, RuntimeError) as exc:
            self._broken(exc)
            done.callback(self.run_here(task, html, url, site))
        return done

    def run_here(
        self,
        task: Callable[[str | bytes, str, ExtractionRules], Any],
        html: str | bytes,
        url: str,
        site: str = "",
    ) -> Any:
        """`task` on a page of `site`, in this process."""
        return task(html, url, rules_for(self.rules, site))

    def _deliver(self, future: Future, done: Deferred, in_process: Callable[[], Any]) -> None:
        try:
            result, records, pid = future.result()
        except (BrokenProcessPool, CancelledError) as exc:
            self._broken(exc)
            done.callback(in_process())
            return
        except Exception as exc:  # noqa: BLE001 - the page fails as it would in-process
            done.errback(exc)
            return
        if pid not in self.worker_pids:
            self.worker_pids.add(pid)
            if self.on_new_worker is not None:
                self.on_new_worker(pid)
        for record in records:
            logging.getLogger(record.name).handle(record)
        done.callback(result)

    def _broken(self, exc: BaseException) -> None:
        if self._executor is None:
            return
        logger.error(
            "The extraction workers stopped (%s); extracting in the crawl's process from now on",
            exc,
        )
        # pages still queued fail with BrokenProcessPool too and come back here
        self._executor.shutdown(wait=False)
        self._executor = None

    def close(self) -> None:
        """Wait for the pages in progress, then stop the workers."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=False)
            self._executor = None
        if self._crawl_alive is not None:
            for end in self._crawl_alive:
                end.close()
            self._crawl_alive = None


class ExtractionWorkers:
    """Scrapy extension owning the crawl's `ExtractorPool`, which the spider reads pages in.

    Its rules are the spider's profile's; EXTRACT_PROCESSES says how many workers (None:
    one per core, 0: none, pages are read in the crawl's process).
    """

    def __init__(self, pool: ExtractorPool, crawler: Crawler):
        self.pool = pool
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionWorkers:
        """Build the pool for the crawl's spider; start it with the spider, stop it after."""
        workers = cls(ExtractorPool.for_crawler(crawler), crawler)
        crawler.signals.connect(workers.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(workers.spider_closed, signal=signals.spider_closed)
        return workers

    @classmethod
    def pool_of(cls, crawler: Crawler) -> ExtractorPool:
        """The crawl's pool, or an in-process one when the extension is not enabled."""
        try:
            workers = crawler.get_extension(cls)
        except RuntimeError:  # extensions not built yet
            workers = None
        if workers is None:
            return ExtractorPool.for_crawler(crawler, processes=0)
        return workers.pool

    def spider_opened(self, spider: object) -> None:
        """Start the workers."""
        stats = self.crawler.stats
        stats.set_value("extract/processes", self.pool.processes)
        # kept current, so the run's record (written at spider_closed) has it too
        self.pool.on_new_worker = lambda pid: stats.inc_value("extract/worker_pids")
        self.pool.start()

    def spider_closed(self, spider: object) -> None:
        """Stop the workers: every page has been read and stored by now."""
        self.pool.close()


async def in_workers(
    pool: ExtractorPool,
    task: Callable[[str | bytes, str, ExtractionRules], Any],
    html: str | bytes,
    url: str,
    site: str = "",
) -> Any:
    """`task` (`extract_article` or `read_page`) on a page of `site`, in the pool's
    workers, awaited without blocking the reactor."""
    if pool.in_process:
        return pool.run_here(task, html, url, site)
    from twisted.internet import reactor

    return await maybe_deferred_to_future(pool.deferred(task, html, url, reactor, site))
