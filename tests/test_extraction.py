"""Tests of article extraction: exact clean text, no chrome or comments, bad input is None."""

from __future__ import annotations

import gzip
import json
import random
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from archive.models import Article
from parsing.article import clean_text, extract_article
from parsing.document import looks_binary, parse_html
from parsing.rules import GENERIC_RULES, ExtractionRules
from spiders.profile import WORDPRESS_RULES
from spiders.site_spiders import NationworldnewsSpider
from tests.chrome import COMMENT_FORM, SITE_CHROME

TAGDIV_NEWSPAPER_RULES = NationworldnewsSpider.profile.extraction
FIXTURES = Path(__file__).parent / "fixtures" / "site"
ARTICLES = json.loads((FIXTURES / "articles.json").read_text(encoding="utf-8"))
SEED = "seed-article-cloud.html"
COMMENTED = ["article-classic-comments.html", "article-cloud-comments.html"]
URL = "https://nationworldnews.com/a-story/"


@cache
def html_of(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@cache
def extracted(name: str, rules: ExtractionRules = TAGDIV_NEWSPAPER_RULES) -> Article:
    article = extract_article(html_of(name), ARTICLES[name]["url"], rules)
    assert article is not None
    return article


def reader_comments(name: str) -> list[str]:
    tree = parse_html(html_of(name))
    assert tree is not None
    comments = [" ".join(c.text_content().split()) for c in tree.find_class("comment-content")]
    assert len(comments) == ARTICLES[name]["comments"]
    return comments


# --- the saved article pages ---------------------------------------------------------


def test_seed_text_exact() -> None:
    assert extracted(SEED).text == ARTICLES[SEED]["expected_text"]


def test_seed_has_eight_paragraphs() -> None:
    assert len(extracted(SEED).text.split("\n")) == 8


@pytest.mark.parametrize("name", [SEED, *COMMENTED])
def test_text_has_none_of_the_chrome_on_its_page(name: str) -> None:
    on_page = [chrome for chrome in SITE_CHROME if chrome in html_of(name)]
    assert len(on_page) >= 6
    text = extracted(name).text
    assert [chrome for chrome in on_page if chrome in text] == []


def test_seed_article_url_and_title() -> None:
    article = extracted(SEED)
    assert article.url == ARTICLES[SEED]["url"]
    assert article.title == ARTICLES[SEED]["title"]


@pytest.mark.parametrize("name", COMMENTED)
def test_commented_article_text_exact(name: str) -> None:
    assert extracted(name).text == ARTICLES[name]["expected_text"]


@pytest.mark.parametrize("name", COMMENTED)
def test_commented_article_has_no_reader_comments(name: str) -> None:
    text = extracted(name).text
    for comment in reader_comments(name):
        assert comment not in text


@pytest.mark.parametrize("name", COMMENTED)
def test_commented_article_has_no_comment_form(name: str) -> None:
    text = extracted(name).text
    assert not [line for line in COMMENT_FORM if line in text]


def test_generic_wordpress_rules_on_classic_layout() -> None:
    name = "article-classic-comments.html"
    assert extracted(name, WORDPRESS_RULES).text == ARTICLES[name]["expected_text"]


def test_generic_wordpress_rules_drop_comments() -> None:
    name = "article-classic-comments.html"
    text = extracted(name, WORDPRESS_RULES).text
    assert not [c for c in reader_comments(name) if c in text]


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        b"",
        b"  \n",
        "<!-- nothing but a comment -->",
        "<html><head><title>Empty</title></head><body></body></html>",
        "<html><body><script>var a = 1;</script><style>p {}</style></body></html>",
    ],
    ids=["empty", "whitespace", "empty-bytes", "whitespace-bytes", "comment", "no-body", "script"],
)
def test_no_article_text_gives_none(html: str | bytes) -> None:
    assert extract_article(html, URL, TAGDIV_NEWSPAPER_RULES) is None


@pytest.mark.parametrize(
    "garbage",
    [
        bytes(random.Random(0).getrandbits(8) for _ in range(4096)),
        gzip.compress(b"<html><body><p>Compressed article text.</p></body></html>"),
    ],
    ids=["random-bytes", "gzip-bytes"],
)
def test_binary_garbage_does_not_raise(garbage: bytes) -> None:
    extract_article(garbage, URL, TAGDIV_NEWSPAPER_RULES)


@pytest.mark.parametrize(
    "garbage",
    [
        bytes(random.Random(0).getrandbits(8) for _ in range(4096)),
        gzip.compress(b"<html><body><p>Compressed article text.</p></body></html>"),
    ],
    ids=["random-bytes", "gzip-bytes"],
)
def test_binary_garbage_gives_none(garbage: bytes) -> None:
    assert extract_article(garbage, URL, TAGDIV_NEWSPAPER_RULES) is None


def test_xhtml_with_xml_declaration_as_text() -> None:
    html = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head><body>'
        "<article><p>" + "A sentence of XHTML article text. " * 10 + "</p></article>"
        "</body></html>"
    )
    article = extract_article(html, URL)
    assert article is not None
    assert "A sentence of XHTML article text." in article.text


def test_truncated_seed_keeps_first_paragraphs() -> None:
    html = html_of(SEED)
    article = extract_article(html[: int(len(html) * 0.6)], URL, TAGDIV_NEWSPAPER_RULES)
    assert article is not None
    paragraphs = ARTICLES[SEED]["expected_text"].split("\n")
    assert article.text.split("\n")[:2] == paragraphs[:2]


def test_seed_cut_mid_body_keeps_paragraphs_before_the_cut() -> None:
    html = html_of(SEED)
    paragraphs = ARTICLES[SEED]["expected_text"].split("\n")
    cut = html.index(f"<p>{paragraphs[3][:40]}")
    article = extract_article(html[:cut], URL, TAGDIV_NEWSPAPER_RULES)
    assert article is not None
    assert article.text == "\n".join(paragraphs[:3])


# --- rules ---------------------------------------------------------------------------

SMALL_PAGE = (
    "<html><body><article>"
    "<p>Subscribe to our channel for more news every single day of the week.</p>"
    "<p>The council said it would subscribe to the plan after a long debate on Monday.</p>"
    "<p>Officials met on Tuesday to discuss the budget and the new school building.</p>"
    "</article></body></html>"
)


def test_boilerplate_drops_only_matching_paragraphs() -> None:
    tree = parse_html(SMALL_PAGE)
    assert tree is not None
    text = clean_text(tree, URL, ExtractionRules(boilerplate=(r"^Subscribe to our channel",)))
    assert text.split("\n") == [
        "The council said it would subscribe to the plan after a long debate on Monday.",
        "Officials met on Tuesday to discuss the budget and the new school building.",
    ]


def test_no_boilerplate_keeps_every_paragraph() -> None:
    tree = parse_html(SMALL_PAGE)
    assert tree is not None
    assert len(clean_text(tree, URL, GENERIC_RULES).split("\n")) == 3


def test_seed_promo_kept_without_site_boilerplate_rule() -> None:
    # The promotion is in the article body; only the site's boilerplate regex drops it.
    rules = ExtractionRules(
        content=TAGDIV_NEWSPAPER_RULES.content, prune=TAGDIV_NEWSPAPER_RULES.prune
    )
    text = extracted(SEED, rules).text
    assert text.startswith(ARTICLES[SEED]["expected_text"])
    assert text.endswith(ARTICLES[SEED]["promo_lines"][0])


def test_keep_rejects_only_matching_paragraph() -> None:
    assert not TAGDIV_NEWSPAPER_RULES.keep(ARTICLES[SEED]["promo_lines"][0])
    assert TAGDIV_NEWSPAPER_RULES.keep("Officials said people should Join Voice of America!")


def test_content_selector_matching_nothing_uses_whole_page() -> None:
    rules = ExtractionRules(content=(".no-such-container",), prune=TAGDIV_NEWSPAPER_RULES.prune)
    text = extracted(SEED, rules).text
    for paragraph in ARTICLES[SEED]["expected_text"].split("\n"):
        assert paragraph in text


def test_rules_do_not_modify_the_parsed_page() -> None:
    tree = parse_html(html_of("article-classic-comments.html"))
    assert tree is not None
    clean_text(tree, URL, TAGDIV_NEWSPAPER_RULES)
    assert tree.find_class("comment-content")


PROMO_PAGE = (
    "<html><body><article>"
    "<p>The council approved the new budget on Tuesday after a long debate.</p>"
    "<div class='promo-box'><p>Subscribe to our newsletter for the best stories.</p></div>"
    "<p>Opposition members said they would challenge the decision in court.</p>"
    "</article></body></html>"
)


def test_prune_selectors_remove_their_elements_and_keep_the_rest() -> None:
    plain = extract_article(PROMO_PAGE, URL)
    assert plain is not None and "Subscribe to our newsletter" in plain.text
    pruned = extract_article(PROMO_PAGE, URL, ExtractionRules(prune=(".promo-box",)))
    assert pruned is not None
    assert "Subscribe to our newsletter" not in pruned.text
    assert pruned.text.startswith("The council approved")
    assert pruned.text.endswith("challenge the decision in court.")


def test_extraction_leaves_the_callers_tree_untouched() -> None:
    tree = parse_html(PROMO_PAGE)
    before = lxml.html.tostring(tree)
    clean_text(tree, URL, ExtractionRules(prune=(".promo-box",)))
    assert lxml.html.tostring(tree) == before


@pytest.mark.parametrize(
    ("text", "binary"),
    [
        ("<html><body><p>Plain text, tabs\tand\r\nnew lines\f.</p></body></html>" * 50, False),
        ("<p>Café, naïve, “quoted”, 東京</p>" * 100, False),
        ("<p>" + "text " * 800 + "\x01\x02\x03" * 40 + "</p>", True),  # 120 controls in 4 kB
        ("<p>" + "text " * 800 + "\ufffd" * 120 + "</p>", True),  # undecodable bytes
        ("<p>" + "text " * 800 + "\ufffd" * 20 + "</p>", False),  # a few: still a page
        (b"\x1f\x8b\x08\x00gzip bytes", True),
        (b"<p>a NUL \x00 in bytes</p>", True),
    ],
)
def test_looks_binary(text: str | bytes, binary: bool) -> None:
    assert looks_binary(text) is binary


def test_a_text_records_the_extractor_and_rules_that_made_it() -> None:
    from parsing.article import EXTRACTOR_VERSION

    rules = ExtractionRules(content=(".story",), boilerplate=("^Ad:",))
    again = ExtractionRules.from_dict(rules.as_dict())
    assert again == rules and again.digest == rules.digest
    assert ExtractionRules(content=(".other",)).digest != rules.digest
    html = "<html><body><div class='story'><p>One paragraph of the story, long enough.</p>"
    html += "<p>Ad: buy now</p><p>Another paragraph of the same story.</p></div></body></html>"
    article = extract_article(html, "https://news.example/a/", rules)
    assert article is not None
    assert article.extractor == f"{EXTRACTOR_VERSION}+{rules.digest}"
