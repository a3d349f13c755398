"""Extraction in worker processes, so that every core parses and the reactor never waits.

Parsing and extracting a page is pure CPU work under the GIL: done in the crawl's own
process it stalls downloads, WARC writing and storage, and uses one core at most. The
workers are forked from a `forkserver` that has already imported the extractor, so none
of them inherits the reactor's threads, sockets or the archive's lock.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from twisted.internet.defer import Deferred

from archive.models import Article
from pipelines.extraction import ExtractionRules, extract_article

logger = logging.getLogger(__name__)

# Set in each worker by `_start_worker`: the site's rules, sent once instead of per page.
_worker_rules: ExtractionRules | None = None
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


def _start_worker(rules: ExtractionRules, log_level: int, crawl_alive: Connection) -> None:
    """Worker set-up: rules, log capture, signals left to the crawl, orphan watch."""
    global _worker_rules
    _worker_rules = rules
    # Ctrl-C and `kill` reach the whole process group; the crawl decides when to stop
    # and shuts the pool down itself, after its last pages are extracted.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    root = logging.getLogger()
    root.handlers[:] = [_KeepRecords()]
    root.setLevel(log_level)
    threading.Thread(target=_watch_crawl, args=(crawl_alive,), daemon=True).start()


def _extract_in_worker(html: str | bytes, url: str) -> tuple[Article | None, list, int]:
    """Run `extract_article` with the worker's rules; returns its log records and pid too."""
    assert _worker_rules is not None, "worker not initialised"
    _worker_log.clear()
    try:
        article = extract_article(html, url, _worker_rules)
        return article, list(_worker_log), os.getpid()
    finally:
        _worker_log.clear()


def _warm_up() -> int:
    """A no-op task that makes the pool start its workers."""
    return os.getpid()


def default_processes() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ExtractorPool:
    """Runs `extract_article` for one site's rules in `processes` worker processes.

    With `processes=0`, or after the pool broke (a worker killed by the OOM killer, say),
    pages are extracted in the crawl's own process instead: slower, but nothing is lost.
    """

    def __init__(self, rules: ExtractionRules, processes: int, log_level: int = logging.INFO):
        self.rules = rules
        self.processes = processes
        self.log_level = log_level
        self.worker_pids: set[int] = set()
        self._executor: ProcessPoolExecutor | None = None
        self._crawl_alive: tuple[Connection, Connection] | None = None

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
        context.set_forkserver_preload(["pipelines.extraction"])
        # this process keeps the writing end and never writes: see _watch_crawl
        self._crawl_alive = context.Pipe(duplex=False)
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.rules, self.log_level, self._crawl_alive[0]),
        )
        self._executor.submit(_warm_up)

    def extract(self, html: str | bytes, url: str, on_done: Callable[[Future], None]) -> None:
        """Submit one page; `on_done` gets the future, called in a pool thread."""
        assert self._executor is not None
        self._executor.submit(_extract_in_worker, html, url).add_done_callback(on_done)

    def extract_deferred(self, html: str | bytes, url: str, reactor: Any) -> Deferred:
        """A Deferred firing with the page's Article (or None) once a worker has it."""
        done: Deferred = Deferred()
        if self._executor is None:
            done.callback(extract_article(html, url, self.rules))
            return done

        def on_done(future: Future) -> None:
            reactor.callFromThread(self._deliver, future, done, html, url)

        try:
            self.extract(html, url, on_done)
        except (BrokenProcessPool, RuntimeError) as exc:
            self._broken(exc)
            done.callback(extract_article(html, url, self.rules))
        return done

    def _deliver(self, future: Future, done: Deferred, html: str | bytes, url: str) -> None:
        try:
            article, records, pid = future.result()
        except (BrokenProcessPool, CancelledError) as exc:
            self._broken(exc)
            done.callback(extract_article(html, url, self.rules))
            return
        except Exception as exc:  # noqa: BLE001 - the item fails as it would in-process
            done.errback(exc)
            return
        self.worker_pids.add(pid)
        for record in records:
            logging.getLogger(record.name).handle(record)
        done.callback(article)

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
