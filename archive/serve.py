"""`python -m archive serve ARCHIVE_DIR`: the archive in a browser, for archivists.

Two servers on this machine (127.0.0.1 unless `--host` says otherwise), started and stopped
together:

- **Datasette**, read-only, over `archive.db`, with the archive's metadata (what each table
  and column means; `metadata`), full-text search on articles, facets on site, section,
  author and month, canned queries (changed articles, gone articles, fetch errors, what
  the last run did), and the views of `archive/datasette_plugins/archive_views.py`: an
  article's page (text, metadata, versions, diffs, links to its captures) and charts
  (articles per day, each run's fetches by status).
- **pywb**, replaying the archive's own WARC files, which the article pages link to. pywb
  rather than ReplayWeb.page: it runs from the WARC files where they are (an index is all
  it needs, made here with cdxj-indexer), with no copy of the archive, no service worker
  and no JavaScript package to fetch, and the tests already use it; it lives in
  `.venv-pywb`, a venv of its own, since its dependencies do not mix with Scrapy's.
  ReplayWeb.page users open the archive's WACZ (`python -m archive wacz`) instead.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive.db import ArchiveError, warc_dir

ROOT = Path(__file__).resolve().parent.parent
PYWB = ROOT / ".venv-pywb" / "bin"
PLUGINS = Path(__file__).resolve().parent / "datasette_plugins"
TEMPLATES = Path(__file__).resolve().parent / "datasette_templates"
DEFAULT_PORT = 8001
COLLECTION = "archive"
# How long the two servers may take to answer before `serve` gives up on them.
START_TIMEOUT = 60.0


def metadata(replay_url: str, columns: set[str] | None = None) -> dict[str, Any]:
    """Datasette's metadata for an archive: descriptions, search, facets, canned queries,
    and where captures are replayed (for the article view). `columns`: the articles
    table's, when known (an archive older than its month column gets no month facet)."""
    tables = json.loads(json.dumps(TABLES))
    if columns is not None:
        facets = tables["articles"]["facets"]
        tables["articles"]["facets"] = [f for f in facets if f in columns]
    queries = {
        name: query
        for name, query in QUERIES.items()
        if columns is None or "published_month" in columns or "published_month" not in query["sql"]
    }
    return {
        "title": "News archive",
        "description": "Articles, their versions and every HTTP exchange of the crawls. "
        "Open an article's URL for its page: text, versions, diffs and its captures.",
        "plugins": {"news-archive": {"replay": replay_url}},
        "databases": {
            "archive": {
                "tables": tables,
                "queries": queries,
            }
        },
    }


TABLES: dict[str, Any] = {
    "articles": {
        "description": "One row per article (canonical URL): its latest clean text and metadata.",
        "fts_table": "articles_fts",
        "fts_pk": "id",
        "facets": ["site", "section", "author", "published_month"],
        "sort_desc": "published_utc",
        "columns": {
            "url": "The article's canonical URL (its page: text, versions, captures).",
            "title": "Headline, from the page's metadata.",
            "author": "Author(s), as the page names them.",
            "authors": "Each author's name, a JSON list (null: stored before it was kept).",
            "published": "Publication time as the page gives it.",
            "published_utc": "Publication time in UTC (what date filters use).",
            "published_month": "YYYY-MM of published_utc.",
            "modified": "Last modification time the page gives.",
            "section": "Section or category.",
            "tags": "Tags, a JSON list.",
            "text": "Clean body text, one paragraph a line (the latest version).",
            "word_count": "Words in the text.",
            "content_sha256": "SHA-256 of the text.",
            "version_count": "How many distinct texts were captured.",
            "first_seen": "First capture (UTC).",
            "last_seen": "Latest capture (UTC).",
            "last_fetch_id": "The fetch of the latest capture.",
            "site": "host:port of the site.",
            "gone_at": "When the page answered 404/410 (null while it is there).",
            "gone_status": "The status it answered then.",
            "sitemap_lastmod": "The lastmod a sitemap gave for it.",
            "extractor": "The extraction code and site rules that made the text.",
        },
    },
    "versions": {
        "description": "Every distinct clean text ever captured for an article.",
        "columns": {
            "version": "1 for the first capture, +1 whenever the clean text changed.",
            "fetch_id": "The HTTP exchange (WARC record) it was cut from.",
            "captured_at": "When (UTC).",
        },
    },
    "fetches": {
        "description": "Every HTTP exchange written to WARC: a CDX index in SQL.",
        "facets": ["status", "warc_type", "requisite"],
        "columns": {
            "url": "The URL asked for.",
            "status": "HTTP status.",
            "fetched_at": "When the request went out (UTC), the records' WARC-Date.",
            "warc_filename": "A file in ARCHIVE_DIR/warc/.",
            "warc_offset": "Byte offset of the response (or revisit) record.",
            "warc_type": "response, or revisit (unchanged: 304 or the same bytes).",
            "refers_to_fetch_id": "For a revisit: the capture holding the content.",
            "refers_to_record_id": "For a shard's revisit of a capture in the archive it "
            "re-ran: that record's WARC-Record-ID (merge resolves it).",
            "requisite": "1 for a page's stylesheet, script, image or font.",
        },
    },
    "runs": {
        "description": "One row per crawl: when, how it ended, what it did (stats as JSON).",
    },
    "paragraphs": {"description": "Paragraphs counted per site; boilerplate once learned."},
    "recleans": {"description": "Stored texts cleaned of boilerplate learned later."},
    "reextractions": {"description": "Stored texts derived again from their WARC records."},
    "site_lessons": {"description": "What crawls learned about each site."},
    "site_rules": {"description": "The extraction rules each site was last crawled with."},
    "merged_runs": {"description": "Runs brought in from other archives by `merge`."},
    "history_outcomes": {
        "description": "In a shard: articles of the archive its re-run read that it found "
        "unchanged or gone (`merge` applies them there)."
    },
}

QUERIES: dict[str, Any] = {
    "changed_articles": {
        "title": "Changed articles",
        "description": "Articles whose text changed after their first capture, latest first.",
        "sql": """select a.url, a.title, a.version_count, a.last_seen, a.site
                  from articles a where a.version_count > 1
                  order by a.last_seen desc""",
    },
    "gone_articles": {
        "title": "Gone articles",
        "description": "Articles whose page now answers 404 or 410.",
        "sql": """select url, title, gone_at, gone_status, last_seen, site
                  from articles where gone_at is not null order by gone_at desc""",
    },
    "fetch_errors": {
        "title": "Fetch errors",
        "description": "Exchanges that answered 4xx or 5xx, latest first.",
        "sql": """select f.fetched_at, f.status, f.url, f.run_id, f.requisite
                  from fetches f where f.status >= 400 order by f.id desc""",
    },
    "last_run": {
        "title": "What the last run did",
        "description": "The latest crawl: how it ended and what it fetched and stored.",
        "sql": """select id, spider, started_at, finished_at, status, finish_reason,
                         fetch_count, articles_new, articles_changed, articles_unchanged,
                         articles_gone, revisits, site_counts
                  from runs order by id desc limit 1""",
    },
    "articles_per_month": {
        "title": "Articles per month",
        "sql": """select published_month, count(*) as articles from articles
                  where published_month is not null group by 1 order by 1""",
    },
}


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on host:port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def index_warcs(archive_dir: Path, work: Path) -> None:
    """The CDXJ index pywb replays the archive's WARC files by (made anew each start)."""
    indexes = work / "indexes"
    indexes.mkdir(parents=True, exist_ok=True)
    warcs = sorted(str(p) for p in warc_dir(archive_dir).glob("*.warc.gz"))
    target = indexes / "index.cdxj"
    if not warcs:
        target.write_text("")
        return
    subprocess.run(
        [
            str(PYWB / "cdxj-indexer"),
            "-s",
            "--dir-root",
            str(warc_dir(archive_dir)),
            *warcs,
            "-o",
            str(target),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    config = {
        "collections": {
            COLLECTION: {
                "index_paths": str(indexes) + os.sep,
                "archive_paths": str(warc_dir(archive_dir)) + os.sep,
            }
        },
    }
    (work / "config.yaml").write_text(json.dumps(config))  # YAML is a superset of JSON


def check(archive_dir: Path, host: str, port: int, replay_port: int) -> None:
    """Raise ArchiveError (one line) when `serve` cannot start."""
    if not (archive_dir / "archive.db").is_file():
        raise ArchiveError(f"{archive_dir}: no archive here (no archive.db)")
    if not (PYWB / "wayback").exists():
        raise ArchiveError(
            "pywb is missing: `make install` sets it up in .venv-pywb (replay needs it)"
        )
    for which in (port, replay_port):
        if port_taken(host, which):
            raise ArchiveError(
                f"port {which} on {host} is taken (is `serve` running already? "
                "--port chooses another)"
            )


def serve(
    archive_dir: Path,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    replay_port: int | None = None,
    ready: Callable[[str, str], None] | None = None,
) -> int:
    """Run Datasette and pywb over the archive until interrupted; their exit status."""
    archive_dir = archive_dir.resolve()
    replay_port = replay_port or port + 1
    check(archive_dir, host, port, replay_port)
    datasette_url = f"http://{host}:{port}"
    replay_url = f"http://{host}:{replay_port}/{COLLECTION}/"
    with tempfile.TemporaryDirectory(prefix="archive-serve-") as folder:
        work = Path(folder)
        index_warcs(archive_dir, work)
        with sqlite3.connect(f"file:{archive_dir / 'archive.db'}?mode=ro", uri=True) as db:
            columns = {row[1] for row in db.execute("pragma table_xinfo(articles)")}
        (work / "metadata.json").write_text(json.dumps(metadata(replay_url, columns)))
        processes = [
            subprocess.Popen(
                [str(PYWB / "wayback"), "-b", host, "-p", str(replay_port)],
                cwd=work,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            ),
            subprocess.Popen(
                [
                    # named "archive" by its file name, whatever the folder is called
                    sys.executable,
                    "-m",
                    "datasette",
                    "serve",
                    str(archive_dir / "archive.db"),
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--metadata",
                    str(work / "metadata.json"),
                    "--plugins-dir",
                    str(PLUGINS),
                    "--template-dir",
                    str(TEMPLATES),
                    "--setting",
                    "default_page_size",
                    "50",
                    "--setting",
                    "sql_time_limit_ms",
                    "5000",
                ],
                cwd=ROOT,  # the plugin imports `archive`
                stdin=subprocess.DEVNULL,
                # its access log, one line a request, is not for the terminal; errors are
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            ),
        ]

        def stop(signum: int, frame: Any) -> None:
            raise SystemExit(0)  # through the `finally` below, which stops both servers

        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not (_answers(datasette_url) and _answers(replay_url)):
                if any(p.poll() is not None for p in processes):
                    raise ArchiveError("the servers did not start (see the lines above)")
                if time.monotonic() > deadline:
                    raise ArchiveError(f"the servers did not answer in {START_TIMEOUT:.0f} s")
                time.sleep(0.2)
            if ready is not None:
                ready(datasette_url, replay_url)
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            return next(p.returncode for p in processes if p.returncode is not None)
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
