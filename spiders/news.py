"""The generic spider for any WordPress-style news site: `scrapy crawl news -a url=...`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from archive.models import Article
from archive.sites import site_address
from parsing.feed import parse_feed
from parsing.metadata import iso_date
from parsing.page import read_page
from parsing.sitemap import parse_sitemap
from pipelines.extensions.archive_session import ArchiveSession
from pipelines.extensions.extraction_workers import ExtractionWorkers, ExtractorPool, in_workers
from pipelines.items import GONE, NOT_MODIFIED, ArticleItem, ArticleStatusItem
from pipelines.middlewares.warc_capture import FETCH_META_KEY, REVISIT_META_KEY
from spiders.incremental import CrawlHistory, is_section_front
from spiders.profile import WORDPRESS, SiteProfile
from spiders.urls import UrlPolicy, base_url_from, site_host

logger = logging.getLogger(__name__)

SITEMAP_PRIORITY = 50
FEED_PRIORITY = 40
ARTICLE_PRIORITY = 10
# Statuses a request for an already archived URL must see: unchanged, or gone.
KNOWN_STATUSES = [304, 404, 410]
KNOWN_META_KEY = "archive_known"
PageOutput = Request | ArticleItem | ArticleStatusItem


class NewsSpider(Spider):
    """Finds a site's articles through sitemaps, feeds, the home page and archive pages."""

    name = "news"
    profile: SiteProfile = WORDPRESS

    def __init__(self, url: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.arguments = {"url": url, **kwargs}
        self.base_url = self.check_arguments(url)
        self.allowed_domains = [site_host(self.base_url)]
        self.policy = UrlPolicy(
            self.base_url, tracking_params=self.profile.tracking_params, deny=self.profile.deny
        )
        self._robots_sitemaps: list[str] = []
        self.history = CrawlHistory()
        self._local_memo: dict[str, Any] = {}
        # URLs this process has already queued. Scrapy's dupefilter would drop them too,
        # but only after building, and passing through every middleware, a Request for
        # each of the dozens of menu and sidebar links on every page.
        self._queued: set[str] = set()
        self._workers: ExtractorPool | None = None

    @property
    def memo(self) -> dict[str, Any]:
        """What the crawl has learned so far; in `self.state`, so JOBDIR keeps it on pause."""
        state = getattr(self, "state", None)
        memo = state if isinstance(state, dict) else self._local_memo
        if "listed" not in memo:  # a new crawl, not one resumed from JOBDIR
            memo.update(
                sitemaps_requested=False,
                # canonical URL -> (lastmod, Google News date) from this run's sitemaps
                listed={},
                requested_known=set(),
                revisits_done=False,
            )
        return memo

    @classmethod
    def check_arguments(cls, url: str | None = None, **kwargs: Any) -> str:
        """Validate spider arguments (`-a`) before a crawl; return the site's base URL."""
        return base_url_from(url or cls.profile.base_url)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Put the operator's contact URL into the User-Agent template."""
        super().update_settings(settings)
        agent = settings.get("USER_AGENT") or ""
        if "{contact}" in agent:
            settings.set(
                "USER_AGENT",
                agent.replace("{contact}", settings.get("CRAWL_CONTACT_URL") or ""),
                # At least "spider" priority: the crawl command later re-applies the
                # project settings, which would otherwise restore the template.
                priority=max(
                    settings.getpriority("USER_AGENT") or 0, SETTINGS_PRIORITIES["spider"]
                ),
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        """Listen for robots.txt, whose Sitemap lines start the discovery."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def spider_opened(self, spider: Spider) -> None:
        """Read what earlier crawls of this site left in the archive."""
        session = self.crawler.get_extension(ArchiveSession)
        if session is None:
            return
        self.history = CrawlHistory.load(session.store.db, site_address(self.base_url))
        if self.history.articles:
            logger.info(
                "Re-run: %d articles and %d pages of this site are archived already",
                len(self.history.articles),
                len(self.history.pages),
            )

    async def start(self) -> AsyncIterator[Request]:
        """Home page first (robots.txt is fetched before it), then the feeds."""
        if not self.settings.getbool("ROBOTSTXT_OBEY"):
            yield Request(
                urljoin(self.base_url, "/robots.txt"),
                callback=self.parse_robots_txt,
                errback=self.discovery_failed,
                priority=SITEMAP_PRIORITY,
            )
        yield Request(
            self.base_url,
            callback=self.parse_home,
            errback=self.discovery_failed,
            priority=SITEMAP_PRIORITY,
        )
        for path in self.profile.feed_paths:
            yield Request(
                urljoin(self.base_url, path), callback=self.parse_feed, priority=FEED_PRIORITY
            )

    # --- discovery -------------------------------------------------------------------

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """Keep the Sitemap lines of this site's robots.txt."""
        if self.policy.on_site(request.url) and isinstance(robotparser, ProtegoRobotParser):
            self._robots_sitemaps = list(robotparser.rp.sitemaps)

    def parse_robots_txt(self, response: Response) -> Iterator[Request]:
        """Read Sitemap lines when robots.txt is not obeyed (and so not parsed by Scrapy)."""
        parser = ProtegoRobotParser(response.body, self)
        self._robots_sitemaps = list(parser.rp.sitemaps)
        yield from self._sitemap_requests()

    async def parse_home(self, response: Response) -> AsyncIterator[Request | ArticleItem]:
        """Start sitemap discovery (robots.txt is known by now), then read the home page."""
        for request in self._sitemap_requests():
            yield request
        async for output in self.parse_page(response):
            yield output

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        """Still try the sitemaps when the home page or robots.txt cannot be fetched."""
        logger.warning("Discovery request failed: %s", failure.getErrorMessage())
        yield from self._sitemap_requests()

    def _sitemap_requests(self) -> Iterator[Request]:
        if self.memo["sitemaps_requested"]:
            return
        self.memo["sitemaps_requested"] = True
        sitemaps = [url for url in self._robots_sitemaps if self.policy.on_site(url)]
        if not sitemaps:
            sitemaps = [urljoin(self.base_url, path) for path in self.profile.sitemap_paths]
            logger.info("robots.txt names no sitemap; trying %s", ", ".join(sitemaps))
        for url in sitemaps:
            yield Request(url, callback=self.parse_sitemap, priority=SITEMAP_PRIORITY)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Follow a sitemap index, or queue the pages a sitemap lists."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        sitemap = parse_sitemap(body, response.url)
        if sitemap is None:
            logger.warning("Not a sitemap: %s", response.url)
            return
        for entry in sitemap.entries:
            if sitemap.is_index:
                if self.policy.on_site(entry.loc):
                    yield Request(entry.loc, callback=self.parse_sitemap, priority=SITEMAP_PRIORITY)
            elif url := self.policy.follow(entry.loc):
                # A page may be in several sitemaps (posts, Google News): keep both dates.
                listed = self.memo["listed"]
                first = url not in listed
                lastmod, news_published = listed.get(url, (None, None))
                listed[url] = (entry.lastmod or lastmod, entry.news_published or news_published)
                if self.history.unchanged(url, *listed[url]):
                    if first:
                        self.crawler.stats.inc_value("archive/skipped_unchanged")
                elif request := self._page_request(url, ARTICLE_PRIORITY, listed=True):
                    yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Queue the items of an RSS or Atom feed."""
        for link in parse_feed(response.body, response.url):
            if (url := self.policy.follow(link)) and (
                request := self._page_request(url, ARTICLE_PRIORITY)
            ):
                yield request

    def _page_request(self, url: str, priority: int = 0, listed: bool = False) -> Request | None:
        """A request for an on-site page, or None when the archive makes it unnecessary.

        An archived article is fetched again only when a sitemap says it changed (`listed`)
        or, at the end of the crawl, when no sitemap lists it. A page archived by an
        earlier crawl is read again only when it is the home page or a section front.
        """
        if url in self._queued:
            return None
        request = self._new_page_request(url, priority, listed)
        if request is not None:
            self._queued.add(url)
        return request

    def _new_page_request(self, url: str, priority: int, listed: bool) -> Request | None:
        if url in self.history.articles:  # gone ones too: a sitemap may list them again
            if not listed:
                return None
            self.memo["requested_known"].add(url)
            return self._known_request(url, priority)
        if url in self.history.pages:
            if url != self.base_url and not is_section_front(url, self.profile.section_patterns):
                self.crawler.stats.inc_value("archive/skipped_known_pages")
                return None
            return self._known_request(url, priority)
        return Request(url, callback=self.parse_page, errback=self.page_failed, priority=priority)

    def _known_request(self, url: str, priority: int) -> Request:
        """A conditional request for an archived URL, letting 304/404/410 reach the spider."""
        return Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            priority=priority,
            headers=self.history.conditional_headers(url),
            meta={"handle_httpstatus_list": KNOWN_STATUSES, KNOWN_META_KEY: True},
        )

    def spider_idle(self, spider: Spider) -> None:
        """Once all else is done, revisit the archived articles no sitemap listed this time."""
        memo = self.memo
        if memo["revisits_done"]:
            return
        memo["revisits_done"] = True
        due = [
            url
            for url in self.history.articles
            if self.history.is_known_article(url)
            and url not in memo["listed"]
            and url not in memo["requested_known"]
        ]
        if not due:
            return
        logger.info("Revisiting %d archived articles that no sitemap lists", len(due))
        self.crawler.stats.set_value("archive/revisits_unlisted", len(due))
        for url in due:
            memo["requested_known"].add(url)
            self.crawler.engine.crawl(self._known_request(url, ARTICLE_PRIORITY))
        raise DontCloseSpider

    # --- pages -----------------------------------------------------------------------

    def page_failed(self, failure: Failure) -> Failure | None:
        """One log line and a count for a page that could not be downloaded; go on."""
        if failure.check(IgnoreRequest, HttpError):
            return failure  # robots.txt, another site, an HTTP error: Scrapy's as before
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        self.crawler.stats.inc_value("archive/download_failed")
        logger.error(
            "Cannot download %s: %s", url, failure.getErrorMessage() or failure.type.__name__
        )
        return None

    async def parse_page(self, response: Response) -> AsyncIterator[PageOutput]:
        """Hand article pages to the pipelines, and follow every page's on-site links.

        The page is parsed once, in an extraction worker, which also extracts the article
        of an article page; the crawl's process only schedules and stores.
        """
        if response.meta.get(KNOWN_META_KEY) and (
            response.status in KNOWN_STATUSES or response.meta.get(REVISIT_META_KEY)
        ):
            for item in self._known_outcome(response):
                yield item
            return
        if not isinstance(response, HtmlResponse) or response.status != 200:
            return
        if self._workers is None:
            self._workers = ExtractionWorkers.pool_of(self.crawler)
        reading = await in_workers(self._workers, read_page, response.text, response.url)
        page = reading.page
        if page.is_article and (
            item := self._article_item(response, page.canonical_url, reading.article)
        ):
            yield item
        for link in page.links:
            if (url := self.policy.follow(link)) and (request := self._page_request(url)):
                yield request

    def _known_outcome(self, response: Response) -> Iterator[ArticleStatusItem]:
        """An archived URL answered with nothing new: unchanged (304, same bytes) or gone."""
        url = self.policy.canonical(response.url)
        if url not in self.history.articles:
            return  # a listing page: nothing new to read on it
        fetch_id, fetched_at = response.meta.get(FETCH_META_KEY, (None, None))
        outcome = GONE if response.status in (404, 410) else NOT_MODIFIED
        yield ArticleStatusItem(
            url=url,
            outcome=outcome,
            status=response.status,
            fetch_id=fetch_id,
            fetched_at=fetched_at,
            sitemap_lastmod=self._listed(url)[0],
        )

    def _listed(self, url: str) -> tuple[str | None, str | None]:
        """The sitemap lastmod and Google News date of a page, if a sitemap listed it."""
        return self.memo["listed"].get(url, (None, None))

    def _article_item(
        self, response: Response, canonical: str | None, article: Article | None
    ) -> ArticleItem | None:
        """The item of an article page read as `article`; None when the page had no text."""
        if article is None:
            self.crawler.stats.inc_value("archive/extract_empty")
            logger.warning("No article text in %s (page kept in WARC)", response.url)
            return None
        url = canonical if canonical and self.policy.on_site(canonical) else response.url
        fetch_id, fetched_at = response.meta.get(FETCH_META_KEY, (None, None))
        url = self.policy.canonical(url)
        lastmod, news_published = self._listed(url)
        if lastmod is None and news_published is None:
            lastmod, news_published = self._listed(self.policy.canonical(response.url))
        article = replace(article, url=url)
        if article.published is None and news_published:
            # the page gives no date; the site's Google News sitemap did
            article.published = iso_date(news_published)
        return ArticleItem(
            url=url,
            article=article,
            fetch_id=fetch_id,
            fetched_at=fetched_at,
            sitemap_lastmod=lastmod,
        )
