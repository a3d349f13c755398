"""What a re-run may skip: sitemap dates against the archive's record, section fronts."""

from __future__ import annotations

import pytest

from archive.known import KnownArticle
from spiders.incremental import CrawlHistory, is_section_front, parse_when
from spiders.profile import WORDPRESS

URL = "https://example.com/story/"


def history(**known) -> CrawlHistory:
    values = dict(
        url=URL,
        published="2023-05-29T10:00:00-04:00",
        modified="2023-05-30T10:00:00+00:00",
        sitemap_lastmod=None,
        gone=False,
    )
    values.update(known)
    return CrawlHistory(articles={URL: KnownArticle(**values)}, pages={"https://example.com/"})


@pytest.mark.parametrize(
    ("lastmod", "unchanged"),
    [
        ("2023-05-30T10:00:00+00:00", True),  # the date the page gave at capture
        ("2023-05-30T06:00:00-04:00", True),  # the same instant in another zone
        ("2023-05-30T09:59:59Z", True),
        ("2023-05-30T10:00:01+00:00", False),
        ("2023-06-01", False),
        ("not a date", False),
    ],
)
def test_lastmod_against_the_captured_modified_date(lastmod: str, unchanged: bool) -> None:
    assert history().unchanged(URL, lastmod, None) is unchanged


def test_the_sitemap_lastmod_recorded_at_capture_wins_over_the_page_date() -> None:
    known = history(sitemap_lastmod="2023-06-02T00:00:00+00:00")
    assert known.unchanged(URL, "2023-06-02T00:00:00+00:00", None)
    assert not known.unchanged(URL, "2023-06-03T00:00:00+00:00", None)


def test_news_publication_date_when_there_is_no_lastmod() -> None:
    assert history().unchanged(URL, None, "2023-05-29T14:00:00+00:00")
    assert not history().unchanged(URL, None, "2023-05-31T00:00:00+00:00")


def test_no_dates_means_fetch_again() -> None:
    assert not history().unchanged(URL, None, None)
    assert not history(modified=None).unchanged(URL, "2023-05-01T00:00:00Z", None)


def test_unknown_and_gone_articles_are_never_unchanged() -> None:
    assert not history().unchanged("https://example.com/other/", "2000-01-01", None)
    gone = history(gone=True)
    assert not gone.unchanged(URL, "2000-01-01", None)
    assert not gone.is_known_article(URL)


def test_conditional_headers_come_from_the_last_capture() -> None:
    known = CrawlHistory(conditions={URL: ('"abc"', "Tue, 30 May 2023 10:00:00 GMT")})
    assert known.conditional_headers(URL) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 30 May 2023 10:00:00 GMT",
    }
    assert known.conditional_headers("https://example.com/new/") == {}


def test_a_history_without_finished_pages_is_not_incremental() -> None:
    assert history().incremental
    assert not CrawlHistory(articles=history().articles).incremental


@pytest.mark.parametrize(
    ("url", "front"),
    [
        ("https://example.com/category/world/", True),
        ("https://example.com/category/world/europe/", True),
        ("https://example.com/category/world/page/2/", False),
        ("https://example.com/tag/peru/", False),
        ("https://example.com/author/desk/", False),
        ("https://example.com/a-story/", False),
    ],
)
def test_wordpress_section_fronts(url: str, front: bool) -> None:
    assert is_section_front(url, WORDPRESS.section_patterns) is front


def test_parse_when_assumes_utc_without_a_zone() -> None:
    assert parse_when("2023-05-30").isoformat() == "2023-05-30T00:00:00+00:00"
    assert parse_when("") is None
