"""A site's article body container, learned from the site's own article pages.

The articles of a site share a template: each one's text sits in the same element
(`div.entry-content`, `div.story-copy`), while around it lie things that repeat from
page to page, or that tell of other pages (a rail of other stories' openings). The
generic extraction (`parsing.body`) sometimes keeps those too; what the site's pages
show together tells them apart:

- each article page's `layout` records the paragraphs the generic extraction kept and,
  for each, the elements holding it with the selectors that find them alone on the page
  (`tag#id`, `tag.class`);
- a paragraph is not this article's own when its words are found on another of the site's
  pages (a rail teaser, a promo line), or when it lies outside the article's headline's
  surroundings: the smallest element around the page's headline (the `<h1>` that is the
  page's title) that holds at least half of the text (a rail of other stories' openings
  beside the story lies outside it). A page has none of its own when none of the text
  lies in the smallest element around the headline that holds a paragraph: the
  extraction went astray (a brief, and the longer rail beside it). The smallest element
  holding all of a page's own paragraphs, and each element around it, are the page's
  *candidates*;
- once at least `MIN_ARTICLES` pages with text of their own are seen, a selector that
  was a candidate on at least `AGREE` of them (the rest: pages where the extraction went
  elsewhere, or another template) is the site's body container: of those, the tightest,
  the one with the least other text around the article's (median over the pages). While
  a tighter selector is a candidate on half the pages or more, the learner waits for more
  pages: a loose container learned early would stand for good.

The crawl hands each article page's layout to its site's `ContainerLearner` until a
container is found, or until `WINDOW` pages have not agreed on one (the site has no one
container: its pages are read whole), then reads the site's pages within it
(`ExtractionRules.learned_container`).
"""

from __future__ import annotations

import functools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

import lxml.etree
from cssselect import HTMLTranslator
from lxml.html import HtmlElement

from parsing.body import SUPPORT, locate, normal, shingles

# Set before measuring: as many articles as a paragraph needs to become a site's
# boilerplate (archive.boilerplate.MIN_ARTICLES), and the share of the located text that
# makes an element the main block (parsing.body.BLOCK_SHARE).
MIN_ARTICLES = 5
AGREE = 0.8
# The article pages a learner looks at before it gives up: a bound on its memory and
# time, since a site with no one container would otherwise be looked at for good.
WINDOW = 40
_css = HTMLTranslator()
# class names and ids that make a plain CSS selector (no escaping, no Tailwind colons)
_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


@dataclass(frozen=True)
class Layout:
    """Where an article page's text lies: its paragraphs, and the elements holding each."""

    paragraphs: tuple[str, ...]
    # for each paragraph, indices into `elements` of the elements holding it, innermost first
    chains: tuple[tuple[int, ...], ...]
    # each element's selectors that find it alone on the page, and its text's length
    elements: tuple[tuple[tuple[str, ...], int], ...]
    # for each paragraph, whether it lies by the headline (all True when there is none)
    by_headline: tuple[bool, ...]


def _selectors(element: HtmlElement) -> list[str]:
    """Plain selectors of an element: by its id, and by each of its classes."""
    tag = element.tag
    found = []
    ident = element.get("id")
    if ident and _NAME.match(ident):
        found.append(f"{tag}#{ident}")
    classes = (element.get("class") or "").split()
    found.extend(f"{tag}.{name}" for name in dict.fromkeys(classes) if _NAME.match(name))
    return found


@functools.lru_cache(maxsize=4096)
def _compiled(selector: str) -> lxml.etree.XPath:
    """A selector's compiled XPath (a site's pages share their selectors)."""
    return lxml.etree.XPath(_css.css_to_xpath(selector))


def headline(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    """The page's headline: the `<h1>` whose text is its title, or its only `<h1>`."""
    found = tree.xpath("//body//h1")
    wanted = normal(title or "").casefold()
    same = [h for h in found if normal(h.text_content()).casefold() == wanted]
    if len(same) == 1:
        return same[0]
    return found[0] if len(found) == 1 else None


def _surroundings(
    top: HtmlElement | None, located: list[tuple[str, HtmlElement]]
) -> HtmlElement | None:
    """The smallest element around `top` that holds at least `SUPPORT` of the located
    paragraphs' characters (a standfirst beside the headline is not the whole article)."""
    if top is None:
        return None
    # keyed by the elements themselves: lxml's proxies of one node can differ in id()
    held: dict[HtmlElement, int] = {}
    for paragraph, element in located:
        for holder in (element, *element.iterancestors()):
            held[holder] = held.get(holder, 0) + len(paragraph)
    total = sum(len(p) for p, _ in located)
    return next((a for a in top.iterancestors() if held.get(a, 0) >= SUPPORT * total), None)


def _went_astray(top: HtmlElement, elements: list[HtmlElement]) -> bool:
    """Whether the text was found nowhere near the headline: none of it lies in the
    smallest element around the headline that holds a paragraph of text (a brief whose
    extraction took the longer rail beside it)."""
    block = next(
        (a for a in top.iterancestors() if any(normal(p.text_content()) for p in a.iter("p"))),
        None,
    )
    if block is None:
        return False
    return not any(e is block or any(a is block for a in e.iterancestors()) for e in elements)


def layout(tree: HtmlElement, text: str, title: str | None = None) -> Layout:
    """Where the paragraphs of `text` (an article's generic text) lie in its page, whose
    title (to find its headline by) is `title`."""
    paragraphs, elements = locate(tree, text)
    found = [(p, e) for p, e in zip(paragraphs, elements, strict=True) if e is not None]
    top = headline(tree, title)
    near = _surroundings(top, found)
    astray = top is not None and _went_astray(top, [e for _, e in found])
    index: dict[HtmlElement, int] = {}
    described: list[tuple[tuple[str, ...], int]] = []
    kept, chains, by_headline = [], [], []
    for paragraph, element in zip(paragraphs, elements, strict=True):
        if element is None:
            continue  # not found in the page: says nothing of where the text lies
        by_headline.append(
            not astray and (near is None or any(a is near for a in element.iterancestors()))
        )
        chain = []
        for holder in (element, *element.iterancestors()):
            if holder.tag in ("body", "html") or not isinstance(holder.tag, str):
                break
            if holder not in index:
                index[holder] = len(described)
                unique = tuple(s for s in _selectors(holder) if len(_compiled(s)(tree)) == 1)
                described.append((unique, len(normal(holder.text_content()))))
            chain.append(index[holder])
        kept.append(paragraph)
        chains.append(tuple(chain))
    return Layout(tuple(kept), tuple(chains), tuple(described), tuple(by_headline))


@dataclass(frozen=True)
class Candidate:
    """A selector finding, alone on its page, an element that holds the article's text."""

    selector: str
    extra: int  # characters of the element's text that are not the article's


def candidates(page: Layout, own: list[int]) -> list[Candidate]:
    """The selectors of the smallest element holding the paragraphs `own` (indices into
    `page.paragraphs`), and of each element around it."""
    if not own:
        return []
    common = set(page.chains[own[0]])
    for i in own[1:]:
        common &= set(page.chains[i])
    chain = [e for e in page.chains[own[0]] if e in common]
    length = sum(len(page.paragraphs[i]) for i in own)
    return [
        Candidate(selector, max(0, page.elements[e][1] - length))
        for e in chain
        for selector in page.elements[e][0]
    ]


@dataclass
class ContainerLearner:
    """A site's article page layouts, until they agree on the site's body container."""

    pages: list[tuple[Layout, list[set[tuple[str, ...]]]]] = field(default_factory=list)
    # on how many of the pages kept each shingle is found
    seen: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def add(self, page: Layout) -> str | None:
        """Take one article page's layout; return the site's container once there is one."""
        words = [shingles(p) for p in page.paragraphs]
        self.pages.append((page, words))
        self.seen.update(set().union(*words))
        return self.decision()

    @property
    def exhausted(self) -> bool:
        """Whether the learner has seen `WINDOW` pages that did not agree on a container."""
        return len(self.pages) >= WINDOW

    def own_paragraphs(self, page: Layout, words: list[set[tuple[str, ...]]]) -> list[int]:
        """A page's paragraphs by its headline whose words are not found on another of
        the pages kept."""
        return [
            i
            for i, shingled in enumerate(words)
            if page.by_headline[i]
            and sum(self.seen[w] > 1 for w in shingled) < SUPPORT * len(shingled)
        ]

    def decision(self) -> str | None:
        """The site's body container, or None while the pages do not agree on one.

        A page none of whose paragraphs is its own says nothing. While a container
        tighter than the tightest agreed one holds the text on half the pages or more,
        the learner waits for more pages (until it has seen `WINDOW`): a loose container
        learned early would stand for good.
        """
        support: Counter[str] = Counter()
        extra: dict[str, list[int]] = {}
        pages = 0
        for page, words in self.pages:
            own = self.own_paragraphs(page, words)
            if not own:
                continue
            pages += 1
            for candidate in {c.selector: c for c in candidates(page, own)}.values():
                support[candidate.selector] += 1
                extra.setdefault(candidate.selector, []).append(candidate.extra)
        if pages < MIN_ARTICLES:
            return None
        tightest_first = sorted(
            support, key=lambda s: (statistics.median(extra[s]), -support[s], s)
        )
        for selector in tightest_first:
            if support[selector] >= AGREE * pages:
                return selector
            if support[selector] >= pages / 2 and len(self.pages) < WINDOW:
                return None
        return None
