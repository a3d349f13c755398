"""Clean article text and metadata from one HTML page: trafilatura plus site rules.

`extract_article(html, url, rules)` reads an article page on its own; `read_page` (in
`parsing.page`) reads one together with its links, from the same tree. Neither raises on
bad input: they return None and log why.
"""

from __future__ import annotations

import logging

from lxml.html import HtmlElement
from trafilatura import extract
from trafilatura.settings import Extractor

from archive.models import Article
from parsing.body import article_body
from parsing.document import parse_html
from parsing.metadata import read_metadata
from parsing.rules import GENERIC_RULES, ExtractionRules

logger = logging.getLogger(__name__)

# The version of the extraction code: raise it whenever a change to parsing/ can change a
# stored text or its metadata, so that `python -m archive reextract` knows which are stale.
# 2026.12.2: `authors`, each name apart (before it, only the joined `author`).
EXTRACTOR_VERSION = "2026.12.2"


def extractor_id(rules: ExtractionRules) -> str:
    """What made a text: the extraction code's version and the site's rules."""
    return f"{EXTRACTOR_VERSION}+{rules.digest}"


# Built once (trafilatura reads its options from this object on every call), for a
# profile's body container, which is the article already: trafilatura's fallbacks
# (readability, jusText) would only judge the container against itself, at twice the time.
CONTAINER_OPTIONS = Extractor(
    output_format="txt", comments=False, tables=True, links=False, images=False, fast=True
)


def clean_text(tree: HtmlElement, url: str, rules: ExtractionRules = GENERIC_RULES) -> str:
    """The article body as plain text, one paragraph a line, boilerplate removed."""
    # trafilatura prunes its own copy of the tree, so the page is never copied twice.
    body = rules.body(tree)
    if body is tree:
        text = learned_body_text(tree, url, rules)
    else:
        text = extract(body, url=url, prune_xpath=rules.prune_xpath, options=CONTAINER_OPTIONS)
        text = text or ""
    paragraphs = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(p for p in paragraphs if p and rules.keep(p))


def learned_body_text(tree: HtmlElement, url: str, rules: ExtractionRules) -> str:
    """The generic text (parsing.body), read within the site's learned body container
    when the page has it, as a profile's container is read: what lies around it is the
    site's template, however long (a brief beside a rail of teasers). A container with
    no text says nothing, and the whole page is read."""
    page = rules.learned_body(tree)
    text = article_body(page, url, rules.prune_xpath) if page is not None else ""
    return text or article_body(tree, url, rules.prune_xpath)


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
        authors=meta["authors"],
        published=meta["published"],
        modified=meta["modified"],
        language=meta["language"],
        section=meta["section"],
        tags=meta["tags"],
        description=meta["description"],
        image=meta["image"],
        text=text,
        extractor=extractor_id(rules),
    )
