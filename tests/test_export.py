"""`python -m archive export`: every format read back against the archive, data cards,
the new fields (site, authors, gone_at, extractor), the filters and the refusals."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import archive
from archive import export as export_module
from archive.cli import cli
from archive.db import open_archive, open_archive_readonly
from archive.export import TIME_FIELDS, text_file_name
from archive.models import Article, Fetch, WarcLocation
from archive.queries import EXPORT_FIELDS, ExportFilter, export_rows, split_authors
from archive.store import ArchiveStore

ROOT = Path(__file__).resolve().parent.parent
EXTRACTOR = "2026.12.2+0123456789"
PERU = "https://example.com/politics/peru-deal/"
CUP = "https://example.com/sport/cup-final/"
CAFE = "http://other.org:8080/noticias/Caf%C3%A9-y-pol%C3%ADtica"
QUERY_URL = "http://other.org:8080/?p=42"
GONE_AT = "2026-11-30T08:00:00.000+00:00"


def _capture(store: ArchiveStore, n: int, item: Article) -> None:
    at = f"2026-11-29T10:00:0{n}.000+00:00"
    fetch_id = store.record_fetch(
        Fetch(
            url=item.url,
            method="GET",
            status=200,
            fetched_at=at,
            response=WarcLocation("NEWS-1.warc.gz", n * 100, 50, f"<urn:uuid:{n}>"),
            request_record_id=f"<urn:uuid:r{n}>",
        )
    )
    store.save_article(item, fetch_id, at)


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """Four articles on two sites: one in two versions, one gone, one undated, and one
    stored before `authors` was (its authors are only in the joined `author`)."""
    directory = tmp_path / "archive"
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    peru = dict(
        url=PERU,
        title="Peru signs a deal",
        author="Ana Díaz, John Smith, Jr.",
        authors=["Ana Díaz", "John Smith, Jr."],
        published="2023-05-29T10:27:36-04:00",
        language="en-US",
        section="Politics",
        tags=["Peru", "Trade"],
        extractor=EXTRACTOR,
    )
    _capture(store, 1, Article(**peru, text="Peru and the US sign a trade deal."))
    _capture(store, 2, Article(**peru, text="Peru and the US sign a trade deal.\nIt is big."))
    _capture(
        store,
        3,
        Article(
            url=CUP,
            title="Cup final ends in a draw",
            author="Desk",
            authors=["Desk"],
            published="2023-04-02",
            language="en",
            section="Sport",
            extractor=EXTRACTOR,
            text="The cup final ended in a draw.",
        ),
    )
    _capture(
        store,
        4,
        Article(
            url=CAFE,
            title="Café y política",
            language="es",
            section="politics",
            text="El café, la política y «las comillas».\nSegundo párrafo.",
        ),
    )
    _capture(
        store,
        5,
        Article(
            url=QUERY_URL,
            title="Une brève",
            author="Lee, Jr., Kim",
            published="2023-05-01T00:00:00+00:00",
            language="fr_FR",
            text="Une brève sans chemin.",
            extractor="2026.12.1+0123456789",
        ),
    )
    store.db.execute("update articles set authors = null where url = ?", [QUERY_URL])
    store.db.execute(
        "update versions set authors = null where article_id ="
        " (select id from articles where url = ?)",
        [QUERY_URL],
    )
    store.mark_gone(CUP, 404, GONE_AT)
    store.finish_run("finished", "finished", {})
    store.db.close()
    return directory


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def expected(archive_dir: Path, **selection: Any) -> list[dict[str, Any]]:
    """The export records straight from the archive."""
    return list(export_rows(open_archive_readonly(archive_dir), ExportFilter(**selection)))


def _exported(archive_dir: Path, tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / "out.jsonl"
    result = run("export", str(archive_dir), "--output", str(out), "--force", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- parquet -------------------------------------------------------------------------------


def test_parquet_holds_the_archive_rows_with_their_types(archive_dir: Path, tmp_path) -> None:
    out = tmp_path / "news.parquet"
    result = run("export", str(archive_dir), "--format", "parquet", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Exported 4 records to {out}\n"  # no bar: stderr is no terminal
    table = pq.read_table(out)
    assert table.column_names == list(EXPORT_FIELDS)
    types = {field.name: field.type for field in table.schema}
    assert types["word_count"] == types["version"] == types["warc_offset"] == pa.int64()
    assert types["tags"] == types["authors"] == pa.list_(pa.string())
    for name in TIME_FIELDS:
        assert types[name] == pa.timestamp("us", tz="UTC"), name
    assert types["published"] == types["text"] == pa.string()
    rows = table.to_pylist()
    want = expected(archive_dir)
    assert [r["url"] for r in rows] == [w["url"] for w in want]
    for row, record in zip(rows, want, strict=True):
        for name in EXPORT_FIELDS:
            value = _moment(record[name]) if name in TIME_FIELDS else record[name]
            assert row[name] == value, name
    peru = rows[[r["url"] for r in rows].index(PERU)]
    assert peru["authors"] == ["Ana Díaz", "John Smith, Jr."]
    assert peru["version"] == 2 and isinstance(peru["word_count"], int)


def test_parquet_is_written_in_row_groups(archive_dir: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(export_module, "ROW_GROUP_ROWS", 2)
    out = tmp_path / "news.parquet"
    assert run("export", str(archive_dir), "--format", "parquet", "-o", str(out)).exit_code == 0
    meta = pq.ParquetFile(out).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [2, 2]


def test_parquet_data_card(archive_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "may.parquet"
    args = ("--since", "2023-04-01", "--until", "2023-05-31", "--site", "example.com")
    result = run("export", str(archive_dir), "--format", "parquet", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    raw = pq.read_metadata(out).metadata  # the file's key-value metadata, as DuckDB reads it
    card = {key.decode(): json.loads(value) for key, value in raw.items() if key != b"ARROW:schema"}
    assert card["archive"] == str(archive_dir.resolve())
    assert card["format"] == "parquet"
    assert card["filters"] == {
        "since": "2023-04-01",
        "until": "2023-05-31",
        "query": None,
        "all_versions": False,
        "site": ["example.com"],
        "section": [],
        "language": [],
        "exclude_gone": False,
    }
    assert (card["records"], card["articles"], card["gone"], card["undated"]) == (2, 2, 1, 0)
    assert card["sites"] == {"example.com": 2}
    assert card["published_first"] == "2023-04-02T00:00:00+00:00"
    assert card["published_last"] == "2023-05-29T14:27:36+00:00"
    assert card["extractors"] == {EXTRACTOR: 2}
    assert card["fields"] == list(EXPORT_FIELDS)
    assert datetime.fromisoformat(card["exported_at"]).tzinfo is not None


# --- text corpus -------------------------------------------------------------------------


def _corpus(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_text_corpus_holds_the_archive_rows(archive_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    result = run("export", str(archive_dir), "--format", "text", "--output", str(folder))
    assert result.exit_code == 0, result.output
    metadata = _corpus(folder)
    want = expected(archive_dir)
    assert [m["url"] for m in metadata] == [w["url"] for w in want]
    for record, row in zip(metadata, want, strict=True):
        assert list(record) == ["file", *(name for name in EXPORT_FIELDS if name != "text")]
        assert record == {"file": record["file"], **{k: v for k, v in row.items() if k != "text"}}
        text = (folder / record["file"]).read_bytes().decode("utf-8")
        assert text == row["text"] + "\n"
    files = {p.name for p in folder.iterdir()}
    assert files == {"metadata.jsonl", "README.md", *(m["file"] for m in metadata)}


def test_text_file_names_are_safe_unique_and_stable(archive_dir: Path, tmp_path: Path) -> None:
    names = [text_file_name(url) for url in (PERU, CUP, CAFE, QUERY_URL)]
    assert names[0] == f"example.com_peru-deal_{names[0][-16:-4]}.txt"
    assert names[2].startswith("other.org-8080_cafe-y-politica_")
    assert names[3].startswith("other.org-8080_article_")
    assert len(set(names)) == 4
    for name in names:
        assert re.fullmatch(r"[a-z0-9.-]+_[\w-]+_[0-9a-f]{12}\.txt", name, re.ASCII), name
    # the same URL with a query string is another article, and another file
    assert text_file_name("http://other.org:8080/?p=43") != names[3]
    assert text_file_name(PERU, 2).endswith(".v2.txt")
    hostile = text_file_name("https://example.com/../../etc/passwd%00/%2e%2e%2F..%5C/")
    assert "/" not in hostile and "\\" not in hostile and not hostile.startswith(".")
    long = text_file_name(f"https://{'sub.' * 80}example.com/{'新闻' * 200}/", 999)
    assert len(long.encode("utf-8")) <= 255 and long.startswith("sub.sub.")
    folder = tmp_path / "corpus"
    first = run("export", str(archive_dir), "--format", "text", "-o", str(folder))
    assert first.exit_code == 0, first.output
    before = [m["file"] for m in _corpus(folder)]
    again = run("export", str(archive_dir), "--format", "text", "-o", str(folder), "--force")
    assert again.exit_code == 0, again.output
    assert [m["file"] for m in _corpus(folder)] == before
    assert sorted(before) == sorted(names)


def test_text_corpus_all_versions_has_a_file_per_version(archive_dir: Path, tmp_path) -> None:
    folder = tmp_path / "versions"
    args = ("--format", "text", "-o", str(folder), "--all-versions", "--site", "example.com")
    assert run("export", str(archive_dir), *args).exit_code == 0
    files = [m["file"] for m in _corpus(folder)]
    assert len(files) == len(set(files)) == 3
    peru = [(folder / f).read_text(encoding="utf-8") for f in files if "peru-deal" in f]
    assert peru == [
        "Peru and the US sign a trade deal.\n",
        "Peru and the US sign a trade deal.\nIt is big.\n",
    ]


def test_text_corpus_data_card(archive_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    args = ("--format", "text", "-o", str(folder), "--language", "en", "--exclude-gone")
    assert run("export", str(archive_dir), *args).exit_code == 0
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert f"`{archive_dir.resolve()}`" in readme
    assert "| Filters | language en, exclude_gone True |" in readme
    assert "| Records | 1 (1 article) |" in readme
    assert "| Published | 2023-05-29 to 2023-05-29 (UTC); 0 undated |" in readme
    assert f"| Extracted by | {EXTRACTOR} 1 |" in readme
    card = json.loads(readme.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert card["filters"]["language"] == ["en"] and card["filters"]["exclude_gone"] is True
    assert (card["records"], card["gone"], card["format"]) == (1, 0, "text")


# --- fields --------------------------------------------------------------------------------


def test_site_authors_gone_at_and_extractor(archive_dir: Path, tmp_path: Path) -> None:
    records = {r["url"]: r for r in _exported(archive_dir, tmp_path)}
    assert {url: r["site"] for url, r in records.items()} == {
        PERU: "example.com",
        CUP: "example.com",
        CAFE: "other.org:8080",
        QUERY_URL: "other.org:8080",
    }
    assert records[PERU]["authors"] == ["Ana Díaz", "John Smith, Jr."]
    assert records[PERU]["author"] == "Ana Díaz, John Smith, Jr."
    assert records[CAFE]["authors"] == [] and records[CAFE]["author"] is None
    # stored before `authors`: split from the joined string, a suffix kept with its name
    assert records[QUERY_URL]["authors"] == ["Lee, Jr.", "Kim"]
    assert records[CUP]["gone_at"] == GONE_AT
    assert records[PERU]["gone_at"] is None
    assert records[PERU]["extractor"] == EXTRACTOR and records[CAFE]["extractor"] is None


def test_split_authors() -> None:
    assert split_authors("Ana Díaz, John Smith, Jr., Bo Li, PhD") == [
        "Ana Díaz",
        "John Smith, Jr.",
        "Bo Li, PhD",
    ]
    assert split_authors(None) == split_authors("") == []


def test_csv_holds_lists_as_json(archive_dir: Path, tmp_path: Path) -> None:
    import csv

    out = tmp_path / "out.csv"
    assert run("export", str(archive_dir), "--format", "csv", "-o", str(out)).exit_code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = {row["url"]: row for row in csv.DictReader(handle)}
    assert json.loads(rows[PERU]["authors"]) == ["Ana Díaz", "John Smith, Jr."]
    assert json.loads(rows[PERU]["tags"]) == ["Peru", "Trade"]


def test_readme_field_table_is_the_exporters_field_list() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Exporting\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    names = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert tuple(names) == EXPORT_FIELDS
    assert readme.count("| `gone_at` |") == 1  # documented once


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "urls"),
    [
        (("--site", "example.com"), {PERU, CUP}),
        (("--site", "other.org:8080"), {CAFE, QUERY_URL}),
        (("--site", "https://www.example.com/anything"), {PERU, CUP}),
        (("--site", "example.com", "--site", "other.org:8080"), {PERU, CUP, CAFE, QUERY_URL}),
        (("--site", "other.org"), set()),
        (("--section", "politics"), {PERU, CAFE}),
        (("--section", "SPORT"), {CUP}),
        (("--language", "en"), {PERU, CUP}),
        (("--language", "en-us"), {PERU}),
        (("--language", "fr"), {QUERY_URL}),
        (("--language", "e"), set()),
        (("--language", "es", "--language", "fr-FR"), {CAFE, QUERY_URL}),
        (("--exclude-gone",), {PERU, CAFE, QUERY_URL}),
        (("--section", "politics", "--language", "en"), {PERU}),
        (("--since", "2023-05-01", "--until", "2023-05-01"), {QUERY_URL}),
    ],
)
def test_filters(archive_dir: Path, tmp_path: Path, args: tuple[str, ...], urls) -> None:
    assert {r["url"] for r in _exported(archive_dir, tmp_path, *args)} == urls


def test_python_api_takes_the_same_filters(archive_dir: Path) -> None:
    db = archive.open_archive_readonly(archive_dir)
    found = archive.articles(db, site="example.com", exclude_gone=True, language=["en"])
    assert [r["url"] for r in found] == [PERU]


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2023-06-01", "--until", "2023-05-01"), "empty date range: since 2023-06-01"),
        (
            ("--since", "2023-05-01T12:00", "--until", "2023-05-01T12:00"),
            "empty date range",
        ),
        (("--format", "parquet"), "--format parquet needs --output PATH"),
        (("--format", "text", "--output", "-"), "--format text needs --output PATH"),
    ],
)
def test_refusals_are_one_line_and_exit_2(archive_dir: Path, args, message: str) -> None:
    result = run("export", str(archive_dir), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_existing_outputs_are_kept_without_force(archive_dir: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken.parquet"
    taken.write_bytes(b"precious")
    result = run("export", str(archive_dir), "--format", "parquet", "-o", str(taken))
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert taken.read_bytes() == b"precious"
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("export", str(archive_dir), "--format", "text", "-o", str(folder))
    assert result.exit_code == 2 and "already exists" in result.stderr
    # --force replaces a text export, never a folder of other files
    result = run("export", str(archive_dir), "--format", "text", "-o", str(folder), "--force")
    assert result.exit_code == 2 and "not a text export" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    result = run("export", str(archive_dir), "--format", "text", "-o", str(taken))
    assert result.exit_code == 2 and "is a file" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("export", str(archive_dir), "--format", "text", "-o", str(empty)).exit_code == 0
    assert len(_corpus(empty)) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


@pytest.mark.e2e
def test_command_line_refusals(archive_dir: Path) -> None:
    for args, message in (
        (("--since", "2023-06-01", "--until", "2023-05-01"), "empty date range"),
        (("--format", "parquet"), "needs --output PATH"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "archive", "export", str(archive_dir), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 2
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


# --- progress ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_progress_bar_on_a_terminal_only(archive_dir: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "archive", "export", str(archive_dir), "--format"]
    main, terminal = pty.openpty()
    try:
        out = tmp_path / "tty.parquet"
        process = subprocess.Popen(
            [*command, "parquet", "-o", str(out)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
        )
        os.close(terminal)
        seen = b""
        while select.select([main], [], [], 30)[0]:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=30) == 0
    finally:
        os.close(main)
    assert f"Exporting to {out}".encode() in seen and b"100%" in seen
    piped = subprocess.run(
        [*command, "parquet", "-o", str(tmp_path / "piped.parquet")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert piped.returncode == 0
    assert piped.stderr == f"Exported 4 records to {tmp_path / 'piped.parquet'}\n"
