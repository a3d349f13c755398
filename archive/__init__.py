"""The news archive: SQLite schema and store, WARC writer, queries, export and command line.

Nothing in this package imports Scrapy, so archivists' tools, benchmarks and a future
`merge` command can use it without a crawler.
"""
