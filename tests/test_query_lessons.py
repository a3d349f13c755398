"""Duplicate URLs learned: which query parameters a site's own pages show to change nothing."""

from __future__ import annotations

from spiders.query_lessons import QueryLessons
from spiders.urls import UrlPolicy

SITE = "https://news.example"
STORY = f"{SITE}/2023/05/29/story/"
ARTICLES = frozenset({f"{SITE}/a/", f"{SITE}/b/"})


def test_an_article_whose_canonical_drops_parameters_teaches_them() -> None:
    lessons = QueryLessons()
    url = f"{STORY}?relatedposts_hit=1&relatedposts_origin=7&relatedposts_position=0"
    learned = lessons.observe(url, STORY, True, frozenset())
    assert learned == dict.fromkeys(
        ["relatedposts_hit", "relatedposts_origin", "relatedposts_position"], url
    )
    assert lessons.meaningless == set(learned)


def test_a_parameter_the_canonical_keeps_is_meaningful_for_ever() -> None:
    lessons = QueryLessons()
    page2 = f"{SITE}/topics/world/?paged=2"
    assert lessons.observe(page2, page2, False, ARTICLES) == {}
    assert "paged" in lessons.meaningful
    # a later page that claims otherwise does not unlearn it
    assert lessons.observe(f"{STORY}?paged=2", STORY, True, frozenset()) == {}
    assert "paged" not in lessons.meaningless


def test_a_permalink_in_the_query_is_never_learned() -> None:
    lessons = QueryLessons()
    post = f"{SITE}/?p=123"
    assert lessons.observe(post, post, True, frozenset()) == {}
    assert lessons.meaningful == {"p"}


def test_a_listing_teaches_only_when_it_lists_the_same_articles() -> None:
    lessons = QueryLessons()
    front = f"{SITE}/topics/world/"
    lessons.observe(front, front, False, ARTICLES)
    # reordered or shown as a grid: the same articles
    assert lessons.observe(f"{front}?view=grid", front, False, ARTICLES) == {
        "view": f"{front}?view=grid"
    }
    # another selection of articles (oldest first): the parameter changes the page
    other = frozenset({f"{SITE}/c/", f"{SITE}/d/"})
    assert lessons.observe(f"{front}?sort=oldest", front, False, other) == {}
    assert "sort" not in lessons.meaningless


def test_pagination_whose_canonical_points_at_page_one_is_not_learned() -> None:
    lessons = QueryLessons()
    front = f"{SITE}/topics/world/"
    lessons.observe(front, front, False, ARTICLES)
    page2 = frozenset({f"{SITE}/c/", f"{SITE}/d/"})
    assert lessons.observe(f"{front}?paged=2", front, False, page2) == {}


def test_a_listing_waits_for_the_page_it_claims_to_be() -> None:
    lessons = QueryLessons()
    front = f"{SITE}/topics/world/"
    assert lessons.observe(f"{front}?lang=es", front, False, ARTICLES) == {}
    assert lessons.observe(front, front, False, ARTICLES) == {"lang": f"{front}?lang=es"}


def test_pages_without_canonical_compare_with_the_page_without_query() -> None:
    lessons = QueryLessons()
    front = f"{SITE}/tag/peru/"
    lessons.observe(front, None, False, ARTICLES)
    assert lessons.observe(f"{front}?src=box", None, False, ARTICLES) == {"src": f"{front}?src=box"}


def test_a_page_listing_no_article_teaches_nothing() -> None:
    lessons = QueryLessons()
    day = f"{SITE}/events/list/"
    lessons.observe(day, day, False, frozenset())
    assert lessons.observe(f"{day}?tribe-bar-date=2091-01-01", day, False, frozenset()) == {}


def test_a_canonical_elsewhere_teaches_nothing() -> None:
    lessons = QueryLessons()
    assert lessons.observe(f"{SITE}/amp/?x=1", STORY, True, frozenset()) == {}


def test_the_url_policy_drops_learned_parameters_from_then_on() -> None:
    policy = UrlPolicy(SITE + "/")
    link = f"{STORY}?relatedposts_hit=1&keep=2"
    assert policy.follow(link) == f"{STORY}?keep=2&relatedposts_hit=1"
    policy.learn_params({"relatedposts_hit"})
    assert policy.follow(link) == f"{STORY}?keep=2"
    assert policy.canonical(link) == f"{STORY}?keep=2"
