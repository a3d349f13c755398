"""One site of a crawl: its profile, URL policy, history, trap families and lessons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.lessons import SiteLessons
from parsing.body_container import ContainerLearner
from spiders.families import TrapFamilies, family_of
from spiders.incremental import CrawlHistory
from spiders.profile import SiteProfile
from spiders.query_lessons import QueryLessons
from spiders.urls import UrlPolicy


@dataclass
class PageSeen:
    """A page the crawl has read: what its verdict and its lessons need (kept until the
    site's first article is read, for a page read before it)."""

    request: Any  # the scrapy Request, whose meta holds the page's trap family
    url: str
    canonical_url: str | None
    is_article: bool
    links: list[str]
    fresh: list[str]  # links to pages no one had asked for when the page was read


@dataclass
class SiteCrawl:
    """Everything a crawl knows and decides about one of its sites."""

    profile: SiteProfile
    policy: UrlPolicy
    families: TrapFamilies[Any]
    queries: QueryLessons = field(default_factory=QueryLessons)
    history: CrawlHistory = field(default_factory=CrawlHistory)
    robots_sitemaps: list[str] = field(default_factory=list)
    # families of the URLs that proved to be articles: where a new link is a new article
    article_families: set[str] = field(default_factory=set)
    # canonical URLs of the articles read in this crawl
    articles_read: set[str] = field(default_factory=set)
    # whether the site answered anything yet; until it does, failures wait here
    responded: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    # sitemaps and feeds asked for and not read yet, plus one until the sitemaps are asked for
    listings_open: int = 1
    sitemaps_asked: bool = False
    # pages read before the first article, waiting for their verdicts
    early_pages: list[PageSeen] = field(default_factory=list)
    # where the site's articles keep their text, while it is being learned
    container: ContainerLearner | None = None

    @classmethod
    def start(cls, profile: SiteProfile, patience: int) -> SiteCrawl:
        """A site about to be crawled, knowing nothing yet but its profile."""
        assert profile.base_url is not None, "a crawled profile has its base URL"
        policy = UrlPolicy(
            profile.base_url, tracking_params=profile.tracking_params, deny=profile.deny
        )
        families: TrapFamilies[Any] = TrapFamilies(patience)
        families.paused = True  # until the site's lists are read (`listing_done`)
        return cls(profile, policy, families)

    @property
    def base_url(self) -> str:
        """The site's base URL, as the profile or the command line gave it."""
        return self.policy.base_url

    @property
    def address(self) -> str:
        """Host and port of the site: the key the archive files it under."""
        return self.policy.address

    def remember(self, history: CrawlHistory, lessons: SiteLessons) -> None:
        """Take in what earlier crawls left: archived pages and the lessons learned."""
        self.history = history
        paused = self.families.paused
        self.families = TrapFamilies(self.families.patience, cut=lessons.trap_families)
        self.families.paused = paused
        self.adopt_params(lessons.meaningless_params)
        self.article_families |= {family_of(url) for url in history.articles}

    def adopt_params(self, names: set[str]) -> None:
        """Query parameters learned elsewhere (an earlier crawl, another worker) to change
        nothing: dropped from every link from now on, not learned again here."""
        self.queries.meaningless |= names
        self.policy.learn_params(names)

    def listing_done(self) -> list[Any]:
        """A sitemap or feed has been read (or failed): once all have, the families go on;
        return the requests they may now send."""
        self.listings_open = max(0, self.listings_open - 1)
        if self.families.paused and self.listings_open == 0:
            return self.families.resume()
        return []

    def is_new(self, url: str) -> bool:
        """True for a URL this crawl has not read and no earlier crawl archived."""
        return (
            url not in self.articles_read
            and url not in self.history.articles
            and url not in self.history.pages
        )
