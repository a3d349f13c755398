"""The items spiders hand to the pipelines: an article read from its page, or its status."""

from __future__ import annotations

from dataclasses import dataclass

from archive.models import Article


@dataclass
class ArticleItem:
    """An article as read from its page, and the fetch (WARC capture) that brought it.

    `sitemap_lastmod` is the date the site's sitemaps gave for it, kept for re-runs.
    """

    url: str
    article: Article
    fetch_id: int | None
    fetched_at: str | None
    sitemap_lastmod: str | None = None


NOT_MODIFIED, GONE = "not_modified", "gone"


@dataclass
class ArticleStatusItem:
    """An archived article fetched again without new content: unchanged, or gone (404/410)."""

    url: str
    outcome: str
    status: int
    fetch_id: int | None
    fetched_at: str | None
    sitemap_lastmod: str | None = None
