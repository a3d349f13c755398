"""A third replica: a news site on a home-made CMS, for what was tuned on WordPress.

The Harbour Gazette shares no markup with WordPress themes: no `<article>`, no `<main>`,
no `entry-content` or `post-*` classes that trafilatura or a WordPress profile knows; its
story sits in `div.gz-copy`, beside a rail of editor's picks whose teasers are prose
(the first words of other stories). Every sixth story is a brief of one or two short
paragraphs, shorter than the rail beside it. URLs are /news/<section>/<slug>-<id>; a
sitemap.xml named in robots.txt lists every story; section pages list them too.

The stories' words come from the courier replica's model (`build_courier`), so their
expected texts are known; only the markup is new. `GazetteServer` serves it on
127.0.0.1 and logs every request.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.site.courier.model import Article, Block, build_courier

NAME = "The Harbour Gazette"
BRIEF_EVERY = 6
PICKS = 4
PICK_WORDS = 45


def text(value: str) -> str:
    """HTML-escaped text."""
    return escape(value, quote=False)


def attr(value: str) -> str:
    """HTML-escaped attribute value."""
    return escape(value, quote=True)


@dataclass
class Story:
    """One story of the Gazette: a courier article under new markup, or a brief of one."""

    article: Article
    brief: bool

    @property
    def path(self) -> str:
        """/news/<section>/<slug>-<id>: no date, no trailing slash."""
        return f"/news/{self.article.category.slug}/{self.article.slug}-{self.article.post_id}"

    @property
    def expected_text(self) -> str:
        """What the archive must keep: the story's blocks, one a line."""
        return self.article.expected_text

    @property
    def title(self) -> str:
        """The headline."""
        return self.article.title

    @property
    def published(self) -> datetime:
        """When it was published."""
        return self.article.published


@dataclass
class GazetteSite:
    """The whole site: stories newest first, and the sections they are filed under."""

    stories: list[Story]
    sections: dict[str, str] = field(default_factory=dict)  # slug -> name

    def by_path(self, path: str) -> Story | None:
        """The story at a path, if any."""
        return self._paths.get(path)

    def __post_init__(self) -> None:
        self._paths = {s.path: s for s in self.stories}


def _brief(article: Article) -> Article:
    """The article cut to its first one or two paragraphs (a news brief)."""
    paragraphs = [b for b in article.blocks if b.kind == "p"]
    keep = paragraphs[: 1 + article.post_id % 2]
    return replace(article, blocks=[Block("p", b.text) for b in keep])


def build_gazette(stories: int = 60) -> GazetteSite:
    """The Gazette with this many stories (20 or more); the same number, the same site."""
    articles = sorted(build_courier(stories).articles, key=lambda a: a.published, reverse=True)
    built = [
        Story(_brief(a) if i % BRIEF_EVERY == 0 else a, brief=i % BRIEF_EVERY == 0)
        for i, a in enumerate(articles)
    ]
    sections = {s.article.category.slug: s.article.category.name for s in built}
    return GazetteSite(built, dict(sorted(sections.items())))


# --- markup ----------------------------------------------------------------------------


def _head(base: str, title: str, path: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{text(title)} | {NAME}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{attr(base + path)}">
<link rel="stylesheet" href="/static/gz.css">
{extra}</head>"""


def _top(site: GazetteSite, base: str) -> str:
    links = "".join(
        f'<li class="gz-nav__item"><a href="{base}/news/{slug}">{text(name)}</a></li>'
        for slug, name in site.sections.items()
    )
    return f"""<div class="gz-top"><div class="gz-top__brand"><a href="{base}/">{NAME}</a></div>
<ul class="gz-nav">{links}</ul>
<div class="gz-top__tools"><a href="{base}/subscribe">Subscribe</a>
<a href="{base}/login">Sign in</a></div></div>"""


def _foot(base: str) -> str:
    return f"""<div class="gz-foot"><p class="gz-foot__line">{NAME} is published in Port Ellery \
by Harbour Media Ltd. All rights reserved.</p>
<ul class="gz-foot__links"><li><a href="{base}/about">About us</a></li><li><a \
href="{base}/contact">Contact</a></li><li><a href="{base}/privacy">Privacy</a></li></ul></div>"""


def _block(block: Block) -> str:
    if block.kind == "p":
        return f'<p class="gz-para">{text(block.text)}</p>'
    if block.kind in ("h2", "h3"):
        return f'<{block.kind} class="gz-sub">{text(block.text)}</{block.kind}>'
    if block.kind == "blockquote":
        return f'<blockquote class="gz-quote"><p>{text(block.text)}</p></blockquote>'
    if block.kind == "ul":
        items = "".join(f"<li>{text(item)}</li>" for item in block.items)
        return f'<ul class="gz-list">{items}</ul>'
    return ""  # figures and read-more links are the courier's, not the Gazette's


def _picks(site: GazetteSite, base: str, story: Story) -> list[Story]:
    """Editor's picks beside a story: the next full stories after it, in a ring."""
    full = [s for s in site.stories if not s.brief and s is not story]
    start = site.stories.index(story) % len(full)
    return [full[(start + i) % len(full)] for i in range(PICKS)]


def _rail(site: GazetteSite, base: str, story: Story) -> str:
    picks = "".join(
        f"""<div class="gz-pick"><a class="gz-pick__title" href="{base}{p.path}">{text(p.title)}</a>
<p class="gz-pick__dek">{text(" ".join(p.expected_text.split()[:PICK_WORDS]))}</p></div>"""
        for p in _picks(site, base, story)
    )
    return f"""<div class="gz-col gz-col--rail"><div class="gz-box"><h3 class="gz-box__title">\
Editor's picks</h3>{picks}</div>
<div class="gz-box gz-box--signup"><h3 class="gz-box__title">The morning briefing</h3>
<p>Sign up for the Gazette's newsletter.</p></div></div>"""


def render_story(site: GazetteSite, base: str, story: Story) -> str:
    """A story page."""
    a = story.article
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": a.published.isoformat(),
        "dateModified": a.modified.isoformat(),
        "author": {"@type": "Person", "name": a.author.name},
        "articleSection": a.category.name,
        "mainEntityOfPage": base + story.path,
    }
    ld = f'<script type="application/ld+json">{json.dumps(data)}</script>\n'
    same = [s for s in site.stories if s.article.category == a.category and s is not story][:4]
    more = "".join(f'<li><a href="{base}{s.path}">{text(s.title)}</a></li>' for s in same)
    copy = "\n".join(_block(b) for b in a.blocks)
    return f"""{_head(base, a.title, story.path, ld)}
<body class="gz gz-page--story">
{_top(site, base)}
<div class="gz-grid"><div class="gz-col gz-col--wide">
<div class="gz-story" data-story="{a.post_id}">
<div class="gz-kicker"><a href="{base}/news/{a.category.slug}">{text(a.category.name)}</a></div>
<h1 class="gz-hed">{text(a.title)}</h1>
<div class="gz-byline">By <a href="{base}/people/{a.author.slug}">{text(a.author.name)}</a> \
<span class="gz-dot">·</span> <span class="gz-when">{a.published:%d %B %Y, %H:%M}</span></div>
<div class="gz-copy">
{copy}
</div>
</div>
<div class="gz-more"><h3 class="gz-more__title">More in {text(a.category.name)}</h3>
<ul>{more}</ul></div>
</div>
{_rail(site, base, story)}
</div>
{_foot(base)}
</body></html>"""


def render_listing(
    site: GazetteSite, base: str, title: str, path: str, stories: list[Story]
) -> str:
    """The front page or a section page: every story's headline, newest first."""
    items = "".join(
        f'<li class="gz-item"><a href="{base}{s.path}">{text(s.title)}</a></li>' for s in stories
    )
    return f"""{_head(base, title, path)}
<body class="gz gz-page--list">
{_top(site, base)}
<div class="gz-grid"><div class="gz-col gz-col--wide"><h1>{text(title)}</h1>
<ul class="gz-items">{items}</ul></div></div>
{_foot(base)}
</body></html>"""


def render_sitemap(site: GazetteSite, base: str) -> str:
    """sitemap.xml: every story with its last change."""
    urls = "".join(
        f"<url><loc>{base}{s.path}</loc><lastmod>{s.article.modified.isoformat()}</lastmod></url>"
        for s in site.stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def route(site: GazetteSite, base: str, path: str) -> tuple[int, str, str]:
    """(status, content type, body) of a GET."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    html = "text/html; charset=utf-8"
    if path == "/robots.txt":
        return 200, "text/plain", f"User-agent: *\nDisallow: /login\nSitemap: {base}/sitemap.xml\n"
    if path == "/sitemap.xml":
        return 200, "application/xml", render_sitemap(site, base)
    if path == "/":
        return 200, html, render_listing(site, base, NAME, "/", site.stories[:30])
    story = site.by_path(path)
    if story is not None:
        return 200, html, render_story(site, base, story)
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "news" and parts[1] in site.sections:
        stories = [s for s in site.stories if s.article.category.slug == parts[1]]
        return 200, html, render_listing(site, base, site.sections[parts[1]], path, stories)
    return 404, html, render_listing(site, base, "Page not found", path, [])


class GazetteServer:
    """The Gazette on 127.0.0.1 (a free port), in a thread; `requests` lists the paths
    asked for, in order."""

    def __init__(self, site: GazetteSite | None = None):
        self.site = site or build_gazette()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(self.path)
                status, kind, body = route(server.site, server.base_url, self.path)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT, no trailing slash."""
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def __enter__(self) -> GazetteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
