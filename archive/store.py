"""Writing crawl results into the archive: runs, fetches and versioned articles."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive.models import Article, Fetch

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def utc_now() -> str:
    """The current time as a UTC ISO 8601 string with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def to_utc(value: str | None) -> str | None:
    """Normalise an ISO 8601 date or datetime to UTC so that dates compare as strings."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


def _article_columns(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "author": article.author,
        "published": article.published,
        "published_utc": to_utc(article.published),
        "modified": article.modified,
        "language": article.language,
        "section": article.section,
        "tags": json.dumps(article.tags, ensure_ascii=False),
        "description": article.description,
        "image": article.image,
        "text": article.text,
        "word_count": article.word_count,
        "content_sha256": article.content_sha256,
    }


class ArchiveStore:
    """The write side of the archive, used by the crawl (one instance per crawl)."""

    def __init__(self, db: Database):
        self.db = db
        self.run_id: int | None = None

    def start_run(self, spider: str, arguments: dict[str, Any]) -> int:
        """Record the start of a crawl and return its run id."""
        with self.db.atomic():
            table = self.db["runs"].insert(
                {
                    "spider": spider,
                    "started_at": utc_now(),
                    "status": "running",
                    "arguments": json.dumps(arguments, ensure_ascii=False, default=str),
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                }
            )
        self.run_id = table.last_pk
        return self.run_id

    def finish_run(self, status: str, reason: str, stats: dict[str, Any]) -> str:
        """Record the end of the current crawl with its counts and Scrapy stats.

        A crawl that ends normally without a single response (site down, DNS failure)
        is recorded as failed; the status recorded is returned.
        """
        counts = self.db.execute(
            """select
                 (select count(*) from fetches where run_id = :run),
                 (select count(*) from versions v join fetches f on f.id = v.fetch_id
                   where f.run_id = :run and v.version = 1),
                 (select count(*) from versions v join fetches f on f.id = v.fetch_id
                   where f.run_id = :run and v.version > 1)""",
            {"run": self.run_id},
        ).fetchone()
        if status == "finished" and counts[0] == 0:
            status = "failed"
        with self.db.atomic():
            self.db["runs"].update(
                self.run_id,
                {
                    "finished_at": utc_now(),
                    "status": status,
                    "finish_reason": reason,
                    "fetch_count": counts[0],
                    "articles_new": counts[1],
                    "articles_changed": counts[2],
                    "stats": json.dumps(stats, default=str, sort_keys=True),
                },
            )
        return status

    def record_fetch(self, fetch: Fetch) -> int:
        """Add one HTTP exchange (already written to WARC) and return its fetch id."""
        row = asdict(fetch)
        response = row.pop("response")
        row.update(
            run_id=self.run_id,
            warc_filename=response["filename"],
            warc_offset=response["offset"],
            warc_length=response["length"],
            warc_record_id=response["record_id"],
        )
        with self.db.atomic():
            return self.db["fetches"].insert(row).last_pk

    def save_article(self, article: Article, fetch_id: int, fetched_at: str) -> str:
        """Store an article capture: a new version only when its clean text changed."""
        columns = _article_columns(article)
        with self.db.atomic():
            existing = next(self.db["articles"].rows_where("url = ?", [article.url], limit=1), None)
            if existing is None:
                article_id = (
                    self.db["articles"]
                    .insert(
                        {
                            "url": article.url,
                            **columns,
                            "version_count": 1,
                            "first_seen": fetched_at,
                            "last_seen": fetched_at,
                            "last_fetch_id": fetch_id,
                        }
                    )
                    .last_pk
                )
                self._add_version(article_id, 1, fetch_id, fetched_at, columns)
                return NEW
            seen = {"last_seen": fetched_at, "last_fetch_id": fetch_id}
            if existing["content_sha256"] == columns["content_sha256"]:
                self.db["articles"].update(existing["id"], {**columns, **seen})
                return UNCHANGED
            version = existing["version_count"] + 1
            self.db["articles"].update(
                existing["id"], {**columns, **seen, "version_count": version}
            )
            self._add_version(existing["id"], version, fetch_id, fetched_at, columns)
            return CHANGED

    def _add_version(
        self,
        article_id: int,
        version: int,
        fetch_id: int,
        captured_at: str,
        columns: dict[str, Any],
    ) -> None:
        self.db["versions"].insert(
            {
                "article_id": article_id,
                "version": version,
                "fetch_id": fetch_id,
                "captured_at": captured_at,
                **columns,
            }
        )
