"""The spider on sitemaps: Google News dates for dateless pages, and what a re-run fetches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from archive.known import KnownArticle
from pipelines.extract import ExtractPipeline
from pipelines.warc import FETCH_META_KEY, REVISIT_META_KEY
from spiders.incremental import CrawlHistory
from spiders.items import NOT_MODIFIED, ArticleItem
from spiders.nationworldnews import NationWorldNewsSpider
from spiders.news import KNOWN_META_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "site"
LISTED = "https://nationworldnews.com/court-to-rule-on-challenge-to-district-map-in-lisbon/"
DATELESS = (
    "<html lang='en'><head><title>Court to rule</title></head><body><article>"
    "<h1>Court to rule on challenge to district map in Lisbon</h1>"
    "<p>The constitutional court will hear the challenge next week, judges said.</p>"
    "<p>Lawyers for both sides expect a ruling before the regional vote.</p>"
    "</article></body></html>"
)


def spider_and_pipeline():
    # extraction in this process: the item is done without a reactor to wait on
    crawler = get_crawler(NationWorldNewsSpider, {"EXTRACT_PROCESSES": 0})
    crawler.spider = crawler._create_spider()
    return crawler.spider, ExtractPipeline.from_crawler(crawler)


def drained(outputs: AsyncIterator) -> list:
    """Everything an async callback yields, when it never has to wait (a known page)."""

    async def collect() -> list:
        return [output async for output in outputs]

    coroutine = collect()
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the callback waited")


def processed(pipeline: ExtractPipeline, item: ArticleItem) -> ArticleItem:
    """Run the pipeline's coroutine, which finishes at once when extracting in-process."""
    coroutine = pipeline.process_item(item)
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("process_item waited although it extracts in this process")


def read_news_sitemap(spider) -> list:
    body = (FIXTURES / "news-sitemap.xml").read_bytes()
    url = "https://nationworldnews.com/news-sitemap.xml"
    response = XmlResponse(url, body=body, request=Request(url))
    return list(spider.parse_sitemap(response))


def page_item(spider, url: str, html: str) -> ArticleItem:
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    return spider._article_item(response, None)


def test_news_sitemap_date_reaches_the_item() -> None:
    spider, _ = spider_and_pipeline()
    requests = read_news_sitemap(spider)
    assert LISTED in {r.url for r in requests}
    assert page_item(spider, LISTED, DATELESS).news_published == "2023-05-30T15:05:21+00:00"
    # reached through a tracking-parameter twin, it is still the same page
    twin = page_item(spider, LISTED + "?utm_source=feed", DATELESS)
    assert twin.news_published == "2023-05-30T15:05:21+00:00"


def test_page_without_a_date_takes_the_news_sitemap_date() -> None:
    spider, pipeline = spider_and_pipeline()
    read_news_sitemap(spider)
    item = processed(pipeline, page_item(spider, LISTED, DATELESS))
    assert item.article.published == "2023-05-30T15:05:21+00:00"


def test_the_page_own_date_wins_over_the_news_sitemap() -> None:
    spider, pipeline = spider_and_pipeline()
    read_news_sitemap(spider)
    dated = DATELESS.replace(
        "<title>",
        '<meta property="article:published_time" content="2023-05-30T11:05:21-04:00"><title>',
    )
    item = processed(pipeline, page_item(spider, LISTED, dated))
    assert item.article.published == "2023-05-30T11:05:21-04:00"


def test_page_not_in_a_news_sitemap_keeps_no_date() -> None:
    spider, pipeline = spider_and_pipeline()
    read_news_sitemap(spider)
    item = processed(pipeline, page_item(spider, "https://nationworldnews.com/x/", DATELESS))
    assert item.news_published is None
    assert item.article.published is None


# --- re-runs: what the spider asks for again -----------------------------------------------


def _known(url: str, **changes) -> KnownArticle:
    values = dict(url=url, published=None, modified=None, sitemap_lastmod=None, gone=False)
    values.update(changes)
    return KnownArticle(**values)


def test_a_gone_article_listed_again_is_fetched_again() -> None:
    spider, _ = spider_and_pipeline()
    spider.history = CrawlHistory(articles={LISTED: _known(LISTED, gone=True)})
    (request,) = [r for r in read_news_sitemap(spider) if r.url == LISTED]
    assert request.meta[KNOWN_META_KEY] and 410 in request.meta["handle_httpstatus_list"]


def test_a_listed_article_whose_date_did_not_move_is_not_fetched() -> None:
    spider, _ = spider_and_pipeline()
    known = _known(LISTED, published="2023-05-30T15:05:21+00:00")
    spider.history = CrawlHistory(articles={LISTED: known})
    assert LISTED not in {r.url for r in read_news_sitemap(spider)}
    assert spider.crawler.stats.get_value("archive/skipped_unchanged") == 1


def test_an_identical_page_of_a_gone_article_marks_it_back() -> None:
    spider, _ = spider_and_pipeline()
    spider.history = CrawlHistory(articles={LISTED: _known(LISTED, gone=True)})
    request = Request(LISTED, meta={KNOWN_META_KEY: True, REVISIT_META_KEY: "identical"})
    request.meta[FETCH_META_KEY] = (7, "2026-11-29T10:00:00+00:00")
    response = HtmlResponse(LISTED, body=DATELESS.encode(), encoding="utf-8", request=request)
    (item,) = drained(spider.parse_page(response))
    assert (item.outcome, item.fetch_id) == (NOT_MODIFIED, 7)
