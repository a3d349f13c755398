"""Sitemaps and sitemap indexes, with the dates that say when each page changed."""

from __future__ import annotations

from dataclasses import dataclass

import lxml.etree

from parsing.document import parse_xml


@dataclass
class SitemapEntry:
    """One `<url>` or `<sitemap>` of a sitemap, with the dates that say when it changed."""

    loc: str
    lastmod: str | None = None
    news_published: str | None = None


@dataclass
class Sitemap:
    """A parsed sitemap: an index of other sitemaps, or a set of page URLs."""

    is_index: bool
    entries: list[SitemapEntry]


def _child_text(element: lxml.etree._Element, path: str) -> str | None:
    found = element.find(path)
    text = found.text if found is not None else None
    return text.strip() if text and text.strip() else None


def parse_sitemap(body: bytes, url: str = "") -> Sitemap | None:
    """Parse a sitemap or sitemap index (Google News and image extensions included)."""
    root = parse_xml(body, url)
    if root is None:
        return None
    kind = lxml.etree.QName(root).localname
    if kind not in ("sitemapindex", "urlset"):
        return None
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for element in root.iterfind(f"{{*}}{child}"):
        loc = _child_text(element, "{*}loc")
        if loc:
            entries.append(
                SitemapEntry(
                    loc=loc,
                    lastmod=_child_text(element, "{*}lastmod"),
                    news_published=_child_text(element, "{*}news/{*}publication_date"),
                )
            )
    return Sitemap(is_index=kind == "sitemapindex", entries=entries)
