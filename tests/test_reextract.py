"""`python -m archive reextract`: stored texts derived again from their own WARC records.

An archive made with a weaker rule set (every article cut after its third paragraph) is
crawled again with the site's real profile (the unchanged articles are not fetched, so
their texts stay weak), then re-extracted: it ends equal to a fresh crawl's archive.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.site.crawl import ROOT, crawl_command, run_crawl, sites_file
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e

ARTICLES = 60


def texts(archive: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(archive / "archive.db") as db:
        return {
            url: (text, title)
            for url, text, title in db.execute("select url, text, title from articles")
        }


def scalar(archive: Path, sql: str) -> int:
    with sqlite3.connect(archive / "archive.db") as db:
        return db.execute(sql).fetchone()[0]


def reextract_command(archive: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "archive", "reextract", str(archive), *options]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300
    )


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(weak, fresh): the weak archive after a second crawl with the real profile, and a
    fresh crawl's archive of the same site, made with the real profile."""
    folder = tmp_path_factory.mktemp("reextract")
    weak, fresh = folder / "weak", folder / "fresh"
    with ReplicaServer(articles=ARTICLES) as server:
        # an extractor that cut every article short after its third paragraph
        weak_rules = '[site.extraction]\nprune = ["p:nth-of-type(n+4)"]\n'
        sites = sites_file(folder, ("weak", server.base_url), extra=weak_rules)
        command = crawl_command("news", server.base_url + "/", weak, sites=sites)
        for done in (
            run(command),
            run_crawl("nationworldnews", server.base_url + "/", weak),
            run_crawl("nationworldnews", server.base_url + "/", fresh),
        ):
            assert done.returncode == 0, done.stderr[-2000:]
    return weak, fresh


def copy_of(archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(archive, target)
    (target / "crawl.lock").unlink(missing_ok=True)
    return target


def test_the_weak_archive_is_weak_after_a_crawl_with_the_real_profile(archives) -> None:
    weak, fresh = archives
    ours, theirs = texts(weak), texts(fresh)
    assert ours.keys() == theirs.keys() and len(ours) == ARTICLES
    # unchanged articles were not fetched again: their texts are still the weak rules'
    assert sum(ours[url] != theirs[url] for url in ours) > ARTICLES // 2


def test_a_dry_run_says_what_would_change_and_writes_nothing(archives, tmp_path) -> None:
    weak, _ = archives
    archive = copy_of(weak, tmp_path)
    before = texts(archive)
    # (the weak crawl's own end may have re-cleaned a text with the container it learned)
    recorded = scalar(archive, "select count(*) from reextractions")
    done = run(reextract_command(archive, "--dry-run"))
    assert done.returncode == 0, done.stderr
    assert "texts would change" in done.stdout and "Dry run: nothing was written." in done.stdout
    assert texts(archive) == before
    assert scalar(archive, "select count(*) from reextractions") == recorded


def test_reextracted_it_ends_equal_to_a_fresh_crawl(archives, tmp_path) -> None:
    weak, fresh = archives
    archive = copy_of(weak, tmp_path)
    versions = scalar(archive, "select count(*) from versions")
    done = run(reextract_command(archive))
    assert done.returncode == 0, done.stderr
    assert texts(archive) == texts(fresh)
    # not new versions: the site published nothing new; each change is recorded
    assert scalar(archive, "select count(*) from versions") == versions
    assert scalar(archive, "select count(*) from reextractions") > ARTICLES // 2
    made_by = {
        row
        for row in sqlite3.connect(archive / "archive.db").execute(
            "select distinct extractor from versions"
        )
    }
    assert made_by == {
        row
        for row in sqlite3.connect(fresh / "archive.db").execute(
            "select distinct extractor from versions"
        )
    }
    exported = run([sys.executable, "-m", "archive", "export", str(archive), "--format", "jsonl"])
    assert '"extractor": "' in exported.stdout
    # a second run finds nothing left to do
    again = run(reextract_command(archive))
    assert again.returncode == 0 and "Nothing to re-extract" in again.stdout


def test_killed_half_way_it_loses_nothing_and_resumes(archives, tmp_path) -> None:
    weak, fresh = archives
    archive = copy_of(weak, tmp_path)
    total = scalar(archive, "select count(*) from versions")
    recorded = scalar(archive, "select count(*) from reextractions")
    process = subprocess.Popen(
        reextract_command(archive, "--processes", "1"),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        with sqlite3.connect(archive / "archive.db", timeout=10) as db:
            if db.execute("select count(*) from reextractions").fetchone()[0] >= recorded + 3:
                break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    current = scalar(fresh, "select extractor from versions limit 1")
    made = scalar(archive, f"select count(*) from versions where extractor = '{current}'")
    assert 3 <= made < total, "the run ended before it could be killed"
    resumed = run(reextract_command(archive))
    assert resumed.returncode == 0, resumed.stderr
    # only what the killed run had not done, and nothing lost
    assert resumed.stdout.startswith(f"{total - made} versions re-extracted"), resumed.stdout
    assert texts(archive) == texts(fresh)


def test_a_missing_warc_file_keeps_the_text_and_exits_1(archives, tmp_path) -> None:
    weak, _ = archives
    archive = copy_of(weak, tmp_path)
    before = texts(archive)
    shutil.rmtree(archive / "warc")
    done = run(reextract_command(archive))
    assert done.returncode == 1
    assert "Kept as they were:" in done.stderr and "Traceback" not in done.stderr
    assert texts(archive) == before
