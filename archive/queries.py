"""Read-side queries over an archive: export rows, full-text search and statistics."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.db import ArchiveError, warc_dir
from archive.sites import site_address

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
    "site",
    "authors",
    "gone_at",
)
# Export fields that a `versions` row holds too (the rest come from articles and fetches).
_NOT_IN_VERSIONS = {"url", "version", "fetched_at", "first_seen", "last_seen", "site", "gone_at"}
# What may follow a comma inside one name ("Smith, Jr."): only `author` strings stored
# before `authors` was need it, to be split back into names.
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})
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
    """Which articles an export includes; several sites, sections or languages are ORed."""

    since: str | None = None
    until: str | None = None
    query: str | None = None
    all_versions: bool = False
    site: Sequence[str] = ()
    section: Sequence[str] = ()
    language: Sequence[str] = ()
    exclude_gone: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The filter as plain JSON values (for an export's data card)."""
        values = asdict(self)
        for name in ("site", "section", "language"):
            values[name] = _listed(values[name])
        return values


def _site_key(value: str) -> str:
    """A --site value as `articles.site` holds it: a URL, or a host with or without www."""
    value = value.strip()
    return site_address(value) if "://" in value else value.lower().removeprefix("www.")


def _language_key(value: str) -> str:
    return value.strip().lower().replace("_", "-")


def _any_of(
    column: str, name: str, values: list[str], params: dict[str, Any], function: str = ""
) -> str:
    """`column` equal to one of the values (named :name0, :name1, ..., each passed through
    the SQL `function` if one is named), as one clause."""
    marks = []
    for n, value in enumerate(values):
        params[f"{name}{n}"] = value
        marks.append(f"{function}(:{name}{n})" if function else f":{name}{n}")
    return f"{column} in ({', '.join(marks)})"


def _where(selection: ExportFilter) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    if selection.since:
        clauses.append("a.published_utc >= :since")
        params["since"] = parse_date_bound(selection.since)
    if selection.until:
        clauses.append("a.published_utc < :until")
        params["until"] = parse_date_bound(selection.until, end=True)
    if selection.since and selection.until and params["since"] >= params["until"]:
        # said, not answered with an empty export that looks like an empty archive
        raise QueryError(
            f"empty date range: since {selection.since} is after until {selection.until}"
            if params["since"] > params["until"]
            else f"empty date range: since {selection.since} and until {selection.until} "
            "leave no time between them"
        )
    if selection.query:
        clauses.append("a.id in (select rowid from articles_fts where articles_fts match :query)")
        # read as `search` reads it: words as typed, FTS5 syntax where it is used
        params["query"] = fts5_query(selection.query)
    if selection.site:
        sites = [_site_key(value) for value in _listed(selection.site)]
        clauses.append(_any_of("a.site", "site", sites, params))
    if selection.section:
        # SQLite's lower() on both sides, so that a section is matched as it is stored
        sections = [value.strip() for value in _listed(selection.section)]
        clauses.append(_any_of("lower(a.section)", "section", sections, params, "lower"))
    if selection.language:
        # "en" takes en, en-US, en_GB...: pages name languages with or without a region
        language = "replace(lower(a.language), '_', '-')"
        tests = []
        for n, value in enumerate(_listed(selection.language)):
            params[f"language{n}"] = _language_key(value)
            tests.append(
                f"{language} = :language{n} or "
                f"substr({language}, 1, length(:language{n}) + 1) = :language{n} || '-'"
            )
        clauses.append(f"({' or '.join(tests)})")
    if selection.exclude_gone:
        clauses.append("a.gone_at is null")
    return (" where " + " and ".join(clauses)) if clauses else "", params


def _listed(values: str | Sequence[str]) -> list[str]:
    """A filter's values as a list: one string is one value."""
    return [values] if isinstance(values, str) else list(values)


def split_authors(author: str | None) -> list[str]:
    """The names in a joined `author` string, for rows stored without `authors`: split at
    ", " except before a name suffix ("Smith, Jr." stays one name)."""
    names: list[str] = []
    for part in (author or "").split(", "):
        part = part.strip()
        if names and part.lower().replace(".", "") in _NAME_SUFFIXES:
            names[-1] += f", {part}"
        elif part:
            names.append(part)
    return names


def export_rows(db: Database, selection: ExportFilter) -> Iterator[dict[str, Any]]:
    """Articles as export records: the latest version of each, or every version."""
    source = "v" if selection.all_versions else "a"
    version = "v.version" if selection.all_versions else "a.version_count"
    # an archive opened read-only is not migrated: columns added since may be missing
    present = db["versions" if selection.all_versions else "articles"].columns_dict
    columns = ", ".join(
        f"{source}.{name} as {name}" if name in present else f"null as {name}" for name in _METADATA
    )
    where, params = _where(selection)
    sql = f"""
        select a.url as url, {columns}, {version} as version, f.fetched_at as fetched_at,
               f.warc_filename as warc_filename, f.warc_offset as warc_offset,
               f.warc_record_id as warc_record_id, a.first_seen as first_seen,
               a.last_seen as last_seen, a.site as site, a.gone_at as gone_at
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
            row["authors"] = (
                json.loads(row["authors"])
                if row["authors"] is not None
                else split_authors(row["author"])  # stored before `authors` was
            )
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
    site: str | Sequence[str] = (),
    section: str | Sequence[str] = (),
    language: str | Sequence[str] = (),
    exclude_gone: bool = False,
) -> Iterator[dict[str, Any]]:
    """Articles as export records (EXPORT_FIELDS), filtered as `export` filters them."""
    return export_rows(
        db,
        ExportFilter(since, until, query, all_versions, site, section, language, exclude_gone),
    )


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


# Reading a typed query as FTS5 (https://sqlite.org/fts5.html#full_text_query_syntax): a
# quoted phrase runs to its closing quote ("" is a quote inside it) or, left open, to the
# end; parentheses group; inside NEAR(...) a comma comes before the distance; anything else
# up to a space, quote or parenthesis is a term (so "12,700" and "U.S." stay whole).
_QUOTED = re.compile(r'"(?:[^"]|"")*("\*?)?')
_TERM = re.compile(r'[^\s"()]+')
_NEAR_TERM = re.compile(r'[^\s"(),]+')
# What FTS5 takes unquoted: ASCII letters and digits, "_", \x1a and any non-ASCII character.
_BAREWORD = re.compile(r"[A-Za-z0-9_\x1a\x80-\U0010ffff]+\*?")
_OPERATORS = {"AND", "OR", "NOT"}


def fts5_query(text: str, columns: Collection[str] = ("title", "text")) -> str:
    """A typed search query as FTS5: terms FTS5 would reject quoted, its own syntax kept.

    Words with hyphens, dots, apostrophes or commas ("covid-19", "U.S.", "don't", "12.7")
    become quoted strings, which the tokenizer splits as it split the text, so they match
    as phrases ("covid 19"); a trailing * stays outside the quotes as a prefix. AND, OR,
    NOT, NEAR(...), parentheses, "quoted phrases", prefix* and `column:` filters on one of
    `columns` pass through. FTS5's rarer ^ and + are read as words.
    """
    parts, near, pos = [], False, 0
    columns = {name.lower() for name in columns}
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        if char == '"':
            match = _QUOTED.match(text, pos)
            part = match.group() if match.group(1) else match.group() + '"'
            pos = match.end()
        elif char in "()" or (near and char == ","):
            part, pos = char, pos + 1
            near = near and char != ")"
        else:
            part = (_NEAR_TERM if near else _TERM).match(text, pos).group()
            pos += len(part)
            near = near or (part == "NEAR" and text[pos:].lstrip().startswith("("))
            part = _fts5_term(part, columns)
        parts.append(part)
    return " ".join(parts)


def _fts5_term(term: str, columns: set[str]) -> str:
    """One term of a typed query as FTS5: an operator, a column filter, a bareword or a string."""
    if term in _OPERATORS or _BAREWORD.fullmatch(term):
        return term
    column, colon, rest = term.partition(":")
    if colon and column.removeprefix("-").lower() in columns:
        # an empty rest filters the phrase or group that follows: title:"a b", title:(a OR b)
        return f"{column}:{_fts5_term(rest, columns) if rest else ''}"
    word = term.rstrip("*") or term
    return _fts5_string(word) + ("*" if word != term else "")


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def plain_words_query(text: str) -> str:
    """A typed search query as FTS5 with every space-separated term quoted: no syntax at all."""
    return " ".join(_fts5_string(word) for word in text.split())


def _run_search(db: Database, sql: str, query: str, **params: Any) -> list[tuple]:
    """Rows of a full-text query over what the user typed: read as FTS5 where it uses FTS5
    syntax, else (SQLite rejected that reading) as plain words."""
    if not query.split():
        raise QueryError(f"empty search query {query!r}: give a word to look for")
    columns = [row[0] for row in db.execute("select name from pragma_table_info('articles_fts')")]
    error = None
    for expression in dict.fromkeys((fts5_query(query, columns), plain_words_query(query))):
        try:
            return db.execute(sql, {"query": expression, **params}).fetchall()
        except sqlite3.OperationalError as exc:
            error = exc
    raise QueryError(f"malformed search query {query!r}: {error}")


def search(db: Database, query: str, limit: int = 20) -> list[SearchHit]:
    """Articles matching a typed query (see fts5_query), best first, with a snippet."""
    sql = """
        select a.url, a.title, a.published,
               snippet(articles_fts, 1, '[', ']', ' … ', 16) as snippet,
               bm25(articles_fts) as rank
        from articles_fts join articles a on a.id = articles_fts.rowid
        where articles_fts match :query
        order by rank
        limit :limit
    """
    return [SearchHit(*row) for row in _run_search(db, sql, query, limit=limit)]


def count_matches(db: Database, query: str) -> int:
    """How many articles match a typed query in all, as `search` reads it (no limit)."""
    sql = "select count(*) from articles_fts where articles_fts match :query"
    return _run_search(db, sql, query)[0][0]


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
    gone = _gone_by_status(db)
    return {
        "articles": scalar("select count(*) from articles"),
        "gone": sum(gone.values()),
        "gone_by_status": gone,
        "versions": scalar("select count(*) from versions"),
        "fetches": scalar("select count(*) from fetches"),
        # the pages' stylesheets, scripts, images and fonts (none in an archive made
        # before requisites were fetched, whose fetches have no such column)
        "requisites": scalar("select count(*) from fetches where requisite")
        if "requisite" in db["fetches"].columns_dict
        else 0,
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


def _gone_by_status(db: Database) -> dict[int, int]:
    """Articles found gone (they stay archived), counted by the status they answered."""
    if "gone_at" not in db["articles"].columns_dict:  # an archive from before m003
        return {}
    return dict(
        db.execute(
            "select gone_status, count(*) from articles where gone_at is not null"
            " group by gone_status order by gone_status"
        )
    )


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
