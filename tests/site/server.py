"""ReplicaServer: the replica site over real HTTP/1.1 on 127.0.0.1, with a log of every request.

Run it by hand with `python -m tests.site.server --articles 100 --port 0`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import asdict, dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from tests.site import theme
from tests.site.content import Article, Site, build_site
from tests.site.evolve import evolve_site

if TYPE_CHECKING:
    from tests.site.faults import FaultSet

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"
# A 1x1 grey JPEG and PNG, served for every uploaded image (made with cjpeg and zlib).
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043000d090a0b0a080d0b0a0b0e0e0d0f1320151312"
    "1213271c1e17202e2931302e292d2c333a4a3e333646372c2d405741464c4e525352323e5a615a50604a5152"
    "4fffc0000b080001000101011100ffc40014000100000000000000000000000000000004ffc4001410010000"
    "0000000000000000000000000000ffda0008010100003f007bffd9"
)
# the signature and header of a WOFF2 file: enough for a type check, not a font
TINY_WOFF2 = b"wOF2" + bytes(44)
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000a49444154789c63"
    "980900009b009aad2e48b40000000049454e44ae426082"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it, and the status it answered; `time` is when its
    first bytes reached the server's socket (the kernel's stamp where there is one)."""

    time: float
    method: str
    path: str
    host: str
    user_agent: str
    headers: dict[str, str]
    status: int


@dataclass
class Reply:
    """A response before it is sent: status, headers and body (parts when chunked)."""

    status: int
    content_type: str = HTML
    body: bytes = b""
    headers: list[tuple[str, str]] | None = None
    chunks: list[bytes] | None = None
    compressible: bool = False
    cache_date: float | None = None  # Last-Modified, for If-Modified-Since
    delay: float = 0.0  # seconds to wait before answering (a slow backend)
    reset_after: int | None = None  # send this much of the body, then reset the connection


class ReplicaServer:
    """The replica site on a ThreadingHTTPServer running in a daemon thread."""

    def __init__(
        self,
        site: Site | None = None,
        *,
        articles: int = 100,
        host: str = "127.0.0.1",
        port: int = 0,
        crawl_delay: float | None = None,
        log_path: str | Path | None = None,
        faults: bool | FaultSet = False,
        latency: float = 0.0,
    ) -> None:
        self.site = site if site is not None else build_site(articles)
        if faults is True:
            from tests.site.faults import FaultSet  # here: faults.py imports this module

            faults = FaultSet()
        # the fault pages (tests/site/faults.py), linked from the home page when on
        self.faults = faults or None
        self.crawl_delay = crawl_delay
        # every answer takes this long at least (a slow backend), so that requests overlap
        self.latency = latency
        # cleared, requests wait (unanswered) until it is set again: a test holds a crawl
        # back until all its workers have joined
        self.gate = threading.Event()
        self.gate.set()
        self.in_flight = 0
        # the most requests the server was answering at once
        self.most_in_flight = 0
        self.log_path = Path(log_path) if log_path is not None else None
        self._host = host
        self._port = port
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The site's address, without a trailing slash: "http://127.0.0.1:PORT"."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return f"http://{self._host}:{self._httpd.server_address[1]}"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._records)

    def clear_requests(self) -> None:
        """Forget the requests received so far (the log file is kept)."""
        with self._lock:
            self._records.clear()

    def start(self) -> ReplicaServer:
        """Bind the port and serve on a daemon thread."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self._host, self._port), _Handler)
        self._httpd.replica = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns promptly
            name="replica-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _answering(self, step: int) -> None:
        with self._lock:
            self.in_flight += step
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")


# Linux's SO_TIMESTAMPNS (and SCM_TIMESTAMPNS), which Python's socket module does not name;
# elsewhere a request's time is when its first byte was read.
_SO_TIMESTAMPNS = 35 if sys.platform.startswith("linux") else 0


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # keep-alive handler threads may sit waiting for a next request; never wait for them
    block_on_close = False
    replica: ReplicaServer

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Stay quiet when a client drops its connection; report anything else."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    # idle keep-alive connections are dropped after this many seconds
    timeout = 30
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body
    # waits for the client's delayed ACK (40 ms on Linux), as no real front server does.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "nginx"

    def setup(self) -> None:
        super().setup()
        # The kernel stamps each packet as it arrives: a request's time is then when the
        # client sent it, not when a busy machine got round to routing it (timing tests
        # would otherwise count this server's delays as the client's).
        if _SO_TIMESTAMPNS:
            self.connection.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)

    def handle_one_request(self) -> None:
        try:
            # wait for the request's first byte without taking it, to read its stamp
            first, ancillary, _, _ = self.connection.recvmsg(
                1, socket.CMSG_SPACE(16), socket.MSG_PEEK
            )
        except OSError:  # timed out, or the client went away
            self.close_connection = True
            return
        if not first:
            self.close_connection = True
            return
        self.arrived = time.time()
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(data) >= 16:
                seconds, nanoseconds = struct.unpack("qq", data[:16])
                self.arrived = seconds + nanoseconds / 1e9
        super().handle_one_request()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log replaces the console log

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        replica = self.server.replica
        replica.gate.wait(timeout=120)
        replica._answering(1)
        # answered once the reply is ready, before it is sent: a client cannot have seen
        # an answer (and sent its next request) while the server still counts it
        self._counted = True
        try:
            self._answer(head, replica)
        finally:
            self._answered(replica)

    def _answered(self, replica: ReplicaServer) -> None:
        if self._counted:
            self._counted = False
            replica._answering(-1)

    def _answer(self, head: bool, replica: ReplicaServer) -> None:
        site = replica.site  # read once: the site may be swapped while we answer
        base = replica.base_url
        faults = replica.faults
        try:
            reply = faults.route(base, self.path) if faults is not None else None
            if reply is None:
                reply = route(site, base, self.command, self.path, replica.crawl_delay)
                if faults is not None:
                    reply.body = faults.link_from_home(self.path, reply.body)
        except Exception:  # noqa: BLE001 - a broken page must not kill the server thread
            reply = Reply(500, "text/plain; charset=utf-8", b"Internal Server Error")
        reply = self._conditional(reply)
        gzip_it = reply.compressible and "gzip" in self.headers.get("Accept-Encoding", "")
        replica._record(
            RequestRecord(
                time=self.arrived,
                method=self.command,
                path=self.path,
                host=self.headers.get("Host", ""),
                user_agent=self.headers.get("User-Agent", ""),
                headers=dict(self.headers.items()),
                status=reply.status,
            )
        )
        if reply.delay or replica.latency:
            time.sleep(max(reply.delay, replica.latency))
        self._answered(replica)
        self.send_response(reply.status)
        if reply.status != 304 or reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers or []:
            self.send_header(name, value)
        if reply.compressible:
            self.send_header("Vary", "Accept-Encoding")
        if reply.chunks is not None:
            # a fault page may come gzip-encoded already: its own Content-Encoding header
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not head:
                for chunk in reply.chunks:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            return
        body = reply.body
        if gzip_it and body:
            body = gzip.compress(body, compresslevel=1, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        if reply.status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.reset_after is not None:
            self._reset(body[: reply.reset_after])
        elif not head and reply.status != 304:
            self.wfile.write(body)

    def _reset(self, part: bytes) -> None:
        """Send part of the promised body, then drop the connection with a TCP reset."""
        self.wfile.write(part)
        self.wfile.flush()
        # SO_LINGER 0: closing sends RST instead of FIN, as a crashed backend or proxy does
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _conditional(self, reply: Reply) -> Reply:
        """Turn a 200 into a 304 when the client's ETag or date still matches."""
        etag = dict(reply.headers or []).get("ETag")
        if reply.status != 200 or (etag is None and reply.cache_date is None):
            return reply
        none_match = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        fresh = False
        if none_match is not None:
            fresh = etag is not None and etag in [t.strip() for t in none_match.split(",")]
        elif since is not None and reply.cache_date is not None:
            try:
                fresh = parsedate_to_datetime(since).timestamp() >= reply.cache_date
            except (TypeError, ValueError):
                fresh = False
        if not fresh:
            return reply
        kept = [(k, v) for k, v in reply.headers or [] if k in ("ETag", "Last-Modified", "Link")]
        return Reply(304, content_type="", headers=kept, compressible=reply.compressible)


def _html(text: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, HTML, text.encode("utf-8"), headers=headers, compressible=True)


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:32] + '"'


def _cached_html(text: str, headers: list[tuple[str, str]]) -> Reply:
    """A listing page as a page cache in front of WordPress serves it: ETag of the body."""
    body = text.encode("utf-8")
    return Reply(200, HTML, body, headers=[*headers, ("ETag", _etag(body))], compressible=True)


def _wp_headers(base: str) -> list[tuple[str, str]]:
    return [("Link", f'<{base}/wp-json/>; rel="https://api.w.org/"'), ("X-Powered-By", "PHP/8.1")]


def _redirect(location: str, status: int = 301) -> Reply:
    headers = [("Location", location), ("X-Redirect-By", "WordPress")]
    return Reply(status, HTML, b"", headers=headers)


def _article_reply(site: Site, base: str, article: Article) -> Reply:
    """An article with the validators an archive records: Last-Modified and ETag.

    The ETag names the post's version (id, modified, text), not the page's bytes: the page
    also carries the day's date and the newest headlines, which move every day, and a 304 for
    an unchanged post is what an incremental crawl expects. Articles with `validators` off
    get neither header, so every request is a 200.
    """
    body = theme.render_article(site, base, article).encode("utf-8")
    headers = [*_wp_headers(base), ("Link", f"<{base}/?p={article.post_id}>; rel=shortlink")]
    if article.validators:
        version = f"{article.post_id}|{article.modified.isoformat()}|{article.expected_text}"
        headers += [
            ("Last-Modified", format_datetime(article.modified, usegmt=True)),
            ("ETag", _etag(version.encode("utf-8"))),
        ]
    headers.append(("Cache-Control", "max-age=0, must-revalidate"))
    reply = Reply(200, HTML, body, headers=headers, compressible=True)
    if article.validators:
        reply.cache_date = article.modified.timestamp()
    return reply


def _gone(site: Site, base: str, status: int) -> Reply:
    """A deleted article: the short 410 page, or the theme's 404."""
    if status == 410:
        return _html(theme.render_gone(site, base), 410, _wp_headers(base))
    return _not_found(site, base)


def _not_found(site: Site, base: str) -> Reply:
    return _html(theme.render_not_found(site, base), 404, _wp_headers(base))


_CATEGORY = re.compile(r"^/category/([a-z0-9-]+)/(?:page/(\d+)/)?$")
_DATE = re.compile(r"^/(\d{4})/(\d{2})/(?:(\d{2})/)?$")
_POST_SITEMAP = re.compile(r"^/post-sitemap(\d*)\.xml$")
_SLUG = re.compile(r"^/([a-z0-9-]+)(/(?:amp/|feed/)?)?$")


def route(
    site: Site, base: str, method: str, raw_path: str, crawl_delay: float | None = None
) -> Reply:
    """Answer one request: the WordPress routes the replica knows, else a themed 404."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path) or "/"
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}

    if path == "/wp-comments-post.php":
        if method != "POST":
            return Reply(405, "text/html; charset=UTF-8", b"", headers=[("Allow", "POST")])
        return _redirect(f"{base}/", 302)
    if path == "/robots.txt":
        text = theme.render_robots(base, crawl_delay)
        return Reply(200, "text/plain; charset=utf-8", text.encode("utf-8"))
    if path == "/" and query:
        if "p" in query:
            article = site.article_by_id(int(query["p"])) if query["p"].isdigit() else None
            if article is not None:
                return _redirect(base + article.path)
            page = next((p for p in site.pages if str(p.page_id) == query["p"]), None)
            return _redirect(base + page.path) if page else _not_found(site, base)
        if "s" in query:
            return _html(theme.render_search(site, base, query["s"]), 200, _wp_headers(base))
    if path == "/":
        headers = [
            *_wp_headers(base),
            ("Set-Cookie", "td_visitor=first; Max-Age=31536000; Path=/; SameSite=Lax"),
            ("Set-Cookie", "pvc_visits[0]=1685556000b8; Max-Age=86400; Path=/; HttpOnly"),
        ]
        return _cached_html(theme.render_home(site, base), headers)
    xml = _xml_route(site, base, path)
    if xml is not None:
        return xml
    if path.startswith("/wp-json"):
        text = theme.render_wp_json(site, base, path.removeprefix("/wp-json"), query)
        if text is None:
            return Reply(404, JSON_TYPE, theme.wp_json_not_found().encode("utf-8"))
        return Reply(200, JSON_TYPE, text.encode("utf-8"), headers=_wp_headers(base))
    if path.startswith(("/wp-content/", "/wp-includes/")) or path == "/main-sitemap.xsl":
        return _asset(path, site.cdn_url)
    if path == "/wp-admin/admin-ajax.php":
        return Reply(400, "text/html; charset=UTF-8", b"0")
    listing = _listing_route(site, base, path)
    if listing is not None:
        return listing
    page = site.page_by_path(path)
    if page is not None:
        return _html(theme.render_page(site, base, page), 200, _wp_headers(base))
    if path in site.gone:
        return _gone(site, base, site.gone[path])
    match = _SLUG.match(path)
    if match:
        article = site.article_by_slug(match.group(1))
        if article is not None:
            tail = match.group(2)
            if not tail:
                return _redirect(base + article.path)
            if tail == "/amp/":
                return _html(theme.render_amp(site, base, article), 200, _wp_headers(base))
            if tail == "/feed/":
                text = theme.render_comments_feed(site, base, article)
                return Reply(200, RSS, text.encode("utf-8"), headers=_wp_headers(base))
            cached = site.stale_pages.get(article.path)
            old = cached.article_by_slug(article.slug) if cached is not None else None
            if cached is not None and old is not None:  # a CDN's copy of an earlier state
                return _article_reply(cached, base, old)
            return _article_reply(site, base, article)
        if site.page_by_path(path + "/") is not None:
            return _redirect(base + path + "/")
    return _not_found(site, base)


def _xml_route(site: Site, base: str, path: str) -> Reply | None:
    """Sitemaps and feeds."""
    if path in ("/feed", "/comments/feed"):
        return _redirect(f"{base}{path}/")
    if path == "/feed/":
        # WordPress flushes the feed as PHP prints it: several chunks, no Content-Length
        chunks = [part.encode("utf-8") for part in theme.feed_parts(site, base)]
        newest = max((a.modified for a in site.listed()[: theme.PER_PAGE]), default=site.now)
        headers = [*_wp_headers(base), ("Last-Modified", format_datetime(newest, usegmt=True))]
        return Reply(200, RSS, headers=headers, chunks=chunks)
    if path == "/comments/feed/":
        text = theme.render_comments_feed(site, base)
        return Reply(200, RSS, text.encode("utf-8"), headers=_wp_headers(base))
    text = None
    if path == "/sitemap_index.xml":
        text = theme.render_sitemap_index(site, base)
    elif path == "/page-sitemap.xml":
        text = theme.render_page_sitemap(site, base)
    elif path == "/category-sitemap.xml":
        text = theme.render_category_sitemap(site, base)
    elif path == "/news-sitemap.xml":
        text = theme.render_news_sitemap(site, base)
    elif match := _POST_SITEMAP.match(path):
        number = int(match.group(1) or 1)
        if match.group(1) != "1":  # Yoast has no post-sitemap1.xml
            text = theme.render_post_sitemap(site, base, number)
    elif path == "/sitemap.xml":
        return _redirect(f"{base}/sitemap_index.xml")
    if text is None:
        return None
    headers = [("X-Robots-Tag", "noindex, follow")]
    return Reply(200, XML, text.encode("utf-8"), headers=headers)


def _listing_route(site: Site, base: str, path: str) -> Reply | None:
    """Category, tag, author and date archives."""
    headers = _wp_headers(base)
    if match := _CATEGORY.match(path):
        category = site.category_by_slug(match.group(1))
        if category is None:
            return _not_found(site, base)
        number = int(match.group(2) or 1)
        if match.group(2) == "1":
            return _redirect(f"{base}/category/{category.slug}/")
        text = theme.render_category(site, base, category, number)
        return _cached_html(text, headers) if text else _not_found(site, base)
    if path.startswith("/tag/") and path.endswith("/") and path.count("/") == 3:
        tag = site.tag_by_slug(path.split("/")[2])
        return _cached_html(theme.render_tag(site, base, tag), headers) if tag else None
    if path.startswith("/author/") and path.endswith("/") and path.count("/") == 3:
        author = site.author_by_slug(path.split("/")[2])
        return _cached_html(theme.render_author(site, base, author), headers) if author else None
    if match := _DATE.match(path):
        year, month, day = match.groups()
        text = theme.render_date_archive(
            site, base, int(year), int(month), int(day) if day else None
        )
        return _html(text, 200, headers) if text else _not_found(site, base)
    if re.fullmatch(r"/(?:category|tag|author)/[a-z0-9-]+", path):
        return _redirect(base + path + "/")
    return None


def stylesheet(cdn_url: str | None = None) -> str:
    """The theme's stylesheets (one stand-in for all): an icon font beside them, a
    background image among the uploads and, given a CDN, a web font from there."""
    css = (
        "/* tagDiv Newspaper */\n"
        "@font-face{font-family:newspaper;src:url(../Newspaper/images/icons/newspaper.woff2)"
        ' format("woff2")}\n'
        "body{margin:0;background:url('/wp-content/uploads/2021/06/bg-pattern.png')}\n"
    )
    if cdn_url:
        css += (
            f'@font-face{{font-family:Roboto;src:url("{cdn_url}/fonts/roboto-v30.woff2")'
            ' format("woff2")}\n'
            # robots.txt of the CDN disallows /private/: never fetched
            f"@font-face{{font-family:Private;src:url({cdn_url}/private/licensed.woff2)}}\n"
        )
    return css


def _asset(path: str, cdn_url: str | None = None) -> Reply:
    """Theme files and uploads: small stand-ins with the right types, and an ETag, so
    that a re-run asks for them conditionally."""
    if path.endswith(".css"):
        reply = Reply(200, "text/css", stylesheet(cdn_url).encode("utf-8"))
    elif path.endswith(".woff2"):
        reply = Reply(200, "font/woff2", TINY_WOFF2)
    elif path.endswith(".js"):
        reply = Reply(200, "application/javascript", b"/* replica */\n")
    elif path.endswith((".jpg", ".jpeg")):
        reply = Reply(200, "image/jpeg", TINY_JPEG)
    elif path.endswith(".png"):
        reply = Reply(200, "image/png", TINY_PNG)
    elif path.endswith(".xsl"):
        reply = Reply(200, "text/xsl", theme.sitemap_stylesheet().encode("utf-8"))
    else:
        return Reply(404, "text/plain; charset=utf-8", b"Not Found")
    etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
    reply.headers = [("Cache-Control", "max-age=31536000"), ("ETag", etag)]
    return reply


def main(argv: list[str] | None = None) -> int:
    """Serve the replica until SIGINT or SIGTERM; SIGUSR1 moves it on to its next state."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.site.server",
        description="Serve the replica of nationworldnews.com on 127.0.0.1. "
        "Send SIGUSR1 to switch to the next state (one day later).",
        epilog="Example: python -m tests.site.server --articles 100 --port 8000 --state 2",
    )
    parser.add_argument("--articles", type=int, default=100, help="number of articles")
    parser.add_argument(
        "--state", type=int, default=1, help="start in this state (2: one day later, ...)"
    )
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--crawl-delay", type=float, default=None, help="Crawl-delay in robots.txt")
    parser.add_argument("--log", default=None, help="append every request to this JSON-lines file")
    args = parser.parse_args(argv)
    if args.state < 1:
        parser.error("--state must be 1 or more")

    stop = threading.Event()
    switch = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    def on_switch(signum: int, frame: object) -> None:
        switch.set()  # evolving takes a while: the main loop does it, not the handler

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGUSR1, on_switch)
    site = build_site(args.articles)
    try:
        for _ in range(args.state - 1):
            site = evolve_site(site)
    except ValueError as error:
        parser.error(str(error))
    state = args.state
    server = ReplicaServer(
        site,
        host=args.host,
        port=args.port,
        crawl_delay=args.crawl_delay,
        log_path=args.log,
    )
    server.start()
    print(f"Serving replica on {server.base_url}/", flush=True)
    while not stop.wait(0.1):
        if switch.is_set():
            switch.clear()
            try:
                server.site = evolve_site(server.site)
            except ValueError as error:
                print(f"Not switched: {error}", flush=True)
                continue
            state += 1
            print(_switch_line(server.site, state), flush=True)
    server.stop()
    return 0


def _switch_line(site: Site, state: int) -> str:
    changes = site.changes
    assert changes is not None  # evolve_site always sets it
    return (
        f"Switched replica to state {state}: {len(changes.new)} new, "
        f"{len(changes.changed)} changed, {len(changes.touched)} touched, "
        f"{len(changes.deleted)} deleted articles"
    )


if __name__ == "__main__":
    sys.exit(main())
