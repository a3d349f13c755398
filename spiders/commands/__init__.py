"""Project commands for `scrapy` (COMMANDS_MODULE): `crawl` with up-front argument checks."""
