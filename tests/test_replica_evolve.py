"""Tests of the replica's second state: one day later, with new, changed, touched, deleted posts."""

from __future__ import annotations

import gzip
import http.client
import re
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.processes import replica_process
from tests.site import theme
from tests.site.content import SITE_PROMOS, Article, Site, build_site
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer, route

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://nationworldnews.com"


@pytest.fixture(scope="module")
def first() -> Site:
    return build_site(100)


@pytest.fixture(scope="module")
def second(first: Site) -> Site:
    return evolve_site(first)


def _article(site: Site, path: str) -> Article:
    article = site.article_by_slug(path.strip("/"))
    assert article is not None, path
    return article


def _text(site: Site, path: str) -> str:
    reply = route(site, BASE, "GET", path)
    assert reply.status == 200, path
    body = b"".join(reply.chunks) if reply.chunks is not None else reply.body
    return body.decode("utf-8")


def _post_sitemaps(site: Site) -> str:
    return "".join(_text(site, "/" + name) for name in theme.post_sitemap_names(site))


def _lastmod(site: Site, path: str) -> str | None:
    found = re.search(
        re.escape(f"<loc>{BASE}{path}</loc>") + r"\s*<lastmod>([^<]+)</lastmod>",
        _post_sitemaps(site),
    )
    return found.group(1) if found else None


def _listing_pages(site: Site) -> dict[str, str]:
    """Home, feed, news sitemap and every tag, author and category page, by path."""
    pages = {p: _text(site, p) for p in ("/", "/feed/", "/news-sitemap.xml")}
    for tag in site.tags:
        pages[f"/tag/{tag.slug}/"] = _text(site, f"/tag/{tag.slug}/")
    for author in site.authors:
        pages[f"/author/{author.slug}/"] = _text(site, f"/author/{author.slug}/")
    for category in site.categories:
        for n in range(1, theme.category_page_count(site, category) + 1):
            path = f"/category/{category.slug}/" + (f"page/{n}/" if n > 1 else "")
            pages[path] = _text(site, path)
    return pages


def _linked(pages: dict[str, str], path: str) -> set[str]:
    link = re.compile(re.escape(BASE + path) + r"(?:[?#\"'<]|$)")
    return {where for where, text in pages.items() if link.search(text)}


def _header(reply, name: str) -> str | None:
    return dict(reply.headers or []).get(name)


def _meta_modified(html: str) -> tuple[str, str]:
    meta = re.search(r'article:modified_time" content="([^"]+)"', html)
    ld = re.search(r'"dateModified":"([^"]+)"', html)
    assert meta and ld
    return meta.group(1), ld.group(1)


# --- the model -------------------------------------------------------------------------------


def test_evolving_is_deterministic(first: Site, second: Site) -> None:
    assert evolve_site(build_site(100)) == second
    assert evolve_site(first, seed=2) != second
    assert evolve_site(second).changes != second.changes  # each day picks other articles


def test_the_first_state_is_left_as_it_was(first: Site, second: Site) -> None:
    again = build_site(100)
    assert first == again
    for path in second.changes.changed + second.changes.touched:
        assert _article(first, path) == _article(again, path)
    assert first.changes is None and first.gone == {} and first.stale_pages == {}
    assert theme.render_home(first, BASE) == theme.render_home(again, BASE)


def test_counts_reach_kinds_and_dates(first: Site, second: Site) -> None:
    changes = second.changes
    assert changes is not None
    assert (len(changes.new), len(changes.changed), len(changes.touched)) == (6, 6, 2)
    assert sorted(changes.deleted.values()) == [404, 404, 410, 410]
    every = [*changes.new, *changes.changed, *changes.touched, *changes.deleted]
    assert len(set(every)) == 18
    assert first.seed.path not in every
    assert second.now - first.now == timedelta(days=1)

    new = [_article(second, p) for p in changes.new]
    assert {"sitemap_only", "category_only"} <= {a.reach for a in new}
    assert all(first.now < a.published <= a.modified <= second.now for a in new)
    assert min(a.post_id for a in new) > max(a.post_id for a in first.articles)
    promos = [line for a in new for line in a.promo_top + a.promo_lines]
    assert promos and set(promos) <= {p.text for p in SITE_PROMOS}
    assert not any(line in a.expected_text for a in new for line in promos)

    changed = [_article(first, p) for p in changes.changed]
    assert {"sitemap_only", "category_only"} <= {a.reach for a in changed}
    deleted = [_article(first, p) for p in changes.deleted]
    assert "category_only" in {a.reach for a in deleted}
    for path in changes.changed + changes.touched:
        assert first.now < _article(second, path).modified <= second.now

    assert second.expected_article_paths() == (
        first.expected_article_paths() - set(changes.deleted) | set(changes.new)
    )
    ordered = second.articles
    assert [a.published for a in ordered] == sorted((a.published for a in ordered), reverse=True)
    assert [a.post_id for a in ordered] == sorted((a.post_id for a in ordered), reverse=True)


def test_changed_articles_have_new_text_and_new_dates(first: Site, second: Site) -> None:
    appended = edited = 0
    for path in second.changes.changed:
        old, new = _article(first, path), _article(second, path)
        assert new.expected_text != old.expected_text
        appended += new.blocks[-1][1].startswith(("Update, May 31:", "Update, June 1:"))
        edited += len(new.blocks) == len(old.blocks)
        old_reply = route(first, BASE, "GET", path)
        new_reply = route(second, BASE, "GET", path)
        for header in ("Last-Modified", "ETag"):
            assert _header(old_reply, header) != _header(new_reply, header), (path, header)
        old_meta = _meta_modified(old_reply.body.decode())
        new_meta = _meta_modified(new_reply.body.decode())
        assert new_meta != old_meta
        assert new_meta[1] == new.modified.isoformat()
        if old.reach != "category_only":
            assert _lastmod(first, path) != _lastmod(second, path)
            assert _lastmod(second, path) == new.modified.isoformat()
    assert appended == 3 and edited == 3


def test_touched_articles_keep_their_text(first: Site, second: Site) -> None:
    for path in second.changes.touched:
        old, new = _article(first, path), _article(second, path)
        assert new.expected_text == old.expected_text
        assert new.modified > old.modified
        assert _lastmod(first, path) != _lastmod(second, path) == new.modified.isoformat()
    bare, fresh = (_article(second, p) for p in second.changes.touched)
    assert not bare.validators and fresh.validators
    assert second.stale_pages == {bare.path: first}
    # the other one is re-rendered: new dates and validators, same text
    old_reply, new_reply = (route(s, BASE, "GET", fresh.path) for s in (first, second))
    assert _header(old_reply, "ETag") != _header(new_reply, "ETag")
    assert _meta_modified(new_reply.body.decode())[1] == fresh.modified.isoformat()


@pytest.mark.e2e
def test_the_validator_less_page_is_the_same_bytes_in_both_states(
    first: Site, second: Site
) -> None:
    path = second.changes.touched[0]

    def fetch(server: ReplicaServer, headers: dict[str, str]) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
        return connection.getresponse()

    with ReplicaServer(first) as server:
        before = fetch(server, {})
        zipped = before.read()
        assert before.status == 200 and before.getheader("Content-Encoding") == "gzip"
        assert before.getheader("ETag") is None and before.getheader("Last-Modified") is None
        server.site = second
        after = fetch(server, {"If-Modified-Since": "Fri, 02 Jun 2023 00:00:00 GMT"})
        assert after.status == 200
        assert after.read() == zipped
        page = theme.render_article(first, server.base_url, _article(first, path))
    assert gzip.decompress(zipped).decode() == page


def test_deleted_articles_are_gone_everywhere(first: Site, second: Site) -> None:
    pages = _listing_pages(second) | {"sitemaps": _post_sitemaps(second)}
    before = _listing_pages(first) | {"sitemaps": _post_sitemaps(first)}
    for path, status in second.changes.deleted.items():
        reply = route(second, BASE, "GET", path)
        assert reply.status == status
        body = reply.body.decode()
        assert ("Error 410" if status == 410 else "Error 404") in body
        assert _linked(before, path), path  # it was linked somewhere
        assert not _linked(pages, path), path
        assert route(second, BASE, "GET", path + "amp/").status == 404
    # still gone the day after
    third = evolve_site(second)
    assert all(route(third, BASE, "GET", p).status == s for p, s in second.gone.items())
    assert len(third.gone) == 8


def test_new_articles_appear_where_their_reach_says(second: Site) -> None:
    pages = _listing_pages(second)
    sitemaps = _post_sitemaps(second)
    for path in second.changes.new:
        article = _article(second, path)
        linked = _linked(pages, path)
        in_sitemaps = f"<loc>{BASE}{path}</loc>" in sitemaps
        if article.reach == "sitemap_only":
            assert linked == {"/news-sitemap.xml"} and in_sitemaps
        elif article.reach == "category_only":
            assert linked == {f"/category/{article.category.slug}/"} and not in_sitemaps
        else:
            assert {"/", "/feed/", "/news-sitemap.xml"} <= linked and in_sitemaps
            assert f"/category/{article.category.slug}/" in linked
        assert route(second, BASE, "GET", path).status == 200


# --- HTTP ------------------------------------------------------------------------------------


@pytest.fixture()
def server(first: Site) -> Iterator[ReplicaServer]:
    with ReplicaServer(first) as running:
        yield running


def _get(
    server: ReplicaServer, path: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    return response


@pytest.mark.e2e
def test_listing_pages_answer_304_to_their_etag(server: ReplicaServer, second: Site) -> None:
    paths = ["/", "/category/world/", "/category/world/page/2/", "/tag/peru/"]
    paths.append(f"/author/{server.site.authors[0].slug}/")
    etags = {}
    for path in paths:
        response = _get(server, path)
        etags[path] = response.getheader("ETag")
        assert etags[path] and etags[path].startswith('"'), path
        assert _get(server, path, {"If-None-Match": etags[path]}).status == 304
        assert _get(server, path, {"If-None-Match": '"other"'}).status == 200
    server.site = second
    assert _get(server, "/", {"If-None-Match": etags["/"]}).status == 200
    assert _get(server, "/about-us/").getheader("ETag") is None


@pytest.mark.e2e
def test_articles_keep_validators_across_states(server: ReplicaServer, second: Site) -> None:
    changed = second.changes.changed[2]
    unchanged = next(
        a.path
        for a in second.listed()
        if a.validators
        and a.path not in second.changes.new + second.changes.changed
        and a.path not in second.changes.touched
    )
    validators = {p: _get(server, p).getheader("ETag") for p in (changed, unchanged)}
    server.site = second
    # the page around an unchanged post moved (date, latest headlines); its version did not
    assert _get(server, unchanged, {"If-None-Match": validators[unchanged]}).status == 304
    assert _get(server, changed, {"If-None-Match": validators[changed]}).status == 200
    gone = next(iter(second.changes.deleted))
    assert _get(server, gone).status == second.changes.deleted[gone]


@pytest.mark.e2e
def test_sigusr1_switches_to_the_next_state() -> None:
    expected = evolve_site(build_site(30)).changes
    assert expected is not None
    with replica_process("--articles", "30") as (process, base):
        port = int(base.rsplit(":", 1)[1])
        gone = next(p for p, s in expected.deleted.items() if s == 410)
        assert _status(port, gone) == 200
        process.send_signal(signal.SIGUSR1)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == (
            "Switched replica to state 2: 6 new, 6 changed, 2 touched, 4 deleted articles\n"
        )
        assert _status(port, gone) == 410
        assert _status(port, expected.new[0]) == 200


@pytest.mark.e2e
def test_command_line_starts_in_the_second_state() -> None:
    expected = evolve_site(build_site(30)).changes
    assert expected is not None
    with replica_process("--articles", "30", "--state", "2") as (_, base):
        port = int(base.rsplit(":", 1)[1])
        assert _status(port, expected.new[-1]) == 200
        assert {_status(port, p) for p in expected.deleted} == {404, 410}


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status
