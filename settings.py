"""Scrapy settings: polite defaults for real news sites, and the archive's own settings."""

from __future__ import annotations

import os

# Scrapy's cookie middleware builds a tldextract parser at import time, which downloads
# the Public Suffix List from GitHub (and logs tracebacks when offline). A crawl should
# talk to the site it archives only, so use the list bundled with tldextract.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

BOT_NAME = "news-archiver"
VERSION = "0.1.0"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "spiders.commands"

# --- The archive -----------------------------------------------------------------------
ARCHIVE_DIR = "data"
# WARC files rotate once they pass this many bytes (Heritrix's default is also 1 GB).
WARC_MAX_SIZE = 1024**3
WARC_PREFIX = "NEWS"
# Pages are extracted in this many worker processes (None: one per CPU core; 0: in the
# crawl's own process, which then spends most of its time in lxml instead of crawling).
EXTRACT_PROCESSES = None
# Learn each site's article body container from its pages when its profile names none
# (parsing/body_container.py), read its later pages within it, and re-clean the articles
# read before at the end of the crawl. False: neither learn nor use what was learned.
LEARN_BODY_CONTAINER = True

# --- Beyond one machine ---------------------------------------------------------------------
# "redis://HOST:PORT/DB": this crawl is one worker of a crawl shared through Redis
# (scrapy-redis's scheduler and duplicate filter; pipelines/extensions/shared_crawl.py).
# Start the same command N times, on one machine or several; each worker archives into
# ARCHIVE_DIR/shards/HOST-PID, and `python -m archive merge` makes one archive of them.
REDIS_URL = None
# In a shared crawl, each request waits for its site's turn, handed out crawl-wide at least
# the site's delay apart (pipelines/middlewares/shared_politeness.py). False: per worker.
SHARED_POLITENESS = True

# --- Page requisites ---------------------------------------------------------------------
# Fetch what each archived article page needs to render (stylesheets, scripts, images,
# fonts; spiders/requisites.py), once per URL per crawl, so that its capture replays as
# the page looked. False: pages only.
FETCH_REQUISITES = True
# Hosts besides the crawled sites' own that may serve requisites (shell patterns, e.g.
# ["*.wp.com", "fonts.gstatic.com"]; "*": any host on the internet). Loopback, private
# and link-local addresses are refused whatever this says, unless a site lives there.
REQUISITE_HOSTS = ["*"]

# --- Traps ------------------------------------------------------------------------------
# A family of pages (URLs alike but for numbers, dates, words or query values) is cut off
# after this many pages in a row that brought no new article; each page that did buys it
# as many more (spiders/families.py).
TRAP_PATIENCE = 5
# A progress line every this many seconds (0: only the summary at the end).
PROGRESS_INTERVAL = 30.0

# --- Politeness --------------------------------------------------------------------------
# Who runs this crawler: goes into the User-Agent and every WARC's warcinfo record, so a
# site owner can reach you. Set it to your own page or mailto: address.
CRAWL_CONTACT_URL = "https://github.com/news-archiver/news-archiver"
# "{contact}" is replaced by CRAWL_CONTACT_URL (see spiders.news.NewsSpider.update_settings).
USER_AGENT = f"{BOT_NAME}/{VERSION} (+{{contact}})"
ROBOTSTXT_OBEY = True
# Crawl-delay from robots.txt is honoured up to this many seconds.
ROBOTSTXT_CRAWL_DELAY_MAX = 60.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 60
# News pages are small; anything this large is not an article page.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Items and requests of one page processed at once. Scrapy starts this many asyncio tasks
# for every page (default 100); a page here yields one item and a few new links, so 8 is
# plenty, and the crawl spends its time crawling instead of creating tasks.
CONCURRENT_ITEMS = 8
RETRY_TIMES = 2
# A 429 or 503 with Retry-After is retried after that many seconds, at most this many.
RETRY_AFTER_MAX = 120.0
COOKIES_ENABLED = True
# Every response reaches the spider so error pages can be logged; only 2xx are parsed.
HTTPERROR_ALLOW_ALL = False

# --- Components --------------------------------------------------------------------------
EXTENSIONS = {
    # CrawlReport's progress lines say more than LogStats' "Crawled N pages".
    "scrapy.extensions.logstats.LogStats": None,
    "pipelines.extensions.archive_session.ArchiveSession": 100,
    "pipelines.extensions.extraction_workers.ExtractionWorkers": 105,
    "pipelines.extensions.robots_crawl_delay.RobotsCrawlDelay": 110,
    "pipelines.extensions.crawl_report.CrawlReport": 120,
    # Only with REDIS_URL: one worker of a shared crawl (waits for the others).
    "pipelines.extensions.shared_crawl.SharedCrawl": 130,
}
SPIDER_MIDDLEWARES = {
    # Only with REDIS_URL: a page read is no longer this worker's (shared_crawl.py).
    "pipelines.extensions.shared_crawl.TakenDone": 990,
}

DOWNLOADER_MIDDLEWARES = {
    # First of all: requests for another host, port or scheme go no further (robots.txt
    # of other servers included).
    "pipelines.middlewares.site_only.SiteOnlyMiddleware": 50,
    # Each site its own download slot (politeness per site, even on one host).
    "pipelines.middlewares.site_slots.SiteSlotMiddleware": 60,
    # Requests that a parameter learned since they were queued makes duplicates.
    "pipelines.middlewares.learned_duplicates.LearnedDuplicatesMiddleware": 70,
    # Scrapy's robots.txt middleware, but in a shared crawl (REDIS_URL) one worker fetches
    # each site's robots.txt for all (pipelines/middlewares/shared_robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "pipelines.middlewares.shared_robots.SharedRobotsTxt": 100,
    # Just before RetryMiddleware (550) in the response chain.
    "pipelines.middlewares.retry_after.RetryAfterMiddleware": 555,
    # Just before RedirectMiddleware (600): logs redirect loops and over-long chains.
    "pipelines.middlewares.redirect_loops.RedirectLoopLog": 610,
    # Only with REDIS_URL: a site's delay holds across all the workers of a shared crawl.
    # Late in the chain, after robots.txt (100) may have held the request: its turn is
    # taken just before it goes to the download slot.
    "pipelines.middlewares.shared_politeness.SharedPoliteness": 880,
    # Closest to the network: sees the request as sent and the response as received,
    # before decompression and redirect handling change them.
    "pipelines.middlewares.warc_capture.WarcCaptureMiddleware": 950,
    # Sees download errors first, to count pages cancelled for DOWNLOAD_MAXSIZE.
    "pipelines.middlewares.too_large.TooLargeCounter": 960,
}
ITEM_PIPELINES = {
    "pipelines.save_articles.SaveArticlesPipeline": 800,
}

# --- Scrapy housekeeping -----------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
