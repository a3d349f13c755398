"""One download slot per crawled site (host and port), robots.txt included.

Scrapy keys its download slots by host name, so two sites on one host (other ports)
would share one delay and one concurrency. Here every request, robots.txt's too, goes to
the slot of its site's address; a site profile's politeness (`download_delay`,
`concurrency`) and robots.txt's Crawl-delay then apply to that site alone.
"""

from __future__ import annotations

from scrapy import Request

from archive.sites import site_address

SLOT_META_KEY = "download_slot"


class SiteSlotMiddleware:
    """Downloader middleware putting each request in its site's download slot."""

    def process_request(self, request: Request) -> None:
        """Name the request's slot after its site, unless something named one already."""
        if SLOT_META_KEY not in request.meta:
            request.meta[SLOT_META_KEY] = site_address(request.url) or request.url
