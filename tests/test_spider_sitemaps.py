"""The spider on sitemaps: Google News dates for dateless pages, and what a re-run fetches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from archive.known import KnownArticle
from pipelines.items import NOT_MODIFIED, ArticleItem
from pipelines.middlewares.warc_capture import FETCH_META_KEY, REVISIT_META_KEY
from spiders.incremental import CrawlHistory
from spiders.news import KNOWN_META_KEY
from spiders.site_spiders import NationworldnewsSpider

FIXTURES = Path(__file__).parent / "fixtures" / "site"
LISTED = "https://nationworldnews.com/court-to-rule-on-challenge-to-district-map-in-lisbon/"
DATELESS = (
    # a WordPress post (its body class says so) that gives no date of its own
    "<html lang='en'><head><title>Court to rule</title></head>"
    "<body class='post-template-default single single-post'><article>"
    "<h1>Court to rule on challenge to district map in Lisbon</h1>"
    "<p>The constitutional court will hear the challenge next week, judges said.</p>"
    "<p>Lawyers for both sides expect a ruling before the regional vote.</p>"
    "</article></body></html>"
)


def new_spider() -> NationworldnewsSpider:
    # pages read in this process: a callback never waits for a worker
    crawler = get_crawler(NationworldnewsSpider, {"EXTRACT_PROCESSES": 0})
    crawler.spider = crawler._create_spider()
    for site in crawler.spider.sites.values():  # as once the site's sitemaps are read
        site.families.paused = False
        site.listings_open = 0
    return crawler.spider


def drained(outputs: AsyncIterator) -> list:
    """Everything an async callback yields, when it never has to wait (in-process reading)."""

    async def collect() -> list:
        return [output async for output in outputs]

    coroutine = collect()
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the callback waited")


def read_news_sitemap(spider) -> list:
    body = (FIXTURES / "news-sitemap.xml").read_bytes()
    url = "https://nationworldnews.com/news-sitemap.xml"
    response = XmlResponse(url, body=body, request=Request(url))
    sent = list(spider.parse_sitemap(response))
    # the rest wait in their trap family for the verdict on the first
    held = [
        request
        for site in spider.sites.values()
        for family in site.families.families.values()
        for request in family.backlog
    ]
    return sent + held


def page_outputs(spider, url: str, html: str) -> list:
    """What the spider yields for an article page: its item first, then its links."""
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    return drained(spider.parse_page(response))


def page_item(spider, url: str, html: str) -> ArticleItem:
    (item,) = [out for out in page_outputs(spider, url, html) if isinstance(out, ArticleItem)]
    return item


def test_news_sitemap_date_reaches_the_item() -> None:
    spider = new_spider()
    requests = read_news_sitemap(spider)
    assert LISTED in {r.url for r in requests}
    assert page_item(spider, LISTED, DATELESS).article.published == "2023-05-30T15:05:21+00:00"
    # the same article again, under a tracking-parameter twin: stored once
    twin = LISTED + "?utm_source=feed"
    assert not [o for o in page_outputs(spider, twin, DATELESS) if isinstance(o, ArticleItem)]
    assert spider.crawler.stats.get_value("traps/duplicate_articles") == 1


def test_news_sitemap_date_reaches_an_item_reached_through_a_twin() -> None:
    spider = new_spider()
    read_news_sitemap(spider)
    twin = page_item(spider, LISTED + "?utm_source=feed", DATELESS)
    assert twin.url == LISTED
    assert twin.article.published == "2023-05-30T15:05:21+00:00"


def test_the_page_own_date_wins_over_the_news_sitemap() -> None:
    spider = new_spider()
    read_news_sitemap(spider)
    dated = DATELESS.replace(
        "<title>",
        '<meta property="article:published_time" content="2023-05-30T11:05:21-04:00"><title>',
    )
    assert page_item(spider, LISTED, dated).article.published == "2023-05-30T11:05:21-04:00"


def test_page_not_in_a_news_sitemap_keeps_no_date() -> None:
    spider = new_spider()
    read_news_sitemap(spider)
    item = page_item(spider, "https://nationworldnews.com/x/", DATELESS)
    assert item.article.published is None
    assert item.sitemap_lastmod is None


def test_an_article_page_without_text_gives_no_item_and_is_counted() -> None:
    spider = new_spider()
    empty = (
        "<html><head><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2023-05-30T11:05:21-04:00'>"
        "</head><body><a href='/next/'><img src='next.jpg'></a></body></html>"
    )
    outputs = page_outputs(spider, LISTED, empty)
    assert not [out for out in outputs if isinstance(out, ArticleItem)]
    assert [r.url for r in outputs] == ["https://nationworldnews.com/next/"]
    assert spider.crawler.stats.get_value("archive/extract_empty") == 1


# --- re-runs: what the spider asks for again -----------------------------------------------


def _known(url: str, **changes) -> KnownArticle:
    values = dict(url=url, published=None, modified=None, sitemap_lastmod=None, gone=False)
    values.update(changes)
    return KnownArticle(**values)


def test_a_gone_article_listed_again_is_fetched_again() -> None:
    spider = new_spider()
    spider.site_of(LISTED).history = CrawlHistory(articles={LISTED: _known(LISTED, gone=True)})
    (request,) = [r for r in read_news_sitemap(spider) if r.url == LISTED]
    assert request.meta[KNOWN_META_KEY] and 410 in request.meta["handle_httpstatus_list"]


def test_a_listed_article_whose_date_did_not_move_is_not_fetched() -> None:
    spider = new_spider()
    known = _known(LISTED, published="2023-05-30T15:05:21+00:00")
    spider.site_of(LISTED).history = CrawlHistory(articles={LISTED: known})
    assert LISTED not in {r.url for r in read_news_sitemap(spider)}
    assert spider.crawler.stats.get_value("archive/skipped_unchanged") == 1


def test_an_identical_page_of_a_gone_article_marks_it_back() -> None:
    spider = new_spider()
    spider.site_of(LISTED).history = CrawlHistory(articles={LISTED: _known(LISTED, gone=True)})
    request = Request(LISTED, meta={KNOWN_META_KEY: True, REVISIT_META_KEY: "identical"})
    request.meta[FETCH_META_KEY] = (7, "2026-11-29T10:00:00+00:00")
    response = HtmlResponse(LISTED, body=DATELESS.encode(), encoding="utf-8", request=request)
    (item,) = drained(spider.parse_page(response))
    assert (item.outcome, item.fetch_id) == (NOT_MODIFIED, 7)
