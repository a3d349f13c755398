"""Politeness across the workers of a shared crawl: a site's delay and concurrency hold
for all of them.

Each worker keeps Scrapy's per-site download slot (its delay and concurrency) for its own
requests, so N workers would still ask a site N times as often, N times as many at once.
With REDIS_URL, a request asks Redis for the site's go just before it goes to the download
slot (last in the middleware chain but the WARC capture): one Lua script, which Redis runs
atomically with its own clock, says go when the site's last go is at least its delay old
and fewer than its concurrency of the crawl's requests are in its hands (a lease each, in
a sorted set per site), records the go and the request's lease, or says how long to wait
before asking again. Two gos for one site are thus never closer than its delay (on
Redis's clock), and never more requests at once than its concurrency, whichever workers
ask. A request reaches the site when its worker's event loop sends it, a few milliseconds
after its go, more when the loop is busy: as with Scrapy's own delay in one process, one
gap the site sees may shrink by that much, but lateness never adds up to a faster rate.

The lease is given back when the request leaves the downloader
(`request_left_downloader`, whatever its fate) or fails on its way there; a worker that
dies holding leases loses them when they expire (DOWNLOAD_TIMEOUT after they were taken,
the longest a download may hold one). The site's delay and concurrency are its download
slot's: its profile's `download_delay` and `concurrency`, robots.txt's Crawl-delay
(`RobotsCrawlDelay`), DOWNLOAD_DELAY and CONCURRENT_REQUESTS_PER_DOMAIN.

Why a shared go and not owners: Heritrix gives each host to one crawler; here every worker
fetches from every site, so no site waits behind one busy worker, a worker that dies
holds nothing for long (a go is a time, a lease expires), and the clocks of the workers'
machines never matter (only Redis's). A go is asked for when the request is ready, not
booked ahead: a turn booked ahead and taken late (a busy worker) would leave the next one
too close.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from pipelines.extensions.shared_crawl import REDIS_ERRORS
from pipelines.middlewares.site_slots import SLOT_META_KEY

logger = logging.getLogger(__name__)

# KEYS[1]: when the site may next be asked; KEYS[2]: the leases of its requests in hand
# (member: lease, score: when it expires). ARGV: the site's delay (s), the go key's life
# (ms), its concurrency, this request's lease, the lease's life (s). Returns 0 (go: the
# next go is a delay away, the lease is taken), how long to wait (s), or -1 when the
# site's requests in hand are as many as its concurrency.
_GO = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return '-1'
end
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < free then
  return tostring(free - now)
end
local delay = tonumber(ARGV[1])
if delay > 0 then
  redis.call('SET', KEYS[1], tostring(now + delay), 'PX', tonumber(ARGV[2]))
end
local life = tonumber(ARGV[5])
redis.call('ZADD', KEYS[2], now + life, ARGV[4])
redis.call('PEXPIRE', KEYS[2], math.ceil(life * 1000))
return '0'
"""
# How often a request asks again while its site has as many requests in hand as it may.
FULL_POLL = 0.05
LEASE_META_KEY = "shared_lease"


class SharedPoliteness:
    """Downloader middleware: each request waits for its site's go, crawl-wide."""

    def __init__(self, crawler: Crawler, url: str):
        import redis

        from pipelines.extensions.shared_crawl import worker_name

        self.crawler = crawler
        self.server = redis.Redis.from_url(url, socket_timeout=10)
        self.go = self.server.register_script(_GO)
        settings = crawler.settings
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.default_concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.leases = (f"{worker_name()}:{n}" for n in itertools.count())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        """Only in a shared crawl (REDIS_URL), unless SHARED_POLITENESS is off."""
        url = crawler.settings.get("REDIS_URL")
        if not url or not crawler.settings.getbool("SHARED_POLITENESS", True):
            raise NotConfigured
        middleware = cls(crawler, url)
        crawler.signals.connect(
            middleware.request_left_downloader, signal=signals.request_left_downloader
        )
        return middleware

    def limits_of(self, request: Request) -> tuple[float, int]:
        """The delay and concurrency of the request's site: its download slot's, or what
        its slot will have (its profile's, else the defaults) before it has one."""
        key = request.meta.get(SLOT_META_KEY, "")
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(key)
        if slot is not None:
            return slot.delay, slot.concurrency
        planned = engine.downloader.per_slot_settings.get(key, {})
        return (
            planned.get("delay", self.default_delay),
            planned.get("concurrency", self.default_concurrency),
        )

    def _keys(self, request: Request) -> list[str]:
        # the crawl's keys are named after its spider (SharedCrawl.prefix)
        prefix = self.crawler.spidercls.name
        site = request.meta.get(SLOT_META_KEY)
        return [f"{prefix}:go:{site}", f"{prefix}:leases:{site}"]

    async def process_request(self, request: Request) -> None:
        """Wait for the site's go and a lease among its concurrency."""
        delay, concurrency = self.limits_of(request)
        lease = next(self.leases)
        life = self.timeout + delay + 30.0
        keys = self._keys(request)
        try:
            while (
                wait := float(
                    self.go(
                        keys=keys,
                        args=[delay, int(delay * 1000) + 60_000, concurrency, lease, life],
                    )
                )
            ) != 0:
                await asyncio.sleep(wait if wait > 0 else FULL_POLL)
        except REDIS_ERRORS:
            # Redis is gone: the scheduler stops this worker; its own slot's limits hold
            return
        request.meta[LEASE_META_KEY] = lease

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A request that failed before or in the download gives its lease back."""
        self._give_back(request)

    def request_left_downloader(self, request: Request, spider: object = None) -> None:
        """A request out of the downloader, whatever its fate, gives its lease back."""
        self._give_back(request)

    def _give_back(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META_KEY, None)
        if lease is None:
            return
        with contextlib.suppress(REDIS_ERRORS):
            self.server.zrem(self._keys(request)[1], lease)
