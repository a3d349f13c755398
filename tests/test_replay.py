"""Independent readers of the WARC files: cdxj-indexer indexes them and pywb replays them.

One module-scoped replica of 40 articles is crawled, switched to its second state and crawled
again, so the archive holds changed articles and revisit records of both profiles. The tools
live in `.venv-pywb` (`make test` builds it from requirements-test.txt).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import lxml.html
import pytest

from tests.processes import free_port, stop_group
from tests.site.content import Article, Site
from tests.site.crawl import ROOT, run_crawl
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command

TOOLS = ROOT / ".venv-pywb" / "bin"
COLLECTION = "news"


@dataclass
class Crawl:
    """Two crawls of one replica into one archive: its first state, then its second."""

    base: str
    first: Site
    second: Site
    archive: Path

    @property
    def warc_files(self) -> list[Path]:
        return sorted((self.archive / "warc").glob("*.warc.gz"))

    def fetches(self, where: str = "1", *args: object) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.archive / "archive.db")
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(
                f"select * from fetches where warc_type in ('response', 'revisit') and {where}"
                " order by id",
                args,
            ).fetchall()
        finally:
            conn.close()

    def article(self, site: Site, url: str) -> Article | None:
        return next((a for a in site.articles if self.base + a.path == url), None)


@dataclass
class Reply:
    """One answer from pywb."""

    status: int
    headers: dict[str, str]
    text: str


class Wayback:
    """A running pywb `wayback` over one collection, and a way to ask it for captures."""

    def __init__(self, port: int) -> None:
        self.prefix = f"http://127.0.0.1:{port}/{COLLECTION}/"

    def get(self, timestamp: str, modifier: str, url: str) -> Reply:
        """GET /news/<timestamp><modifier>/<url>: "id_" the original, "mp_" rewritten, "" framed."""
        try:
            with urllib.request.urlopen(f"{self.prefix}{timestamp}{modifier}/{url}") as response:
                return Reply(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read().decode())


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Crawl:
    assert (TOOLS / "wayback").exists(), "pywb is missing: `make test` installs it in .venv-pywb"
    archive = tmp_path_factory.mktemp("archive")
    with ReplicaServer(articles=40) as server:
        first = server.site
        for step in range(2):
            if step == 1:
                server.site = evolve_site(first)
                time.sleep(1)  # replay timestamps count whole seconds: keep the crawls apart
            result = run_crawl("news", server.base_url + "/", archive, timeout=300)
            assert result.returncode == 0, result.stderr[-3000:]
        return Crawl(server.base_url, first, server.site, archive)


@pytest.fixture(scope="module")
def index(crawl: Crawl) -> list[dict]:
    """cdxj-indexer's lines for all WARC files, each as its JSON block plus urlkey and timestamp."""
    result = subprocess.run(
        [TOOLS / "cdxj-indexer", *map(str, crawl.warc_files)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = []
    for line in result.stdout.splitlines():
        urlkey, timestamp, block = line.split(" ", 2)
        lines.append({"urlkey": urlkey, "timestamp": timestamp, **json.loads(block)})
    return lines


@pytest.fixture(scope="module")
def wayback(crawl: Crawl, tmp_path_factory) -> Iterator[Wayback]:
    """pywb's `wayback` on a free port of 127.0.0.1, over a collection of the crawl's files."""
    root = tmp_path_factory.mktemp("pywb")
    for command in (["init", COLLECTION], ["add", COLLECTION, *map(str, crawl.warc_files)]):
        result = subprocess.run(
            [TOOLS / "wb-manager", *command], cwd=root, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    port = free_port()
    log = (root / "wayback.log").open("w")
    process = subprocess.Popen(
        [TOOLS / "wayback", "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed whole below
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, (root / "wayback.log").read_text()
            assert time.monotonic() < deadline, "wayback did not answer in 20 s"
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield Wayback(port)
    finally:
        stop_group(process)
        log.close()


def _timestamp(fetched_at: str) -> str:
    """A fetch time as the 14-digit UTC timestamp of CDXJ lines and replay URLs."""
    return datetime.fromisoformat(fetched_at).astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _memento_datetime(fetched_at: str) -> str:
    """A fetch time, to the second, as pywb's Memento-Datetime header gives it."""
    when = datetime.fromisoformat(fetched_at).astimezone(UTC).replace(microsecond=0)
    return format_datetime(when, usegmt=True)


def _blocks(page: str) -> set[str]:
    """The text of every paragraph and subheading of an HTML page, inline tags dropped."""
    return {"".join(el.itertext()).strip() for el in lxml.html.fromstring(page).iter("p", "h3")}


def _lines(article: Article) -> set[str]:
    return set(article.expected_text.split("\n"))


def test_cdxj_indexer_indexes_every_file(crawl: Crawl, index: list[dict]) -> None:
    assert len(crawl.warc_files) == 2
    assert {line["filename"] for line in index} == {path.name for path in crawl.warc_files}


def test_index_has_a_line_for_every_response_and_revisit(crawl: Crawl, index: list[dict]) -> None:
    by_place = {(line["filename"], int(line["offset"])): line for line in index}
    fetches = crawl.fetches()
    assert {f["warc_type"] for f in fetches} == {"response", "revisit"}
    for fetch in fetches:
        line = by_place[(fetch["warc_filename"], fetch["warc_offset"])]
        assert line["url"] == fetch["url"]
        assert line["timestamp"] == _timestamp(fetch["fetched_at"])
        assert line["status"] == str(fetch["status"])
        assert int(line["length"]) == fetch["warc_length"]
        assert line.get("digest") == fetch["payload_digest"]  # a 304 has neither
        if fetch["warc_type"] == "revisit":
            assert line["mime"] == "warc/revisit", fetch["url"]
        elif fetch["content_type"]:
            assert line["mime"] == fetch["content_type"].split(";")[0], fetch["url"]
    assert len(index) == len(fetches)  # nothing else: request and warcinfo records are not indexed


def test_warcio_check_passes_on_every_file(crawl: Crawl) -> None:
    warcio = Path(sys.executable).parent / "warcio"
    result = subprocess.run([warcio, "check", *map(str, crawl.warc_files)], capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _unchanged_article(crawl: Crawl) -> tuple[Article, sqlite3.Row]:
    changes = crawl.second.changes
    moved = {*changes.new, *changes.changed, *changes.touched, *changes.deleted}
    article = next(a for a in crawl.first.articles if a.path not in moved)
    fetch = crawl.fetches("url = ? and status = 200", crawl.base + article.path)[0]
    return article, fetch


def test_pywb_replays_the_original_article(crawl: Crawl, wayback: Wayback) -> None:
    article, fetch = _unchanged_article(crawl)
    reply = wayback.get(_timestamp(fetch["fetched_at"]), "id_", fetch["url"])
    assert reply.status == 200
    assert reply.headers["Memento-Datetime"] == _memento_datetime(fetch["fetched_at"])
    # stored gzipped as received; pywb sends it decoded and says how it came
    assert reply.headers["X-Archive-Orig-Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in reply.headers
    assert _lines(article) <= _blocks(reply.text)


def test_pywb_replays_the_article_rewritten(crawl: Crawl, wayback: Wayback) -> None:
    article, fetch = _unchanged_article(crawl)
    timestamp = _timestamp(fetch["fetched_at"])
    # the replay URL answers with pywb's frame, which loads the rewritten page (mp_) inside
    frame = wayback.get(timestamp, "", fetch["url"])
    assert frame.status == 200
    assert f'"request_ts": "{timestamp}"' in frame.text
    assert f'"url": "{fetch["url"]}"' in frame.text
    page = wayback.get(timestamp, "mp_", fetch["url"])
    assert page.status == 200
    assert _lines(article) <= _blocks(page.text)
    assert f'href="{wayback.prefix}{timestamp}mp_/{crawl.base}/"' in page.text
    assert f'href="{crawl.base}' not in page.text  # every link to the site goes through pywb


def _fetch_bytes(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET to pywb."""
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_pywb_replays_the_articles_stylesheets_images_and_fonts(
    crawl: Crawl, wayback: Wayback
) -> None:
    # the page's requisites were archived with it: the replay needs nothing from the site
    _, fetch = _unchanged_article(crawl)
    timestamp = _timestamp(fetch["fetched_at"])
    page = lxml.html.fromstring(wayback.get(timestamp, "mp_", fetch["url"]).text)
    sheets = [h for h in page.xpath("//link[@rel='stylesheet']/@href") if crawl.base in h]
    images = [s for s in page.xpath("//img/@src") if crawl.base in s]
    assert sheets and images
    for url in sheets:
        assert url.startswith(wayback.prefix), url  # rewritten to the archive
        status, kind, body = _fetch_bytes(url)
        assert (status, kind.split(";")[0]) == (200, "text/css"), url
        assert b"tagDiv Newspaper" in body
    for url in images:
        assert url.startswith(wayback.prefix), url
        status, kind, body = _fetch_bytes(url)
        assert status == 200 and kind.startswith("image/"), url
        assert body[:4] in (b"\xff\xd8\xff\xe0", b"\x89PNG"), url
    # the icon font the stylesheet names, relative to it
    font = f"{crawl.base}/wp-content/themes/Newspaper/images/icons/newspaper.woff2"
    status, kind, body = _fetch_bytes(f"{wayback.prefix}{timestamp}id_/{font}")
    assert (status, kind, body[:4]) == (200, "font/woff2", b"wOF2")


def test_pywb_resolves_an_identical_payload_revisit(crawl: Crawl, wayback: Wayback) -> None:
    revisits = [
        f
        for f in crawl.fetches("warc_type = 'revisit' and status = 200")
        if crawl.article(crawl.first, f["url"])
    ]
    assert revisits
    for revisit in revisits:
        article = crawl.article(crawl.first, revisit["url"])
        reply = wayback.get(_timestamp(revisit["fetched_at"]), "id_", revisit["url"])
        assert reply.status == 200, revisit["url"]
        # the revisit's own capture, with the content of the record it refers to
        assert reply.headers["Memento-Datetime"] == _memento_datetime(revisit["fetched_at"])
        assert _lines(article) <= _blocks(reply.text), revisit["url"]


def test_pywb_replays_a_changed_article_at_both_capture_times(
    crawl: Crawl, wayback: Wayback
) -> None:
    changed = crawl.second.changes.changed
    assert changed
    for path in changed:
        old = _lines(crawl.article(crawl.first, crawl.base + path))
        new = _lines(crawl.article(crawl.second, crawl.base + path))
        captures = crawl.fetches("url = ? and status = 200", crawl.base + path)
        assert [c["warc_type"] for c in captures] == ["response", "response"], path
        for capture, shown, hidden in ((captures[0], old, new), (captures[1], new, old)):
            reply = wayback.get(_timestamp(capture["fetched_at"]), "id_", capture["url"])
            assert reply.status == 200, path
            blocks = _blocks(reply.text)
            assert shown <= blocks, path
            assert not (hidden - shown) & blocks, path


def test_pywb_replays_a_server_not_modified_revisit_as_its_304(
    crawl: Crawl, wayback: Wayback
) -> None:
    """pywb takes every 3xx revisit for a redirect: it does not look up what a 304 refers to.

    So at the time of a 304 capture it shows an empty 304; the content is at the capture the
    revisit refers to (`refers_to_fetch_id`, the record's WARC-Refers-To-Date).
    """
    # the articles' (their requisites' 304s are images and stylesheets)
    revisits = crawl.fetches("warc_type = 'revisit' and status = 304 and not requisite")
    assert revisits
    for revisit in revisits:
        reply = wayback.get(_timestamp(revisit["fetched_at"]), "id_", revisit["url"])
        assert (reply.status, reply.text) == (304, ""), revisit["url"]
        (original,) = crawl.fetches("id = ?", revisit["refers_to_fetch_id"])
        article = crawl.article(crawl.second, revisit["url"])
        reply = wayback.get(_timestamp(original["fetched_at"]), "id_", original["url"])
        assert reply.status == 200
        assert _lines(article) <= _blocks(reply.text), revisit["url"]
