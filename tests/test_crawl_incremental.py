"""Re-runs on the same archive: the replica's second state costs a fraction of the first crawl.

One module-scoped replica of 100 articles is crawled by the generic `news` spider, switched
to its second state (new, changed, touched and deleted articles), crawled again, then crawled
a third time unchanged.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc_writer import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED
from tests.site.content import Site
from tests.site.crawl import ROOT, run_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command


@dataclass
class Runs:
    """Three crawls of one replica into one archive, with what the server saw each time."""

    base: str
    first: Site
    second: Site
    archive: Path
    requests: list[list]  # per run

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.archive / "archive.db")
        conn.row_factory = sqlite3.Row
        return conn

    def url(self, path: str) -> str:
        return self.base + path

    def pages(self, run: int) -> list:
        """The server's records of a run's requests for pages (not the pages' requisites,
        stylesheets and images, counted apart: tests/test_requisites.py)."""
        with self.db() as db:
            rows = db.execute("select url from fetches where requisite").fetchall()
        requisites = {url for (url,) in rows}
        return [r for r in self.requests[run] if self.url(r.path) not in requisites]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    archive = tmp_path_factory.mktemp("archive")
    requests = []
    with ReplicaServer(articles=100) as server:
        first = server.site
        for step in range(3):
            if step == 1:
                server.site = evolve_site(first)
            server.clear_requests()
            result = run_crawl("news", server.base_url + "/", archive, timeout=300)
            assert result.returncode == 0, result.stderr[-3000:]
            requests.append(list(server.requests))
        return Runs(server.base_url, first, server.site, archive, requests)


def test_second_state_fetches_discovery_pages_changes_and_unlisted_revisits(runs: Runs) -> None:
    first, second = len(runs.pages(0)), len(runs.pages(1))
    print(f"\nrequests: first crawl {first}, second state {second} ({second / first:.0%})")
    changes = runs.second.changes
    changed = {*changes.new, *changes.changed, *changes.touched, *changes.deleted}
    unlisted = {a.path for a in runs.first.articles if a.reach == "category_only"}
    # `?p=` shortlinks are not in the default lists: a few are spent before their family
    # is judged (each redirects to an article)
    shortlinks = [r.path for r in runs.pages(1) if r.path.startswith("/?p=")]
    assert len(shortlinks) <= 6, shortlinks
    for record in runs.pages(1):
        path = record.path
        if path in shortlinks:
            continue
        discovery = path in ("/robots.txt", "/", "/feed/") or "sitemap" in path
        section_front = re.fullmatch(r"/category/[^/]+/", path) is not None
        revisit = path in unlisted and record.status == 304
        assert discovery or section_front or path in changed or revisit, path
    assert second < 0.5 * first


def test_every_new_and_changed_article_is_captured(runs: Runs) -> None:
    changes = runs.second.changes
    with runs.db() as db:
        rows = {r["url"]: r for r in db.execute("select * from articles")}
    for article in runs.second.articles:
        row = rows[runs.url(article.path)]
        assert row["text"] == article.expected_text, article.slug
        if article.path not in runs.second.stale_pages:  # that page still shows its old date
            assert row["modified"] == article.modified.isoformat(), article.slug
    for path in changes.new:
        assert rows[runs.url(path)]["version_count"] == 1
    for path in changes.changed:
        assert rows[runs.url(path)]["version_count"] == 2, path


def test_versions_are_added_only_when_the_text_changed(runs: Runs) -> None:
    changes = runs.second.changes
    with runs.db() as db:
        counts = dict(db.execute("select url, version_count from articles"))
        total = db.execute("select count(*) from versions").fetchone()[0]
    assert all(counts[runs.url(path)] == 1 for path in changes.touched)
    assert total == len(counts) + len(changes.changed)


def test_first_versions_of_changed_articles_are_kept(runs: Runs) -> None:
    with runs.db() as db:
        for path in runs.second.changes.changed:
            texts = [
                row[0]
                for row in db.execute(
                    "select v.text from versions v join articles a on a.id = v.article_id"
                    " where a.url = ? order by v.version",
                    [runs.url(path)],
                )
            ]
            before = next(a for a in runs.first.articles if a.path == path)
            assert texts[0] == before.expected_text, path
            assert texts[1] != texts[0]


def test_unchanged_listed_articles_are_not_fetched_again(runs: Runs) -> None:
    changes = runs.second.changes
    moved = {*changes.new, *changes.changed, *changes.touched, *changes.deleted}
    listed = {a.path for a in runs.first.in_sitemaps()}
    fetched = {r.path for r in runs.requests[1]}
    assert not (listed - moved) & fetched


def test_deleted_articles_are_kept_and_marked_gone(runs: Runs) -> None:
    with runs.db() as db:
        rows = {r["url"]: r for r in db.execute("select * from articles")}
    for path, status in runs.second.changes.deleted.items():
        row = rows[runs.url(path)]
        before = next(a for a in runs.first.articles if a.path == path)
        assert (row["gone_status"], row["text"]) == (status, before.expected_text), path
        assert row["gone_at"] and row["gone_at"] > row["first_seen"]
    live = {runs.url(a.path) for a in runs.second.articles}
    assert all(rows[url]["gone_at"] is None for url in live)


def test_conditional_requests_use_the_archived_validators(runs: Runs) -> None:
    revisited = [r for r in runs.requests[1] if "If-None-Match" in r.headers]
    assert revisited
    with runs.db() as db:
        for record in revisited:
            etag = db.execute(
                "select etag from fetches where url = ? and status = 200 order by id limit 1",
                [runs.url(record.path)],
            ).fetchone()[0]
            assert record.headers["If-None-Match"] == etag


def _warc_record(runs: Runs, filename: str, offset: int):
    with open(runs.archive / "warc" / filename, "rb") as handle:
        handle.seek(offset)
        return next(iter(ArchiveIterator(handle)))


def test_304_is_a_server_not_modified_revisit(runs: Runs) -> None:
    with runs.db() as db:
        rows = db.execute(
            "select f.*, o.warc_record_id as original_id, o.fetched_at as original_at"
            " from fetches f join fetches o on o.id = f.refers_to_fetch_id"
            " where f.status = 304"
        ).fetchall()
    assert rows
    for row in rows:
        assert row["warc_type"] == "revisit"
        record = _warc_record(runs, row["warc_filename"], row["warc_offset"])
        headers = record.rec_headers
        assert headers.get_header("WARC-Type") == "revisit"
        assert headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
        assert headers.get_header("WARC-Refers-To") == row["original_id"]
        assert headers.get_header("WARC-Refers-To-Target-URI") == row["url"]
        assert headers.get_header("WARC-Refers-To-Date").startswith(row["original_at"][:19])
        assert record.http_headers.get_statuscode() == "304"


def test_identical_payload_is_a_revisit_not_a_second_copy(runs: Runs) -> None:
    stale = [path for path in runs.second.changes.touched if path in runs.second.stale_pages]
    assert stale
    with runs.db() as db:
        for path in stale:
            fetches = db.execute(
                "select * from fetches where url = ? and status = 200 order by id",
                [runs.url(path)],
            ).fetchall()
            assert [f["warc_type"] for f in fetches][:2] == ["response", "revisit"]
            original, again = fetches[0], fetches[1]
            assert again["refers_to_fetch_id"] == original["id"]
            assert again["payload_digest"] == original["payload_digest"]
            record = _warc_record(runs, again["warc_filename"], again["warc_offset"])
            headers = record.rec_headers
            assert headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
            assert headers.get_header("WARC-Refers-To-Target-URI") == original["url"]
            assert headers.get_header("WARC-Refers-To") == original["warc_record_id"]
            assert headers.get_header("WARC-Payload-Digest") == original["payload_digest"]
            assert record.content_stream().read() == b""


def test_runs_record_each_crawl(runs: Runs) -> None:
    changes = runs.second.changes
    with runs.db() as db:
        rows = db.execute("select * from runs order by id").fetchall()
    assert [r["status"] for r in rows] == ["finished"] * 3
    assert [r["fetch_count"] for r in rows] == [len(requests) for requests in runs.requests]
    second = rows[1]
    assert (second["articles_new"], second["articles_changed"], second["articles_gone"]) == (
        len(changes.new),
        len(changes.changed),
        len(changes.deleted),
    )
    assert second["revisits"] >= 1
    stats = json.loads(second["stats"])
    assert stats["archive/skipped_unchanged"] >= 50


def test_a_run_with_nothing_new_changes_nothing(runs: Runs) -> None:
    with runs.db() as db:
        third = db.execute("select * from runs where id = 3").fetchone()
        versions = db.execute("select count(*) from versions").fetchone()[0]
    assert (third["articles_new"], third["articles_changed"], third["articles_gone"]) == (0, 0, 0)
    assert versions == len(runs.second.articles) + len(runs.second.changes.deleted) + len(
        runs.second.changes.changed
    )
    assert len(runs.requests[2]) <= len(runs.requests[1])


def test_warcio_check_passes_on_every_file(runs: Runs) -> None:
    files = sorted((runs.archive / "warc").glob("*.warc.gz"))
    assert len(files) == 3
    warcio = Path(sys.executable).parent / "warcio"
    result = subprocess.run([warcio, "check", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_show_diff_tells_what_changed(runs: Runs) -> None:
    path = runs.second.changes.changed[0]
    result = subprocess.run(
        [sys.executable, "-m", "archive", "show", str(runs.archive), runs.url(path), "--diff"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    before = next(a for a in runs.first.articles if a.path == path).expected_text.split("\n")
    after = next(a for a in runs.second.articles if a.path == path).expected_text.split("\n")
    added = [f"+{line}" for line in after if line not in before]
    assert added and all(line in result.stdout.splitlines() for line in added)
