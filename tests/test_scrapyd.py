"""End to end under Scrapyd: deploy the egg with scrapyd-deploy, schedule crawls of the replica.

Everything runs in subprocesses on 127.0.0.1: a scrapyd with its own configuration in a
temporary directory, scrapyd-deploy in a copy of the project (it writes build/ and an
.egg-info next to scrapy.cfg, which must not land in the working tree), and the crawls
scrapyd starts from the egg.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import settings
from tests.processes import free_port, stop_group
from tests.site.crawl import LOOPBACK_SETTINGS, ROOT
from tests.site.server import ReplicaServer, RequestRecord

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command

BIN = Path(sys.executable).parent
PROJECT = "news_archiver"
JOB_TIMEOUT = 120

SCRAPYD_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = eggs
logs_dir = logs
items_dir =
jobs_to_keep = 5
dbs_dir = dbs
max_proc = 1
# The default, 5 s, is most of this test's run time.
poll_interval = 0.2
"""


@dataclass
class Scrapyd:
    """A scrapyd process serving http://127.0.0.1:PORT/ from its own directory."""

    process: subprocess.Popen[bytes]
    home: Path
    port: int

    @property
    def url(self) -> str:
        """Its address, with the trailing slash scrapyd-deploy joins endpoints to."""
        return f"http://127.0.0.1:{self.port}/"

    def call(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
        """GET (no data) or POST one JSON endpoint; its answer must have status "ok"."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with urllib.request.urlopen(self.url + endpoint, body, timeout=30) as response:
            answer = json.load(response)
        assert answer["status"] == "ok", answer
        return answer

    def output(self) -> str:
        """What scrapyd wrote to stdout and stderr (its log, and the jobs' stderr)."""
        return (self.home / "scrapyd.out").read_text(encoding="utf-8", errors="replace")

    def job_log(self, spider: str, job: str) -> str:
        """The Scrapy log of one job (logs_dir/PROJECT/SPIDER/JOB.log)."""
        return (self.home / "logs" / PROJECT / spider / f"{job}.log").read_text(encoding="utf-8")

    def schedule(self, spider: str, *, args: dict[str, str], settings: dict[str, str]) -> str:
        """Queue one crawl and wait until it finishes; return its job id."""
        data = [("project", PROJECT), ("spider", spider), *args.items()]
        data += [("setting", f"{name}={value}") for name, value in settings.items()]
        job = self.call("schedule.json", data)["jobid"]
        deadline = time.monotonic() + JOB_TIMEOUT
        while time.monotonic() < deadline:
            finished = self.call(f"listjobs.json?project={PROJECT}")["finished"]
            if any(entry["id"] == job for entry in finished):
                return job
            time.sleep(0.2)
        pytest.fail(f"job {job} not finished after {JOB_TIMEOUT} s:\n{self.output()[-3000:]}")


def _environment() -> dict[str, str]:
    """This environment minus what could point scrapyd's jobs at the working tree."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SCRAPY") and name != "PYTHONPATH"
    }


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(articles=20) as server:
        yield server


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    # Jobs run in scrapyd's directory with it first on sys.path; an empty one means the
    # project can only come from the egg.
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port), encoding="utf-8")
    with (home / "scrapyd.out").open("wb") as out:
        process = subprocess.Popen(
            [BIN / "scrapyd"],
            cwd=home,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its crawls join its process group, killed with it
        )
    daemon = Scrapyd(process, home, port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                daemon.call("daemonstatus.json")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"scrapyd did not start:\n{daemon.output()[-3000:]}")
                time.sleep(0.1)
        yield daemon
    finally:
        stop_group(process)


@pytest.fixture(scope="module")
def egg(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the egg with scrapyd-deploy in a copy of the project, and deploy that egg."""
    project = tmp_path_factory.mktemp("deploy") / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "data", "build", "*.egg-info", "__pycache__", "*_cache"
        ),
    )
    with (project / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {scrapyd.url}\n")
    egg = project.parent / "project.egg"
    for command in (["--build-egg", str(egg)], ["test", "--egg", str(egg)]):
        result = subprocess.run(
            [BIN / "scrapyd-deploy", *command],
            cwd=project,
            env=_environment(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return egg


@dataclass
class Crawl:
    """One finished crawl that scrapyd ran: its archive, its log, what the replica saw."""

    archive: Path
    log: str
    requests: list[RequestRecord]


@pytest.fixture(scope="module")
def crawl(
    scrapyd: Scrapyd,
    egg: Path,
    replica: ReplicaServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Crawl:
    archive = tmp_path_factory.mktemp("archive")
    replica.clear_requests()
    job = scrapyd.schedule(
        "news",
        args={"url": replica.base_url + "/"},
        settings={**LOOPBACK_SETTINGS, "ARCHIVE_DIR": str(archive)},
    )
    return Crawl(archive, scrapyd.job_log("news", job), replica.requests)


def test_egg_holds_the_project_and_nothing_else(egg: Path) -> None:
    with zipfile.ZipFile(egg) as zipped:
        names = zipped.namelist()
        entry_points = zipped.read("EGG-INFO/entry_points.txt").decode()
    assert {name.split("/")[0] for name in names} == {
        "EGG-INFO",
        "settings.py",
        "spiders",
        "pipelines",
        "parsing",
        "archive",
    }
    assert "spiders/commands/crawl.py" in names
    assert "spiders/sites/nationworldnews.toml" in names
    assert "[scrapy]\nsettings = settings" in entry_points


def test_scrapyd_lists_the_spiders_of_the_egg(scrapyd: Scrapyd, egg: Path) -> None:
    spiders = scrapyd.call(f"listspiders.json?project={PROJECT}")["spiders"]
    assert {"news", "nationworldnews"} <= set(spiders)


def test_archive_holds_exactly_the_replica_articles(crawl: Crawl, replica: ReplicaServer) -> None:
    with sqlite3.connect(crawl.archive / "archive.db") as db:
        urls = {url for (url,) in db.execute("select url from articles")}
    assert urls == {replica.base_url + path for path in replica.site.expected_article_paths()}
    assert list((crawl.archive / "warc").glob("*.warc.gz"))


def test_job_log_is_clean_and_names_the_project_components(crawl: Crawl) -> None:
    log = crawl.log
    assert "Traceback" not in log
    assert " ERROR: " not in log
    for component in (
        "pipelines.extensions.archive_session.ArchiveSession",
        "pipelines.middlewares.warc_capture.WarcCaptureMiddleware",
        "pipelines.save_articles.SaveArticlesPipeline",
    ):
        assert component in log


def test_replica_saw_the_project_user_agent(crawl: Crawl) -> None:
    agent = f"{settings.BOT_NAME}/{settings.VERSION} (+{settings.CRAWL_CONTACT_URL})"
    assert crawl.requests
    assert {request.user_agent for request in crawl.requests} == {agent}


def test_project_crawl_command_rejects_a_bad_url(scrapyd: Scrapyd, egg: Path, tmp_path) -> None:
    # Scrapy's own crawl command would start the crawl and fail with a traceback.
    job = scrapyd.schedule(
        "news", args={"url": "example.com"}, settings={"ARCHIVE_DIR": str(tmp_path)}
    )
    output = scrapyd.output()
    assert "'example.com' must start with http:// or https://" in output
    assert f"Process died: exitstatus=2 project='{PROJECT}' spider='news' job='{job}'" in output
    assert "Traceback" not in output
