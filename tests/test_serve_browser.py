"""`python -m archive serve`, driven in a real browser: Debian's chromium, headless, through
Playwright (no browser download). An archivist searches, opens the seed article's page,
and opens its replay: the replayed page's stylesheets and images load from the archive,
and no request leaves for the live site, which is stopped by then.

Screenshots go to test-artifacts/ (kept after the run; ignored by git).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.processes import free_port, stop_group
from tests.site.content import build_site
from tests.site.crawl import ROOT, run_crawl
from tests.site.server import ReplicaServer

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A crawled replica, its pages' requisites included; (archive, the site's base URL).
    The replica is stopped before any test browses: nothing can come from it."""
    folder = tmp_path_factory.mktemp("serve") / "archive"
    with ReplicaServer(build_site(30)) as server:
        done = run_crawl("nationworldnews", server.base_url + "/", folder)
        assert done.returncode == 0, done.stderr[-3000:]
        base = server.base_url
    yield folder, base


@pytest.fixture(scope="module")
def served(archive: tuple[Path, str]) -> Iterator[tuple[str, str]]:
    """`serve` running on free ports: (Datasette URL, replay URL)."""
    port, replay_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "archive",
            "serve",
            str(archive[0]),
            "--port",
            str(port),
            "--replay-port",
            str(replay_port),
        ],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        line = process.stdout.readline()  # printed once both servers answer
        assert line.startswith("Archive: "), line
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{replay_port}/archive/"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            stop_group(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    assert CHROMIUM, "chromium is missing: `make test` installs Debian's package"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_search_open_the_article_and_its_replay_from_the_archive(
    archive: tuple[Path, str], served: tuple[str, str], browser: object
) -> None:
    started = time.monotonic()
    _, site = archive
    datasette, replay = served
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    asked: list[str] = []
    loaded: dict[str, tuple[int, str]] = {}
    page.on("request", lambda request: asked.append(request.url))
    page.on(
        "response",
        lambda response: loaded.__setitem__(
            response.url, (response.status, response.request.resource_type)
        ),
    )

    # search, as an archivist types it
    page.goto(f"{datasette}/archive/articles")
    page.fill("input[name=_search]", "child trafficking")
    page.press("input[name=_search]", "Enter")
    page.wait_for_load_state()
    page.screenshot(path=ARTIFACTS / "serve-search.png")
    link = page.locator("a[href*='/-/article?url=']").first
    assert "peru" in link.inner_text().lower()

    # the seed article's page: text, versions, captures
    link.click()
    page.wait_for_load_state()
    assert "Peru" in page.locator("h1").inner_text()
    assert "CPC Alliance" in page.locator(".article-text").inner_text()
    page.screenshot(path=ARTIFACTS / "serve-article.png", full_page=False)

    # its replay, from the archive's WARC files
    page.click("#replay-latest")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=ARTIFACTS / "serve-replay.png")
    frame = next(f for f in page.frames if "mp_/" in f.url)
    assert "CPC Alliance" in frame.inner_text("body")
    sheets = {u: s for u, (s, kind) in loaded.items() if kind == "stylesheet" and site in u}
    images = {u: s for u, (s, kind) in loaded.items() if kind == "image" and site in u}
    assert sheets and images
    for url, status in {**sheets, **images}.items():
        assert url.startswith(replay) and status == 200, (url, status)
    # images drawn, not broken: the browser decoded them
    drawn = frame.evaluate(
        "[...document.images].filter(i => i.src.includes('/wp-content/'))"
        ".map(i => i.naturalWidth > 0)"
    )
    assert drawn and all(drawn)
    # nothing asked of the live site, or of any host but serve's own two
    own = {urlsplit(datasette).netloc, urlsplit(replay).netloc}
    away = [u for u in asked if u.startswith("http") and urlsplit(u).netloc not in own]
    assert away == []
    (ARTIFACTS / "serve-browser-time.txt").write_text(f"{time.monotonic() - started:.1f} s\n")
