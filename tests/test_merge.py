"""`python -m archive merge`: crawl workers' shards become one archive, as one crawl would
have left it.

The first tests build small shards through the store, as a crawl writes them (the WARC
records are stand-ins, one gzip member each); the `e2e` ones crawl the replica in two
states into two shards, and the same crawls in sequence into one archive, and compare.
"""

from __future__ import annotations

import fcntl
import gzip
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive.boilerplate import MIN_ARTICLES, paragraph_key
from archive.cli import cli
from archive.db import ArchiveError, open_archive, warc_dir
from archive.lock import LOCK_NAME, ArchiveBusy, ArchiveLock
from archive.merge import merge
from archive.migrations import migrations
from archive.models import Article, Fetch, WarcLocation
from archive.queries import search
from archive.store import ArchiveStore
from tests.site.content import Site
from tests.site.crawl import ROOT, run_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

PERU = "https://example.com/peru/"
CUP = "https://example.com/cup/"


def when(minute: int) -> str:
    """A capture time, `minute` minutes into the test's hour."""
    return f"2026-12-01T10:{minute:02d}:00.000+00:00"


class Worker:
    """A crawl worker writing its shard through the store, one run at a time."""

    def __init__(self, directory: Path, name: str, db: Database | None = None):
        self.directory = directory
        self.name = name
        self.warc = warc_dir(directory) / f"NEWS-{name}.warc.gz"
        self.store = ArchiveStore(db if db is not None else open_archive(directory))

    def run(self, minute: int) -> Worker:
        """Start a run (a worker is known by its hostname; the test's pid is shared)."""
        run_id = self.store.start_run("news", {})
        self.store.db["runs"].update(run_id, {"hostname": self.name, "started_at": when(minute)})
        return self

    def fetch(self, url: str, minute: int, status: int = 200, **fields: Any) -> int:
        """Write a record to the worker's WARC file and index it."""
        offset = self.warc.stat().st_size if self.warc.exists() else 0
        record = gzip.compress(f"{url} at {minute}".encode())
        with self.warc.open("ab") as handle:
            handle.write(record)
        location = WarcLocation(self.warc.name, offset, len(record), f"<urn:{self.name}:{offset}>")
        return self.store.record_fetch(
            Fetch(url, "GET", status, when(minute), location, "<urn:request>", **fields)
        )

    def capture(self, url: str, text: str, minute: int, **metadata: Any) -> str:
        """Fetch an article page and store its text."""
        fetch_id = self.fetch(url, minute)
        item = Article(url=url, title=metadata.pop("title", "Title"), text=text, **metadata)
        return self.store.save_article(item, fetch_id, when(minute))

    def gone(self, url: str, minute: int, status: int = 410) -> None:
        """Find an article's URL answering 404 or 410."""
        self.fetch(url, minute, status)
        self.store.mark_gone(url, status, when(minute))

    def finish(self) -> Path:
        """End the run."""
        self.store.finish_run("finished", "finished", {})
        return self.directory


def rows(directory: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(directory / "archive.db") as db:
        return db.execute(sql, params).fetchall()


def snapshot(directory: Path) -> dict[str, list[tuple]]:
    """Every row of every table (the FTS index's included)."""
    names = [
        name for (name,) in rows(directory, "select name from sqlite_master where type = 'table'")
    ]
    return {name: sorted(rows(directory, f"select * from [{name}]"), key=repr) for name in names}


def contents(directory: Path) -> dict[str, Any]:
    """What an archive says of each article: its state and its versions' texts and times."""
    articles = rows(
        directory,
        """select id, url, text, content_sha256, version_count, first_seen, last_seen, gone_at,
                  gone_status, title from articles""",
    )
    return {
        url: (
            state,
            rows(
                directory,
                "select version, text, captured_at from versions where article_id = ? "
                "order by version",
                (article_id,),
            ),
        )
        for article_id, url, *state in articles
    }


def versions(directory: Path, url: str) -> list[tuple[int, str, str]]:
    return rows(
        directory,
        """select v.version, v.text, v.captured_at from versions v
           join articles a on a.id = v.article_id where a.url = ? order by v.version""",
        (url,),
    )


def article(directory: Path, url: str) -> dict[str, Any]:
    with sqlite3.connect(directory / "archive.db") as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("select * from articles where url = ?", [url]).fetchone())


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    """Two workers that captured one article in turn, and one article each."""
    one = Worker(tmp_path / "worker-1", "w1").run(0)
    one.capture(PERU, "Peru and the US sign.", 1)
    one.capture(PERU, "Peru and the US sign a pact.", 3)
    one.capture(CUP, "The cup final ended in a draw.", 2)
    two = Worker(tmp_path / "worker-2", "w2").run(0)
    two.capture(PERU, "Peru and the US sign.", 2)  # what worker 1 had already
    two.capture(PERU, "Peru and Bolivia sign a pact.", 4)
    two.capture("https://example.com/bolivia/", "Bolivia joins the pact.", 5)
    return [one.finish(), two.finish()]


def test_versions_of_one_url_are_merged_in_capture_order(shards, tmp_path: Path) -> None:
    summary = merge(tmp_path / "merged", shards)
    assert versions(tmp_path / "merged", PERU) == [
        (1, "Peru and the US sign.", when(1)),
        (2, "Peru and the US sign a pact.", when(3)),
        (3, "Peru and Bolivia sign a pact.", when(4)),
    ]
    peru = article(tmp_path / "merged", PERU)
    assert (peru["text"], peru["version_count"]) == ("Peru and Bolivia sign a pact.", 3)
    assert (peru["first_seen"], peru["last_seen"]) == (when(1), when(4))
    fetched = rows(
        tmp_path / "merged", "select fetched_at from fetches where id = ?", (peru["last_fetch_id"],)
    )
    assert fetched == [(when(4),)]
    assert (summary.articles_new, summary.runs, summary.fetches) == (3, 2, 6)
    assert (summary.versions, summary.warc_files) == (5, 2)


def test_fetches_and_runs_are_numbered_in_time_order(shards, tmp_path: Path) -> None:
    merge(tmp_path / "merged", reversed(shards))
    times = [
        at for (at,) in rows(tmp_path / "merged", "select fetched_at from fetches order by id")
    ]
    assert times == sorted(times)
    # ties (both runs started at minute 0) go by shard, both runs are there
    assert [h for (h,) in rows(tmp_path / "merged", "select hostname from runs order by id")] == [
        "w2",
        "w1",
    ]


def test_revisits_keep_pointing_at_their_capture(tmp_path: Path) -> None:
    worker = Worker(tmp_path / "worker-1", "w1").run(0)
    worker.capture(PERU, "Peru and the US sign.", 1)
    first = worker.store.db.execute("select id, warc_offset from fetches").fetchone()
    worker.fetch(PERU, 5, warc_type="revisit", refers_to_fetch_id=first[0])
    other = Worker(tmp_path / "worker-2", "w2").run(0)
    other.capture(CUP, "The cup final ended in a draw.", 0)  # first in time: ids move
    merge(tmp_path / "merged", [worker.finish(), other.finish()])
    (refers,) = rows(
        tmp_path / "merged",
        """select o.warc_filename, o.warc_offset from fetches f
           join fetches o on o.id = f.refers_to_fetch_id where f.warc_type = 'revisit'""",
    )
    assert refers == (worker.warc.name, first[1])


def test_the_article_is_as_its_latest_capture_left_it(tmp_path: Path) -> None:
    one = Worker(tmp_path / "worker-1", "w1").run(0)
    one.capture(PERU, "Peru and the US sign.", 1, modified="2026-12-01")
    two = Worker(tmp_path / "worker-2", "w2").run(0)
    two.capture(PERU, "Peru and the US sign.", 6, modified="2026-12-02")  # dates moved
    merge(tmp_path / "merged", [one.finish(), two.finish()])
    peru = article(tmp_path / "merged", PERU)
    assert (peru["modified"], peru["version_count"]) == ("2026-12-02", 1)
    assert (peru["first_seen"], peru["last_seen"]) == (when(1), when(6))
    assert versions(tmp_path / "merged", PERU) == [(1, "Peru and the US sign.", when(1))]


@pytest.mark.parametrize(("seen_again", "gone"), [(2, (when(3), 410)), (4, (None, None))])
def test_an_article_is_gone_when_a_410_came_after_its_last_capture(
    tmp_path: Path, seen_again: int, gone: tuple
) -> None:
    one = Worker(tmp_path / "worker-1", "w1").run(0)
    one.capture(PERU, "Peru and the US sign.", 1)
    one.gone(PERU, 3)
    two = Worker(tmp_path / "worker-2", "w2").run(0)
    two.capture(PERU, "Peru and the US sign.", seen_again)
    merge(tmp_path / "merged", [one.finish(), two.finish()])
    peru = article(tmp_path / "merged", PERU)
    assert (peru["gone_at"], peru["gone_status"]) == gone


def test_merging_again_changes_nothing(shards, tmp_path: Path) -> None:
    merge(tmp_path / "merged", shards)
    before = snapshot(tmp_path / "merged")
    summary = merge(tmp_path / "merged", shards)
    assert (summary.shards, len(summary.skipped)) == (0, 2)
    assert snapshot(tmp_path / "merged") == before
    recorded = rows(tmp_path / "merged", "select hostname, shard_run_id from merged_runs")
    assert sorted(recorded) == [("w1", 1), ("w2", 1)]


def test_one_shard_then_the_other_is_both_at_once(shards, tmp_path: Path) -> None:
    merge(tmp_path / "together", shards)
    for shard in reversed(shards):
        merge(tmp_path / "in-turn", [shard])
    assert contents(tmp_path / "in-turn") == contents(tmp_path / "together")


def test_a_shard_that_crawled_again_brings_its_new_run(shards, tmp_path: Path) -> None:
    merge(tmp_path / "merged", shards)
    worker = Worker(shards[0], "w1").run(10)
    worker.capture(PERU, "Peru, the US and Chile sign a pact.", 11)
    worker.finish()
    summary = merge(tmp_path / "merged", shards)
    assert (summary.shards, summary.runs, summary.fetches, summary.versions) == (1, 1, 1, 1)
    assert versions(tmp_path / "merged", PERU)[-1] == (
        4,
        "Peru, the US and Chile sign a pact.",
        when(11),
    )
    assert len(list(warc_dir(tmp_path / "merged").glob("*.warc.gz"))) == 2


def test_learned_boilerplate_is_cleaned_from_every_shard(tmp_path: Path) -> None:
    promo = "Subscribe to our newsletter."
    rail = "Read our coverage of the cup."
    one = Worker(tmp_path / "worker-1", "w1").run(0)
    for n in range(MIN_ARTICLES):  # enough for worker 1 to learn the promo
        extra = f"\n{rail}" if n < 3 else ""
        one.capture(f"https://example.com/a{n}/", f"Story {n} of one.\n{promo}{extra}", n)
    two = Worker(tmp_path / "worker-2", "w2").run(0)
    for n in range(3):  # the promo twice, the rail three times: neither learned here
        own = f"\n{promo}" if n < 2 else ""
        two.capture(f"https://example.com/b{n}/", f"Story {n} of two.{own}\n{rail}", 10 + n)
    merge(tmp_path / "merged", [one.finish(), two.finish()])
    texts = rows(
        tmp_path / "merged", "select text from articles union all select text from versions"
    )
    assert texts and all(promo not in text and rail not in text for (text,) in texts)
    learned = rows(
        tmp_path / "merged",
        "select key, article_count from paragraphs where boilerplate_since is not null",
    )
    # counted again from the merged articles: the rail in 3 + 3 became boilerplate too
    assert sorted(learned) == sorted([(paragraph_key(promo), 7), (paragraph_key(rail), 6)])
    recleaned = rows(tmp_path / "merged", "select count(*) from recleans")[0][0]
    assert recleaned >= 3


def test_reextractions_stay_with_their_versions(tmp_path: Path) -> None:
    one = Worker(tmp_path / "worker-1", "w1").run(0)
    one.capture(PERU, "Peru and the US sign.", 1)
    one.capture(PERU, "Peru and the US sign a pact.", 5)
    one.store.db["reextractions"].insert({"article_id": 1, "version": 2, "new_sha256": "b"})
    two = Worker(tmp_path / "worker-2", "w2").run(0)
    two.capture(PERU, "Peru and Bolivia talk.", 3)  # comes between: version 2 becomes 3
    shards = [one.finish(), two.finish()]
    merge(tmp_path / "together", shards)
    for shard in shards:  # the archive's own re-extraction is renumbered
        merge(tmp_path / "in-turn", [shard])
    for target in ("together", "in-turn"):
        found = rows(
            tmp_path / target,
            """select v.text from reextractions r join versions v
               on v.article_id = r.article_id and v.version = r.version""",
        )
        assert found == [("Peru and the US sign a pact.",)], target


def test_lessons_keep_their_first_record_and_site_rules_the_latest(tmp_path: Path) -> None:
    workers = [Worker(tmp_path / f"worker-{n}", f"w{n}").run(0) for n in (1, 2)]
    for worker, learned, rules in zip(workers, (when(5), when(2)), ("old", "new"), strict=True):
        worker.store.db["site_lessons"].insert(
            {"site": "example.com", "kind": "trap_family", "key": "/tag/{w}/"}
            | {"example": worker.name, "run_id": 1, "learned_at": learned}
        )
        recorded = when(9) if rules == "new" else when(8)
        worker.store.db["site_rules"].insert(
            {"site": "example.com", "rules": rules, "run_id": 1, "recorded_at": recorded}
        )
    merge(tmp_path / "merged", [worker.finish() for worker in workers])
    lessons = rows(tmp_path / "merged", "select example, learned_at, run_id from site_lessons")
    assert lessons == [("w2", when(2), 2)]  # w2's run is the merged archive's run 2
    assert rows(tmp_path / "merged", "select rules from site_rules") == [("new",)]


def test_merged_articles_are_found_by_search(shards, tmp_path: Path) -> None:
    merge(tmp_path / "merged", shards)
    db = open_archive(tmp_path / "merged")
    assert {hit.url for hit in search(db, "bolivia")} == {PERU, "https://example.com/bolivia/"}
    assert [hit.url for hit in search(db, "draw")] == [CUP]
    assert search(db, "Peru and the US sign a pact") == []  # an older version's text


def test_an_older_shard_is_migrated_first(tmp_path: Path) -> None:
    (tmp_path / "old" / "warc").mkdir(parents=True)
    db = Database(tmp_path / "old" / "archive.db")
    migrations.apply(db, stop_before="m009_merged_runs")
    worker = Worker(tmp_path / "old", "w1", db).run(0)
    worker.capture(PERU, "Peru and the US sign.", 1)
    merge(tmp_path / "merged", [worker.finish()])
    assert "merged_runs" in Database(tmp_path / "old" / "archive.db").table_names()
    assert versions(tmp_path / "merged", PERU) == [(1, "Peru and the US sign.", when(1))]


def test_two_different_warc_files_of_one_name_are_refused(shards, tmp_path: Path) -> None:
    impostor = warc_dir(shards[1]) / "NEWS-w1.warc.gz"
    impostor.write_bytes(gzip.compress(b"another worker's record"))
    with pytest.raises(ArchiveError, match=r"two different WARC files named NEWS-w1\.warc\.gz"):
        merge(tmp_path / "merged", shards)
    assert rows(tmp_path / "merged", "select count(*) from runs") == [(0,)]


@pytest.fixture
def crawl_holding(tmp_path: Path) -> Iterator[Any]:
    """Hold an archive's lock as another process's crawl does (a lock of this process
    would be re-entrant)."""
    handles = []

    def hold(directory: Path) -> None:
        handle = (directory / LOCK_NAME).open("a+b")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handles.append(handle)

    yield hold
    for handle in handles:
        handle.close()


@pytest.mark.parametrize("busy", ["shard", "target"])
def test_an_archive_a_crawl_writes_to_is_refused(
    shards, tmp_path: Path, crawl_holding, busy: str
) -> None:
    target = tmp_path / "merged"
    target.mkdir()
    held = shards[1] if busy == "shard" else target
    crawl_holding(held)
    with pytest.raises(ArchiveBusy, match="in use by another crawl"):
        merge(target, shards)
    assert not (target / "archive.db").exists()
    for directory in {*shards, target} - {held}:
        crawl_holding(directory)  # the merge gave back the locks it took


def test_the_target_cannot_be_a_shard(shards) -> None:
    with pytest.raises(ArchiveError, match="cannot be a shard"):
        merge(shards[0], shards)


def test_a_table_the_merge_does_not_know_stops_it(shards, tmp_path: Path) -> None:
    open_archive(tmp_path / "merged").execute("create table notes (id integer primary key)")
    with pytest.raises(ArchiveError, match=r"tables merge does not know \(notes\)"):
        merge(tmp_path / "merged", shards)


def test_merge_command_says_what_it_merged(shards, tmp_path: Path) -> None:
    target = str(tmp_path / "merged")
    args = ["merge", *map(str, shards), "--into", target]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Merged 2 shards into {target}: 2 runs, 6 fetches, 3 new articles and 1 merged "
        "with ones it held, 5 versions added; 2 WARC files brought in\n"
    )
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0
    assert again.output.splitlines() == [
        f"Skipped {shard}: every run of it was merged into {target} before" for shard in shards
    ]


def test_merge_command_refuses_a_missing_shard(tmp_path: Path) -> None:
    target = tmp_path / "merged"
    result = CliRunner().invoke(cli, ["merge", str(tmp_path / "nowhere"), "--into", str(target)])
    assert result.exit_code == 2
    assert "no archive at" in result.output
    assert not target.exists()


# End to end: the replica crawled by workers, each into its own shard.


@dataclass
class Crawls:
    """One replica crawled in two states: by two workers into a shard each, and the same
    crawls in sequence into one archive."""

    server: ReplicaServer
    first: Site
    second: Site
    shards: list[Path]
    single: Path
    merged: Path
    merge_output: str

    def url(self, path: str) -> str:
        return self.server.base_url + path


def crawl(server: ReplicaServer, archive: Path) -> None:
    result = run_crawl("news", server.base_url + "/", archive, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> Iterator[Crawls]:
    root = tmp_path_factory.mktemp("merge")
    shards = [root / "worker-1", root / "worker-2"]
    single = root / "single"
    with ReplicaServer(articles=40) as server:
        first = server.site
        second = evolve_site(first)
        for state, shard in ((first, shards[0]), (second, shards[1])):
            server.site = state
            crawl(server, shard)
            crawl(server, single)
            time.sleep(1)  # HTTP dates have seconds: the next state's must be later
        merged = root / "merged"
        result = subprocess.run(
            [sys.executable, "-m", "archive", "merge", *map(str, shards), "--into", str(merged)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""  # no progress bar when stderr is not a terminal
        yield Crawls(server, first, second, shards, single, merged, result.stdout)


def latest_texts(directory: Path) -> dict[str, str]:
    return dict(rows(directory, "select url, text from articles"))


def version_texts(directory: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for url, text in rows(
        directory,
        """select a.url, v.text from versions v join articles a on a.id = v.article_id
           order by a.url, v.version""",
    ):
        found.setdefault(url, []).append(text)
    return found


@pytest.mark.e2e
def test_the_merged_shards_hold_what_one_archive_of_the_same_crawls_holds(
    crawls: Crawls,
) -> None:
    assert latest_texts(crawls.merged) == latest_texts(crawls.single)
    assert version_texts(crawls.merged) == version_texts(crawls.single)
    changed = {crawls.url(path) for path in crawls.second.changes.changed}
    assert changed and all(len(version_texts(crawls.merged)[url]) == 2 for url in changed)
    for table in ("runs", "fetches"):
        (merged,) = rows(crawls.merged, f"select count(*) from {table}")[0]
        shards = sum(rows(shard, f"select count(*) from {table}")[0][0] for shard in crawls.shards)
        assert merged == shards, table
    assert crawls.merge_output.startswith("Merged 2 shards into")


@pytest.mark.e2e
def test_every_fetch_record_is_readable_at_its_offset(crawls: Crawls) -> None:
    fetches = rows(
        crawls.merged, "select url, warc_filename, warc_offset, warc_record_id from fetches"
    )
    assert len(fetches) > 100
    for url, filename, offset, record_id in fetches:
        with (warc_dir(crawls.merged) / filename).open("rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Record-ID") == record_id
            assert record.rec_headers.get_header("WARC-Target-URI") == url


@pytest.mark.e2e
def test_merging_again_or_in_turn_makes_the_same_archive(crawls: Crawls, tmp_path: Path) -> None:
    before = snapshot(crawls.merged)
    merge(crawls.merged, crawls.shards)
    assert snapshot(crawls.merged) == before
    for shard in crawls.shards:
        merge(tmp_path / "in-turn", [shard])
    assert contents(tmp_path / "in-turn") == contents(crawls.merged)


@pytest.mark.e2e
def test_a_crawl_into_the_merged_archive_fetches_no_article_again(
    crawls: Crawls, tmp_path: Path
) -> None:
    archive = tmp_path / "merged"
    shutil.copytree(crawls.merged, archive)
    crawls.server.clear_requests()
    crawl(crawls.server, archive)
    articles = {a.path for a in crawls.first.articles} | {a.path for a in crawls.second.articles}
    again = [(r.path, r.status) for r in crawls.server.requests if r.path in articles]
    # archived articles no sitemap lists are asked for conditionally: not modified, or
    # (those the second state deleted, which worker 2 never saw) gone
    assert all(status in (304, 404, 410) for _, status in again), again
    (new, changed) = rows(
        archive, "select articles_new, articles_changed from runs order by id desc"
    )[0]
    assert (new, changed) == (0, 0)


@pytest.mark.e2e
@pytest.mark.parametrize("busy", ["shard", "target"])
def test_the_command_refuses_an_archive_a_crawl_holds(
    crawls: Crawls, tmp_path: Path, busy: str
) -> None:
    target = tmp_path / "merged"
    command = ["merge", *map(str, crawls.shards), "--into", str(target)]
    lock = ArchiveLock(crawls.shards[0] if busy == "shard" else target).acquire("now")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "archive", *command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        lock.release()
    assert result.returncode == 75  # EX_TEMPFAIL, as `scrapy crawl` exits on a busy archive
    assert len(result.stderr.splitlines()) == 1 and "in use by another crawl" in result.stderr
    assert not (target / "archive.db").exists()
