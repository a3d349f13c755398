"""Crawls with other spiders and settings: the generic spider, Crawl-delay, bad arguments."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.boilerplate import threshold
from tests.site.content import SITE_PROMOS
from tests.site.crawl import ROOT, run_crawl
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command


def stored(archive: Path) -> dict[str, str]:
    with sqlite3.connect(archive / "archive.db") as db:
        return dict(db.execute("select url, text from articles"))


def test_generic_news_spider_finds_every_article(tmp_path: Path) -> None:
    with ReplicaServer(articles=40) as server:
        base, site = server.base_url, server.site
        result = run_crawl("news", base + "/", tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    texts = stored(tmp_path)
    assert set(texts) == {base + path for path in site.expected_article_paths()}
    # Without a profile, a pasted line goes once the archive has seen it in enough articles.
    holding = {
        p.text: sum(p.text in a.promo_top + a.promo_lines for a in site.articles)
        for p in SITE_PROMOS
    }
    learnable = {text for text, count in holding.items() if count >= threshold(len(texts))}
    assert len(learnable) >= 2
    for article in site.articles:
        text = texts[base + article.path]
        for paragraph in article.expected_text.split("\n"):
            assert paragraph in text.split("\n"), article.slug
        for junk in ("LEAVE A REPLY", "Related news", "Latest news", "fastest emerging"):
            assert junk not in text, (article.slug, junk)
        for promo in learnable:
            assert promo not in text, article.slug


@pytest.fixture(scope="module")
def crawl_without_robots(tmp_path_factory) -> tuple[Path, str, object, list[str]]:
    """A crawl that ignores robots.txt and rotates WARC files every ~150 kB."""
    archive = tmp_path_factory.mktemp("archive")
    with ReplicaServer(articles=30) as server:
        base, site = server.base_url, server.site
        result = run_crawl(
            "nationworldnews",
            base + "/",
            archive,
            ROBOTSTXT_OBEY="False",
            WARC_MAX_SIZE="150000",
        )
        paths = [r.path for r in server.requests]
    assert result.returncode == 0, result.stderr[-3000:]
    return archive, base, site, paths


def test_sitemaps_are_found_when_robots_txt_is_not_obeyed(crawl_without_robots) -> None:
    archive, base, site, paths = crawl_without_robots
    assert paths.count("/robots.txt") == 1
    assert "/sitemap_index.xml" in paths
    only_in_sitemaps = {base + a.path for a in site.articles_with_reach("sitemap_only")}
    assert only_in_sitemaps
    assert only_in_sitemaps <= set(stored(archive))


def test_warc_files_rotate_and_every_fetch_points_at_its_record(crawl_without_robots) -> None:
    archive, _, _, paths = crawl_without_robots
    files = sorted((archive / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    for path in files[:-1]:
        assert 150_000 <= path.stat().st_size < 400_000
    check = subprocess.run(
        [Path(sys.executable).parent / "warcio", "check", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    with sqlite3.connect(archive / "archive.db") as db:
        fetches = db.execute("select url, warc_filename, warc_offset from fetches").fetchall()
    assert len(fetches) == len(paths)
    assert len({name for _, name, _ in fetches}) == len(files)
    for url, name, offset in fetches:
        with (archive / "warc" / name).open("rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == url


LAG = 0.1


def test_robots_crawl_delay_is_honoured_even_with_autothrottle(tmp_path: Path) -> None:
    delay = 0.4
    with ReplicaServer(articles=5, crawl_delay=delay) as server:
        result = run_crawl(
            "nationworldnews",
            server.base_url + "/",
            tmp_path,
            AUTOTHROTTLE_ENABLED="True",
            AUTOTHROTTLE_START_DELAY="0",
            CLOSESPIDER_PAGECOUNT="6",
            CONCURRENT_REQUESTS="1",
        )
        times = [r.time for r in server.requests]
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(times) >= 5
    gaps = [later - earlier for earlier, later in itertools.pairwise(times[1:])]
    # Scrapy keeps the delay between handing requests to the network; one may leave up to
    # an event-loop turn late (LAG), so one gap may shrink by that much, never all of them
    assert min(gaps) >= delay - LAG, gaps
    assert times[-1] - times[1] >= delay * (len(times) - 2) - LAG, gaps


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["news"], "no site URL given"),
        (["news", "-a", "url=example.com"], "must start with http"),
        (["news", "-a", "url=ftp://example.com/"], "must start with http"),
        (["no-such-spider"], "no spider named"),
    ],
)
def test_bad_crawl_arguments_are_a_one_line_error(arguments: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.startswith("crawl: error: ") and result.stderr.count("\n") == 1


def test_archive_dir_that_is_a_file_is_refused_before_crawling(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "archive"
    not_a_dir.write_text("keep me")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scrapy", "crawl", "news", "-a", "url=http://127.0.0.1:9/"),
            *("-s", f"ARCHIVE_DIR={not_a_dir}"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr == f"crawl: error: {not_a_dir} is not a directory\n"
    assert not_a_dir.read_text() == "keep me"
