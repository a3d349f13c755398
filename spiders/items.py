"""The item a spider hands to the pipelines: one fetched article page."""

from __future__ import annotations

from dataclasses import dataclass

from archive.models import Article


@dataclass
class ArticleItem:
    """An article page as fetched: its canonical URL, HTML and the fetch that brought it.

    `news_published` and `sitemap_lastmod` are the dates the site's sitemaps gave for it.
    `extracted` is True when `article` was read already, with the page (None: no text).
    """

    url: str
    html: str
    fetch_id: int | None
    fetched_at: str | None
    article: Article | None = None
    news_published: str | None = None
    sitemap_lastmod: str | None = None
    extracted: bool = False


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
