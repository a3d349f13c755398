"""Read-side queries over an archive: export rows, full-text search and statistics."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.db import ArchiveError, warc_dir

# The export contract (DESIGN.md): these fields, in this order, then a few extras.
EXPORT_FIELDS = (
    "url",
    "title",
    "author",
    "published",
    "modified",
    "language",
    "section",
    "tags",
    "text",
    "word_count",
    "version",
    "fetched_at",
    "content_sha256",
    "warc_filename",
    "warc_offset",
    "warc_record_id",
    "description",
    "image",
    "first_seen",
    "last_seen",
    "extractor",
)
# Export fields that a `versions` row holds too (the rest come from articles and fetches).
_NOT_IN_VERSIONS = {"url", "version", "fetched_at", "first_seen", "last_seen"}
_METADATA = tuple(
    name for name in EXPORT_FIELDS if name not in _NOT_IN_VERSIONS and not name.startswith("warc_")
)


class QueryError(ArchiveError):
    """A query the user wrote that SQLite cannot run (bad date, bad search syntax)."""


def parse_date_bound(value: str, *, end: bool = False) -> str:
    """Turn a --since/--until value into a UTC ISO bound; a bare date covers its whole day."""
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if end:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise QueryError(
            f"bad date {value!r}: use YYYY-MM-DD or an ISO 8601 time such as 2023-05-29T14:00"
        ) from None
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class ExportFilter:
    """Which articles an export includes."""

    since: str | None = None
    until: str | None = None
    query: str | None = None
    all_versions: bool = False


def _where(selection: ExportFilter) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    if selection.since:
        clauses.append("a.published_utc >= :since")
        params["since"] = parse_date_bound(selection.since)
    if selection.until:
        clauses.append("a.published_utc < :until")
        params["until"] = parse_date_bound(selection.until, end=True)
    if selection.query:
        clauses.append("a.id in (select rowid from articles_fts where articles_fts match :query)")
        params["query"] = selection.query
    return (" where " + " and ".join(clauses)) if clauses else "", params


def export_rows(db: Database, selection: ExportFilter) -> Iterator[dict[str, Any]]:
    """Articles as export records: the latest version of each, or every version."""
    source = "v" if selection.all_versions else "a"
    version = "v.version" if selection.all_versions else "a.version_count"
    columns = ", ".join(f"{source}.{name} as {name}" for name in _METADATA)
    where, params = _where(selection)
    sql = f"""
        select a.url as url, {columns}, {version} as version, f.fetched_at as fetched_at,
               f.warc_filename as warc_filename, f.warc_offset as warc_offset,
               f.warc_record_id as warc_record_id, a.first_seen as first_seen,
               a.last_seen as last_seen
        from articles a
        join versions v on v.article_id = a.id
             {"" if selection.all_versions else "and v.version = a.version_count"}
        join fetches f on f.id = v.fetch_id
        {where}
        order by a.published_utc is null, a.published_utc, a.id, v.version
    """
    try:
        cursor = db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            row["tags"] = json.loads(row["tags"]) if row["tags"] else []
            yield {name: row[name] for name in EXPORT_FIELDS}
    except sqlite3.OperationalError as exc:
        raise _export_error(selection, exc) from exc


def articles(
    db: Database,
    *,
    since: str | None = None,
    until: str | None = None,
    query: str | None = None,
    all_versions: bool = False,
) -> Iterator[dict[str, Any]]:
    """Articles as export records (EXPORT_FIELDS), filtered as `export` filters them."""
    return export_rows(db, ExportFilter(since, until, query, all_versions))


def _export_error(selection: ExportFilter, exc: sqlite3.OperationalError) -> QueryError:
    """The one-line error for a failed export; a bad --query is named as search names it."""
    if selection.query:  # the only part of an export a user can write wrong
        return QueryError(f"malformed search query {selection.query!r}: {exc}")
    return QueryError(f"cannot run this export: {exc}")


def count_export_rows(db: Database, selection: ExportFilter) -> int:
    """How many records `export_rows` will yield (for progress reporting)."""
    where, params = _where(selection)
    table = "versions v join articles a on a.id = v.article_id"
    if not selection.all_versions:
        table = "articles a"
    try:
        return db.execute(f"select count(*) from {table}{where}", params).fetchone()[0]
    except sqlite3.OperationalError as exc:
        raise _export_error(selection, exc) from exc


@dataclass
class SearchHit:
    """One ranked full-text search result."""

    url: str
    title: str | None
    published: str | None
    snippet: str
    rank: float


def search(db: Database, query: str, limit: int = 20) -> list[SearchHit]:
    """Articles matching an FTS5 query, best first, with a highlighted snippet."""
    sql = """
        select a.url, a.title, a.published,
               snippet(articles_fts, 1, '[', ']', ' … ', 16) as snippet,
               bm25(articles_fts) as rank
        from articles_fts join articles a on a.id = articles_fts.rowid
        where articles_fts match :query
        order by rank
        limit :limit
    """
    try:
        rows = db.execute(sql, {"query": query, "limit": limit}).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"malformed search query {query!r}: {exc}") from exc
    return [SearchHit(*row) for row in rows]


def _archive_dir_of(db: Database) -> Path:
    """The archive directory an open archive database lives in."""
    main = next(row[2] for row in db.execute("pragma database_list") if row[1] == "main")
    if not main:
        raise ArchiveError("this database has no file, so no archive directory")
    return Path(main).parent


def archive_stats(db: Database, archive_dir: str | Path | None = None) -> dict[str, Any]:
    """Counts that describe an archive: articles, versions, fetches, runs, WARC files,
    and the boilerplate learned per site."""

    def scalar(sql: str) -> Any:
        return db.execute(sql).fetchone()[0]

    if archive_dir is None:
        archive_dir = _archive_dir_of(db)
    warcs = sorted(warc_dir(archive_dir).glob("*.warc.gz"))
    last_run = db.execute(
        "select id, spider, started_at, finished_at, status, fetch_count, articles_new,"
        " articles_changed from runs order by id desc limit 1"
    ).fetchone()
    return {
        "articles": scalar("select count(*) from articles"),
        "versions": scalar("select count(*) from versions"),
        "fetches": scalar("select count(*) from fetches"),
        "fetches_by_status": dict(
            db.execute("select status, count(*) from fetches group by status order by status")
        ),
        "runs": scalar("select count(*) from runs"),
        "last_run": dict(
            zip(
                (
                    "id",
                    "spider",
                    "started_at",
                    "finished_at",
                    "status",
                    "fetches",
                    "articles_new",
                    "articles_changed",
                ),
                last_run,
                strict=True,
            )
        )
        if last_run
        else None,
        "published_first": scalar("select min(published_utc) from articles"),
        "published_last": scalar("select max(published_utc) from articles"),
        "words": scalar("select coalesce(sum(word_count), 0) from articles"),
        "sections": dict(
            db.execute(
                "select coalesce(section, '(none)'), count(*) from articles"
                " group by 1 order by 2 desc limit 10"
            )
        ),
        "warc_files": [{"name": p.name, "bytes": p.stat().st_size} for p in warcs],
        "boilerplate": [
            {"site": site, "text": text, "articles": count, "since": since}
            for site, text, count, since in db.execute(
                "select site, text, article_count, boilerplate_since from paragraphs"
                " where boilerplate_since is not null order by site, article_count desc"
            )
        ],
        "recleans": scalar("select count(*) from recleans"),
        "lessons": _lessons(db),
    } | ({"last_run_sites": _run_sites(db, last_run[0])} if last_run else {})


def _run_sites(db: Database, run_id: int) -> dict[str, dict[str, int]]:
    """Each site's counts in one run (archives from before multi-site crawls have none)."""
    if "site_counts" not in db["runs"].columns_dict:
        return {}
    (text,) = db.execute("select site_counts from runs where id = ?", [run_id]).fetchone()
    return json.loads(text) if text else {}


def _lessons(db: Database) -> list[dict[str, Any]]:
    """What crawls learned about each site: trap families cut, meaningless parameters."""
    if "site_lessons" not in db.table_names():
        return []
    rows = db.execute(
        "select site, kind, key, example, pages, run_id from site_lessons order by site, kind, key"
    )
    names = ("site", "kind", "key", "example", "pages", "run")
    return [dict(zip(names, row, strict=True)) for row in rows]
