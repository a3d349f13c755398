"""What crawls did to an archive: the articles one run, or every run since a date, added,
changed and found gone."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive.history import word_changes
from archive.queries import QueryError, parse_date_bound


@dataclass
class RunSummary:
    """One crawl, as the runs table records it."""

    id: int
    spider: str | None
    started_at: str | None
    finished_at: str | None
    status: str | None


@dataclass
class AddedArticle:
    """An article the runs captured for the first time."""

    url: str
    title: str | None
    captured_at: str
    run: int


@dataclass
class ChangedArticle:
    """An article the runs stored new versions of: from the version before them to the
    latest of them, with the words that went in and out between the two."""

    url: str
    title: str | None
    from_version: int
    to_version: int
    words_added: int
    words_removed: int
    captured_at: str
    run: int


@dataclass
class GoneArticle:
    """An article the runs found answering 404 or 410; it stays in the archive."""

    url: str
    title: str | None
    gone_at: str
    gone_status: int | None


@dataclass
class RunChanges:
    """What some runs did: the runs, and the articles they added, changed and found gone."""

    runs: list[RunSummary]
    since: str | None
    added: list[AddedArticle]
    changed: list[ChangedArticle]
    gone: list[GoneArticle]

    def as_json(self) -> dict[str, Any]:
        """The runs and the three lists as one JSON-ready dict."""
        return asdict(self)


def run_changes(db: Database, *, run: int | None = None, since: str | None = None) -> RunChanges:
    """What run `run`, or every run started since the date `since`, or else the latest
    crawl (its run, or its workers' runs) added, changed and found gone; no runs at all
    give empty lists."""
    if run is not None and since is not None:
        raise ValueError("run and since cannot be combined: one run, or every run since a date")
    runs = [
        RunSummary(*row)
        for row in db.execute(
            "select id, spider, started_at, finished_at, status from runs order by id"
        )
    ]
    if run is not None:
        chosen = [r for r in runs if r.id == run]
        if not chosen:
            there = f"its runs are #{runs[0].id} to #{runs[-1].id}" if runs else "it has no runs"
            raise QueryError(f"no run #{run} in this archive: {there}")
    elif since is not None:
        bound = _moment(parse_date_bound(since))
        chosen = [r for r in runs if r.started_at and _moment(r.started_at) >= bound]
    else:
        chosen = latest_crawl(runs)
    if not chosen:
        return RunChanges([], since, [], [], [])
    ids = [r.id for r in chosen]
    # A crawl holds its archive's lock, so only the workers of one shared crawl (merged
    # runs) overlap; what a crawl found gone was found between its start and the next
    # one's start, even if it never finished.
    later = [r for r in runs if r.id > ids[-1] and r.started_at]
    start = min(_moment(r.started_at) for r in chosen)
    end = _moment(later[0].started_at) if later else None
    return RunChanges(
        runs=chosen,
        since=since,
        added=_added(db, ids),
        changed=_changed(db, ids),
        gone=_gone(db, start, end),
    )


def latest_crawl(runs: list[RunSummary]) -> list[RunSummary]:
    """The latest run, with the runs that overlap it: the workers of one shared crawl,
    merged into this archive, each recorded its own run."""
    if not runs:
        return []
    crawl = [runs[-1]]
    begun = _moment(runs[-1].started_at)
    for run in reversed(runs[:-1]):
        ended = run.finished_at or run.started_at
        if not ended or _moment(ended) <= begun:
            break
        crawl.insert(0, run)
        begun = min(begun, _moment(run.started_at))
    return crawl


def _moment(value: str | None) -> datetime:
    """A stored UTC time (or a date bound) as a datetime, to compare whatever its spelling."""
    moment = datetime.fromisoformat(value or "0001-01-01")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _marks(values: list[int]) -> str:
    return ", ".join("?" for _ in values)


def _added(db: Database, run_ids: list[int]) -> list[AddedArticle]:
    """Articles whose first version was captured by one of the runs."""
    rows = db.execute(
        f"""select a.url, v.title, v.captured_at, f.run_id
            from versions v
            join fetches f on f.id = v.fetch_id
            join articles a on a.id = v.article_id
            where v.version = 1 and f.run_id in ({_marks(run_ids)})
            order by a.url""",
        run_ids,
    )
    return [AddedArticle(*row) for row in rows]


def _changed(db: Database, run_ids: list[int]) -> list[ChangedArticle]:
    """Articles with versions after the first captured by the runs, compared with the
    version they replaced (an article added and changed within the runs is in both lists)."""
    rows = db.execute(
        f"""select a.url, new.title, old.version, new.version, old.text, new.text,
                   new.captured_at, nf.run_id
            from (select v.article_id, min(v.version) - 1 as old_version,
                         max(v.version) as new_version
                  from versions v join fetches f on f.id = v.fetch_id
                  where v.version > 1 and f.run_id in ({_marks(run_ids)})
                  group by v.article_id) c
            join articles a on a.id = c.article_id
            join versions old on old.article_id = c.article_id and old.version = c.old_version
            join versions new on new.article_id = c.article_id and new.version = c.new_version
            join fetches nf on nf.id = new.fetch_id
            order by a.url""",
        run_ids,
    )
    changed = []
    for url, title, old_version, new_version, old_text, new_text, captured_at, run in rows:
        added, removed = word_changes(old_text, new_text)
        changed.append(
            ChangedArticle(url, title, old_version, new_version, added, removed, captured_at, run)
        )
    return changed


def _gone(db: Database, start: datetime, end: datetime | None) -> list[GoneArticle]:
    """Articles first found gone from `start` up to (not including) `end`."""
    if "gone_at" not in db["articles"].columns_dict:  # an archive from before m003
        return []
    rows = db.execute(
        "select url, title, gone_at, gone_status from articles"
        " where gone_at is not null order by url"
    )
    return [
        GoneArticle(*row)
        for row in rows
        if _moment(row[2]) >= start and (end is None or _moment(row[2]) < end)
    ]
