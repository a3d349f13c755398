"""Beyond one machine: workers sharing one crawl through a real redis-server (scrapy-redis).

Three workers crawl three replica sites from one sites file; their shards, merged, hold what
one process crawling the same sites holds, and the replicas' logs show no URL fetched
twice, robots.txt included (one worker fetches it for all: SharedRobotsTxt). Two workers
never ask a site faster than its delay, nor more at once than its concurrency.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.extensions.shared_crawl import shard_dir, shared_settings
from tests.processes import archive_command, free_port, start_redis
from tests.site.content import build_site
from tests.site.courier.model import build_courier
from tests.site.courier.server import CourierServer
from tests.site.crawl import ROOT, crawl_command, sites_file, start_crawl
from tests.site.gazette import GazetteServer, build_gazette
from tests.site.server import ReplicaServer

WORKERS = 3


def test_shared_settings_use_scrapy_redis_and_a_shard_per_worker() -> None:
    settings = shared_settings("data")
    assert settings["SCHEDULER"] == "pipelines.extensions.shared_crawl.SharedScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_PERSIST"] is True
    assert Path(settings["ARCHIVE_DIR"]) == shard_dir("data")
    assert shard_dir("data").parent == Path("data") / "shards"


@pytest.mark.e2e
def test_a_request_taken_from_the_queue_is_kept_as_taken_in_the_same_step(redis_url: str) -> None:
    import redis
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from pipelines.extensions.shared_crawl import SharedScheduler, taken_key, worker_name

    server = redis.Redis.from_url(redis_url)
    settings = {**shared_settings("data"), "REDIS_URL": redis_url}
    crawler = get_crawler(Spider, settings)
    spider = Spider.from_crawler(crawler, "taking")
    crawler.spider = spider
    scheduler = SharedScheduler.from_crawler(crawler)
    scheduler.open(spider)
    try:
        for n, priority in ((1, 0), (2, 5), (3, 0)):
            scheduler.enqueue_request(Request(f"http://127.0.0.1/{n}", priority=priority))
        request = scheduler.next_request()
        assert request.url.endswith("/2")  # the highest priority first, as scrapy-redis
        taken = server.hgetall(taken_key("taking", worker_name()))
        assert list(taken) == [request.meta["shared_taken"].encode()]
        score, _, data = next(iter(taken.values())).partition(b"|")
        assert float(score) == -5 and scheduler.queue._decode_request(data).url == request.url
        assert server.zcard("taking:requests") == 2
    finally:
        server.delete("taking:requests", "taking:dupefilter", taken_key("taking", worker_name()))


@pytest.mark.e2e
def test_robots_txt_a_silent_worker_was_fetching_is_taken_over(redis_url: str) -> None:
    import asyncio

    import redis
    from scrapy.utils.test import get_crawler

    from pipelines.middlewares.shared_robots import SharedRobotsTxt, robots_key

    server = redis.Redis.from_url(redis_url)
    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url, "ROBOTSTXT_OBEY": True})
    middleware = SharedRobotsTxt.from_crawler(crawler)
    key = robots_key("crawl", "127.0.0.1:9")
    try:
        server.set(key + ":lock", "ghost-1")  # no crawl:alive:ghost-1: it went silent
        assert asyncio.run(middleware._stored_or_locked("127.0.0.1:9")) is None
        assert server.get(key + ":lock") == middleware.worker.encode()
        server.set(key, b"200\nUser-agent: *\nDisallow: /x")
        assert asyncio.run(middleware._stored_or_locked("127.0.0.1:9")).startswith(b"200")
    finally:
        server.delete(key, key + ":lock")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list]]:
    """Three replica sites built differently, and a sites file naming them."""
    folder = tmp_path_factory.mktemp("sites")
    with (
        ReplicaServer(build_site(30)) as replica,
        CourierServer(build_courier(30)) as courier,
        GazetteServer(build_gazette(24)) as gazette,
    ):
        path = sites_file(
            folder,
            ("replica", replica.base_url),
            ("courier", courier.base_url),
            ("gazette", gazette.base_url),
        )
        yield path, [replica, courier, gazette]


def asked(server: object) -> list[str]:
    """Paths a replica server was asked for (the Gazette logs paths, the others records)."""
    return [getattr(r, "path", r) for r in server.requests]


def clear(servers: list) -> None:
    for server in servers:
        if hasattr(server, "clear_requests"):
            server.clear_requests()
        else:
            server.requests.clear()


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600
    )


def articles(archive: Path) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(archive / "archive.db") as db:
        rows = db.execute("select url, text, version_count from articles").fetchall()
    return {url: (text, versions) for url, text, versions in rows}


@pytest.fixture(scope="module")
def single(sites: tuple[Path, list], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same sites crawled by one process, for comparison."""
    path, servers = sites
    archive = tmp_path_factory.mktemp("single") / "archive"
    done = run(crawl_command("news", servers[0].base_url + "/", archive, sites=path))
    assert done.returncode == 0, done.stderr[-3000:]
    return archive


@pytest.fixture(scope="module")
def shared(
    sites: tuple[Path, list], redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str], list[list[str]]]:
    """Three workers sharing the crawl, their shards merged: (merged archive, the workers'
    logs, each replica's request log)."""
    path, servers = sites
    folder = tmp_path_factory.mktemp("shared")
    archive = folder / "archive"
    clear(servers)
    command = crawl_command(
        "news", servers[0].base_url + "/", archive, sites=path, REDIS_URL=redis_url
    )
    workers = [start_crawl(command) for _ in range(WORKERS)]
    logs = [worker.communicate(timeout=600)[1] for worker in workers]
    assert [w.returncode for w in workers] == [0] * WORKERS, [log[-2000:] for log in logs]
    shards = sorted(str(p) for p in (archive / "shards").iterdir())
    assert len(shards) == WORKERS
    merged = archive_command("merge", *shards, "--into", str(archive))
    assert merged.returncode == 0, merged.stderr
    return archive, logs, [asked(s) for s in servers]


@pytest.mark.e2e
def test_every_worker_took_part_and_the_last_cleared_redis(shared, redis_url: str) -> None:
    _, logs, _ = shared
    assert all("Worker " in log and "of a shared crawl" in log for log in logs)
    # the scheduler adapter: no deprecation warning from scrapy-redis on the project's Scrapy
    assert not [log for log in logs if "Deprecat" in log]
    assert sum("Last worker of the shared crawl" in log for log in logs) == 1
    import redis

    assert redis.Redis.from_url(redis_url).keys("*") == []  # none left, whatever its name


@pytest.mark.e2e
def test_no_page_is_fetched_twice(shared) -> None:
    _, _, requests = shared
    for paths in requests:
        twice = {p: n for p, n in Counter(paths).items() if n > 1}
        assert twice == {}
        assert Counter(paths)["/robots.txt"] == 1


@pytest.mark.e2e
def test_the_workers_that_did_not_fetch_robots_txt_read_it_from_redis(shared) -> None:
    _, logs, _ = shared
    # each site's Sitemap lines reached every worker: each one knew where to start
    assert not [log for log in logs if "robots.txt names no sitemap" in log]


def expected_urls(servers: list) -> set[str]:
    """Every article URL of the three replicas."""
    urls = set()
    for server in servers:
        site = server.site
        paths = (
            site.expected_article_paths()
            if hasattr(site, "expected_article_paths")
            else [story.path for story in site.stories]
        )
        urls |= {server.base_url + path for path in paths}
    return urls


@pytest.mark.e2e
def test_the_merged_shards_hold_what_one_process_holds(shared, single: Path, sites) -> None:
    merged, _, _ = shared
    ours, theirs = articles(merged), articles(single)
    # every article of every site, and all that one process archived; where one process
    # cut a small site's section family before its last category-only article (a limit of
    # trap families on a 30-article site, README), the workers' own verdicts may differ
    assert set(ours) == expected_urls(sites[1])
    assert set(theirs) <= set(ours)
    assert {u: ours[u][0] for u in theirs} == {u: t for u, (t, _) in theirs.items()}
    assert {versions for _, versions in ours.values()} == {1}  # one capture, one text each


@pytest.mark.e2e
def test_redis_unreachable_at_start_is_one_line_and_exit_1(sites, tmp_path: Path) -> None:
    path, servers = sites
    command = crawl_command(
        "news",
        servers[0].base_url + "/",
        tmp_path / "archive",
        sites=path,
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    done = run(command)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "cannot reach Redis" in done.stderr
    assert not (tmp_path / "archive").exists()


DELAY = 0.25


def two_workers_crawl(
    server: ReplicaServer, archive: Path, redis_url: str, **settings: str
) -> None:
    """Two workers share a crawl of one small replica, few requests in each one's hands (the
    rest wait in Redis for either); both must have fetched pages, or the test would say
    nothing about sharing a site."""
    settings = {"FETCH_REQUISITES": "False", "CONCURRENT_REQUESTS": "2", **settings}
    command = crawl_command("news", server.base_url + "/", archive, REDIS_URL=redis_url, **settings)
    workers = [start_crawl(command) for _ in range(2)]
    logs = [worker.communicate(timeout=600)[1] for worker in workers]
    assert [w.returncode for w in workers] == [0, 0], [log[-2000:] for log in logs]
    assert not [log for log in logs if "Summary (finished): 0 pages" in log]


def times_of_two_workers(redis_url: str, archive: Path, **settings: str) -> list[float]:
    """Two workers crawl one small replica with a delay; when each request reached the
    replica, in order."""
    with ReplicaServer(build_site(24)) as server:
        two_workers_crawl(server, archive, redis_url, DOWNLOAD_DELAY=str(DELAY), **settings)
        return sorted(r.time for r in server.requests)


def too_fast(times: list[float], lag: float = DELAY, most: int = 12) -> list[str]:
    """Runs of requests closer together than their gos can be. Gos are a delay apart
    (Redis's clock: test_shared_politeness.py); a request reaches the site when its worker
    gets round to sending it, up to `lag` later when its event loop is busy. So one gap
    may shrink by up to `lag`, but never the rate: any k + 1 requests span at least k
    delays less the lag (a millisecond of slack for the stamps)."""
    return [
        f"{k + 1} requests in {times[i + k] - times[i]:.3f} s"
        for k in range(1, most + 1)
        for i in range(len(times) - k)
        if times[i + k] - times[i] < k * DELAY - lag - 0.001
    ]


@pytest.mark.e2e
def test_two_workers_never_ask_a_site_faster_than_its_delay(redis_url: str, tmp_path: Path) -> None:
    times = times_of_two_workers(redis_url, tmp_path / "archive")
    assert not too_fast(times), too_fast(times)[:5]


@pytest.mark.e2e
def test_without_shared_politeness_two_workers_do(redis_url: str, tmp_path: Path) -> None:
    # the mechanism switched off: each worker keeps the delay for itself only, so the two
    # together ask twice as often as a go allows
    times = times_of_two_workers(redis_url, tmp_path / "archive", SHARED_POLITENESS="False")
    assert too_fast(times)


LATENCY = 0.15
AT_ONCE = 2


def most_at_once_of_two_workers(redis_url: str, archive: Path, **settings: str) -> int:
    """Two workers crawl one slow replica whose concurrency is AT_ONCE; the most requests
    the replica was answering at once."""
    with ReplicaServer(build_site(24), latency=LATENCY) as server:
        two_workers_crawl(
            server,
            archive,
            redis_url,
            CONCURRENT_REQUESTS_PER_DOMAIN=str(AT_ONCE),
            **settings,
        )
        return server.most_in_flight


@pytest.mark.e2e
def test_two_workers_never_ask_a_site_more_at_once_than_its_concurrency(
    redis_url: str, tmp_path: Path
) -> None:
    # as many as the site allows, not fewer (the leases are given back), never more
    assert most_at_once_of_two_workers(redis_url, tmp_path / "archive") == AT_ONCE


@pytest.mark.e2e
def test_without_shared_politeness_two_workers_ask_more_at_once(
    redis_url: str, tmp_path: Path
) -> None:
    # the mechanism switched off: each worker keeps the concurrency for itself only
    most = most_at_once_of_two_workers(redis_url, tmp_path / "archive", SHARED_POLITENESS="False")
    assert most > AT_ONCE


def wait_for(condition: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def slow_command(server: ReplicaServer, archive: Path, redis_url: str) -> list[str]:
    """A crawl slow enough to be caught in the middle."""
    return crawl_command(
        "news",
        server.base_url + "/",
        archive,
        REDIS_URL=redis_url,
        DOWNLOAD_DELAY="0.05",
        CONCURRENT_REQUESTS="2",
        FETCH_REQUISITES="False",
    )


@pytest.mark.e2e
def test_a_worker_killed_mid_crawl_loses_nothing(redis_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with ReplicaServer(build_site(20)) as server:
        expected = set(server.site.expected_article_paths())
        prefix = len(server.base_url)
        command = slow_command(server, archive, redis_url)
        doomed = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: len(server.requests) >= 8)
        survivor = start_crawl(command)
        wait_for(lambda: len(server.requests) >= 25)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        log = survivor.communicate(timeout=600)[1]
        assert survivor.returncode == 0, log[-2000:]
    assert "requests it had taken are back in the queue" in log
    shards = [str(p) for p in (archive / "shards").iterdir()]
    merged = archive_command("merge", *shards, "--into", str(archive))
    assert merged.returncode == 0, merged.stderr
    assert {url[prefix:] for url in articles(archive)} == expected


@pytest.mark.e2e
def test_redis_lost_mid_crawl_stops_the_worker_with_its_archive(tmp_path: Path) -> None:
    redis_server, url = start_redis(tmp_path)
    archive = tmp_path / "archive"
    try:
        time.sleep(0.5)
        with ReplicaServer(build_site(20)) as server:
            worker = start_crawl(slow_command(server, archive, url))
            wait_for(lambda: len(server.requests) >= 10)
            redis_server.terminate()
            redis_server.wait()
            log = worker.communicate(timeout=120)[1]
    finally:
        if redis_server.poll() is None:
            redis_server.terminate()
    assert worker.returncode == 1
    assert "Lost Redis" in log and "Traceback" not in log
    (shard,) = (archive / "shards").iterdir()
    with sqlite3.connect(shard / "archive.db") as db:
        (status,) = db.execute("select status from runs").fetchone()
        (stored,) = db.execute("select count(*) from articles").fetchone()
    assert status == "redis_lost" and stored > 0
