"""Reading pages: what a page is, where it links, and an article's clean text and metadata.

Functions of `(body, url, rules)` with no crawling in them: no Scrapy, no Twisted, nothing
of `spiders/` or `pipelines/`. Spiders, pipelines, benchmarks and notebooks all call them.
"""

from __future__ import annotations

from parsing.article import extract_article
from parsing.document import parse_html
from parsing.feed import parse_feed
from parsing.page import HtmlPage, PageReading, parse_html_page, read_page
from parsing.rules import GENERIC_RULES, ExtractionRules
from parsing.sitemap import Sitemap, SitemapEntry, parse_sitemap

__all__ = [
    "GENERIC_RULES",
    "ExtractionRules",
    "HtmlPage",
    "PageReading",
    "Sitemap",
    "SitemapEntry",
    "extract_article",
    "parse_feed",
    "parse_html",
    "parse_html_page",
    "parse_sitemap",
    "read_page",
]
