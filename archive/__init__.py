"""The news archive: SQLite schema and store, WARC writer, queries, export and command line.

Nothing in this package imports Scrapy, so archivists' tools, benchmarks and notebooks can
use it without a crawler. What a reader needs is exported here (README, "From Python"):

    import archive
    db = archive.open_archive_readonly("data")
    for article in archive.articles(db, since="2023-05-01", query="peru"):
        print(article["title"])
"""

from __future__ import annotations

import importlib
from typing import Any

# Name -> module of the reading API. Loaded on first use (PEP 562): page-reading workers
# import `archive.models` alone, and need not carry SQLite and the queries in memory.
_API = {
    "ArchiveError": "archive.db",
    "open_archive_readonly": "archive.db",
    "ArticleNotFound": "archive.history",
    "History": "archive.history",
    "Version": "archive.history",
    "VersionDiff": "archive.history",
    "diff_versions": "archive.history",
    "load_history": "archive.history",
    "EXPORT_FIELDS": "archive.queries",
    "QueryError": "archive.queries",
    "SearchHit": "archive.queries",
    "archive_stats": "archive.queries",
    "articles": "archive.queries",
    "count_matches": "archive.queries",
    "search": "archive.queries",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    """One name of the reading API, imported from its module on first use."""
    if name not in _API:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the reading API included before it is loaded."""
    return sorted({*globals(), *_API})
