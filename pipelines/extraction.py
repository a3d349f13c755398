"""Clean article text and metadata from one HTML page: trafilatura plus site rules.

`extract_article(html, url, rules)` is the one function the crawl, the tests and the
benchmarks call; it never raises on bad input, it returns None and logs why.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, fields
from functools import cached_property

import lxml.etree
import lxml.html
from cssselect import HTMLTranslator
from lxml.html import HtmlElement
from trafilatura import extract
from trafilatura.settings import Extractor

from archive.models import Article
from pipelines.body import article_body
from pipelines.metadata import read_metadata

logger = logging.getLogger(__name__)

# Built once (trafilatura reads its options from this object on every call), for a
# profile's body container, which is the article already: trafilatura's fallbacks
# (readability, jusText) would only judge the container against itself, at twice the time.
CONTAINER_OPTIONS = Extractor(
    output_format="txt", comments=False, tables=True, links=False, images=False, fast=True
)
# Characters that do not occur in text: C0 controls other than whitespace, and U+FFFD,
# what undecodable bytes became.
_ODD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_css = HTMLTranslator()
# Without comments: an HTML comment inside a paragraph (React markup leaves many) makes
# trafilatura keep only the text before it.
_HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


@dataclass(frozen=True)
class ExtractionRules:
    """What a site or theme profile adds to trafilatura, as CSS selectors and regexes.

    - `content`: selectors of the article body container, tried in order; when one
      matches, only that element is extracted (the rest of the page is chrome).
    - `prune`: selectors of elements removed before extraction (ads, share bars, boxes).
    - `boilerplate`: regexes; a paragraph of the clean text that matches one is dropped.
    """

    content: tuple[str, ...] = ()
    prune: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, tuple[str, ...]]:
        """The fields only: the compiled XPaths cached below do not pickle (worker processes
        get the rules pickled and compile their own)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @cached_property
    def _content_xpaths(self) -> list[lxml.etree.XPath]:
        return [lxml.etree.XPath(_css.css_to_xpath(s)) for s in self.content]

    @cached_property
    def prune_xpath(self) -> str | None:
        """The prune selectors as one XPath, for trafilatura's own `prune_xpath`."""
        return " | ".join(_css.css_to_xpath(s) for s in self.prune) or None

    @cached_property
    def _boilerplate_re(self) -> re.Pattern[str] | None:
        if not self.boilerplate:
            return None
        return re.compile("|".join(f"(?:{p})" for p in self.boilerplate))

    def body(self, tree: HtmlElement) -> HtmlElement:
        """The page, or only its body container when one matches (trafilatura copies it)."""
        container = next((found[0] for xp in self._content_xpaths if (found := xp(tree))), None)
        if container is None:
            return tree
        # Wrapped in <article> so that trafilatura takes it as the main content instead
        # of falling back to its baseline, which drops subheadings.
        body = lxml.html.Element("html")
        wrapper = lxml.etree.SubElement(lxml.etree.SubElement(body, "body"), "article")
        wrapper.append(copy.deepcopy(container))
        return body

    def keep(self, paragraph: str) -> bool:
        """False for a paragraph that is the site's boilerplate."""
        return self._boilerplate_re is None or not self._boilerplate_re.search(paragraph)


GENERIC_RULES = ExtractionRules()


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


def clean_text(tree: HtmlElement, url: str, rules: ExtractionRules = GENERIC_RULES) -> str:
    """The article body as plain text, one paragraph a line, boilerplate removed."""
    # trafilatura prunes its own copy of the tree, so the page is never copied twice.
    body = rules.body(tree)
    if body is tree:
        # No body container known: trafilatura and readability have to agree on it.
        text = article_body(tree, url, rules.prune_xpath)
    else:
        text = extract(body, url=url, prune_xpath=rules.prune_xpath, options=CONTAINER_OPTIONS)
        text = text or ""
    paragraphs = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(p for p in paragraphs if p and rules.keep(p))


def extract_article(
    html: str | bytes, url: str, rules: ExtractionRules = GENERIC_RULES
) -> Article | None:
    """Clean text and metadata of an article page, or None when it has no text."""
    tree = parse_html(html)
    if tree is None:
        logger.info("no HTML to extract from %s", url)
        return None
    return article_from_tree(tree, url, rules)


def article_from_tree(
    tree: HtmlElement, url: str, rules: ExtractionRules = GENERIC_RULES
) -> Article | None:
    """`extract_article` for a page parsed already (the tree is left as it was)."""
    text = clean_text(tree, url, rules)
    if not text:
        logger.info("no article text found in %s", url)
        return None
    meta = read_metadata(tree, url)
    return Article(
        url=url,
        title=meta["title"],
        author=meta["author"],
        published=meta["published"],
        modified=meta["modified"],
        language=meta["language"],
        section=meta["section"],
        tags=meta["tags"],
        description=meta["description"],
        image=meta["image"],
        text=text,
    )
