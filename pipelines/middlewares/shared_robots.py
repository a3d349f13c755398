"""robots.txt fetched once per site for the whole of a shared crawl, not once per worker.

Scrapy's RobotsTxtMiddleware fetches a site's robots.txt the first time a request for the
site reaches it, straight through the downloader (not the scheduler, so the shared
duplicate filter never sees it): N workers fetch it N times. With REDIS_URL, the first
worker to need a site's robots.txt takes the site's lock in Redis (SET NX, naming itself)
and fetches it; the others wait for what it found, which it keeps in Redis
(`SPIDER:robots:NETLOC`: the status and body, or that it could not be fetched, for a day
at most, and until the last worker clears the crawl's keys) and parse it as if they had
fetched it themselves (the `robots_parsed` signal included, which gives the spider its
Sitemap lines and RobotsCrawlDelay its Crawl-delay). A waiting worker whose lock holder
stopped saying it is alive (`SPIDER:alive:WORKER`, SharedCrawl) takes the lock over.
Without REDIS_URL, or with Redis gone, this is Scrapy's middleware as it is.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from pipelines.extensions.shared_crawl import REDIS_ERRORS, worker_name

logger = logging.getLogger(__name__)

# A robots.txt found is kept this long at most (RFC 9309: a cached copy may be used for
# up to 24 hours).
KEEP_SECONDS = 24 * 3600
# How often a worker waiting for another's robots.txt looks again.
POLL = 0.05
# A lock outlives its holder this long at most (its holder's silence frees it sooner).
LOCK_SECONDS = 600
SHARED_FLAG = "shared-robots"
ERROR = b"error"

# KEYS[1]: a lock; ARGV[1]: the holder it must still have. Frees it only then.
_FREE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def robots_key(spider: str, netloc: str) -> str:
    """Where a shared crawl keeps a site's robots.txt."""
    return f"{spider}:robots:{netloc}"


class SharedRobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fetching each site's robots.txt once per shared crawl."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.server = None
        self.worker = worker_name()
        # sites whose robots.txt this worker is waiting for, from Redis or its own fetch
        self._asking: dict[str, Deferred[None]] = {}
        if url := crawler.settings.get("REDIS_URL"):
            import redis

            self.server = redis.Redis.from_url(url, socket_timeout=10)
            self._free = self.server.register_script(_FREE)

    @property
    def _prefix(self) -> str:
        spider = self.crawler.spider
        return spider.name if spider is not None else "crawl"

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The site's parser: from Redis when another worker fetched it, else fetched here."""
        netloc = urlparse_cached(request).netloc
        if self.server is None or netloc in self._parsers:
            return await super().robot_parser(request)
        if netloc in self._asking:
            await maybe_deferred_to_future(self._asking[netloc])
            return await super().robot_parser(request)
        self._asking[netloc] = asking = Deferred()
        try:
            stored = await self._stored_or_locked(netloc)
            if stored is not None:
                self._parsers[netloc] = Deferred()
                await self._from_store(stored, netloc, request)
        except REDIS_ERRORS:
            pass  # Redis gone: the scheduler stops this worker; fetch it here meanwhile
        finally:
            del self._asking[netloc]
            asking.callback(None)
        return await super().robot_parser(request)

    async def _stored_or_locked(self, netloc: str) -> bytes | None:
        """What another worker found, or None once this worker holds the lock to fetch it."""
        key = robots_key(self._prefix, netloc)
        lock = f"{key}:lock"
        while True:
            stored = self.server.get(key)
            if stored is not None:
                return stored
            if self.server.set(lock, self.worker, nx=True, ex=LOCK_SECONDS):
                return None
            holder = self.server.get(lock)
            if holder is not None and not self.server.exists(
                f"{self._prefix}:alive:{holder.decode()}"
            ):
                logger.info("Worker %s went silent fetching %s: taking over", holder, key)
                self._free(keys=[lock], args=[holder])
                continue
            await asyncio.sleep(POLL)

    async def _from_store(self, stored: bytes, netloc: str, request: Request) -> None:
        """Parse what another worker fetched, as Scrapy parses what it fetches."""
        if stored == ERROR:
            self._robots_error(IgnoreFetch(), netloc)
            return
        status, _, body = stored.partition(b"\n")
        url = f"{urlparse_cached(request).scheme}://{netloc}/robots.txt"
        response = Response(url, status=int(status), body=body, flags=[SHARED_FLAG])
        self._stats.inc_value("robotstxt/shared")
        await self._parse_robots(response, netloc, request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        """Keep what this worker fetched for the others, then parse it."""
        if self.server is not None and SHARED_FLAG not in response.flags:
            self._keep(netloc, f"{response.status}\n".encode() + response.body)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """Tell the others this worker could not fetch it (all then obey nothing, as
        Scrapy does after an error)."""
        if self.server is not None and not isinstance(exc, IgnoreFetch):
            self._keep(netloc, ERROR)
        super()._robots_error(exc, netloc)

    def _keep(self, netloc: str, value: bytes) -> None:
        key = robots_key(self._prefix, netloc)
        try:
            self.server.set(key, value, ex=KEEP_SECONDS)
            self._free(keys=[f"{key}:lock"], args=[self.worker])
        except REDIS_ERRORS:
            pass  # the others fetch it themselves


class IgnoreFetch(IgnoreRequest):
    """Another worker could not fetch a site's robots.txt (stands in for its error)."""
