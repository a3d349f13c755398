"""The SQLite archive: schema by migrations, versions, fetches, runs, search, export rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.db import ArchiveError, open_archive, open_archive_readonly
from archive.migrations import migrations
from archive.models import Article, Fetch, WarcLocation
from archive.queries import EXPORT_FIELDS, ExportFilter, QueryError, export_rows, search
from archive.store import CHANGED, NEW, UNCHANGED, ArchiveStore, to_utc


def fetch(n: int, url: str = "https://example.com/a/") -> Fetch:
    return Fetch(
        url=url,
        method="GET",
        status=200,
        fetched_at=f"2026-11-29T10:00:0{n}.000+00:00",
        response=WarcLocation("NEWS-1.warc.gz", 1000 * n, 500, f"<urn:uuid:{n}>"),
        request_record_id=f"<urn:uuid:req-{n}>",
        payload_digest="sha1:AAAA",
    )


def article(text: str, **changes) -> Article:
    values = dict(
        url="https://example.com/a/",
        title="Peru extends partnership",
        author="Desk",
        published="2023-05-29T10:27:36-04:00",
        tags=["Peru", "Trafficking"],
        text=text,
    )
    values.update(changes)
    return Article(**values)


@pytest.fixture
def store(tmp_path: Path) -> ArchiveStore:
    store = ArchiveStore(open_archive(tmp_path / "archive"))
    store.start_run("news", {"url": "https://example.com/"})
    return store


def save(store: ArchiveStore, n: int, item: Article) -> str:
    fetch_id = store.record_fetch(fetch(n, item.url))
    return store.save_article(item, fetch_id, f"2026-11-29T10:00:0{n}.000+00:00")


def test_schema_is_made_by_recorded_migrations(tmp_path: Path) -> None:
    db = open_archive(tmp_path)
    assert [m.name for m in migrations.applied(db)] == [
        "m001_initial",
        "m002_site_boilerplate",
        "m003_incremental",
        "m004_site_lessons",
        "m005_extractor",
        "m006_requisites",
        "m007_published_month",
        "m008_authors",
        "m009_merged_runs",
        "m010_history_outcomes",
    ]
    tables = {"runs", "fetches", "articles", "versions", "articles_fts", "paragraphs", "recleans"}
    tables |= {"site_lessons", "site_rules", "reextractions"}
    assert tables <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    db = open_archive(tmp_path)
    assert [m.name for m in migrations.applied(db)] == [
        "m001_initial",
        "m002_site_boilerplate",
        "m003_incremental",
        "m004_site_lessons",
        "m005_extractor",
        "m006_requisites",
        "m007_published_month",
        "m008_authors",
        "m009_merged_runs",
        "m010_history_outcomes",
    ]
    assert migrations.pending(db) == []


def test_foreign_keys_are_enforced(store: ArchiveStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.save_article(article("text"), fetch_id=999, fetched_at="2026-11-29T10:00:00Z")


def test_first_capture_is_version_one(store: ArchiveStore) -> None:
    assert save(store, 1, article("First text.")) == NEW
    row = store.db["articles"].get(1)
    assert row["version_count"] == 1
    assert row["first_seen"] == row["last_seen"]
    assert store.db["versions"].count == 1


def test_same_text_again_adds_no_version(store: ArchiveStore) -> None:
    save(store, 1, article("First text."))
    assert save(store, 2, article("First text.", title="New headline")) == UNCHANGED
    row = store.db["articles"].get(1)
    assert row["version_count"] == 1
    assert row["title"] == "New headline"
    assert row["last_seen"].startswith("2026-11-29T10:00:02")
    assert store.db["versions"].count == 1


def test_changed_text_adds_a_version_and_keeps_the_old_one(store: ArchiveStore) -> None:
    save(store, 1, article("First text."))
    assert save(store, 2, article("Second text.")) == CHANGED
    versions = list(store.db["versions"].rows_where(order_by="version"))
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["text"] for v in versions] == ["First text.", "Second text."]
    assert store.db["articles"].get(1)["version_count"] == 2


def test_finish_run_counts_new_and_changed(store: ArchiveStore) -> None:
    save(store, 1, article("First text."))
    save(store, 2, article("Second text."))
    save(store, 3, article("Other.", url="https://example.com/b/"))
    store.finish_run("finished", "finished", {"item_scraped_count": 3})
    run = store.db["runs"].get(store.run_id)
    assert (run["fetch_count"], run["articles_new"], run["articles_changed"]) == (3, 2, 1)
    assert run["status"] == "finished"
    assert '"item_scraped_count": 3' in run["stats"]


def test_published_is_normalised_to_utc_for_filtering() -> None:
    assert to_utc("2023-05-29T22:27:36-04:00") == "2023-05-30T02:27:36+00:00"
    assert to_utc("2023-05-29") == "2023-05-29T00:00:00+00:00"
    assert to_utc("yesterday") is None


def test_export_latest_and_all_versions(store: ArchiveStore) -> None:
    save(store, 1, article("First text."))
    save(store, 2, article("Second text."))
    (latest,) = export_rows(store.db, ExportFilter())
    assert list(latest) == list(EXPORT_FIELDS)
    assert latest["version"] == 2
    assert latest["text"] == "Second text."
    assert latest["tags"] == ["Peru", "Trafficking"]
    assert latest["warc_offset"] == 2000
    assert latest["warc_record_id"] == "<urn:uuid:2>"
    every = list(export_rows(store.db, ExportFilter(all_versions=True)))
    assert [(r["version"], r["text"]) for r in every] == [(1, "First text."), (2, "Second text.")]


def test_export_filters_by_date_and_query(store: ArchiveStore) -> None:
    save(store, 1, article("Peru and the United States.", url="https://example.com/a/"))
    save(
        store,
        2,
        article("Football results.", url="https://example.com/b/", published="2023-04-02"),
    )
    urls = lambda **f: [r["url"] for r in export_rows(store.db, ExportFilter(**f))]  # noqa: E731
    assert urls(since="2023-05-01") == ["https://example.com/a/"]
    assert urls(until="2023-04-02") == ["https://example.com/b/"]
    assert urls(query="football") == ["https://example.com/b/"]
    with pytest.raises(QueryError):
        urls(since="29/05/2023")


def test_search_ranks_and_highlights(store: ArchiveStore) -> None:
    save(store, 1, article("Officials extended the partnership to combat child trafficking."))
    save(store, 2, article("Nothing relevant here.", url="https://example.com/b/", title="Other"))
    (hit,) = search(store.db, '"child trafficking"')
    assert hit.url == "https://example.com/a/"
    assert "[child trafficking]" in hit.snippet
    # what people type: an open quote closes at the end of the query
    (hit,) = search(store.db, '"child trafficking')
    assert hit.url == "https://example.com/a/"
    with pytest.raises(QueryError, match="empty"):
        search(store.db, " ")


def test_readonly_open_refuses_missing_or_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive"):
        open_archive_readonly(tmp_path / "missing")
    (tmp_path / "archive.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(ArchiveError):
        open_archive_readonly(tmp_path)


def test_readonly_open_cannot_write(store: ArchiveStore, tmp_path: Path) -> None:
    save(store, 1, article("Text."))
    reader = open_archive_readonly(tmp_path / "archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("delete from articles")


def test_a_finished_run_that_fetched_nothing_is_failed(store: ArchiveStore) -> None:
    assert store.finish_run("finished", "finished", {}) == "failed"
    assert store.db["runs"].get(store.run_id)["status"] == "failed"
