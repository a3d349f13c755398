"""RSS and Atom feeds: the links of their items."""

from __future__ import annotations

from urllib.parse import urljoin

from parsing.document import parse_xml


def parse_feed(body: bytes, url: str) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed."""
    root = parse_xml(body, url)
    if root is None:
        return []
    links = [
        text.strip()
        for text in root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")
    ]
    links += root.xpath(
        "//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']/@href"
    )
    return [urljoin(url, link) for link in dict.fromkeys(links) if link]
