"""Parsing what a server sent into a tree: HTML pages, and XML sitemaps and feeds.

Bad input (empty, binary, unparseable) gives None, never an exception: a crawl meets
every kind of body under a `text/html` or `application/xml` label.
"""

from __future__ import annotations

import copy
import logging
import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

# Characters that do not occur in text: C0 controls other than whitespace, and U+FFFD,
# what undecodable bytes became.
_ODD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
# Without comments: an HTML comment inside a paragraph (React markup leaves many) makes
# trafilatura keep only the text before it.
_HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
_XML_PARSER = lxml.etree.XMLParser(
    recover=True, remove_comments=True, resolve_entities=False, no_network=True, huge_tree=True
)


def looks_binary(html: str | bytes) -> bool:
    """True for content that is not text: compressed or binary bytes served as HTML."""
    sample = html[:4096]
    if isinstance(sample, bytes):
        if sample[:2] == b"\x1f\x8b" or b"\x00" in sample:
            return True
        sample = sample.decode("utf-8", errors="replace")
    odd = len(_ODD_CHARACTERS.findall(sample))
    return odd > len(sample) * 0.02


def parse_html(html: str | bytes) -> HtmlElement | None:
    """Parse a page, returning None for empty, binary or unparseable input."""
    if not html or not html.strip() or looks_binary(html):
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_HTML_PARSER)
    except ValueError:
        # lxml refuses text that carries an XML encoding declaration (XHTML pages).
        if isinstance(html, str):
            return parse_html(html.encode("utf-8"))
        return None
    except lxml.etree.ParserError as exc:
        logger.debug("unparseable HTML: %s", exc)
        return None


def parse_xml(body: bytes, url: str) -> lxml.etree._Element | None:
    """Parse a sitemap or feed leniently (no entities, no network); None when unreadable."""
    try:
        return lxml.etree.fromstring(body, parser=_XML_PARSER)
    except lxml.etree.XMLSyntaxError as exc:
        logger.debug("unreadable XML at %s: %s", url, exc)
        return None


def page_of(element: HtmlElement) -> HtmlElement:
    """A page holding a copy of `element` as its only article."""
    # In <article>, so that trafilatura takes it as the main content instead of falling
    # back to its baseline, which drops subheadings.
    page = lxml.html.Element("html")
    article = lxml.etree.SubElement(lxml.etree.SubElement(page, "body"), "article")
    article.append(copy.deepcopy(element))
    return page
