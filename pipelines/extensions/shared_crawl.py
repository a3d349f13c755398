"""One worker of a crawl shared through Redis (scrapy-redis): `-s REDIS_URL=...` turns it on.

With `REDIS_URL=redis://HOST:PORT/DB` the crawl's scheduler and duplicate filter are
scrapy-redis's (`shared_settings`): every worker started with the same command pushes the
requests it finds to one queue in Redis and takes its next one from there, and a URL that
any worker asked for is not asked for again. No start-path adapter is needed: the spiders
are the project's own (`async start()`), not scrapy-redis's `RedisSpider`, whose
`start_requests()` Scrapy 2.16 no longer calls; only the scheduler and the duplicate
filter are taken from scrapy-redis. Each worker archives into a shard of its own,
`ARCHIVE_DIR/shards/HOST-PID` (`python -m archive merge` makes one archive of them).

`SharedScheduler` is scrapy-redis's scheduler less its one clash with the project's
Scrapy: it counts its stats without the `spider` argument Scrapy 2.19 deprecates (a
warning on every request otherwise); tests/test_shared_crawl.py fails when scrapy-redis's
scheduler changes under it.

Faults. A request a worker takes from the queue is kept, in the same step (one Lua
script: no moment when it is in neither place), in `SPIDER:taken:WORKER` until its page
is read and what it held handed to the pipelines (`TakenDone`, a spider
middleware), or the worker finishes; a worker alive says so every `BEAT`
seconds (`SPIDER:alive:WORKER`, gone `ALIVE_TTL` seconds after its last word). A worker
killed mid-crawl (even by SIGKILL) stops saying so, and the first worker to notice puts
what it had taken back in the queue, so another worker crawls it (or the next run, if
none is left: `SCHEDULER_PERSIST` keeps the queue). If Redis goes away mid-crawl, the
worker says so in one line and stops as after Ctrl-C: what it stored stays, its run is
recorded (`redis_lost`), and the crawl command exits 1.

`SharedCrawl` keeps the workers together: a worker does not stop while the shared queue
holds requests or another worker is busy (it received a response in the last `BUSY_TTL`
seconds and has not been idle since), so a worker that started after the others took the
first pages waits for the links they find; the last worker to stop clears the crawl's
keys (queue, seen URLs, trap verdicts and lists, the sites' robots.txt and politeness
keys), so that the next crawl starts afresh.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

# A worker that received no response for this long is not busy any more.
BUSY_TTL = 10.0
# How often a worker says it is busy (at most) and alive (at least), in seconds.
BEAT = 1.0
# A worker silent this long is gone: what it had taken goes back in the queue.
ALIVE_TTL = 8.0
# What a worker's lost connection to Redis is (redis-py's errors, and the OS's).
REDIS_ERRORS: tuple[type[BaseException], ...] = (OSError,)
try:
    import redis as _redis

    REDIS_ERRORS = (_redis.ConnectionError, _redis.TimeoutError, OSError)
except ImportError:  # pragma: no cover - scrapy-redis needs redis
    pass
TAKEN_META_KEY = "shared_taken"
# KEYS[1]: the shared queue (scrapy-redis's priority queue), KEYS[2]: what this worker
# took. Pops the queue's first request and keeps it as taken (field: the SHA-1 of the
# encoded request, value: its score and itself, to put back as they were).
_TAKE = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then
  return false
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local field = redis.sha1hex(found[1])
redis.call('HSET', KEYS[2], field, found[2] .. '|' .. found[1])
return {field, found[1]}
"""


def worker_name() -> str:
    """This worker's name in the shared crawl: HOST-PID."""
    return f"{socket.gethostname()}-{os.getpid()}"


def shard_dir(archive_dir: str | Path) -> Path:
    """The archive shard of this worker: ARCHIVE_DIR/shards/HOST-PID."""
    return Path(archive_dir) / "shards" / f"{socket.gethostname()}-{os.getpid()}"


def shared_settings(archive_dir: str | Path) -> dict[str, Any]:
    """The settings that make a crawl one worker of a crawl shared through REDIS_URL."""
    return {
        "SCHEDULER": "pipelines.extensions.shared_crawl.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # the queue and the seen URLs belong to every worker: one stopping keeps them
        "SCHEDULER_PERSIST": True,
        # turns are handed out a site's delay apart (SharedPoliteness); a worker's own slot
        # randomising its delay on top would send some requests early or late of theirs
        "DOWNLOAD_DELAY_JITTER": 0,
        "ARCHIVE_DIR": str(shard_dir(archive_dir)),
        # what earlier crawls archived, read-only: the archive the shards are merged into,
        # so that a shared re-run is incremental though each shard starts empty
        "ARCHIVE_HISTORY_DIR": str(archive_dir),
    }


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, counting its stats as Scrapy 2.19 asks, keeping what this
    worker took until it is done with it, and stopping the worker if Redis goes away."""

    lost = False
    _take_script: Any = None

    def enqueue_request(self, request: Request) -> bool:
        """Queue a request in Redis unless a worker asked for its URL already."""
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except REDIS_ERRORS as exc:
            self._lost(exc)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """The next request of the shared queue, if any; kept as taken by this worker."""
        if self.lost:
            return None
        try:
            taken = self._take()
        except REDIS_ERRORS as exc:
            self._lost(exc)
            return None
        if taken is None:
            return None
        request, field = taken
        request.meta[TAKEN_META_KEY] = field
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _take(self) -> tuple[Request, str] | None:
        """Pop the queue's next request and keep it as taken, in one step where the queue
        is scrapy-redis's priority queue (a worker killed between the two would lose it)."""
        taken = taken_key(self.spider.name, worker_name())
        if isinstance(self.queue, PriorityQueue):
            if self._take_script is None:
                self._take_script = self.server.register_script(_TAKE)
            found = self._take_script(keys=[self.queue.key, taken])
            if not found:
                return None
            field, data = found
            return self.queue._decode_request(data), field.decode()
        request = self.queue.pop(self.idle_before_close)
        if request is None:
            return None
        field = self.df.request_fingerprint(request)
        # score and encoded request, as a priority queue holds them, to put back as they were
        data = f"{-request.priority}|".encode() + self.queue._encode_request(request)
        self.server.hset(taken, field, data)
        return request, field

    def has_pending_requests(self) -> bool:
        """Whether the shared queue holds requests (none once Redis is lost)."""
        if self.lost:
            return False
        try:
            return len(self) > 0
        except REDIS_ERRORS as exc:
            self._lost(exc)
            return False

    def _lost(self, exc: BaseException) -> None:
        """Redis went away: say so once and stop this worker as after Ctrl-C."""
        if self.lost:
            return
        self.lost = True
        logger.error("Lost Redis (%s): stopping this worker; what it stored stays", exc)
        crawler = getattr(self.spider, "crawler", None)
        if crawler is not None and crawler.engine is not None:
            from scrapy.utils.defer import deferred_from_coro
            from twisted.internet import reactor

            reactor.callLater(
                0, deferred_from_coro, crawler.engine.close_spider_async(reason="redis_lost")
            )


def taken_key(spider: str, worker: str) -> str:
    """Where a worker keeps the requests it took from the queue and is not done with."""
    return f"{spider}:taken:{worker}"


def redis_problem(url: str) -> str | None:
    """Why the Redis at `url` cannot be used, or None when it answers."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        return f"cannot reach Redis at {url}: {exc}"
    return None


class SharedCrawl:
    """Scrapy extension: a worker waits for the others, and the last one cleans up."""

    def __init__(self, crawler: Crawler, url: str):
        import redis

        self.crawler = crawler
        self.server = redis.Redis.from_url(url, socket_timeout=10)
        self.worker = worker_name()
        # the spider's name; known before its spider_opened handlers (and this one) run
        self.prefix = crawler.spidercls.name
        self._last_beat = 0.0
        self._alive: Any = None
        self.lost = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedCrawl:
        """Only with REDIS_URL."""
        url = crawler.settings.get("REDIS_URL")
        if not url:
            raise NotConfigured
        extension = cls(crawler, url)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def key(self, name: str) -> str:
        """The Redis key `name` of this crawl (`news:NAME`); the last worker out clears
        `verdicts` and those starting with `listings:` or `sitemaps:` too
        (spiders/shared_frontier.py)."""
        return self._key(name)

    def spider_opened(self, spider: Spider) -> None:
        """Join the crawl: count this worker in, and say it is alive every BEAT seconds."""
        from scrapy.utils.asyncio import create_looping_call

        self.prefix = spider.name
        workers = self.server.incr(self._key("workers"))
        self._beat(force=True)
        self._alive = create_looping_call(self.alive)
        self._alive.start(BEAT, now=True)
        logger.info(
            "Worker %s of a shared crawl (%d running), archiving into %s",
            self.worker,
            workers,
            self.crawler.settings.get("ARCHIVE_DIR"),
        )

    def _beat(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_beat >= BEAT:
            self._last_beat = now
            self.server.set(self._key(f"busy:{self.worker}"), 1, px=int(BUSY_TTL * 1000))

    def response_received(self, **kwargs: Any) -> None:
        """This worker is busy."""
        # a lost Redis: the scheduler says so and stops the worker
        with contextlib.suppress(REDIS_ERRORS):
            self._beat()

    def alive(self) -> None:
        """Say this worker is alive; put back what workers gone silent had taken; look at
        the shared queue."""
        try:
            self.server.set(self._key(f"alive:{self.worker}"), 1, px=int(ALIVE_TTL * 1000))
            self.reclaim()
        except REDIS_ERRORS:
            return  # the scheduler says so and stops the worker
        self.look_at_queue()

    def look_at_queue(self) -> None:
        """Have the engine ask the scheduler for requests now. An idle engine asks only
        every 5 s (its heartbeat), long enough for the other workers to take every request
        the pages they read bring; its slot's `nextcall` is the engine's own way to ask
        sooner (a private one: tests/test_shared_crawl.py fails if a worker sits idle)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def reclaim(self) -> int:
        """Put the requests of workers gone silent back in the queue; how many."""
        put_back = 0
        prefix = taken_key(self.prefix, "")
        for key in self.server.scan_iter(prefix + "*"):
            worker = key.decode()[len(prefix) :]
            if worker == self.worker or self.server.exists(self._key(f"alive:{worker}")):
                continue
            # renamed first: of two workers noticing at once, one takes it over
            mine = self._key(f"reclaiming:{self.worker}:{worker}")
            try:
                self.server.rename(key, mine)
            except Exception:  # noqa: BLE001 - another worker took it (no such key)
                continue
            for data in self.server.hvals(mine):
                score, _, request = data.partition(b"|")
                self.server.execute_command("ZADD", self._key("requests"), score, request)
                put_back += 1
            self.server.delete(mine)
            logger.warning(
                "Worker %s is gone: %d requests it had taken are back in the queue",
                worker,
                put_back,
            )
            self.crawler.stats.inc_value("shared/requests_reclaimed", put_back)
        return put_back

    def others_busy(self) -> bool:
        """Whether another worker received a response lately."""
        mine = self._key(f"busy:{self.worker}").encode()
        return any(k != mine for k in self.server.scan_iter(self._key("busy:*")))

    def spider_idle(self, spider: Spider) -> None:
        """Stay while the shared queue holds requests or another worker is busy. An idle
        worker is not busy: it says so, so that the others need not wait for it."""
        try:
            self.server.delete(self._key(f"busy:{self.worker}"))
            self.reclaim()
            quiet = self.quiet()
        except REDIS_ERRORS:
            return  # Redis is gone: nothing to wait for
        if not quiet:
            raise DontCloseSpider

    def quiet(self) -> bool:
        """Whether the shared queue is empty and no other worker is busy."""
        queued = self.server.zcard(self._key("requests")) if self._queue_is_zset() else 0
        return not queued and not self.others_busy()

    def _queue_is_zset(self) -> bool:
        return self.server.type(self._key("requests")) == b"zset"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Leave the crawl; the last worker out clears its queue and seen URLs."""
        if self._alive is not None and self._alive.running:
            self._alive.stop()
        try:
            self.server.delete(self._key(f"busy:{self.worker}"), self._key(f"alive:{self.worker}"))
            if reason != "finished":
                return  # what it took stays taken: the other workers put it back
            # finished: what is left was dropped on the way (robots.txt), not lost
            self.server.delete(taken_key(self.prefix, self.worker))
            if self.server.decr(self._key("workers")) <= 0:
                self.server.delete(
                    self._key("workers"),
                    self._key("requests"),
                    self._key("dupefilter"),
                    self._key("verdicts"),
                )
                # the sites' robots.txt and politeness keys are this crawl's too
                for pattern in ("robots:*", "go:*", "leases:*", "listings:*", "sitemaps:*"):
                    for key in self.server.scan_iter(self._key(pattern)):
                        self.server.delete(key)
                logger.info("Last worker of the shared crawl: its Redis keys are cleared")
        except REDIS_ERRORS:
            pass


class TakenDone:
    """Spider middleware: a page read, and what it held handed on, is no longer taken."""

    def __init__(self, crawler: Crawler, url: str):
        import redis

        self.crawler = crawler
        self.server = redis.Redis.from_url(url, socket_timeout=10)
        self.worker = worker_name()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TakenDone:
        """Only with REDIS_URL."""
        url = crawler.settings.get("REDIS_URL")
        if not url:
            raise NotConfigured
        return cls(crawler, url)

    async def process_spider_output(self, response: Any, result: Any) -> Any:
        """Pass the callback's output on; then the request is done with."""
        async for item in result:
            yield item
        request = getattr(response, "request", None)
        fingerprint = request.meta.get(TAKEN_META_KEY) if request is not None else None
        if fingerprint is not None and self.crawler.spider is not None:
            with contextlib.suppress(REDIS_ERRORS):
                self.server.hdel(taken_key(self.crawler.spider.name, self.worker), fingerprint)
