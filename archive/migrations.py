"""Ordered schema migrations, recorded in the database; never edit one that has shipped."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from archive.sites import site_address

migrations = Migrations("news_archive")


@migrations()
def m001_initial(db: Database) -> None:
    """Create runs, fetches, articles and versions, with full-text search on articles."""
    db["runs"].create(
        {
            "id": int,
            "spider": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "finish_reason": str,
            "arguments": str,
            "hostname": str,
            "pid": int,
            "fetch_count": int,
            "articles_new": int,
            "articles_changed": int,
            "stats": str,
        },
        pk="id",
    )
    db["fetches"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "method": str,
            "status": int,
            "fetched_at": str,
            "content_type": str,
            "content_length": int,
            "payload_digest": str,
            "warc_type": str,
            "warc_filename": str,
            "warc_offset": int,
            "warc_length": int,
            "warc_record_id": str,
            "request_record_id": str,
            "etag": str,
            "last_modified": str,
            "location": str,
            "ip_address": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["warc_filename", "warc_offset"], unique=True)
    article_columns = {
        "title": str,
        "author": str,
        "published": str,
        "published_utc": str,
        "modified": str,
        "language": str,
        "section": str,
        "tags": str,
        "description": str,
        "image": str,
        "text": str,
        "word_count": int,
        "content_sha256": str,
    }
    db["articles"].create(
        {
            "id": int,
            "url": str,
            **article_columns,
            "version_count": int,
            "first_seen": str,
            "last_seen": str,
            "last_fetch_id": int,
        },
        pk="id",
        not_null={"url", "text"},
        foreign_keys=[("last_fetch_id", "fetches", "id")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["published_utc"])
    db["versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "fetch_id": int,
            "captured_at": str,
            **article_columns,
        },
        pk="id",
        not_null={"article_id", "version", "text"},
        foreign_keys=[("article_id", "articles", "id"), ("fetch_id", "fetches", "id")],
    )
    db["versions"].create_index(["article_id", "version"], unique=True)
    db["articles"].enable_fts(
        ["title", "text"], fts_version="FTS5", create_triggers=True, tokenize="porter"
    )


@migrations()
def m002_site_boilerplate(db: Database) -> None:
    """Group articles by site and learn each site's boilerplate paragraphs."""
    db["articles"].add_column("site", str)
    for row in list(db.query("select id, url from articles")):
        db["articles"].update(row["id"], {"site": site_address(row["url"])})
    db["articles"].create_index(["site"])
    db["paragraphs"].create(
        {
            "id": int,
            "site": str,
            "key": str,
            "text": str,
            "article_count": int,
            "first_seen": str,
            "boilerplate_since": str,
        },
        pk="id",
        not_null={"site", "key", "text"},
        defaults={"article_count": 0},
    )
    db["paragraphs"].create_index(["site", "key"], unique=True)
    db["paragraphs"].create_index(["site", "boilerplate_since"])
    db["article_paragraphs"].create(
        {"article_id": int, "paragraph_id": int},
        pk=("article_id", "paragraph_id"),
        foreign_keys=[("article_id", "articles", "id"), ("paragraph_id", "paragraphs", "id")],
    )
    db["article_paragraphs"].create_index(["paragraph_id"])
    db["recleans"].create(
        {
            "id": int,
            "article_id": int,
            "paragraph_id": int,
            "run_id": int,
            "cleaned_at": str,
            "versions_cleaned": int,
            "old_sha256": str,
            "new_sha256": str,
        },
        pk="id",
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("paragraph_id", "paragraphs", "id"),
            ("run_id", "runs", "id"),
        ],
    )
    db["recleans"].create_index(["article_id"])


@migrations()
def m003_incremental(db: Database) -> None:
    """Remember what incremental crawls need: gone articles, sitemap dates, revisits."""
    db["articles"].add_column("gone_at", str)
    db["articles"].add_column("gone_status", int)
    db["articles"].add_column("sitemap_lastmod", str)
    db["fetches"].add_column("refers_to_fetch_id", int, fk="fetches", fk_col="id")
    db["fetches"].create_index(["url", "status"])
    for column in ("articles_unchanged", "articles_gone", "revisits"):
        db["runs"].add_column(column, int)


@migrations()
def m004_site_lessons(db: Database) -> None:
    """Remember what crawls learned about each site: trap families, meaningless parameters."""
    db["site_lessons"].create(
        {
            "id": int,
            "site": str,
            "kind": str,
            "key": str,
            "example": str,
            "pages": int,
            "run_id": int,
            "learned_at": str,
        },
        pk="id",
        not_null={"site", "kind", "key", "learned_at"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["site_lessons"].create_index(["site", "kind", "key"], unique=True)
    # one crawl may take many sites: each site's counts, as JSON
    db["runs"].add_column("site_counts", str)


@migrations()
def m005_extractor(db: Database) -> None:
    """Which extractor made each text, the rules each site was last crawled with, and the
    re-extractions of stored captures from their WARC records."""
    for table in ("articles", "versions"):
        db[table].add_column("extractor", str)
    db["site_rules"].create(
        {"site": str, "rules": str, "run_id": int, "recorded_at": str},
        pk="site",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["reextractions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "reextracted_at": str,
            "old_extractor": str,
            "new_extractor": str,
            "old_sha256": str,
            "new_sha256": str,
            "words_gained": int,
            "words_lost": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["reextractions"].create_index(["article_id"])


@migrations()
def m006_requisites(db: Database) -> None:
    """Which fetches were page requisites (stylesheets, scripts, images, fonts) rather
    than pages."""
    db["fetches"].add_column("requisite", int, not_null_default=0)


@migrations()
def m007_published_month(db: Database) -> None:
    """The month an article was published (YYYY-MM, UTC), computed from `published_utc`:
    what Datasette facets and people group by."""
    db.execute(
        "alter table articles add column published_month text "
        "generated always as (substr(published_utc, 1, 7)) virtual"
    )


@migrations()
def m008_authors(db: Database) -> None:
    """Each article's and version's authors as a JSON list, each name as the page gives it
    (`author` joins them with ", ", which a name such as "Smith, Jr." makes ambiguous).
    Left null for texts stored before: export derives those from `author`."""
    for table in ("articles", "versions"):
        db[table].add_column("authors", str)


@migrations()
def m009_merged_runs(db: Database) -> None:
    """The runs `python -m archive merge` brought in from other archives (each crawl
    worker's shard): the run, the archive it came from and when. A run is known by its
    hostname, pid and start time, so that merging a shard again skips what it merged."""
    db["merged_runs"].create(
        {
            "hostname": str,
            "pid": int,
            "started_at": str,
            "run_id": int,
            "shard": str,
            "shard_run_id": int,
            "merged_at": str,
        },
        pk=("hostname", "pid", "started_at"),
        not_null={"run_id", "shard", "merged_at"},
        foreign_keys=[("run_id", "runs", "id")],
    )


@migrations()
def m010_history_outcomes(db: Database) -> None:
    """What a crawl reading its history from another archive (a shared crawl's worker,
    whose shard starts empty) found of articles only that archive holds: unchanged (a 304
    or the same bytes) or gone (404/410), for `merge` to apply to them; and, for a revisit
    whose original capture is in that archive, the WARC-Record-ID it refers to."""
    db["history_outcomes"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "outcome": str,
            "status": int,
            "fetch_id": int,
            "fetched_at": str,
            "sitemap_lastmod": str,
        },
        pk="id",
        not_null={"url", "outcome", "fetched_at"},
        foreign_keys=[("run_id", "runs", "id"), ("fetch_id", "fetches", "id")],
    )
    db["history_outcomes"].create_index(["url"])
    db["fetches"].add_column("refers_to_record_id", str)
