"""Politeness across the workers of a shared crawl: a site's delay holds for all of them.

Each worker keeps Scrapy's per-site download slot (its delay and concurrency) for its own
requests, so N workers would still ask a site N times as often. With REDIS_URL, a
request asks Redis for the site's go just before it goes to the download slot (last in
the middleware chain but the WARC capture): one Lua script, which Redis runs atomically
with its own clock, says go when the site's last go is at least its delay old (and
records this one), or how long to wait before asking again. Two gos for one site are
thus never closer than its delay, whichever workers ask. The site's delay is its download
slot's: its profile's `download_delay`, robots.txt's Crawl-delay (`RobotsCrawlDelay`) or
DOWNLOAD_DELAY.

Why a shared go and not owners: Heritrix gives each host to one crawler; here every worker
fetches from every site, so no site waits behind one busy worker, a worker that dies
holds nothing (a go is a time, not a lock), and the clocks of the workers' machines never
matter (only Redis's). A go is asked for when the request is ready, not booked ahead: a
turn booked ahead and taken late (a busy worker) would leave the next one too close. With
no delay (a replica on loopback) nothing is asked.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from pipelines.extensions.shared_crawl import REDIS_ERRORS
from pipelines.middlewares.site_slots import SLOT_META_KEY

logger = logging.getLogger(__name__)

# KEYS[1]: when the site may next be asked; ARGV[1]: its delay (s), ARGV[2]: the key's
# life (ms). Returns 0 (go, and the next go is a delay away) or how long to wait (s).
_GO = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if now >= free then
  redis.call('SET', KEYS[1], tostring(now + tonumber(ARGV[1])), 'PX', tonumber(ARGV[2]))
  return '0'
end
return tostring(free - now)
"""


class SharedPoliteness:
    """Downloader middleware: each request waits for its site's go, crawl-wide."""

    def __init__(self, crawler: Crawler, url: str):
        import redis

        self.crawler = crawler
        self.server = redis.Redis.from_url(url)
        self.go = self.server.register_script(_GO)
        self.default_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        """Only in a shared crawl (REDIS_URL), unless SHARED_POLITENESS is off."""
        url = crawler.settings.get("REDIS_URL")
        if not url or not crawler.settings.getbool("SHARED_POLITENESS", True):
            raise NotConfigured
        return cls(crawler, url)

    def delay_of(self, request: Request) -> float:
        """The delay of the request's site: its download slot's, once it has one."""
        engine = self.crawler.engine
        slots = engine.downloader.slots if engine is not None else {}
        slot = slots.get(request.meta.get(SLOT_META_KEY, ""))
        return slot.delay if slot is not None else self.default_delay

    async def process_request(self, request: Request) -> None:
        """Wait for the site's go (none when the site has no delay)."""
        delay = self.delay_of(request)
        if delay <= 0:
            return
        spider = self.crawler.spider
        key = f"{spider.name if spider else 'crawl'}:go:{request.meta.get(SLOT_META_KEY)}"
        try:
            while (
                wait := float(self.go(keys=[key], args=[delay, int(delay * 1000) + 60_000]))
            ) > 0:
                await asyncio.sleep(wait)
        except REDIS_ERRORS:
            # Redis is gone: the scheduler stops this worker; its own slot's delay holds
            return
