"""Page requisites: what an archived article page needs to render, fetched once per crawl
from the site and the hosts that serve it, robots.txt obeyed, no internal address asked."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from parsing.requisites import css_requisites, page_requisites, widest
from spiders.requisites import Requisites
from tests.processes import archive_command
from tests.site.cdn import CdnServer
from tests.site.content import build_site
from tests.site.crawl import run_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

BASE = "https://news.example/2024/05/story/"

PAGE = """<html><head>
<base href="https://news.example/">
<link rel="stylesheet" href="/wp-content/themes/t/style.css?ver=1">
<link rel="preload" as="font" href="https://cdn.example/f.woff2" crossorigin>
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="icon" href="/favicon.png">
<meta property="og:image" content="https://news.example/uploads/lead.jpg">
<style>@import "print.css"; .hero{background:url('img/hero.png')}</style>
<script src="/js/app.js"></script>
</head><body>
<a href="/another/story/">Another story</a>
<img src="uploads/a-300.jpg"
 srcset="uploads/a-300.jpg 300w, uploads/a-1024.jpg 1024w, uploads/a-768.jpg 768w">
<picture><source srcset="uploads/b.webp 1x, uploads/b@2x.webp 2x">
<img src="uploads/b.jpg"></picture>
<video poster="uploads/poster.jpg"><source src="uploads/clip.mp4"></video>
<img src="data:image/png;base64,AAAA"><div style="background-image:url(uploads/bg.jpg)"></div>
</body></html>"""


def test_a_page_names_its_stylesheets_scripts_images_fonts_and_lead_image() -> None:
    found = page_requisites(lxml.html.fromstring(PAGE), BASE)
    assert found == [
        "https://news.example/wp-content/themes/t/style.css?ver=1",
        "https://cdn.example/f.woff2",
        "https://news.example/favicon.png",
        "https://news.example/js/app.js",
        "https://news.example/uploads/a-300.jpg",
        "https://news.example/uploads/a-1024.jpg",  # the widest candidate of the srcset
        "https://news.example/uploads/b@2x.webp",
        "https://news.example/uploads/b.jpg",
        "https://news.example/uploads/poster.jpg",
        "https://news.example/print.css",
        "https://news.example/img/hero.png",
        "https://news.example/uploads/bg.jpg",
        "https://news.example/uploads/lead.jpg",
    ]
    # links to pages, feeds, videos and inline data are not requisites
    assert not any(u.endswith(("/another/story/", "/feed/", ".mp4")) for u in found)


def test_a_stylesheet_names_its_imports_fonts_and_images() -> None:
    css = """@import url("base.css"); @import 'more.css';
    @font-face{src:url(../fonts/a.woff2) format("woff2"), url( "../fonts/a.woff" )}
    .x{background:url(data:image/png;base64,AAAA)} .y{background:url(#svg)}"""
    assert css_requisites(css, "https://cdn.example/theme/css/style.css") == [
        "https://cdn.example/theme/css/more.css",
        "https://cdn.example/theme/css/base.css",
        "https://cdn.example/theme/fonts/a.woff2",
        "https://cdn.example/theme/fonts/a.woff",
    ]


def test_widest_srcset_candidate() -> None:
    assert widest("a.jpg 300w, b.jpg 1200w, c.jpg 800w") == "b.jpg"
    assert widest("a.jpg, b.jpg 2x") == "b.jpg"
    assert widest("only.jpg") == "only.jpg"


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any host name lookup: the policy must decide without one."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"looked up {args[0]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_internal_addresses_are_refused_unless_a_site_lives_there(no_dns: None) -> None:
    policy = Requisites(["127.0.0.1"], hosts=["*"])
    assert policy.refusal("http://127.0.0.1:9000/cdn/font.woff2") is None  # the site's host
    for url in (
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://10.0.0.5/admin.png",
        "http://192.168.1.1/logo.png",
        "http://127.0.0.2:6379/x.css",  # loopback, but not where the site lives
        "http://[::1]/x.css",
        "http://0.0.0.0/x.css",
    ):
        assert policy.refusal(url) is not None, url
    assert policy.refusal("ftp://127.0.0.1/x.css") == "not http(s)"


def test_hosts_outside_requisite_hosts_are_never_looked_up(no_dns: None) -> None:
    policy = Requisites(["127.0.0.1"], hosts=["127.0.0.1", "*.example"])
    assert policy.refusal("https://fonts.googleapis.com/css?family=Roboto") == (
        "host not in REQUISITE_HOSTS"
    )


def test_a_host_name_is_resolved_and_judged_by_its_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"cdn.example": "93.184.216.34", "intranet.example": "10.1.2.3"}

    def lookup(host: str, *args: object, **kwargs: object) -> list[tuple]:
        if host not in answers:
            raise socket.gaierror("no such host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 0))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    policy = Requisites(["127.0.0.1"])
    assert policy.refusal("https://cdn.example/a.css") is None
    assert policy.refusal("https://intranet.example/a.css") == "internal address 10.1.2.3"
    assert policy.refusal("https://nowhere.example/a.css") == "host does not resolve"


def test_only_requisites_and_their_hosts_robots_txt_leave_the_sites(no_dns: None) -> None:
    policy = Requisites(["127.0.0.1"], hosts=["127.0.0.1"])
    assert policy.ask("http://127.0.0.1:9000/fonts/a.woff2") is None
    assert policy.allows("http://127.0.0.1:9000/robots.txt", is_requisite=False)
    assert not policy.allows("http://127.0.0.1:9000/some/page/", is_requisite=False)
    assert not policy.allows("http://127.0.0.1:9001/robots.txt", is_requisite=False)
    # a redirect of a requisite is judged again: to an internal address, refused
    assert not policy.allows("http://10.0.0.1/x.woff2", is_requisite=True)


# --- a crawl ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ReplicaServer, CdnServer]]:
    with CdnServer() as cdn:
        site = build_site(40)  # the fewest that a second state can be made of
        site.cdn_url = cdn.base_url
        with ReplicaServer(site) as server:
            yield server, cdn


def fetches(archive: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(archive / "archive.db") as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def crawled(
    servers: tuple[ReplicaServer, CdnServer], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, list[str], list[str]]:
    """(archive, log, replica paths asked, CDN paths asked) of a first crawl."""
    server, cdn = servers
    archive = tmp_path_factory.mktemp("requisites") / "archive"
    server.clear_requests()
    done = run_crawl("nationworldnews", server.base_url + "/", archive)
    assert done.returncode == 0, done.stderr[-3000:]
    return archive, done.stderr, [r.path for r in server.requests], list(cdn.requests)


@pytest.mark.e2e
def test_requisites_are_archived_once_each(crawled) -> None:
    archive, log, paths, _ = crawled
    assets = [p for p in paths if p.startswith(("/wp-content/", "/wp-includes/"))]
    assert assets and max(Counter(assets).values()) == 1  # once per URL per crawl
    kinds = {
        kind.split(";")[0]
        for (kind,) in fetches(archive, "select content_type from fetches where requisite")
    }
    assert {"text/css", "application/javascript", "image/jpeg", "image/png", "font/woff2"} <= kinds
    # the icon font the stylesheet names, relative to it
    assert "/wp-content/themes/Newspaper/images/icons/newspaper.woff2" in assets
    (requisites,) = fetches(archive, "select count(*) from fetches where requisite")[0]
    assert re.search(rf"Summary \(finished\): \d+ pages and {requisites} requisites fetched", log)


@pytest.mark.e2e
def test_a_cdns_robots_txt_is_obeyed_and_nothing_is_followed_there(crawled) -> None:
    _, _, _, cdn_paths = crawled
    assert cdn_paths[0] == "/robots.txt"
    assert "/fonts/roboto-v30.woff2" in cdn_paths
    assert not [p for p in cdn_paths if p.startswith("/private/")]
    assert len(cdn_paths) == len(set(cdn_paths)) == 2


@pytest.mark.e2e
def test_hosts_off_requisite_hosts_are_refused_and_said_once(crawled) -> None:
    _, log, _, _ = crawled
    # the replica's avatars and web fonts on real hosts: not asked, one line per host
    refused = [line for line in log.splitlines() if "Not fetching requisites from" in line]
    assert refused and len(refused) == len(
        {line.split(" from ")[1].split(":")[0] for line in refused}
    )


@pytest.mark.e2e
def test_a_rerun_asks_conditionally_and_keeps_revisits(
    servers: tuple[ReplicaServer, CdnServer], crawled, tmp_path: Path
) -> None:
    server, _ = servers
    archive, _, _, _ = crawled
    again = tmp_path / "archive"
    shutil.copytree(archive, again)
    (again / "crawl.lock").unlink(missing_ok=True)
    first = server.site
    server.site = evolve_site(first)  # a day later: new and changed articles to read
    try:
        done = run_crawl("nationworldnews", server.base_url + "/", again)
    finally:
        server.site = first
    assert done.returncode == 0, done.stderr[-2000:]
    known = """select status, warc_type, refers_to_fetch_id is not null from fetches f
               where requisite and run_id = (select max(id) from runs)
               and exists (select 1 from fetches e where e.url = f.url and e.run_id = 1)"""
    again_asked = fetches(again, known)
    # what the first crawl archived is asked for conditionally: 304, kept as a revisit of
    # the first capture, never downloaded whole again
    assert again_asked
    assert set(again_asked) == {(304, "revisit", 1)}
    # what the new articles brought is new
    new = "select count(*) from fetches where requisite and status = 200 and run_id = 2"
    assert fetches(again, new)[0][0] > 0


@pytest.mark.e2e
def test_requisites_can_be_switched_off(
    servers: tuple[ReplicaServer, CdnServer], tmp_path: Path
) -> None:
    server, _ = servers
    done = run_crawl(
        "nationworldnews", server.base_url + "/", tmp_path / "archive", FETCH_REQUISITES="False"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert fetches(tmp_path / "archive", "select count(*) from fetches where requisite") == [(0,)]


@pytest.mark.e2e
def test_stats_counts_requisites_apart(crawled) -> None:
    archive, _, _, _ = crawled
    shown = archive_command("stats", str(archive))
    assert shown.returncode == 0, shown.stderr
    (requisites,) = fetches(archive, "select count(*) from fetches where requisite")[0]
    assert f"; {requisites} of them page requisites" in shown.stdout
