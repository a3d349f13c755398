"""Re-extract stored articles from their own WARC records, with the current extraction code.

Every version of an article was cut from one HTTP response that the archive kept in its
WARC files (`versions.fetch_id` → `fetches.warc_filename`, `warc_offset`). When the
extraction code or a site's rules improve, `reextract` reads those responses back,
offline, and derives text and metadata again, with the rules the site was last crawled
with (`site_rules`) and the site's learned boilerplate removed, as a crawl would.

A re-extraction is not a new version: the site published nothing new. The text of the
version (and of the article, for its latest version) is replaced in place, the new text
records the extractor that made it (`extractor`), and a changed text is recorded in
`reextractions` (old and new digests, words gained and lost). Each version is one
transaction, and a version already made by the current extractor is skipped, so a run
killed half-way loses nothing and the next one goes on where it stopped.

Page reading (`parsing`) is the one room the archive calls here: re-deriving a text is
the archive's own job, and page reading is Scrapy-free.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from w3lib.encoding import html_to_unicode
from warcio.archiveiterator import ArchiveIterator

from archive.boilerplate import strip_paragraphs, threshold
from archive.db import warc_dir
from archive.models import text_sha256, word_count
from archive.store import ArchiveStore, utc_now
from parsing.article import extract_article, extractor_id
from parsing.rules import GENERIC_RULES, ExtractionRules

# Metadata a re-extraction may set; a field it finds empty keeps its stored value (a date
# that came from a sitemap, say, is not in the page).
METADATA = ("title", "author", "published", "modified", "language", "section", "description")


@dataclass(frozen=True)
class Job:
    """One version to re-extract: where its response is, and with which rules."""

    version_id: int
    article_id: int
    version: int
    latest: bool
    url: str
    site: str
    warc_path: str
    warc_offset: int
    rules: dict[str, list[str]]


@dataclass
class Summary:
    """What a re-extraction did (or, dry, would do)."""

    versions: int = 0
    changed: int = 0
    unreadable: int = 0
    boilerplate_learned: int = 0
    boilerplate_unlearned: int = 0
    words_gained: int = 0
    words_lost: int = 0
    articles_changed: set[int] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)


def site_rules(db: Database) -> dict[str, ExtractionRules]:
    """The extraction rules each site was last crawled with."""
    if "site_rules" not in db.table_names():
        return {}
    return {
        site: ExtractionRules.from_dict(json.loads(rules))
        for site, rules in db.execute("select site, rules from site_rules")
    }


def pending_jobs(
    db: Database,
    archive_dir: str | Path,
    site: str | None = None,
    articles: set[int] | None = None,
) -> list[Job]:
    """The versions whose text the current extractor did not make, oldest article first;
    with `articles`, every version of those articles."""
    rules = site_rules(db)
    if articles is not None:
        marks = ", ".join("?" * len(articles))
        where, params = f"where a.id in ({marks})", sorted(articles)
    else:
        where, params = ("where a.site = ?", [site]) if site else ("", [])
    rows = db.execute(
        f"""select v.id, a.id, v.version, a.version_count, a.url, a.site, v.extractor,
                   f.warc_filename, f.warc_offset
            from versions v join articles a on a.id = v.article_id
            join fetches f on f.id = v.fetch_id
            {where} order by a.id, v.version""",
        params,
    ).fetchall()
    folder = warc_dir(archive_dir)
    jobs = []
    for version_id, article_id, version, latest, url, site_of, made_by, name, offset in rows:
        rules_of_site = rules.get(site_of, GENERIC_RULES)
        if name is None or (articles is None and made_by == extractor_id(rules_of_site)):
            continue
        jobs.append(
            Job(
                version_id,
                article_id,
                version,
                version == latest,
                url,
                site_of,
                str(folder / name),
                offset,
                rules_of_site.as_dict(),
            )
        )
    return jobs


def read_response(path: str, offset: int) -> tuple[str | None, bytes] | None:
    """(Content-Type, decoded body) of the response record at `offset`, or None."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)), None)
            if record is None or record.rec_type != "response" or record.http_headers is None:
                return None
            content_type = record.http_headers.get_header("Content-Type")
            return content_type, record.content_stream().read()
    except (OSError, ValueError, EOFError):
        return None


def extract_job(job: Job) -> dict[str, Any] | None:
    """Text and metadata of one job's page, with the current code (in a worker process)."""
    response = read_response(job.warc_path, job.warc_offset)
    if response is None:
        return None
    content_type, body = response
    _, html = html_to_unicode(content_type, body)
    article = extract_article(html, job.url, ExtractionRules.from_dict(job.rules))
    if article is None:
        return None
    return {
        "text": article.text,
        "extractor": article.extractor,
        **{name: getattr(article, name) for name in METADATA},
        "tags": article.tags,
        "authors": article.authors,
        "image": article.image,
    }


def _words_moved(old: str, new: str) -> tuple[int, int]:
    before, after = Counter(old.split()), Counter(new.split())
    return sum((after - before).values()), sum((before - after).values())


def _apply(
    db: Database,
    job: Job,
    new: dict[str, Any],
    text: str,
    old: dict[str, Any],
    moved: tuple[int, int] | None,
) -> None:
    """Write one version's re-extraction (and its article's, for the latest version), in
    the caller's transaction; `moved` (words gained, lost) when the text changed."""
    values: dict[str, Any] = {
        "text": text,
        "word_count": word_count(text),
        "content_sha256": text_sha256(text),
        "extractor": new["extractor"],
    }
    for name in METADATA:
        if new[name]:
            values[name] = new[name]
    if new["tags"]:
        values["tags"] = json.dumps(new["tags"], ensure_ascii=False)
    if new["authors"]:
        values["authors"] = json.dumps(new["authors"], ensure_ascii=False)
    if new["image"]:
        values["image"] = new["image"]
    db["versions"].update(job.version_id, values)
    if job.latest:
        db["articles"].update(job.article_id, values)
    if moved is not None:
        gained, lost = moved
        db["reextractions"].insert(
            {
                "article_id": job.article_id,
                "version": job.version,
                "reextracted_at": utc_now(),
                "old_extractor": old["extractor"],
                "new_extractor": new["extractor"],
                "old_sha256": old["content_sha256"],
                "new_sha256": values["content_sha256"],
                "words_gained": gained,
                "words_lost": lost,
            }
        )


def reextract(
    db: Database,
    archive_dir: str | Path,
    *,
    site: str | None = None,
    dry_run: bool = False,
    processes: int | None = None,
    progress: Callable[[int], None] | None = None,
    jobs: list[Job] | None = None,
) -> Summary:
    """Re-extract every version the current extractor did not make; `dry_run` does it on
    a copy of the database, so that what it says is what a real run would do.
    `processes`: worker processes (None: one per core; 0: none, in this process)."""
    jobs = pending_jobs(db, archive_dir, site) if jobs is None else jobs
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="reextract-") as folder:
            copy = sqlite3.connect(Path(folder) / "archive.db")
            db.conn.backup(copy)
            try:
                return _run(Database(copy), archive_dir, jobs, processes, progress)
            finally:
                copy.close()
    return _run(db, archive_dir, jobs, processes, progress)


# Fewer texts than this are derived again in the calling process (`reclean_site`): a
# spawned worker pool takes as long to start as a few dozen pages take to read.
IN_PROCESS_BELOW = 50


def reclean_site(
    db: Database, archive_dir: str | Path, site: str, announce: Callable[[int], None] | None = None
) -> Summary | None:
    """Re-extract a site's versions the current rules did not make (a crawl's end, a
    merge), in this process when they are few; None when there are none. `announce` is
    told how many before the work starts."""
    jobs = pending_jobs(db, archive_dir, site)
    if not jobs:
        return None
    if announce is not None:
        announce(len(jobs))
    processes = 0 if len(jobs) < IN_PROCESS_BELOW else None
    return reextract(db, archive_dir, site=site, processes=processes, jobs=jobs)


def _learned_counts(db: Database, sites: set[str]) -> dict[int, tuple[str, int]]:
    """Each learned boilerplate paragraph of the sites: its site and article count."""
    if not sites or "paragraphs" not in db.table_names():
        return {}
    marks = ", ".join("?" * len(sites))
    rows = db.execute(
        f"""select id, site, article_count from paragraphs
            where boilerplate_since is not null and site in ({marks})""",
        sorted(sites),
    )
    return {pid: (site, count) for pid, site, count in rows}


def _unlearn(db: Database, before: dict[int, tuple[str, int]], summary: Summary) -> set[int]:
    """Take back the boilerplate that the new texts no longer support; return the
    articles whose texts held it (they must be derived again, with it kept).

    A paragraph learned as boilerplate stays so while the site grows (see
    archive.boilerplate); but one whose count the re-extraction lowered below the bar was
    learned from text that was not the articles' (a rail of other stories' openings,
    which the re-extraction now leaves out): its own article must keep it.
    """
    store = ArchiveStore(db)
    articles: set[int] = set()
    after = _learned_counts(db, {site for site, _ in before.values()})
    for pid, (site, count) in after.items():
        was = before.get(pid, (site, count))[1]
        (site_articles,) = db.execute(
            "select count(*) from articles where site = ?", [site]
        ).fetchone()
        if count < was and count < threshold(site_articles):
            holding = store.boilerplate.articles_holding(pid)
            with db.atomic():
                db.execute("update paragraphs set boilerplate_since = null where id = ?", [pid])
                # marked stale in the same transaction: killed before they are derived
                # again, the next re-extraction finds them
                db.conn.executemany(
                    "update versions set extractor = null where article_id = ?",
                    [(article_id,) for article_id in holding],
                )
            articles.update(holding)
            summary.boilerplate_unlearned += 1
    return articles


def _run(
    db: Database,
    archive_dir: str | Path,
    jobs: list[Job],
    processes: int | None,
    progress: Callable[[int], None] | None,
) -> Summary:
    summary = Summary()
    before = _learned_counts(db, {job.site for job in jobs})
    _extract(db, jobs, processes, progress, summary)
    again = _unlearn(db, before, summary)
    if again:
        # Their texts again, the paragraph kept: a second pass, whose changes the summary
        # does not count twice (what it restores, the first pass had taken).
        _extract(db, pending_jobs(db, archive_dir, articles=again), 0, None, Summary())
    return summary


def _extract(
    db: Database,
    jobs: list[Job],
    processes: int | None,
    progress: Callable[[int], None] | None,
    summary: Summary,
) -> None:
    """Derive the jobs' texts anew and store them, counting what changed in `summary`."""
    store = ArchiveStore(db)
    with contextlib.ExitStack() as stack:
        if processes == 0:  # a few pages: starting workers would take longer
            results: Iterator[dict[str, Any] | None] = map(extract_job, jobs)
        else:
            # spawned, not forked: a forked worker would hold the archive's lock open after
            # its parent was killed, and no run could go on where the killed one stopped
            pool = stack.enter_context(
                ProcessPoolExecutor(
                    max_workers=max(1, processes or len(os.sched_getaffinity(0))),
                    mp_context=multiprocessing.get_context("spawn"),
                )
            )
            results = pool.map(extract_job, jobs, chunksize=4)
        for job, new in zip(jobs, results, strict=True):
            summary.versions += 1
            if progress is not None:
                progress(1)
            if new is None:
                summary.unreadable += 1
                continue
            with db.atomic():
                old = db.execute(
                    "select text, extractor, content_sha256 from versions where id = ?",
                    [job.version_id],
                ).fetchone()
                old_row = {"text": old[0], "extractor": old[1], "content_sha256": old[2]}
                text = strip_paragraphs(new["text"], store.boilerplate.keys(job.site))
                if not text.strip():
                    summary.unreadable += 1
                    continue
                moved = None
                if text != old_row["text"]:
                    moved = _words_moved(old_row["text"], text)
                    summary.changed += 1
                    summary.articles_changed.add(job.article_id)
                    summary.words_gained += moved[0]
                    summary.words_lost += moved[1]
                    if len(summary.examples) < 5:
                        summary.examples.append(job.url)
                _apply(db, job, new, text, old_row, moved)
                if job.latest:  # the article's paragraphs are those of its latest text
                    summary.boilerplate_learned += store.recount_paragraphs(
                        job.site, job.article_id, new["text"], utc_now()
                    )
