"""The generic spider for any WordPress-style news site: `scrapy crawl news -a url=...`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from pipelines.warc import FETCH_META_KEY
from spiders.items import ArticleItem
from spiders.pages import parse_feed, parse_html_page, parse_sitemap
from spiders.profile import WORDPRESS, SiteProfile
from spiders.urls import UrlPolicy, base_url_from, site_host

logger = logging.getLogger(__name__)

SITEMAP_PRIORITY = 50
FEED_PRIORITY = 40
ARTICLE_PRIORITY = 10


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
        self._sitemaps_requested = False
        # Google News sitemap dates by canonical URL, for pages that carry no date themselves
        self._news_published: dict[str, str] = {}

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
        return spider

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

    def parse_home(self, response: Response) -> Iterator[Request | ArticleItem]:
        """Start sitemap discovery (robots.txt is known by now), then read the home page."""
        yield from self._sitemap_requests()
        yield from self.parse_page(response)

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        """Still try the sitemaps when the home page or robots.txt cannot be fetched."""
        logger.warning("Discovery request failed: %s", failure.getErrorMessage())
        yield from self._sitemap_requests()

    def _sitemap_requests(self) -> Iterator[Request]:
        if self._sitemaps_requested:
            return
        self._sitemaps_requested = True
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
        sitemap = parse_sitemap(body)
        if sitemap is None:
            logger.warning("Not a sitemap: %s", response.url)
            return
        for entry in sitemap.entries:
            if sitemap.is_index:
                if self.policy.on_site(entry.loc):
                    yield Request(entry.loc, callback=self.parse_sitemap, priority=SITEMAP_PRIORITY)
            elif url := self.policy.follow(entry.loc):
                if entry.news_published:
                    self._news_published[url] = entry.news_published
                yield Request(url, callback=self.parse_page, priority=ARTICLE_PRIORITY)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Queue the items of an RSS or Atom feed."""
        for link in parse_feed(response.body, response.url):
            if url := self.policy.follow(link):
                yield Request(url, callback=self.parse_page, priority=ARTICLE_PRIORITY)

    # --- pages -----------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Request | ArticleItem]:
        """Hand article pages to the pipelines, and follow every page's on-site links."""
        if not isinstance(response, HtmlResponse):
            return
        page = parse_html_page(response.text, response.url)
        if page.is_article:
            yield self._article_item(response, page.canonical_url)
        for link in page.links:
            if url := self.policy.follow(link):
                yield Request(url, callback=self.parse_page)

    def _article_item(self, response: Response, canonical: str | None) -> ArticleItem:
        url = canonical if canonical and self.policy.on_site(canonical) else response.url
        fetch_id, fetched_at = response.meta.get(FETCH_META_KEY, (None, None))
        url = self.policy.canonical(url)
        listed = self._news_published.get(url) or self._news_published.get(
            self.policy.canonical(response.url)
        )
        return ArticleItem(
            url=url,
            html=response.text,
            fetch_id=fetch_id,
            fetched_at=fetched_at,
            news_published=listed,
        )
