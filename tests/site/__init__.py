"""A deterministic replica of nationworldnews.com for end-to-end crawl tests and demos."""
