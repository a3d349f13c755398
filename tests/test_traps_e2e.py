"""Crawling both replicas with the default settings: coverage, precision, requests per
article (from the replica's own request log), traps found by behaviour with the pattern
lists empty, learned parameters, lessons kept for the next crawl, many sites at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spiders.families import family_of
from spiders.profile import WORDPRESS
from tests.site.content import build_site
from tests.site.courier.model import build_courier
from tests.site.courier.server import CourierServer
from tests.site.crawl import ROOT, crawl_command, sites_file
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e

ARTICLES = 300
# the issue's budget: requests per archived article, every page counted (the pages'
# requisites, stylesheets and images fetched once each, are counted apart)
BUDGET = 1.5
# what the Courier's plugins append or walk; the default lists must name none of them
COURIER_TRAP_WORDS = (
    "events",
    "event",
    "ical",
    "tribe",
    "comment-page",
    "relatedposts",
    "src",
    "lang",
    "share",
    "nb",
    "replytocom",
    "sort",
    "view",
    "paged",
)


@dataclass
class Crawl:
    """One crawl of a replica: its log, exit status, the server's request log (pages, and
    the pages' requisites apart), the archive."""

    returncode: int
    log: str
    paths: list[str]
    requisite_paths: list[str]
    archive: Path
    base_url: str
    expected: set[str]

    def rows(self, sql: str, *args: Any) -> list[tuple]:
        with sqlite3.connect(self.archive / "archive.db") as db:
            return db.execute(sql, args).fetchall()

    def archived_paths(self) -> set[str]:
        prefix = len(self.base_url)
        return {url[prefix:] for (url,) in self.rows("select url from articles")}


def crawl(server: Any, archive: Path, sites: Path | None = None, **settings: str) -> Crawl:
    """Crawl one replica (or a sites file) to the end; the requests it made to `server`."""
    server.clear_requests()
    command = crawl_command("news", server.base_url + "/", archive, sites=sites, **settings)
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    asked = [request.path for request in server.requests]
    requisites = set()
    if (archive / "archive.db").exists():
        with sqlite3.connect(archive / "archive.db") as db:
            rows = db.execute("select url from fetches where requisite").fetchall()
        requisites = {url[len(server.base_url) :] for (url,) in rows}
    return Crawl(
        done.returncode,
        done.stderr,
        [path for path in asked if path not in requisites],
        [path for path in asked if path in requisites],
        archive,
        server.base_url,
        set(server.site.expected_article_paths()),
    )


@pytest.fixture(scope="module")
def courier() -> Iterator[CourierServer]:
    with CourierServer(build_courier(ARTICLES)) as server:
        yield server


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_site(ARTICLES)) as server:
        yield server


@pytest.fixture(scope="module")
def courier_crawl(courier: CourierServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return crawl(courier, tmp_path_factory.mktemp("courier") / "archive")


@pytest.fixture(scope="module")
def bare_crawl(courier: CourierServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """The Courier crawled with the default pattern lists switched off."""
    folder = tmp_path_factory.mktemp("bare")
    sites = sites_file(folder, ("courier", courier.base_url), lists=False)
    return crawl(courier, folder / "archive", sites)


@pytest.mark.parametrize("which", ["replica", "courier"])
def test_both_replicas_fully_covered_within_the_budget(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    server = request.getfixturevalue(which)
    if which == "courier":
        done = request.getfixturevalue("courier_crawl")
    else:
        done = crawl(server, tmp_path / "archive")
    assert done.returncode == 0, done.log[-3000:]
    archived = done.archived_paths()
    assert archived == done.expected  # every article, and nothing that is not one
    per_article = len(done.paths) / len(archived)
    assert per_article <= BUDGET, f"{len(done.paths)} requests for {len(archived)} articles"
    # and every article's text exact, with the generic extraction (no site rules), most of
    # them read within the body container the crawl learned from the site's pages
    texts = dict(done.rows("select url, text from articles"))
    wrong = [
        a.path for a in server.site.articles if texts[done.base_url + a.path] != a.expected_text
    ]
    assert wrong == []
    assert len(done.rows("select key from site_lessons where kind = 'body_container'")) == 1
    assert "Re-cleaned" in done.log
    assert "Summary (finished)" in done.log
    assert "Traceback" not in done.log


def test_the_default_lists_name_none_of_the_courier_traps() -> None:
    listed = " ".join(WORDPRESS.deny + WORDPRESS.tracking_params).lower()
    named = [word for word in COURIER_TRAP_WORDS if f"/{word}" in listed or word in listed.split()]
    assert named == []
    for word in COURIER_TRAP_WORDS:
        assert not any(pattern.strip("*").lower() == word for pattern in WORDPRESS.tracking_params)


def test_with_the_pattern_lists_empty_traps_are_cut_and_parameters_learned(
    bare_crawl: Crawl,
) -> None:
    done = bare_crawl
    assert done.returncode == 0, done.log[-3000:]
    assert done.archived_paths() == done.expected
    # The calendar is endless and every article has share, language and related-post
    # variants: walked, they would cost thousands of requests.
    assert len(done.paths) <= 2 * len(done.expected), len(done.paths)
    calendar = [path for path in done.paths if path.startswith("/events/")]
    assert len(calendar) <= 30, calendar
    lessons = done.rows("select kind, key, pages from site_lessons")
    cut = {key: pages for kind, key, pages in lessons if kind == "trap_family"}
    learned = {key for kind, key, _ in lessons if kind == "meaningless_param"}
    assert cut, done.log[-3000:]
    assert all(pages >= 1 for pages in cut.values())
    # the newsletter box's and the related-posts widget's parameters, from canonical links
    assert {"src", "relatedposts_hit"} <= learned, learned
    # pagination changes the page: never learned, and deep category pages were read
    assert "paged" not in learned
    assert any("paged=3" in path for path in done.paths)
    assert "Trap on " in done.log and "Learned on " in done.log
    # an article is stored once, under its canonical URL
    assert not [url for (url,) in done.rows("select url from articles") if "?" in url]
    # the run row counts what was cut and learned for the site
    (counts,) = done.rows("select site_counts from runs")[0]
    site = json.loads(counts)[done.base_url.split("//")[1]]
    assert site["trap_families_cut"] == len(cut) and site["params_learned"] == len(learned)


def test_a_rerun_does_not_pay_for_the_lessons_again(
    bare_crawl: Crawl, courier: CourierServer
) -> None:
    cut = {
        key for (key,) in bare_crawl.rows("select key from site_lessons where kind = 'trap_family'")
    }
    learned = {
        key
        for (key,) in bare_crawl.rows(
            "select key from site_lessons where kind = 'meaningless_param'"
        )
    }
    sites = bare_crawl.archive.parent / "sites.toml"
    again = crawl(courier, bare_crawl.archive, sites)
    assert again.returncode == 0, again.log[-3000:]
    # the site's own lists (robots.txt, sitemaps, feed) are read again, as they must be
    pages = [p for p in again.paths if not p.endswith((".xml", ".txt", "/feed/"))]
    assert not {family_of("http://x" + path) for path in pages} & cut
    assert not [p for p in again.paths if any(f"{name}=" in p for name in learned)]
    assert "Trap on " not in again.log and "Learned on " not in again.log
    # beyond the archived articles (asked for conditionally), only the home page and
    # section fronts
    beyond = [p for p in pages if p not in again.expected]
    assert len(beyond) < 20, beyond


def test_every_section_the_home_page_names_is_read_however_impatient(tmp_path: Path) -> None:
    # With a patience of 1 the first category whose articles the sitemaps all list would
    # cut /category/{w}/; the category-only articles live in one of the later ones.
    with ReplicaServer(articles=30) as server:
        hidden = {a.path for a in server.site.articles_with_reach("category_only")}
        assert hidden
        done = crawl(server, tmp_path / "archive", TRAP_PATIENCE="1")
    assert done.returncode == 0, done.log[-3000:]
    assert done.archived_paths() == done.expected
    assert "Trap on " in done.log  # the rule still cut what the home page does not name


def test_three_sites_from_one_sites_file(tmp_path: Path) -> None:
    with (
        ReplicaServer(articles=30) as first,
        ReplicaServer(articles=20) as second,
        CourierServer(build_courier(40)) as third,
    ):
        sites = sites_file(
            tmp_path,
            ("first", first.base_url),
            ("second", second.base_url),
            ("courier", third.base_url),
        )
        done = crawl(first, tmp_path / "archive", sites, PROGRESS_INTERVAL="0.5")
        assert done.returncode == 0, done.log[-3000:]
        with sqlite3.connect(tmp_path / "archive" / "archive.db") as db:
            urls = [url for (url,) in db.execute("select url from articles")]
            (counts,) = db.execute("select site_counts from runs").fetchone()
        for server in (first, second, third):
            paths = {url[len(server.base_url) :] for url in urls if url.startswith(server.base_url)}
            assert paths == set(server.site.expected_article_paths())
            address = server.base_url.split("//")[1]
            assert json.loads(counts)[address]["articles_new"] == len(paths)
            assert f"  {address}: " in done.log  # per-site lines in progress and summary
        assert "Progress: " in done.log
        addresses = [server.base_url.split("//")[1] for server in (first, second, third)]
    stats = subprocess.run(
        [sys.executable, "-m", "archive", "stats", str(tmp_path / "archive")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert stats.returncode == 0, stats.stderr
    for address in addresses:
        assert address in stats.stdout


def test_a_site_that_cannot_be_reached_is_one_error_and_exit_1(tmp_path: Path) -> None:
    with ReplicaServer(articles=10) as server:
        dead = server.base_url  # nothing listens here once the server is stopped
    command = crawl_command("news", dead + "/", tmp_path / "archive", RETRY_TIMES="0")
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1 and f"Cannot reach {dead}/" in errors[0], errors
    assert "Connection refused" in errors[0]
    assert "Traceback" not in done.stderr
