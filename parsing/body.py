"""The article body of a page with no site rules: trafilatura checked against readability.

trafilatura alone (fast, recall-oriented) usually finds the body but often keeps the
headline, standfirst and teasers of other stories around it, and sometimes stops short.
readability-lxml scores the page differently, so where the two agree is the body:
- the edges of trafilatura's text that readability does not have are trimmed;
- when trafilatura's text is only a small part of readability's, it was cut short and
  readability's text is taken instead.
An article split into same-class chunks is read chunk by chunk, and paragraphs that are
mostly the text of a link (teasers of other stories) are dropped.
"""

from __future__ import annotations

import copy
import logging
import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement
from readability import Document
from trafilatura import extract
from trafilatura.settings import Extractor

logger = logging.getLogger(__name__)

# No fallback: trafilatura's own fallback keeps the longer of its candidates, which is
# often the noisier one; readability is compared below by agreement instead.
BODY_OPTIONS = Extractor(
    output_format="txt",
    comments=False,
    tables=True,
    links=False,
    images=False,
    fast=True,
    recall=True,
)
# Share of trafilatura's text that readability must also have for its edges to be trimmed;
# below it readability found something else (or little) and is no judge of the edges.
TRIM_AGREEMENT = 0.6
# readability's text replaces trafilatura's when it holds this share of it...
CONTAINS = 0.9
# ...and is this much longer: trafilatura stopped short of the end of the article.
LONGER = 1.5
# A paragraph is in a text when this share of its shingles is.
SUPPORT = 0.5
# A paragraph that is mostly the text of one link this long is a teaser of another page
# (related stories, "Read more: ..."), not the article's own prose.
TEASER_LINK_LENGTH = 30
TEASER_SHARE = 0.8
# How far above the paragraphs' container the article's chunks are looked for.
CHUNK_LEVELS = 3
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[tuple[str, ...]]:
    """The set of overlapping 4-word shingles of a text, lowercased."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))} if words else set()


def share_in(part: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> float:
    """The share of `part` found in `whole` (0 for an empty part)."""
    return len(part & whole) / len(part) if part else 0.0


def trafilatura_text(tree: HtmlElement, url: str, prune_xpath: str | None = None) -> str:
    """trafilatura's text of the page, without its fallback extractors."""
    return extract(tree, url=url, prune_xpath=prune_xpath, options=BODY_OPTIONS) or ""


def readability_text(tree: HtmlElement) -> str:
    """readability-lxml's article, as text by the same trafilatura formatting."""
    try:
        # readability edits the tree it is given; the page is still needed for metadata.
        summary = Document(copy.deepcopy(tree)).summary(html_partial=True)
    except ValueError as exc:  # readability.Unparseable, or an empty page
        logger.debug("readability found no article: %s", exc)
        return ""
    fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    return extract(fragment, options=BODY_OPTIONS) or ""


def trim_edges(text: str, judge: str) -> str:
    """`text` without its leading and trailing paragraphs that `judge` does not contain."""
    paragraphs = [p for p in text.splitlines() if p.strip()]
    judged = shingles(judge)
    agreed = [share_in(shingles(p), judged) >= SUPPORT for p in paragraphs]
    if not any(agreed):
        return text
    first, last = agreed.index(True), len(agreed) - agreed[::-1].index(True)
    return "\n".join(paragraphs[first:last])


def agreed_body(primary: str, judge: str) -> str:
    """The body from trafilatura's text (`primary`) and readability's (`judge`)."""
    ours, theirs = shingles(primary), shingles(judge)
    if not ours:
        return judge
    overlap = share_in(ours, theirs)
    if overlap >= CONTAINS and len(theirs) >= LONGER * len(ours):
        return judge
    if overlap >= TRIM_AGREEMENT:
        return trim_edges(primary, judge)
    return primary


def _container(tree: HtmlElement, text: str) -> HtmlElement | None:
    """The element holding the paragraphs of `text`: the ancestor of its first and last."""
    wanted = {" ".join(p.split()) for p in text.splitlines()}
    found = [p for p in tree.iter("p") if " ".join(p.text_content().split()) in wanted]
    if len(found) < 2:
        return None
    ancestors = set(found[0].iterancestors())
    return next((a for a in found[-1].iterancestors() if a in ancestors), None)


def _chunks(container: HtmlElement) -> list[HtmlElement]:
    """The article's chunks when it is split into same-class siblings (ads between them)."""
    node = container
    for _ in range(CHUNK_LEVELS):
        parent = node.getparent()
        if parent is None or node.tag in ("body", "html"):
            return []
        signature = (node.tag, node.get("class"))
        chunks = [c for c in parent if (c.tag, c.get("class")) == signature]
        # A class is what marks them as parts of one whole; a new headline, a new article.
        if node.get("class") and len(chunks) > 1:
            if any(c.find(".//h1") is not None for c in chunks):
                return []
            return chunks
        node = parent
    return []


def _page_of(element: HtmlElement) -> HtmlElement:
    """A page holding a copy of `element` as its only article."""
    page = lxml.html.Element("html")
    article = lxml.etree.SubElement(lxml.etree.SubElement(page, "body"), "article")
    article.append(copy.deepcopy(element))
    return page


def continued_text(tree: HtmlElement, url: str, text: str, prune_xpath: str | None) -> str:
    """`text` with the rest of the article when trafilatura kept only its first chunk."""
    container = _container(tree, text)
    chunks = _chunks(container) if container is not None else []
    if not chunks:
        return text
    # One by one: given them all, trafilatura would again take the first for the body.
    whole = "\n".join(trafilatura_text(_page_of(c), url, prune_xpath) for c in chunks)
    ours, theirs = shingles(text), shingles(whole)
    return whole if share_in(ours, theirs) >= CONTAINS and len(theirs) > len(ours) else text


def without_teasers(text: str, tree: HtmlElement) -> str:
    """`text` without the paragraphs that are mostly one link of the page (other stories)."""
    links = {
        t
        for a in tree.iter("a")
        if len(t := " ".join(a.text_content().split())) >= TEASER_LINK_LENGTH
    }
    kept = []
    for paragraph in text.splitlines():
        words = paragraph.lstrip("-• ").strip()
        longest = max((len(link) for link in links if link in words), default=0)
        if not words or longest < TEASER_SHARE * len(words):
            kept.append(paragraph)
    return "\n".join(kept)


def article_body(tree: HtmlElement, url: str, prune_xpath: str | None = None) -> str:
    """The article text of a page with no body container: one paragraph a line."""
    text = continued_text(tree, url, trafilatura_text(tree, url, prune_xpath), prune_xpath)
    return without_teasers(agreed_body(text, readability_text(tree)), tree)
