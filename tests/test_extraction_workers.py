"""The extraction pool: workers give what this process would, their logs reach the crawl's
log, and no page is lost when a worker or the crawl itself is killed."""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from archive.models import Article
from parsing.article import extract_article
from parsing.rules import GENERIC_RULES
from pipelines.extensions.extraction_workers import ExtractionWorkers, ExtractorPool
from spiders.site_spiders import NationworldnewsSpider
from tests.site.content import build_site
from tests.site.crawl import ROOT
from tests.site.gazette import build_gazette, render_story
from tests.site.server import route

TAGDIV_NEWSPAPER_RULES = NationworldnewsSpider.profile.extraction
BASE = "http://127.0.0.1:8000"
HANG_GUARD = 30  # seconds; only a failing test ever waits this long


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    """Three article pages of the replica, by URL."""
    site = build_site(3)
    return {BASE + a.path: route(site, BASE, "GET", a.path, None).body for a in site.articles}


@pytest.fixture(scope="module")
def expected(pages: dict[str, bytes]) -> dict[str, Article]:
    """What `extract_article` gives for each page in this process."""
    articles = {
        url: extract_article(html, url, TAGDIV_NEWSPAPER_RULES) for url, html in pages.items()
    }
    assert all(articles.values())
    return articles


@pytest.fixture
def pool():
    started = ExtractorPool({"": TAGDIV_NEWSPAPER_RULES}, 2)
    started.start()
    yield started
    started.close()


class QueuedReactor:
    """Stands in for Twisted's reactor: runs what pool threads hand over in the test's thread.

    Calling the function at once would run the pool's `_deliver` in its own threads,
    concurrently, which the real reactor never does.
    """

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[Callable, tuple]] = queue.Queue()

    def callFromThread(self, function: Callable, *args: Any) -> None:
        self.calls.put((function, args))

    def wait(self, deferreds: list[Deferred]) -> list:
        """Run the handed-over calls until every deferred has fired; their results, in order."""
        results: dict[int, Any] = {}
        for index, deferred in enumerate(deferreds):
            deferred.addBoth(_keep(results, index))
        deadline = time.monotonic() + HANG_GUARD
        while len(results) < len(deferreds):
            try:
                function, args = self.calls.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"only {len(results)} of {len(deferreds)} pages came back")
            function(*args)
        for result in results.values():
            if isinstance(result, Failure):
                result.raiseException()
        return [results[index] for index in range(len(deferreds))]


def _keep(results: dict[int, Any], index: int) -> Callable[[Any], None]:
    return lambda result: results.__setitem__(index, result)


def running(pid: int) -> bool:
    """True while `pid` runs (Linux; a zombie nobody has reaped yet has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_until_ended(pids: set[int], timeout: float = HANG_GUARD) -> set[int]:
    """The pids still running once all have ended or `timeout` has passed."""
    deadline = time.monotonic() + timeout
    while (left := {pid for pid in pids if running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.e2e
def test_workers_extract_what_this_process_would(
    pool: ExtractorPool, pages: dict[str, bytes], expected: dict[str, Article]
) -> None:
    urls = list(pages) * 3  # nine pages in flight at once
    reactor = QueuedReactor()
    results = reactor.wait(
        [pool.deferred(extract_article, pages[url], url, reactor) for url in urls]
    )
    assert results == [expected[url] for url in urls]
    assert pool.worker_pids, "no page came back from a worker"
    assert os.getpid() not in pool.worker_pids
    assert len(pool.worker_pids) <= 2
    assert not pool.in_process


@pytest.mark.e2e
def test_submit_hands_the_future_with_the_worker_pid(
    pool: ExtractorPool, pages: dict[str, bytes], expected: dict[str, Article]
) -> None:
    url, html = next(iter(pages.items()))
    done: queue.Queue = queue.Queue()
    pool.submit(extract_article, html, url, done.put)
    article, records, pid = done.get(timeout=HANG_GUARD).result()
    assert article == expected[url]
    assert records == []
    assert pid != os.getpid()


@pytest.mark.e2e
def test_worker_log_records_reach_this_process(
    pool: ExtractorPool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="parsing.article")
    reactor = QueuedReactor()
    url = BASE + "/empty/"
    (article,) = reactor.wait(
        [pool.deferred(extract_article, "<html><body></body></html>", url, reactor)]
    )
    assert article is None
    (record,) = [r for r in caplog.records if r.name == "parsing.article"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == f"no article text found in {url}"
    assert record.process in pool.worker_pids, "logged by this process, not sent by a worker"


@pytest.mark.e2e
def test_killed_worker_loses_no_page(
    pool: ExtractorPool,
    pages: dict[str, bytes],
    expected: dict[str, Article],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="pipelines.extensions.extraction_workers")
    urls = list(pages)
    reactor = QueuedReactor()
    reactor.wait([pool.deferred(extract_article, pages[url], url, reactor) for url in urls])
    os.kill(next(iter(pool.worker_pids)), signal.SIGKILL)
    # The pool notices the death in its own thread: pages handed over meanwhile may still
    # be extracted by a worker; every one must come back right either way.
    deadline = time.monotonic() + HANG_GUARD
    while not pool.in_process:
        assert time.monotonic() < deadline, "the pool never noticed its killed worker"
        batch = [pool.deferred(extract_article, pages[url], url, reactor) for url in urls]
        assert reactor.wait(batch) == [expected[url] for url in urls]
    in_process = [pool.deferred(extract_article, pages[url], url, reactor) for url in urls]
    assert all(d.called for d in in_process)
    assert reactor.wait(in_process) == [expected[url] for url in urls]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].getMessage().startswith("The extraction workers stopped")
    # before close(): a worker stuck on a queue lock its killed peer held must still end
    assert wait_until_ended(pool.worker_pids) == set(), "a worker outlived the broken pool"


@pytest.mark.e2e
def test_close_ends_the_workers(pages: dict[str, bytes]) -> None:
    pool = ExtractorPool({"": TAGDIV_NEWSPAPER_RULES}, 2)
    pool.start()
    reactor = QueuedReactor()
    reactor.wait(
        [pool.deferred(extract_article, html, url, reactor) for url, html in pages.items()]
    )
    pids = set(pool.worker_pids)
    assert pids and all(running(pid) for pid in pids)
    pool.close()
    assert pool.in_process
    assert wait_until_ended(pids) == set()


@pytest.mark.e2e
def test_close_lets_the_workers_finish_their_pages(
    pages: dict[str, bytes], expected: dict[str, Article], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pipelines.extensions.extraction_workers")
    pool = ExtractorPool({"": TAGDIV_NEWSPAPER_RULES}, 2)
    pool.start()
    urls = list(pages) * 2
    reactor = QueuedReactor()
    pending = [pool.deferred(extract_article, pages[url], url, reactor) for url in urls]
    pool.close()
    assert reactor.wait(pending) == [expected[url] for url in urls]
    assert pool.worker_pids, "the pages were not extracted by the workers"
    assert caplog.records == [], "the workers stopped before their last pages"


OWNER = """
import json, queue, time
from pipelines.extensions.extraction_workers import ExtractorPool
from parsing.article import extract_article
from parsing.rules import GENERIC_RULES
from spiders.site_spiders import NationworldnewsSpider

pool = ExtractorPool({"": NationworldnewsSpider.profile.extraction}, 2)
pool.start()
done = queue.Queue()
html = "<html><body><article><p>" + "The council met on Monday to vote. " * 20 + "</p></article>"
for n in range(4):
    pool.submit(extract_article, html, f"http://127.0.0.1:8000/{n}/", done.put)
print(json.dumps(sorted({done.get(timeout=60).result()[2] for _ in range(4)})), flush=True)
time.sleep(120)
"""


@pytest.mark.e2e
def test_workers_exit_when_their_owner_is_killed() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert owner.stdout is not None
        ready, _, _ = select.select([owner.stdout], [], [], HANG_GUARD)
        assert ready, "the owner printed no worker pids"
        pids = set(json.loads(owner.stdout.readline()))
        assert pids and owner.pid not in pids
        assert all(running(pid) for pid in pids)
        os.kill(owner.pid, signal.SIGKILL)  # the owner only: the workers stay in its group
        owner.wait()
        assert wait_until_ended(pids, timeout=10) == set(), "workers outlived their owner"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(owner.pid, signal.SIGKILL)
        owner.wait()


def crawl_workers(processes: int) -> tuple[Crawler, ExtractionWorkers]:
    """The crawl's extraction workers extension, for the site's spider."""
    crawler = get_crawler(NationworldnewsSpider, {"EXTRACT_PROCESSES": processes})
    crawler.spider = crawler._create_spider()
    return crawler, ExtractionWorkers.from_crawler(crawler)


def test_crawl_with_no_extract_processes_extracts_in_its_own_process() -> None:
    crawler, workers = crawl_workers(0)
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    assert workers.pool.in_process
    assert crawler.stats.get_value("extract/processes") == 0
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")


@pytest.mark.e2e
def test_crawl_workers_start_with_the_spider_and_stop_after_it(
    pages: dict[str, bytes], expected: dict[str, Article]
) -> None:
    crawler, workers = crawl_workers(2)
    pool = workers.pool
    assert pool.rules[""] == TAGDIV_NEWSPAPER_RULES
    assert set(pool.rules) == {"", "nationworldnews.com"}
    assert pool.in_process, "workers started before the spider opened"
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    try:
        assert not pool.in_process
        assert crawler.stats.get_value("extract/processes") == 2
        reactor = QueuedReactor()
        urls = list(pages)
        batch = [pool.deferred(extract_article, pages[url], url, reactor) for url in urls]
        assert reactor.wait(batch) == [expected[url] for url in urls]
        pids = set(pool.worker_pids)
    finally:
        crawler.signals.send_catch_log(
            signals.spider_closed, spider=crawler.spider, reason="finished"
        )
    assert pool.in_process
    assert 1 <= crawler.stats.get_value("extract/worker_pids") == len(pids) <= 2
    assert wait_until_ended(pids) == set()


@pytest.mark.e2e
def test_workers_start_with_rules_already_used_in_this_process(
    pages: dict[str, bytes], expected: dict[str, Article]
) -> None:
    # Used here, the rules hold compiled XPaths, which do not pickle; workers start on
    # demand, so one may be started after the crawl's process has extracted a page.
    rules = replace(TAGDIV_NEWSPAPER_RULES)
    url, html = next(iter(pages.items()))
    assert extract_article(html, url, rules) == expected[url]
    pool = ExtractorPool({"": rules}, 2)
    try:
        pool.start()
        reactor = QueuedReactor()
        (article,) = reactor.wait([pool.deferred(extract_article, html, url, reactor)])
        assert article == expected[url]
        assert pool.worker_pids
    finally:
        pool.close()


@pytest.mark.e2e
def test_rules_changed_after_the_start_reach_the_workers() -> None:
    # a crawl learns a site's body container once the workers run: its pages must be read
    # with the new rules from then on, in the workers and in this process alike
    site = build_gazette(20)
    story = next(s for s in site.stories if s.brief)
    url, html = BASE + story.path, render_story(site, BASE, story)
    pool = ExtractorPool({"": GENERIC_RULES}, 1)
    try:
        pool.start()
        reactor = QueuedReactor()
        (before,) = reactor.wait([pool.deferred(extract_article, html, url, reactor, "gz")])
        assert before.text != story.expected_text
        learned = replace(GENERIC_RULES, learned_container=("div.gz-copy",))
        pool.set_rules("gz", learned)
        (after,) = reactor.wait([pool.deferred(extract_article, html, url, reactor, "gz")])
        assert after.text == story.expected_text
        assert pool.run_here(extract_article, html, url, "gz") == after
        # another site keeps the rules the workers started with
        (other,) = reactor.wait([pool.deferred(extract_article, html, url, reactor, "other")])
        assert other == before
    finally:
        pool.close()
