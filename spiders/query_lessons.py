"""Duplicate URLs learned: query parameters a site's own pages show to change nothing.

Plugins append parameters to links (`?relatedposts_hit=1&...`, `?src=newsletter`,
`?lang=es`) that lead to the very page without them. When a page fetched under a query
string turns out to be the page without some of its parameters, those parameters are
learned as meaningless for the site and dropped from every later link. The evidence:

- an article page whose `rel=canonical` is its own URL without those parameters (the
  article says which URL it is);
- a listing page (or a page without a canonical link) whose articles are exactly those
  of the page without the parameters: the same page, reordered at most.

A parameter that a page keeps in its own canonical URL (`?paged=2`, `?p=123` on sites
that use it as the permalink) is meaningful and is never learned, whatever else is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit, urlunsplit

Fingerprint = frozenset[str]


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


@dataclass
class QueryLessons:
    """The query parameters of one site that are known to change nothing, or something."""

    meaningless: set[str] = field(default_factory=set)
    meaningful: set[str] = field(default_factory=set)
    # URL -> the articles its page lists, for pages fetched so far
    _fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    # URL not fetched yet -> (parameters, fingerprint, evidence URL) waiting to compare
    _waiting: dict[str, list[tuple[set[str], Fingerprint, str]]] = field(default_factory=dict)

    def observe(
        self, url: str, canonical: str | None, is_article: bool, fingerprint: Fingerprint
    ) -> dict[str, str]:
        """Learn from one fetched page; return the parameters newly learned, each with the
        URL that taught it.

        `url` is the page's URL and `canonical` its rel=canonical, both in the crawl's
        canonical form; `fingerprint` the article URLs the page links to.
        """
        learned = self._resolve_waiting(url, fingerprint)
        self._fingerprints[url] = fingerprint
        parts = urlsplit(url)
        if not parts.query:
            return learned
        same_place = canonical is not None and urlsplit(canonical)[:3] == parts[:3]
        target = canonical if same_place and canonical is not None else _without_query(url)
        kept = set(parse_qsl(urlsplit(target).query, keep_blank_values=True))
        self.meaningful.update(name for name, _ in kept)
        differing = (
            {
                name
                for name, value in parse_qsl(parts.query, keep_blank_values=True)
                if (name, value) not in kept
            }
            - self.meaningful
            - self.meaningless
        )
        if not differing:
            return learned
        if same_place and is_article:
            learned.update(self._learn(differing, url))
        elif not fingerprint:
            pass  # a page that lists no article says nothing about its parameters
        elif target in self._fingerprints:
            if self._fingerprints[target] == fingerprint:
                learned.update(self._learn(differing, url))
        else:
            self._waiting.setdefault(target, []).append((differing, fingerprint, url))
        return learned

    def _resolve_waiting(self, url: str, fingerprint: Fingerprint) -> dict[str, str]:
        learned: dict[str, str] = {}
        for names, theirs, evidence in self._waiting.pop(url, []):
            if theirs == fingerprint and fingerprint:
                learned.update(self._learn(names - self.meaningful, evidence))
        return learned

    def _learn(self, names: set[str], evidence: str) -> dict[str, str]:
        new = names - self.meaningless - self.meaningful
        self.meaningless.update(new)
        return dict.fromkeys(sorted(new), evidence)
