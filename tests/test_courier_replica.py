"""Tests of the Courier replica (tests/site/courier/): model, routes, traps and real HTTP."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import deque
from html import unescape
from pathlib import Path

import pytest

from tests.site.courier import feeds, theme
from tests.site.courier.model import (
    COMMENTS_PER_PAGE,
    MAX_ARTICLES,
    MIN_ARTICLES,
    PER_PAGE,
    REACH_KINDS,
    CourierSite,
    build_courier,
    check_unique_paragraphs,
    site_paragraphs,
)
from tests.site.courier.server import CourierServer, Reply, route

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://riversidecourier.example"
HREF = re.compile(r"""href=["']https://riversidecourier\.example(/[^"'#]*)""")
LOC = re.compile(r"<loc>([^<]+)</loc>")
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)" />')


@pytest.fixture(scope="module")
def site() -> CourierSite:
    """The default 300-article site, built once for the module."""
    return build_courier(300)


def get(site: CourierSite, path: str, headers: dict[str, str] | None = None) -> Reply:
    """Answer one GET through route(), no socket."""
    return route(site, BASE, "GET", path, headers)


def html(site: CourierSite, path: str) -> str:
    """A page that must answer 200, as text."""
    reply = get(site, path)
    assert reply.status == 200, path
    return reply.body.decode("utf-8")


def links(page: str) -> list[str]:
    """On-site links of a page, as paths with their query, without fragments."""
    return [unescape(h) if "&" in h else h for h in HREF.findall(page)]


def canonical(page: str) -> str:
    """The href of the page's rel=canonical link."""
    match = CANONICAL.search(page)
    assert match, "no canonical link"
    return unescape(match.group(1))


# --- the model ---------------------------------------------------------------------------


def test_build_is_deterministic(site: CourierSite) -> None:
    """The same arguments give the same site and the same bytes; another seed does not."""
    again = build_courier(300)
    assert [(a.path, a.expected_text) for a in again.articles] == [
        (a.path, a.expected_text) for a in site.articles
    ]
    article = site.listed()[7]
    paths = ["/", "/?paged=2", article.path, "/topics/city-hall/?paged=2", "/feed/"]
    paths += ["/wp-sitemap-posts-post-1.xml", "/events/", "/events/list/", "/tag/downtown/"]
    for path in paths:
        assert get(site, path).body == get(again, path).body, path
    other = build_courier(300, seed=8)
    assert other.articles[0].expected_text != site.articles[0].expected_text


def test_size_limits_and_speed() -> None:
    """20 to 5,000 articles; 300 build fast; even 20 have every reach kind."""
    for bad in (MIN_ARTICLES - 1, MAX_ARTICLES + 1):
        with pytest.raises(ValueError):
            build_courier(bad)
    small = build_courier(MIN_ARTICLES)
    assert len(small.articles) == MIN_ARTICLES
    assert all(small.articles_with_reach(kind) for kind in ("sitemap_only", "category_only"))
    started = time.perf_counter()
    build_courier(300, seed=99)
    assert time.perf_counter() - started < 1.5  # "well under a second" with room for slow CI


def test_every_paragraph_is_unique(site: CourierSite) -> None:
    """No paragraph-like text appears twice in the model."""
    check_unique_paragraphs(site)
    texts = site_paragraphs(site)
    assert len(texts) == len(set(texts)) > 3000
    lines = [line for a in site.articles for line in a.expected_text.split("\n")]
    assert len(lines) == len(set(lines))


def test_reach_counts(site: CourierSite) -> None:
    """About 8% sitemap-only, 8% category-only; permalinks are "Day and name"."""
    counts = {kind: len(site.articles_with_reach(kind)) for kind in REACH_KINDS}
    assert counts == {"normal": 252, "sitemap_only": 24, "category_only": 24}
    assert site.expected_article_paths() == {a.path for a in site.articles}
    assert site.articles[0].reach == "normal"
    assert all(re.fullmatch(r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/", a.path) for a in site.articles)


def test_expected_text_is_the_story_only(site: CourierSite) -> None:
    """expected_text holds the story blocks, not captions or "Read more" lines."""
    kinds = {b.kind for a in site.articles for b in a.blocks}
    assert kinds == {"p", "h2", "h3", "blockquote", "ul", "figure", "readmore"}
    article = next(a for a in site.articles if {"figure", "ul"} <= {b.kind for b in a.blocks})
    page = html(site, article.path)
    content = page.split('<div class="entry-content">', 1)[1].split('<div class="sharedaddy', 1)[0]
    for line in article.expected_text.split("\n"):
        assert theme.text(line.removeprefix("- ")) in content
    caption = next(b.text for b in article.blocks if b.kind == "figure")
    assert theme.text(caption) in content and caption not in article.expected_text
    items = next(b.items for b in article.blocks if b.kind == "ul")
    assert "\n".join(f"- {item}" for item in items) in article.expected_text
    teaser = next(a for a in site.articles if any(b.kind == "readmore" for b in a.blocks))
    block = next(b for b in teaser.blocks if b.kind == "readmore")
    target = site.article_by_id(block.target)
    assert target is not None and target.reach == "normal"
    assert "Read more" not in teaser.expected_text
    assert target.title not in teaser.expected_text
    for article in site.articles[::10]:  # the definition, read back from the markup
        page = html(site, article.path)
        body = page.split('<div class="entry-content">', 1)[1].split('<div class="sharedaddy')[0]
        texts = [
            ("- " if tag == "li" else "") + unescape(re.sub(r"<[^>]+>", "", inner))
            for tag, inner in re.findall(r"<(p|h2|h3|li)[^>]*>(.*?)</\1>", body)
        ]
        story = [t for t in texts if not t.startswith("Read more:")]
        assert "\n".join(story) == article.expected_text


# --- sitemaps, robots, feed --------------------------------------------------------------


def test_robots_and_core_sitemaps(site: CourierSite) -> None:
    """robots.txt and core sitemaps list exactly the sitemap-reachable articles."""
    robots = get(site, "/robots.txt").body.decode()
    assert robots == (
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        f"Sitemap: {BASE}/wp-sitemap.xml\n"
    )
    index = html(site, "/wp-sitemap.xml")
    children = LOC.findall(index)
    assert [c.removeprefix(BASE + "/") for c in children] == [
        "wp-sitemap-posts-post-1.xml",
        "wp-sitemap-posts-page-1.xml",
        "wp-sitemap-posts-tribe_events-1.xml",
        "wp-sitemap-taxonomies-category-1.xml",
        "wp-sitemap-taxonomies-post_tag-1.xml",
        "wp-sitemap-users-1.xml",
    ]
    listed: list[str] = []
    for child in children:
        reply = get(site, child.removeprefix(BASE))
        assert reply.status == 200 and reply.content_type.startswith("application/xml")
        body = reply.body.decode()
        assert "<lastmod>" not in body  # WordPress core gives none
        listed += [loc.removeprefix(BASE) for loc in LOC.findall(body)]
    posts = {p for p in listed if re.fullmatch(r"/\d{4}/\d{2}/\d{2}/.+", p)}
    wanted = site.articles_with_reach("normal") + site.articles_with_reach("sitemap_only")
    assert posts == {a.path for a in wanted}
    assert "/" in listed and "/about/" in listed and "/topics/city-hall/" in listed
    assert sum(p.startswith("/event/") for p in listed) == len(site.events) == 20
    assert get(site, "/sitemap.xml").header("Location") == f"{BASE}/wp-sitemap.xml"
    assert get(site, "/wp-sitemap-posts-post-2.xml").status == 404
    assert get(site, "/news-sitemap.xml").status == 404


def test_the_post_sitemap_splits_at_its_size(
    site: CourierSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The post sitemap splits into numbered files at its size limit."""
    # core splits at 2000 URLs a file; a smaller split shows the same on 300 articles
    monkeypatch.setattr(feeds, "POSTS_PER_SITEMAP", 100)
    index = get(site, "/wp-sitemap.xml").body.decode()
    names = [f"{BASE}/wp-sitemap-posts-post-{n}.xml" for n in (1, 2, 3)]
    assert all(name in index for name in names)
    assert f"{BASE}/wp-sitemap-posts-post-4.xml" not in index
    found = [LOC.findall(get(site, name.removeprefix(BASE)).body.decode()) for name in names]
    assert [len(locs) for locs in found] == [100, 100, len(site.in_sitemap()) - 200]
    assert get(site, "/wp-sitemap-posts-post-4.xml").status == 404


def test_feed_has_the_ten_newest_listed(site: CourierSite) -> None:
    """/feed/ holds the ten newest listed articles."""
    reply = get(site, "/feed/")
    assert reply.content_type.startswith("application/rss+xml")
    links_in_feed = re.findall(r"<link>([^<]+)</link>", reply.body.decode())[1:]
    assert links_in_feed == [BASE + a.path for a in site.listed()[:PER_PAGE]]


# --- reachability ------------------------------------------------------------------------


def _finite_walk(site: CourierSite) -> dict[str, set[str]]:
    """Every page a crawler reaches without query strings (but ?paged=) or event views.

    Returns, for each article path, the pages (other than its own) that link to it.
    """
    linked_from: dict[str, set[str]] = {}
    articles = site.expected_article_paths()
    follow = re.compile(r"/(?!events/|wp-json/)[^?]*(?:\?(?:paged=\d+|s=\w+(?:&paged=\d+)?))?")
    seen = {"/"}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        reply = get(site, path)
        if reply.status != 200 or not reply.content_type.startswith("text/html"):
            continue
        own = path.split("?")[0].split("comment-page-")[0]
        for link in set(links(reply.body.decode())):
            clean = link.partition("?")[0]
            if clean in articles and clean != own:
                linked_from.setdefault(clean, set()).add(path)
            if link not in seen and follow.fullmatch(link):
                seen.add(link)
                queue.append(link)
    return linked_from


def test_reachability_through_links(site: CourierSite) -> None:
    """Sitemap-only posts are linked from no page; category-only ones only from categories."""
    linked_from = _finite_walk(site)
    for article in site.articles_with_reach("sitemap_only"):
        assert article.path not in linked_from
    for article in site.articles_with_reach("normal"):
        assert article.path in linked_from
    deep = 0
    for article in site.articles_with_reach("category_only"):
        pages = linked_from[article.path]
        assert all(p.startswith(article.category.path) for p in pages), pages
        numbers = {int(p.split("paged=")[1]) if "paged=" in p else 1 for p in pages}
        deep += min(numbers) >= 3
    assert deep >= 3  # only on category page 3 or later
    feed = get(site, "/feed/").body.decode()
    hidden = site.articles_with_reach("category_only") + site.articles_with_reach("sitemap_only")
    assert not any(a.path in feed for a in hidden)


# --- traps and duplicates ----------------------------------------------------------------


def test_event_calendar_goes_on_without_end(site: CourierSite) -> None:
    """Month, day and list views answer for any date and link the next and previous."""
    page = html(site, "/events/month/2091-01/")
    assert f"{BASE}/events/month/2091-02/" in page and f"{BASE}/events/month/2090-12/" in page
    assert "single-tribe_events" not in page
    assert canonical(page) == f"{BASE}/events/month/2091-01/"
    path = "/events/month/2024-03/"
    for _ in range(30):  # thirty months back, following the "previous" link every time
        page = html(site, path)
        path = re.search(r'<a href="[^"]+(/events/month/[\d-]+/)" rel="prev"', page).group(1)
    assert path == "/events/month/2021-09/"
    day = html(site, "/events/1850-07-04/")
    assert f"{BASE}/events/1850-07-05/" in day and f"{BASE}/events/1850-07-03/" in day
    listing = html(site, "/events/list/?tribe-bar-date=2091-01-01")
    assert "tribe-bar-date=2091-01-31" in listing and "tribe-bar-date=2090-12-02" in listing
    front = html(site, "/events/")
    assert f"{BASE}/events/?ical=1" in front and "webcal://" in front
    for export in (
        "/events/?ical=1",
        "/events/month/2024-04/?ical=1",
        "/events/2091-01-01/?ical=1",
    ):
        ical = get(site, export)
        assert ical.content_type.startswith("text/calendar")
        assert ical.body.startswith(b"BEGIN:VCALENDAR\r\n")
    event = site.events[0]
    page = html(site, event.path)
    assert "single-tribe_events" in page and 'og:type" content="website"' in page
    assert 'content="article"' not in page
    assert get(site, "/events/month/2091-13/").status == 404
    assert get(site, "/events/2023-02-30/").status == 404
    assert f"{BASE}/events/month/10000-01/" not in html(site, "/events/month/9999-12/")


def test_sidebar_and_menu_link_the_calendar(site: CourierSite) -> None:
    """The menu and the Upcoming Events widget lead into the calendar."""
    page = html(site, "/")
    assert f'<a href="{BASE}/events/">Events</a>' in page
    upcoming = [e for e in site.events if e.start >= site.now][:3]
    assert all(f"{BASE}{e.path}" in page for e in upcoming)


def _same_page(site: CourierSite, clean: str, variant: str) -> None:
    reply = get(site, variant)
    assert reply.status == 200, variant
    assert reply.body == get(site, clean).body, variant
    assert canonical(reply.body.decode()) == BASE + clean


def test_plugin_duplicates_answer_the_same_page(site: CourierSite) -> None:
    """Related Posts, newsletter, language and reply links give the same page."""
    article = next(a for a in site.listed() if a.related and a.comments)
    page = html(site, article.path)
    related = [u for u in links(page) if "relatedposts_hit=1" in u]
    assert len(related) == 3
    for position, url in enumerate(related):
        assert f"relatedposts_origin={article.post_id}" in url
        assert url.endswith(f"relatedposts_position={position}")
        _same_page(site, url.split("?")[0], url)
    newsletter = [u for u in links(page) if u.endswith("?src=newsletter-box")]
    assert len(newsletter) == 5
    _same_page(site, newsletter[0].split("?")[0], newsletter[0])
    spanish = [u for u in links(page) if u.endswith("?lang=es")]
    assert spanish == [article.path + "?lang=es"] * 2  # hreflang link and switcher
    _same_page(site, article.path, spanish[0])
    reply_links = [u for u in links(page) if "?replytocom=" in u]
    assert reply_links
    _same_page(site, article.path, reply_links[0])
    for path in ("/", "/topics/sports/?paged=2", "/tag/downtown/", "/events/"):
        clean_page = html(site, path)
        switcher = next(u for u in links(clean_page) if "lang=es" in u)
        _same_page(site, path, switcher)


def test_archive_sort_and_view_filters(site: CourierSite) -> None:
    """Sort and view links answer 200 with the unfiltered canonical and combine with paged."""
    category = site.category_by_slug("city-hall")
    assert category is not None
    page = html(site, "/topics/city-hall/?paged=2")
    filters = [u for u in links(page) if "sort=" in u or "view=" in u]
    assert set(filters) == {
        "/topics/city-hall/?sort=newest",
        "/topics/city-hall/?sort=oldest",
        "/topics/city-hall/?sort=popular",
        "/topics/city-hall/?paged=2&view=list",
        "/topics/city-hall/?paged=2&view=grid",
    }
    for url in filters:
        reply = get(site, url)
        assert reply.status == 200
        wanted = "/topics/city-hall/?paged=2" if "paged=2" in url else "/topics/city-hall/"
        assert canonical(reply.body.decode()) == BASE + wanted
    posts = site.in_category(category)
    oldest = html(site, "/topics/city-hall/?sort=oldest")
    assert f'id="post-{posts[-1].post_id}"' in oldest
    assert f'id="post-{posts[0].post_id}"' not in oldest
    assert "/topics/city-hall/?paged=2&sort=oldest" in links(oldest)
    grid = html(site, "/topics/city-hall/?paged=2&sort=oldest&view=grid")
    assert "/topics/city-hall/?paged=3&sort=oldest&view=grid" in links(grid)
    shown = re.findall(r'<article id="post-(\d+)"', grid)
    assert shown == [str(a.post_id) for a in posts[::-1][PER_PAGE : 2 * PER_PAGE]]
    assert 'class="generate-columns-container' in grid
    assert "sort=" not in html(site, "/author/dana-whitaker/")  # archives without the filter
    tag_page = html(site, "/tag/riverside-county/?paged=3")
    assert "/tag/riverside-county/?paged=3&view=grid" in links(tag_page)


def test_pagination_by_query_parameter(site: CourierSite) -> None:
    """Listings paginate with ?paged=N, 404 past the end, 301 for ?paged=1."""
    category = site.category_by_slug("city-hall")
    assert category is not None
    pages = theme.page_count(site.in_category(category))
    assert pages >= 5
    first = html(site, "/topics/city-hall/")
    assert "archive category category-city-hall" in first
    assert "Older posts" in first and "/topics/city-hall/?paged=2" in links(first)
    last = html(site, f"/topics/city-hall/?paged={pages}")
    assert "Newer posts" in last and "Older posts" not in last
    assert canonical(last) == f"{BASE}/topics/city-hall/?paged={pages}"
    assert "category-paged-" + str(pages) in last
    assert get(site, f"/topics/city-hall/?paged={pages + 1}").status == 404
    assert get(site, "/topics/city-hall/?paged=1").header("Location") == (
        f"{BASE}/topics/city-hall/"
    )
    home = html(site, "/?paged=3")
    assert canonical(home) == f"{BASE}/?paged=3" and "/?paged=4" in links(home)
    tag = site.tag_by_slug("riverside-county")
    assert tag is not None and theme.page_count(theme.tag_posts(site, tag)) >= 3
    assert "/2024/03/" in links(first) and any(
        re.fullmatch(r"/2024/03/\d\d/", u) for u in links(first)
    )
    assert get(site, "/page/2/").status == 404  # no pretty pagination on this site


def test_comment_pages(site: CourierSite) -> None:
    """Busy articles have comment-page-N/ pages, canonical to the permalink."""
    article = max(site.articles, key=lambda a: (a.comment_pages, -a.post_id))
    assert article.comment_pages >= 3
    page = html(site, article.path)
    assert f"{article.path}comment-page-2/" in links(page)
    second = html(site, article.path + "comment-page-2/")
    assert canonical(second) == BASE + article.path
    top = article.top_level_comments
    assert f'id="comment-{top[COMMENTS_PER_PAGE].comment_id}"' in second
    assert f'id="comment-{top[0].comment_id}"' not in second
    assert f"{article.path}comment-page-1/" in links(second)
    assert f"{article.path}comment-page-3/" in links(second)
    assert second != page
    beyond = article.path + f"comment-page-{article.comment_pages + 1}/"
    assert get(site, beyond).status == 404
    assert get(site, article.path + "feed/").content_type.startswith("application/rss+xml")


def test_redirects_and_not_found(site: CourierSite) -> None:
    """Shortlinks, bare slugs and share links redirect; unknown paths get the themed 404."""
    article = site.articles_with_reach("category_only")[0]
    for path in (f"/?p={article.post_id}", article.path[:-1], f"/{article.slug}/"):
        reply = get(site, path)
        assert reply.status == 301 and reply.header("Location") == BASE + article.path, path
    wrong_day = "/1999/01/01/" + article.slug + "/"
    assert get(site, wrong_day).header("Location") == BASE + article.path
    event = site.events[3]
    assert get(site, f"/?p={event.post_id}").header("Location") == BASE + event.path
    share = get(site, article.path + "?share=facebook&nb=1")
    assert share.status == 302 and share.header("Location").startswith("https://www.facebook.com/")
    for path in ("/no-such-page/", "/topics/nope/", "/2019/01/", "/?p=5", "/category/sports/"):
        reply = get(site, path)
        assert reply.status == 404, path
        body = reply.body.decode()
        assert "error404" in body and "The Riverside Courier" in body
        assert 'rel="canonical"' not in body
    assert get(site, "/?p=2").header("Location") == f"{BASE}/about/"


def test_head_metadata(site: CourierSite) -> None:
    """Open Graph without published time, no JSON-LD, the byline time and author link."""
    article = site.listed()[2]
    page = html(site, article.path)
    assert '<meta property="og:type" content="article" />' in page
    assert f'<meta property="og:url" content="{BASE}{article.path}" />' in page
    assert "article:published_time" not in page and "ld+json" not in page
    published = article.published.isoformat()
    assert f'<time class="entry-date published" datetime="{published}">' in page
    assert f'class="url fn n" href="{BASE}{article.author.path}"' in page
    assert 'rel="author"' in page
    assert (
        f'<body class="post-template-default single single-post postid-{article.post_id} '
        "single-format-standard" in page
    )
    assert (
        f'<article id="post-{article.post_id}" class="post-{article.post_id} post type-post' in page
    )
    assert f"{BASE}/wp-json/" in page
    for path in ("/", "/topics/sports/", "/tag/downtown/", "/2024/03/", "/about/", "/events/"):
        assert "ld+json" not in html(site, path)


def test_conditional_requests(site: CourierSite) -> None:
    """Articles answer If-None-Match and If-Modified-Since with 304."""
    article = site.listed()[5]
    reply = get(site, article.path)
    etag, modified = reply.header("ETag"), reply.header("Last-Modified")
    assert etag and modified and modified.endswith("GMT")
    assert get(site, article.path, {"If-None-Match": etag}).status == 304
    assert get(site, article.path, {"If-Modified-Since": modified}).status == 304
    assert (
        get(site, article.path, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status
        == 200
    )
    assert get(site, article.path, {"If-None-Match": '"stale"'}).status == 200
    duplicate = get(site, article.path + "?lang=es", {"If-None-Match": etag})
    assert duplicate.status == 304  # the same bytes, the same validator
    assert get(site, "/topics/sports/").header("ETag") is None


# --- the naive walk ----------------------------------------------------------------------


def test_a_naive_walk_keeps_finding_new_urls() -> None:
    """A crawl that follows every on-site link never runs out of URLs."""
    # A breadth-first crawl that follows every on-site link never runs dry: the calendar
    # (and the duplicates) keep handing it new URLs long after the 40 articles are done.
    small = build_courier(MIN_ARTICLES * 2)
    cap = 1500
    seen = {"/"}
    queue = deque(["/"])
    fetched = 0
    late: list[str] = []  # URLs first seen in the last 300 fetches
    while queue and fetched < cap:
        path = queue.popleft()
        reply = get(small, path)
        fetched += 1
        if reply.status != 200 or not reply.content_type.startswith("text/html"):
            continue
        for link in links(reply.body.decode()):
            if link not in seen:
                seen.add(link)
                queue.append(link)
                if fetched > cap - 300:
                    late.append(link)
    assert fetched == cap and queue
    assert len(late) > 50  # still finding new URLs at the end
    assert sum(u.startswith("/events/") for u in late) > len(late) / 2  # mostly the calendar
    days = {u for u in seen if re.fullmatch(r"/events/\d{4}-\d\d-\d\d/", u)}
    assert len(days) > 2 * len({e.start.date() for e in small.events})  # empty days too


# --- real HTTP ---------------------------------------------------------------------------


@pytest.mark.e2e
def test_server_over_http(tmp_path: Path) -> None:
    """The server over real HTTP: gzip, keep-alive, 304, HEAD, 404 and its request log."""
    log = tmp_path / "requests.jsonl"
    site = build_courier(MIN_ARTICLES)
    article = site.listed()[1]
    with CourierServer(site, log_path=log) as server:
        base = server.base_url
        assert server.site is site and re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", article.path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        zipped = response.read()
        assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
        assert response.getheader("Vary") == "Accept-Encoding"
        assert int(response.getheader("Content-Length")) == len(zipped)
        body = gzip.decompress(zipped)
        etag = response.getheader("ETag")
        connection.request("GET", article.path, headers={"If-None-Match": etag})  # kept alive
        response = connection.getresponse()
        assert response.status == 304 and response.read() == b""
        connection.request("GET", article.path + "?relatedposts_hit=1")
        response = connection.getresponse()
        assert response.read() == body and response.getheader("Content-Encoding") is None
        connection.request("HEAD", "/events/month/2091-01/")
        response = connection.getresponse()
        assert response.status == 200 and response.read() == b""
        connection.request("GET", "/nowhere/")
        response = connection.getresponse()
        assert response.status == 404 and b"error404" in response.read()
        connection.close()
        assert base + article.path in body.decode()
        records = server.requests
        assert [(r.method, r.path, r.status) for r in records] == [
            ("GET", article.path, 200),
            ("GET", article.path, 304),
            ("GET", article.path + "?relatedposts_hit=1", 200),
            ("HEAD", "/events/month/2091-01/", 200),
            ("GET", "/nowhere/", 404),
        ]
        server.clear_requests()
        assert server.requests == []
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["path"] for line in lines][-1] == "/nowhere/"


@pytest.mark.e2e
def test_command_line_serves_until_terminated(tmp_path: Path) -> None:
    """The command line prints its URL, serves and exits 0 on SIGTERM."""
    log = tmp_path / "log.jsonl"
    command = [sys.executable, "-m", "tests.site.courier.server", "--articles", "30"]
    process = subprocess.Popen(
        [*command, "--port", "0", "--log", str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"Serving replica on (http://127\.0\.0\.1:\d+)/\n", line)
        assert match, line
        with urllib.request.urlopen(match.group(1) + "/robots.txt", timeout=10) as response:
            assert b"wp-sitemap.xml" in response.read()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert json.loads(log.read_text())["path"] == "/robots.txt"
