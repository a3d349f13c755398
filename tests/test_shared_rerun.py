"""Shared re-runs: workers of a crawl shared through Redis re-run what `merge --into` made.

Each worker's shard starts empty; what earlier crawls archived is read, read-only, from the
archive the shards are merged into (`ARCHIVE_HISTORY_DIR`), and what a worker finds of the
articles only that archive holds (unchanged, gone) waits in its shard's
`history_outcomes` until `merge` applies it there. The first tests build a history archive
and a shard through the store, as a crawl writes them; the `e2e` ones crawl a replica in two
states with two workers, merging after each, and compare with one process crawling the same
states into one archive.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis

from archive.boilerplate import paragraph_key
from archive.db import open_history
from archive.lessons import MEANINGLESS_PARAM, TRAP_FAMILY, load_lessons, record_lesson
from archive.merge import merge
from archive.store import ArchiveStore
from pipelines.extensions.shared_crawl import shared_settings
from spiders.incremental import CrawlHistory
from tests.processes import archive_command
from tests.site.content import Site, build_site
from tests.site.crawl import crawl_command, run_crawl, start_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer
from tests.test_merge import CUP, PERU, Worker, article, rows, snapshot, when

BOLIVIA = "https://example.com/bolivia/"
SITE = "example.com"
WORKERS = 2


def history_and_shard(tmp_path: Path) -> tuple[Path, Worker]:
    """An archive holding three articles (as `merge --into` left it), and a worker whose
    empty shard reads it as its history."""
    main = Worker(tmp_path / "main", "w1").run(0)
    main.capture(PERU, "Peru and the US sign.", 1)
    main.capture(CUP, "The cup final ended in a draw.", 2)
    main.capture(BOLIVIA, "Bolivia votes.", 3)
    main.store.db.close()
    shard = Worker(tmp_path / "main" / "shards" / "w2", "w2")
    shard.store = ArchiveStore(shard.store.db, open_history(tmp_path / "main"))
    return tmp_path / "main", shard.run(10)


def test_settings_of_a_worker_read_the_merged_archive_as_history() -> None:
    assert shared_settings("data")["ARCHIVE_HISTORY_DIR"] == "data"


def test_no_history_before_the_first_merge(tmp_path: Path) -> None:
    assert open_history(tmp_path / "nothing-yet") is None
    assert open_history(None) is None


def test_a_shard_keeps_what_it_found_of_articles_only_its_history_holds(tmp_path: Path) -> None:
    _, shard = history_and_shard(tmp_path)
    peru = shard.fetch(PERU, 11, 304, warc_type="revisit")
    assert shard.store.mark_not_modified(PERU, peru, when(11), sitemap_lastmod="2026-12-01")
    cup = shard.fetch(CUP, 12, 410)
    assert shard.store.mark_gone(CUP, 410, when(12), fetch_id=cup)
    # a URL neither archive holds is no archived article
    assert not shard.store.mark_gone("https://example.com/nowhere/", 404, when(13))
    shard.finish()
    assert rows(shard.directory, "select count(*) from articles") == [(0,)]
    assert rows(
        shard.directory,
        "select url, outcome, status, fetched_at, sitemap_lastmod from history_outcomes",
    ) == [
        (PERU, "not_modified", None, when(11), "2026-12-01"),
        (CUP, "gone", 410, when(12), None),
    ]


def test_a_shard_counts_texts_against_the_history(tmp_path: Path) -> None:
    # the crawl's log and run counts: as one process re-running the archive would count
    _, shard = history_and_shard(tmp_path)
    assert shard.capture(PERU, "Peru and the US sign.", 11) == "unchanged"
    assert shard.capture(CUP, "The cup final was replayed.", 12) == "changed"
    assert shard.capture("https://example.com/new/", "A new story.", 13) == "new"
    # each is the shard's all the same, for merge to make the versions
    assert rows(shard.directory, "select count(*) from articles") == [(3,)]


def test_the_last_capture_of_a_url_may_be_in_the_history(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    earlier = shard.store.last_capture(PERU)
    assert earlier is not None and earlier.in_history
    assert earlier.record_id == rows(main, "select warc_record_id from fetches where id = 1")[0][0]
    shard.capture(PERU, "Peru and the US sign a pact.", 11)
    later = shard.store.last_capture(PERU)
    assert later is not None and not later.in_history and later.fetched_at == when(11)


def test_learned_boilerplate_of_the_history_is_stripped_in_the_shard(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    with sqlite3.connect(main / "archive.db") as db:
        db.execute(
            """insert into paragraphs (site, key, text, article_count, first_seen,
                 boilerplate_since) values (?, ?, 'Subscribe now.', 5, ?, ?)""",
            [SITE, paragraph_key("Subscribe now."), when(0), when(0)],
        )
    shard.store.boilerplate.forget_keys(SITE)
    shard.capture(PERU, "Peru and the US sign a pact.\nSubscribe now.", 11)
    assert rows(shard.directory, "select text from articles") == [("Peru and the US sign a pact.",)]


def test_history_and_lessons_come_from_both_archives(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    history = shard.store.history
    assert history is not None
    with sqlite3.connect(main / "archive.db") as db:
        db.execute(
            """insert into site_lessons (site, kind, key, learned_at)
               values (?, ?, 'utm_x', ?)""",
            [SITE, MEANINGLESS_PARAM, when(0)],
        )
    record_lesson(
        shard.store.db,
        SITE,
        TRAP_FAMILY,
        "/tag/*/page/*",
        example=None,
        pages=3,
        run_id=None,
        learned_at=when(11),
    )
    shard.capture(CUP, "The cup final ended in a draw.", 11)
    lessons = load_lessons(shard.store.db, SITE, history)
    assert lessons.meaningless_params == {"utm_x"}
    assert lessons.trap_families == {"/tag/*/page/*"}
    known = CrawlHistory.load(shard.store.db, SITE, history)
    assert set(known.articles) == {PERU, CUP, BOLIVIA}
    assert CrawlHistory.load(shard.store.db, SITE).articles.keys() == {CUP}


def test_merge_applies_what_a_shard_found_of_the_archives_articles(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    original = rows(main, "select id, warc_record_id from fetches where url = ?", (PERU,))[0]
    peru = shard.fetch(PERU, 11, 304, warc_type="revisit", refers_to_record_id=original[1])
    shard.store.mark_not_modified(PERU, peru, when(11), sitemap_lastmod="2026-12-01")
    cup = shard.fetch(CUP, 12, 410)
    shard.store.mark_gone(CUP, 410, when(12), fetch_id=cup)
    shard.finish()
    before = {url: article(main, url) for url in (PERU, CUP, BOLIVIA)}
    summary = merge(main, [shard.directory])
    assert (summary.unchanged, summary.gone) == (1, 1)
    peru_row, cup_row = article(main, PERU), article(main, CUP)
    (revisit,) = rows(
        main, "select id, refers_to_fetch_id from fetches where status = 304 and url = ?", (PERU,)
    )
    # seen again, unchanged: as `mark_not_modified` leaves it in one archive
    assert peru_row["last_seen"] == when(11) and peru_row["last_fetch_id"] == revisit[0]
    assert peru_row["sitemap_lastmod"] == "2026-12-01"
    assert peru_row["version_count"] == 1 and peru_row["text"] == before[PERU]["text"]
    assert revisit[1] == original[0]  # the revisit refers to the archive's capture
    # gone, kept: as `mark_gone` leaves it
    assert (cup_row["gone_at"], cup_row["gone_status"]) == (when(12), 410)
    assert cup_row["last_seen"] == before[CUP]["last_seen"]
    assert article(main, BOLIVIA) == before[BOLIVIA]
    assert rows(main, "select count(*) from history_outcomes") == [(0,)]


def test_merging_the_shard_again_changes_nothing(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    peru = shard.fetch(PERU, 11, 304, warc_type="revisit")
    shard.store.mark_not_modified(PERU, peru, when(11))
    shard.store.mark_gone(CUP, 404, when(12), fetch_id=shard.fetch(CUP, 12, 404))
    shard.finish()
    merge(main, [shard.directory])
    once = snapshot(main)
    assert merge(main, [shard.directory]).skipped == [str(shard.directory)]
    assert snapshot(main) == once
    # the shard crawls again, finding nothing of those: its old findings change nothing
    shard.run(20).fetch("https://example.com/robots.txt", 21)
    shard.finish()
    summary = merge(main, [shard.directory])
    assert (summary.runs, summary.unchanged, summary.gone) == (1, 0, 0)
    again = snapshot(main)
    assert again["articles"] == once["articles"]


def test_a_later_capture_says_more_than_a_shard_finding(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    shard.store.mark_gone(CUP, 410, when(12), fetch_id=shard.fetch(CUP, 12, 410))
    shard.finish()
    # another archive merged first holds a later capture: the article is there again
    other = Worker(tmp_path / "other", "w3").run(10)
    other.capture(CUP, "The cup final ended in a draw.", 15)
    merge(main, [other.finish()])
    merge(main, [shard.directory])
    row = article(main, CUP)
    assert row["last_seen"] == when(15) and row["gone_at"] is None


def test_a_finding_after_gone_brings_the_article_back(tmp_path: Path) -> None:
    main, shard = history_and_shard(tmp_path)
    shard.store.mark_gone(CUP, 404, when(12), fetch_id=shard.fetch(CUP, 12, 404))
    shard.finish()
    merge(main, [shard.directory])
    later = Worker(tmp_path / "main" / "shards" / "w4", "w4")
    later.store = ArchiveStore(later.store.db, open_history(main))
    later.run(20)
    later.store.mark_not_modified(CUP, later.fetch(CUP, 21, 304), when(21))
    merge(main, [later.finish()])
    row = article(main, CUP)
    assert (row["last_seen"], row["gone_at"], row["gone_status"]) == (when(21), None, None)


# --- two workers re-running a replica, against one process ----------------------------


@dataclass
class Crawls:
    """The replica's two states crawled by one process and by two workers in turn."""

    base: str
    first: Site
    second: Site
    single: Path
    shared: Path
    single_rerun: list  # the replica's request records of each re-run
    shared_rerun: list
    rerun_logs: list[str]  # the shared re-run's workers' logs
    merge_output: str


SETTINGS = {"FETCH_REQUISITES": "False"}


def shared_crawl(server: ReplicaServer, archive: Path, redis_url: str) -> tuple[list[str], str]:
    """Two workers share a crawl of the replica; their shards are merged into `archive`.
    Returns the workers' logs and what `merge` said.

    The replica answers nothing until both workers have joined the crawl: a re-run that
    has little to do is over in a second or two, and a worker started after the other
    has finished begins a crawl of its own (the crawl it was meant for has ended)."""
    command = crawl_command("news", server.base_url + "/", archive, REDIS_URL=redis_url, **SETTINGS)
    redis = Redis.from_url(redis_url)
    server.gate.clear()
    try:
        workers = [start_crawl(command) for _ in range(WORKERS)]
        deadline = time.monotonic() + 120
        while len(list(redis.scan_iter("news:alive:*"))) < WORKERS:
            assert time.monotonic() < deadline, "the workers did not join the crawl"
            assert all(w.poll() is None for w in workers), "a worker stopped before joining"
            time.sleep(0.05)
    finally:
        server.gate.set()
    logs = [worker.communicate(timeout=600)[1] for worker in workers]
    # one crawl, shared: only one worker found itself the last one
    assert sum("Last worker of the shared crawl" in log for log in logs) == 1
    assert [w.returncode for w in workers] == [0] * WORKERS, [log[-3000:] for log in logs]
    shards = sorted(str(p) for p in (archive / "shards").iterdir())
    merged = archive_command("merge", *shards, "--into", str(archive))
    assert merged.returncode == 0, merged.stderr
    return logs, merged.stdout


@pytest.fixture(scope="module")
def crawls(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Crawls:
    folder = tmp_path_factory.mktemp("rerun")
    single, shared = folder / "single", folder / "shared"
    with ReplicaServer(build_site(30)) as server:
        first = server.site
        done = run_crawl("news", server.base_url + "/", single, **SETTINGS)
        assert done.returncode == 0, done.stderr[-3000:]
        shared_crawl(server, shared, redis_url)
        server.site = evolve_site(first)
        server.clear_requests()
        done = run_crawl("news", server.base_url + "/", single, **SETTINGS)
        assert done.returncode == 0, done.stderr[-3000:]
        single_rerun = server.requests
        server.clear_requests()
        logs, output = shared_crawl(server, shared, redis_url)
        return Crawls(
            server.base_url,
            first,
            server.site,
            single,
            shared,
            single_rerun,
            server.requests,
            logs,
            output,
        )


def articles(archive: Path) -> dict[str, tuple]:
    """Each article's text, version count and gone status, by URL."""
    with sqlite3.connect(archive / "archive.db") as db:
        found = db.execute(
            "select url, text, version_count, gone_at is not null, gone_status from articles"
        ).fetchall()
    return {url: tuple(rest) for url, *rest in found}


def lessons(archive: Path) -> list[tuple]:
    """What the crawls into an archive learned about the site."""
    with sqlite3.connect(archive / "archive.db") as db:
        return db.execute("select kind, key, example from site_lessons order by 1, 2").fetchall()


def versions(archive: Path) -> dict[str, list[str]]:
    """Each article's versions' texts, oldest first, by URL."""
    with sqlite3.connect(archive / "archive.db") as db:
        found = db.execute(
            """select a.url, v.text from versions v join articles a on a.id = v.article_id
               order by a.url, v.version"""
        ).fetchall()
    texts: dict[str, list[str]] = {}
    for url, text in found:
        texts.setdefault(url, []).append(text)
    return texts


def article_requests(crawls: Crawls, records: list) -> list:
    """The requests of a re-run for article pages (of either state)."""
    paths = {a.path for a in crawls.first.articles} | {a.path for a in crawls.second.articles}
    return [r for r in records if r.path in paths]


def conditional(record: object) -> bool:
    """Whether a request the replica saw asked for its page only if it had changed."""
    names = {name.lower() for name in record.headers}
    return bool(names & {"if-none-match", "if-modified-since"})


@pytest.mark.e2e
def test_the_merged_shared_reruns_hold_what_one_process_holds(crawls: Crawls) -> None:
    ours, theirs = articles(crawls.shared), articles(crawls.single)
    # on a site this small, a trap family cut by one crawl and not the other would show
    # here: its lessons say so
    assert set(ours) == set(theirs), (lessons(crawls.shared), lessons(crawls.single))
    assert ours == theirs  # texts, version counts, gone and how
    assert versions(crawls.shared) == versions(crawls.single)
    changes = crawls.second.changes
    gone = {crawls.base + path: status for path, status in changes.deleted.items()}
    assert {url: row[3] for url, row in ours.items() if row[2]} == gone
    for path in changes.changed:
        assert ours[crawls.base + path][1] == 2, path


@pytest.mark.e2e
def test_the_shared_rerun_is_incremental(crawls: Crawls) -> None:
    ours = article_requests(crawls, crawls.shared_rerun)
    theirs = article_requests(crawls, crawls.single_rerun)
    print(f"\narticle requests of the re-run: one process {len(theirs)}, two workers {len(ours)}")
    assert len(ours) <= len(theirs)
    # an archived article whose page did not change is asked for only conditionally
    changes = crawls.second.changes
    unchanged = {a.path for a in crawls.first.articles} - {
        *changes.changed,
        *changes.touched,
        *changes.deleted,
    }
    assert all(conditional(r) for r in ours if r.path in unchanged)
    assert sum(r.status == 304 for r in ours) == sum(r.status == 304 for r in theirs)
    # no article page asked for twice across the workers
    paths = [r.path for r in ours]
    assert len(paths) == len(set(paths))


@pytest.mark.e2e
def test_the_workers_say_it_is_a_rerun(crawls: Crawls) -> None:
    for log in crawls.rerun_logs:
        assert "Re-run of 127.0.0.1:" in log, log[-2000:]
        assert "Reading what earlier crawls archived from" in log
    assert "a re-run found" in crawls.merge_output
