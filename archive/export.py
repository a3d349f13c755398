"""Writing export records as JSON Lines, CSV, Parquet or a folder of text files, atomically:
a failed export leaves nothing. Parquet files and text folders carry a data card."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from archive.db import ArchiveError
from archive.queries import EXPORT_FIELDS, ExportFilter
from archive.sites import site_address
from archive.store import to_utc, utc_now

FORMATS = ("jsonl", "csv", "parquet", "text")
# The formats that can go to standard output; parquet and text need a path to seek in or
# a folder to fill.
STREAM_FORMATS = ("jsonl", "csv")
# Fields whose value is a list (JSON text in CSV, list<string> in Parquet).
LIST_FIELDS = ("tags", "authors")
# Fields always written as a full ISO 8601 time (by the crawl, in UTC): Parquet timestamps.
# `published` and `modified` stay text: pages give a date alone as often as a time.
TIME_FIELDS = ("fetched_at", "first_seen", "last_seen", "gone_at")
INT_FIELDS = ("word_count", "version", "warc_offset")
# Columns whose values repeat from article to article, dictionary-encoded; a text, URL or
# digest never repeats, and trying a dictionary on it first costs memory and time.
DICTIONARY_FIELDS = ("author", "language", "section", "extractor", "site", "warc_filename")
METADATA_FILE = "metadata.jsonl"
CARD_FILE = "README.md"
# A row group is written when either bound is reached, so memory stays bounded however
# many articles there are, and however long each text.
ROW_GROUP_ROWS = 2000
ROW_GROUP_TEXT_BYTES = 16 * 1024 * 1024


class DataCard:
    """What one export holds and how it was made, counted from the records as they pass."""

    def __init__(self, archive_dir: str | Path | None, selection: ExportFilter, fmt: str):
        self.archive = str(Path(archive_dir).resolve()) if archive_dir is not None else None
        self.filters = selection.as_dict()
        self.format = fmt
        self.exported_at = utc_now()
        self.records = 0
        self.urls: set[str] = set()
        self.sites: Counter[str] = Counter()
        self.extractors: Counter[str] = Counter()
        self.gone = 0
        self.undated = 0
        self.published_first: str | None = None
        self.published_last: str | None = None

    def observe(self, row: dict[str, Any]) -> None:
        """Count one record going into the export."""
        self.records += 1
        self.urls.add(row["url"])
        self.sites[row["site"] or ""] += 1
        self.extractors[row["extractor"] or "unknown"] += 1
        self.gone += row["gone_at"] is not None
        published = to_utc(row["published"])
        if published is None:
            self.undated += 1
            return
        if self.published_first is None or published < self.published_first:
            self.published_first = published
        if self.published_last is None or published > self.published_last:
            self.published_last = published

    def as_dict(self) -> dict[str, Any]:
        """The card as JSON values."""
        return {
            "archive": self.archive,
            "exported_at": self.exported_at,
            "format": self.format,
            "filters": self.filters,
            "records": self.records,
            "articles": len(self.urls),
            "gone": self.gone,
            "sites": dict(self.sites.most_common()),
            "published_first": self.published_first,
            "published_last": self.published_last,
            "undated": self.undated,
            "extractors": dict(self.extractors.most_common()),
            "fields": list(EXPORT_FIELDS),
        }

    def markdown(self) -> str:
        """The card as the README.md of a text corpus, the JSON form at its end."""
        card = self.as_dict()
        filters = {k: v for k, v in card["filters"].items() if v not in (None, False, [])}
        published = (
            f"{card['published_first'][:10]} to {card['published_last'][:10]} (UTC)"
            if card["published_first"]
            else "no dates"
        )
        rows = [
            ("Archive", f"`{card['archive']}`"),
            ("Exported", f"{card['exported_at']} by `python -m archive export` (news-archiver)"),
            ("Filters", _inline(filters) if filters else "none: every article"),
            ("Records", f"{card['records']} ({_count(card['articles'], 'article')})"),
            ("Gone", f"{card['gone']} (their URL answered 404 or 410 at the last crawl)"),
            ("Sites", _inline(card["sites"]) or "-"),
            ("Published", f"{published}; {card['undated']} undated"),
            ("Extracted by", _inline(card["extractors"]) or "-"),
        ]
        return "\n".join(
            [
                "# News articles: a text corpus",
                "",
                "| | |",
                "|---|---|",
                *(f"| {name} | {value} |" for name, value in rows),
                "",
                "## Files",
                "",
                f"- `{METADATA_FILE}`: one JSON object per record, in export order: `file` (the",
                "  name of the file holding the record's text), then every export field but",
                "  `text` (the fields are described in the news-archiver README, section",
                '  "Exporting").',
                "- `SITE_SLUG_HASH.txt`: one record's clean text, UTF-8, one paragraph per line;",
                "  the hash is of the article's URL, so a name stays the same from one export to",
                "  the next (`.vN` before `.txt`: version N, with --all-versions).",
                "",
                "## The card as JSON",
                "",
                "```json",
                json.dumps(card, ensure_ascii=False, indent=2),
                "```",
                "",
            ]
        )

    def parquet_metadata(self) -> dict[str, str]:
        """The card as Parquet key-value metadata: each key's value is JSON."""
        return {key: json.dumps(value, ensure_ascii=False) for key, value in self.as_dict().items()}


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _inline(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{key} {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in values.items()
    )


def _write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        lists = {name: json.dumps(row[name], ensure_ascii=False) for name in LIST_FIELDS}
        writer.writerow({**row, **lists})
        count += 1
    return count


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], IO[str]], int]] = {
    "jsonl": _write_jsonl,
    "csv": _write_csv,
}


def write_export(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    """Write records to an open text stream in `fmt` (jsonl or csv); return how many."""
    return WRITERS[fmt](rows, out)


def _observed(rows: Iterable[dict[str, Any]], card: DataCard) -> Iterable[dict[str, Any]]:
    for row in rows:
        card.observe(row)
        yield row


def export_to_file(
    rows: Iterable[dict[str, Any]],
    fmt: str,
    path: str | Path,
    card: DataCard | None = None,
) -> int:
    """Write records to `path` (a folder, for text) through a temporary file or folder
    renamed into place at the end; return how many were written."""
    target = Path(path)
    card = card or DataCard(None, ExportFilter(), fmt)
    if fmt == "text":
        return _text_to_folder(rows, target, card)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        if fmt == "parquet":
            os.close(handle)
            count = write_parquet(rows, temp_name, card)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                count = write_export(_observed(rows, card), fmt, out)
        _as_umask_allows(temp_name, 0o666)  # mkstemp made it private to its owner
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return count


def _as_umask_allows(path: str | Path, mode: int) -> None:
    """Give a file or folder the permissions a plain open() or mkdir() would have."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


def parquet_schema() -> Any:
    """The Arrow schema of a Parquet export: EXPORT_FIELDS, typed."""
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in LIST_FIELDS:
            return pa.list_(pa.string())
        if name in TIME_FIELDS:
            return pa.timestamp("us", tz="UTC")
        if name in INT_FIELDS:
            return pa.int64()
        return pa.string()

    return pa.schema([pa.field(name, kind(name)) for name in EXPORT_FIELDS])


def _timestamp(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ArchiveError(f"cannot export {name} {value!r}: not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def write_parquet(rows: Iterable[dict[str, Any]], path: str | Path, card: DataCard) -> int:
    """Write records to a Parquet file in row groups, the data card in its key-value
    metadata; return how many were written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    batch: list[dict[str, Any]] = []
    text_bytes = 0

    def flush(writer: pq.ParquetWriter) -> None:
        columns = {
            name: [
                _timestamp(name, row[name]) if name in TIME_FIELDS else row[name] for row in batch
            ]
            for name in EXPORT_FIELDS
        }
        writer.write_table(pa.table(columns, schema=schema), row_group_size=len(batch))
        batch.clear()

    with pq.ParquetWriter(
        str(path), schema, compression="zstd", use_dictionary=list(DICTIONARY_FIELDS)
    ) as writer:
        for row in rows:
            card.observe(row)
            batch.append(row)
            text_bytes += len(row["text"])
            if len(batch) >= ROW_GROUP_ROWS or text_bytes >= ROW_GROUP_TEXT_BYTES:
                flush(writer)
                text_bytes = 0
        if batch:
            flush(writer)
        writer.add_key_value_metadata(card.parquet_metadata())
    return card.records


def _slug(text: str, limit: int) -> str:
    """Lower-case letters and digits joined by single hyphens, at most `limit` bytes of
    UTF-8; accents dropped, other scripts kept (a Greek or Cyrillic slug stays readable)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", bare)).strip("-")
    return slug.encode("utf-8")[:limit].decode("utf-8", "ignore").rstrip("-")


def text_file_name(url: str, version: int | None = None, hash_chars: int = 12) -> str:
    """The file an article's text goes to in a text export: site, URL slug and a hash of
    the URL, so that the name is safe on any file system, unique and the same every time."""
    # 60 + 120 + 12 bytes and a suffix: under the 255 bytes file systems allow a name
    site = re.sub(r"[^a-z0-9.-]+", "-", site_address(url))[:60].strip("-.") or "site"
    path = unquote(urlsplit(url).path)
    slug = _slug(next((part for part in reversed(path.split("/")) if part), ""), 120)
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:hash_chars]
    suffix = f".v{version}" if version is not None else ""
    return f"{site}_{slug or 'article'}_{digest}{suffix}.txt"


def _text_to_folder(rows: Iterable[dict[str, Any]], target: Path, card: DataCard) -> int:
    """Write the text corpus into a new folder beside `target`, then put it in its place
    (a previous export there is replaced only once the new one is whole)."""
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        count = write_text_corpus(rows, temp, card)
        _as_umask_allows(temp, 0o777)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(temp, target)
            shutil.rmtree(old)
        else:
            os.replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return count


def write_text_corpus(rows: Iterable[dict[str, Any]], folder: Path, card: DataCard) -> int:
    """Write one text file per record into an empty folder, with metadata.jsonl (every
    field but the text, and the file's name) and the data card as README.md."""
    all_versions = bool(card.filters.get("all_versions"))
    names: set[str] = set()
    with (folder / METADATA_FILE).open("w", encoding="utf-8", newline="\n") as metadata:
        for row in rows:
            card.observe(row)
            version = row["version"] if all_versions else None
            name = text_file_name(row["url"], version)
            if name in names:  # two URLs whose hashes begin alike: the whole hash then
                name = text_file_name(row["url"], version, 64)
            names.add(name)
            (folder / name).write_text(row["text"] + "\n", encoding="utf-8", newline="\n")
            record = {"file": name, **{k: v for k, v in row.items() if k != "text"}}
            metadata.write(json.dumps(record, ensure_ascii=False) + "\n")
    (folder / CARD_FILE).write_text(card.markdown(), encoding="utf-8")
    return card.records
