"""Site profiles: everything that differs between news sites, as data rather than code.

A profile is a TOML file (`spiders/sites/*.toml` are the bundled ones, each also a spider
of its name); a sites file holds several under `[[site]]`. Every key is optional but
`base_url`; what a profile leaves out is the WordPress default below:

    name = "nationworldnews"                 # default: the file's name
    base_url = "https://nationworldnews.com/"
    feeds = ["feed/"]                        # paths of RSS/Atom feeds
    sitemaps = ["sitemap_index.xml"]         # tried when robots.txt names no sitemap
    tracking_params = ["utm_*", "fbclid"]    # query parameters dropped from every URL
    traps = ["^/search/"]                    # regexes of links never fetched (a fast path)
    section_patterns = ["^/category/[^/]+/$"]  # listings a re-run reads again

    [extraction]
    content = [".td-post-content"]           # CSS selectors of the body container
    prune = [".td-a-rec"]                    # CSS selectors removed, besides WordPress's
    boilerplate = ["^Join Voice of America"]  # regexes of paragraphs dropped

    [politeness]
    download_delay = 1.0                     # seconds between requests to this site
    concurrency = 2                          # requests at once to this site
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cssselect import GenericTranslator, SelectorError

from parsing.rules import ExtractionRules
from spiders.urls import base_url_from

# Query parameters that never change what a page is (shell-style patterns).
TRACKING_PARAMS = (
    "utm_*",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_hsenc",
    "_hsmi",
    "amp",
    "print",
    "noamp",
)

# Regexes over path and query of links that a WordPress crawl must not fetch.
WORDPRESS_TRAPS = (
    r"^/wp-(?:admin|json|includes|content)/",
    r"^/(?:wp-login|wp-comments-post|xmlrpc|wp-cron|wp-signup)\.php",
    r"[?&](?:s|page_id|attachment_id|preview|action|orderby|filter_[a-z_]+)=",
    r"^/search/",
    r"/amp/?$",
    r"/(?:feed|rss2?|atom|rdf)(?:/[a-z0-9]+)?/?$",
    r"/(?:trackback|embed|print|attachment)/?$",
    r"^/\d{4}(?:/\d{1,2}){0,2}(?:/page/\d+)?/?$",
    r"^/comments/",
)

# Generic WordPress chrome around a post's body: comments, share bars, related posts.
WORDPRESS_RULES = ExtractionRules(
    prune=(
        "#comments",
        "#respond",
        ".comment-respond",
        ".comments-area",
        ".sharedaddy",
        ".jp-relatedposts",
        ".yarpp-related",
        ".author-box",
        ".post-navigation",
        "script",
        "style",
        "noscript",
        "form",
    ),
)


@dataclass(frozen=True)
class SiteProfile:
    """How to crawl and clean one site (or one family of sites)."""

    name: str = "wordpress"
    base_url: str | None = None
    feed_paths: tuple[str, ...] = ("feed/",)
    # Tried when robots.txt names no sitemap (Yoast, then WordPress core).
    sitemap_paths: tuple[str, ...] = ("sitemap_index.xml", "wp-sitemap.xml")
    tracking_params: tuple[str, ...] = TRACKING_PARAMS
    deny: tuple[str, ...] = WORDPRESS_TRAPS
    extraction: ExtractionRules = WORDPRESS_RULES
    # Paths (regexes) of section fronts: the listings a re-run reads again to find new
    # articles that no sitemap or feed lists. Their later pages are not re-read.
    section_patterns: tuple[str, ...] = (r"^/category/(?:(?!page/)[^/]+/)+$",)
    # Per-site politeness; None: the crawl's DOWNLOAD_DELAY / CONCURRENT_REQUESTS_PER_DOMAIN.
    download_delay: float | None = None
    concurrency: int | None = None
    source: str = field(default="", compare=False)  # the file it came from


WORDPRESS = SiteProfile()


class ProfileError(ValueError):
    """A profile file that cannot be used: one line naming the file and the key."""


def _strings(check: Callable[[str], object] | None = None) -> Callable[[Any], tuple[str, ...]]:
    def read(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of strings")
        for item in value:
            if check is not None:
                check(item)
        return tuple(value)

    return read


def _regex(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None


def _selector(selector: str) -> None:
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"{selector!r} is not a CSS selector: {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def _delay(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError("must be a number of seconds, 0 or more")
    return float(value)


def _concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a whole number, 1 or more")
    return value


def _base_url(value: Any) -> str:
    return base_url_from(_text(value))


# TOML key -> reader of its value; [extraction] and [politeness] are tables of their own.
_READERS: dict[str, Callable[[Any], Any]] = {
    "name": _text,
    "base_url": _base_url,
    "feeds": _strings(),
    "sitemaps": _strings(),
    "tracking_params": _strings(),
    "traps": _strings(_regex),
    "section_patterns": _strings(_regex),
    "extraction.content": _strings(_selector),
    "extraction.prune": _strings(_selector),
    "extraction.boilerplate": _strings(_regex),
    "politeness.download_delay": _delay,
    "politeness.concurrency": _concurrency,
}
_TABLES = {"extraction", "politeness"}


def _flatten(table: dict[str, Any], fail: Callable[[str, str], ProfileError]) -> dict[str, Any]:
    """The table's keys as `key` and `table.key`, each checked and read."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise fail(key, f"must be a table ([{key}])")
            items = [(f"{key}.{inner}", inner_value) for inner, inner_value in value.items()]
        else:
            items = [(key, value)]
        for name, item in items:
            if name not in _READERS:
                known = ", ".join(k for k in _READERS if k.startswith(name.rpartition(".")[0]))
                raise fail(name, f"unknown key (known: {known})")
            try:
                flat[name] = _READERS[name](item)
            except ValueError as exc:
                raise fail(name, str(exc)) from None
    return flat


def profile_from_table(table: dict[str, Any], source: str, default_name: str) -> SiteProfile:
    """A profile from one parsed TOML table; ProfileError names the source and the key."""

    def fail(key: str, problem: str) -> ProfileError:
        return ProfileError(f"{source}: {key}: {problem}")

    flat = _flatten(table, fail)
    if "base_url" not in flat:
        raise fail("base_url", "missing (the site's address, https://...)")
    fields = {
        "name": "name",
        "base_url": "base_url",
        "feeds": "feed_paths",
        "sitemaps": "sitemap_paths",
        "tracking_params": "tracking_params",
        "traps": "deny",
        "section_patterns": "section_patterns",
        "politeness.download_delay": "download_delay",
        "politeness.concurrency": "concurrency",
    }
    values = {fields[key]: value for key, value in flat.items() if key in fields}
    extraction = ExtractionRules(
        content=flat.get("extraction.content", ()),
        prune=(*WORDPRESS_RULES.prune, *flat.get("extraction.prune", ())),
        boilerplate=flat.get("extraction.boilerplate", ()),
    )
    return replace(
        WORDPRESS, **{"name": default_name, **values, "extraction": extraction, "source": source}
    )


def load_profiles(path: str | Path) -> list[SiteProfile]:
    """The profiles of a profile file, a sites file (`[[site]]` tables) or a folder of them."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ProfileError(f"{path}: no *.toml profile in this folder")
        profiles = [profile for file in files for profile in load_profiles(file)]
        _check_names(profiles, str(path))
        return profiles
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    return profiles_from_text(text, str(path), path.stem)


def profiles_from_text(text: str, source: str, stem: str) -> list[SiteProfile]:
    """The profiles of one file's text (`source` names it in errors, `stem` names its site)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from None
    if "site" not in data:
        return [profile_from_table(data, source, stem)]
    sites = data.pop("site")
    if data or not isinstance(sites, list):
        key = next(iter(data), "site")
        raise ProfileError(f"{source}: {key}: a sites file holds only [[site]] tables")
    profiles = [
        profile_from_table(table, f"{source} (site {n})", f"{stem}-{n}")
        for n, table in enumerate(sites, start=1)
    ]
    _check_names(profiles, source)
    return profiles


def _check_names(profiles: list[SiteProfile], source: str) -> None:
    names = [profile.name for profile in profiles]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate is not None:
        raise ProfileError(f"{source}: name: {duplicate!r} is used by two sites")
