"""Trap verdicts and the wait for a site's lists, shared by the workers of a crawl, through
a real redis-server.

Two workers of one crawl, built in this process: what one worker's trap families sent,
another reads, and its verdict reaches the first (which frees the page's place, credits
and cuts as one process would); a worker that has read none of a site's articles judges
its pages once another worker has; the sitemaps one worker asks for, another may read,
and every worker's families wait until the last is read. Reading pages is out of the
picture: verdicts are given as the spider gives them, through `_judge`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.test import get_crawler
from scrapy_redis.dupefilter import RFPDupeFilter

from pipelines.extensions.shared_crawl import SharedCrawl, shared_settings
from spiders.families import family_of
from spiders.news import SENDER_META_KEY
from spiders.shared_frontier import SharedFrontier
from spiders.site_crawl import SiteCrawl
from spiders.site_spiders import NationworldnewsSpider
from tests.test_spider_lessons import Engine, listing, read
from tests.test_spider_sitemaps import DATELESS, LISTED

PREFIX = "verdicts-test"
SECTION = "https://nationworldnews.com/category/world/page/{}/"


def worker(redis_url: str, name: str, *, lists_read: bool = True) -> NationworldnewsSpider:
    """One worker of the crawl, named `name`, its site's sitemaps read (or not yet, as
    when the crawl starts)."""
    settings = {**shared_settings("data"), "REDIS_URL": redis_url, "EXTRACT_PROCESSES": 0}
    crawler = get_crawler(NationworldnewsSpider, settings)
    spider = crawler.spider = crawler._create_spider()
    crawler.engine = Engine()
    crawl = SharedCrawl(crawler, redis_url)
    crawl.worker, crawl.prefix = name, PREFIX
    spider.shared = SharedFrontier(RFPDupeFilter(crawl.server, f"{PREFIX}:dupefilter"), crawl)
    for site in spider.sites.values():
        if lists_read:
            site.families.paused = False
            site.listings_open = 0
        else:  # as spider_opened does
            spider.shared.open_lists(site.address)
    return spider


def site_of(spider: NationworldnewsSpider) -> SiteCrawl:
    return next(iter(spider.sites.values()))


@pytest.fixture
def workers(redis_url: str) -> Iterator[tuple[NationworldnewsSpider, NationworldnewsSpider]]:
    first, second = worker(redis_url, "first"), worker(redis_url, "second")
    yield first, second
    clear(first)


def clear(spider: NationworldnewsSpider) -> None:
    server = spider.shared.crawl.server
    for key in server.scan_iter(PREFIX + ":*"):
        server.delete(key)


@pytest.mark.e2e
def test_a_verdict_reaches_the_worker_that_sent_the_page(workers) -> None:
    first, second = workers
    site = site_of(first)
    request = first._page_request(site, SECTION.format(2))
    assert request is not None and request.meta[SENDER_META_KEY] == "first"
    assert first._page_request(site, SECTION.format(3)) is None  # unproven: one at a time
    family = site.families.families[family_of(request.url)]

    assert second._page_request(site_of(second), SECTION.format(9)) is not None
    second._judge(site_of(second), request, fruitful=False)  # the second worker read it
    theirs = site_of(second).families.families[family.key]
    assert (theirs.fetched, theirs.pending) == (1, 1)  # its own page is still out
    assert (family.fetched, family.pending) == (0, 1)  # not heard yet

    first._hear(now=True)
    # counted, its place freed, and the page held back sent in its stead
    assert (family.fetched, family.streak, family.pending) == (1, 1, 1)
    assert sent(first) == [SECTION.format(3)]
    first._hear(now=True)
    assert family.fetched == 1  # each verdict is heard once


@pytest.mark.e2e
def test_a_family_is_cut_and_credited_on_the_whole_crawls_verdicts(workers) -> None:
    first, second = workers
    site, theirs = site_of(first), site_of(second)
    key = family_of(SECTION.format(2))
    patience = site.families.patience
    for n in range(2, 2 + patience):
        request = second._page_request(theirs, SECTION.format(n))
        if request is None:  # held back by the second worker's family: send it now
            request = theirs.families.families[key].backlog.popleft()
        second._judge(theirs, request, fruitful=False)
    first._hear(now=True)
    assert site.families.is_cut(key)  # though the first worker read none of its pages
    assert first.crawler.stats.get_value("shared/verdicts_heard") == patience

    # an article that a page of the family led to, read by the second worker, reopens it
    article = second._page_request(theirs, "https://nationworldnews.com/a-new-story/")
    article.meta["trap_lineage"] = (key,)
    second._judge(theirs, article, fruitful=True)
    first._hear(now=True)
    assert not site.families.is_cut(key) and site.families.families[key].reopened == 1


@pytest.mark.e2e
def test_an_idle_worker_waits_for_the_verdicts_other_workers_owe_it(workers) -> None:
    first, _ = workers
    site = site_of(first)
    request = first._page_request(site, SECTION.format(2))
    assert first._page_request(site, SECTION.format(3)) is None
    family = site.families.families[family_of(request.url)]
    server = first.shared.crawl.server
    server.set(PREFIX + ":busy:second", 1)  # the second worker is reading the page
    first.spider_idle(first)
    assert (family.fetched, family.streak, sent(first)) == (0, 0, [])
    server.delete(PREFIX + ":busy:second")  # the crawl is quiet: the verdict was lost
    with pytest.raises(DontCloseSpider):  # the page held back goes now
        first.spider_idle(first)
    assert (family.fetched, family.streak, sent(first)) == (1, 1, [SECTION.format(3)])


@pytest.mark.e2e
def test_a_page_one_worker_sent_holds_back_the_others_in_an_unproven_family(workers) -> None:
    first, second = workers
    site, theirs = site_of(first), site_of(second)
    request = first._page_request(site, SECTION.format(2))
    first.request_scheduled(request, first)  # in the crawl's queue: told to the others
    second._hear(now=True)
    # the family has brought nothing yet: the whole crawl probes it one page at a time
    assert second._page_request(theirs, SECTION.format(3)) is None
    second._judge(theirs, request, fruitful=False)  # the second worker read the page
    assert sent(second) == [SECTION.format(3)]  # its place is free: the page held goes


@pytest.mark.e2e
def test_a_link_another_worker_asked_for_is_not_fresh(workers) -> None:
    first, second = workers
    read(first, LISTED, DATELESS)  # an article: links to its family are articles
    read(second, LISTED, DATELESS)
    story = "https://nationworldnews.com/story-one/"
    first.shared.skip(story)  # the first worker asked for it (or a sitemap showed it)
    read(second, SECTION.format(2), listing(SECTION.format(2), "story-one"))
    family = site_of(second).families.families[family_of(SECTION.format(2))]
    # new to the second worker, not to the crawl: the page brought nothing
    assert (family.fetched, family.fruitful, family.streak) == (1, 0, 1)
    read(second, SECTION.format(3), listing(SECTION.format(3), "story-two"))
    assert (family.fetched, family.fruitful) == (2, 1)  # new to the crawl: fruitful


@pytest.mark.e2e
def test_a_parameter_one_worker_learned_is_dropped_by_the_others(workers) -> None:
    first, second = workers
    page = listing(SECTION.format(2), "story-one", "story-two")
    read(first, LISTED, DATELESS)  # an article: links to its family are articles
    read(first, SECTION.format(2), page)
    read(first, SECTION.format(2) + "?view=list", page)  # the same page, another layout
    assert "view" in site_of(first).queries.meaningless
    theirs = site_of(second)
    assert theirs.policy.canonical(SECTION.format(5) + "?view=grid").endswith("?view=grid")
    second._hear(now=True)
    assert theirs.policy.canonical(SECTION.format(5) + "?view=grid") == SECTION.format(5)
    assert "view" in theirs.queries.meaningless  # not to be learned again


def sent(spider: NationworldnewsSpider) -> list[str]:
    """The URLs a worker's spider sent to its engine."""
    return [request.url for request in spider.crawler.engine.sent]


@pytest.mark.e2e
def test_a_sites_sitemaps_are_asked_for_once_and_every_worker_waits_for_them(
    redis_url: str,
) -> None:
    first, second = (worker(redis_url, name, lists_read=False) for name in ("first", "second"))
    try:
        site, theirs = site_of(first), site_of(second)
        sitemaps = list(first._sitemap_requests(site))
        assert sitemaps and list(second._sitemap_requests(theirs)) == []  # asked for once
        held = first._page_request(site, SECTION.format(2))
        assert held is None  # the families wait for the lists
        for _ in sitemaps[:-1]:  # the second worker reads the sitemaps the first asked for
            second._listing_finished(theirs)
        first._hear(now=True)
        assert site.families.paused and theirs.families.paused and sent(first) == []
        second._listing_finished(theirs)  # the last one
        assert not theirs.families.paused
        first._hear(now=True)
        assert not site.families.paused and sent(first) == [SECTION.format(2)]
    finally:
        clear(first)


@pytest.mark.e2e
def test_pages_read_before_any_article_are_judged_once_another_worker_reads_one(
    workers,
) -> None:
    first, second = workers
    theirs = site_of(second)
    read(second, SECTION.format(2), listing(SECTION.format(2), "story-one", "story-two"))
    assert len(theirs.early_pages) == 1  # which links lead to articles is not known yet
    server = second.shared.crawl.server
    server.set(PREFIX + ":busy:first", 1)  # the first worker is reading pages
    second.spider_idle(second)
    assert len(theirs.early_pages) == 1  # it may yet read an article
    read(first, LISTED, DATELESS)  # it does
    second._hear(now=True)
    assert theirs.early_pages == []
    assert theirs.families.families[family_of(SECTION.format(2))].fetched == 1
