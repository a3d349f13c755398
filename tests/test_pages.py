"""Tests of discovery parsing: article pages, canonical URLs, links, sitemaps and feeds."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import pytest

from parsing.feed import parse_feed
from parsing.page import HtmlPage, parse_html_page
from parsing.sitemap import parse_sitemap

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SITE = "https://nationworldnews.com"
ARTICLES = json.loads((FIXTURES / "articles.json").read_text(encoding="utf-8"))
ARTICLE_FIXTURES = sorted(ARTICLES)
SEED = "seed-article-cloud.html"
SEED_URL = ARTICLES[SEED]["url"]
PAGE_URLS = {
    **{name: ARTICLES[name]["url"] for name in ARTICLES},
    "home.html": f"{SITE}/",
    "category-world.html": f"{SITE}/category/world/",
    "category-world-page-2.html": f"{SITE}/category/world/page/2/",
    "tag-peru.html": f"{SITE}/tag/peru/",
    "about-us.html": f"{SITE}/about-us/",
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@cache
def page(name: str) -> HtmlPage:
    """A saved HTML page parsed as the spider parses it (decoded text and its URL)."""
    return parse_html_page(fixture_bytes(name).decode("utf-8"), PAGE_URLS[name])


# --- HTML pages ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLE_FIXTURES)
def test_article_pages_are_articles(name: str) -> None:
    assert page(name).is_article


@pytest.mark.parametrize(
    "name", ["home.html", "category-world.html", "category-world-page-2.html", "tag-peru.html"]
)
def test_listing_pages_are_not_articles(name: str) -> None:
    assert not page(name).is_article


def test_about_page_with_og_type_article_is_not_article() -> None:
    # WordPress pages carry og:type "article" too; only a published time would make it one.
    assert b'property="og:type" content="article"' in fixture_bytes("about-us.html")
    assert not page("about-us.html").is_article


def test_single_post_body_class_alone_makes_an_article() -> None:
    html = '<html><body class="post-template-default single single-post"><p>x</p></body></html>'
    assert parse_html_page(html, f"{SITE}/x/").is_article


def test_og_article_with_published_time_makes_an_article() -> None:
    html = (
        '<html><head><meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2023-05-29T14:27:36+00:00">'
        "</head><body><p>x</p></body></html>"
    )
    assert parse_html_page(html, f"{SITE}/x/").is_article


@pytest.mark.parametrize("name", sorted(PAGE_URLS))
def test_canonical_url_read(name: str) -> None:
    assert page(name).canonical_url == PAGE_URLS[name]


def test_relative_canonical_resolved_against_page_url() -> None:
    html = '<html><head><link rel="canonical" href="/a/"></head><body></body></html>'
    assert parse_html_page(html, f"{SITE}/a/?utm_source=x").canonical_url == f"{SITE}/a/"


def test_page_without_canonical() -> None:
    assert parse_html_page("<html><body><p>x</p></body></html>", SITE).canonical_url is None


def test_seed_links_include_category_tag_and_related() -> None:
    links = page(SEED).links
    assert f"{SITE}/category/world/" in links
    assert f"{SITE}/tag/peru/" in links
    assert f"{SITE}/solenne-pharmaceuticals-revenue-rises-29-9-beating-forecasts/" in links
    assert f"{SITE}/court-to-rule-on-challenge-to-district-map-in-lisbon/" in links


def test_seed_links_exclude_mailto_and_whatsapp() -> None:
    html = fixture_bytes(SEED).decode("utf-8")
    assert 'href="mailto:' in html
    assert 'href="whatsapp:' in html
    assert all(link.startswith(("http://", "https://")) for link in page(SEED).links)


def test_seed_links_have_no_duplicates() -> None:
    links = page(SEED).links
    assert len(links) == len(set(links))


def test_links_resolved_against_base_href_and_filtered() -> None:
    html = (
        '<html><head><base href="https://cdn.example.com/sub/"></head><body>'
        '<a href="x/">x</a><a href=" /y/ ">y</a><a href="#top">top</a>'
        '<a href="javascript:void(0)">js</a><a href="tel:123">tel</a><a>no href</a>'
        '<map><area href="/area/"></map></body></html>'
    )
    assert parse_html_page(html, f"{SITE}/page/").links == [
        "https://cdn.example.com/sub/x/",
        "https://cdn.example.com/y/",
        "https://cdn.example.com/area/",
    ]


@pytest.mark.parametrize("html", ["", "   ", b""])
def test_empty_html_page(html: str | bytes) -> None:
    assert parse_html_page(html, SITE) == HtmlPage(is_article=False, canonical_url=None)


def test_xhtml_page_with_xml_declaration_as_text() -> None:
    html = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head>'
        '<body><a href="/next/">next</a></body></html>'
    )
    assert parse_html_page(html, f"{SITE}/").links == [f"{SITE}/next/"]


def test_jsonld_null_type_does_not_raise() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@type": null, "name": "x"}</script>'
        '</head><body><a href="/next/">next</a></body></html>'
    )
    assert parse_html_page(html, f"{SITE}/").links == [f"{SITE}/next/"]


# --- sitemaps ------------------------------------------------------------------------


def test_sitemap_index_detected() -> None:
    sitemap = parse_sitemap(fixture_bytes("sitemap_index.xml"))
    assert sitemap is not None
    assert sitemap.is_index
    assert [entry.loc for entry in sitemap.entries] == [
        f"{SITE}/post-sitemap.xml",
        f"{SITE}/post-sitemap2.xml",
        f"{SITE}/page-sitemap.xml",
        f"{SITE}/category-sitemap.xml",
    ]


def test_sitemap_index_lastmod() -> None:
    sitemap = parse_sitemap(fixture_bytes("sitemap_index.xml"))
    assert sitemap is not None
    assert sitemap.entries[0].lastmod == "2023-04-25T17:12:59+00:00"


def test_urlset_is_not_index() -> None:
    sitemap = parse_sitemap(fixture_bytes("post-sitemap.xml"))
    assert sitemap is not None
    assert not sitemap.is_index
    assert len(sitemap.entries) == 50


def test_urlset_loc_is_page_not_image() -> None:
    sitemap = parse_sitemap(fixture_bytes("post-sitemap.xml"))
    assert sitemap is not None
    first = sitemap.entries[0]
    assert first.loc == f"{SITE}/vote-on-election-reform-bill-delayed-as-amendments-pile-up/"
    assert not any("/wp-content/" in entry.loc for entry in sitemap.entries)


def test_urlset_lastmod() -> None:
    sitemap = parse_sitemap(fixture_bytes("post-sitemap.xml"))
    assert sitemap is not None
    assert sitemap.entries[0].lastmod == "2023-03-02T17:05:09+00:00"
    assert sitemap.entries[0].news_published is None


def test_news_sitemap_loc() -> None:
    sitemap = parse_sitemap(fixture_bytes("news-sitemap.xml"))
    assert sitemap is not None
    assert len(sitemap.entries) == 3
    assert sitemap.entries[0].loc == (
        f"{SITE}/court-to-rule-on-challenge-to-district-map-in-lisbon/"
    )


def test_news_sitemap_publication_date() -> None:
    sitemap = parse_sitemap(fixture_bytes("news-sitemap.xml"))
    assert sitemap is not None
    assert [entry.news_published for entry in sitemap.entries] == [
        "2023-05-30T15:05:21+00:00",
        "2023-05-30T01:19:01+00:00",
        "2023-05-29T20:47:19+00:00",
    ]
    assert sitemap.entries[0].lastmod is None


def test_sitemap_with_leading_whitespace_and_stripped_loc() -> None:
    body = (
        b'\n\n<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>\n  https://nationworldnews.com/a/  \n</loc></url></urlset>"
    )
    sitemap = parse_sitemap(body)
    assert sitemap is not None
    assert [entry.loc for entry in sitemap.entries] == [f"{SITE}/a/"]


@pytest.mark.parametrize(
    "name", ["feed.xml", "robots.txt", "home.html"], ids=["rss", "robots", "html"]
)
def test_non_sitemap_documents(name: str) -> None:
    assert parse_sitemap(fixture_bytes(name)) is None


@pytest.mark.parametrize(
    "body",
    [b"", b"garbage", bytes(range(256)), b"<unclosed"],
    ids=["empty", "text", "binary", "unclosed"],
)
def test_garbage_is_not_a_sitemap(body: bytes) -> None:
    assert parse_sitemap(body) is None


def test_gzipped_sitemap_is_left_to_the_spider() -> None:
    assert parse_sitemap(gzip.compress(fixture_bytes("post-sitemap.xml"))) is None


def test_url_without_loc_does_not_take_image_loc() -> None:
    body = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><url><image:image>'
        b"<image:loc>https://nationworldnews.com/wp-content/uploads/a.jpg</image:loc>"
        b"</image:image></url></urlset>"
    )
    sitemap = parse_sitemap(body)
    assert sitemap is not None
    assert sitemap.entries == []


# --- feeds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def feed_links() -> list[str]:
    return parse_feed(fixture_bytes("feed.xml"), f"{SITE}/feed/")


def test_feed_has_ten_item_links(feed_links: list[str]) -> None:
    assert len(feed_links) == 10


def test_feed_links_are_permalinks(feed_links: list[str]) -> None:
    assert feed_links[0] == f"{SITE}/court-to-rule-on-challenge-to-district-map-in-lisbon/"
    assert SEED_URL in feed_links


def test_feed_links_exclude_guids_comments_and_channel(feed_links: list[str]) -> None:
    assert not any("?p=" in link or "#respond" in link for link in feed_links)
    assert f"{SITE}/feed/" not in feed_links
    assert SITE not in feed_links


def test_atom_feed_links() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Nation World News</title>
  <link rel="alternate" href="https://nationworldnews.com/"/>
  <link rel="self" href="https://nationworldnews.com/feed/atom/"/>
  <entry>
    <title>One</title>
    <link rel="alternate" type="text/html" href="https://nationworldnews.com/one/"/>
    <link rel="replies" href="https://nationworldnews.com/one/#comments"/>
    <id>https://nationworldnews.com/?p=1</id>
  </entry>
  <entry>
    <title>Two</title>
    <link href="/two/"/>
    <link rel="enclosure" href="https://nationworldnews.com/two.mp3"/>
    <id>tag:nationworldnews.com,2023:2</id>
  </entry>
</feed>"""
    assert parse_feed(atom, f"{SITE}/feed/atom/") == [f"{SITE}/one/", f"{SITE}/two/"]


def test_rss1_feed_links() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://nationworldnews.com/"><link>https://nationworldnews.com/</link></channel>
  <item rdf:about="https://nationworldnews.com/r1/"><title>R1</title>
    <link>https://nationworldnews.com/r1/</link></item>
</rdf:RDF>"""
    assert parse_feed(rdf, f"{SITE}/feed/rdf/") == [f"{SITE}/r1/"]


@pytest.mark.parametrize("body", [b"", b"garbage", bytes(range(256))])
def test_garbage_feed_has_no_links(body: bytes) -> None:
    assert parse_feed(body, f"{SITE}/feed/") == []
