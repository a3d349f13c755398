"""URL policy: one canonical form per page, and which links a crawl may follow."""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.url import canonicalize_url, url_query_cleaner

from archive.sites import site_address, site_host

__all__ = ["UrlPolicy", "base_url_from", "site_address", "site_host"]

_IGNORED_SUFFIXES = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)


def base_url_from(url: str | None) -> str:
    """Validate a site's base URL given by a user; raise ValueError saying what is wrong."""
    if not url or not url.strip():
        raise ValueError("no site URL given: pass -a url=https://example.com/")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        example = "" if "://" in url or parts.scheme else f" (for example -a url=https://{url})"
        raise ValueError(f"site URL {url!r} must start with http:// or https://{example}")
    if not parts.hostname:
        raise ValueError(f"site URL {url!r} has no host name")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc.lower()}{path}"


class UrlPolicy:
    """Canonicalises URLs and decides whether a link is worth fetching on this site."""

    def __init__(
        self,
        base_url: str,
        *,
        tracking_params: Iterable[str] = (),
        deny: Iterable[str] = (),
    ):
        self.base_url = base_url
        self.address = site_address(base_url)
        base = urlsplit(base_url)
        self._base_origin = (base.scheme, base.netloc)
        self.tracking_params = tuple(tracking_params)
        # parameters this crawl (or an earlier one) found to change nothing on the site
        self.learned_params: set[str] = set()
        self.deny = re.compile("|".join(f"(?:{p})" for p in deny)) if deny else None
        # Every page repeats the site's menus and sidebars: each link is judged once.
        self._follow_cached = lru_cache(maxsize=16384)(self._follow)

    def on_site(self, url: str) -> bool:
        """True for an http(s) URL on this site's host and port (or its www. twin)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and site_address(url) == self.address

    def canonical(self, url: str) -> str:
        """The one form of a URL: no fragment, no tracking parameters, sorted query.

        On-site URLs also take the base URL's scheme and host, so `http://`, `www.` and
        `:443` variants of a page are one page.
        """
        if self.on_site(url):
            url = urlunsplit((*self._base_origin, *urlsplit(url)[2:]))
        query_keys = {key for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
        tracking = [
            key
            for key in query_keys
            if key in self.learned_params
            or any(fnmatchcase(key.lower(), pattern) for pattern in self.tracking_params)
        ]
        if tracking:
            url = url_query_cleaner(url, tracking, remove=True, keep_fragments=False)
        return canonicalize_url(url, keep_fragments=False)

    def learn_params(self, names: Iterable[str]) -> None:
        """Drop these query parameters from every URL from now on (they change nothing)."""
        new = set(names) - self.learned_params
        if new:
            self.learned_params |= new
            self._follow_cached.cache_clear()

    def is_trap(self, url: str) -> bool:
        """True for URLs that only waste requests: search, print, AMP, feeds, calendars."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.lower().endswith(_IGNORED_SUFFIXES):
            return True
        return bool(self.deny and self.deny.search(target))

    def follow(self, url: str) -> str | None:
        """The canonical URL to fetch for a link, or None when the link must not be fetched."""
        return self._follow_cached(url)

    def _follow(self, url: str) -> str | None:
        if not self.on_site(url):
            return None
        canonical = self.canonical(url)
        return None if self.is_trap(canonical) else canonical
