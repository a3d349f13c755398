"""The site teaches the body: a crawl of the Gazette (markup no rule was written for) with
the generic spider and no profile learns where its stories' text is, reads its later
pages there, re-cleans the stories read before, and keeps the lesson for the next crawl.
With learning switched off, the same crawl keeps the rail beside each story."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import archive_command
from tests.site.crawl import run_crawl
from tests.site.gazette import GazetteServer, build_gazette

pytestmark = pytest.mark.e2e

STORIES = 60


@pytest.fixture(scope="module")
def gazette() -> Iterator[GazetteServer]:
    with GazetteServer(build_gazette(STORIES)) as server:
        yield server


def rows(archive: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(archive / "archive.db") as db:
        return db.execute(sql).fetchall()


def wrong_texts(server: GazetteServer, archive: Path) -> list[str]:
    """Paths of the stories whose archived text is not the story's."""
    texts = dict(rows(archive, "select url, text from articles"))
    return [
        s.path
        for s in server.site.stories
        if texts.get(server.base_url + s.path) != s.expected_text
    ]


@pytest.fixture(scope="module")
def learned(gazette: GazetteServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    archive = tmp_path_factory.mktemp("gazette") / "archive"
    done = run_crawl("news", gazette.base_url + "/", archive)
    assert done.returncode == 0, done.stderr[-3000:]
    return archive, done.stderr


def test_every_story_exact_with_the_learned_container(
    gazette: GazetteServer, learned: tuple[Path, str]
) -> None:
    archive, log = learned
    assert len(rows(archive, "select id from articles")) == STORIES
    assert wrong_texts(gazette, archive) == []
    assert "its articles' text is in div.gz-copy" in log
    assert "Traceback" not in log


def test_the_stories_read_before_were_re_cleaned_in_place(learned: tuple[Path, str]) -> None:
    archive, log = learned
    assert "Re-cleaned" in log
    # a re-clean is recorded, and is not a new version: the site published nothing new
    assert rows(archive, "select count(*) from reextractions")[0][0] > 0
    assert rows(archive, "select max(version_count) from articles")[0][0] == 1
    extractors = {e for (e,) in rows(archive, "select distinct extractor from versions")}
    assert len(extractors) == 1  # every text made with the learned container


def test_the_lesson_is_kept_and_shown(learned: tuple[Path, str]) -> None:
    archive, _ = learned
    lessons = rows(archive, "select key from site_lessons where kind = 'body_container'")
    assert lessons == [("div.gz-copy",)]
    rules = rows(archive, "select rules from site_rules")[0][0]
    assert "div.gz-copy" in rules  # what `reextract` will read the site with
    shown = archive_command("stats", str(archive))
    assert shown.returncode == 0, shown.stderr
    assert "article text is in div.gz-copy" in shown.stdout


def test_a_rerun_starts_from_the_lesson(gazette: GazetteServer, tmp_path: Path) -> None:
    # an archive that holds one story and, as an earlier crawl would have left it, the
    # lesson: the next crawl reads every page within the container from the start
    archive = tmp_path / "archive"
    first = run_crawl("news", gazette.base_url + "/", archive, CLOSESPIDER_ITEMCOUNT="1")
    assert first.returncode == 0, first.stderr[-2000:]
    site = gazette.base_url.split("//", 1)[1]
    with sqlite3.connect(archive / "archive.db") as db:
        db.execute("delete from site_lessons where kind = 'body_container'")
        db.execute(
            """insert into site_lessons (site, kind, key, example, pages, run_id, learned_at)
               values (?, 'body_container', 'div.gz-copy', null, 5, null, '2026-01-01')""",
            [site],
        )
    again = run_crawl("news", gazette.base_url + "/", archive)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Learned on" not in again.stderr
    assert wrong_texts(gazette, archive) == []


@pytest.fixture(scope="module")
def unlearned(gazette: GazetteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Gazette crawled with learning switched off."""
    archive = tmp_path_factory.mktemp("unlearned") / "archive"
    done = run_crawl("news", gazette.base_url + "/", archive, LEARN_BODY_CONTAINER="False")
    assert done.returncode == 0, done.stderr[-2000:]
    return archive


def test_without_learning_the_rail_is_kept(gazette: GazetteServer, unlearned: Path) -> None:
    # the mechanism, switched off: what makes the texts exact above is the learning
    assert len(wrong_texts(gazette, unlearned)) > STORIES / 2
    kinds = rows(unlearned, "select count(*) from site_lessons where kind = 'body_container'")
    assert kinds == [(0,)]


def test_reextract_with_the_container_gives_back_what_the_rail_made_boilerplate(
    gazette: GazetteServer, unlearned: Path, tmp_path: Path
) -> None:
    # Each story's opening was in the rail of four other pages: five texts held it, so
    # the archive learned it as boilerplate and cut it from its own story too. Read within
    # the container, the rail's copies are gone, and the opening goes back to its story.
    archive = tmp_path / "archive"
    shutil.copytree(unlearned, archive)
    (archive / "crawl.lock").unlink(missing_ok=True)
    with sqlite3.connect(archive / "archive.db") as db:
        (rules,) = db.execute("select rules from site_rules").fetchone()
        given = json.loads(rules)
        db.execute(
            "update site_rules set rules = ?",
            [json.dumps({**given, "learned_container": ["div.gz-copy"]})],
        )
    done = archive_command("reextract", str(archive))
    assert done.returncode == 0, done.stderr
    assert "given back to the articles" in done.stdout
    assert wrong_texts(gazette, archive) == []
