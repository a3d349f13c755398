"""Spiders: what to fetch from a news site, and which fetched pages are articles."""
