"""Site profiles: everything that differs between news sites, as data rather than code."""

from __future__ import annotations

from dataclasses import dataclass

from parsing.rules import ExtractionRules

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
    "replytocom",
    "share",
    "amp",
    "print",
    "noamp",
)

# Regexes over path and query of links that a WordPress crawl must not fetch.
WORDPRESS_TRAPS = (
    r"^/wp-(?:admin|json|includes|content)/",
    r"^/(?:wp-login|wp-comments-post|xmlrpc|wp-cron|wp-signup)\.php",
    r"[?&](?:s|p|page_id|attachment_id|preview|action|orderby|filter_[a-z_]+)=",
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


WORDPRESS = SiteProfile()
