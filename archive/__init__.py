"""The news archive: SQLite schema and store, WARC writer, queries, export and command line.

Nothing in this package imports Scrapy, so archivists' tools, benchmarks and notebooks can
use it without a crawler. What a reader needs is exported here (README, "From Python"):

    import archive
    db = archive.open_archive_readonly("data")
    for article in archive.articles(db, since="2023-05-01", query="peru"):
        print(article["title"])
"""

from __future__ import annotations

from archive.db import ArchiveError, open_archive_readonly
from archive.history import (
    ArticleNotFound,
    History,
    Version,
    VersionDiff,
    diff_versions,
    load_history,
)
from archive.queries import (
    EXPORT_FIELDS,
    QueryError,
    SearchHit,
    archive_stats,
    articles,
    search,
)

__all__ = [
    "EXPORT_FIELDS",
    "ArchiveError",
    "ArticleNotFound",
    "History",
    "QueryError",
    "SearchHit",
    "Version",
    "VersionDiff",
    "archive_stats",
    "articles",
    "diff_versions",
    "load_history",
    "open_archive_readonly",
    "search",
]
