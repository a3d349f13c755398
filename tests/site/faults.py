"""Faults the replica can serve: flaky, slow, broken, mis-encoded and hostile pages.

`ReplicaServer(faults=True)` (or `faults=FaultSet(...)`) adds one link, on the home page, to
the listing `/category/faults/`, which links to every fault below; nothing else of the site
changes, and without faults none of these paths exists.

| path | what the server does |
| --- | --- |
| `/faults/flaky/` | 500 twice, then the article |
| `/faults/retry-after/` | 503 with `Retry-After: 2`, then the article |
| `/faults/slow/` | the article after 5 s |
| `/faults/reset/` | half the body of a longer Content-Length, then a TCP reset (every time) |
| `/faults/windows-1252/` | an article in windows-1252, declared by `<meta charset>` only |
| `/faults/gzip-chunked/` | an article gzip-encoded and sent chunked |
| `/faults/old-slug/` | 301 to `/faults/renamed-slug/`, 301 to `/faults/moved/` (the article) |
| `/faults/loop-a/` | 301 to `/faults/loop-b/`, which 301s back to `/faults/loop-a/` |
| `/faults/spiral/N/` | 302 to `/faults/spiral/N+1/`, without end |
| `/faults/large/` | a 500 kB article (an inline script pads it), never compressed |
| `/faults/truncated/` | an article cut in the middle of its third paragraph, no closing tags |
| `/faults/binary/` | random bytes served as `text/html` |
| `/faults/elsewhere/` | 302 to another server (`FaultSet.elsewhere`) |
| `/faults/to-file/` | 302 to `file:///etc/passwd` |

The listing also links to the other server (`127.0.0.1:PORT`, `localhost:PORT`, `//localhost`)
and to `ftp:`, `file:`, `javascript:`, `data:`, `mailto:` and `tel:` URLs: none may be fetched.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.site import prose
from tests.site.server import HTML, Reply

LISTING_PATH = "/category/faults/"
RETRY_AFTER = 2  # seconds, in the 503's Retry-After
SLOW_SECONDS = 5.0
LARGE_SIZE = 500_000
MOVED_PATH = "/faults/moved/"
# Every fault by name: the paths the listing links to for it.
FAULT_LINKS = {
    "flaky": "/faults/flaky/",
    "retry-after": "/faults/retry-after/",
    "slow": "/faults/slow/",
    "reset": "/faults/reset/",
    "windows-1252": "/faults/windows-1252/",
    "gzip-chunked": "/faults/gzip-chunked/",
    "moved": "/faults/old-slug/",
    "loop": "/faults/loop-a/",
    "spiral": "/faults/spiral/1/",
    "large": "/faults/large/",
    "truncated": "/faults/truncated/",
    "binary": "/faults/binary/",
    "elsewhere": "/faults/elsewhere/",
    "to-file": "/faults/to-file/",
}
# The fault articles a crawler can and must archive (by the path it ends up on).
ARCHIVABLE = {
    "flaky": "/faults/flaky/",
    "retry-after": "/faults/retry-after/",
    "slow": "/faults/slow/",
    "windows-1252": "/faults/windows-1252/",
    "gzip-chunked": "/faults/gzip-chunked/",
    "moved": MOVED_PATH,
    "large": "/faults/large/",
    "truncated": "/faults/truncated/",
}
NON_HTTP_LINKS = (
    "file:///etc/passwd",
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PGgxPmhlbGxvPC9oMT4=",
    "mailto:tips@nationworldnews.com",
    "tel:+15555550100",
)
# Accented words and curly quotes: in windows-1252, “ and ” are the bytes 0x93 and 0x94.
CP1252_PARAGRAPHS = (
    "The café on Calle Peñalolén reopened on Monday, and its owner, José Müller, said the "
    "“long winter” of closures was finally over for the neighbourhood.",
    "Señora Ibáñez, who has run the bakery next door since 1987, called the reopening "
    "“a small miracle” and said the crème brûlée sold out before noon.",
    "City officials in Zürich and São Paulo have watched the experiment closely, according "
    "to a report published by the municipal council’s economic office last week.",
    "Müller said he would keep prices unchanged until the end of the year. “We owe it to "
    "the people who waited,” he told reporters outside the café.",
)


@dataclass(frozen=True)
class FaultArticle:
    """A fault page's article: its headline and body paragraphs."""

    title: str
    paragraphs: tuple[str, ...]

    @property
    def expected_text(self) -> str:
        """The clean body an archive must hold: paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)


def _story(name: str, paragraphs: int = 5) -> FaultArticle:
    """A wire-style story of its own for one fault, the same on every run."""
    writer = prose.StoryWriter(random.Random(f"fault:{name}"), "world")
    seen: set[str] = set()
    body = [prose.unique(writer.lede, seen)]
    body += [prose.unique(writer.paragraph, seen) for _ in range(paragraphs - 1)]
    return FaultArticle(writer.title(), tuple(body))


@dataclass
class FaultSet:
    """The fault pages of one server: what each path answers, and how often it was asked."""

    # Base URL of another server on this machine, which a crawl must never reach.
    elsewhere: str = "http://127.0.0.1:9"
    # Which faults the listing links to (all by default); the others still answer.
    names: Iterable[str] = tuple(FAULT_LINKS)
    hits: Counter[str] = field(default_factory=Counter, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.names = tuple(self.names)
        unknown = set(self.names) - set(FAULT_LINKS)
        if unknown:
            raise ValueError(f"unknown faults: {', '.join(sorted(unknown))}")
        self.articles = {
            name: FaultArticle("Café owners celebrate reopening", CP1252_PARAGRAPHS)
            if name == "windows-1252"
            else _story(name)
            for name in ARCHIVABLE
        }

    def _count(self, path: str) -> int:
        with self._lock:
            self.hits[path] += 1
            return self.hits[path]

    def route(self, base: str, raw_path: str) -> Reply | None:
        """The server's Reply for a fault path, or None when the path is not a fault's."""
        path = urlsplit(raw_path).path
        if path == LISTING_PATH:
            return Reply(200, HTML, self.listing(base).encode("utf-8"), compressible=True)
        if not path.startswith("/faults/"):
            return None
        nth = self._count(path)
        if path == "/faults/flaky/":
            if nth <= 2:
                return Reply(500, "text/plain; charset=utf-8", b"Internal Server Error")
            return self._article(base, "flaky")
        if path == "/faults/retry-after/":
            if nth == 1:
                headers = [("Retry-After", str(RETRY_AFTER))]
                return Reply(503, "text/plain; charset=utf-8", b"Busy", headers=headers)
            return self._article(base, "retry-after")
        if path == "/faults/slow/":
            reply = self._article(base, "slow")
            reply.delay = SLOW_SECONDS
            return reply
        if path == "/faults/reset/":
            body = self.page(base, path, _story("reset")).encode("utf-8")
            return Reply(200, HTML, body, reset_after=len(body) // 2)
        if path == "/faults/windows-1252/":
            body = self.page(base, path, self.articles["windows-1252"], charset="windows-1252")
            return Reply(200, "text/html", body.encode("cp1252"))
        if path == "/faults/gzip-chunked/":
            body = gzip.compress(self.page(base, path, self.articles["gzip-chunked"]).encode())
            size = len(body) // 4 + 1
            chunks = [body[i : i + size] for i in range(0, len(body), size)]
            headers = [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
            return Reply(200, HTML, headers=headers, chunks=chunks)
        redirects = {
            "/faults/old-slug/": "/faults/renamed-slug/",
            "/faults/renamed-slug/": MOVED_PATH,
            "/faults/loop-a/": "/faults/loop-b/",
            "/faults/loop-b/": "/faults/loop-a/",
        }
        if path in redirects:
            return _redirect(base + redirects[path], 301)
        if path == MOVED_PATH:
            return self._article(base, "moved")
        if path.startswith("/faults/spiral/"):
            step = path.removeprefix("/faults/spiral/").strip("/")
            if step.isdigit():
                return _redirect(f"{base}/faults/spiral/{int(step) + 1}/", 302)
        if path == "/faults/large/":
            return self._large(base)
        if path == "/faults/truncated/":
            page = self.page(base, path, self.articles["truncated"])
            third = self.articles["truncated"].paragraphs[2]
            cut = page.index(third) + len(third) // 2
            return Reply(200, HTML, page[:cut].encode("utf-8"))
        if path == "/faults/binary/":
            return Reply(200, "text/html", random.Random("binary").randbytes(20_000))
        if path == "/faults/elsewhere/":
            return _redirect(f"{self.elsewhere}/stolen-story/", 302)
        if path == "/faults/to-file/":
            return _redirect("file:///etc/passwd", 302)
        return None

    def link_from_home(self, raw_path: str, body: bytes) -> bytes:
        """The home page with one more link, to the fault listing; other pages unchanged."""
        if urlsplit(raw_path).path != "/" or b"</body>" not in body:
            return body
        link = f'<p class="faults"><a href="{LISTING_PATH}">Fault pages</a></p>\n</body>'
        return body.replace(b"</body>", link.encode(), 1)

    def listing(self, base: str) -> str:
        """The listing page: a link to each fault, to another server and to other schemes."""
        other = urlsplit(self.elsewhere)
        links = [base + FAULT_LINKS[name] for name in self.names]
        links += [
            f"{self.elsewhere}/from-faults/",
            f"http://localhost:{other.port}/from-faults-localhost/",
            f"//localhost:{other.port}/protocol-relative/",
            f"ftp://{other.hostname}:{other.port}/pub/archive.tar.gz",
            *NON_HTTP_LINKS,
        ]
        items = "\n".join(
            f'<li><a href="{html.escape(link)}">{html.escape(link)}</a></li>' for link in links
        )
        return (
            '<!DOCTYPE html>\n<html lang="en-US"><head><meta charset="UTF-8">\n'
            "<title>Faults - Nation World News</title>\n"
            f'<link rel="canonical" href="{base}{LISTING_PATH}">\n'
            '</head><body class="archive category">\n<h1>Faults</h1>\n'
            f"<ul>\n{items}\n</ul>\n</body></html>\n"
        )

    def page(
        self, base: str, path: str, article: FaultArticle, *, charset: str = "UTF-8", pad: str = ""
    ) -> str:
        """A plain WordPress-like article page: Article JSON-LD, og: tags, one entry-content."""
        url = base + path
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": "2023-05-30T09:00:00+00:00",
            "author": {"@type": "Person", "name": "Nation World News Desk"},
            "mainEntityOfPage": url,
        }
        paragraphs = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in article.paragraphs)
        return (
            f'<!DOCTYPE html>\n<html lang="en-US"><head><meta charset="{charset}">\n'
            f"<title>{html.escape(article.title)} - Nation World News</title>\n"
            f'<link rel="canonical" href="{url}">\n'
            '<meta property="og:type" content="article">\n'
            '<meta property="article:published_time" content="2023-05-30T09:00:00+00:00">\n'
            '<script type="application/ld+json">'
            f"{json.dumps(data, ensure_ascii=False)}</script>\n{pad}"
            '</head><body class="post-template-default single single-post">\n'
            f'<header><a href="{base}/">Nation World News</a></header>\n'
            f'<article><h1 class="entry-title">{html.escape(article.title)}</h1>\n'
            f'<div class="entry-content">\n{paragraphs}\n</div></article>\n</body></html>\n'
        )

    def _article(self, base: str, name: str) -> Reply:
        path = ARCHIVABLE[name]
        body = self.page(base, path, self.articles[name]).encode("utf-8")
        return Reply(200, HTML, body, compressible=True)

    def _large(self, base: str) -> Reply:
        """An article padded past LARGE_SIZE by an inline data script, as page builders do."""
        rng = random.Random("large")
        blob = json.dumps({"state": rng.randbytes(LARGE_SIZE // 2).hex()})
        pad = f'<script id="__PAGE_STATE__" type="application/json">{blob}</script>\n'
        body = self.page(base, ARCHIVABLE["large"], self.articles["large"], pad=pad)
        return Reply(200, HTML, body.encode("utf-8"))


def _redirect(location: str, status: int) -> Reply:
    return Reply(status, HTML, b"", headers=[("Location", location)])
