"""What a re-run of a crawl may skip, decided from what the archive already holds.

A first crawl fetches everything. After it, a run trusts the site's sitemaps: an archived
article whose sitemap `lastmod` (or Google News publication date) is not newer than what
the archive recorded at its last capture is not fetched at all; other archived articles
are fetched conditionally (If-None-Match / If-Modified-Since). Archived articles that no
sitemap lists any more are revisited conditionally at the end, which is how deletions
(404/410) and changes to articles only reachable through archive pages are found.
Listing pages already crawled are re-read only when they are section fronts; new pages
are always followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlite_utils import Database

from archive.known import KnownArticle, known_articles, known_pages, validators


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 / W3C date or datetime as an aware datetime (UTC when no zone is given)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class CrawlHistory:
    """Earlier crawls of one site, as the archive remembers them."""

    articles: dict[str, KnownArticle] = field(default_factory=dict)
    pages: set[str] = field(default_factory=set)
    conditions: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, db: Database, site: str, history: Database | None = None) -> CrawlHistory:
        """Read a site's history from the archive, and from the archive of earlier crawls
        when the crawl has one (`history`: a shared crawl's worker writes an empty shard)."""
        loaded = cls(known_articles(db, site), known_pages(db, site), validators(db, site))
        if history is None:
            return loaded
        earlier = cls.load(history, site)
        # what the archive written to holds is the later word on a URL
        return cls(
            {**earlier.articles, **loaded.articles},
            earlier.pages | loaded.pages,
            {**earlier.conditions, **loaded.conditions},
        )

    @property
    def incremental(self) -> bool:
        """True when an earlier crawl of the site finished (so its pages can be trusted)."""
        return bool(self.pages)

    def is_known_article(self, url: str) -> bool:
        """True for an archived article that was not found gone."""
        known = self.articles.get(url)
        return known is not None and not known.gone

    def unchanged(self, url: str, lastmod: str | None, news_published: str | None) -> bool:
        """True when a sitemap's dates show no change since the article's last capture."""
        known = self.articles.get(url)
        if known is None or known.gone:
            return False
        if lastmod:
            listed = parse_when(lastmod)
            recorded = parse_when(known.sitemap_lastmod) or parse_when(known.modified)
            return listed is not None and recorded is not None and listed <= recorded
        if news_published:
            listed = parse_when(news_published)
            recorded = parse_when(known.published)
            return listed is not None and recorded is not None and listed <= recorded
        return False

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the URL's last full capture."""
        return conditional_headers(*self.conditions.get(url, (None, None)))


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers asking for a capture again only if it changed since."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def is_section_front(url: str, patterns: tuple[str, ...]) -> bool:
    """True for a section's first page (a listing worth re-reading on every run)."""
    path = urlsplit(url).path or "/"
    return any(re.search(pattern, path) for pattern in patterns)
