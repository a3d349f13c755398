"""`python -m archive wacz`: the archive as a WACZ file, for ReplayWeb.page.

One archive per module: a replica of 28 articles crawled, changed a day later and crawled
again (so it holds changed articles and revisit records), and a second replica of 6
articles crawled once into the same archive (a second site for --site). The WACZ files
are checked member by member, and by py-wacz's `wacz validate` and cdxj-indexer (both in
`.venv-pywb`, which `make test` builds).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.processes import free_port, stop_group
from tests.site.content import build_site
from tests.site.crawl import ROOT, run_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # crawls, and runs the command and the validators

TOOLS = ROOT / ".venv-pywb" / "bin"
MEMBERS = {
    "indexes/index.cdx.gz",
    "indexes/index.idx",
    "pages/pages.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
}


@dataclass
class Crawled:
    """The module's archive and the two sites in it (host:port, as `articles.site`)."""

    path: Path
    main: str
    other: str

    def rows(self, sql: str, *args: object) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.path / "archive.db")
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()


@dataclass
class Record:
    """A WARC record inside a WACZ: its file, place, bytes and headers."""

    filename: str
    offset: int
    data: bytes
    type: str
    headers: dict[str, str]
    status: str | None
    location: str | None


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    archive = tmp_path_factory.mktemp("wacz") / "archive"
    with ReplicaServer(articles=28) as main:
        first = main.site
        for step in range(2):
            if step == 1:
                main.site = evolve_site(first)
                time.sleep(1)  # replay timestamps count whole seconds: keep the crawls apart
            done = run_crawl("news", main.base_url + "/", archive, timeout=300)
            assert done.returncode == 0, done.stderr[-3000:]
        main_site = main.base_url.removeprefix("http://")
    with ReplicaServer(build_site(6, seed=7)) as other:
        done = run_crawl("news", other.base_url + "/", archive, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        other_site = other.base_url.removeprefix("http://")
    return Crawled(archive, main_site, other_site)


def _revisited_and_changed(crawled: Crawled) -> tuple[str, str]:
    """Publication days of a main-site article with a revisit and of one with two versions."""
    revisited = crawled.rows(
        """select a.published_utc from articles a join fetches f on f.url = a.url
           where f.warc_type = 'revisit' and a.site = ? order by a.published_utc limit 1""",
        crawled.main,
    )
    changed = crawled.rows(
        """select published_utc from articles where version_count > 1 and site = ?
           order by published_utc desc limit 1""",
        crawled.main,
    )
    assert revisited and changed, "the second crawl made no revisit or no new version"
    return tuple(sorted((revisited[0][0][:10], changed[0][0][:10])))  # type: ignore[return-value]


@pytest.fixture(scope="module")
def wacz_files(crawled: Crawled, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The whole archive, the main site between two days, and the other site, as WACZ."""
    folder = tmp_path_factory.mktemp("waczs")
    since, until = _revisited_and_changed(crawled)
    options = {
        "full": [],
        "dates": ["--site", crawled.main, "--since", since, "--until", until],
        "site": ["--site", crawled.other],
    }
    files = {}
    for name, extra in options.items():
        files[name] = folder / f"{name}.wacz"
        done = run("wacz", crawled.path, "--output", files[name], *extra)
        assert done.returncode == 0, done.stderr
    return files


def expected_urls(crawled: Crawled, kind: str) -> set[str]:
    """The articles each WACZ must list, as SQL over the archive says."""
    if kind == "full":
        rows = crawled.rows("select url from articles")
    elif kind == "site":
        rows = crawled.rows("select url from articles where site = ?", crawled.other)
    else:
        since, until = _revisited_and_changed(crawled)
        rows = crawled.rows(
            """select url from articles
               where site = ? and substr(published_utc, 1, 10) between ? and ?""",
            crawled.main,
            since,
            until,
        )
    return {row[0] for row in rows}


def pages(wacz: Path) -> tuple[dict, list[dict]]:
    with zipfile.ZipFile(wacz) as archive:
        lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def records(wacz: Path) -> list[Record]:
    found = []
    with zipfile.ZipFile(wacz) as archive:
        for name in archive.namelist():
            if not name.startswith("archive/"):
                continue
            data = archive.read(name)
            iterator = ArchiveIterator(io.BytesIO(data))
            for record in iterator:
                iterator.read_to_end(record)
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                http = record.http_headers
                found.append(
                    Record(
                        filename=name.removeprefix("archive/"),
                        offset=offset,
                        data=data[offset : offset + length],
                        type=record.rec_type,
                        headers=dict(record.rec_headers.headers),
                        status=http.get_statuscode()
                        if http and record.rec_type != "request"
                        else None,
                        location=http.get_header("Location") if http else None,
                    )
                )
    return found


def cdxj(wacz: Path) -> list[str]:
    with zipfile.ZipFile(wacz) as archive:
        return gzip.decompress(archive.read("indexes/index.cdx.gz")).decode().splitlines()


# --- what is inside -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["full", "dates", "site"])
def test_the_wacz_holds_the_members_the_spec_names(crawled, wacz_files, kind) -> None:
    with zipfile.ZipFile(wacz_files[kind]) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    warcs = {name for name in infos if name.startswith("archive/")}
    assert set(infos) == MEMBERS | warcs
    assert warcs and all(name.endswith(".warc.gz") for name in warcs)
    assert {name.removeprefix("archive/") for name in warcs} <= {
        path.name for path in (crawled.path / "warc").glob("*.warc.gz")
    }
    # a replay tool reads records and index blocks by range: they are stored, not deflated
    for name in [*warcs, "indexes/index.cdx.gz"]:
        assert infos[name].compress_type == zipfile.ZIP_STORED, name


def test_the_whole_archive_goes_in_byte_for_byte(crawled, wacz_files) -> None:
    files = sorted((crawled.path / "warc").glob("*.warc.gz"))
    assert len(files) >= 2  # one per crawl
    with zipfile.ZipFile(wacz_files["full"]) as archive:
        for path in files:
            assert archive.read(f"archive/{path.name}") == path.read_bytes(), path.name


@pytest.mark.parametrize("kind", ["full", "dates", "site"])
def test_pages_jsonl_lists_every_article_with_its_title_and_text(crawled, wacz_files, kind) -> None:
    header, lines = pages(wacz_files[kind])
    assert header["format"] == "json-pages-1.0" and header["id"] == "pages"
    assert header["title"] and header["hasText"] is True
    urls = expected_urls(crawled, kind)
    assert len(lines) == len(urls) > 0
    assert {line["url"] for line in lines} == urls
    stored = {
        row["url"]: row
        for row in crawled.rows(
            """select a.url, a.title, a.text, f.fetched_at from articles a
               join versions v on v.article_id = a.id and v.version = a.version_count
               join fetches f on f.id = v.fetch_id"""
        )
    }
    for line in lines:
        row = stored[line["url"]]
        assert line["title"] == (row["title"] or row["url"])
        assert line["text"] == row["text"]
        # the capture the text comes from, to the second as in the CDXJ index
        assert line["ts"] == row["fetched_at"][:19] + "Z"


def test_pages_jsonl_texts_are_what_replaywebpage_searches(crawled, wacz_files) -> None:
    _, lines = pages(wacz_files["full"])
    assert all(len(line["text"].split()) > 20 for line in lines)
    assert len({line["id"] for line in lines}) == len(lines)


@pytest.mark.parametrize("kind", ["full", "dates", "site"])
def test_the_cdxj_index_lists_every_response_and_revisit_record(wacz_files, kind) -> None:
    index = [line.split(" ", 2) for line in cdxj(wacz_files[kind])]
    assert [line[:2] for line in index] == sorted(line[:2] for line in index)
    listed = {
        (block["filename"], int(block["offset"]), int(block["length"]))
        for block in (json.loads(line[2]) for line in index)
    }
    found = records(wacz_files[kind])
    indexed = [r for r in found if r.type in ("response", "revisit")]
    assert listed == {(r.filename, r.offset, len(r.data)) for r in indexed}
    assert len(index) == len(indexed)
    # request and warcinfo records ride along unindexed, as cdxj-indexer leaves them
    assert {r.type for r in found} - {"response", "revisit"} <= {"request", "warcinfo"}


@pytest.mark.parametrize("kind", ["full", "dates"])
def test_the_cdxj_index_is_what_cdxj_indexer_writes(wacz_files, kind, tmp_path) -> None:
    assert (TOOLS / "cdxj-indexer").exists(), "`make test` installs cdxj-indexer in .venv-pywb"
    with zipfile.ZipFile(wacz_files[kind]) as archive:
        names = [n for n in archive.namelist() if n.startswith("archive/")]
        archive.extractall(tmp_path, names)
    done = subprocess.run(
        [TOOLS / "cdxj-indexer", "--sort", *(tmp_path / n for n in names)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert cdxj(wacz_files[kind]) == done.stdout.splitlines()


def test_the_idx_points_at_each_block_of_the_index(wacz_files) -> None:
    with zipfile.ZipFile(wacz_files["full"]) as archive:
        blocks = archive.read("indexes/index.cdx.gz")
        idx = archive.read("indexes/index.idx").decode().splitlines()
    meta = json.loads(idx[0].split(" ", 2)[2])
    assert idx[0].startswith("!meta 0 ") and meta["filename"] == "index.cdx.gz"
    end = 0
    for line in idx[1:]:
        key, block = line.rsplit(" {", 1)
        where = json.loads("{" + block)
        assert where["offset"] == end
        data = blocks[end : end + where["length"]]
        assert where["digest"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert gzip.decompress(data).decode().startswith(key + " {")
        end += where["length"]
    assert end == len(blocks)


@pytest.mark.parametrize("kind", ["full", "dates", "site"])
def test_datapackage_names_every_member_with_its_size_and_digest(wacz_files, kind) -> None:
    with zipfile.ZipFile(wacz_files[kind]) as archive:
        package_bytes = archive.read("datapackage.json")
        package = json.loads(package_bytes)
        digest = json.loads(archive.read("datapackage-digest.json"))
        listed = {resource["path"]: resource for resource in package["resources"]}
        assert set(listed) == set(archive.namelist()) - {
            "datapackage.json",
            "datapackage-digest.json",
        }
        for path, resource in listed.items():
            data = archive.read(path)
            assert resource["bytes"] == len(data), path
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), path
    assert package["wacz_version"] == "1.1.1" and package["profile"] == "data-package"
    assert package["title"] and package["created"].endswith("Z")
    assert digest == {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
    }


@pytest.mark.parametrize("kind", ["full", "dates", "site"])
def test_wacz_validate_passes(wacz_files, kind) -> None:
    assert (TOOLS / "wacz").exists(), "`make test` installs py-wacz in .venv-pywb"
    done = subprocess.run(
        [TOOLS / "wacz", "validate", "--file", wacz_files[kind]], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation succeeded, the passed WACZ is valid" in done.stdout


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dates", "site"])
def test_a_filtered_wacz_holds_the_records_its_articles_need_and_no_others(
    crawled, wacz_files, kind
) -> None:
    urls = expected_urls(crawled, kind)
    found = records(wacz_files[kind])
    captures = [r for r in found if r.type in ("response", "revisit")]
    ids = {r.headers["WARC-Record-ID"] for r in captures}
    # every capture of every listed article, over both crawls
    wanted = crawled.rows(
        f"select warc_record_id from fetches where url in ({','.join('?' * len(urls))})",
        *urls,
    )
    assert {row[0] for row in wanted} <= ids
    # a revisit's content comes along
    revisits = [r for r in captures if r.type == "revisit"]
    for revisit in revisits:
        assert revisit.headers["WARC-Refers-To"] in ids, revisit.headers["WARC-Target-URI"]
    # each exchange keeps its request record, and nothing else is there
    requests = {r.headers["WARC-Concurrent-To"] for r in found if r.type == "request"}
    assert requests == ids
    assert sum(r.type == "warcinfo" for r in found) == len({r.filename for r in found})
    originals = {r.headers.get("WARC-Refers-To-Target-URI") for r in revisits}
    requisites = {
        row[0]
        for row in crawled.rows(
            "select warc_record_id from fetches where "
            + ("requisite" if _has_requisites(crawled) else "0")
        )
    }
    for record in captures:
        url = record.headers["WARC-Target-URI"]
        assert (
            url in urls
            or url in originals
            or record.location in urls
            or record.headers["WARC-Record-ID"] in requisites
        ), url
    if kind == "dates":
        assert revisits, "the date range was chosen to hold a revisit"


def _has_requisites(crawled: Crawled) -> bool:
    return any(row[1] == "requisite" for row in crawled.rows("pragma table_info(fetches)"))


def test_a_filtered_wacz_copies_each_record_byte_for_byte(crawled, wacz_files) -> None:
    places = {
        row["warc_record_id"]: row
        for row in crawled.rows("select warc_record_id, warc_filename, warc_offset from fetches")
    }
    for record in records(wacz_files["dates"]):
        if record.type not in ("response", "revisit"):
            continue
        place = places[record.headers["WARC-Record-ID"]]
        assert place["warc_filename"] == record.filename
        with (crawled.path / "warc" / record.filename).open("rb") as source:
            source.seek(place["warc_offset"])
            assert source.read(len(record.data)) == record.data


def test_the_site_filter_leaves_the_other_site_out(crawled, wacz_files) -> None:
    found = records(wacz_files["site"])
    hosts = {
        r.headers["WARC-Target-URI"].split("/")[2] for r in found if "WARC-Target-URI" in r.headers
    }
    assert hosts == {crawled.other}
    # one crawl of its own: only that crawl's WARC file
    with zipfile.ZipFile(wacz_files["site"]) as archive:
        assert len([n for n in archive.namelist() if n.startswith("archive/")]) == 1


# --- replay (pywb, when .venv-pywb has it) --------------------------------------------


def test_pywb_replays_an_article_from_a_filtered_wacz(crawled, wacz_files, tmp_path) -> None:
    if not (TOOLS / "wayback").exists():
        pytest.skip("pywb is not installed in .venv-pywb")
    _, lines = pages(wacz_files["dates"])
    page = lines[0]
    with zipfile.ZipFile(wacz_files["dates"]) as archive:
        names = [n for n in archive.namelist() if n.startswith("archive/")]
        archive.extractall(tmp_path / "wacz", names)
    root = tmp_path / "pywb"
    root.mkdir()
    for command in (["init", "news"], ["add", "news", *(tmp_path / "wacz" / n for n in names)]):
        done = subprocess.run([TOOLS / "wb-manager", *command], cwd=root, capture_output=True)
        assert done.returncode == 0, done.stderr
    port = free_port()
    with (root / "wayback.log").open("w") as log:
        process = subprocess.Popen(
            [TOOLS / "wayback", "-b", "127.0.0.1", "-p", str(port)],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            timestamp = "".join(c for c in page["ts"][:19] if c.isdigit())
            url = f"http://127.0.0.1:{port}/news/{timestamp}id_/{page['url']}"
            deadline = time.monotonic() + 20
            while True:
                assert process.poll() is None, (root / "wayback.log").read_text()
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        status, body = response.status, response.read().decode()
                    break
                except urllib.error.HTTPError as error:
                    status, body = error.code, ""
                    break
                except OSError:
                    assert time.monotonic() < deadline, "wayback did not answer in 20 s"
                    time.sleep(0.1)
        finally:
            stop_group(process)
    assert status == 200
    assert page["title"] in body


# --- errors and progress -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "2023-05-10", "--until", "2023-05-01"], "is not before --until"),
        (["--since", "2023-05-10T12:00", "--until", "2023-05-10T12:00"], "is not before"),
        (["--since", "May 10"], "bad date 'May 10'"),
        (["--site", "example.org:81"], "no articles of site example.org:81; sites in"),
        (["--since", "2001-01-01", "--until", "2001-12-31"], "no article matches"),
    ],
)
def test_a_bad_selection_is_one_line_and_exit_2(crawled, tmp_path, options, message) -> None:
    target = tmp_path / "out.wacz"
    done = run("wacz", crawled.path, "--output", target, *options)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file


def test_a_missing_archive_is_one_line_and_exit_2(tmp_path) -> None:
    done = run("wacz", tmp_path / "nowhere", "--output", tmp_path / "out.wacz")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: no archive at {tmp_path / 'nowhere'}: not a directory"
    ]


def test_an_output_not_named_wacz_is_refused(crawled, tmp_path) -> None:
    done = run("wacz", crawled.path, "--output", tmp_path / "out.zip")
    assert done.returncode == 2 and "ends in .wacz" in done.stderr
    assert not (tmp_path / "out.zip").exists()


def test_an_existing_output_is_kept_unless_force(crawled, tmp_path) -> None:
    target = tmp_path / "out.wacz"
    target.write_text("keep me")
    done = run("wacz", crawled.path, "--output", target, "--site", crawled.other)
    assert done.returncode == 2
    assert done.stderr.strip() == f"Error: {target} already exists; pass --force to overwrite it"
    assert target.read_text() == "keep me"
    done = run("wacz", crawled.path, "--output", target, "--site", crawled.other, "--force")
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wacz"]  # no temporary left


def test_piped_it_says_one_line_and_nothing_else(crawled, tmp_path) -> None:
    target = tmp_path / "out.wacz"
    done = run("wacz", crawled.path, "--output", target)
    assert done.returncode == 0
    assert done.stdout == ""
    count = len(crawled.rows("select id from articles"))
    [line] = done.stderr.splitlines()
    assert line.startswith(f"Wrote {target}: {count} pages, ")
    assert line.endswith(" MB")


def test_on_a_terminal_it_shows_progress(crawled, tmp_path) -> None:
    target = tmp_path / "out.wacz"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", "wacz", str(crawled.path), "--output", str(target)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    try:
        while True:  # read as it comes, so a full terminal buffer never blocks the command
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, "no output in 60 s"
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
        assert process.wait(timeout=60) == 0, shown
    text = shown.decode()
    assert f"Writing {target}" in text and "100%" in text
    assert f"Wrote {target}:" in text
