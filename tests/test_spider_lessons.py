"""The spider learning from pages: lessons and verdicts that wait for the first article,
and requests that a lesson learned since they were queued makes duplicates."""

from __future__ import annotations

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request

from pipelines.middlewares.learned_duplicates import LearnedDuplicatesMiddleware
from spiders.families import family_of
from spiders.incremental import CrawlHistory
from spiders.news import FAMILY_META_KEY, TRUSTED_META_KEY
from tests.test_spider_sitemaps import DATELESS, LISTED, _known, drained, new_spider

BASE = "https://nationworldnews.com"
SECTION = f"{BASE}/category/world/"


def listing(canonical: str, *slugs: str) -> str:
    links = "".join(f'<li><a href="{BASE}/{slug}/">{slug}</a></li>' for slug in slugs)
    return (
        f'<html><head><link rel="canonical" href="{canonical}"></head>'
        f"<body class='archive category'><h1>World</h1><ul>{links}</ul></body></html>"
    )


def read(spider, url: str, html: str) -> list:
    request = Request(url, meta={FAMILY_META_KEY: family_of(url)})
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=request)
    return drained(spider.parse_page(response))


class Engine:
    """Stands in for Scrapy's engine: keeps what the spider sends it."""

    def __init__(self) -> None:
        self.sent: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.sent.append(request)


def site_of(spider):
    (site,) = spider.sites.values()
    return site


def test_pages_read_before_the_first_article_are_compared_and_judged_after_it() -> None:
    spider = new_spider()
    spider.crawler.engine = Engine()  # verdicts release held requests
    site = site_of(spider)
    html = listing(SECTION, "story-one", "story-two")
    read(spider, SECTION, html)
    read(spider, SECTION + "?view=list", html)  # the same articles, another layout
    # no article read yet: nothing tells which links are articles, so nothing is decided
    assert "view" not in site.queries.meaningless
    assert family_of(SECTION) not in site.families.families  # no verdict yet
    assert len(site.early_pages) == 2
    read(spider, LISTED, DATELESS)  # the first article
    assert "view" in site.queries.meaningless
    assert site.early_pages == []
    section = site.families.families[family_of(SECTION)]
    # its links were new and lead where articles live: a fruitful page
    assert (section.fetched, section.fruitful) == (1, 1)
    assert site.families.families[family_of(SECTION + "?view=list")].fetched == 1


def test_a_page_read_after_the_first_article_is_judged_at_once() -> None:
    spider = new_spider()
    site = site_of(spider)
    read(spider, LISTED, DATELESS)
    read(spider, SECTION, listing(SECTION, "story-one"))
    assert site.early_pages == []
    assert site.families.families[family_of(SECTION)].fruitful == 1


def test_a_request_queued_before_a_lesson_is_dropped_as_its_duplicate() -> None:
    spider = new_spider()
    site = site_of(spider)
    # the first article links to the section: the crawl has asked for it
    read(spider, LISTED, DATELESS.replace("</article>", f'<a href="{SECTION}">World</a></article>'))
    twin = Request(
        SECTION + "?view=grid", meta={FAMILY_META_KEY: family_of(SECTION + "?view=grid")}
    )
    paged = Request(SECTION + "?paged=2", meta={FAMILY_META_KEY: family_of(SECTION + "?paged=2")})
    middleware = LearnedDuplicatesMiddleware(spider.crawler, spider.crawler.stats)
    middleware.process_request(twin)  # nothing learned yet: it goes
    html = listing(SECTION, "story-one", "story-two")
    read(spider, SECTION, html)
    read(spider, SECTION + "?view=list", html)
    assert "view" in site.queries.meaningless
    assert spider.learned_duplicate(twin) == SECTION
    with pytest.raises(IgnoreRequest):
        middleware.process_request(twin)
    assert spider.crawler.stats.get_value("traps/duplicates_avoided") == 1
    assert spider.learned_duplicate(paged) is None  # nothing learned about paged
    middleware.process_request(paged)
    # a twin of a page no one asked for is the only way there: it goes
    other = f"{BASE}/category/sport/?view=grid"
    assert spider.learned_duplicate(Request(other, meta={FAMILY_META_KEY: "x"})) is None


def test_a_home_page_link_redirected_to_an_archived_article_is_dropped() -> None:
    spider = new_spider()
    site = site_of(spider)
    site.history = CrawlHistory(articles={LISTED: _known(LISTED)}, pages={BASE + "/"})
    door = spider._page_request(site, f"{BASE}/latest/", front=True)
    assert door is not None and door.meta[TRUSTED_META_KEY]  # it came in by the front door
    redirected = door.replace(url=LISTED, meta={**door.meta, "redirect_urls": [door.url]})
    with pytest.raises(IgnoreRequest):
        spider.request_scheduled(redirected, spider)
    # an archived page asked for again, and the home page, go wherever they are sent
    known = spider._page_request(site, LISTED, listed=True)
    moved = f"{BASE}/court-rules-on-district-map-in-lisbon/"
    spider.request_scheduled(
        known.replace(url=moved, meta={**known.meta, "redirect_urls": [LISTED]}), spider
    )
    home = Request(
        BASE, callback=spider.parse_home, meta={FAMILY_META_KEY: "/", "redirect_urls": [BASE]}
    )
    spider.request_scheduled(home.replace(url=BASE + "/"), spider)
