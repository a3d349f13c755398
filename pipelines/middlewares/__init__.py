"""Downloader middlewares: each sees every request and response of the crawl."""
