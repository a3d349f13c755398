"""What happens to fetched pages, and the Scrapy components around the crawl.

- `items.py`: what spiders hand on; `save_articles.py`: the item pipeline that stores it;
- `middlewares/`: downloader middlewares (WARC capture, politeness, faults);
- `extensions/`: crawl-wide services (the archive session, the page-reading workers,
  robots.txt Crawl-delay).
"""
