"""The item a spider hands to the pipelines: one fetched article page."""

from __future__ import annotations

from dataclasses import dataclass

from archive.models import Article


@dataclass
class ArticleItem:
    """An article page as fetched: its canonical URL, HTML and the fetch that brought it.

    `news_published` is the publication date a Google News sitemap gave for the page.
    """

    url: str
    html: str
    fetch_id: int | None
    fetched_at: str | None
    article: Article | None = None
    news_published: str | None = None
