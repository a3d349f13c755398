"""What a site or theme profile adds to generic extraction: CSS selectors and regexes."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields
from functools import cached_property

import lxml.etree
import lxml.html
from cssselect import HTMLTranslator
from lxml.html import HtmlElement

from parsing.document import page_of

_css = HTMLTranslator()


@dataclass(frozen=True)
class ExtractionRules:
    """What a site or theme profile adds to trafilatura, as CSS selectors and regexes.

    - `content`: selectors of the article body container, tried in order; when one
      matches, only that element is extracted (the rest of the page is chrome).
    - `prune`: selectors of elements removed before extraction (ads, share bars, boxes).
    - `boilerplate`: regexes; a paragraph of the clean text that matches one is dropped.
    - `learned_container`: the body container a crawl learned from the site's pages
      (`parsing.body_container`); when it finds one element, the page is read within it,
      with the generic extraction's cuts (`clean_text`).
    """

    content: tuple[str, ...] = ()
    prune: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    learned_container: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, tuple[str, ...]]:
        """The fields only: the compiled XPaths cached below do not pickle (worker processes
        get the rules pickled and compile their own)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def as_dict(self) -> dict[str, list[str]]:
        """The rules as plain data (what the archive keeps of a site's rules)."""
        data = {f.name: list(getattr(self, f.name)) for f in fields(self)}
        # absent unless learned: rules recorded before it existed keep their digest
        if not data["learned_container"]:
            del data["learned_container"]
        return data

    @property
    def learns_container(self) -> bool:
        """Whether a crawl may learn this site's body container: no profile gave one
        and none was learned yet."""
        return not self.content and not self.learned_container

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> ExtractionRules:
        """Rules from `as_dict`'s data."""
        return cls(**{f.name: tuple(data.get(f.name, ())) for f in fields(cls)})

    @cached_property
    def digest(self) -> str:
        """A short digest of the rules: two texts made with the same code and the same
        digest would be the same."""
        data = json.dumps(self.as_dict(), sort_keys=True).encode("utf-8")
        return hashlib.sha256(data).hexdigest()[:10]

    @cached_property
    def _content_xpaths(self) -> list[lxml.etree.XPath]:
        return [lxml.etree.XPath(_css.css_to_xpath(s)) for s in self.content]

    @cached_property
    def _learned_xpaths(self) -> list[lxml.etree.XPath]:
        return [lxml.etree.XPath(_css.css_to_xpath(s)) for s in self.learned_container]

    def learned_body(self, tree: HtmlElement) -> HtmlElement | None:
        """A page holding only the learned body container, when it finds one element."""
        for xpath in self._learned_xpaths:
            found = xpath(tree)
            if len(found) == 1:
                return page_of(found[0])
        return None

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
        return tree if container is None else page_of(container)

    def keep(self, paragraph: str) -> bool:
        """False for a paragraph that is the site's boilerplate."""
        return self._boilerplate_re is None or not self._boilerplate_re.search(paragraph)


GENERIC_RULES = ExtractionRules()
