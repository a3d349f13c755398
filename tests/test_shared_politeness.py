"""The shared go itself, against a real redis-server: whichever workers ask, a site's gos
are never closer than its delay on Redis's clock, and never more of its requests are in
hand than its concurrency.

Two workers are two SharedPoliteness middlewares, each on its own thread and event loop,
asking for one site at once. The gos are read off Redis's MONITOR (the SET of the site's
next free time, which the go script makes at each go), so the figures are Redis's and no
worker's lateness in sending blurs them (the crawl tests in test_shared_crawl.py see the
requests as the site does).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import redis
from scrapy import Request
from scrapy.utils.test import get_crawler

from pipelines.middlewares.shared_politeness import SharedPoliteness
from pipelines.middlewares.site_slots import SLOT_META_KEY

SITE = "127.0.0.1:9"
GO_KEY = f"default:go:{SITE}"  # the crawl's keys are named after its spider: get_crawler's
LEASES_KEY = f"default:leases:{SITE}"
DELAY = 0.05
REQUESTS = 12  # per worker


def worker(redis_url: str, name: str, **settings: object) -> SharedPoliteness:
    """One worker's middleware; its site has no download slot yet, so the site's limits
    are the settings'."""
    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url, **settings})
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(slots={}, per_slot_settings={}))
    middleware = SharedPoliteness.from_crawler(crawler)
    # both workers live in this process: their leases need names of their own
    middleware.leases = (f"{name}:{n}" for n in itertools.count())
    return middleware


def run_workers(workers: list[SharedPoliteness], fetch: object) -> None:
    """Each worker, on its own thread and loop, sends REQUESTS requests to SITE at once;
    `fetch(middleware, request)` is what a request does once it has its go."""

    async def crawl(middleware: SharedPoliteness) -> None:
        async def one(n: int) -> None:
            request = Request(f"http://{SITE}/{n}", meta={SLOT_META_KEY: SITE})
            await middleware.process_request(request)
            await fetch(middleware, request)

        await asyncio.gather(*(one(n) for n in range(REQUESTS)))

    threads = [threading.Thread(target=asyncio.run, args=(crawl(w),)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [thread for thread in threads if thread.is_alive()]


@pytest.fixture
def gos(redis_url: str) -> Iterator[list[float]]:
    """The times of the site's gos, on Redis's clock, as MONITOR saw them made."""
    server = redis.Redis.from_url(redis_url)
    server.delete(GO_KEY, LEASES_KEY)
    seen: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        with server.monitor() as monitor:
            ready.set()
            while not stop.is_set():
                command = monitor.next_command()["command"]
                if command.startswith(f"SET {GO_KEY} "):
                    seen.append(float(command.split()[2]) - DELAY)
                elif command == "PING":  # the end mark below
                    return

    ready = threading.Event()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert ready.wait(10)
    time.sleep(0.1)  # MONITOR is on once Redis has answered it
    yield seen
    stop.set()
    server.ping()
    watcher.join(timeout=10)
    server.delete(GO_KEY, LEASES_KEY)


async def at_once(middleware: SharedPoliteness, request: Request) -> None:
    middleware.request_left_downloader(request)


@pytest.mark.e2e
def test_two_workers_gos_for_a_site_are_a_delay_apart(redis_url: str, gos: list[float]) -> None:
    workers = [worker(redis_url, name, DOWNLOAD_DELAY=DELAY) for name in ("a", "b")]
    run_workers(workers, at_once)
    assert len(gos) == 2 * REQUESTS
    gaps = [b - a for a, b in itertools.pairwise(gos)]
    # Lua writes the next free time with 14 significant digits: a tenth of a millisecond
    assert min(gaps) >= DELAY - 1e-4, sorted(gaps)[:3]
    # and no slower than the delay asks (each waits as long as the go says, then asks again)
    assert gos[-1] - gos[0] < 2 * REQUESTS * DELAY * 1.5


@pytest.mark.e2e
def test_two_workers_hold_no_more_of_a_site_than_its_concurrency(redis_url: str) -> None:
    in_hand, most = 0, 0
    lock = threading.Lock()

    async def slowly(middleware: SharedPoliteness, request: Request) -> None:
        nonlocal in_hand, most
        with lock:
            in_hand += 1
            most = max(most, in_hand)
        await asyncio.sleep(0.05)
        with lock:
            in_hand -= 1
        middleware.request_left_downloader(request)

    server = redis.Redis.from_url(redis_url)
    server.delete(GO_KEY, LEASES_KEY)
    workers = [
        worker(redis_url, name, DOWNLOAD_DELAY=0, CONCURRENT_REQUESTS_PER_DOMAIN=3)
        for name in ("a", "b")
    ]
    run_workers(workers, slowly)
    # as many as the site allows, not fewer, never more; every lease given back
    assert most == 3
    assert server.zcard(LEASES_KEY) == 0
