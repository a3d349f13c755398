"""Learning a site's own boilerplate in the archive, and re-cleaning what was stored before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.boilerplate import (
    MIN_ARTICLES,
    normalise,
    paragraph_key,
    strip_paragraphs,
    threshold,
)
from archive.db import db_path, open_archive
from archive.migrations import migrations
from archive.models import Article, Fetch, WarcLocation
from archive.queries import ExportFilter, export_rows, search
from archive.store import CHANGED, EMPTY, NEW, UNCHANGED, ArchiveStore

PROMO = "Follow us on Google News for the latest updates!"


class Site:
    """A store plus a counter, so every capture gets its own fetch row and time."""

    def __init__(self, store: ArchiveStore):
        self.store = store
        self.n = 0

    def save(self, url: str, text: str) -> str:
        self.n += 1
        at = f"2026-11-29T10:{self.n // 60:02d}:{self.n % 60:02d}.000+00:00"
        fetch = Fetch(
            url=url,
            method="GET",
            status=200,
            fetched_at=at,
            response=WarcLocation("NEWS-1.warc.gz", 1000 * self.n, 500, f"<urn:uuid:{self.n}>"),
            request_record_id=f"<urn:uuid:req-{self.n}>",
        )
        fetch_id = self.store.record_fetch(fetch)
        return self.store.save_article(Article(url=url, title=url, text=text), fetch_id, at)


def body(n: int) -> str:
    return f"Story {n} opens with its own lede.\nStory {n} then says something else."


@pytest.fixture
def site(tmp_path: Path) -> Site:
    store = ArchiveStore(open_archive(tmp_path / "archive"))
    store.start_run("news", {})
    return Site(store)


def texts(db: Database) -> dict[str, str]:
    return {row["url"]: row["text"] for row in db.query("select url, text from articles")}


# --- paragraphs and thresholds ---------------------------------------------------------


def test_normalise_ignores_case_spacing_and_unicode_forms() -> None:
    assert normalise("  Follow  US\u00a0on\tGoogle ") == "follow us on google"
    assert paragraph_key("ﬁnal Word") == paragraph_key("FINAL word")
    assert paragraph_key("one") != paragraph_key("two")


def test_strip_drops_only_paragraphs_with_those_keys() -> None:
    text = f"First.\n{PROMO}\nLast."
    assert strip_paragraphs(text, {paragraph_key(PROMO.upper())}) == "First.\nLast."
    assert strip_paragraphs(text, set()) == text


@pytest.mark.parametrize(
    ("articles", "needed"), [(1, 5), (5, 5), (250, 5), (251, 6), (1000, 20), (20000, 400)]
)
def test_threshold_is_five_articles_and_two_percent(articles: int, needed: int) -> None:
    assert threshold(articles) == needed


# --- learning ----------------------------------------------------------------------------


def test_paragraph_in_fewer_articles_than_the_minimum_is_kept(site: Site) -> None:
    for n in range(MIN_ARTICLES - 1):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    assert all(text.endswith(PROMO) for text in texts(site.store.db).values())
    assert site.store.boilerplate.keys("example.com") == frozenset()


def test_paragraph_in_enough_articles_is_learned_and_earlier_ones_recleaned(site: Site) -> None:
    for n in range(MIN_ARTICLES):
        assert site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}") == NEW
    db = site.store.db
    assert texts(db) == {f"https://example.com/{n}/": body(n) for n in range(MIN_ARTICLES)}
    # versions are re-cleaned too, and a re-clean adds no version
    versions = list(db.query("select version, text from versions"))
    assert [v["version"] for v in versions] == [1] * MIN_ARTICLES
    assert not any(PROMO in v["text"] for v in versions)
    learned = list(db.query("select * from paragraphs where boilerplate_since is not null"))
    assert [(p["text"], p["article_count"], p["site"]) for p in learned] == [
        (PROMO, MIN_ARTICLES, "example.com")
    ]
    recleans = list(db.query("select * from recleans"))
    assert len(recleans) == MIN_ARTICLES
    assert all(r["run_id"] == site.store.run_id and r["versions_cleaned"] == 1 for r in recleans)
    assert all(r["old_sha256"] != r["new_sha256"] for r in recleans)


def test_word_count_and_digest_follow_the_reclean(site: Site) -> None:
    for n in range(MIN_ARTICLES):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    row = next(site.store.db.query("select * from articles limit 1"))
    expected = Article(url=row["url"], text=row["text"])
    assert (row["word_count"], row["content_sha256"]) == (
        expected.word_count,
        expected.content_sha256,
    )


def test_learned_boilerplate_is_stripped_from_new_articles(site: Site) -> None:
    for n in range(MIN_ARTICLES):
        site.save(f"https://example.com/{n}/", f"{PROMO}\n{body(n)}")
    site.save("https://example.com/new/", f"{PROMO}\n{body(99)}")
    assert texts(site.store.db)["https://example.com/new/"] == body(99)
    assert site.store.db.execute("select count(*) from recleans").fetchone()[0] == MIN_ARTICLES


def test_recapture_of_an_unchanged_page_is_not_a_new_version(site: Site) -> None:
    for n in range(MIN_ARTICLES):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    assert site.save("https://example.com/0/", f"{body(0)}\n{PROMO}") == UNCHANGED
    assert site.save("https://example.com/0/", f"{body(0)} Updated.\n{PROMO}") == CHANGED
    db = site.store.db
    rows = list(db.query("select version, text from versions where article_id = 1"))
    assert [(r["version"], r["text"]) for r in rows] == [
        (1, body(0)),
        (2, f"{body(0)} Updated."),
    ]


def test_boilerplate_is_learned_per_site(site: Site) -> None:
    for n in range(MIN_ARTICLES - 1):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
        site.save(f"https://other.example/{n}/", f"{body(n)}\n{PROMO}")
    assert all(text.endswith(PROMO) for text in texts(site.store.db).values())


def test_share_of_a_large_site_is_required(site: Site) -> None:
    for n in range(300):
        site.save(f"https://example.com/{n}/", body(n))
    # 300 articles: 2% is 6 articles, so 5 are not enough
    for n in range(5):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    assert site.store.boilerplate.keys("example.com") == frozenset()
    site.save("https://example.com/5/", f"{body(5)}\n{PROMO}")
    assert site.store.boilerplate.keys("example.com") == {paragraph_key(PROMO)}


def test_a_paragraph_dropped_from_an_article_is_no_longer_counted(site: Site) -> None:
    for n in range(MIN_ARTICLES - 1):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    site.save("https://example.com/0/", body(0))  # the editor removed it
    site.save("https://example.com/9/", f"{body(9)}\n{PROMO}")
    assert site.store.boilerplate.keys("example.com") == frozenset()
    count = site.store.db.execute(
        "select article_count from paragraphs where text = ?", [PROMO]
    ).fetchone()[0]
    assert count == MIN_ARTICLES - 1


def test_a_page_of_nothing_but_boilerplate_is_not_stored(site: Site) -> None:
    for n in range(MIN_ARTICLES):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    assert site.save("https://example.com/promo-only/", PROMO) == EMPTY
    assert "https://example.com/promo-only/" not in texts(site.store.db)


def test_search_and_export_see_the_recleaned_text(site: Site) -> None:
    for n in range(MIN_ARTICLES):
        site.save(f"https://example.com/{n}/", f"{body(n)}\n{PROMO}")
    db = site.store.db
    assert search(db, "Google") == []
    exported = list(export_rows(db, ExportFilter(all_versions=True)))
    assert len(exported) == MIN_ARTICLES
    assert not any(PROMO in row["text"] for row in exported)


def test_migration_gives_existing_articles_their_site(tmp_path: Path) -> None:
    db = Database(db_path(tmp_path))
    migrations.apply(db, stop_before="m002_site_boilerplate")
    db["articles"].insert(
        {"url": "https://www.example.com:443/a/", "text": "x", "tags": json.dumps([])}
    )
    db.close()
    db = open_archive(tmp_path)
    assert db.execute("select site from articles").fetchone()[0] == "example.com"
