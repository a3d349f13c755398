"""Packaging an archive as a WACZ 1.1.1 file, for ReplayWeb.page and other replay tools.

A WACZ is a ZIP holding WARC files (`archive/`), a CDXJ index of their records
(`indexes/index.cdx.gz`, in gzip blocks, with `indexes/index.idx` pointing into it), the
list of pages to open (`pages/pages.jsonl`) and `datapackage.json`, which names every
other member with its size and SHA-256 (`datapackage-digest.json` holds the digest of
`datapackage.json` itself).

The archive writes it with its own writer, not py-wacz (the `wacz` package), because:
- The page list comes from the archive database: one line per article, with its title and
  clean text, so ReplayWeb.page's full-text search finds articles by their words. py-wacz
  matches a given page list against the WARC records and silently leaves out the pages it
  cannot match (with none matched, it writes no pages.jsonl at all), and its own text is
  boilerpy3's, not ours.
- A filtered WACZ takes single records out of the WARC files; py-wacz packs whole files.
- py-wacz names each datapackage resource after its file, and the `~` in our WARC names
  (Heritrix's prefix-time-serial-pid~host) makes its own `wacz validate` reject the result.
- py-wacz depends on cdxj-indexer, whose `multipart` module clashes with python-multipart's
  in the crawler's venv, and on frictionless's large tree. What is needed here is zipfile,
  hashlib, warcio and surt (the SURT keys pywb and cdxj-indexer write). py-wacz's
  `wacz validate` checks the result in the tests (it lives in `.venv-pywb`).

Without filters every WARC file is packed whole, byte for byte. With `since`, `until` or
`site`, pages.jsonl lists the matching articles only, and each WARC file keeps (same name,
same order, each record byte for byte) its warcinfo record and the records those articles
need: every capture of their URLs and of the redirects to them (response or revisit record
and its request record), the earlier captures that revisits refer to, and the page
requisites (stylesheets, scripts, images) fetched by the crawls that made those captures.
The archive does not record which page uses which requisite (a crawl fetches each once, for
all its pages), so a narrow selection from a large crawl carries that crawl's other
requisites too: complete for replay, larger than it need be.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import surt
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp, timestamp_to_iso_date

from archive.db import ArchiveError, warc_dir
from archive.queries import QueryError, parse_date_bound
from archive.sites import site_address

WACZ_VERSION = "1.1.1"
SOFTWARE = "news-archiver 0.1.0"
PAGES_PATH = "pages/pages.jsonl"
CDX_PATH = "indexes/index.cdx.gz"
IDX_PATH = "indexes/index.idx"
# CDXJ lines per gzip block of index.cdx.gz: what py-wacz and ArchiveWeb.page write, so a
# replay tool reads one small block for a lookup instead of the whole index.
CDX_BLOCK_LINES = 1024
# Articles whose texts are read at once for pages.jsonl: not a whole archive's in memory.
PAGES_BATCH = 500
# Records a replay tool looks up; request and warcinfo records ride along unindexed, as
# cdxj-indexer leaves them.
INDEXED_TYPES = ("response", "revisit", "resource", "metadata")


@dataclass(frozen=True)
class WaczFilter:
    """Which articles a WACZ holds: published within [since, until], of one site."""

    since: str | None = None
    until: str | None = None
    site: str | None = None

    @property
    def active(self) -> bool:
        """Whether any filter is set (else the whole archive is packed)."""
        return bool(self.since or self.until or self.site)


@dataclass(frozen=True)
class Page:
    """One line of pages.jsonl: an article and the capture its text comes from."""

    article_id: int
    url: str
    title: str | None
    warc_filename: str | None
    warc_offset: int | None


@dataclass
class WarcPart:
    """The records one WARC file contributes: all of them, or those at these offsets."""

    name: str
    offsets: set[int] | None = None  # None: the whole file


@dataclass
class WaczPlan:
    """What a WACZ will hold: its pages and the WARC records, before a byte is written."""

    db: Database  # the texts are read from it as pages.jsonl is written
    archive_dir: Path
    pages: list[Page]
    warcs: list[WarcPart]
    title: str
    description: str
    bytes_to_read: int = 0  # the WARC files' sizes, which progress counts through


@dataclass
class WaczSummary:
    """What was written: pages, WARC files and records, and the WACZ's size."""

    pages: int
    warc_files: int
    records: int
    indexed: int
    bytes: int


def _bounds(selection: WaczFilter) -> tuple[str | None, str | None]:
    """UTC bounds of the publication dates; an empty or inverted range is an error."""
    since = parse_date_bound(selection.since) if selection.since else None
    until = parse_date_bound(selection.until, end=True) if selection.until else None
    if since and until and since >= until:
        raise QueryError(
            f"--since {selection.since} is not before --until {selection.until}: "
            "no date is in that range"
        )
    return since, until


def _select_pages(db: Database, selection: WaczFilter) -> list[Page]:
    since, until = _bounds(selection)
    clauses, params = [], {}
    if since:
        clauses.append("a.published_utc >= :since")
        params["since"] = since
    if until:
        clauses.append("a.published_utc < :until")
        params["until"] = until
    if selection.site:
        clauses.append("a.site = :site")
        params["site"] = selection.site
    where = (" and " + " and ".join(clauses)) if clauses else ""
    rows = db.execute(
        f"""select a.id, a.url, a.title, f.warc_filename, f.warc_offset
            from articles a
            left join versions v on v.article_id = a.id and v.version = a.version_count
            left join fetches f on f.id = v.fetch_id
            where 1{where}
            order by a.published_utc is null, a.published_utc, a.id""",
        params,
    ).fetchall()
    return [Page(*row) for row in rows]


def _no_pages_error(db: Database, selection: WaczFilter) -> ArchiveError:
    if not selection.active:
        return ArchiveError("the archive holds no articles: nothing to package")
    sites = [row[0] for row in db.execute("select distinct site from articles order by site")]
    if selection.site and selection.site not in sites:
        return ArchiveError(
            f"no articles of site {selection.site}; sites in this archive: "
            + (", ".join(sites) or "none")
        )
    return ArchiveError("no article matches --since/--until/--site: nothing to package")


def _has_column(db: Database, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.execute(f"pragma table_info([{table}])"))


def _needed_fetches(db: Database, pages: list[Page]) -> list[tuple[str, int]]:
    """(file, offset) of every response or revisit record the pages need."""
    db.execute("create temp table if not exists wacz_articles (url text primary key)")
    db.execute("delete from wacz_articles")
    db.conn.executemany(
        "insert or ignore into wacz_articles (url) values (?)", [(p.url,) for p in pages]
    )
    db.execute("create temp table if not exists wacz_fetches (id integer primary key)")
    db.execute("delete from wacz_fetches")
    # every capture of the articles' URLs, the redirects that lead to them, and the
    # captures their versions come from (fetched, rarely, at another URL than the canonical)
    db.execute(
        """insert or ignore into wacz_fetches (id)
           select id from fetches where url in (select url from wacz_articles)
           union select id from fetches where location in (select url from wacz_articles)
           union select v.fetch_id from versions v join articles a on a.id = v.article_id
             where a.url in (select url from wacz_articles) and v.fetch_id is not null"""
    )
    if _has_column(db, "fetches", "requisite"):
        # A requisite is fetched once per crawl for all the pages that use it, and is
        # not tied to one page: those of the crawls that captured the articles go along.
        db.execute(
            """insert or ignore into wacz_fetches (id)
               select id from fetches where requisite and run_id in
                 (select distinct f.run_id from fetches f join wacz_fetches w on w.id = f.id)"""
        )
    while True:  # a revisit's content is in the capture it refers to
        added = db.execute(
            """insert or ignore into wacz_fetches (id)
               select f.refers_to_fetch_id from fetches f join wacz_fetches w on w.id = f.id
               where f.refers_to_fetch_id is not null
                 and f.refers_to_fetch_id not in (select id from wacz_fetches)"""
        ).rowcount
        if not added:
            break
    return db.execute(
        """select f.warc_filename, f.warc_offset from fetches f
           join wacz_fetches w on w.id = f.id where f.warc_filename is not null"""
    ).fetchall()


def _title(pages: list[Page], selection: WaczFilter) -> tuple[str, str]:
    sites = sorted({site_address(p.url) for p in pages})
    shown = ", ".join(sites[:3]) + (f" and {len(sites) - 3} more" if len(sites) > 3 else "")
    title = f"News archive: {shown}"
    words = [f"{len(pages)} archived articles"]
    if selection.since:
        words.append(f"published from {selection.since}")
    if selection.until:
        words.append(f"published until {selection.until}")
    if selection.site:
        words.append(f"of {selection.site}")
    return title, " ".join(words) + f", with their WARC records ({SOFTWARE})"


def plan_wacz(db: Database, archive_dir: str | Path, selection: WaczFilter) -> WaczPlan:
    """Choose the pages and WARC records a WACZ of this archive and filter will hold."""
    folder = warc_dir(archive_dir)
    pages = _select_pages(db, selection)
    if not pages:
        raise _no_pages_error(db, selection)
    if selection.active:
        offsets: dict[str, set[int]] = {}
        for name, offset in _needed_fetches(db, pages):
            offsets.setdefault(name, {0}).add(offset)  # 0: the file's warcinfo record
        warcs = [WarcPart(name, found) for name, found in sorted(offsets.items())]
    else:
        warcs = [WarcPart(path.name) for path in sorted(folder.glob("*.warc.gz"))]
    present = {part.name for part in warcs}
    for page in pages:
        if page.warc_filename is None:
            raise ArchiveError(f"the latest capture of {page.url} has no WARC record")
        if page.warc_filename not in present or not (folder / page.warc_filename).is_file():
            raise ArchiveError(
                f"WARC file {page.warc_filename} is missing from {folder}; "
                f"it holds the capture of {page.url}"
            )
    title, description = _title(pages, selection)
    plan = WaczPlan(db, Path(archive_dir), pages, warcs, title, description)
    plan.bytes_to_read = sum((folder / part.name).stat().st_size for part in warcs)
    return plan


@dataclass(frozen=True)
class _Record:
    """One WARC record: where it starts, its bytes as stored (one gzip member), its headers."""

    offset: int
    data: bytes
    parsed: ArcWarcRecord


def _records(path: Path, offsets: set[int] | None) -> Iterator[_Record]:
    """The records of a gzip-per-record WARC file, all of them or those at `offsets`.

    A request record is taken along when it follows a chosen response or revisit record
    and is its `WARC-Concurrent-To` (the writer puts each exchange's pair together).
    """
    with path.open("rb") as handle:
        if offsets is None:
            # a second handle for the bytes, so the iterator's read-ahead stays its own
            with path.open("rb") as reader:
                iterator = ArchiveIterator(reader)
                for record in iterator:
                    iterator.read_to_end(record)
                    offset = iterator.get_record_offset()
                    handle.seek(offset)
                    yield _Record(offset, handle.read(iterator.get_record_length()), record)
            return
        for offset in sorted(offsets):
            record = _record_at(handle, offset)
            if record is None:
                raise ArchiveError(f"no WARC record at offset {offset} of {path}")
            yield record
            if record.parsed.rec_type in ("response", "revisit"):
                request = _record_at(handle, offset + len(record.data))
                record_id = record.parsed.rec_headers.get_header("WARC-Record-ID")
                if (
                    request is not None
                    and request.parsed.rec_type == "request"
                    and request.parsed.rec_headers.get_header("WARC-Concurrent-To") == record_id
                ):
                    yield request


def _record_at(handle: BinaryIO, offset: int) -> _Record | None:
    """The record that starts at `offset`, or None at the end of the file."""
    handle.seek(offset)
    iterator = ArchiveIterator(handle)
    record = next(iterator, None)
    if record is None:
        return None
    iterator.read_to_end(record)
    handle.seek(offset)
    return _Record(offset, handle.read(iterator.get_record_length()), record)


def cdxj_line(record: ArcWarcRecord, filename: str, offset: int, length: int) -> str:
    """A record's CDXJ line, with the fields cdxj-indexer writes (SURT key, timestamp)."""
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    fields: dict[str, str] = {"url": url}
    if record.rec_type == "revisit":
        fields["mime"] = "warc/revisit"
    elif record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type") or ""
        fields["mime"] = content_type.split(";")[0].strip()
    else:
        fields["mime"] = (headers.get_header("Content-Type") or "").split(";")[0].strip()
    if record.http_headers is not None and record.http_headers.get_statuscode():
        fields["status"] = record.http_headers.get_statuscode()
    if digest := headers.get_header("WARC-Payload-Digest"):
        fields["digest"] = digest
    fields.update(length=str(length), offset=str(offset), filename=filename)
    timestamp = iso_date_to_timestamp(headers.get_header("WARC-Date"))
    return f"{surt.surt(url)} {timestamp} {json.dumps(fields)}\n"


class _Member:
    """A ZIP member being written, with its size and SHA-256 kept for datapackage.json."""

    def __init__(self, archive: zipfile.ZipFile, path: str, *, stored: bool, large: bool):
        info = zipfile.ZipInfo(path, _zip_time())
        # WARC and CDX data stay uncompressed, so a replay tool can read a record or an
        # index block by range (they are gzip already); the small JSON files are deflated
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # unzipped, a member is readable by all, as files are
        self.path = path
        self.size = 0
        self.sha256 = hashlib.sha256()
        self._out = archive.open(info, "w", force_zip64=large)

    def write(self, data: bytes) -> None:
        """Append bytes to the member."""
        self.size += len(data)
        self.sha256.update(data)
        self._out.write(data)

    def close(self) -> dict[str, object]:
        """Finish the member and return its datapackage.json resource."""
        self._out.close()
        return {
            "name": resource_name(self.path),
            "path": self.path,
            "hash": f"sha256:{self.sha256.hexdigest()}",
            "bytes": self.size,
        }


def resource_name(path: str) -> str:
    """A member's name in datapackage.json: the Data Package spec allows `[-a-z0-9._/]`
    only, and WARC names hold a `~` (Heritrix's prefix-time-serial-pid~host)."""
    return re.sub(r"[^-a-z0-9._/]", "-", path.lower())


def _large(size: int) -> bool:
    return size >= zipfile.ZIP64_LIMIT


def _index(record: _Record, filename: str, offset: int) -> list[str]:
    if record.parsed.rec_type not in INDEXED_TYPES:
        return []
    return [cdxj_line(record.parsed, filename, offset, len(record.data))]


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(UTC)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _write_member(archive: zipfile.ZipFile, path: str, data: bytes) -> dict[str, object]:
    member = _Member(archive, path, stored=False, large=False)
    member.write(data)
    return member.close()


def _write_pages(
    archive: zipfile.ZipFile, plan: WaczPlan, captured: dict[tuple[str, int], str]
) -> dict[str, object]:
    """pages/pages.jsonl: the header, then one line per article with its clean text."""
    member = _Member(archive, PAGES_PATH, stored=False, large=False)
    header = {"format": "json-pages-1.0", "id": "pages", "title": plan.title, "hasText": True}
    member.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
    for start in range(0, len(plan.pages), PAGES_BATCH):
        batch = plan.pages[start : start + PAGES_BATCH]
        marks = ",".join("?" * len(batch))
        texts = dict(
            plan.db.execute(
                f"select id, text from articles where id in ({marks})",
                [page.article_id for page in batch],
            )
        )
        for page in batch:
            line = {
                "id": str(page.article_id),
                "url": page.url,
                "ts": captured[(page.warc_filename, page.warc_offset)],
                "title": page.title or page.url,
                "text": texts[page.article_id],
            }
            member.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
    return member.close()


def _zipnum(lines: list[str]) -> tuple[bytes, bytes]:
    """index.cdx.gz (sorted lines in gzip blocks) and index.idx (the first key of each)."""
    meta = {"format": "cdxj-gzip-1.0", "filename": CDX_PATH.rsplit("/", 1)[-1]}
    idx = [f"!meta 0 {json.dumps(meta)}\n"]
    blocks = io.BytesIO()
    for start in range(0, len(lines), CDX_BLOCK_LINES):
        block = lines[start : start + CDX_BLOCK_LINES]
        data = gzip.compress("".join(block).encode("utf-8"), mtime=0)
        key = block[0].split(" {", 1)[0]
        where = {
            "offset": blocks.tell(),
            "length": len(data),
            "digest": f"sha256:{hashlib.sha256(data).hexdigest()}",
        }
        idx.append(f"{key} {json.dumps(where)}\n")
        blocks.write(data)
    return blocks.getvalue(), "".join(idx).encode("utf-8")


def write_wacz(
    plan: WaczPlan, target: BinaryIO, *, progress: Callable[[int], None] | None = None
) -> WaczSummary:
    """Write the planned WACZ to an open binary file; `progress` gets WARC bytes read."""
    folder = warc_dir(plan.archive_dir)
    resources: list[dict[str, object]] = []
    lines: list[str] = []
    captured: dict[tuple[str, int], str] = {}
    wanted = {(p.warc_filename, p.warc_offset) for p in plan.pages}
    records = 0
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for part in plan.warcs:
            path = folder / part.name
            size = path.stat().st_size
            member = _Member(archive, f"archive/{part.name}", stored=True, large=_large(size))
            read = 0
            try:
                for record in _records(path, part.offsets):
                    lines += _index(record, part.name, member.size)
                    member.write(record.data)
                    records += 1
                    if (part.name, record.offset) in wanted:
                        date = record.parsed.rec_headers.get_header("WARC-Date")
                        # to the second, as the CDXJ timestamps and py-wacz's pages have it
                        captured[(part.name, record.offset)] = timestamp_to_iso_date(
                            iso_date_to_timestamp(date)
                        )
                    if progress:
                        ahead = record.offset + len(record.data) - read
                        progress(max(ahead, 0))
                        read += max(ahead, 0)
            except ArchiveLoadFailed as exc:
                raise ArchiveError(f"{path}: unreadable WARC record ({exc})") from exc
            if progress:
                progress(size - read)
            resources.append(member.close())
        missing = sorted(wanted - captured.keys())
        if missing:
            name, offset = missing[0]
            raise ArchiveError(f"no WARC record at offset {offset} of {name}")
        lines.sort()
        cdx, idx = _zipnum(lines)
        member = _Member(archive, CDX_PATH, stored=True, large=_large(len(cdx)))
        member.write(cdx)
        resources.append(member.close())
        resources.append(_write_member(archive, IDX_PATH, idx))
        resources.append(_write_pages(archive, plan, captured))
        package = {
            "profile": "data-package",
            "title": plan.title,
            "description": plan.description,
            "resources": resources,
            "wacz_version": WACZ_VERSION,
            "software": SOFTWARE,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        _write_member(archive, "datapackage.json", package_bytes)
        digest = {
            "path": "datapackage.json",
            "hash": f"sha256:{hashlib.sha256(package_bytes).hexdigest()}",
        }
        _write_member(archive, "datapackage-digest.json", json.dumps(digest, indent=2).encode())
    return WaczSummary(
        pages=len(plan.pages),
        warc_files=len(plan.warcs),
        records=records,
        indexed=len(lines),
        bytes=target.tell(),
    )


def wacz_to_file(
    plan: WaczPlan, path: str | Path, *, progress: Callable[[int], None] | None = None
) -> WaczSummary:
    """Write the planned WACZ to `path` through a temporary file renamed into place."""
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)  # a file to share, not mkstemp's private 0600
        with os.fdopen(handle, "wb") as out:
            summary = write_wacz(plan, out, progress=progress)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return summary
