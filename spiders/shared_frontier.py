"""What each worker of a shared crawl must hear of the others: what their sitemaps showed
unchanged, what they asked for, their trap verdicts and lessons, the lists they read.

A re-run skips the archived articles its sitemaps show unchanged and, at its end, revisits
the archived articles no sitemap listed (`spiders/incremental.py`). In a crawl shared
through Redis each worker reads only some of a site's sitemaps, so what "no sitemap
listed" means must be the crawl's, not the worker's: an article a sitemap shows unchanged
is counted as asked for in the shared duplicate filter (the scrapy-redis one the
scheduler uses), so that no worker revisits it, and a worker revisits only once the whole
crawl is quiet (nothing queued, no other worker busy), when every sitemap has been read.

Trap verdicts are the crawl's too (`spiders/families.py`). A worker sends the links it
finds through its own trap families, and any worker may read the page: each verdict is
told to every worker (`tell`, a list in Redis that each worker reads on from where it
stopped, `hear`), so that each judges a family, credits the families that led to an
article and cuts a trap on the whole crawl's pages, as one process would, and the worker
that sent the page frees its place among the pages pending there. A page is fruitful
when it links to a page no worker has asked for (`asked_any`, the shared duplicate
filter), not merely one this worker has not. What each worker sends into a family is
told as well (`Sent`), so that the pages in flight anywhere count against the family's
patience everywhere: a family not yet proven is probed one page at a time by the whole
crawl, not by each worker. So is a query parameter a worker learned to change nothing
(`ParamLearned`): the others drop it from their links at once instead of paying again
for the pages that teach it. What a verdict means depends on the families where the
site's articles live, and those are told too (`ArticleFamily`): a worker that has read
none of a site's articles yet judges its pages as soon as another worker has, not when
it idles.

So is the wait for a site's lists: trap families wait until the site's sitemaps and feeds
are read, and any worker may read them. The lists still open are counted in Redis
(`lists_open`: one more for each asked for, one less for each read, failed or dropped as a
duplicate, and one until the sitemaps are asked for), only the first worker to need a
site's sitemaps asks for them (`first_to_ask`), and the worker that reads the last one
tells every worker that the site's lists are read (`ListsRead`).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.misc import load_object

from pipelines.extensions.shared_crawl import REDIS_ERRORS, SharedCrawl


@dataclass(frozen=True)
class Verdict:
    """A page's verdict for its trap family, as a worker tells it to the others."""

    site: str  # the site's address
    family: str
    fruitful: bool
    trusted: bool
    hopeless: bool
    lineage: tuple[str, ...]
    sender: str  # the worker whose trap families sent the page
    url: str = ""  # the page as it was sent (before any redirect)


@dataclass(frozen=True)
class Sent:
    """A page a worker's trap families sent into a family, as it tells the others."""

    site: str  # the site's address
    family: str
    url: str


@dataclass(frozen=True)
class ParamLearned:
    """A query parameter a worker learned changes nothing on a site."""

    site: str  # the site's address
    name: str


@dataclass(frozen=True)
class ListsRead:
    """A site's sitemaps and feeds are all read, as a worker tells the others."""

    site: str  # the site's address


@dataclass(frozen=True)
class ArticleFamily:
    """A family a worker read an article of (where a new link is a new article)."""

    site: str  # the site's address
    family: str


class SharedFrontier:
    """The shared crawl's duplicate filter and queue, as one worker's spider sees them."""

    def __init__(self, dupefilter: Any, crawl: SharedCrawl):
        self.dupefilter = dupefilter
        self.crawl = crawl
        self.worker = crawl.worker
        self._heard = 0  # verdicts read from the crawl's list so far (all workers')

    @classmethod
    def of(cls, spider: Spider) -> SharedFrontier | None:
        """The spider's shared frontier; None when the crawl is not shared (no REDIS_URL)."""
        crawler = spider.crawler
        crawl = crawler.get_extension(SharedCrawl) if crawler.settings.get("REDIS_URL") else None
        if crawl is None:
            return None
        # the scheduler's own duplicate filter, opened as the scheduler opens it
        dupefilter = load_object(crawler.settings["DUPEFILTER_CLASS"]).from_spider(spider)
        return cls(dupefilter, crawl)

    def skip(self, url: str) -> None:
        """Count a URL as asked for by the crawl (a sitemap shows its page unchanged)."""
        # a lost Redis: the scheduler says so and stops the worker
        with contextlib.suppress(*REDIS_ERRORS):
            self.dupefilter.request_seen(Request(url))

    def asked(self, url: str) -> bool:
        """Whether a worker asked for the URL already (or skipped it as unchanged)."""
        fingerprint = self.dupefilter.request_fingerprint(Request(url))
        try:
            return bool(self.dupefilter.server.sismember(self.dupefilter.key, fingerprint))
        except REDIS_ERRORS:
            return False

    def asked_any(self, urls: list[str]) -> set[str]:
        """Those of the URLs a worker asked for already (or skipped as unchanged): one
        round trip for all."""
        if not urls:
            return set()
        fingerprints = [self.dupefilter.request_fingerprint(Request(url)) for url in urls]
        try:
            found = self.dupefilter.server.smismember(self.dupefilter.key, fingerprints)
        except REDIS_ERRORS:
            return set()
        return {url for url, asked in zip(urls, found, strict=True) if asked}

    def quiet(self) -> bool:
        """Whether the crawl has nothing queued and no other worker is busy."""
        try:
            return self.crawl.quiet()
        except REDIS_ERRORS:
            return True  # the worker is stopping: nothing to wait for

    def tell(self, word: Verdict | Sent | ParamLearned | ListsRead | ArticleFamily) -> None:
        """Tell every worker a verdict this worker gave, a page it sent into a family, a
        parameter it learned, that a site's lists are read, or a family where the site's
        articles live."""
        if isinstance(word, Verdict):
            record = [
                "verdict",
                self.worker,
                word.sender,
                word.site,
                word.family,
                word.fruitful,
                word.trusted,
                word.hopeless,
                list(word.lineage),
                word.url,
            ]
        elif isinstance(word, Sent):
            record = ["sent", self.worker, word.site, word.family, word.url]
        elif isinstance(word, ParamLearned):
            record = ["param", self.worker, word.site, word.name]
        elif isinstance(word, ArticleFamily):
            record = ["article family", self.worker, word.site, word.family]
        else:
            record = ["lists read", self.worker, word.site]
        with contextlib.suppress(*REDIS_ERRORS):
            self.crawl.server.rpush(self.crawl.key("verdicts"), json.dumps(record))

    def hear(self) -> list[Verdict | Sent | ParamLearned | ListsRead | ArticleFamily]:
        """What the other workers told since this worker last asked."""
        try:
            records = self.crawl.server.lrange(self.crawl.key("verdicts"), self._heard, -1)
        except REDIS_ERRORS:
            return []
        self._heard += len(records)
        heard: list[Verdict | Sent | ParamLearned | ListsRead | ArticleFamily] = []
        for data in records:
            kind, teller, *rest = json.loads(data)
            if teller == self.worker:
                continue
            if kind == "verdict":
                sender, site, family, fruitful, trusted, hopeless, lineage, url = rest
                verdict = Verdict(
                    site, family, fruitful, trusted, hopeless, tuple(lineage), sender, url
                )
                heard.append(verdict)
            elif kind == "sent":
                heard.append(Sent(*rest))
            elif kind == "param":
                heard.append(ParamLearned(*rest))
            elif kind == "article family":
                heard.append(ArticleFamily(*rest))
            else:
                heard.append(ListsRead(rest[0]))
        return heard

    def open_lists(self, site: str) -> None:
        """Count the site's one list open until its sitemaps are asked for (once a crawl)."""
        with contextlib.suppress(*REDIS_ERRORS):
            self.crawl.server.set(self.crawl.key(f"listings:{site}"), 1, nx=True)

    def lists_open(self, site: str, change: int) -> int:
        """Count a list of the site asked for (+1) or read (-1); how many are still open."""
        try:
            return int(self.crawl.server.incrby(self.crawl.key(f"listings:{site}"), change))
        except REDIS_ERRORS:
            return 0  # the worker is stopping: nothing to wait for

    def first_to_ask(self, site: str) -> bool:
        """Whether this worker is the first of the crawl to ask for the site's sitemaps."""
        try:
            return bool(self.crawl.server.set(self.crawl.key(f"sitemaps:{site}"), 1, nx=True))
        except REDIS_ERRORS:
            return False
