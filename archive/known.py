"""What earlier crawls left in the archive for one site: the facts a re-run decides on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from archive.sites import site_address


@dataclass(frozen=True)
class KnownArticle:
    """An archived article as a re-run sees it: its dates and whether it is gone."""

    url: str
    published: str | None
    modified: str | None
    sitemap_lastmod: str | None
    gone: bool


@dataclass(frozen=True)
class Capture:
    """The last full capture (a 200 `response` record) of a URL: what revisits refer to."""

    fetch_id: int
    url: str
    fetched_at: str
    record_id: str
    payload_digest: str | None
    etag: str | None
    last_modified: str | None
    # held in the crawl's history archive, not in the one it writes to: a revisit refers
    # to it by WARC-Record-ID, not by fetch id
    in_history: bool = False


def known_articles(db: Database, site: str) -> dict[str, KnownArticle]:
    """Every article archived for a site, by URL."""
    rows = db.execute(
        "select url, published, modified, sitemap_lastmod, gone_at from articles where site = ?",
        [site],
    )
    return {
        url: KnownArticle(url, published, modified, lastmod, gone is not None)
        for url, published, modified, lastmod, gone in rows
    }


def known_pages(db: Database, site: str) -> set[str]:
    """URLs of the site fetched with status 200 by crawls that finished.

    An interrupted crawl may not have followed a page's links, so its pages do not count.
    """
    rows = db.execute(
        """select distinct f.url from fetches f join runs r on r.id = f.run_id
           where f.status = 200 and r.status = 'finished'"""
    )
    return {url for (url,) in rows if site_address(url) == site}


def validators(db: Database, site: str) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified of each of the site's URLs at its last full capture."""
    rows = db.execute(
        """select url, etag, last_modified from fetches where id in (
             select max(id) from fetches where status = 200 and warc_type = 'response'
             group by url)
           and (etag is not null or last_modified is not null)"""
    )
    return {url: (etag, modified) for url, etag, modified in rows if site_address(url) == site}


def last_capture(db: Database, url: str) -> Capture | None:
    """The newest full capture of a URL, or None if it was never captured whole."""
    row = db.execute(
        """select id, url, fetched_at, warc_record_id, payload_digest, etag, last_modified
           from fetches where url = ? and status = 200 and warc_type = 'response'
           order by id desc limit 1""",
        [url],
    ).fetchone()
    return Capture(*row) if row else None
