"""Scrapy extensions: services that live as long as the crawl and serve its components."""
