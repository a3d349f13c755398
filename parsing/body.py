"""The article body of a page with no site rules: trafilatura's text, cut only on evidence.

trafilatura's fast pass (no fallbacks) finds the body of most pages, sometimes with the
headline bar, a teaser list or a footer around it. Its text is kept unless something
positive says a part of it is not the article:

- the leading and trailing paragraphs that lie outside the block of the page holding most
  of the text (the deepest element that holds `BLOCK_SHARE` of it) are trimmed;
- lines that are mostly the text of their own link to another page, or such a link
  behind a short label ("Read more:"), are teasers of other stories: dropped at the edges
  of the text, and inside it unless they are headings (a linked crosshead).

Lines are located in the page by their text; a line not found there gives no evidence
and stays.

Where the fast pass looks cut short (little text, or far less than the page's own
`<article>` or `articleBody` holds), trafilatura's full extraction, with its fallbacks,
is run too, and the longer candidate is kept when it holds the shorter one. An article
split into same-class chunks (ads between them) is read chunk by chunk.
"""

from __future__ import annotations

import logging
import re

from lxml.html import HtmlElement
from trafilatura import extract
from trafilatura.settings import Extractor

from parsing.document import page_of

logger = logging.getLogger(__name__)

_OPTIONS = dict(output_format="txt", comments=False, tables=True, links=False, images=False)
# The fast pass: no fallback extractors, which keep the longer of their candidates.
BODY_OPTIONS = Extractor(**_OPTIONS, fast=True, recall=True)
# The full extraction (readability and jusText fallbacks), for a fast pass cut short.
FULL_OPTIONS = Extractor(**_OPTIONS, fast=False)
# A fast pass shorter than this, or holding less than 1/CUT_SHORT of the paragraph text
# of the page's own article element, is checked against the full extraction. Set before
# measuring: the fragments seen kept 3% and 5% of their articles, while a page's article
# element often holds a comment thread or a second story beside the body.
MIN_TEXT = 500
CUT_SHORT = 5
# The block of the page that holds the article: the deepest element holding this share
# of the text's characters. Edge paragraphs outside it are not the article's.
BLOCK_SHARE = 0.8
# Fewer paragraphs than this are not trimmed: there is no "most of the text" to place.
MIN_PARAGRAPHS = 3
# A text holds a paragraph when this share of its shingles is in it.
SUPPORT = 0.5
# The chunks' text replaces the first chunk's when it holds this share of it.
CONTAINS = 0.9
# A paragraph that is mostly the text of one link this long is a teaser of another page
# (related stories, "Read more: ..."), not the article's own prose.
TEASER_LINK_LENGTH = 30
TEASER_SHARE = 0.8
# ...or a link behind a label this short: "Read more:", "See also:", "Related:".
LABEL_CHARS = 20
# How far above the paragraphs' container the article's chunks are looked for.
CHUNK_LEVELS = 3
_WORD = re.compile(r"\w+")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE = frozenset({"a", "span", "strong", "b", "em", "i", "u", "small", "font", "mark", "cite"})
# Where a page says its article is.
_DECLARED = "//article | //*[@itemprop='articleBody']"


def shingles(text: str) -> set[tuple[str, ...]]:
    """The set of overlapping 4-word shingles of a text, lowercased."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))} if words else set()


def share_in(part: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> float:
    """The share of `part` found in `whole` (0 for an empty part)."""
    return len(part & whole) / len(part) if part else 0.0


def normal(text: str) -> str:
    """The text with its runs of whitespace made one space."""
    return " ".join(text.split())


def trafilatura_text(tree: HtmlElement, url: str, prune_xpath: str | None = None) -> str:
    """trafilatura's text of the page, without its fallback extractors."""
    return extract(tree, url=url, prune_xpath=prune_xpath, options=BODY_OPTIONS) or ""


def full_text(tree: HtmlElement, url: str, prune_xpath: str | None = None) -> str:
    """trafilatura's text of the page with its fallback extractors."""
    return extract(tree, url=url, prune_xpath=prune_xpath, options=FULL_OPTIONS) or ""


def declared_length(tree: HtmlElement) -> int:
    """Characters of paragraph text in the page's largest `<article>` or `articleBody`."""
    sizes = [
        sum(len(normal(p.text_content())) for p in element.iter("p"))
        for element in tree.xpath(_DECLARED)
    ]
    return max(sizes, default=0)


def looks_cut_short(tree: HtmlElement, text: str) -> bool:
    """Whether the fast pass may have kept only a fragment of the article."""
    return len(text) < MIN_TEXT or declared_length(tree) > CUT_SHORT * len(text)


def longer_holding(text: str, other: str) -> str:
    """`other` when it is longer and holds `text` (or `text` is empty); else `text`."""
    if len(other) <= len(text):
        return text
    if not text or share_in(shingles(text), shingles(other)) >= SUPPORT:
        return other
    return text


def paragraph_elements(tree: HtmlElement, paragraphs: list[str]) -> list[HtmlElement | None]:
    """For each paragraph, the smallest element of the page whose text it is, or None."""
    wanted: dict[str, int] = {}
    for i, paragraph in enumerate(paragraphs):
        wanted.setdefault(normal(paragraph.lstrip("-• ")), i)
    found: list[HtmlElement | None] = [None] * len(paragraphs)
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        i = wanted.get(normal(element.text_content()))
        if i is None:
            continue
        current = found[i]
        # Elements come parents first: a later one with the same text inside the first
        # found is smaller; one elsewhere (the same line in a sidebar) is not it, unless
        # the first was a link or an emphasis in a longer line and this one is a line of
        # its own (a list item that names a story linked above it).
        if (
            current is None
            or any(a is current for a in element.iterancestors())
            or (current.tag in _INLINE and element.tag not in _INLINE)
        ):
            found[i] = element
    return found


def main_block(paragraphs: list[str], elements: list[HtmlElement | None]) -> HtmlElement | None:
    """The deepest element holding `BLOCK_SHARE` of the located paragraphs' characters."""
    held: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    for paragraph, element in zip(paragraphs, elements, strict=True):
        if element is None:
            continue
        chain = [element, *element.iterancestors()]
        for level, ancestor in enumerate(chain):
            held[ancestor] = held.get(ancestor, 0) + len(paragraph)
            depth[ancestor] = len(chain) - level
    total = sum(len(p) for p, e in zip(paragraphs, elements, strict=True) if e is not None)
    if not total:
        return None
    enough = [a for a, n in held.items() if n >= BLOCK_SHARE * total]
    return max(enough, key=lambda a: depth[a], default=None)


Located = tuple[list[str], list[HtmlElement | None]]


def locate(tree: HtmlElement, text: str) -> Located:
    """The text's non-empty paragraphs, each with its element of the page (or None)."""
    paragraphs = [p for p in text.splitlines() if p.strip()]
    return paragraphs, paragraph_elements(tree, paragraphs)


def trim_to_main_block(located: Located) -> Located:
    """Without the leading and trailing paragraphs found outside the main block."""
    paragraphs, elements = located
    if len(paragraphs) < MIN_PARAGRAPHS:
        return located
    block = main_block(paragraphs, elements)
    if block is None:
        return located
    # a paragraph not found in the page gives no evidence either way: it stays
    inside = [
        e is None or e is block or any(a is block for a in e.iterancestors()) for e in elements
    ]
    first, last = inside.index(True), len(inside) - inside[::-1].index(True)
    return paragraphs[first:last], elements[first:last]


def within_main_block(tree: HtmlElement, text: str) -> str:
    """`text` without its leading and trailing paragraphs found outside the main block."""
    paragraphs, _ = trim_to_main_block(locate(tree, text))
    return "\n".join(paragraphs)


def _container(tree: HtmlElement, text: str) -> HtmlElement | None:
    """The element holding the paragraphs of `text`: the ancestor of its first and last."""
    wanted = {normal(p) for p in text.splitlines()}
    found = [p for p in tree.iter("p") if normal(p.text_content()) in wanted]
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


def continued_text(tree: HtmlElement, url: str, text: str, prune_xpath: str | None) -> str:
    """`text` with the rest of the article when trafilatura kept only its first chunk."""
    container = _container(tree, text)
    chunks = _chunks(container) if container is not None else []
    if not chunks:
        return text
    # One by one: given them all, trafilatura would again take the first for the body.
    whole = "\n".join(trafilatura_text(page_of(c), url, prune_xpath) for c in chunks)
    ours, theirs = shingles(text), shingles(whole)
    return whole if share_in(ours, theirs) >= CONTAINS and len(theirs) > len(ours) else text


def _link_text(element: HtmlElement) -> tuple[int, int]:
    """(characters of link text, longest link) in an element: links to other pages only."""
    links = [element] if element.tag == "a" else []
    links += element.iterdescendants("a")
    if not links:  # the whole line may be the text of a link around it
        links = [a for a in element.iterancestors("a")][:1]
    lengths = [
        len(normal(a.text_content()))
        for a in links
        if not (a.get("href") or "").startswith("#")  # a table of contents, a footnote
    ]
    return sum(lengths), max(lengths, default=0)


def _is_heading(element: HtmlElement | None) -> bool:
    """Whether a line of the text is a heading of the page (a linked crosshead, say)."""
    if element is None:
        return False
    return any(e.tag in _HEADINGS for e in (element, *element.iterancestors()))


def drop_teasers(located: Located) -> Located:
    """Without the paragraphs that are mostly the text of their own link to another page:
    at the edges all of them, inside the text all but headings (a linked crosshead). A
    line the page does not show as such gives no evidence and stays."""
    paragraphs, elements = located
    teaser = []
    for paragraph, element in zip(paragraphs, elements, strict=True):
        words = normal(paragraph.lstrip("-• "))
        is_teaser = False
        if element is not None and words:
            linked, longest = _link_text(element)
            # mostly its link, or its link behind a label ("Read more:", "See also:")
            is_teaser = longest >= TEASER_LINK_LENGTH and (
                linked >= TEASER_SHARE * len(words) or len(words) - linked <= LABEL_CHARS
            )
        teaser.append(is_teaser)
    if all(teaser):
        return [], []
    first, last = teaser.index(False), len(teaser) - teaser[::-1].index(False)
    kept = [i for i in range(first, last) if not teaser[i] or _is_heading(elements[i])]
    return [paragraphs[i] for i in kept], [elements[i] for i in kept]


def without_teasers(text: str, tree: HtmlElement) -> str:
    """`text` without the paragraphs that are mostly the text of their own link."""
    paragraphs, _ = drop_teasers(locate(tree, text))
    return "\n".join(paragraphs)


def article_body(tree: HtmlElement, url: str, prune_xpath: str | None = None) -> str:
    """The article text of a page with no body container: one paragraph a line."""
    text = trafilatura_text(tree, url, prune_xpath)
    if looks_cut_short(tree, text):
        text = longer_holding(text, full_text(tree, url, prune_xpath))
    text = continued_text(tree, url, text, prune_xpath)
    paragraphs, _ = drop_teasers(trim_to_main_block(locate(tree, text)))
    return "\n".join(paragraphs)
