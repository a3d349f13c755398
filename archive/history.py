"""One article's history: finding it by URL, its versions, and what changed between two."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import product
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from archive.queries import QueryError

# Metadata an article and each of its versions carry, in the order they are shown.
METADATA_FIELDS = (
    "title",
    "author",
    "published",
    "modified",
    "section",
    "tags",
    "language",
    "description",
    "image",
)


class ArticleNotFound(QueryError):
    """No article under a URL or any light respelling of it."""

    def __init__(self, url: str, suggestions: list[str]):
        super().__init__(f"no article with URL {url}")
        self.url = url
        self.suggestions = suggestions


@dataclass
class Version:
    """One stored version of an article's clean text, with the capture it came from."""

    version: int
    captured_at: str
    metadata: dict[str, Any]
    text: str
    word_count: int
    content_sha256: str
    warc_filename: str | None
    warc_offset: int | None
    warc_record_id: str | None

    def as_json(self) -> dict[str, Any]:
        """The version as a flat JSON-ready dict, text included."""
        return {
            "version": self.version,
            "captured_at": self.captured_at,
            **self.metadata,
            "text": self.text,
            "word_count": self.word_count,
            "content_sha256": self.content_sha256,
            "warc_filename": self.warc_filename,
            "warc_offset": self.warc_offset,
            "warc_record_id": self.warc_record_id,
        }


@dataclass
class History:
    """An article as it stands in the archive, and every version of it, oldest first."""

    url: str
    metadata: dict[str, Any]
    word_count: int | None
    content_sha256: str | None
    first_seen: str | None
    last_seen: str | None
    version_count: int
    # The latest capture, which may be newer than the latest version (text unchanged).
    warc_filename: str | None
    warc_offset: int | None
    warc_record_id: str | None
    gone_at: str | None
    gone_status: int | None
    versions: list[Version]

    def version(self, number: int) -> Version:
        """The version with that number, or a QueryError naming the ones there are."""
        for version in self.versions:
            if version.version == number:
                return version
        raise QueryError(
            f"no version {number} of {self.url}: it has versions 1 to {len(self.versions)}"
        )

    def as_json(self) -> dict[str, Any]:
        """Metadata and every version (with its text) as one JSON-ready dict."""
        return {
            "url": self.url,
            **self.metadata,
            "word_count": self.word_count,
            "content_sha256": self.content_sha256,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "version_count": self.version_count,
            "warc_filename": self.warc_filename,
            "warc_offset": self.warc_offset,
            "warc_record_id": self.warc_record_id,
            "gone_at": self.gone_at,
            "gone_status": self.gone_status,
            "versions": [v.as_json() for v in self.versions],
        }


def url_variants(url: str) -> list[str]:
    """Light respellings of a URL (trailing slash, http/https, www.), fewest changes first."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    schemes = [parts.scheme, "http" if parts.scheme == "https" else "https"]
    host = parts.netloc
    hosts = [host, host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"]
    path = parts.path or "/"
    paths = [path, path.rstrip("/") if path.endswith("/") else f"{path}/"]
    # Index 0 of each choice is the URL as given, so the sum counts the changes made.
    choices = sorted(product(range(2), repeat=3), key=sum)[1:]
    return [
        urlunsplit((schemes[s], hosts[h], paths[p], parts.query, parts.fragment))
        for s, h, p in choices
    ]


def find_article(db: Database, url: str) -> dict[str, Any]:
    """The articles row for a URL as given, else for its closest respelling that is archived."""
    candidates = [url, *url_variants(url)]
    marks = ", ".join("?" for _ in candidates)
    rows = {
        row["url"]: row
        for row in db.query(f"select * from articles where url in ({marks})", candidates)
    }
    for candidate in candidates:
        if candidate in rows:
            return rows[candidate]
    raise ArticleNotFound(url, _close_matches(db, url))


def _close_matches(db: Database, url: str, limit: int = 5) -> list[str]:
    """Archived URLs containing the given URL's path, or failing that its last segment."""
    path = urlsplit(url.strip()).path.strip("/")
    for needle in dict.fromkeys([path, path.rsplit("/", 1)[-1]]):
        if not needle:
            continue
        found = [
            row["url"]
            for row in db.query(
                "select url from articles where instr(url, ?) order by url limit ?", [needle, limit]
            )
        ]
        if found:
            return found
    return []


def _metadata(row: dict[str, Any]) -> dict[str, Any]:
    values = {name: row.get(name) for name in METADATA_FIELDS}
    values["tags"] = json.loads(values["tags"]) if values["tags"] else []
    return values


def load_history(db: Database, url: str) -> History:
    """An article's metadata and versions, found by URL as `find_article` does."""
    row = find_article(db, url)
    latest = db["fetches"].get(row["last_fetch_id"]) if row["last_fetch_id"] else {}
    versions = [
        Version(
            version=v["version"],
            captured_at=v["captured_at"],
            metadata=_metadata(v),
            text=v["text"],
            word_count=v["word_count"],
            content_sha256=v["content_sha256"],
            warc_filename=v["warc_filename"],
            warc_offset=v["warc_offset"],
            warc_record_id=v["warc_record_id"],
        )
        for v in db.query(
            """select v.*, f.warc_filename, f.warc_offset, f.warc_record_id
               from versions v left join fetches f on f.id = v.fetch_id
               where v.article_id = ? order by v.version""",
            [row["id"]],
        )
    ]
    return History(
        url=row["url"],
        metadata=_metadata(row),
        word_count=row["word_count"],
        content_sha256=row["content_sha256"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        version_count=row["version_count"],
        warc_filename=latest.get("warc_filename"),
        warc_offset=latest.get("warc_offset"),
        warc_record_id=latest.get("warc_record_id"),
        # Added by a later migration: an older archive simply has no such columns.
        gone_at=row.get("gone_at"),
        gone_status=row.get("gone_status"),
        versions=versions,
    )


def utc_label(value: str | None) -> str:
    """A stored UTC time shown compactly (2026-11-29T10:00:01Z); anything else as it is."""
    if not value:
        return "-"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None or moment.utcoffset():
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def line_changes(old_text: str, new_text: str) -> tuple[int, int]:
    """Paragraphs added and removed going from one text to the other."""
    matcher = difflib.SequenceMatcher(None, old_text.split("\n"), new_text.split("\n"))
    added = removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


def word_changes(old_text: str, new_text: str) -> tuple[int, int]:
    """Words added and removed going from one text to the other."""
    # Paragraphs are matched first, as `show --diff` shows them, so that a word is only
    # matched within the paragraphs that changed, never with a far-off paragraph's copy.
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    paragraphs = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    added = removed = 0
    for tag, i1, i2, j1, j2 in paragraphs.get_opcodes():
        if tag == "equal":
            continue
        old_words = " ".join(old_lines[i1:i2]).split()
        new_words = " ".join(new_lines[j1:j2]).split()
        # autojunk would ignore words common in a long paragraph ("the") and miscount
        words = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
        kept = sum(block.size for block in words.get_matching_blocks())
        added += len(new_words) - kept
        removed += len(old_words) - kept
    return added, removed


def changed_metadata(old: Version, new: Version) -> list[tuple[str, Any, Any]]:
    """(field, old value, new value) for each metadata field that differs."""
    return [
        (name, old.metadata[name], new.metadata[name])
        for name in METADATA_FIELDS
        if old.metadata[name] != new.metadata[name]
    ]


@dataclass
class VersionDiff:
    """What changed from one version to another: metadata fields and a unified text diff."""

    old: Version
    new: Version
    metadata: list[tuple[str, Any, Any]]
    lines: list[str]


def diff_versions(history: History, old: int | None = None, new: int | None = None) -> VersionDiff:
    """Diff two versions, one paragraph per line; by default the previous and the latest."""
    if len(history.versions) < 2:
        raise QueryError(f"{history.url} has only one version: nothing to compare")
    new_version = history.version(new if new is not None else history.versions[-1].version)
    old_version = history.version(old if old is not None else new_version.version - 1)
    if old_version.version == new_version.version:
        raise QueryError(f"nothing to compare: both sides are version {old_version.version}")
    lines = difflib.unified_diff(
        old_version.text.split("\n"),
        new_version.text.split("\n"),
        fromfile=f"version {old_version.version} ({utc_label(old_version.captured_at)})",
        tofile=f"version {new_version.version} ({utc_label(new_version.captured_at)})",
        lineterm="",
    )
    return VersionDiff(
        old_version, new_version, changed_metadata(old_version, new_version), list(lines)
    )
