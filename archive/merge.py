"""Merging archives: the shards that crawl workers wrote, into one archive.

Each worker of a distributed crawl writes its own archive (a shard). `merge` brings
shards into one archive, so that it looks as a single crawl would have left it:

- WARC files are hard-linked (copied across file systems) into the archive's `warc/`;
  their names are unique per worker, and two different files of one name are refused.
- Runs and fetches are added once each: a run is known by its hostname, pid and start
  time, a fetch by its WARC record (file and offset). Those a merge brings in are added in
  time order (runs by start, fetches by capture), since the crawl reads "the last
  capture" of a URL as the one with the highest id.
- An article is one canonical URL. Its versions are the versions of every archive that
  holds it, in capture order, a text equal to the one before it being one version, as a
  crawl stores them; they are numbered 1..n again. The article row takes the latest
  capture's state (metadata, last seen, sitemap date) with the earliest first seen, and
  is gone when a 404 or 410 came after its last capture.
- Learned boilerplate: a paragraph learned in any archive stays learned, and is cleaned
  out of every text that holds it; each article's paragraphs are those of its latest
  capture, counted again, so that paragraphs the shards held apart may now be learned.
- Lessons keep their first record (as a crawl keeps them), site rules the latest.
- A shard whose crawl read its history from the archive (a shared re-run: its shard
  started empty) holds what it found of the archive's articles in `history_outcomes`:
  each is applied to the archive's article as the crawl would have marked it there
  (unchanged: seen again; 404/410: gone), unless a later capture says more; a revisit
  record whose original is in the archive gets its `refers_to_fetch_id` from the
  record id it refers to.
- `merged_runs` records the shard runs merged: a shard whose runs are all there is
  skipped, and merging it again changes nothing.

Everything is done under the archives' locks: no crawl may write to a shard or to the
archive while they merge (`ArchiveBusy`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from filecmp import cmp
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.boilerplate import strip_paragraphs
from archive.db import DB_NAME, ArchiveError, db_path, open_archive, warc_dir
from archive.lessons import BODY_CONTAINER
from archive.lock import ArchiveLock
from archive.models import text_sha256, word_count
from archive.recovery import recover
from archive.sites import site_address
from archive.store import GONE, NOT_MODIFIED, ArchiveStore, utc_now

SHARD = "shard"  # the schema name each shard is attached under, one at a time
# Every table the migrations define, each merged below. A table a later migration adds
# stops merges (one line) until this module says how to merge it.
MERGED_TABLES = frozenset(
    {
        "runs",
        "fetches",
        "articles",
        "versions",
        "paragraphs",
        "article_paragraphs",
        "recleans",
        "site_lessons",
        "site_rules",
        "reextractions",
        "merged_runs",
        # applied to the archive's articles, not copied (`_apply_history_outcomes`)
        "history_outcomes",
    }
)
# Kept up to date by the triggers on `articles`, or SQLite's own.
DERIVED_PREFIXES = ("articles_fts", "_sqlite_migrations", "sqlite_")
PARTIAL_SUFFIX = ".merging"


@dataclass
class MergeSummary:
    """What a merge did."""

    shards: int = 0
    runs: int = 0
    fetches: int = 0
    articles_new: int = 0
    articles_merged: int = 0
    versions: int = 0
    warc_files: int = 0
    warc_files_copied: int = 0
    skipped: list[str] = field(default_factory=list)
    # texts derived again with a body container a site's pages taught one of the shards
    recleaned: int = 0
    # the archive's articles a shared re-run found unchanged, or gone (`history_outcomes`)
    unchanged: int = 0
    gone: int = 0


class Merge:
    """One merge: `with Merge(archive_dir, shards) as merge:` locks, migrates and checks
    the archives (refusing before any write), `merge.steps` says how much work there is,
    `merge.run()` does it."""

    def __init__(self, archive_dir: str | Path, shards: Iterable[str | Path]):
        self.target = Path(archive_dir)
        self.shards = list(dict.fromkeys(Path(shard) for shard in shards))
        self.steps = 0
        self._locks: list[ArchiveLock] = []
        self._db: Database | None = None
        self._todo: list[Path] = []
        self._skipped: list[Path] = []
        self._warcs: dict[str, Path] = {}

    def __enter__(self) -> Merge:
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the archive and release the locks this merge took."""
        if self._db is not None:
            self._db.close()
            self._db = None
        for lock in reversed(self._locks):
            lock.release()
        self._locks.clear()

    def _open(self) -> None:
        if not self.shards:
            raise ArchiveError("nothing to merge: name at least one shard")
        for shard in self.shards:
            if not shard.is_dir() or not db_path(shard).is_file():
                raise ArchiveError(f"no archive at {shard}: {DB_NAME} is missing")
            if shard.resolve() == self.target.resolve():
                raise ArchiveError(f"{shard} is the archive merged into; it cannot be a shard")
        now = utc_now()
        # the shards first: refused for a busy shard, the merge leaves no empty target
        for directory in (*self.shards, self.target):
            lock = ArchiveLock(directory)
            # re-entrant: a lock this process holds already is not ours to release
            if lock.acquire(now) is lock:
                self._locks.append(lock)
        self._db = open_archive(self.target)
        # under the locks, as a crawl starting would: runs left running, torn WARC tails
        recover(self.target, self._db)
        _check_tables(self._db)
        merged = {tuple(row) for row in self._db.execute(_RUN_KEYS.format(table="merged_runs"))}
        for path in warc_dir(self.target).glob(f".*{PARTIAL_SUFFIX}"):
            path.unlink()  # left by a merge that was killed while copying
        for shard in self.shards:
            shard_db = open_archive(shard)  # migrated as every archive opened for writing
            try:
                recover(shard, shard_db)
                _check_tables(shard_db)  # migrated by newer code, it may hold more
                runs = {tuple(row) for row in shard_db.execute(_RUN_KEYS.format(table="runs"))}
                (articles,) = shard_db.execute("select count(*) from articles").fetchone()
            finally:
                shard_db.close()
            if runs <= merged:
                self._skipped.append(shard)
                continue
            self._todo.append(shard)
            self.steps += articles
            self._plan_warcs(shard)
        self.steps += len(self._warcs)

    def _plan_warcs(self, shard: Path) -> None:
        """Note the shard's WARC files to bring in; refuse two different files of one name."""
        for path in sorted(warc_dir(shard).glob("*.warc.gz")):
            there = warc_dir(self.target) / path.name
            known = there if there.exists() else self._warcs.get(path.name)
            if known is None:
                self._warcs[path.name] = path
            elif not _same_file(path, known):
                raise ArchiveError(
                    f"two different WARC files named {path.name} ({path} and {known}): "
                    "WARC file names must be unique per worker; nothing was merged"
                )

    def run(self, progress: Callable[[int], None] | None = None) -> MergeSummary:
        """Merge the shards; `progress(n)` is called as WARC files and articles are done."""
        if self._db is None:
            raise ArchiveError("the merge is not open (use `with Merge(...) as merge:`)")
        tick = progress or (lambda n: None)
        summary = MergeSummary(len(self._todo), skipped=[str(s) for s in self._skipped])
        # the files first: no row may point into a WARC file the archive does not hold
        for name, source in self._warcs.items():
            summary.warc_files_copied += _place(source, warc_dir(self.target) / name)
            summary.warc_files += 1
            tick(1)
        (versions_before,) = self._db.execute("select count(*) from versions").fetchone()
        self._merge_runs_and_fetches(summary)
        for shard in self._todo:
            self._merge_shard(shard, summary, tick)
        (versions_after,) = self._db.execute("select count(*) from versions").fetchone()
        summary.versions = versions_after - versions_before
        summary.recleaned = self._reclean_learned()
        return summary

    def _reclean_learned(self) -> int:
        """Derive again, from their WARC records, the texts made without the body container
        their site taught a shard (in a shared crawl, a worker that read few of a site's
        pages never learned it): as a crawl re-cleans at its end. Returns how many."""
        from archive.reextract import reclean_site

        db = self._db
        done = 0
        lessons = db.execute(
            "select site, key from site_lessons where kind = ? order by site", [BODY_CONTAINER]
        ).fetchall()
        for site, selector in lessons:
            row = db.execute("select rules from site_rules where site = ?", [site]).fetchone()
            if row is None:
                continue
            rules = json.loads(row[0])
            if rules.get("learned_container") != [selector]:
                rules["learned_container"] = [selector]
                with db.atomic():
                    db.execute(
                        "update site_rules set rules = ? where site = ?",
                        [json.dumps(rules, sort_keys=True), site],
                    )
            if summary := reclean_site(db, self.target, site):
                done += summary.versions
        return done

    @contextmanager
    def _attached(self, shard: Path) -> Iterator[Database]:
        db = self._db
        assert db is not None
        db.execute(f"attach database ? as {SHARD}", [str(db_path(shard))])
        try:
            yield db
        finally:
            db.execute(f"detach database {SHARD}")

    def _merge_runs_and_fetches(self, summary: MergeSummary) -> None:
        """Add the shards' runs and fetches the archive lacks, all shards' in time order."""
        db = self._db
        assert db is not None
        run_cols = _columns(db, "main", "runs", skip=("id",))
        fetch_cols = _columns(db, "main", "fetches", skip=("id", "run_id", "refers_to_fetch_id"))
        db.execute("drop table if exists temp.merge_runs")
        db.execute("drop table if exists temp.merge_fetches")
        db.execute(f"create temp table merge_runs (shard, {_names(run_cols)})")
        db.execute(
            "create temp table merge_fetches (run_hostname, run_pid, run_started_at, "
            f"refers_filename, refers_offset, {_names(fetch_cols)})"
        )
        for index, shard in enumerate(self._todo):
            with self._attached(shard), db.atomic():
                db.execute(
                    f"""insert into temp.merge_runs (shard, {_names(run_cols)})
                        select ?, {_names(run_cols, "s")} from {SHARD}.runs s
                        where not exists (select 1 from main.runs m where {_SAME_RUN})""",
                    [index],
                )
                db.execute(
                    f"""insert into temp.merge_fetches (run_hostname, run_pid, run_started_at,
                          refers_filename, refers_offset, {_names(fetch_cols)})
                        select r.hostname, r.pid, r.started_at, o.warc_filename,
                               o.warc_offset, {_names(fetch_cols, "f")}
                        from {SHARD}.fetches f
                        left join {SHARD}.runs r on r.id = f.run_id
                        left join {SHARD}.fetches o on o.id = f.refers_to_fetch_id
                        where not exists (select 1 from main.fetches m
                          where m.warc_filename = f.warc_filename
                          and m.warc_offset = f.warc_offset)"""
                )
        with db.atomic():
            runs = _rows(db, "select * from temp.merge_runs order by started_at, shard")
            for run in runs:
                if db.execute(
                    "select 1 from runs where hostname is ? and pid is ? and started_at is ?",
                    [run["hostname"], run["pid"], run["started_at"]],
                ).fetchone():
                    continue  # the same run in two shards (one copied from the other)
                _insert(db, "runs", {name: run[name] for name in run_cols})
                summary.runs += 1
            (before,) = db.execute("select count(*) from fetches").fetchone()
            db.execute(
                f"""insert into main.fetches ({_names(fetch_cols)}, run_id)
                    select {_names(fetch_cols, "i")}, (select m.id from main.runs m
                      where m.hostname is i.run_hostname and m.pid is i.run_pid
                      and m.started_at is i.run_started_at)
                    from temp.merge_fetches i where true
                    order by i.fetched_at, i.warc_filename, i.warc_offset
                    on conflict do nothing"""
            )
            (after,) = db.execute("select count(*) from fetches").fetchone()
            summary.fetches = after - before
            refers = db.execute(
                """select i.warc_filename, i.warc_offset, r.id from temp.merge_fetches i
                   join main.fetches r on r.warc_filename = i.refers_filename
                   and r.warc_offset = i.refers_offset"""
            ).fetchall()
            refers += _refers_by_record(db)
            db.conn.executemany(
                """update main.fetches set refers_to_fetch_id = ?
                   where warc_filename = ? and warc_offset = ?""",
                [(target, name, offset) for name, offset, target in refers],
            )
        db.execute("drop table temp.merge_runs")
        db.execute("drop table temp.merge_fetches")

    def _merge_shard(self, shard: Path, summary: MergeSummary, tick: Callable[[int], None]) -> None:
        """Merge one shard's articles and what depends on them, in one transaction."""
        with self._attached(shard) as db, db.atomic():
            run_ids = dict(
                db.execute(
                    f"select s.id, m.id from {SHARD}.runs s join main.runs m on {_SAME_RUN}"
                ).fetchall()
            )
            now = utc_now()
            learned = _merge_paragraphs(db)
            store = ArchiveStore(db)
            for paragraph_id in learned:
                store.reclean(paragraph_id, now)
            articles = _ArticleMerger(db, store, summary)
            ids = [row[0] for row in db.execute(f"select id from {SHARD}.articles order by id")]
            for shard_id in ids:
                articles.merge(shard_id)
                tick(1)
            _merge_recleans(db, articles.ids, run_ids)
            _merge_reextractions(db, articles.ids, articles.version_numbers)
            _merge_lessons(db, run_ids)
            _merge_site_rules(db, run_ids)
            unchanged, gone = _apply_history_outcomes(db)
            summary.unchanged += unchanged
            summary.gone += gone
            # what the links say, whatever the order the articles came in
            db.execute(
                """update paragraphs set article_count = (select count(*)
                     from article_paragraphs ap where ap.paragraph_id = paragraphs.id)
                   where article_count is not (select count(*) from article_paragraphs ap
                     where ap.paragraph_id = paragraphs.id)"""
            )
            for shard_run, hostname, pid, started_at in db.execute(
                f"select id, hostname, pid, started_at from {SHARD}.runs"
            ).fetchall():
                db.execute(
                    """insert into merged_runs (hostname, pid, started_at, run_id, shard,
                         shard_run_id, merged_at) values (?, ?, ?, ?, ?, ?, ?)
                       on conflict do nothing""",
                    (
                        hostname,
                        pid,
                        started_at,
                        run_ids[shard_run],
                        str(shard.resolve()),
                        shard_run,
                        now,
                    ),
                )


class _ArticleMerger:
    """Merges a shard's articles, one at a time, into the archive's (inside the shard's
    transaction)."""

    def __init__(self, db: Database, store: ArchiveStore, summary: MergeSummary):
        self.db = db
        self.store = store
        self.summary = summary
        self.article_cols = _columns(db, "main", "articles", skip=("id",))
        self.version_cols = _columns(db, "main", "versions", skip=("id", "article_id", "version"))
        self.content_cols = [
            name
            for name in self.version_cols
            if name in self.article_cols and name not in ("fetch_id", "captured_at")
        ]
        # shard article id -> archive article id; (shard article id, version) -> version
        self.ids: dict[int, int] = {}
        self.version_numbers: dict[tuple[int, int], int] = {}

    def merge(self, shard_id: int) -> None:
        """Merge one shard article into the archive's article of the same URL (or a new one)."""
        db = self.db
        cols = _names(self.article_cols, "a")
        (mine,) = _rows(
            db,
            f"""select a.id as _id, {cols}, m.id as _last_fetch, f.warc_filename as _file,
                       f.warc_offset as _offset
                from {SHARD}.articles a
                left join {SHARD}.fetches f on f.id = a.last_fetch_id
                left join main.fetches m on m.warc_filename = f.warc_filename
                  and m.warc_offset = f.warc_offset
                where a.id = ?""",
            [shard_id],
        )
        site = mine["site"] or site_address(mine["url"])
        keys = self.store.boilerplate.keys(site)
        _clean(mine, keys)
        theirs = _rows(
            db,
            f"""select a.id as _id, {cols}, a.last_fetch_id as _last_fetch,
                       f.warc_filename as _file, f.warc_offset as _offset
                from main.articles a left join main.fetches f on f.id = a.last_fetch_id
                where a.url = ?""",
            [mine["url"]],
        )
        held = theirs[0] if theirs else None
        captures: dict[tuple[str, int], dict[str, Any]] = {}
        old_versions: list[dict[str, Any]] = []
        current: list[dict[str, Any]] | None = None
        if held is not None:
            old_versions = self._versions("main", held["_id"])
            for version in old_versions:
                captures[_capture_key(version, "main")] = version
        shard_versions = self._versions(SHARD, shard_id)
        for version in shard_versions:
            _clean(version, keys)
            captures.setdefault(_capture_key(version, SHARD), version)
        kept: list[dict[str, Any]] = []
        number: dict[tuple[str, int], int] = {}
        for key, version in sorted(captures.items(), key=lambda item: _capture_order(item[1])):
            # a text equal to the one before is the same version, as the crawl stores it
            if not kept or kept[-1]["content_sha256"] != version["content_sha256"]:
                kept.append(version)
            number[key] = len(kept)
        for version in shard_versions:
            self.version_numbers[(shard_id, version["version"])] = number[
                _capture_key(version, SHARD)
            ]
        wanted = [
            {
                **{name: version[name] for name in self.version_cols},
                "fetch_id": version["_fetch"],
                "version": n,
            }
            for n, version in enumerate(kept, start=1)
        ]
        row = self._article_row([held, mine] if held else [mine], kept)
        if held is None:
            article_id = _insert(db, "articles", row)
            self.store.boilerplate.article_added(site)
            self.summary.articles_new += 1
        else:
            article_id = held["_id"]
            changed = {name: row[name] for name in self.article_cols if row[name] != held[name]}
            if changed:
                _update(db, "articles", article_id, changed)
            current = [
                {**{name: v[name] for name in self.version_cols}, "version": v["version"]}
                for v in old_versions
            ]
            if changed or current != wanted:
                self.summary.articles_merged += 1
            if current != wanted:
                self._renumber_reextractions(article_id, old_versions, number)
        if current != wanted:
            db.execute("delete from versions where article_id = ?", [article_id])
            for version in wanted:
                _insert(db, "versions", {"article_id": article_id, **version})
        self.ids[shard_id] = article_id
        if held is None or _latest([held, mine]) is mine:
            # the article's paragraphs are those of its latest capture: the shard's
            raw = "\n".join(
                text
                for (text,) in db.execute(
                    f"""select p.text from {SHARD}.article_paragraphs ap
                        join {SHARD}.paragraphs p on p.id = ap.paragraph_id
                        where ap.article_id = ? order by p.id""",
                    [shard_id],
                )
            )
            self.store.recount_paragraphs(site, article_id, raw, mine["last_seen"] or utc_now())

    def _versions(self, schema: str, article_id: int) -> list[dict[str, Any]]:
        """An article's versions with the archive's id of their fetch and its WARC record."""
        fetch = (
            "v.fetch_id"
            if schema == "main"
            else "(select m.id from main.fetches m where m.warc_filename = f.warc_filename"
            " and m.warc_offset = f.warc_offset)"
        )
        return _rows(
            self.db,
            f"""select v.id as _id, v.version, {_names(self.version_cols, "v")},
                       {fetch} as _fetch, f.warc_filename as _file, f.warc_offset as _offset
                from {schema}.versions v left join {schema}.fetches f on f.id = v.fetch_id
                where v.article_id = ? order by v.version""",
            [article_id],
        )

    def _article_row(
        self, sources: list[dict[str, Any]], versions: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The merged article: the latest capture's state, over the merged versions."""
        latest = _latest(sources)
        row = {name: latest[name] for name in self.article_cols}
        row["last_fetch_id"] = latest["_last_fetch"]
        row["first_seen"] = min((s["first_seen"] for s in sources if s["first_seen"]), default=None)
        row["version_count"] = len(versions)
        if versions and latest["content_sha256"] != versions[-1]["content_sha256"]:
            # its text came before another archive's later version: that one is the latest
            row.update({name: versions[-1][name] for name in self.content_cols})
        if not row["sitemap_lastmod"]:
            dated = [s for s in sources if s["sitemap_lastmod"]]
            row["sitemap_lastmod"] = _latest(dated)["sitemap_lastmod"] if dated else None
        # gone when a 404 or 410 came after its last capture (the first such, as a crawl
        # keeps it)
        gone = [
            (s["gone_at"], s["gone_status"])
            for s in sources
            if s["gone_at"] and s["gone_at"] > (row["last_seen"] or "")
        ]
        row["gone_at"], row["gone_status"] = min(gone) if gone else (None, None)
        return row

    def _renumber_reextractions(
        self, article_id: int, old: list[dict[str, Any]], number: dict[tuple[str, int], int]
    ) -> None:
        """Keep the archive's re-extractions of an article on their versions' new numbers."""
        moved = {v["version"]: number[_capture_key(v, "main")] for v in old}
        for row_id, version in self.db.execute(
            "select id, version from reextractions where article_id = ?", [article_id]
        ).fetchall():
            if moved.get(version, version) != version:
                self.db.execute(
                    "update reextractions set version = ? where id = ?", [moved[version], row_id]
                )


def merge(
    archive_dir: str | Path,
    shards: Iterable[str | Path],
    progress: Callable[[int], None] | None = None,
) -> MergeSummary:
    """Merge the shards into the archive (created if missing); see the module's docstring."""
    with Merge(archive_dir, shards) as job:
        return job.run(progress)


_RUN_KEYS = "select hostname, pid, started_at from {table}"
_SAME_RUN = "m.hostname is s.hostname and m.pid is s.pid and m.started_at is s.started_at"


def _check_tables(db: Database) -> None:
    """Refuse an archive with a table this module does not say how to merge."""
    unknown = sorted(
        name
        for name in db.table_names()
        if name not in MERGED_TABLES and not name.startswith(DERIVED_PREFIXES)
    )
    if unknown:
        raise ArchiveError(
            f"{db.conn.execute('pragma database_list').fetchone()[2]} has tables merge "
            f"does not know ({', '.join(unknown)}): "
            "archive/merge.py must learn them first"
        )


def _columns(db: Database, schema: str, table: str, skip: tuple[str, ...] = ()) -> list[str]:
    """A table's stored columns (generated ones left out: SQLite computes them)."""
    rows = db.execute(f"pragma {schema}.table_info([{table}])").fetchall()
    return [row[1] for row in rows if row[1] not in skip]


def _names(columns: list[str], alias: str | None = None) -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}[{name}]" for name in columns)


def _rows(db: Database, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _insert(db: Database, table: str, row: dict[str, Any]) -> int:
    cursor = db.execute(
        f"insert into [{table}] ({_names(list(row))}) values ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    return cursor.lastrowid


def _update(db: Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"[{name}] = ?" for name in values)
    db.execute(f"update [{table}] set {assignments} where id = ?", [*values.values(), row_id])


def _clean(row: dict[str, Any], keys: frozenset[str]) -> None:
    """Strip the archive's learned boilerplate from a shard's text, as a crawl would have."""
    if not keys or row["text"] is None:
        return
    text = strip_paragraphs(row["text"], keys)
    if text != row["text"] and text.strip():
        row.update(text=text, word_count=word_count(text), content_sha256=text_sha256(text))


def _capture_key(version: dict[str, Any], schema: str) -> tuple[str, int]:
    """One capture, whichever archive it is read from: its fetch in the merged archive."""
    if version["_fetch"] is not None:
        return ("fetch", version["_fetch"])
    return (schema, version["_id"])


def _capture_order(version: dict[str, Any]) -> tuple[str, str, int]:
    # ties broken by the WARC record, the same in every archive (ids are not)
    return (version["captured_at"] or "", version["_file"] or "", version["_offset"] or 0)


def _latest(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The source whose last capture is the latest (the first of equals)."""
    return max(sources, key=lambda s: (s["last_seen"] or "", s["_file"] or "", s["_offset"] or 0))


def _merge_paragraphs(db: Database) -> list[int]:
    """Add the shard's paragraphs (counted again later from the links); a paragraph learned
    in either archive stays learned. Returns the archive's paragraphs it learns now."""
    learned = [
        paragraph_id
        for (paragraph_id,) in db.execute(
            f"""select m.id from main.paragraphs m join {SHARD}.paragraphs s
                on s.site = m.site and s.key = m.key
                where m.boilerplate_since is null and s.boilerplate_since is not null"""
        ).fetchall()
    ]
    db.execute(
        f"""insert into main.paragraphs (site, key, text, article_count, first_seen,
              boilerplate_since)
            select site, key, text, 0, first_seen, boilerplate_since
            from {SHARD}.paragraphs where true
            on conflict (site, key) do update set
              first_seen = min(coalesce(first_seen, excluded.first_seen),
                               coalesce(excluded.first_seen, first_seen)),
              boilerplate_since = min(coalesce(boilerplate_since, excluded.boilerplate_since),
                                      coalesce(excluded.boilerplate_since, boilerplate_since))"""
    )
    return learned


def _merge_recleans(db: Database, ids: dict[int, int], run_ids: dict[int, int]) -> None:
    rows = _rows(
        db,
        f"""select r.*, p.site as _site, p.key as _key from {SHARD}.recleans r
            left join {SHARD}.paragraphs p on p.id = r.paragraph_id""",
    )
    extra = _columns(
        db, "main", "recleans", skip=("id", "article_id", "paragraph_id", "run_id", "cleaned_at")
    )
    for row in rows:
        found = db.execute(
            "select id from main.paragraphs where site = ? and key = ?", [row["_site"], row["_key"]]
        ).fetchone()
        values = {
            "article_id": ids.get(row["article_id"]),
            "paragraph_id": found[0] if found else None,
            "run_id": run_ids.get(row["run_id"]),
            "cleaned_at": row["cleaned_at"],
        }
        if (
            values["article_id"] is None
            or db.execute(
                """select 1 from recleans where article_id = ? and paragraph_id is ?
               and cleaned_at is ?""",
                [values["article_id"], values["paragraph_id"], values["cleaned_at"]],
            ).fetchone()
        ):
            continue
        _insert(db, "recleans", {**values, **{name: row[name] for name in extra}})


def _merge_reextractions(
    db: Database, ids: dict[int, int], numbers: dict[tuple[int, int], int]
) -> None:
    extra = _columns(db, "main", "reextractions", skip=("id", "article_id", "version"))
    for row in _rows(db, f"select * from {SHARD}.reextractions"):
        article_id = ids.get(row["article_id"])
        if article_id is None:
            continue
        version = numbers.get((row["article_id"], row["version"]), row["version"])
        if db.execute(
            """select 1 from reextractions where article_id = ? and reextracted_at is ?
               and old_sha256 is ? and new_sha256 is ?""",
            [article_id, row["reextracted_at"], row["old_sha256"], row["new_sha256"]],
        ).fetchone():
            continue
        _insert(
            db,
            "reextractions",
            {"article_id": article_id, "version": version, **{n: row[n] for n in extra}},
        )


def _refers_by_record(db: Database) -> list[tuple[str, int, int]]:
    """(WARC file, offset, the archive's fetch id of the original) of the revisits a shard
    wrote of captures its history archive held: they name the original by record id."""
    wanted = db.execute(
        """select warc_filename, warc_offset, refers_to_record_id from temp.merge_fetches
           where refers_filename is null and refers_to_record_id is not null"""
    ).fetchall()
    record_ids = sorted({record_id for _, _, record_id in wanted})
    found: dict[str, int] = {}
    # one look-up per few hundred revisits: `warc_record_id` has no index
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        found.update(
            (record_id, fetch_id)
            for fetch_id, record_id in db.execute(
                "select id, warc_record_id from main.fetches where warc_record_id in "
                f"({', '.join('?' * len(chunk))})",
                chunk,
            )
        )
    return [
        (name, offset, found[record_id]) for name, offset, record_id in wanted if record_id in found
    ]


def _apply_history_outcomes(db: Database) -> tuple[int, int]:
    """Apply what the shard's crawl found of articles only the archive held, as the
    crawl's `mark_not_modified` and `mark_gone` would have there; one that a later capture
    or finding already covers changes nothing (so merging twice changes nothing).
    Returns (how many found unchanged, how many gone) it applied."""
    outcomes = _rows(
        db,
        f"""select o.url, o.outcome, o.status, o.fetched_at, o.sitemap_lastmod,
                   m.id as fetch_id
            from {SHARD}.history_outcomes o
            left join {SHARD}.fetches f on f.id = o.fetch_id
            left join main.fetches m on m.warc_filename = f.warc_filename
              and m.warc_offset = f.warc_offset
            order by o.fetched_at, o.id""",
    )
    unchanged = gone = 0
    for outcome in outcomes:
        found = db.execute(
            "select id, last_seen, gone_at, gone_status from articles where url = ?",
            [outcome["url"]],
        ).fetchone()
        at = outcome["fetched_at"]
        if found is None or at <= (found[1] or ""):
            continue  # not the archive's article, or a later capture says more
        article_id, last_seen, gone_at, gone_status = found
        # found gone after its last capture (by a shard merged before)
        gone_before = gone_at is not None and gone_at > (last_seen or "")
        if outcome["outcome"] == NOT_MODIFIED:
            seen: dict[str, Any] = {"last_seen": at}
            if outcome["fetch_id"] is not None:
                seen["last_fetch_id"] = outcome["fetch_id"]
            if outcome["sitemap_lastmod"]:
                seen["sitemap_lastmod"] = outcome["sitemap_lastmod"]
            if not (gone_before and gone_at > at):  # there again, unless gone since
                seen.update(gone_at=None, gone_status=None)
            _update(db, "articles", article_id, seen)
            unchanged += 1
        elif outcome["outcome"] == GONE:
            # gone since the first such finding, with the latest one's status, as a crawl
            # marks it (`mark_gone`)
            if not gone_before:
                changed = {"gone_at": at, "gone_status": outcome["status"]}
            elif at < gone_at:
                changed = {"gone_at": at}
            else:
                changed = {"gone_status": outcome["status"]}
            current = {"gone_at": gone_at, "gone_status": gone_status}
            if any(current[name] != value for name, value in changed.items()):
                _update(db, "articles", article_id, changed)
                gone += 1
    return unchanged, gone


def _merge_lessons(db: Database, run_ids: dict[int, int]) -> None:
    """A lesson learned in both archives keeps its first record, as a crawl keeps it."""
    for row in _rows(db, f"select * from {SHARD}.site_lessons"):
        db.execute(
            """insert into site_lessons (site, kind, key, example, pages, run_id, learned_at)
               values (?, ?, ?, ?, ?, ?, ?)
               on conflict (site, kind, key) do update set example = excluded.example,
                 pages = excluded.pages, run_id = excluded.run_id,
                 learned_at = excluded.learned_at
               where excluded.learned_at < site_lessons.learned_at""",
            (
                row["site"],
                row["kind"],
                row["key"],
                row["example"],
                row["pages"],
                run_ids.get(row["run_id"]),
                row["learned_at"],
            ),
        )
    # a site's text lies in one container: two workers that learned different ones keep
    # the first, as a later crawl would have used it rather than learn another
    db.execute(
        """delete from site_lessons where kind = :kind and exists (
             select 1 from site_lessons o where o.kind = :kind and o.site = site_lessons.site
             and (o.learned_at < site_lessons.learned_at
                  or (o.learned_at = site_lessons.learned_at and o.id < site_lessons.id)))""",
        {"kind": BODY_CONTAINER},
    )


def _merge_site_rules(db: Database, run_ids: dict[int, int]) -> None:
    """The rules a site was last crawled with: the latest recorded wins."""
    for row in _rows(db, f"select * from {SHARD}.site_rules"):
        db.execute(
            """insert into site_rules (site, rules, run_id, recorded_at) values (?, ?, ?, ?)
               on conflict (site) do update set rules = excluded.rules,
                 run_id = excluded.run_id, recorded_at = excluded.recorded_at
               where excluded.recorded_at > site_rules.recorded_at""",
            [row["site"], row["rules"], run_ids.get(row["run_id"]), row["recorded_at"]],
        )


def _same_file(one: Path, other: Path) -> bool:
    """True when two paths hold the same bytes (a hard link of one file, or a copy)."""
    try:
        if one.samefile(other):
            return True
        return one.stat().st_size == other.stat().st_size and cmp(one, other, shallow=False)
    except OSError:
        return False


def _place(source: Path, target: Path) -> bool:
    """Hard-link (or, across file systems, copy) a WARC file into the archive; True when
    it was copied. Made under a hidden name and renamed, so a killed merge leaves no
    half-file under the real name."""
    partial = target.with_name(f".{target.name}{PARTIAL_SUFFIX}")
    partial.unlink(missing_ok=True)
    try:
        os.link(source, partial)
        copied = False
    except OSError:
        shutil.copyfile(source, partial)
        copied = True
    os.replace(partial, target)
    return copied
