"""Pause and resume: a crawl stopped with Ctrl-C (SIGINT) and started again with JOBDIR."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.site.crawl import archive_rows, crawl_command, run_crawl, start_crawl
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command

# Slow enough to be caught part-way, fast enough for CI.
PACED = {"DOWNLOAD_DELAY": "0.04", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


def _articles(archive: Path) -> int:
    rows = archive_rows(archive, "select count(*) from articles")
    return rows[0][0] if rows else 0


def test_interrupted_crawl_resumes_to_the_same_archive_without_duplicates(tmp_path: Path) -> None:
    archive, jobdir = tmp_path / "archive", tmp_path / "job"
    with ReplicaServer(articles=60) as server:
        root, site = server.base_url, server.site
        base = root + "/"
        command = crawl_command("nationworldnews", base, archive, JOBDIR=str(jobdir), **PACED)
        first = start_crawl(command)
        deadline = time.monotonic() + 60
        while _articles(archive) < 15:
            assert first.poll() is None, "the crawl ended before it could be interrupted"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)  # one Ctrl-C: Scrapy stops gracefully
        _, first_log = first.communicate(timeout=120)
        part = _articles(archive)
        resumed = run_crawl("nationworldnews", base, archive, JOBDIR=str(jobdir), **PACED)
        paths = [r.path for r in server.requests]

    assert first.returncode == 0, first_log[-3000:]
    assert "shutdown" in first_log
    assert 15 <= part < len(site.articles), "the first part did not stop part-way"
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming crawl" in resumed.stderr

    with sqlite3.connect(archive / "archive.db") as db:
        texts = dict(db.execute("select url, text from articles"))
        runs = db.execute("select status from runs order by id").fetchall()
        versions = db.execute("select count(*) from versions").fetchone()[0]
        full_captures = db.execute(
            "select count(*) from fetches f join articles a on a.url = f.url"
            " where f.status = 200 and f.warc_type = 'response'"
        ).fetchone()[0]
    # the same articles as an uninterrupted crawl, each once
    assert set(texts) == {root + path for path in site.expected_article_paths()}
    for article in site.articles:
        assert texts[root + article.path] == article.expected_text, article.slug
    assert versions == len(site.articles)
    assert full_captures == len(site.articles)
    assert runs == [("interrupted",), ("finished",)]
    # JOBDIR kept the queue and the seen requests: the second part did not start over, and
    # only robots.txt (read afresh by every process) was asked for twice
    assert sorted({p for p in paths if paths.count(p) > 1}) == ["/robots.txt"]
