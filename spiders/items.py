"""The item a spider hands to the pipelines: one fetched article page."""

from __future__ import annotations

from dataclasses import dataclass

from archive.models import Article


@dataclass
class ArticleItem:
    """An article page as fetched: its canonical URL, HTML and the fetch that brought it."""

    url: str
    html: str
    fetch_id: int | None
    fetched_at: str | None
    article: Article | None = None
