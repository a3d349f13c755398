"""Tests of article metadata: JSON-LD first, then meta tags, then trafilatura."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml.html import HtmlElement

from parsing.document import parse_html
from parsing.metadata import article_node, iso_date, jsonld_nodes, read_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "site"
ARTICLES = json.loads((FIXTURES / "articles.json").read_text(encoding="utf-8"))
URL = "https://nationworldnews.com/a-story/"


def tree_of(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


@cache
def fixture_tree(name: str) -> HtmlElement:
    return tree_of((FIXTURES / name).read_text(encoding="utf-8"))


@cache
def fixture_metadata(name: str) -> dict[str, Any]:
    return read_metadata(fixture_tree(name), ARTICLES[name]["url"])


def page(head: str, body: str = "<p>Hello.</p>", lang: str = "en") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<html{lang_attr}><head>{head}</head><body>{body}</body></html>"


def jsonld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


JSONLD_ARTICLE = jsonld(
    {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "JSON-LD headline",
        "author": {"@type": "Person", "name": "Ada Jsonld"},
        "datePublished": "2023-01-02T03:04:05+00:00",
        "dateModified": "2023-01-03T00:00:00+00:00",
        "inLanguage": "fr-FR",
        "articleSection": ["Ld Section", "Other"],
        "keywords": "alpha, beta, alpha",
    }
)
META_TAGS = "".join(
    f'<meta {attr}="{key}" content="{value}">'
    for attr, key, value in [
        ("property", "og:title", "Meta title"),
        ("name", "author", "Meta Author"),
        ("property", "article:published_time", "2022-12-01T00:00:00+00:00"),
        ("property", "article:modified_time", "2022-12-02T00:00:00+00:00"),
        ("property", "article:section", "Meta Section"),
        ("property", "article:tag", "m1"),
        ("property", "article:tag", "m2"),
        ("property", "og:locale", "de_DE"),
        ("name", "description", "Meta description"),
        ("property", "og:image", "https://nationworldnews.com/i.jpg"),
    ]
)


# --- the saved article pages ---------------------------------------------------------

ARTICLE_FIELDS = [
    (name, field, source)
    for name in sorted(ARTICLES)
    for field, source in [
        ("title", "title"),
        ("author", "author"),
        ("published", "published"),
        ("modified", "modified"),
        ("section", "category"),
        ("tags", "tags"),
    ]
]


@pytest.mark.parametrize(("name", "field", "source"), ARTICLE_FIELDS)
def test_fixture_metadata_field(name: str, field: str, source: str) -> None:
    assert fixture_metadata(name)[field] == ARTICLES[name][source]


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_fixture_language(name: str) -> None:
    assert fixture_metadata(name)["language"] == "en-US"


def test_seed_jsonld_graph_flattened() -> None:
    types = [node.get("@type") for node in jsonld_nodes(fixture_tree("seed-article-cloud.html"))]
    assert "NewsArticle" in types
    assert "WebPage" in types


def test_seed_article_node() -> None:
    node = article_node(jsonld_nodes(fixture_tree("seed-article-cloud.html")))
    assert node is not None
    assert node["headline"] == ARTICLES["seed-article-cloud.html"]["title"]


def test_about_page_has_no_article_node() -> None:
    assert article_node(jsonld_nodes(fixture_tree("about-us.html"))) is None


# --- JSON-LD, meta tags, trafilatura -------------------------------------------------


@pytest.fixture(scope="module")
def both_sources() -> dict[str, Any]:
    return read_metadata(tree_of(page(JSONLD_ARTICLE + META_TAGS)), URL)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("title", "JSON-LD headline"),
        ("author", "Ada Jsonld"),
        ("published", "2023-01-02T03:04:05+00:00"),
        ("modified", "2023-01-03T00:00:00+00:00"),
        ("language", "fr-FR"),
        ("section", "Ld Section"),
        ("tags", ["alpha", "beta"]),
    ],
)
def test_jsonld_wins_over_meta(both_sources: dict[str, Any], field: str, expected: Any) -> None:
    assert both_sources[field] == expected


def test_meta_fills_fields_jsonld_lacks(both_sources: dict[str, Any]) -> None:
    assert both_sources["description"] == "Meta description"
    assert both_sources["image"] == "https://nationworldnews.com/i.jpg"


@pytest.fixture(scope="module")
def meta_only() -> dict[str, Any]:
    return read_metadata(tree_of(page(META_TAGS)), URL)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("title", "Meta title"),
        ("author", "Meta Author"),
        ("published", "2022-12-01T00:00:00+00:00"),
        ("modified", "2022-12-02T00:00:00+00:00"),
        ("language", "en"),
        ("section", "Meta Section"),
        ("tags", ["m1", "m2"]),
    ],
)
def test_meta_used_without_jsonld(meta_only: dict[str, Any], field: str, expected: Any) -> None:
    assert meta_only[field] == expected


def test_og_locale_when_html_has_no_lang() -> None:
    assert read_metadata(tree_of(page(META_TAGS, lang="")), URL)["language"] == "de-DE"


def test_unparseable_jsonld_date_falls_back_to_meta() -> None:
    ld = jsonld({"@type": "NewsArticle", "headline": "H", "datePublished": "May 5th 2023"})
    assert read_metadata(tree_of(page(ld + META_TAGS)), URL)["published"] == (
        "2022-12-01T00:00:00+00:00"
    )


def test_yoast_graph_author_resolved_by_id() -> None:
    ld = jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "@id": f"{URL}#webpage", "name": "Page"},
                {
                    "@type": "Article",
                    "headline": "Graph headline",
                    "author": {"@id": "https://nationworldnews.com/#/person/1"},
                },
                {"@type": "Person", "@id": "https://nationworldnews.com/#/person/1", "name": "Bo"},
            ],
        }
    )
    assert read_metadata(tree_of(page(ld)), URL)["author"] == "Bo"


def test_several_authors_joined() -> None:
    ld = jsonld({"@type": "NewsArticle", "headline": "H", "author": [{"name": "A"}, "B"]})
    assert read_metadata(tree_of(page(ld)), URL)["author"] == "A, B"


def test_several_authors_kept_apart_with_their_commas() -> None:
    names = [{"name": "Ana Díaz"}, {"name": "John Smith, Jr."}, "Ana Díaz"]
    ld = jsonld({"@type": "NewsArticle", "headline": "H", "author": names})
    meta = read_metadata(tree_of(page(ld)), URL)
    assert meta["authors"] == ["Ana Díaz", "John Smith, Jr."]
    assert meta["author"] == "Ana Díaz, John Smith, Jr."


def test_one_meta_author_is_a_list_of_one() -> None:
    head = '<meta name="author" content="Smith, Jr., John">'
    meta = read_metadata(tree_of(page(head)), URL)
    assert (meta["author"], meta["authors"]) == ("Smith, Jr., John", ["Smith, Jr., John"])


def test_trafilatura_fallback_title() -> None:
    html = page(
        "<title>Only a title</title>",
        "<article><h1>Only a title</h1><p>By Jane Roe</p>"
        "<p>" + "A sentence of body text. " * 20 + "</p></article>",
    )
    assert read_metadata(tree_of(html), URL)["title"] == "Only a title"


@pytest.mark.parametrize(
    "broken",
    ['{"@type": "NewsArticle", "headline": ', "{broken", "", "[1, 2]", '"just a string"'],
    ids=["truncated", "invalid", "empty", "list-of-numbers", "string"],
)
def test_broken_jsonld_does_not_raise_and_meta_used(broken: str) -> None:
    script = f'<script type="application/ld+json">{broken}</script>'
    assert read_metadata(tree_of(page(script + META_TAGS)), URL)["title"] == "Meta title"


def test_jsonld_null_type_does_not_raise() -> None:
    ld = jsonld({"@type": None, "name": "x"})
    assert read_metadata(tree_of(page(ld + META_TAGS)), URL)["title"] == "Meta title"


def test_jsonld_list_headline_does_not_raise() -> None:
    ld = jsonld({"@type": "NewsArticle", "headline": ["First", "Second"]})
    assert read_metadata(tree_of(page(ld + META_TAGS)), URL)["title"] in ("First", "Meta title")


def test_reading_time_is_not_author() -> None:
    head = (
        '<meta property="og:title" content="About Us">'
        '<meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="3 minutes">'
    )
    assert read_metadata(tree_of(page(head)), URL)["author"] != "3 minutes"


# --- dates: one ISO form, time zone kept; htmldate as the fallback ------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-11-05T10:00:00+0000", "2019-11-05T10:00:00+00:00"),
        ("2019-11-05T10:00:00Z", "2019-11-05T10:00:00+00:00"),
        ("2019-11-05T10:00:00-05:00", "2019-11-05T10:00:00-05:00"),
        ("2019-11-05T15:30:00+09:00", "2019-11-05T15:30:00+09:00"),
        ("2019-11-05 10:00", "2019-11-05T10:00:00"),
        ("2019-11-05", "2019-11-05"),
        (" 2019-11-05 ", "2019-11-05"),
        ("Tuesday", None),
        ("", None),
        (20191105, None),
    ],
)
def test_iso_date_keeps_the_time_zone(value: Any, expected: str | None) -> None:
    assert iso_date(value) == expected


def test_jsonld_time_zone_is_kept() -> None:
    ld = jsonld(
        {"@type": "NewsArticle", "headline": "H", "datePublished": "2023-05-29T10:27:36-04:00"}
    )
    assert read_metadata(tree_of(page(ld)), URL)["published"] == "2023-05-29T10:27:36-04:00"


def test_htmldate_finds_a_date_in_the_text_when_markup_has_none() -> None:
    body = (
        "<article><h1>Story</h1><p>Posted on 12 March 2021 by the desk.</p><p>Text.</p></article>"
    )
    meta = read_metadata(tree_of(page("<title>Story</title>", body)), URL)
    assert meta["published"] == "2021-03-12"
    assert meta["modified"] is None


def test_htmldate_finds_a_date_in_the_url() -> None:
    meta = read_metadata(
        tree_of(page("<title>Story</title>")), "https://example.com/2020/07/14/story/"
    )
    assert meta["published"] == "2020-07-14"


def test_htmldate_modified_from_markup_only() -> None:
    head = (
        '<meta property="article:published_time" content="2021-03-12T08:00:00+01:00">'
        '<meta name="lastmod" content="2021-04-02">'
    )
    meta = read_metadata(tree_of(page(head)), URL)
    assert meta["published"] == "2021-03-12T08:00:00+01:00"
    assert meta["modified"] == "2021-04-02"


def test_no_date_anywhere_gives_none() -> None:
    meta = read_metadata(tree_of(page("<title>Story</title>")), "https://example.com/story/")
    assert (meta["published"], meta["modified"]) == (None, None)


# --- description, image, authors, language from other markup ------------------------------


def test_jsonld_description_and_image_object_by_id() -> None:
    graph = {
        "@graph": [
            {
                "@type": "NewsArticle",
                "headline": "H",
                "description": "Ld description",
                "image": {"@id": "https://example.com/#primaryimage"},
            },
            {
                "@type": "ImageObject",
                "@id": "https://example.com/#primaryimage",
                "url": "https://example.com/lead.jpg",
            },
        ]
    }
    meta = read_metadata(tree_of(page(jsonld(graph))), URL)
    assert (meta["description"], meta["image"]) == (
        "Ld description",
        "https://example.com/lead.jpg",
    )


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("https://example.com/a.jpg", "https://example.com/a.jpg"),
        (["https://example.com/a.jpg", "https://example.com/b.jpg"], "https://example.com/a.jpg"),
        (
            {"@type": "ImageObject", "contentUrl": "https://example.com/c.jpg"},
            "https://example.com/c.jpg",
        ),
        (
            [{"@type": "ImageObject", "url": "https://example.com/d.jpg"}],
            "https://example.com/d.jpg",
        ),
    ],
)
def test_jsonld_image_forms(image: Any, expected: str) -> None:
    ld = jsonld({"@type": "NewsArticle", "headline": "H", "image": image})
    assert read_metadata(tree_of(page(ld)), URL)["image"] == expected


def test_itemprop_and_http_equiv_meta() -> None:
    head = (
        '<meta itemprop="datePublished" content="2022-01-01T09:00:00+02:00">'
        '<meta http-equiv="content-language" content="pt-BR">'
        '<meta name="news_keywords" content="one, two">'
    )
    meta = read_metadata(tree_of(page(head, lang="")), URL)
    assert meta["published"] == "2022-01-01T09:00:00+02:00"
    assert meta["language"] == "pt-BR"
    assert meta["tags"] == ["one", "two"]


def test_author_profile_url_is_not_a_name() -> None:
    head = (
        '<meta name="author" content="https://example.com/author/ada/">'
        '<meta name="parsely-author" content="Ada Byron">'
    )
    assert read_metadata(tree_of(page(head)), URL)["author"] == "Ada Byron"
