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

`SharedCrawl` keeps the workers together: a worker does not stop while the shared queue
holds requests or another worker is busy (it received a response in the last `BUSY_TTL`
seconds), so a worker that started after the others took the first pages waits for the
links they find; the last worker to stop clears the crawl's keys, so that the next crawl
starts afresh.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

# A worker that received no response for this long is not busy any more.
BUSY_TTL = 10.0
# How often a busy worker says so (at most once per this many seconds).
BEAT = 1.0


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
    }


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, counting its stats as Scrapy 2.19 asks."""

    def enqueue_request(self, request: Request) -> bool:
        """Queue a request in Redis unless a worker asked for its URL already."""
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        """The next request of the shared queue, if any."""
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


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
        self.server = redis.Redis.from_url(url)
        self.worker = f"{socket.gethostname()}-{os.getpid()}"
        self.prefix = ""
        self._last_beat = 0.0

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

    def spider_opened(self, spider: Spider) -> None:
        """Join the crawl: count this worker in."""
        self.prefix = spider.name
        workers = self.server.incr(self._key("workers"))
        self._beat(force=True)
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
        self._beat()

    def others_busy(self) -> bool:
        """Whether another worker received a response lately."""
        mine = self._key(f"busy:{self.worker}").encode()
        return any(k != mine for k in self.server.scan_iter(self._key("busy:*")))

    def spider_idle(self, spider: Spider) -> None:
        """Stay while the shared queue holds requests or another worker is busy."""
        queued = self.server.zcard(self._key("requests")) if self._queue_is_zset() else 0
        if queued or self.others_busy():
            raise DontCloseSpider

    def _queue_is_zset(self) -> bool:
        return self.server.type(self._key("requests")) == b"zset"

    def spider_closed(self, spider: Spider) -> None:
        """Leave the crawl; the last worker out clears its queue and seen URLs."""
        self.server.delete(self._key(f"busy:{self.worker}"))
        if self.server.decr(self._key("workers")) <= 0:
            self.server.delete(self._key("workers"), self._key("requests"), self._key("dupefilter"))
            logger.info("Last worker of the shared crawl: its Redis keys are cleared")
