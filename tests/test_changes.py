"""`python -m archive changes`: what a run added, changed and found gone; `stats` counts gone.

A small archive written through the store checks the lists, the word counts and the errors;
the replica crawled in its two states checks them against what the replica itself changed.
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.changes import run_changes
from archive.cli import cli
from archive.db import open_archive, open_archive_readonly
from archive.history import word_changes
from archive.models import Article, Fetch, WarcLocation
from archive.store import ArchiveStore, utc_now
from tests.site.content import Site
from tests.site.crawl import run_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

PERU = "https://example.com/peru/"
CUP = "https://example.com/cup/"
VOTE = "https://example.com/vote/"
STRIKE = "https://example.com/strike/"
FLOOD = "https://example.com/flood/"
STORM = "https://example.com/storm/"
PERU_1 = "Lima, 29 May.\nPeru and the US will fight child trafficking."
# "the US" out, "Chile" in, and a new paragraph of four words
PERU_2 = "Lima, 29 May.\nPeru and Chile will fight child trafficking.\nBolivia may join later."


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


class Crawl:
    """One run written through the store, as a crawl writes it, with distinct capture ids."""

    count = 0

    def __init__(self, store: ArchiveStore) -> None:
        self.store = store

    def __enter__(self) -> Crawl:
        self.store.start_run("news", {})
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.finish_run("finished", "finished", {})

    def _fetch(self, url: str, status: int) -> tuple[int, str]:
        Crawl.count += 1
        n, at = Crawl.count, utc_now()
        location = WarcLocation("NEWS-1.warc.gz", n * 100, 50, f"<urn:uuid:{n}>")
        fetch = Fetch(url, "GET", status, at, location, f"<urn:uuid:r{n}>")
        return self.store.record_fetch(fetch), at

    def capture(self, url: str, title: str, text: str) -> None:
        fetch_id, at = self._fetch(url, 200)
        self.store.save_article(Article(url=url, title=title, text=text), fetch_id, at)

    def gone(self, url: str, status: int) -> None:
        _, at = self._fetch(url, status)
        self.store.mark_gone(url, status, at)


@pytest.fixture
def two_runs(tmp_path: Path) -> Path:
    """Run 1 adds four articles; run 2 adds one, changes Peru, finds the vote and strike gone."""
    store = ArchiveStore(open_archive(tmp_path))
    with Crawl(store) as crawl:
        crawl.capture(PERU, "Peru fights trafficking", PERU_1)
        crawl.capture(CUP, "Cup final", "The cup final ended in a draw.")
        crawl.capture(VOTE, "Peru votes", "Peru votes today.")
        crawl.capture(STRIKE, "Strike", "The strike goes on.")
    with Crawl(store) as crawl:
        crawl.capture(PERU, "Peru and Chile fight trafficking", PERU_2)
        crawl.capture(CUP, "Cup final", "The cup final ended in a draw.")
        crawl.capture(FLOOD, "Flood", "The river rose.")
        crawl.gone(VOTE, 410)
        crawl.gone(STRIKE, 404)
    store.db.close()
    return tmp_path


def changes_json(archive: Path, *args: str) -> dict:
    result = run("changes", str(archive), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_latest_run_added_changed_and_gone(two_runs: Path) -> None:
    found = changes_json(two_runs)
    assert [r["id"] for r in found["runs"]] == [2]
    assert [a["url"] for a in found["added"]] == [FLOOD]
    ((peru,),) = [found["changed"]]
    assert peru["url"] == PERU
    assert peru["title"] == "Peru and Chile fight trafficking"
    assert (peru["from_version"], peru["to_version"]) == (1, 2)
    assert (peru["words_added"], peru["words_removed"]) == (5, 2)
    assert {g["url"]: g["gone_status"] for g in found["gone"]} == {STRIKE: 404, VOTE: 410}


def test_the_latest_crawl_is_every_worker_run_of_a_shared_crawl(two_runs: Path) -> None:
    # a third run, and the second made to overlap it: two workers of one shared crawl,
    # their shards merged into one archive (each recorded its own run)
    store = ArchiveStore(open_archive(two_runs))
    with Crawl(store) as crawl:
        crawl.capture(STORM, "Storm", "The storm passed.")
    with store.db.atomic():
        (ended,) = store.db.execute("select finished_at from runs where id = 3").fetchone()
        store.db.execute("update runs set finished_at = ? where id = 2", [ended])
    store.db.close()
    found = changes_json(two_runs)
    assert [r["id"] for r in found["runs"]] == [2, 3]
    assert {a["url"] for a in found["added"]} == {FLOOD, STORM}
    assert {g["url"] for g in found["gone"]} == {VOTE, STRIKE}
    heading = run("changes", str(two_runs)).stdout.splitlines()[0]
    assert heading.startswith("2 runs of the latest crawl (news), #2 to #3: ")
    # runs one after the other stay apart: run 1 ended before run 2 began
    assert [r["id"] for r in changes_json(two_runs, "--run", "1")["runs"]] == [1]


def test_run_1_lists_every_article_as_added(two_runs: Path) -> None:
    found = changes_json(two_runs, "--run", "1")
    assert [a["url"] for a in found["added"]] == sorted([PERU, CUP, VOTE, STRIKE])
    assert (found["changed"], found["gone"]) == ([], [])


def test_since_takes_every_run_from_that_date(two_runs: Path) -> None:
    found = changes_json(two_runs, "--since", "2000-01-01")
    assert [r["id"] for r in found["runs"]] == [1, 2]
    assert {a["url"] for a in found["added"]} == {PERU, CUP, VOTE, STRIKE, FLOOD}
    assert [c["url"] for c in found["changed"]] == [PERU]
    assert len(found["gone"]) == 2


def test_since_after_the_last_run_says_so(two_runs: Path) -> None:
    result = run("changes", str(two_runs), "--since", "2999-01-01")
    assert result.exit_code == 0
    assert result.stdout.startswith("No runs since 2999-01-01")
    assert changes_json(two_runs, "--since", "2999-01-01")["runs"] == []


def test_text_output_has_the_three_sections_and_a_diff_hint(two_runs: Path) -> None:
    result = run("changes", str(two_runs))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Run #2 (news, finished): ")
    assert lines[1] == "1 added, 1 changed, 2 gone"
    assert f"  {FLOOD}  Flood" in lines
    assert f"  +5  -2 words  v1->v2  {PERU}  Peru and Chile fight trafficking" in lines
    assert f"  404  {STRIKE}  Strike" in lines
    hint = lines[-1]
    assert hint.endswith(f"python -m archive show {two_runs} {PERU} --from 1 --to 2")
    command = hint.split("python -m archive ", 1)[1].split()
    diff = run(*command)
    assert diff.exit_code == 0
    assert "+Bolivia may join later." in diff.stdout.splitlines()


def test_an_archive_without_runs_says_so(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    result = run("changes", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout.startswith("No runs in ")
    assert changes_json(tmp_path) == {
        "runs": [],
        "since": None,
        "added": [],
        "changed": [],
        "gone": [],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--run", "1", "--since", "2026-01-01"), "cannot be combined"),
        (("--run", "7"), "no run #7 in this archive: its runs are #1 to #2"),
        (("--since", "last week"), "bad date 'last week'"),
        (("--since", "2026-02-30"), "bad date"),
        (("--run", "two"), "Invalid value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    two_runs: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("changes", str(two_runs), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_an_unknown_run_in_an_archive_without_runs(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    result = run("changes", str(tmp_path), "--run", "1")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("no run #1 in this archive: it has no runs")


def test_word_changes_counts_words_within_the_changed_paragraphs() -> None:
    assert word_changes(PERU_1, PERU_2) == (5, 2)
    assert word_changes(PERU_1, PERU_1) == (0, 0)
    assert word_changes("a b\nc d", "c d\na b") == (2, 2)  # a paragraph moved: out and in


def test_stats_counts_gone_articles(two_runs: Path) -> None:
    figures = json.loads(run("stats", str(two_runs), "--json").stdout)
    assert (figures["gone"], figures["gone_by_status"]) == (2, {"404": 1, "410": 1})
    lines = run("stats", str(two_runs)).stdout.splitlines()
    assert "Gone:      2 articles (404: 1, 410: 1)" in lines


def test_stats_of_an_archive_with_nothing_gone(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    assert "Gone:      0 articles" in run("stats", str(tmp_path)).stdout.splitlines()


# The replica in its two states -----------------------------------------------------------


@dataclass
class Replica:
    """The replica crawled in its first state, then in its second, into one archive."""

    base: str
    first: Site
    second: Site
    archive: Path

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def replica(tmp_path_factory) -> Replica:
    archive = tmp_path_factory.mktemp("archive")
    with ReplicaServer(articles=100) as server:
        first = server.site
        for step in range(2):
            if step == 1:
                time.sleep(1)  # the two runs' times apart, as a day would keep them
                server.site = evolve_site(first)
            result = run_crawl("news", server.base_url + "/", archive, timeout=300)
            assert result.returncode == 0, result.stderr[-3000:]
        return Replica(server.base_url, first, server.site, archive)


def difflib_words(old: str, new: str) -> tuple[int, int]:
    """Words inserted and deleted by a plain word diff of two whole texts."""
    matcher = difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False)
    added = removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


@pytest.mark.e2e
def test_replica_second_state_lists_equal_the_replicas_own_changes(replica: Replica) -> None:
    found = changes_json(replica.archive)
    changes = replica.second.changes
    assert [r["id"] for r in found["runs"]] == [2]
    assert {a["url"] for a in found["added"]} == {replica.url(p) for p in changes.new}
    assert {c["url"] for c in found["changed"]} == {replica.url(p) for p in changes.changed}
    assert {g["url"]: g["gone_status"] for g in found["gone"]} == {
        replica.url(path): status for path, status in changes.deleted.items()
    }
    titles = {replica.url(a.path): a.title for a in replica.second.articles}
    assert all(a["title"] == titles[a["url"]] for a in found["added"])


@pytest.mark.e2e
def test_replica_words_added_and_removed_match_a_difflib_count(replica: Replica) -> None:
    found = {c["url"]: c for c in changes_json(replica.archive)["changed"]}
    before = {a.path: a.expected_text for a in replica.first.articles}
    after = {a.path: a.expected_text for a in replica.second.articles}
    for path in replica.second.changes.changed:
        changed = found[replica.url(path)]
        assert (changed["from_version"], changed["to_version"]) == (1, 2)
        expected = difflib_words(before[path], after[path])
        assert (changed["words_added"], changed["words_removed"]) == expected, path
        assert changed["words_added"] > 0  # an update paragraph or a quote went in


@pytest.mark.e2e
def test_replica_run_1_lists_every_first_crawl_article_as_added(replica: Replica) -> None:
    found = changes_json(replica.archive, "--run", "1")
    assert {a["url"] for a in found["added"]} == {
        replica.url(a.path) for a in replica.first.articles
    }
    assert (found["changed"], found["gone"]) == ([], [])


@pytest.mark.e2e
def test_replica_since_the_first_day_covers_both_runs(replica: Replica) -> None:
    with open_archive_readonly(replica.archive).conn as conn:
        (first_day,) = conn.execute("select substr(min(started_at), 1, 10) from runs").fetchone()
    found = changes_json(replica.archive, "--since", first_day)
    changes = replica.second.changes
    assert [r["id"] for r in found["runs"]] == [1, 2]
    every = {a.path for a in replica.first.articles} | set(changes.new)
    assert {a["url"] for a in found["added"]} == {replica.url(p) for p in every}
    assert {c["url"] for c in found["changed"]} == {replica.url(p) for p in changes.changed}
    assert len(found["gone"]) == len(changes.deleted)
    with open_archive_readonly(replica.archive).conn as conn:
        (second,) = conn.execute("select started_at from runs where id = 2").fetchone()
    # a time with its seconds (the bound drops milliseconds): the second run alone
    assert changes_json(replica.archive, "--since", second) == {
        **changes_json(replica.archive),
        "since": second,
    }


@pytest.mark.e2e
def test_replica_text_output_and_the_api_agree(replica: Replica) -> None:
    result = run("changes", str(replica.archive))
    assert result.exit_code == 0, result.output
    found = run_changes(open_archive_readonly(replica.archive))
    out = result.stdout
    for heading, rows in (("Added", found.added), ("Changed", found.changed)):
        assert f"{heading} ({len(rows)})" in out
    assert f"Gone ({len(found.gone)})" in out
    assert all(g.url in out for g in found.gone)
    assert "--from 1 --to 2" in out.splitlines()[-1]
