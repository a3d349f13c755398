"""End to end: crawl the replica in a subprocess, then check the archive, WARCs and export."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.chrome import SITE_CHROME
from tests.site.content import SITE_PROMOS, Site
from tests.site.crawl import ROOT, run_crawl
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command


@dataclass
class Crawl:
    """One finished crawl of a running replica."""

    server: ReplicaServer
    site: Site
    archive: Path
    result: subprocess.CompletedProcess[str]
    requests: list

    @property
    def base(self) -> str:
        return self.server.base_url

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.archive / "archive.db")
        conn.row_factory = sqlite3.Row
        return conn


@pytest.fixture(scope="module")
def replica():
    with ReplicaServer(articles=100) as server:
        yield server


@pytest.fixture(scope="module")
def crawl(replica: ReplicaServer, tmp_path_factory) -> Crawl:
    archive = tmp_path_factory.mktemp("archive")
    replica.clear_requests()
    result = run_crawl("nationworldnews", replica.base_url + "/", archive, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return Crawl(replica, replica.site, archive, result, list(replica.requests))


def test_every_article_is_archived_and_nothing_else(crawl: Crawl) -> None:
    with crawl.db() as db:
        urls = {row["url"] for row in db.execute("select url from articles")}
    expected = {crawl.base + path for path in crawl.site.expected_article_paths()}
    assert urls - expected == set(), "non-articles stored"
    assert expected - urls == set(), "articles missed"


@pytest.mark.parametrize("reach", ["sitemap_only", "category_only"])
def test_articles_with_a_single_route_are_found(crawl: Crawl, reach: str) -> None:
    special = crawl.site.articles_with_reach(reach)
    assert special, f"the replica has no {reach} articles"
    with crawl.db() as db:
        urls = {row["url"] for row in db.execute("select url from articles")}
    assert {crawl.base + a.path for a in special} <= urls


def _is_trap(path: str) -> bool:
    parts = urlsplit(path)
    keys = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(
        keys & {"s", "print", "amp"}
        or any(key.startswith("utm_") for key in keys)
        or (
            re.search(r"/amp/$|/feed/$|^/\d{4}/\d{2}/(\d{2}/)?$|^/wp-json/|^/comments/", parts.path)
            and parts.path != "/feed/"
        )
    )


def test_no_trap_url_is_requested(crawl: Crawl) -> None:
    traps = [r.path for r in crawl.requests if _is_trap(r.path)]
    assert traps == []


@pytest.mark.parametrize("name", ["replytocom", "p"])
def test_duplicates_the_default_lists_do_not_name_cost_a_few_requests(
    crawl: Crawl, name: str
) -> None:
    # learned from canonical links, or cut as a family whose pages bring nothing new
    paths = [r.path for r in crawl.requests if f"?{name}=" in r.path or f"&{name}=" in r.path]
    assert 1 <= len(paths) <= 6, paths


def test_no_robots_disallowed_url_is_requested(crawl: Crawl) -> None:
    forbidden = [r.path for r in crawl.requests if r.path.startswith(("/members/", "/wp-admin/"))]
    assert forbidden == []


def test_no_offsite_request(crawl: Crawl) -> None:
    host = urlsplit(crawl.base).netloc
    assert {r.host for r in crawl.requests} == {host}


def test_robots_txt_is_fetched_first_and_once(crawl: Crawl) -> None:
    paths = [r.path for r in crawl.requests]
    assert paths[0] == "/robots.txt"
    assert paths.count("/robots.txt") == 1


def test_no_url_is_fetched_twice(crawl: Crawl) -> None:
    paths = [r.path for r in crawl.requests]
    assert len(paths) == len(set(paths))


def test_user_agent_names_the_crawler_and_a_contact(crawl: Crawl) -> None:
    agents = {r.user_agent for r in crawl.requests}
    assert len(agents) == 1
    (agent,) = agents
    assert agent.startswith("news-archiver/") and "+http" in agent


def test_seed_article_text_is_exactly_its_body(crawl: Crawl) -> None:
    seed = crawl.site.seed
    with crawl.db() as db:
        text = db.execute(
            "select text from articles where url = ?", [crawl.base + seed.path]
        ).fetchone()[0]
    assert text == seed.expected_text
    assert len(text.split("\n")) == 8


def test_seed_article_metadata(crawl: Crawl) -> None:
    seed = crawl.site.seed
    with crawl.db() as db:
        row = db.execute(
            "select * from articles where url = ?", [crawl.base + seed.path]
        ).fetchone()
    assert row["title"] == "US and Peru extend two-year partnership to combat child trafficking"
    assert row["author"] == "Nation World News Desk"
    assert row["published"] == "2023-05-29T14:27:36+00:00"
    assert row["modified"] == seed.modified.isoformat()
    assert row["section"] == "World"
    assert json.loads(row["tags"]) == [tag.name for tag in seed.tags]
    assert row["language"] == "en-US"
    assert row["version_count"] == 1


def test_every_article_metadata_matches_the_site(crawl: Crawl) -> None:
    with crawl.db() as db:
        rows = {row["url"]: row for row in db.execute("select * from articles")}
    for article in crawl.site.articles:
        row = rows[crawl.base + article.path]
        assert (row["title"], row["author"], row["section"]) == (
            article.title,
            article.author.name,
            article.category.name,
        ), article.slug
        assert (row["published"], row["modified"]) == (
            article.published.isoformat(),
            article.modified.isoformat(),
        ), article.slug
        assert json.loads(row["tags"]) == [tag.name for tag in article.tags], article.slug
        assert (row["language"], row["description"], row["image"]) == (
            "en-US",
            article.excerpt,
            crawl.base + article.image,
        ), article.slug


def test_every_article_text_is_its_body_and_no_boilerplate(crawl: Crawl) -> None:
    with crawl.db() as db:
        texts = dict(db.execute("select url, text from articles"))
    for article in crawl.site.articles:
        text = texts[crawl.base + article.path]
        assert text == article.expected_text, article.slug
        for junk in SITE_CHROME:
            assert junk not in text, (article.slug, junk)
        for comment in article.comments:
            assert comment.text not in text, article.slug


def test_site_promo_lines_are_learned_as_boilerplate_and_nothing_else(crawl: Crawl) -> None:
    with crawl.db() as db:
        learned = {
            row[0] for row in db.execute("select text from paragraphs where boilerplate_since")
        }
        recleaned = db.execute("select count(distinct article_id) from recleans").fetchone()[0]
        versions = db.execute("select count(*), max(version) from versions").fetchone()
    promos = {promo.text for promo in SITE_PROMOS}
    # the profile's own rule drops the Voice of America line before the archive sees it
    assert learned == promos - {crawl.site.seed.promo_lines[0]}
    # articles stored before a line was learned were cleaned in place, not versioned
    assert recleaned >= 4
    assert tuple(versions) == (len(crawl.site.articles), 1)


def _warc_files(crawl: Crawl) -> list[Path]:
    return sorted((crawl.archive / "warc").glob("*.warc.gz"))


def test_warcio_check_passes_on_every_file(crawl: Crawl) -> None:
    files = _warc_files(crawl)
    assert files
    warcio = Path(sys.executable).parent / "warcio"
    result = subprocess.run([warcio, "check", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _record_at(crawl: Crawl, filename: str, offset: int):
    with (crawl.archive / "warc" / filename).open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        body = record.content_stream().read()
        return record, body


def test_every_request_the_server_saw_is_a_fetch_with_warc_records(crawl: Crawl) -> None:
    with crawl.db() as db:
        fetches = db.execute("select * from fetches").fetchall()
    assert len(fetches) == len(crawl.requests)
    seen = sorted(
        urlsplit(f["url"]).path + (f"?{q}" if (q := urlsplit(f["url"]).query) else "")
        for f in fetches
    )
    assert seen == sorted(r.path for r in crawl.requests)
    for fetch in fetches:
        record, _ = _record_at(crawl, fetch["warc_filename"], fetch["warc_offset"])
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == fetch["url"]
        assert record.rec_headers.get_header("WARC-Record-ID") == fetch["warc_record_id"]
        assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
        warc_date = datetime.fromisoformat(record.rec_headers.get_header("WARC-Date"))
        fetched_at = datetime.fromisoformat(fetch["fetched_at"])
        assert abs((warc_date - fetched_at).total_seconds()) < 0.001


def test_each_response_has_a_concurrent_request_record(crawl: Crawl) -> None:
    responses, requests = {}, {}
    for path in _warc_files(crawl):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                if record.rec_type == "response":
                    responses[record_id] = record.rec_headers.get_header("WARC-Target-URI")
                elif record.rec_type == "request":
                    requests[record.rec_headers.get_header("WARC-Concurrent-To")] = (
                        record.rec_headers.get_header("WARC-Target-URI"),
                        record.http_headers.statusline,
                    )
    assert set(responses) == set(requests)
    for record_id, url in responses.items():
        target, line = requests[record_id]
        assert target == url
        parts = urlsplit(url)
        assert line.split()[0] == parts.path + (f"?{parts.query}" if parts.query else "")


def _fetch_row(crawl: Crawl, where: str, *params) -> sqlite3.Row:
    with crawl.db() as db:
        row = db.execute(f"select * from fetches where {where}", params).fetchone()
    assert row is not None, where
    return row


def test_gzip_body_and_repeated_cookies_kept_in_warc(crawl: Crawl) -> None:
    home = _fetch_row(crawl, "url = ?", crawl.base + "/")
    with (crawl.archive / "warc" / home["warc_filename"]).open("rb") as handle:
        handle.seek(home["warc_offset"])
        record = next(iter(ArchiveIterator(handle)))
        headers = record.http_headers
        raw = record.raw_stream.read()
    assert headers.get_header("Content-Encoding") == "gzip"
    assert raw[:2] == b"\x1f\x8b"
    assert len([v for k, v in headers.headers if k.lower() == "set-cookie"]) == 2


def test_chunked_feed_recorded_without_chunked_header(crawl: Crawl) -> None:
    feed = _fetch_row(crawl, "url = ?", crawl.base + "/feed/")
    record, body = _record_at(crawl, feed["warc_filename"], feed["warc_offset"])
    # The server sent it chunked (tests/test_replica.py); Twisted de-chunks it and keeps
    # the framing headers to itself, so the record must not claim a chunked body.
    assert record.http_headers.get_header("Transfer-Encoding") is None
    assert body.startswith(b"<?xml") and body.rstrip().endswith(b"</rss>")


def test_redirects_and_errors_are_archived_too(crawl: Crawl) -> None:
    redirect = _fetch_row(crawl, "status = 301")
    assert redirect["location"]
    missing = _fetch_row(crawl, "status = 404")
    record, _ = _record_at(crawl, missing["warc_filename"], missing["warc_offset"])
    assert record.http_headers.get_statuscode() == "404"
    robots = _fetch_row(crawl, "url like '%/robots.txt'")
    assert robots["status"] == 200
    sitemap = _fetch_row(crawl, "url like '%/sitemap_index.xml'")
    assert sitemap["content_type"].startswith("application/xml")


def test_run_is_recorded(crawl: Crawl) -> None:
    with crawl.db() as db:
        (run,) = db.execute("select * from runs").fetchall()
    assert run["status"] == "finished"
    assert run["fetch_count"] == len(crawl.requests)
    assert run["articles_new"] == len(crawl.site.articles)
    stats = json.loads(run["stats"])
    assert stats["item_scraped_count"] == len(crawl.site.articles)
    assert stats["extract/worker_pids"] >= 1, "no page was extracted in a worker process"
    assert json.loads(run["arguments"])["spider_arguments"]["url"] == crawl.base + "/"


def _export(crawl: Crawl, tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "export.jsonl"
    subprocess.run(
        [sys.executable, "-m", "archive", "export", str(crawl.archive), "-o", str(out), *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_export_points_at_each_articles_own_response_record(crawl: Crawl, tmp_path) -> None:
    records = _export(crawl, tmp_path)
    assert len(records) == len(crawl.site.articles)
    for item in records:
        record, body = _record_at(crawl, item["warc_filename"], item["warc_offset"])
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Record-ID") == item["warc_record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]
        page_text = " ".join(
            lxml.html.document_fromstring(body.decode("utf-8")).text_content().split()
        )
        assert item["text"].split("\n")[0] in page_text


def test_search_finds_the_seed_article(crawl: Crawl) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "archive", "search", str(crawl.archive), "child trafficking"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    first_hit = result.stdout.splitlines()[1].split()[0]
    assert first_hit == crawl.base + crawl.site.seed.path


def test_datasette_offers_full_text_search(crawl: Crawl) -> None:
    from datasette.app import Datasette

    async def query() -> dict:
        datasette = Datasette([str(crawl.archive / "archive.db")])
        response = await datasette.client.get(
            "/archive/articles.json?_search=trafficking&_shape=objects"
        )
        return response.json()

    data = asyncio.run(query())
    assert crawl.base + crawl.site.seed.path in {row["url"] for row in data["rows"]}


def test_sqlite_utils_reads_the_archive(crawl: Crawl) -> None:
    tool = Path(sys.executable).parent / "sqlite-utils"
    result = subprocess.run(
        [tool, "tables", str(crawl.archive / "archive.db"), "--counts", "--fts5"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "articles_fts" in result.stdout


def test_second_crawl_adds_no_versions_and_loses_nothing(crawl: Crawl, tmp_path: Path) -> None:
    with crawl.db() as db:
        before = db.execute("select url, text, version_count from articles").fetchall()
    again = Crawl(crawl.server, crawl.site, tmp_path / "archive", crawl.result, [])
    shutil.copytree(crawl.archive, again.archive)
    result = run_crawl("nationworldnews", crawl.base + "/", again.archive, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with again.db() as db:
        after = db.execute("select url, text, version_count from articles").fetchall()
        runs = db.execute("select status, articles_new, articles_changed from runs").fetchall()
        versions = db.execute("select count(*) from versions").fetchone()[0]
    assert sorted(map(tuple, after)) == sorted(map(tuple, before))
    assert [tuple(r) for r in runs] == [("finished", 100, 0), ("finished", 0, 0)]
    assert versions == len(before)


def test_each_warc_file_opens_with_a_warcinfo_describing_the_crawl(crawl: Crawl) -> None:
    for path in _warc_files(crawl):
        with path.open("rb") as handle:
            record = next(iter(ArchiveIterator(handle)))
            fields = record.content_stream().read().decode()
        assert record.rec_type == "warcinfo"
        assert record.rec_headers.get_header("WARC-Filename") == path.name
        assert "software: news-archiver/" in fields and "Scrapy/" in fields
        assert "robots: obey" in fields
        assert "http-header-user-agent: news-archiver/" in fields
        assert "format: WARC File Format 1.1" in fields
        assert "hostname: " in fields
