"""Honouring robots.txt Crawl-delay, which Scrapy parses but does not apply."""

from __future__ import annotations

import logging

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


class RobotsCrawlDelay:
    """Keeps each download slot's delay at or above its site's robots.txt Crawl-delay."""

    def __init__(self, crawler: Crawler, user_agent: str, max_delay: float):
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsCrawlDelay:
        """Active whenever robots.txt is obeyed."""
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        extension = cls(crawler, user_agent, settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX", 60.0))
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        return extension

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """Remember the Crawl-delay for the slot of the request that asked for robots.txt."""
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay or delay <= 0:
            return
        if delay > self.max_delay:
            logger.warning(
                "robots.txt asks for Crawl-delay %.1fs; using ROBOTSTXT_CRAWL_DELAY_MAX %.1fs",
                delay,
                self.max_delay,
            )
            delay = self.max_delay
        key = self.crawler.engine.downloader.get_slot_key(request)
        if not self.delays:
            # Connected only now so that it runs after AutoThrottle's own adjustment.
            self.crawler.signals.connect(
                self.response_downloaded, signal=signals.response_downloaded
            )
        self.delays[key] = delay
        logger.info("Honouring robots.txt Crawl-delay of %.1fs for %s", delay, key)
        self._apply(key)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Undo any AutoThrottle reduction below the Crawl-delay."""
        key = request.meta.get("download_slot")
        if key in self.delays:
            self._apply(key)

    def _apply(self, key: str) -> None:
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is None:
            return
        # Random jitter would let some gaps fall below the delay the site asked for.
        slot.jitter = 0.0
        slot.delay = max(slot.delay, self.delays[key])
