"""Tests of the URL policy: canonical forms, traps, offsite links and the user's base URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsing.page import parse_html_page
from spiders.profile import WORDPRESS
from spiders.urls import UrlPolicy, base_url_from, site_host

FIXTURES = Path(__file__).parent / "fixtures" / "site"
BASE = "https://nationworldnews.com/"
SITE = "https://nationworldnews.com"
SEED_URL = f"{SITE}/us-and-peru-extend-two-year-partnership-to-combat-child-trafficking/"


@pytest.fixture(scope="module")
def policy() -> UrlPolicy:
    """The policy exactly as `NewsSpider` builds it from the WordPress profile."""
    return UrlPolicy(BASE, tracking_params=WORDPRESS.tracking_params, deny=WORDPRESS.deny)


# --- canonical -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{SITE}/a/?utm_source=x&utm_medium=y&utm_campaign=z", f"{SITE}/a/"),
        (f"{SITE}/a/?UTM_Source=newsletter", f"{SITE}/a/"),
        (f"{SITE}/a/?fbclid=IwAR0abc", f"{SITE}/a/"),
        (f"{SITE}/a/?gclid=Cj0", f"{SITE}/a/"),
        (f"{SITE}/a/?amp=1", f"{SITE}/a/"),
        (f"{SITE}/a/?amp", f"{SITE}/a/"),
        (f"{SITE}/a/?print=print", f"{SITE}/a/"),
    ],
)
def test_canonical_removes_tracking_params(policy: UrlPolicy, url: str, expected: str) -> None:
    assert policy.canonical(url) == expected


def test_canonical_drops_fragment(policy: UrlPolicy) -> None:
    assert policy.canonical(f"{SITE}/a/#comments") == f"{SITE}/a/"


def test_canonical_sorts_query(policy: UrlPolicy) -> None:
    assert policy.canonical(f"{SITE}/a/?b=2&a=1") == f"{SITE}/a/?a=1&b=2"


def test_canonical_keeps_other_params_among_tracking_ones(policy: UrlPolicy) -> None:
    url = f"{SITE}/a/?z=3&utm_source=x&fbclid=twitter&id=7&gclid=2#top"
    assert policy.canonical(url) == f"{SITE}/a/?id=7&z=3"


def test_canonical_keeps_params_that_only_look_like_tracking(policy: UrlPolicy) -> None:
    # `utm_*` is a prefix pattern, `amp` an exact name: neither matches these.
    url = f"{SITE}/a/?utmost=1&ample=2&shared=3"
    assert policy.canonical(url) == f"{SITE}/a/?ample=2&shared=3&utmost=1"


def test_canonical_lowercases_scheme_and_host_not_path(policy: UrlPolicy) -> None:
    canonical = policy.canonical("HTTPS://NationWorldNews.COM/Some-Slug/")
    assert canonical == f"{SITE}/Some-Slug/"


def test_canonical_is_idempotent(policy: UrlPolicy) -> None:
    once = policy.canonical(f"{SITE}/a/?utm_source=x&b=2&a=1#c")
    assert policy.canonical(once) == once


def test_canonical_drops_default_port(policy: UrlPolicy) -> None:
    assert policy.canonical(f"{SITE}:443/a/") == f"{SITE}/a/"


# --- traps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/?s=peru",
        "/page/2/?s=peru",
        "/search/peru/",
        "/some-slug/amp/",
        "/some-slug/amp",
        "/some-slug/feed/",
        "/feed/",
        "/feed/atom/",
        "/comments/feed/",
        "/category/world/feed/",
        "/tag/peru/feed/",
        "/2023/05/29/",
        "/2023/05/",
        "/2023/",
        "/2023/05/page/2/",
        "/wp-json/wp/v2/posts",
        "/wp-admin/",
        "/wp-admin/post.php?post=1&action=edit",
        "/wp-login.php",
        "/xmlrpc.php",
        "/?page_id=45",
        "/?attachment_id=9",
        "/some-slug/embed/",
        "/some-slug/trackback/",
        "/wp-content/uploads/2023/05/photo.jpg",
        "/files/photo.PNG",
        "/files/report.pdf",
    ],
)
def test_wordpress_traps(policy: UrlPolicy, path: str) -> None:
    assert policy.is_trap(SITE + path)


@pytest.mark.parametrize(
    "path",
    [
        "/some-slug/",
        "/us-and-peru-extend-two-year-partnership-to-combat-child-trafficking/",
        "/2023/05/29/a-date-permalink-article/",
        "/category/world/",
        "/category/world/page/2/",
        "/tag/peru/",
        "/author/nation-world-news-desk/",
        "/about-us/",
        "/amp-review-of-the-year/",
        "/feedback-from-readers/",
        "/category/world/?paged=2",
    ],
)
def test_pages_worth_fetching_are_not_traps(policy: UrlPolicy, path: str) -> None:
    assert not policy.is_trap(SITE + path)


@pytest.mark.parametrize("path", ["/2023/05/29", "/2023/05"])
def test_date_archive_without_trailing_slash_is_trap(policy: UrlPolicy, path: str) -> None:
    assert policy.is_trap(SITE + path)


def test_follow_returns_none_for_trap(policy: UrlPolicy) -> None:
    assert policy.follow(f"{SITE}/?s=peru") is None


def test_follow_strips_print_param_instead_of_dropping_article(policy: UrlPolicy) -> None:
    assert policy.follow(f"{SEED_URL}?print=print") == SEED_URL


def test_follow_replytocom_link_gives_the_article_once_learned(policy: UrlPolicy) -> None:
    # not in the default list: the crawl learns it from the page's canonical link
    assert policy.follow(f"{SEED_URL}?replytocom=455#respond") == f"{SEED_URL}?replytocom=455"
    policy.learn_params({"replytocom"})
    assert policy.follow(f"{SEED_URL}?replytocom=455#respond") == SEED_URL


def test_p_is_followed_as_it_may_be_the_permalink(policy: UrlPolicy) -> None:
    assert policy.follow(f"{SITE}/?p=123") == f"{SITE}/?p=123"


# --- on site / offsite ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.voanews.com/a/",
        "https://news.nationworldnews.com/a/",
        "https://nationworldnews.com.evil.example/a/",
        "https://evilnationworldnews.com/a/",
    ],
)
def test_other_hosts_are_offsite(policy: UrlPolicy, url: str) -> None:
    assert not policy.on_site(url)
    assert policy.follow(url) is None


def test_www_twin_is_on_site(policy: UrlPolicy) -> None:
    assert policy.on_site("https://www.nationworldnews.com/some-slug/")


def test_http_twin_is_on_site(policy: UrlPolicy) -> None:
    assert policy.on_site("http://nationworldnews.com/some-slug/")


def test_host_comparison_ignores_case(policy: UrlPolicy) -> None:
    assert policy.follow("https://NATIONWORLDNEWS.com/a/") == f"{SITE}/a/"


def test_localhost_and_loopback_address_are_different_sites() -> None:
    local = UrlPolicy("http://127.0.0.1:8000/")
    assert local.on_site("http://127.0.0.1:8000/a/")
    assert not local.on_site("http://localhost:8000/a/")


@pytest.mark.parametrize(
    "url",
    [
        "mailto:contact@nationworldnews.com",
        "mailto:?subject=Hi&body=https%3A%2F%2Fnationworldnews.com%2Fa%2F",
        "whatsapp://send?text=https%3A%2F%2Fnationworldnews.com%2Fa%2F",
        "javascript:void(0)",
        "ftp://nationworldnews.com/a/",
        "//nationworldnews.com/a/",
    ],
)
def test_non_http_links_are_not_followed(policy: UrlPolicy, url: str) -> None:
    assert policy.follow(url) is None


def test_follow_on_seed_page_links(policy: UrlPolicy) -> None:
    html = (FIXTURES / "seed-article-cloud.html").read_text(encoding="utf-8")
    followed = {
        url for link in parse_html_page(html, SEED_URL).links if (url := policy.follow(link))
    }
    assert f"{SITE}/category/world/" in followed
    assert f"{SITE}/solenne-pharmaceuticals-revenue-rises-29-9-beating-forecasts/" in followed
    assert SEED_URL in followed  # the `?print=print` and `#respond` links collapse onto it
    assert all(url.startswith(BASE) for url in followed)
    assert not any("utm_" in url or "print=" in url or "#" in url for url in followed)
    assert not any("/wp-json/" in url or url.endswith(".jpg") for url in followed)


# --- site_host and base_url_from -----------------------------------------------------


def test_site_host_drops_www_port_and_case() -> None:
    assert site_host("https://WWW.Example.com:8080/x") == "example.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://nationworldnews.com", "https://nationworldnews.com/"),
        ("HTTPS://NationWorldNews.COM", "https://nationworldnews.com/"),
        ("  https://nationworldnews.com/  ", "https://nationworldnews.com/"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("https://example.com/news", "https://example.com/news/"),
        ("https://example.com/news/", "https://example.com/news/"),
    ],
)
def test_base_url_normalised(url: str, expected: str) -> None:
    assert base_url_from(url) == expected


@pytest.mark.parametrize("url", [None, "", "   "])
def test_base_url_missing(url: str | None) -> None:
    with pytest.raises(ValueError, match="no site URL given"):
        base_url_from(url)


def test_base_url_without_scheme_suggests_https() -> None:
    with pytest.raises(ValueError, match="must start with http:// or https://") as error:
        base_url_from("nationworldnews.com")
    assert "https://nationworldnews.com" in str(error.value)


def test_base_url_ftp_scheme_rejected() -> None:
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        base_url_from("ftp://nationworldnews.com/")


@pytest.mark.parametrize("url", ["https://", "http:/nationworldnews.com"])
def test_base_url_without_host(url: str) -> None:
    with pytest.raises(ValueError, match="has no host name"):
        base_url_from(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://nationworldnews.com/a/",
        "https://www.nationworldnews.com/a/",
        "http://WWW.nationworldnews.com:80/a/",
        "https://nationworldnews.com:443/a/#top",
    ],
)
def test_twins_of_a_page_share_one_canonical_form(policy: UrlPolicy, url: str) -> None:
    assert policy.canonical(url) == f"{SITE}/a/"


def test_offsite_urls_keep_their_own_form(policy: UrlPolicy) -> None:
    assert policy.canonical("http://www.example.com/a/?b=1") == "http://www.example.com/a/?b=1"


def test_another_port_on_the_same_host_is_another_site() -> None:
    local = UrlPolicy("http://127.0.0.1:8000/")
    assert local.on_site("http://127.0.0.1:8000/a/")
    assert not local.on_site("http://127.0.0.1:9000/a/")
    assert local.follow("http://127.0.0.1:9000/a/") is None


def test_base_url_with_another_scheme_gets_no_made_up_suggestion() -> None:
    with pytest.raises(ValueError) as error:
        base_url_from("mailto:desk@nationworldnews.com")
    assert "must start with http:// or https://" in str(error.value)
    assert "for example" not in str(error.value)
