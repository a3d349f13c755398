"""CourierServer: the Courier replica over HTTP/1.1 on 127.0.0.1, and `route()` without a socket.

Run it by hand with `python -m tests.site.courier.server --articles 300 --port 0`.
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import hashlib
import json
import re
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from tests.site.courier import events as tribe
from tests.site.courier import feeds, theme
from tests.site.courier.model import Article, CourierSite, Event, build_courier

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"
ICAL = "text/calendar; charset=utf-8"
# A 1x1 grey JPEG and PNG, served for every uploaded image.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043000d090a0b0a080d0b0a0b0e0e0d0f1320151312"
    "1213271c1e17202e2931302e292d2c333a4a3e333646372c2d405741464c4e525352323e5a615a50604a5152"
    "4fffc0000b080001000101011100ffc40014000100000000000000000000000000000004ffc4001410010000"
    "0000000000000000000000000000ffda0008010100003f007bffd9"
)
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000a49444154789c63"
    "980900009b009aad2e48b40000000049454e44ae426082"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it, and the status it answered."""

    time: float
    method: str
    path: str  # path and query, as requested
    host: str
    user_agent: str
    headers: dict[str, str]
    status: int


@dataclass
class Reply:
    """A response before it is sent."""

    status: int
    content_type: str = HTML
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    compressible: bool = False
    cache_date: float | None = None  # Last-Modified as a timestamp, for If-Modified-Since

    def header(self, name: str) -> str | None:
        """The first header called name (case-insensitive), or None."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


class CourierServer:
    """The Courier replica on a ThreadingHTTPServer running in a daemon thread."""

    def __init__(
        self,
        site: CourierSite | None = None,
        *,
        articles: int = 300,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: str | Path | None = None,
        latency: float = 0.0,
    ) -> None:
        self.site = site if site is not None else build_courier(articles)
        # every answer takes this long at least (a distant or slow server)
        self.latency = latency
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

    def start(self) -> CourierServer:
        """Bind the port and serve on a daemon thread."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self._host, self._port), _Handler)
        self._httpd.courier = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns promptly
            name="courier-server",
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

    def __enter__(self) -> CourierServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # keep-alive handler threads may sit waiting for a next request; never wait for them
    block_on_close = False
    courier: CourierServer

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Stay quiet when a client drops its connection; report anything else."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 30  # idle keep-alive connections are dropped after this many seconds
    # headers and body go out in separate writes: without this the body waits for the
    # client's delayed ACK (40 ms on Linux), as no real front server makes it wait
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "nginx"

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
        courier = self.server.courier
        site = courier.site  # read once: the site may be swapped while we answer
        headers = dict(self.headers.items())
        try:
            reply = route(site, courier.base_url, self.command, self.path, headers)
        except Exception:  # noqa: BLE001 - a broken page must not kill the server thread
            reply = Reply(500, "text/plain; charset=utf-8", b"Internal Server Error")
        courier._record(
            RequestRecord(
                time=time.time(),
                method=self.command,
                path=self.path,
                host=self.headers.get("Host", ""),
                user_agent=self.headers.get("User-Agent", ""),
                headers=headers,
                status=reply.status,
            )
        )
        if courier.latency:
            time.sleep(courier.latency)
        self.send_response(reply.status)
        if reply.status != 304:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.compressible:
            self.send_header("Vary", "Accept-Encoding")
        body = reply.body
        if reply.compressible and body and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=1, mtime=0)  # mtime 0: same bytes each time
            self.send_header("Content-Encoding", "gzip")
        if reply.status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and reply.status != 304:
            self.wfile.write(body)


# --- replies -----------------------------------------------------------------------------


def _wp_headers(base: str) -> list[tuple[str, str]]:
    return [("Link", f'<{base}/wp-json/>; rel="https://api.w.org/"')]


def _html(
    site: CourierSite,
    base: str,
    page: str | None,
    query: Mapping[str, str],
    headers: list[tuple[str, str]] | None = None,
) -> Reply:
    """An HTML page, or the themed 404 when page is None; Polylang's cookie on both."""
    if page is None:
        return _not_found(site, base)
    language = "es" if query.get("lang") == "es" else "en"
    cookie = f"pll_language={language}; Max-Age=31536000; Path=/; SameSite=Lax"
    all_headers = [*_wp_headers(base), *(headers or []), ("Set-Cookie", cookie)]
    return Reply(200, HTML, page.encode("utf-8"), all_headers, compressible=True)


def _not_found(site: CourierSite, base: str) -> Reply:
    body = theme.render_not_found(site, base).encode("utf-8")
    return Reply(404, HTML, body, _wp_headers(base), compressible=True)


def _redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, HTML, b"", [("Location", location), ("X-Redirect-By", "WordPress")])


def _http_date(moment: datetime) -> str:
    """An HTTP date (always GMT) of an aware datetime."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:32] + '"'


def _article_reply(
    site: CourierSite, base: str, article: Article, page: int, query: Mapping[str, str]
) -> Reply:
    """An article (or one of its comment pages) with Last-Modified and an ETag of its bytes."""
    body = theme.render_article(site, base, article, page)
    reply = _html(site, base, body, query)
    changed = max([article.modified, *(c.when for c in article.comments)])
    reply.headers += [
        (
            "Link",
            f'<{base}/wp-json/wp/v2/posts/{article.post_id}>; rel="alternate"; '
            'type="application/json"',
        ),
        ("Link", f"<{base}/?p={article.post_id}>; rel=shortlink"),
        ("Last-Modified", _http_date(changed)),
        ("ETag", _etag(reply.body)),
        ("Cache-Control", "max-age=0, must-revalidate"),
    ]
    reply.cache_date = changed.timestamp()
    return reply


def conditional(reply: Reply, headers: Mapping[str, str]) -> Reply:
    """Turn a 200 into a 304 when the client's If-None-Match or If-Modified-Since still holds."""
    etag = reply.header("ETag")
    if reply.status != 200 or (etag is None and reply.cache_date is None):
        return reply
    lowered = {k.lower(): v for k, v in headers.items()}
    none_match = lowered.get("if-none-match")
    since = lowered.get("if-modified-since")
    fresh = False
    if none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        fresh = etag is not None and etag in [t.strip() for t in none_match.split(",")]
    elif since is not None and reply.cache_date is not None:
        try:
            fresh = parsedate_to_datetime(since).timestamp() >= int(reply.cache_date)
        except (TypeError, ValueError):
            fresh = False
    if not fresh:
        return reply
    kept = [(k, v) for k, v in reply.headers if k in ("ETag", "Last-Modified", "Cache-Control")]
    return Reply(304, reply.content_type, b"", kept, compressible=reply.compressible)


# --- routing -----------------------------------------------------------------------------

_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)(/(?:comment-page-(\d+)/|feed/)?)?$")
_DATE = re.compile(r"^/(\d{4})/(?:(\d{2})/(?:(\d{2})/)?)?$")
_MONTH_VIEW = re.compile(r"^/events/month/(\d{4})-(\d{2})(/?)$")
_DAY_VIEW = re.compile(r"^/events/(\d{4}-\d{2}-\d{2})(/?)$")
_SLUG = re.compile(r"^/([a-z0-9-]+)/?$")


def route(
    site: CourierSite,
    base: str,
    method: str,
    path: str,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """Answer one request (path with its query string), as the server would.

    headers: the request's headers, for conditional requests (If-None-Match,
    If-Modified-Since); without them every page is a full answer.
    """
    reply = _route(site, base, method, path)
    return conditional(reply, headers) if headers else reply


def _route(site: CourierSite, base: str, method: str, raw: str) -> Reply:
    parts = urlsplit(raw)
    path = unquote(parts.path) or "/"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = dict(pairs)  # PHP keeps the last value of a repeated name

    if path == "/wp-comments-post.php":
        if method != "POST":
            return Reply(405, HTML, b"", [("Allow", "POST")])
        return _redirect(f"{base}/", 302)
    if path == "/robots.txt":
        return Reply(200, "text/plain; charset=utf-8", feeds.render_robots(base).encode())
    if path == "/":
        return _front(site, base, query, pairs)
    machine = _machine_route(site, base, path, query)
    if machine is not None:
        return machine
    if path.startswith(("/events", "/event/")):
        return _events_route(site, base, path, query)
    listing = _listing_route(site, base, path, query, pairs)
    if listing is not None:
        return listing
    if match := _ARTICLE.match(path):
        return _article_route(site, base, match, query)
    page = site.page_by_path(path)
    if page is not None:
        return _html(site, base, theme.render_page(site, base, page), query)
    if match := _SLUG.match(path):
        slug = match.group(1)
        if site.page_by_path(f"/{slug}/") is not None:
            return _redirect(f"{base}/{slug}/")
        article = site.article_by_slug(slug)
        if article is not None:  # WordPress guesses the post from a bare slug
            return _redirect(base + article.path)
    return _not_found(site, base)


def _page_number(query: Mapping[str, str]) -> int:
    value = query.get("paged", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _without_paged_one(base: str, path: str, pairs: list[tuple[str, str]]) -> Reply | None:
    """WordPress redirects ?paged=1 to the URL without it."""
    if ("paged", "1") not in pairs:
        return None
    kept = [(k, v) for k, v in pairs if k != "paged"]
    return _redirect(base + path + (("?" + urlencode(kept)) if kept else ""))


def _front(
    site: CourierSite, base: str, query: Mapping[str, str], pairs: list[tuple[str, str]]
) -> Reply:
    """/ and its query-string routes: ?p=, ?page_id=, ?s=, the events iCal feed, ?paged=."""
    for name in ("p", "page_id"):
        if name in query:
            return _shortlink(site, base, query[name])
    if query.get("post_type") == "tribe_events" and "ical" in query:
        upcoming = [e for e in site.events if e.start >= site.now]
        return _ical(site, base, upcoming, "upcoming")
    redirect = _without_paged_one(base, "/", pairs)
    if redirect is not None:
        return redirect
    page = _page_number(query)
    if "s" in query:
        return _html(site, base, theme.render_search(site, base, query["s"], page), query)
    return _html(site, base, theme.render_home(site, base, page), query)


def _shortlink(site: CourierSite, base: str, value: str) -> Reply:
    if not value.isdigit():
        return _not_found(site, base)
    post_id = int(value)
    article = site.article_by_id(post_id)
    if article is not None:
        return _redirect(base + article.path)
    for event in site.events:
        if event.post_id == post_id:
            return _redirect(base + event.path)
    for page in site.pages:
        if page.page_id == post_id:
            return _redirect(base + page.path)
    return _not_found(site, base)


def _ical(site: CourierSite, base: str, chosen: list[Event], name: str) -> Reply:
    body = tribe.render_ical(site, base, chosen).encode("utf-8")
    filename = f"the-riverside-courier-{name}.ics"
    headers = [("Content-Disposition", f'attachment; filename="{filename}"')]
    return Reply(200, ICAL, body, headers)


def _machine_route(
    site: CourierSite, base: str, path: str, query: Mapping[str, str]
) -> Reply | None:
    """Sitemaps, feeds, the REST API, XML-RPC, wp-admin and static files."""
    if path in ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap"):
        return _redirect(f"{base}/wp-sitemap.xml")
    if path == "/wp-sitemap.xml":
        return Reply(200, XML, feeds.render_sitemap_index(site, base).encode("utf-8"))
    if path.startswith("/wp-sitemap-") and path.endswith(".xml"):
        text = feeds.render_sitemap(site, base, path[1:])
        if text is None:
            return _not_found(site, base)
        return Reply(200, XML, text.encode("utf-8"))
    if path in ("/wp-sitemap.xsl", "/wp-sitemap-index.xsl"):
        text = feeds.sitemap_stylesheet(index="index" in path)
        return Reply(200, "text/xsl; charset=UTF-8", text.encode("utf-8"))
    if path in ("/feed", "/comments/feed"):
        return _redirect(f"{base}{path}/")
    if path == "/feed/":
        return _feed_reply(feeds.render_feed(site, base), site, feeds.feed_articles(site))
    if path == "/comments/feed/":
        return Reply(200, RSS, feeds.render_comments_feed(site, base).encode("utf-8"))
    if path == "/wp-json" or path.startswith("/wp-json/"):
        return _rest(site, base, path.removeprefix("/wp-json"), query)
    if path == "/xmlrpc.php":
        if "rsd" in query:
            return Reply(200, "application/rsd+xml; charset=UTF-8", feeds.render_rsd(base).encode())
        return Reply(405, "text/plain;charset=UTF-8", b"XML-RPC server accepts POST requests only.")
    if path == "/wp-admin/admin-ajax.php":
        return Reply(400, HTML, b"0")
    if path.startswith("/wp-admin"):
        target = f"{base}/wp-login.php?redirect_to={quote(base + path, safe='')}&reauth=1"
        return _redirect(target, 302)
    if path == "/wp-login.php":
        body = b"<!DOCTYPE html><html><head><meta name='robots' content='noindex, follow' />"
        body += b"<title>Log In</title></head><body class='login'><form></form></body></html>"
        return Reply(200, HTML, body)
    if path.startswith(("/wp-content/", "/wp-includes/")):
        return _asset(path)
    return None


def _feed_reply(text: str, site: CourierSite, posts: list[Article]) -> Reply:
    """A feed with the validators WordPress gives feeds: Last-Modified and an ETag of it."""
    newest = max((a.modified for a in posts), default=site.now)
    stamp = _http_date(newest)
    etag = '"' + hashlib.md5(stamp.encode()).hexdigest() + '"'
    headers = [("Last-Modified", stamp), ("ETag", etag)]
    return Reply(200, RSS, text.encode("utf-8"), headers, cache_date=newest.timestamp())


def _rest(site: CourierSite, base: str, route_path: str, query: Mapping[str, str]) -> Reply:
    """/wp-json/: the index, posts by id and oEmbed."""
    if route_path in ("", "/"):
        return Reply(200, JSON_TYPE, feeds.wp_json_index(base).encode("utf-8"), _wp_headers(base))
    if match := re.fullmatch(r"/wp/v2/posts/(\d+)/?", route_path):
        article = site.article_by_id(int(match.group(1)))
        if article is not None:
            return Reply(200, JSON_TYPE, feeds.wp_json_post(base, article).encode("utf-8"))
    if route_path.rstrip("/") == "/oembed/1.0/embed":
        url = query.get("url", "")
        article = site.article_by_path(urlsplit(url).path) if url.startswith(base) else None
        if article is not None:
            kind, text = feeds.oembed(base, article, xml=query.get("format") == "xml")
            return Reply(200, kind, text.encode("utf-8"))
    return Reply(404, JSON_TYPE, feeds.rest_not_found().encode("utf-8"))


def _events_route(site: CourierSite, base: str, path: str, query: Mapping[str, str]) -> Reply:
    """The Events Calendar: views of any month or day, the list view and event pages."""
    ical = "ical" in query
    if path in ("/events", "/events/month", "/events/list", "/events/today"):
        return _redirect(f"{base}{path}/")
    today = site.now.date()
    if path in ("/events/", "/events/month/"):
        if ical:
            return _month_ical(site, base, today.year, today.month)
        page = tribe.render_month(site, base, today.year, today.month, base + path)
        return _html(site, base, page, query)
    if match := _MONTH_VIEW.match(path):
        year, month = int(match.group(1)), int(match.group(2))
        if year < 1 or not 1 <= month <= 12:
            return _not_found(site, base)
        if not match.group(3):
            return _redirect(base + path + "/")
        if ical:
            return _month_ical(site, base, year, month)
        return _html(site, base, tribe.render_month(site, base, year, month, base + path), query)
    if path == "/events/today/":
        return _day_reply(site, base, today, base + path, query)
    if match := _DAY_VIEW.match(path):
        day = tribe.parse_day(match.group(1))
        if day is None:
            return _not_found(site, base)
        if not match.group(2):
            return _redirect(base + path + "/")
        return _day_reply(site, base, day, base + path, query)
    if path == "/events/list/":
        given = query.get("tribe-bar-date")
        start = tribe.parse_day(given) if given else None
        canonical = tribe.list_url(base, start)
        start = start or today
        if ical:
            return _ical(site, base, tribe.list_window(site, start)[0], "list")
        return _html(site, base, tribe.render_list(site, base, start, canonical), query)
    if match := re.fullmatch(r"/event/([a-z0-9-]+)(/?)", path):
        event = site.event_by_slug(match.group(1))
        if event is None:
            return _not_found(site, base)
        if not match.group(2):
            return _redirect(base + event.path)
        if ical:
            return _ical(site, base, [event], event.slug)
        return _html(site, base, tribe.render_event(site, base, event), query)
    return _not_found(site, base)


def _month_ical(site: CourierSite, base: str, year: int, month: int) -> Reply:
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    chosen = tribe.events_between(site, first, last)
    return _ical(site, base, chosen, f"{year:04d}-{month:02d}")


def _day_reply(
    site: CourierSite, base: str, day: date, canonical: str, query: Mapping[str, str]
) -> Reply:
    if "ical" in query:
        return _ical(site, base, tribe.events_between(site, day, day), tribe.start_key(day))
    return _html(site, base, tribe.render_day(site, base, day, canonical), query)


def _filters(query: Mapping[str, str]) -> tuple[str | None, str | None]:
    sort = query.get("sort")
    view = query.get("view")
    return (
        sort if sort in theme.SORTS else None,
        view if view in theme.VIEWS else None,
    )


def _listing_route(
    site: CourierSite,
    base: str,
    path: str,
    query: Mapping[str, str],
    pairs: list[tuple[str, str]],
) -> Reply | None:
    """Category (/topics/), tag, author and date archives, all paginated by ?paged=N."""
    match = re.fullmatch(r"/(topics|tag|author)/([a-z0-9-]+)(/?)", path)
    if match:
        kind, slug, slash = match.groups()
        if not slash:
            return _redirect(base + path + "/" + (f"?{urlencode(pairs)}" if pairs else ""))
        redirect = _without_paged_one(base, path, pairs)
        if redirect is not None:
            return redirect
        page = _page_number(query)
        sort, view = _filters(query)
        if kind == "topics":
            category = site.category_by_slug(slug)
            text = (
                theme.render_category(site, base, category, page, sort, view) if category else None
            )
        elif kind == "tag":
            tag = site.tag_by_slug(slug)
            text = theme.render_tag(site, base, tag, page, sort, view) if tag else None
        else:
            author = site.author_by_slug(slug)
            text = theme.render_author(site, base, author, page) if author else None
        return _html(site, base, text, query)
    if match := _DATE.match(path):
        year, month, day = match.groups()
        redirect = _without_paged_one(base, path, pairs)
        if redirect is not None:
            return redirect
        try:
            if month and day:
                date(int(year), int(month), int(day))
            text = theme.render_date_archive(
                site,
                base,
                int(year),
                int(month) if month else None,
                int(day) if day else None,
                _page_number(query),
            )
        except ValueError:
            text = None
        return _html(site, base, text, query)
    return None


def _article_route(
    site: CourierSite, base: str, match: re.Match[str], query: Mapping[str, str]
) -> Reply:
    """A permalink, its comment pages and comment feed; wrong dates and no slash redirect."""
    year, month, day, slug, tail, comment_page = match.groups()
    article = site.article_by_slug(slug)
    if article is None:
        return _not_found(site, base)
    if f"/{year}/{month}/{day}/" != f"/{article.published:%Y/%m/%d}/" or not tail:
        suffix = (tail or "/")[1:]
        return _redirect(base + article.path + suffix)
    if tail == "/feed/":
        text = feeds.render_comments_feed(site, base, article)
        return Reply(200, RSS, text.encode("utf-8"), _wp_headers(base))
    share = query.get("share")
    if share in theme.SHARE_SERVICES:  # Jetpack Sharing: count the click, send it on
        target = theme.SHARE_SERVICES[share][1].format(
            url=quote(base + article.path, safe=""), title=quote(article.title, safe="")
        )
        return _redirect(target, 302)
    page = int(comment_page) if comment_page else 1
    if not 1 <= page <= article.comment_pages:
        return _not_found(site, base)
    return _article_reply(site, base, article, page, query)


def _asset(path: str) -> Reply:
    """Theme files and uploads: small stand-ins with the right types."""
    headers = [("Cache-Control", "max-age=31536000")]
    if path.endswith(".css"):
        # a web font beside the theme's stylesheet, in its own folder
        css = (
            b"/* GeneratePress */\n"
            b"@font-face{font-family:GeneratePress;"
            b"src:url('../fonts/generatepress.woff2') format('woff2')}\nbody{margin:0}\n"
        )
        return Reply(200, "text/css", css, headers)
    if path.endswith(".woff2"):
        return Reply(200, "font/woff2", b"wOF2" + bytes(44), headers)
    if path.endswith(".js"):
        return Reply(200, "application/javascript", b"/* replica */\n", headers)
    if path.endswith((".jpg", ".jpeg")):
        return Reply(200, "image/jpeg", TINY_JPEG, headers)
    if path.endswith(".png"):
        return Reply(200, "image/png", TINY_PNG, headers)
    return Reply(404, "text/plain; charset=utf-8", b"Not Found")


def main(argv: list[str] | None = None) -> int:
    """Serve the Courier replica until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.site.courier.server",
        description="Serve the Riverside Courier replica on 127.0.0.1.",
        epilog="Example: python -m tests.site.courier.server --articles 300 --port 8000",
    )
    parser.add_argument("--articles", type=int, default=300, help="number of articles")
    parser.add_argument("--seed", type=int, default=7, help="seed of the site's content")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--log", default=None, help="append every request to this JSON-lines file")
    args = parser.parse_args(argv)
    try:
        site = build_courier(args.articles, args.seed)
    except ValueError as error:
        parser.error(str(error))
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server = CourierServer(site, host=args.host, port=args.port, log_path=args.log)
    server.start()
    print(f"Serving replica on {server.base_url}/", flush=True)
    while not stop.wait(0.1):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
