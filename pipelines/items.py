"""The items spiders hand to the pipelines: an article read from its page, or its status."""

from __future__ import annotations

from dataclasses import dataclass

from archive.models import Article

# what became of an archived article, in the archive's words (re-exported)
from archive.store import GONE as GONE
from archive.store import NOT_MODIFIED as NOT_MODIFIED


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


@dataclass
class ArticleStatusItem:
    """An archived article fetched again without new content: unchanged, or gone (404/410)."""

    url: str
    outcome: str
    status: int
    fetch_id: int | None
    fetched_at: str | None
    sitemap_lastmod: str | None = None
