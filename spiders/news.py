"""The generic spider for news sites: `scrapy crawl news -a url=...` or `-a sites=FILE`.

One crawl takes one site or many. Each site keeps its own profile, URL policy, archive
history, trap families, learned query parameters and learned body container
(`SiteCrawl`); its requests share one download slot, so politeness holds per site.
The site's sitemaps and feeds are read first. The pages they list and the links found
on pages go through the site's trap families (`spiders/families.py`), which cut off a
family that stops bringing new articles; the home page's links go once each whatever
their families' verdicts. Article pages teach the site's body container
(`parsing/body_container.py`) until it is known.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from archive.lessons import (
    BODY_CONTAINER,
    MEANINGLESS_PARAM,
    TRAP_FAMILY,
    forget_lesson,
    load_lessons,
    record_lesson,
)
from archive.models import Article
from archive.sites import site_address
from archive.store import utc_now
from parsing.body_container import ContainerLearner
from parsing.feed import parse_feed
from parsing.metadata import iso_date
from parsing.page import PageReading, read_page, read_page_observing_body
from parsing.requisites import css_requisites
from parsing.sitemap import parse_sitemap
from pipelines.extensions.archive_session import ArchiveSession
from pipelines.extensions.extraction_workers import ExtractionWorkers, ExtractorPool, in_workers
from pipelines.items import GONE, NOT_MODIFIED, ArticleItem, ArticleStatusItem
from pipelines.middlewares.warc_capture import (
    FETCH_META_KEY,
    REQUISITE_META_KEY,
    REVISIT_META_KEY,
)
from spiders.families import family_of
from spiders.incremental import CrawlHistory, conditional_headers, is_section_front
from spiders.profile import WORDPRESS, SiteProfile, load_profiles
from spiders.requisites import Requisites
from spiders.shared_frontier import (
    ArticleFamily,
    ListsRead,
    ParamLearned,
    Sent,
    SharedFrontier,
    Verdict,
)
from spiders.site_crawl import PageSeen, SiteCrawl
from spiders.urls import base_url_from, site_host

logger = logging.getLogger(__name__)

SITEMAP_PRIORITY = 50
FEED_PRIORITY = 40
ARTICLE_PRIORITY = 10
# After the pages: a page's requisites are fetched once the crawl has less to do.
REQUISITE_PRIORITY = -10
# Statuses a request for an already archived URL must see: unchanged, or gone.
KNOWN_STATUSES = [304, 404, 410]
KNOWN_META_KEY = "archive_known"
# The family a page request owes a verdict to (every page request carries one), and
# whether the site itself listed the page (sitemap, feed, home page).
FAMILY_META_KEY = "trap_family"
TRUSTED_META_KEY = "trap_trusted"
# the families of the pages that led to a page (its parent's first), which its fruitful
# verdict credits; a few generations are enough to reach a category from its page 3
LINEAGE_META_KEY = "trap_lineage"
LINEAGE_DEPTH = 4
# a sitemap or feed request: trap families wait until every one of a site's is read
LISTING_META_KEY = "site_listing"
# the dates a sitemap gave a page, carried on its request: in a shared crawl, the worker
# that fetches it may not be the one that read the sitemap
LISTED_META_KEY = "sitemap_dates"
# in a shared crawl, the worker whose trap families sent a page request (its verdict
# frees a place among the pages pending there, whichever worker reads the page)
SENDER_META_KEY = "trap_sender"
# how often (seconds) a worker busy reading pages hears the other workers' verdicts
HEAR_EVERY = 0.25
PageOutput = Request | ArticleItem | ArticleStatusItem


class NewsSpider(Spider):
    """Finds sites' articles through sitemaps, feeds, home pages and archive pages."""

    name = "news"
    profile: SiteProfile = WORDPRESS

    def __init__(self, url: str | None = None, sites: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        given = {"url": url, "sites": sites}
        self.arguments = {**{k: v for k, v in given.items() if v is not None}, **kwargs}
        self.profiles = self.check_arguments(url, sites)
        self.allowed_domains = sorted({site_host(p.base_url or "") for p in self.profiles})
        self.base_url = ", ".join(p.base_url or "" for p in self.profiles)
        # Built in from_crawler, with the crawl's settings.
        self.sites: dict[str, SiteCrawl] = {}
        self._local_memo: dict[str, Any] = {}
        # URLs this process has already queued (or held back, or dropped as traps).
        # Scrapy's dupefilter would drop repeats too, but only after a Request had been
        # built for each of the dozens of menu and sidebar links on every page.
        self._queued: set[str] = set()
        self._workers: ExtractorPool | None = None
        self.requisites = Requisites([], enabled=False)  # FETCH_REQUISITES, in from_crawler
        self._refused_hosts: set[str] = set()  # requisite hosts refused, logged once each
        # sites that never answered (the crawl command exits 1 for them)
        self.unreachable: list[str] = []
        # the other workers' sitemaps and requests, in a crawl shared through Redis
        self.shared: SharedFrontier | None = None
        self._heard_at = 0.0  # when this worker last heard the others' verdicts

    @property
    def memo(self) -> dict[str, Any]:
        """What the crawl has learned so far; in `self.state`, so JOBDIR keeps it on pause."""
        state = getattr(self, "state", None)
        memo = state if isinstance(state, dict) else self._local_memo
        if "listed" not in memo:  # a new crawl, not one resumed from JOBDIR
            memo.update(
                # sites whose sitemaps were asked for
                sitemaps_requested=set(),
                # canonical URL -> (lastmod, Google News date) from this run's sitemaps
                listed={},
                requested_known=set(),
                revisits_done=False,
            )
        return memo

    @classmethod
    def check_arguments(
        cls, url: str | None = None, sites: str | None = None, **kwargs: Any
    ) -> list[SiteProfile]:
        """Validate spider arguments (`-a`) before a crawl; return the profiles to crawl."""
        if sites is not None:
            if url is not None:
                raise ValueError("give -a url= or -a sites=, not both")
            profiles = load_profiles(sites)
        else:
            profiles = [replace(cls.profile, base_url=base_url_from(url or cls.profile.base_url))]
        addresses = [site_address(p.base_url or "") for p in profiles]
        twice = next((a for a in addresses if addresses.count(a) > 1), None)
        if twice is not None:
            raise ValueError(f"{sites}: two sites at {twice}")
        return profiles

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
        """Set up each site; listen for robots.txt, whose Sitemap lines start discovery."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        patience = crawler.settings.getint("TRAP_PATIENCE", 5)
        spider.sites = {
            site.address: site
            for site in (SiteCrawl.start(profile, patience) for profile in spider.profiles)
        }
        spider.requisites = Requisites(
            spider.allowed_domains,
            enabled=crawler.settings.getbool("FETCH_REQUISITES", True),
            hosts=crawler.settings.getlist("REQUISITE_HOSTS", ["*"]),
        )
        # a site whose profile names no body container learns one from its pages
        learn = crawler.settings.getbool("LEARN_BODY_CONTAINER", True)
        for site in spider.sites.values():
            if learn and site.profile.extraction.learns_container:
                site.container = ContainerLearner()
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.response_received, signal=signals.response_received)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(spider.spider_closed, signal=signals.spider_closed)
        return spider

    def held_requests(self) -> int:
        """Requests the sites' trap families hold back for now."""
        return sum(site.families.held() for site in self.sites.values())

    def site_of(self, url: str) -> SiteCrawl | None:
        """The crawled site a URL belongs to (its host and port), if any."""
        return self.sites.get(site_address(url))

    def site_of_request(self, request: Request | None) -> SiteCrawl | None:
        """The crawled site a request was made for, even after a redirect to another host."""
        if request is None:
            return None
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        return self.site_of(first) or self.site_of(request.url)

    def on_site(self, url: str) -> bool:
        """True for an http(s) URL on one of the crawled sites."""
        site = self.site_of(url)
        return site is not None and site.policy.on_site(url)

    def may_fetch(self, request: Request) -> bool:
        """Whether a request may go out: one for a crawled site, a requisite of its pages
        from a host allowed to serve it, or the robots.txt of such a host."""
        if self.on_site(request.url):
            return True
        return self.requisites.allows(request.url, REQUISITE_META_KEY in request.meta)

    def spider_opened(self, spider: Spider) -> None:
        """Read what earlier crawls left for each site; set each site's politeness."""
        session = self.crawler.get_extension(ArchiveSession)
        self.shared = SharedFrontier.of(self)
        for site in self.sites.values():
            if self.shared is not None:
                self.shared.open_lists(site.address)
            if session is not None:
                db, history = session.store.db, session.store.history
                lessons = load_lessons(db, site.address, history)
                site.remember(CrawlHistory.load(db, site.address, history), lessons)
                if lessons.body_container and site.container is not None:
                    self._adopt_container(site, lessons.body_container)
                if site.history.articles:
                    logger.info(
                        "Re-run of %s: %d articles and %d pages archived already, %d trap "
                        "families and %d meaningless parameters known",
                        site.address,
                        len(site.history.articles),
                        len(site.history.pages),
                        len(site.families.families),
                        len(site.queries.meaningless),
                    )
            slot = {}
            if site.profile.download_delay is not None:
                slot["delay"] = site.profile.download_delay
            if site.profile.concurrency is not None:
                slot["concurrency"] = site.profile.concurrency
            if slot and self.crawler.engine is not None:
                self.crawler.engine.downloader.per_slot_settings[site.address] = slot

    async def start(self) -> AsyncIterator[Request]:
        """Each site's home page first (robots.txt is fetched before it), then its feeds."""
        for site in self.sites.values():
            if not self.settings.getbool("ROBOTSTXT_OBEY"):
                yield Request(
                    urljoin(site.base_url, "/robots.txt"),
                    callback=self.parse_robots_txt,
                    errback=self.discovery_failed,
                    priority=SITEMAP_PRIORITY,
                )
            yield self._trusted(
                site,
                site.base_url,
                SITEMAP_PRIORITY,
                callback=self.parse_home,
                errback=self.discovery_failed,
            )
            for path in site.profile.feed_paths:
                yield self._listing(
                    site, urljoin(site.base_url, path), self.parse_feed, FEED_PRIORITY
                )

    # --- discovery -------------------------------------------------------------------

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """Keep the Sitemap lines of a crawled site's robots.txt."""
        site = self.site_of(request.url)
        if site is not None and isinstance(robotparser, ProtegoRobotParser):
            site.robots_sitemaps = list(robotparser.rp.sitemaps)

    def parse_robots_txt(self, response: Response) -> Iterator[Request]:
        """Read Sitemap lines when robots.txt is not obeyed (and so not parsed by Scrapy)."""
        site = self.site_of(response.url)
        if site is None:
            return
        site.robots_sitemaps = list(ProtegoRobotParser(response.body, self).rp.sitemaps)
        yield from self._sitemap_requests(site)

    async def parse_home(self, response: Response) -> AsyncIterator[PageOutput]:
        """Start sitemap discovery (robots.txt is known by now), then read the home page."""
        site = self.site_of(response.url) or self.site_of(response.request.url)
        if site is not None:
            for request in self._sitemap_requests(site):
                yield request
        async for output in self.parse_page(response, front=True):
            yield output

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        """Still try the sitemaps when the home page or robots.txt cannot be fetched."""
        request = getattr(failure, "request", None)
        site = self.site_of_request(request)
        self.page_failed(failure)
        if site is not None:
            yield from self._sitemap_requests(site)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """A site that answers is reachable: report what failed before it answered."""
        site = self.site_of(response.url)
        if site is None or site.responded:
            return
        site.responded = True
        for url, message in site.failures:
            logger.error("Cannot download %s: %s", url, message)
        site.failures.clear()

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """Judge a redirect before it goes out. One to another host brought nothing (Scrapy's
        off-site filter drops it without a word to the spider); one to a page this crawl
        has asked for, or an earlier one archived (a `?p=` shortlink, a slug without its
        slash), is a duplicate: dropped, a fruitless verdict either way. An archived page
        asked for again (to learn whether it changed) and the home page go wherever they
        are sent: the crawl asked for them knowing they were archived."""
        from twisted.internet import reactor  # the one Scrapy installed, not a default

        family = request.meta.get(FAMILY_META_KEY)
        if family is None:
            return
        if not request.meta.get("redirect_urls"):
            self._tell_sent(request, family)
            return
        site = self.site_of_request(request)
        if site is None:
            return
        if self.site_of(request.url) is None:
            reactor.callLater(0, self._judge, site, request, fruitful=False)
            return
        if request.meta.get(KNOWN_META_KEY) or request.callback == self.parse_home:
            return
        url = site.policy.canonical(request.url)
        if self._asked_for(site, url):
            self.crawler.stats.inc_value("traps/duplicates_avoided")
            reactor.callLater(0, self._judge, site, request, fruitful=False)
            raise IgnoreRequest(f"redirect to a page already asked for: {url}")
        self._queued.add(url)

    def _tell_sent(self, request: Request, family: str) -> None:
        """In a shared crawl, tell the other workers a page this worker's families sent
        (now in the crawl's queue: no other worker had asked for it)."""
        if self.shared is None or request.meta.get(SENDER_META_KEY) != self.shared.worker:
            return
        site = self.site_of_request(request)
        if site is not None:
            self.shared.tell(Sent(site.address, family, request.url))

    def learned_duplicate(self, request: Request) -> str | None:
        """The URL of a page already asked for that `request` is, by what the crawl has
        learned since it was queued (a meaningless parameter); None when it is not."""
        if request.meta.get(FAMILY_META_KEY) is None or request.meta.get(TRUSTED_META_KEY):
            return None
        site = self.site_of_request(request)
        if site is None:
            return None
        url = site.policy.canonical(request.url)
        return url if url != request.url and self._asked_for(site, url) else None

    def _asked_for(self, site: SiteCrawl, url: str) -> bool:
        """Whether this crawl has asked for the page already, or an earlier one archived it."""
        return url in self._queued or not site.is_new(url)

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """A request the scheduler dropped. A page answered by a redirect to another host
        or to a page already asked for brought nothing: a fruitless verdict. A duplicate
        never sent owes its family no verdict. A dropped sitemap or feed counts as read."""
        from twisted.internet import reactor  # the one Scrapy installed, not a default

        site = self.site_of_request(request)
        if site is None:
            return
        # later, not from inside the scheduler's call that dropped it
        if request.meta.get(LISTING_META_KEY):
            reactor.callLater(0, self._listing_finished, site)
        if request.meta.get(FAMILY_META_KEY) is None:
            return
        if request.meta.get("redirect_urls"):
            reactor.callLater(0, self._judge, site, request, fruitful=False)
            return
        for held in site.families.forget(request.meta[FAMILY_META_KEY]):
            reactor.callLater(0, self._send, site, held)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """One ERROR line for each site that never answered, naming why."""
        for site in self.sites.values():
            if site.responded or not site.failures:
                continue
            message = site.failures[0][1].rstrip(".")
            self.unreachable.append(site.address)
            self.crawler.stats.inc_value("archive/sites_unreachable")
            logger.error(
                "Cannot reach %s: %s (%s failed, none answered)",
                site.base_url,
                message,
                f"{len(site.failures)} request" + ("" if len(site.failures) == 1 else "s"),
            )

    def _sitemap_requests(self, site: SiteCrawl) -> Iterator[Request]:
        if site.sitemaps_asked:
            return
        site.sitemaps_asked = True
        if self.shared is not None and not self.shared.first_to_ask(site.address):
            return  # another worker asks for them, and says when the site's lists are read
        requested = self.memo["sitemaps_requested"]
        try:
            if site.address in requested:  # a crawl resumed from JOBDIR
                return
            requested.add(site.address)
            sitemaps = [url for url in site.robots_sitemaps if site.policy.on_site(url)]
            if not sitemaps:
                sitemaps = [urljoin(site.base_url, path) for path in site.profile.sitemap_paths]
                logger.info("robots.txt names no sitemap; trying %s", ", ".join(sitemaps))
            for url in sitemaps:
                yield self._listing(site, url, self.parse_sitemap, SITEMAP_PRIORITY)
        finally:
            self._listing_finished(site)

    def _listing_finished(self, site: SiteCrawl) -> None:
        """One of the site's lists is read; once all are, its trap families go on (in a
        shared crawl, every worker's: the crawl counts the lists open)."""
        if self.shared is None:
            for held in site.listing_done():
                self._send(site, held)
        elif self.shared.lists_open(site.address, -1) <= 0:
            self.shared.tell(ListsRead(site.address))
            self._lists_read(site)

    def _lists_read(self, site: SiteCrawl) -> None:
        """Every list of the site is read (in a shared crawl): its trap families go on."""
        for held in site.families.resume() if site.families.paused else ():
            self._send(site, held)

    def listing_failed(self, failure: Failure) -> Failure | None:
        """A sitemap or feed that could not be read counts as read."""
        request = getattr(failure, "request", None)
        site = self.site_of_request(request)
        if site is not None:
            self._listing_finished(site)
        return self.page_failed(failure)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Follow a sitemap index, or queue the pages a sitemap lists."""
        site = self.site_of(response.request.url)
        if site is None:
            return
        try:
            yield from self._read_sitemap(site, response)
        finally:
            self._listing_finished(site)

    def _read_sitemap(self, site: SiteCrawl, response: Response) -> Iterator[Request]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        sitemap = parse_sitemap(body, response.url)
        if sitemap is None:
            logger.warning("Not a sitemap: %s", response.url)
            return
        for entry in sitemap.entries:
            if sitemap.is_index:
                if site.policy.on_site(entry.loc):
                    yield self._listing(site, entry.loc, self.parse_sitemap, SITEMAP_PRIORITY)
            elif url := site.policy.follow(entry.loc):
                # A page may be in several sitemaps (posts, Google News): keep both dates.
                listed = self.memo["listed"]
                first = url not in listed
                lastmod, news_published = listed.get(url, (None, None))
                listed[url] = (entry.lastmod or lastmod, entry.news_published or news_published)
                if site.history.unchanged(url, *listed[url]):
                    if first:
                        self.crawler.stats.inc_value("archive/skipped_unchanged")
                        if self.shared is not None:
                            self.shared.skip(url)
                elif request := self._page_request(site, url, ARTICLE_PRIORITY, listed=True):
                    yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Queue the items of an RSS or Atom feed."""
        site = self.site_of(response.request.url)
        if site is None:
            return
        try:
            for link in parse_feed(response.body, response.url):
                if (url := site.policy.follow(link)) and (
                    request := self._page_request(site, url, ARTICLE_PRIORITY)
                ):
                    yield request
        finally:
            self._listing_finished(site)

    # --- requests --------------------------------------------------------------------

    def _listing(self, site: SiteCrawl, url: str, callback: Any, priority: int) -> Request:
        """A request for a sitemap or a feed (no article, no trap family)."""
        if self.shared is not None:
            self.shared.lists_open(site.address, +1)
        else:
            site.listings_open += 1
        return Request(
            url,
            callback=callback,
            errback=self.listing_failed,
            priority=priority,
            meta={LISTING_META_KEY: True},
        )

    def _page_request(
        self,
        site: SiteCrawl,
        url: str,
        priority: int = 0,
        *,
        listed: bool = False,
        lineage: tuple[str, ...] = (),
        front: bool = False,
    ) -> Request | None:
        """A request for an on-site page, or None: already queued, unnecessary given the
        archive, held back by its trap family (sent later) or dropped as a trap.

        An archived article is fetched again only when a sitemap says it changed (`listed`)
        or, at the end of the crawl, when no sitemap lists it. A page archived by an
        earlier crawl is read again only when it is the home page or a section front.
        New pages go through the trap families, wherever the link came from: a sitemap
        lists tag and author archives too, and those are judged like any other listing.
        A link of the home page (`front`) goes once whatever its family's verdicts so far.
        """
        if url in self._queued:
            if front and (request := site.families.promote(family_of(url), url)) is not None:
                request.meta[TRUSTED_META_KEY] = True
                return request
            return None
        if url in site.history.articles:  # gone ones too: a sitemap may list them again
            if not listed:
                return None
            self.memo["requested_known"].add(url)
            self._queued.add(url)
            request = self._trusted(site, url, priority, known=True)
            if self.shared is not None:
                request.meta[LISTED_META_KEY] = self._listed(url)
            return request
        if url in site.history.pages:
            if url != site.base_url and not is_section_front(url, site.profile.section_patterns):
                self.crawler.stats.inc_value("archive/skipped_known_pages")
                return None
            self._queued.add(url)
            return self._trusted(site, url, priority, known=True)
        self._queued.add(url)
        family = family_of(url)
        door = front and site.families.at_the_door(url)
        request = self._request(url, priority, family, lineage=lineage, trusted=door)
        offer = site.families.offer_front if door else site.families.offer
        sent = offer(family, url, request)
        self._note_cut(site)
        return sent

    def _request(
        self,
        url: str,
        priority: int,
        family: str,
        *,
        trusted: bool = False,
        known: bool = False,
        lineage: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> Request:
        meta: dict[str, Any] = {
            FAMILY_META_KEY: family,
            TRUSTED_META_KEY: trusted,
            LINEAGE_META_KEY: lineage,
        }
        if known:  # conditional, letting 304/404/410 reach the spider
            meta.update({"handle_httpstatus_list": KNOWN_STATUSES, KNOWN_META_KEY: True})
        if self.shared is not None:
            meta[SENDER_META_KEY] = self.shared.worker
        kwargs.setdefault("callback", self.parse_page)
        kwargs.setdefault("errback", self.page_failed)
        return Request(url, priority=priority, meta=meta, **kwargs)

    def _trusted(
        self, site: SiteCrawl, url: str, priority: int, *, known: bool = False, **kwargs: Any
    ) -> Request:
        """A request that skips the trap families' queue, its verdict still counted."""
        family = family_of(url)
        site.families.sent(family)
        request = self._request(url, priority, family, trusted=True, known=known, **kwargs)
        if known:
            request.headers.update(site.history.conditional_headers(url))
        return request

    def _judge(
        self, site: SiteCrawl, request: Request | None, *, fruitful: bool, hopeless: bool = False
    ) -> None:
        """Give a page's verdict to its family; send what the family may now send."""
        family = request.meta.get(FAMILY_META_KEY) if request is not None else None
        if family is None:
            return
        trusted = bool(request.meta.get(TRUSTED_META_KEY))
        lineage = tuple(request.meta.get(LINEAGE_META_KEY, ()))
        sender = request.meta.get(SENDER_META_KEY)
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # as it was sent
        verdicts = site.families.judge(
            family,
            fruitful,
            trusted=trusted,
            lineage=lineage,
            hopeless=hopeless,
            own=self.shared is None or sender in (None, self.shared.worker),
            url=url,
        )
        if self.shared is not None:
            verdict = Verdict(
                site.address, family, fruitful, trusted, hopeless, lineage, sender, url
            )
            self.shared.tell(verdict)
        for held in verdicts:
            self._send(site, held)
        self._note_cut(site)

    def _hear(self, *, now: bool = False) -> None:
        """Count the verdicts the other workers of a shared crawl gave since the last time
        and the pages they sent into families, and learn the parameters they learned, the
        sites whose lists they read and the families where they read articles (every
        HEAR_EVERY seconds, or `now`); send what may then be sent."""
        if self.shared is None:
            return
        clock = time.monotonic()
        if not now and clock - self._heard_at < HEAR_EVERY:
            return
        self._heard_at = clock
        heard = self.shared.hear()
        for word in heard:
            site = self.sites.get(word.site)
            if site is None:
                continue
            if isinstance(word, ListsRead):
                self._lists_read(site)
                continue
            if isinstance(word, ArticleFamily):
                site.article_families.add(word.family)
                if site.early_pages:
                    self._judge_early_pages(site)
                continue
            if isinstance(word, Sent):
                site.families.sent_elsewhere(word.family, word.url)
                continue
            if isinstance(word, ParamLearned):
                site.adopt_params({word.name})
                self.crawler.stats.inc_value("shared/params_heard")
                continue
            released = site.families.judge(
                word.family,
                word.fruitful,
                trusted=word.trusted,
                lineage=word.lineage,
                hopeless=word.hopeless,
                own=word.sender == self.shared.worker,
                url=word.url,
            )
            for held in released:
                self._send(site, held)
            self._note_cut(site)
        verdicts = sum(isinstance(word, Verdict) for word in heard)
        if verdicts:
            self.crawler.stats.inc_value("shared/verdicts_heard", verdicts)

    def _articles_live_in(self, site: SiteCrawl, family: str) -> None:
        """An article of the site was read in `family`; in a shared crawl, say so to the
        other workers the first time."""
        if family not in site.article_families:
            site.article_families.add(family)
            if self.shared is not None:
                self.shared.tell(ArticleFamily(site.address, family))

    def _send(self, site: SiteCrawl, request: Request) -> int:
        """Send a request its family held back, in the form today's lessons give its URL.

        One that today's lessons make a duplicate is not sent; its place in the family
        goes to the next request waiting there.
        """
        waiting, sent = [request], 0
        engine = self.crawler.engine
        # a verdict that arrives while the crawl is closing (a worker whose Redis went
        # away, Ctrl-C) sends nothing: the engine takes no more requests
        if engine is None or getattr(engine, "spider", self) is None:
            return 0
        while waiting:
            request = waiting.pop()
            url = site.policy.canonical(request.url)
            if url == request.url:
                self.crawler.engine.crawl(request)
                sent += 1
            elif url in self._queued:
                self.crawler.stats.inc_value("traps/duplicates_avoided")
                waiting += site.families.forget(request.meta[FAMILY_META_KEY])
            else:
                self._queued.add(url)
                self.crawler.engine.crawl(request.replace(url=url))
                sent += 1
        return sent

    def _note_cut(self, site: SiteCrawl) -> None:
        """Log and count each family the moment it is cut off (or reopened)."""
        stats = self.crawler.stats
        families = site.families
        newly_cut, reopened = families.take_newly_cut(), families.take_newly_reopened()
        for family in newly_cut:
            logger.info(
                "Trap on %s: stopped following %s after %d pages that brought no new "
                "article (e.g. %s)",
                site.address,
                family.key,
                family.fetched,
                family.example,
            )
            self._remember(site, TRAP_FAMILY, family.key, family.example, family.fetched)
        for family in reopened:
            logger.info(
                "Reopened %s on %s: a page it led to brought a new article",
                family.key,
                site.address,
            )
            session = self.crawler.get_extension(ArchiveSession)
            if session is not None:
                forget_lesson(
                    session.store.db,
                    site.address,
                    TRAP_FAMILY,
                    family.key,
                    run_id=session.store.run_id,
                )
        if newly_cut or reopened:
            cut = [f for s in self.sites.values() for f in s.families.cut_here()]
            stats.set_value("traps/families_cut", len(cut))
            stats.set_value("traps/pages_spent", sum(f.fetched for f in cut))
            if reopened:
                stats.inc_value("traps/families_reopened", len(reopened))
        stats.set_value(
            "traps/requests_dropped", sum(s.families.dropped for s in self.sites.values())
        )

    def _remember(
        self, site: SiteCrawl, kind: str, key: str, example: str, pages: int | None
    ) -> None:
        """Keep a lesson in the archive, so that the next crawl of the site starts from it."""
        session = self.crawler.get_extension(ArchiveSession)
        if session is None:
            return
        record_lesson(
            session.store.db,
            site.address,
            kind,
            key,
            example=example,
            pages=pages,
            run_id=session.store.run_id,
            learned_at=utc_now(),
        )

    def spider_idle(self, spider: Spider) -> None:
        """Send what families still hold for lost verdicts; then, once all else is done,
        revisit the archived articles no sitemap listed this time."""
        released = False
        self._hear(now=True)
        # in a shared crawl, a page this worker sent may be in another worker's hands:
        # its verdict is lost only once the whole crawl is quiet
        stalled = self.shared is None or self.shared.quiet()
        for site in self.sites.values():
            # no article was ever read (by any worker, once the crawl is quiet): they
            # brought nothing
            if site.early_pages and stalled:
                self._judge_early_pages(site)
            # a request the dupefilter or a redirect swallowed never gives its verdict
            for held in site.families.release_stalled() if stalled else ():
                released = self._send(site, held) > 0 or released
        if released:
            raise DontCloseSpider
        memo = self.memo
        if memo["revisits_done"]:
            return
        if self.shared is not None and not self.shared.quiet():
            return  # other workers are still reading sitemaps and pages: after them
        memo["revisits_done"] = True
        due = [
            (site, url)
            for site in self.sites.values()
            for url in site.history.articles
            if site.history.is_known_article(url)
            and url not in memo["listed"]
            and url not in memo["requested_known"]
            # listed in a sitemap another worker read, or revisited by another worker
            and (self.shared is None or not self.shared.asked(url))
        ]
        if not due:
            return
        logger.info("Revisiting %d archived articles that no sitemap lists", len(due))
        self.crawler.stats.set_value("archive/revisits_unlisted", len(due))
        for site, url in due:
            memo["requested_known"].add(url)
            self.crawler.engine.crawl(self._trusted(site, url, ARTICLE_PRIORITY, known=True))
        raise DontCloseSpider

    # --- pages -----------------------------------------------------------------------

    def page_failed(self, failure: Failure) -> Failure | None:
        """One log line and a count for a page that could not be downloaded; go on.

        Until its site has answered anything, a failure waits: a site that never answers
        gets one line for all of them when the crawl ends (`spider_closed`).
        """
        request = getattr(failure, "request", None)
        site = self.site_of_request(request)
        if site is not None:
            self._judge(site, request, fruitful=False)
        if failure.check(IgnoreRequest, HttpError):
            return failure  # robots.txt, another site, an HTTP error: Scrapy's as before
        url = request.url if request is not None else "?"
        message = failure.getErrorMessage() or failure.type.__name__
        self.crawler.stats.inc_value("archive/download_failed")
        if site is not None and not site.responded:
            site.failures.append((url, message))
        else:
            logger.error("Cannot download %s: %s", url, message)
        return None

    async def parse_page(
        self, response: Response, *, front: bool = False
    ) -> AsyncIterator[PageOutput]:
        """Hand article pages to the pipelines, follow on-site links, judge the page.

        The page is parsed once, in an extraction worker, which also extracts the article
        of an article page; the crawl's process only schedules and stores. The links of
        the home page (`front`) go out whatever their families' verdicts (`offer_front`).
        """
        site = self.site_of(response.url) or self.site_of(response.request.url)
        if site is None:
            return
        self._hear()
        if response.meta.get(KNOWN_META_KEY) and (
            response.status in KNOWN_STATUSES or response.meta.get(REVISIT_META_KEY)
        ):
            self._judge(site, response.request, fruitful=False)
            for item in self._known_outcome(site, response):
                yield item
            return
        if not isinstance(response, HtmlResponse) or response.status != 200:
            # A link with a query answered by something that is no page (a calendar file,
            # a PDF, a feed) is an export of a page: its family's other links are too.
            export = response.status == 200 and bool(urlsplit(response.url).query)
            self._judge(site, response.request, fruitful=False, hopeless=export)
            return
        task = read_page if site.container is None else read_page_observing_body
        reading = await in_workers(self._pool(), task, response.text, response.url, site.address)
        page = reading.page
        fruitful = False
        if page.is_article:
            item = self._article_item(site, response, page.canonical_url, reading.article)
            if item is not None and item.url in site.articles_read:
                # the same article under another URL: stored once, under its canonical URL
                self.crawler.stats.inc_value("traps/duplicate_articles")
            elif item is not None:
                fruitful = site.is_new(item.url)
                site.articles_read.add(item.url)
                self._articles_live_in(site, family_of(item.url))
                self._queued.add(item.url)  # stored once, under its canonical URL
                self._observe_body(site, reading, item.url)
                yield item
                for request in self._requisite_requests(site, reading.requisites):
                    yield request
        links = [url for link in page.links if (url := site.policy.follow(link))]
        # links to pages no one had asked for (new articles, once it is known what one is)
        fresh = [u for u in dict.fromkeys(links) if not self._asked_for(site, u)]
        if self.shared is not None:  # no other worker either
            taken = self.shared.asked_any(fresh)
            fresh = [u for u in fresh if u not in taken]
        seen = PageSeen(
            response.request, response.url, page.canonical_url, page.is_article, links, fresh
        )
        # Until an article has been read there is no telling which links lead to articles:
        # the page is judged, and compared with its twins, once the first one has been.
        early = not site.article_families
        if not early:
            self._learn_from(site, seen)
        parent = response.meta.get(FAMILY_META_KEY)
        lineage = tuple(
            dict.fromkeys(((parent,) if parent else ()) + response.meta.get(LINEAGE_META_KEY, ()))
        )[:LINEAGE_DEPTH]
        for url in links:
            if request := self._page_request(site, url, lineage=lineage, front=front):
                yield request
        if early:
            site.early_pages.append(seen)
            return
        self._judge(site, response.request, fruitful=fruitful or self._leads_on(site, seen))
        if site.early_pages:
            self._judge_early_pages(site)

    # --- requisites --------------------------------------------------------------------

    def _requisite_requests(self, site: SiteCrawl, urls: list[str]) -> Iterator[Request]:
        """Requests for what an archived page needs to render, each URL once per crawl;
        conditional when an earlier crawl archived it."""
        if not self.requisites.enabled:
            return
        stats = self.crawler.stats
        session = self.crawler.get_extension(ArchiveSession)
        for url in urls:
            if url in self.requisites.asked:
                continue
            refusal = self.requisites.ask(url)
            if refusal is not None:
                stats.inc_value("requisites/refused")
                host = urlsplit(url).netloc
                if host not in self._refused_hosts:
                    self._refused_hosts.add(host)
                    logger.info(
                        "Not fetching requisites from %s: %s (e.g. %s; further ones counted only)",
                        host,
                        refusal,
                        url[:200],
                    )
                continue
            previous = session.store.last_capture(url) if session is not None else None
            headers = conditional_headers(previous.etag, previous.last_modified) if previous else {}
            stats.inc_value("requisites/requested")
            yield Request(
                url,
                callback=self.parse_requisite,
                errback=self.requisite_failed,
                priority=REQUISITE_PRIORITY,
                headers=headers,
                meta={REQUISITE_META_KEY: site.address, "allow_offsite": True},
            )

    def parse_requisite(self, response: Response) -> Iterator[Request]:
        """Count a fetched requisite (it is in the WARC already); a stylesheet's own
        requisites (imports, fonts, images) are asked for in turn. Nothing is followed."""
        stats = self.crawler.stats
        stats.inc_value(f"requisites/status/{response.status}")
        site = self.sites.get(response.meta.get(REQUISITE_META_KEY, ""))
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if site is None or response.status != 200:
            return
        if "css" in content_type or response.url.split("?", 1)[0].endswith(".css"):
            if isinstance(response, TextResponse):
                text = response.text
            else:  # served with a type Scrapy does not take for text
                text = response.body.decode("utf-8", "replace")
            yield from self._requisite_requests(site, css_requisites(text, response.url))

    def requisite_failed(self, failure: Failure) -> None:
        """A requisite that could not be fetched (robots.txt forbids it, its host refused on
        a redirect, a network error): counted."""
        reason = "ignored" if failure.check(IgnoreRequest) else "error"
        self.crawler.stats.inc_value(f"requisites/failed/{reason}")
        if not failure.check(IgnoreRequest, HttpError):
            request = getattr(failure, "request", None)
            logger.info(
                "Cannot fetch requisite %s: %s",
                request.url[:200] if request is not None else "?",
                failure.getErrorMessage() or failure.type.__name__,
            )

    def _pool(self) -> ExtractorPool:
        """The pool the crawl reads pages in (the extension's, or one in this process)."""
        if self._workers is None:
            self._workers = ExtractionWorkers.pool_of(self.crawler)
        return self._workers

    def _observe_body(self, site: SiteCrawl, reading: PageReading, url: str) -> None:
        """Learn from an article page where the site keeps its articles' text."""
        if site.container is None or reading.body_layout is None:
            return
        selector = site.container.add(reading.body_layout)
        if selector is None:
            if site.container.exhausted:
                logger.info(
                    "No body container on %s: its first %d article pages keep their text in "
                    "no one element; its pages are read whole",
                    site.address,
                    len(site.container.pages),
                )
                site.container = None
            return
        pages = len(site.container.pages)
        self._adopt_container(site, selector)
        self.crawler.stats.inc_value("extract/body_containers_learned")
        logger.info(
            "Learned on %s: its articles' text is in %s (from %d article pages); reading "
            "its pages within it, and re-cleaning the articles read before when the crawl ends",
            site.address,
            selector,
            pages,
        )
        self._remember(site, BODY_CONTAINER, selector, url, pages)

    def _adopt_container(self, site: SiteCrawl, selector: str) -> None:
        """Read the site's pages within its body container from now on, and say so in the
        archive's record of the site's rules (which `reextract` reads)."""
        rules = replace(site.profile.extraction, learned_container=(selector,))
        site.profile = replace(site.profile, extraction=rules)
        site.container = None
        self._pool().set_rules(site.address, rules)
        self.crawler.stats.set_value(f"extract/body_container/{site.address}", selector)
        session = self.crawler.get_extension(ArchiveSession)
        if session is not None:
            session.store.record_site_rules(site.address, rules.as_dict())

    def _leads_on(self, site: SiteCrawl, seen: PageSeen) -> bool:
        """Whether a page linked to a new URL in a family where articles live."""
        return any(family_of(url) in site.article_families for url in seen.fresh)

    def _judge_early_pages(self, site: SiteCrawl) -> None:
        """Learn from and judge the pages read before the site's first article."""
        early, site.early_pages = site.early_pages, []
        for seen in early:
            if site.article_families:
                self._learn_from(site, seen)
            self._judge(site, seen.request, fruitful=self._leads_on(site, seen))

    def _learn_from(self, site: SiteCrawl, seen: PageSeen) -> None:
        """Learn which query parameters change nothing, from what the page says it is."""
        canonical = seen.canonical_url
        if canonical is not None:
            canonical = site.policy.canonical(canonical) if site.policy.on_site(canonical) else None
        fingerprint = frozenset(
            url for url in seen.links if family_of(url) in site.article_families
        )
        learned = site.queries.observe(
            site.policy.canonical(seen.url), canonical, seen.is_article, fingerprint
        )
        if not learned:
            return
        site.policy.learn_params(learned)
        for name, evidence in learned.items():
            self.crawler.stats.inc_value("traps/params_learned")
            self.crawler.stats.set_value(f"traps/param/{site.address}/{name}", evidence)
            logger.info(
                "Learned on %s: the query parameter %r changes nothing (%s is %s); "
                "dropped from links from now on",
                site.address,
                name,
                evidence,
                canonical or "the same page without it",
            )
            self._remember(site, MEANINGLESS_PARAM, name, evidence, None)
            if self.shared is not None:
                self.shared.tell(ParamLearned(site.address, name))

    def _known_outcome(self, site: SiteCrawl, response: Response) -> Iterator[ArticleStatusItem]:
        """An archived URL answered with nothing new: unchanged (304, same bytes) or gone."""
        url = site.policy.canonical(response.url)
        if url not in site.history.articles:
            return  # a listing page: nothing new to read on it
        fetch_id, fetched_at = response.meta.get(FETCH_META_KEY, (None, None))
        outcome = GONE if response.status in (404, 410) else NOT_MODIFIED
        yield ArticleStatusItem(
            url=url,
            outcome=outcome,
            status=response.status,
            fetch_id=fetch_id,
            fetched_at=fetched_at,
            sitemap_lastmod=self._listed(url, response)[0],
        )

    def _listed(self, url: str, response: Response | None = None) -> tuple[str | None, str | None]:
        """The sitemap lastmod and Google News date of a page, if a sitemap listed it (one
        this worker read, or the one its request was made from)."""
        listed = self.memo["listed"].get(url)
        if listed is None and response is not None:
            listed = response.meta.get(LISTED_META_KEY)
        return tuple(listed) if listed else (None, None)

    def _article_item(
        self,
        site: SiteCrawl,
        response: Response,
        canonical: str | None,
        article: Article | None,
    ) -> ArticleItem | None:
        """The item of an article page read as `article`; None when the page had no text."""
        if article is None:
            self.crawler.stats.inc_value("archive/extract_empty")
            logger.warning("No article text in %s (page kept in WARC)", response.url)
            return None
        url = canonical if canonical and site.policy.on_site(canonical) else response.url
        fetch_id, fetched_at = response.meta.get(FETCH_META_KEY, (None, None))
        url = site.policy.canonical(url)
        lastmod, news_published = self._listed(url, response)
        if lastmod is None and news_published is None:
            lastmod, news_published = self._listed(site.policy.canonical(response.url))
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
