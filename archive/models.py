"""Plain records that cross the boundary between the crawler and the archive."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def word_count(text: str) -> int:
    """Number of whitespace-separated words in a text."""
    return len(text.split())


def text_sha256(text: str) -> str:
    """SHA-256 of a clean text: two captures with the same text are one version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Article:
    """An article page reduced to its clean text and metadata (fields as exported)."""

    url: str
    title: str | None = None
    author: str | None = None
    # each name as the page gives it: `author` joins them with ", ", which a name with a
    # comma in it ("Smith, Jr.") makes ambiguous
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    image: str | None = None
    text: str = ""
    # what made the text: the extractor's version and a digest of the site's rules
    extractor: str | None = None

    @property
    def word_count(self) -> int:
        """Number of whitespace-separated words in the clean text."""
        return word_count(self.text)

    @property
    def content_sha256(self) -> str:
        """SHA-256 of the clean text: two captures with the same text are one version."""
        return text_sha256(self.text)


@dataclass
class WarcLocation:
    """Where one WARC record lives: file name (in ARCHIVE_DIR/warc/), offset, length, id."""

    filename: str
    offset: int
    length: int
    record_id: str


@dataclass
class Fetch:
    """One HTTP exchange as written to WARC, the row of the `fetches` table."""

    url: str
    method: str
    status: int
    fetched_at: str
    response: WarcLocation
    request_record_id: str
    payload_digest: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    ip_address: str | None = None
    warc_type: str = "response"
    refers_to_fetch_id: int | None = None
    # a revisit of a capture held in the crawl's history archive, not in this one (a
    # shared crawl's shard): that capture's WARC-Record-ID, which `merge` resolves
    refers_to_record_id: str | None = None
    requisite: bool = False  # a page's stylesheet, script, image or font, not a page
