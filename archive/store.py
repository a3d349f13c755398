"""Writing crawl results into the archive: runs, fetches and versioned articles."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive.boilerplate import BoilerplateBook, Learned, strip_paragraphs
from archive.known import Capture, last_capture
from archive.lessons import MEANINGLESS_PARAM, TRAP_FAMILY
from archive.models import Article, Fetch, text_sha256, word_count
from archive.sites import site_address

NEW, CHANGED, UNCHANGED, EMPTY = "new", "changed", "unchanged", "empty"
# what `history_outcomes` says became of an article the history archive holds
NOT_MODIFIED, GONE = "not_modified", "gone"


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
        "authors": json.dumps(article.authors, ensure_ascii=False),
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
        "extractor": article.extractor,
    }


def _text_columns(text: str) -> dict[str, Any]:
    return {"text": text, "word_count": word_count(text), "content_sha256": text_sha256(text)}


def _seen_columns(fetch_id: int, fetched_at: str, sitemap_lastmod: str | None) -> dict[str, Any]:
    """What a capture of an article updates, however it went: it is there, and not gone."""
    seen: dict[str, Any] = {
        "last_seen": fetched_at,
        "last_fetch_id": fetch_id,
        "gone_at": None,
        "gone_status": None,
    }
    if sitemap_lastmod:
        seen["sitemap_lastmod"] = sitemap_lastmod
    return seen


def _insert(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert one row into an existing table and return its id.

    sqlite-utils' `insert` checks the table's columns on every call; on the crawl's hot
    path (every response, every article) that costs more than the insert itself.
    """
    names = ", ".join(f"[{name}]" for name in row)
    marks = ", ".join("?" * len(row))
    cursor = db.execute(f"insert into [{table}] ({names}) values ({marks})", list(row.values()))
    return cursor.lastrowid


def _update(db: Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    """Update some columns of one row, by id (the hot-path twin of `_insert`)."""
    assignments = ", ".join(f"[{name}] = ?" for name in values)
    db.execute(f"update [{table}] set {assignments} where id = ?", [*values.values(), row_id])


def _cleaned(text: str, keys: set[str]) -> str | None:
    """The text without those paragraphs, or None when that changes nothing or leaves nothing."""
    cleaned = strip_paragraphs(text, keys)
    return cleaned if cleaned != text and cleaned.strip() else None


class ArchiveStore:
    """The write side of the archive, used by the crawl (one instance per crawl).

    `history` is another archive, read-only, holding what earlier crawls archived when
    this one starts empty (a shared crawl's shard; `ARCHIVE_HISTORY_DIR`): its learned
    boilerplate and last captures count as this archive's, and what a crawl finds of its
    articles (unchanged, gone) is kept in `history_outcomes` for `merge` to apply.
    """

    def __init__(self, db: Database, history: Database | None = None):
        self.db = db
        self.history = history
        self.run_id: int | None = None
        self.boilerplate = BoilerplateBook(db, history)

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

    def finish_run(
        self, status: str, reason: str, stats: dict[str, Any], *, empty_is_failure: bool = True
    ) -> str:
        """Record the end of the current crawl with its counts and Scrapy stats.

        A crawl that ends normally without a single response (site down, DNS failure)
        is recorded as failed, unless `empty_is_failure` is False (one worker of a shared
        crawl, whose pages the others may have taken); the status recorded is returned.
        """
        counts = self.db.execute(
            """select
                 (select count(*) from fetches where run_id = :run),
                 (select count(*) from versions v join fetches f on f.id = v.fetch_id
                   where f.run_id = :run and v.version = 1),
                 (select count(*) from versions v join fetches f on f.id = v.fetch_id
                   where f.run_id = :run and v.version > 1),
                 (select count(*) from fetches where run_id = :run and warc_type = 'revisit')""",
            {"run": self.run_id},
        ).fetchone()
        if status == "finished" and counts[0] == 0 and empty_is_failure:
            status = "failed"
        site_counts = self._site_counts(stats)
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
                    "articles_unchanged": stats.get("archive/articles_unchanged", 0)
                    + stats.get("archive/articles_not_modified", 0),
                    "articles_gone": stats.get("archive/articles_gone", 0),
                    "revisits": counts[3],
                    "stats": json.dumps(stats, default=str, sort_keys=True),
                    "site_counts": json.dumps(site_counts, sort_keys=True),
                },
            )
        return status

    def _site_counts(self, stats: dict[str, Any]) -> dict[str, dict[str, int]]:
        """The current run's counts for each site it fetched from."""
        sites: dict[str, dict[str, int]] = {}

        def counts(site: str) -> dict[str, int]:
            if site not in sites:

                def counted(key: str) -> int:
                    return stats.get(f"archive/{key}/{site}", 0)

                sites[site] = {
                    "fetches": 0,
                    "articles_new": 0,
                    "articles_changed": 0,
                    "articles_unchanged": counted("articles_unchanged")
                    + counted("articles_not_modified"),
                    "articles_gone": counted("articles_gone"),
                    "trap_families_cut": 0,
                    "params_learned": 0,
                }
            return sites[site]

        rows = self.db.execute(
            # pages only: a page's requisites may come from other hosts (a CDN)
            """select f.url, v.version from fetches f left join versions v on v.fetch_id = f.id
               where f.run_id = ? and not f.requisite""",
            [self.run_id],
        )
        for url, version in rows:
            site = counts(site_address(url))
            site["fetches"] += 1
            if version == 1:
                site["articles_new"] += 1
            elif version is not None:
                site["articles_changed"] += 1
        lessons = self.db.execute(
            "select site, kind, count(*) from site_lessons where run_id = ? group by 1, 2",
            [self.run_id],
        )
        keys = {TRAP_FAMILY: "trap_families_cut", MEANINGLESS_PARAM: "params_learned"}
        for site, kind, count in lessons:
            if kind in keys:
                counts(site)[keys[kind]] = count
        return sites

    def record_site_rules(self, site: str, rules: dict[str, Any]) -> None:
        """Keep the extraction rules this run reads a site with (`reextract` uses them)."""
        with self.db.atomic():
            self.db.execute(
                """insert into site_rules (site, rules, run_id, recorded_at) values (?, ?, ?, ?)
                   on conflict (site) do update set rules = excluded.rules,
                   run_id = excluded.run_id, recorded_at = excluded.recorded_at""",
                [site, json.dumps(rules, sort_keys=True), self.run_id, utc_now()],
            )

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
        if row["refers_to_record_id"] is None:
            # set only by a crawl reading its history from another archive (m010)
            del row["refers_to_record_id"]
        with self.db.atomic():
            return _insert(self.db, "fetches", row)

    def save_article(
        self,
        article: Article,
        fetch_id: int,
        fetched_at: str,
        *,
        sitemap_lastmod: str | None = None,
    ) -> str:
        """Store an article capture: a new version only when its clean text changed.

        The site's learned boilerplate is stripped first; the raw paragraphs are counted,
        and any that become boilerplate are re-cleaned out of the site's stored articles.
        Returns NEW, CHANGED, UNCHANGED, or EMPTY when nothing but boilerplate is left.
        """
        site = site_address(article.url)
        try:
            with self.db.atomic():
                clean = strip_paragraphs(article.text, self.boilerplate.keys(site))
                if not clean.strip():
                    return EMPTY
                seen = _seen_columns(fetch_id, fetched_at, sitemap_lastmod)
                article_id, outcome = self._save_clean(
                    replace(article, text=clean), site, fetch_id, fetched_at, seen
                )
                for learned in self.boilerplate.observe(site, article_id, article.text, fetched_at):
                    self._reclean(learned, fetched_at)
                return outcome
        except BaseException:
            self.boilerplate.forget_counts()  # the article counted may have been rolled back
            raise

    def mark_not_modified(
        self, url: str, fetch_id: int, fetched_at: str, *, sitemap_lastmod: str | None = None
    ) -> bool:
        """Record that an article was seen unchanged (a 304 or an identical payload)."""
        with self.db.atomic():
            row = self.db.execute("select id from articles where url = ?", [url]).fetchone()
            if row is None:
                return self._history_outcome(
                    url, NOT_MODIFIED, None, fetch_id, fetched_at, sitemap_lastmod
                )
            seen = _seen_columns(fetch_id, fetched_at, sitemap_lastmod)
            _update(self.db, "articles", row[0], seen)
            return True

    def mark_gone(
        self, url: str, status: int, fetched_at: str, *, fetch_id: int | None = None
    ) -> bool:
        """Record that an archived article now answers 404 or 410; it stays in the archive."""
        with self.db.atomic():
            cursor = self.db.execute(
                """update articles set gone_at = coalesce(gone_at, ?), gone_status = ?
                   where url = ?""",
                [fetched_at, status, url],
            )
            if cursor.rowcount == 0:
                return self._history_outcome(url, GONE, status, fetch_id, fetched_at, None)
            return True

    def _history_outcome(
        self,
        url: str,
        outcome: str,
        status: int | None,
        fetch_id: int | None,
        fetched_at: str,
        sitemap_lastmod: str | None,
    ) -> bool:
        """Keep what became of an article only the history archive holds (inside the
        caller's transaction): this archive cannot mark a row it lacks, `merge` will."""
        if (
            self.history is None
            or not self.history.execute("select 1 from articles where url = ?", [url]).fetchone()
        ):
            return False
        _insert(
            self.db,
            "history_outcomes",
            {
                "run_id": self.run_id,
                "url": url,
                "outcome": outcome,
                "status": status,
                "fetch_id": fetch_id,
                "fetched_at": fetched_at,
                "sitemap_lastmod": sitemap_lastmod,
            },
        )
        return True

    def last_capture(self, url: str) -> Capture | None:
        """The newest full capture of a URL, in this archive or in its history."""
        own = last_capture(self.db, url)
        if self.history is None:
            return own
        earlier = last_capture(self.history, url)
        if earlier is None or (own is not None and own.fetched_at >= earlier.fetched_at):
            return own
        return replace(earlier, in_history=True)

    def _save_clean(
        self,
        article: Article,
        site: str,
        fetch_id: int,
        fetched_at: str,
        seen: dict[str, Any],
    ) -> tuple[int, str]:
        columns = _article_columns(article)
        existing = self.db.execute(
            "select id, content_sha256, version_count from articles where url = ?", [article.url]
        ).fetchone()
        if existing is None:
            article_id = _insert(
                self.db,
                "articles",
                {
                    "url": article.url,
                    "site": site,
                    **columns,
                    "version_count": 1,
                    "first_seen": fetched_at,
                    **seen,
                },
            )
            self.boilerplate.article_added(site)
            self._add_version(article_id, 1, fetch_id, fetched_at, columns)
            return article_id, self._new_here(article.url, columns["content_sha256"])
        article_id, content_sha256, version_count = existing
        if content_sha256 == columns["content_sha256"]:
            _update(self.db, "articles", article_id, {**columns, **seen})
            return article_id, UNCHANGED
        version = version_count + 1
        _update(self.db, "articles", article_id, {**columns, **seen, "version_count": version})
        self._add_version(article_id, version, fetch_id, fetched_at, columns)
        return article_id, CHANGED

    def _new_here(self, url: str, content_sha256: str) -> str:
        """What a text this archive did not hold is to the crawl: new, or, for an article
        its history archive holds (a shared re-run's shard), changed or unchanged there
        (the shard keeps it all the same: `merge` makes the versions)."""
        if self.history is None:
            return NEW
        held = self.history.execute(
            "select content_sha256 from articles where url = ?", [url]
        ).fetchone()
        if held is None:
            return NEW
        return UNCHANGED if held[0] == content_sha256 else CHANGED

    def recount_paragraphs(self, site: str, article_id: int, raw_text: str, at: str) -> int:
        """Count an article's paragraphs again after its text was derived anew (inside the
        caller's transaction); re-clean the site's articles of any that are now
        boilerplate. Returns how many paragraphs became boilerplate."""
        learned = self.boilerplate.observe(site, article_id, raw_text, at)
        for item in learned:
            self._reclean(item, at)
        return len(learned)

    def reclean(self, paragraph_id: int, cleaned_at: str) -> None:
        """Strip a paragraph learned as boilerplate elsewhere (in an archive merged into
        this one) from every article holding it, as if this archive had learned it."""
        site, key, text, count = self.db.execute(
            "select site, key, text, article_count from paragraphs where id = ?", [paragraph_id]
        ).fetchone()
        self.boilerplate.forget_keys(site)
        self._reclean(Learned(paragraph_id, site, key, text, count), cleaned_at)

    def _reclean(self, learned: Learned, cleaned_at: str) -> None:
        """Strip a newly learned boilerplate paragraph from every article that held it."""
        keys = {learned.key}
        for article_id in self.boilerplate.articles_holding(learned.paragraph_id):
            row = self.db["articles"].get(article_id)
            versions_cleaned = 0
            for version in self.db["versions"].rows_where("article_id = ?", [article_id]):
                if text := _cleaned(version["text"], keys):
                    self.db["versions"].update(version["id"], _text_columns(text))
                    versions_cleaned += 1
            text = _cleaned(row["text"], keys)
            if text:
                self.db["articles"].update(article_id, _text_columns(text))
            if text or versions_cleaned:
                self.db["recleans"].insert(
                    {
                        "article_id": article_id,
                        "paragraph_id": learned.paragraph_id,
                        "run_id": self.run_id,
                        "cleaned_at": cleaned_at,
                        "versions_cleaned": versions_cleaned,
                        "old_sha256": row["content_sha256"],
                        "new_sha256": text_sha256(text) if text else row["content_sha256"],
                    }
                )

    def _add_version(
        self,
        article_id: int,
        version: int,
        fetch_id: int,
        captured_at: str,
        columns: dict[str, Any],
    ) -> None:
        _insert(
            self.db,
            "versions",
            {
                "article_id": article_id,
                "version": version,
                "fetch_id": fetch_id,
                "captured_at": captured_at,
                **columns,
            },
        )
