"""What an HTML page is to a crawl: an article or not, its canonical URL, its links.

`read_page` reads all of that, and the article of an article page, from one parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml.html import HtmlElement
from w3lib.html import strip_html5_whitespace

from archive.models import Article
from parsing.article import article_from_tree
from parsing.body_container import Layout, layout
from parsing.document import parse_html
from parsing.metadata import article_node, jsonld_nodes
from parsing.requisites import page_requisites
from parsing.rules import ExtractionRules


@dataclass
class HtmlPage:
    """What discovery needs from an HTML page: is it an article, its canonical URL, links."""

    is_article: bool
    canonical_url: str | None
    links: list[str] = field(default_factory=list)


@dataclass
class PageReading:
    """An HTML page as `read_page` read it: the page, and its article if it is one."""

    page: HtmlPage
    article: Article | None
    # what an article page needs to render (stylesheets, scripts, images, fonts)
    requisites: list[str] = field(default_factory=list)
    # where the article's text lies, for learning the site's body container
    # (`parsing.body_container`); only when asked for
    body_layout: Layout | None = None


def _meta_content(tree: HtmlElement, key: str) -> str | None:
    found = tree.xpath("//meta[@property=$key or @name=$key]/@content", key=key)
    return found[0].strip() if found else None


def is_article_page(tree: HtmlElement) -> bool:
    """True when the page describes itself as one article (JSON-LD, og:type, WordPress)."""
    if article_node(jsonld_nodes(tree)) is not None:
        return True
    if _meta_content(tree, "og:type") == "article" and _meta_content(
        tree, "article:published_time"
    ):
        return True
    body_class = " ".join(tree.xpath("//body/@class")).split()
    return "single-post" in body_class


def page_links(tree: HtmlElement, url: str) -> list[str]:
    """Absolute http(s) URLs of the page's `<a>` and `<area>` links, in page order."""
    base = tree.xpath("//base/@href")
    base_url = urljoin(url, strip_html5_whitespace(base[0])) if base else url
    links = []
    for href in tree.xpath("//a/@href | //area/@href"):
        href = strip_html5_whitespace(href)
        if not href or href.startswith("#"):
            continue
        if href.startswith(("http://", "https://")):
            links.append(href)  # absolute already, as most are: urljoin would return it
            continue
        absolute = urljoin(base_url, href)
        if absolute.startswith(("http://", "https://")):
            links.append(absolute)
    return list(dict.fromkeys(links))


def parse_html_page(html: str | bytes, url: str) -> HtmlPage:
    """Classify an HTML page and list its links."""
    tree = parse_html(html)
    if tree is None:
        return HtmlPage(is_article=False, canonical_url=None)
    return html_page(tree, url)


def read_page(
    html: str | bytes, url: str, rules: ExtractionRules, observe_body: bool = False
) -> PageReading:
    """Everything the crawl reads from an HTML page, from one parse: what it is, its
    links and, for an article page, the article (None when it has no text); with
    `observe_body`, also where the article's text lies in the page."""
    tree = parse_html(html)
    if tree is None:
        return PageReading(HtmlPage(is_article=False, canonical_url=None), None)
    page = html_page(tree, url)
    article = article_from_tree(tree, url, rules) if page.is_article else None
    found = (
        layout(tree, article.text, article.title) if observe_body and article is not None else None
    )
    requisites = page_requisites(tree, url) if article is not None else []
    return PageReading(page, article, requisites, found)


def read_page_observing_body(html: str | bytes, url: str, rules: ExtractionRules) -> PageReading:
    """`read_page` with `observe_body`, as a task for the extraction workers."""
    return read_page(html, url, rules, observe_body=True)


def html_page(tree: HtmlElement, url: str) -> HtmlPage:
    """`parse_html_page` for a page parsed already."""
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    return HtmlPage(
        is_article=is_article_page(tree),
        canonical_url=urljoin(url, canonical[0].strip()) if canonical else None,
        links=page_links(tree, url),
    )
