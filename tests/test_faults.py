"""Faults on the replica (tests/site/faults.py): what the archive holds after crawling them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import Request, Response
from scrapy.settings import default_settings
from warcio.archiveiterator import ArchiveIterator

from pipelines.middlewares.retry_after import RetryAfterMiddleware, retry_after_seconds
from tests.site.crawl import run_crawl
from tests.site.faults import ARCHIVABLE, MOVED_PATH, RETRY_AFTER, FaultSet
from tests.site.server import ReplicaServer, RequestRecord

RETRY_TIMES = 2  # settings.py
REDIRECT_MAX_TIMES = default_settings.REDIRECT_MAX_TIMES


@dataclass
class Crawl:
    """One finished crawl of a replica with faults on."""

    base: str
    archive: Path
    result: subprocess.CompletedProcess[str]
    requests: list[RequestRecord]
    faults: FaultSet

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.archive / "archive.db")

    def articles(self) -> dict[str, str]:
        with self.db() as db:
            return dict(db.execute("select url, text from articles"))

    def fetches(self, path: str) -> list[tuple[int, str | None]]:
        with self.db() as db:
            return db.execute(
                "select status, location from fetches where url = ? order by id",
                (self.base + path,),
            ).fetchall()

    def stats(self) -> dict[str, object]:
        with self.db() as db:
            (stats,) = db.execute("select stats from runs").fetchone()
        return json.loads(stats)

    def hits(self, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if urlsplit(r.path).path == path]

    def warc_responses(self, path: str) -> list[tuple[int, bytes, str | None]]:
        """(status, raw payload, Content-Encoding) of every response record for a page."""
        found = []
        for name in sorted((self.archive / "warc").glob("*.warc.gz")):
            with name.open("rb") as handle:
                for record in ArchiveIterator(handle):
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if record.rec_type == "response" and uri == self.base + path:
                        encoding = record.http_headers.get_header("Content-Encoding")
                        status = int(record.http_headers.get_statuscode())
                        found.append((status, record.raw_stream.read(), encoding))
        return found


@pytest.fixture(scope="module")
def other_server():
    """Another site on this machine: the faults link and redirect to it."""
    with ReplicaServer(articles=5) as server:
        yield server


@pytest.fixture(scope="module")
def crawl(other_server: ReplicaServer, tmp_path_factory) -> Crawl:
    """The replica (20 articles) with every fault, crawled with the project's settings."""
    archive = tmp_path_factory.mktemp("faults")
    faults = FaultSet(elsewhere=other_server.base_url)
    with ReplicaServer(articles=20, faults=faults) as server:
        base = server.base_url
        result = run_crawl("news", base + "/", archive, timeout=300)
        requests = server.requests
    assert result.returncode == 0, result.stderr[-3000:]
    return Crawl(base, archive, result, requests, faults)


@pytest.fixture(scope="module")
def limited_crawl(tmp_path_factory) -> Crawl:
    """The slow, large and reset pages, with a 2 s timeout, a 200 kB size limit, and
    DOWNLOAD_FAIL_ON_DATALOSS off (a cut body is handed on, not retried)."""
    archive = tmp_path_factory.mktemp("limits")
    faults = FaultSet(names=("slow", "large", "reset"))
    with ReplicaServer(articles=5, faults=faults) as server:
        base = server.base_url
        result = run_crawl(
            "news",
            base + "/",
            archive,
            DOWNLOAD_TIMEOUT="2",
            DOWNLOAD_MAXSIZE="200000",
            DOWNLOAD_FAIL_ON_DATALOSS="False",
            # Five articles, all in the sitemaps: the trap families would rightly cut the
            # category listings before the sixth, the fault listing (test_traps_e2e.py
            # tests that). Here only the faults are under test.
            TRAP_PATIENCE="1000",
        )
        requests = server.requests
    assert result.returncode == 0, result.stderr[-3000:]
    return Crawl(base, archive, result, requests, faults)


# --- the crawl as a whole --------------------------------------------------------------


@pytest.mark.e2e
def test_crawl_finishes_and_archives_every_article_it_can(crawl: Crawl) -> None:
    with crawl.db() as db:
        assert db.execute("select status from runs").fetchall() == [("finished",)]
    assert "Traceback" not in crawl.result.stderr
    stored = set(crawl.articles())
    fault_urls = {crawl.base + path for path in ARCHIVABLE.values()}
    assert fault_urls <= stored
    assert not {url for url in stored - fault_urls if "/faults/" in url}


@pytest.mark.e2e
def test_warc_files_pass_warcio_check(crawl: Crawl, limited_crawl: Crawl) -> None:
    files = [*(crawl.archive / "warc").glob("*.warc.gz")]
    files += (limited_crawl.archive / "warc").glob("*.warc.gz")
    check = subprocess.run(
        [Path(sys.executable).parent / "warcio", "check", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout


# --- 1. 500, 500, 200 ------------------------------------------------------------------


@pytest.mark.e2e
def test_server_errors_are_retried_and_the_article_stored_once(crawl: Crawl) -> None:
    path = "/faults/flaky/"
    assert [r.status for r in crawl.hits(path)] == [500, 500, 200]
    assert crawl.articles()[crawl.base + path] == crawl.faults.articles["flaky"].expected_text
    with crawl.db() as db:
        versions = db.execute(
            "select count(*) from versions join articles on articles.id = article_id where url = ?",
            (crawl.base + path,),
        ).fetchone()
    assert versions == (1,)
    assert [status for status, _ in crawl.fetches(path)] == [500, 500, 200]
    assert [status for status, _, _ in crawl.warc_responses(path)] == [500, 500, 200]


# --- 2. 503 with Retry-After -------------------------------------------------------------


@pytest.mark.e2e
def test_retry_waits_for_retry_after(crawl: Crawl) -> None:
    path = "/faults/retry-after/"
    first, second = crawl.hits(path)
    assert (first.status, second.status) == (503, 200)
    assert second.time - first.time >= RETRY_AFTER
    assert crawl.articles()[crawl.base + path] == crawl.faults.articles["retry-after"].expected_text
    assert crawl.stats()["archive/retry_after_waits"] == 1


def test_retry_after_values() -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("2", now) == 2.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    assert retry_after_seconds("soon", now) is None


@pytest.mark.parametrize(
    ("status", "value", "meta", "delay"),
    [
        (503, "3600", {}, 120.0),  # capped by RETRY_AFTER_MAX
        (429, "5", {}, 5.0),
        (503, "5", {"retry_times": RETRY_TIMES}, 0.0),  # no retry left: no wait
        (503, "5", {"dont_retry": True}, 0.0),
        (404, "5", {}, 0.0),
        (503, "later", {}, 0.0),
    ],
)
def test_retry_after_delay(status: int, value: str, meta: dict, delay: float) -> None:
    middleware = RetryAfterMiddleware(120.0, {429, 500, 503}, RETRY_TIMES, stats=None)
    request = Request("http://127.0.0.1:8000/story/", meta=meta)
    response = Response(request.url, status=status, headers={"Retry-After": value})
    assert middleware.delay_for(request, response) == delay


# --- 3. a slow response ------------------------------------------------------------------


@pytest.mark.e2e
def test_slow_response_within_the_timeout_is_archived(crawl: Crawl) -> None:
    path = "/faults/slow/"
    assert crawl.articles()[crawl.base + path] == crawl.faults.articles["slow"].expected_text


@pytest.mark.e2e
def test_timeout_is_retried_logged_counted_and_not_stored(limited_crawl: Crawl) -> None:
    path = "/faults/slow/"
    assert len(limited_crawl.hits(path)) == 1 + RETRY_TIMES
    assert limited_crawl.base + path not in limited_crawl.articles()
    assert limited_crawl.fetches(path) == []
    stats = limited_crawl.stats()
    assert stats["downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError"] == 3
    assert stats["retry/max_reached"] >= 1
    assert f"Gave up retrying <GET {limited_crawl.base}{path}>" in limited_crawl.result.stderr
    assert f"Cannot download {limited_crawl.base}{path}: " in limited_crawl.result.stderr
    assert "Traceback" not in limited_crawl.result.stderr
    with limited_crawl.db() as db:
        assert db.execute("select status from runs").fetchall() == [("finished",)]
    # the rest of the site, and the reset page's first half (DOWNLOAD_FAIL_ON_DATALOSS off)
    assert len(limited_crawl.articles()) == 5 + 1


# --- 4. connection reset mid-body --------------------------------------------------------


@pytest.mark.e2e
def test_connection_reset_is_retried_and_nothing_stored(crawl: Crawl) -> None:
    path = "/faults/reset/"
    assert len(crawl.hits(path)) == 1 + RETRY_TIMES
    assert crawl.base + path not in crawl.articles()
    assert crawl.fetches(path) == []
    assert crawl.warc_responses(path) == []
    stats = crawl.stats()
    assert stats["retry/reason_count/scrapy.exceptions.ResponseDataLossError"] == RETRY_TIMES
    assert f"Gave up retrying <GET {crawl.base}{path}>" in crawl.result.stderr
    assert f"Cannot download {crawl.base}{path}: ResponseDataLossError" in crawl.result.stderr
    assert stats["archive/download_failed"] == 1


@pytest.mark.e2e
def test_a_body_cut_short_and_kept_is_marked_truncated_in_warc(limited_crawl: Crawl) -> None:
    path = "/faults/reset/"
    assert len(limited_crawl.hits(path)) == 1  # handed on, not retried
    (response,) = limited_crawl.warc_responses(path)
    assert response[0] == 200
    with limited_crawl.db() as db:
        filename, offset = db.execute(
            "select warc_filename, warc_offset from fetches where url = ?",
            [limited_crawl.base + path],
        ).fetchone()
    with (limited_crawl.archive / "warc" / filename).open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
    assert record.rec_headers.get_header("WARC-Truncated") == "disconnect"
    # what arrived is extracted like any truncated page
    assert limited_crawl.base + path in limited_crawl.articles()


# --- 5. charset from <meta> only -----------------------------------------------------------


@pytest.mark.e2e
def test_windows_1252_declared_in_meta_is_decoded(crawl: Crawl) -> None:
    path = "/faults/windows-1252/"
    [(status, payload, _)] = crawl.warc_responses(path)
    assert status == 200
    assert b"\x93long winter\x94" in payload  # the bytes on the wire were windows-1252
    text = crawl.articles()[crawl.base + path]
    assert text == crawl.faults.articles["windows-1252"].expected_text
    for word in ("café", "Peñalolén", "Müller", "“long winter”", "crème brûlée"):
        assert word in text
    assert "\ufffd" not in text and "Ã" not in text


# --- 6. gzip and chunked at once ---------------------------------------------------------


@pytest.mark.e2e
def test_gzip_chunked_article_is_extracted(crawl: Crawl) -> None:
    path = "/faults/gzip-chunked/"
    [(status, payload, encoding)] = crawl.warc_responses(path)
    assert (status, encoding, payload[:2]) == (200, "gzip", b"\x1f\x8b")
    text = crawl.articles()[crawl.base + path]
    assert text == crawl.faults.articles["gzip-chunked"].expected_text


# --- 7. redirects --------------------------------------------------------------------------


@pytest.mark.e2e
def test_redirect_chain_is_stored_under_the_final_url(crawl: Crawl) -> None:
    articles = crawl.articles()
    assert articles[crawl.base + MOVED_PATH] == crawl.faults.articles["moved"].expected_text
    assert not [url for url in articles if "slug" in url]
    assert crawl.fetches("/faults/old-slug/") == [(301, crawl.base + "/faults/renamed-slug/")]
    assert crawl.fetches("/faults/renamed-slug/") == [(301, crawl.base + MOVED_PATH)]
    assert [s for s, _, _ in crawl.warc_responses("/faults/old-slug/")] == [301]
    assert [s for s, _, _ in crawl.warc_responses("/faults/renamed-slug/")] == [301]


@pytest.mark.e2e
def test_redirect_loop_is_stopped_and_logged(crawl: Crawl) -> None:
    assert len(crawl.hits("/faults/loop-a/")) == 1
    assert len(crawl.hits("/faults/loop-b/")) == 1
    assert not [url for url in crawl.articles() if "loop" in url]
    assert crawl.stats()["archive/redirect_loops"] == 1
    loop = (
        f"{crawl.base}/faults/loop-a/ -> {crawl.base}/faults/loop-b/ -> {crawl.base}/faults/loop-a/"
    )
    assert f"Redirect loop, not followed: {loop}" in crawl.result.stderr


@pytest.mark.e2e
def test_endless_redirects_stop_at_redirect_max_times(crawl: Crawl) -> None:
    spiral = [r for r in crawl.requests if r.path.startswith("/faults/spiral/")]
    assert len(spiral) == 1 + REDIRECT_MAX_TIMES
    assert not [url for url in crawl.articles() if "spiral" in url]
    assert crawl.stats()["archive/redirect_chains_too_long"] == 1
    assert f"More than {REDIRECT_MAX_TIMES} redirects from {crawl.base}/faults/spiral/1/" in (
        crawl.result.stderr
    )


# --- 8. larger than DOWNLOAD_MAXSIZE ------------------------------------------------------


@pytest.mark.e2e
def test_large_page_within_the_limit_is_archived(crawl: Crawl) -> None:
    path = "/faults/large/"
    assert crawl.articles()[crawl.base + path] == crawl.faults.articles["large"].expected_text


@pytest.mark.e2e
def test_page_above_download_maxsize_is_skipped_logged_and_counted(limited_crawl: Crawl) -> None:
    path = "/faults/large/"
    assert len(limited_crawl.hits(path)) == 1  # not retried
    assert limited_crawl.base + path not in limited_crawl.articles()
    assert limited_crawl.fetches(path) == []
    stats = limited_crawl.stats()
    assert stats["archive/too_large"] == 1
    assert stats["archive/download_failed"] == 2  # this page and the slow one
    assert f"larger than DOWNLOAD_MAXSIZE: {limited_crawl.base}{path}" in (
        limited_crawl.result.stderr
    )


# --- 9. truncated HTML, binary bytes -------------------------------------------------------


@pytest.mark.e2e
def test_truncated_html_keeps_its_first_paragraphs(crawl: Crawl) -> None:
    text = crawl.articles()[crawl.base + "/faults/truncated/"].split("\n")
    first, second, third, *_ = crawl.faults.articles["truncated"].paragraphs
    assert text[:2] == [first, second]
    assert third not in text


@pytest.mark.e2e
def test_binary_served_as_html_is_archived_raw_but_not_stored(crawl: Crawl) -> None:
    path = "/faults/binary/"
    assert [status for status, _ in crawl.fetches(path)] == [200]
    assert crawl.base + path not in crawl.articles()


# --- 10. other servers on this machine -----------------------------------------------------


@pytest.mark.e2e
def test_other_servers_are_never_reached(crawl: Crawl, other_server: ReplicaServer) -> None:
    assert other_server.requests == []
    elsewhere = f"{other_server.base_url}/stolen-story/"
    assert crawl.fetches("/faults/elsewhere/") == [(302, elsewhere)]
    assert crawl.stats()["archive/offsite_dropped"] >= 1
    assert f"Not fetching {elsewhere}" in crawl.result.stderr


# --- 11. other schemes --------------------------------------------------------------------


@pytest.mark.e2e
def test_only_the_site_is_fetched_and_no_other_scheme(crawl: Crawl) -> None:
    # Every request Scrapy's downloader made reached the replica: none went to file:,
    # data:, ftp: or another server (they would be counted without reaching it).
    assert crawl.stats()["downloader/request_count"] == len(crawl.requests)
    with crawl.db() as db:
        urls = [url for (url,) in db.execute("select url from fetches")]
    assert urls and all(url.startswith(crawl.base + "/") for url in urls)
    assert crawl.fetches("/faults/to-file/") == [(302, "file:///etc/passwd")]
    assert not [text for text in crawl.articles().values() if "root:x:0:0" in text]
