"""Learning a site's body container from its pages (parsing/body_container.py), and reading
pages within it (`ExtractionRules.learned_container`).

The Gazette replica (tests/site/gazette.py) is markup none of the code was written
against: its stories sit beside a rail of other stories' openings, which the generic
extraction keeps, and its briefs are shorter than that rail.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from parsing.article import extract_article
from parsing.body_container import MIN_ARTICLES, WINDOW, ContainerLearner, Layout, layout
from parsing.document import parse_html
from parsing.page import read_page
from parsing.rules import GENERIC_RULES, ExtractionRules
from spiders.profile import WORDPRESS_RULES
from tests.site import theme as replica_theme
from tests.site.content import SITE_URL, build_site
from tests.site.courier import theme as courier_theme
from tests.site.courier.model import build_courier
from tests.site.gazette import GazetteSite, build_gazette, render_story

BASE = "http://127.0.0.1:8000"
COURIER = "https://riversidecourier.example"


@pytest.fixture(scope="module")
def gazette() -> GazetteSite:
    return build_gazette(60)


def learned(pages: list[tuple[str, str]], rules: ExtractionRules = WORDPRESS_RULES) -> str | None:
    """What a learner decides from (html, url) article pages read in this order."""
    learner = ContainerLearner()
    for html, url in pages:
        reading = read_page(html, url, rules, observe_body=True)
        assert reading.body_layout is not None, url
        if decided := learner.add(reading.body_layout):
            return decided
    return None


def story_pages(site: GazetteSite) -> list[tuple[str, str]]:
    return [(render_story(site, BASE, s), BASE + s.path) for s in site.stories]


def test_the_generic_extraction_is_wrong_on_the_gazette(gazette: GazetteSite) -> None:
    # what makes the material worth testing on: the rail leaks in, briefs are lost to it
    wrong = [
        s
        for s in gazette.stories
        if extract_article(render_story(gazette, BASE, s), BASE + s.path, WORDPRESS_RULES).text
        != s.expected_text
    ]
    assert len(wrong) > len(gazette.stories) / 2
    assert all(s in wrong for s in gazette.stories if s.brief)


def test_the_gazette_teaches_its_body_container(gazette: GazetteSite) -> None:
    assert learned(story_pages(gazette)) == "div.gz-copy"


def test_learned_in_any_order(gazette: GazetteSite) -> None:
    # a crawl reads pages in no fixed order: newest last, or every third one first
    pages = story_pages(gazette)
    assert learned(pages[::-1]) == "div.gz-copy"
    assert learned(pages[::3] + pages[1::3]) == "div.gz-copy"


def test_with_its_container_every_gazette_story_is_exact(gazette: GazetteSite) -> None:
    rules = replace(WORDPRESS_RULES, learned_container=("div.gz-copy",))
    for story in gazette.stories:
        article = extract_article(render_story(gazette, BASE, story), BASE + story.path, rules)
        assert article is not None and article.text == story.expected_text, story.path


def test_the_wordpress_replicas_teach_theirs() -> None:
    site = build_site(30)
    pages = [
        (replica_theme.render_article(site, SITE_URL, a), SITE_URL + a.path) for a in site.articles
    ]
    # the tagDiv theme wraps the body in several elements of the same size; any is right
    assert learned(pages) in {
        "div.tdb_single_content",
        "div.td-post-content",
        "div.tagdiv-type",
    }
    courier = build_courier(30)
    pages = [
        (courier_theme.render_article(courier, COURIER, a), COURIER + a.path)
        for a in courier.articles
    ]
    assert learned(pages) == "div.entry-content"


def test_a_paragraph_beside_the_headline_is_the_articles_and_the_rail_is_not(
    gazette: GazetteSite,
) -> None:
    story = next(s for s in gazette.stories if not s.brief)
    html = render_story(gazette, BASE, story)
    generic = extract_article(html, BASE + story.path, WORDPRESS_RULES)
    found = layout(parse_html(html), generic.text, story.title)
    by_headline = {p for p, near in zip(found.paragraphs, found.by_headline, strict=True) if near}
    assert by_headline == set(story.expected_text.splitlines())
    assert len(found.paragraphs) > len(by_headline)  # the rail was in the generic text


def page(selectors: list[str], paragraphs: list[str], extra: int = 0) -> Layout:
    """A layout whose paragraphs all lie in one element, inside one wrapper."""
    elements = ((tuple(selectors), 100 + extra), (("div#wrapper",), 10_000))
    return Layout(
        tuple(paragraphs),
        tuple((0, 1) for _ in paragraphs),
        elements,
        tuple(True for _ in paragraphs),
    )


def words(n: int) -> str:
    """A paragraph of words no other call gives."""
    return " ".join(f"w{n}x{i}" for i in range(12))


def test_nothing_is_learned_before_enough_articles() -> None:
    learner = ContainerLearner()
    decisions = [learner.add(page(["div.body"], [words(i)])) for i in range(MIN_ARTICLES)]
    assert decisions[:-1] == [None] * (MIN_ARTICLES - 1)
    assert decisions[-1] == "div.body"


def test_pages_that_disagree_teach_nothing_yet() -> None:
    learner = ContainerLearner()
    for i in range(10):
        learner.add(page(["div.left" if i % 2 else "div.right"], [words(i)]))
    # half the pages each: only the wrapper holds the text on enough of them, but either
    # may yet agree
    assert learner.decision() is None


def test_a_loose_container_waits_while_a_tighter_one_may_agree() -> None:
    learner = ContainerLearner()
    # 3 of 5 pages put the text in div.body; the wrapper holds it on all five
    for i in range(5):
        learner.add(page(["div.body"] if i < 3 else ["div.other"], [words(i)]))
    assert learner.decision() is None
    for i in range(5, 12):
        learner.add(page(["div.body"], [words(i)]))
    assert learner.decision() == "div.body"


def test_a_loose_container_is_taken_once_the_window_is_full() -> None:
    learner = ContainerLearner()
    for i in range(WINDOW):
        learner.add(page(["div.body"] if i % 3 else ["div.other"], [words(i)]))
    assert learner.decision() == "div#wrapper"


def test_text_found_on_other_pages_is_not_an_articles_own() -> None:
    learner = ContainerLearner()
    promo = "Subscribe to our newsletter for the best stories of the week, every Friday morning"
    for i in range(MIN_ARTICLES):
        # the article's own text in div.body; a promo the generic text kept, elsewhere
        own = page(["div.body"], [words(i)])
        learner.add(
            Layout(
                (*own.paragraphs, promo),
                ((0, 1), (2,)),
                (*own.elements, (("div.promo",), 90)),
                (True, True),
            )
        )
    assert learner.decision() == "div.body"


def test_a_page_with_no_text_of_its_own_says_nothing() -> None:
    learner = ContainerLearner()
    shared = words(999)
    for _ in range(MIN_ARTICLES):
        learner.add(page(["div.body"], [shared]))
    assert learner.decision() is None


def test_rules_without_a_learned_container_keep_their_digest() -> None:
    assert "learned_container" not in GENERIC_RULES.as_dict()
    rules = replace(WORDPRESS_RULES, learned_container=("div.gz-copy",))
    assert ExtractionRules.from_dict(rules.as_dict()) == rules
    assert rules.digest != WORDPRESS_RULES.digest
    assert WORDPRESS_RULES.learns_container and not rules.learns_container
    assert not replace(WORDPRESS_RULES, content=("div.x",)).learns_container


def test_a_page_without_the_container_or_with_it_empty_is_read_whole(
    gazette: GazetteSite,
) -> None:
    story = next(s for s in gazette.stories if not s.brief)
    html = render_story(gazette, BASE, story)
    generic = extract_article(html, BASE + story.path, WORDPRESS_RULES).text
    assert generic != story.expected_text
    html = html.replace(
        '<div class="gz-copy">', '<div class="gz-empty"></div><div class="gz-copy">'
    )
    # absent; present more than once; present with no text
    for container in ("div.not-on-this-page", "div.gz-pick", "div.gz-empty"):
        rules = replace(WORDPRESS_RULES, learned_container=(container,))
        assert extract_article(html, BASE + story.path, rules).text == generic, container


def test_a_site_with_no_one_container_is_given_up() -> None:
    learner = ContainerLearner()
    for i in range(WINDOW):
        alone = Layout((words(i),), ((0,),), (((f"div.c{i}",), 100),), (True,))
        assert learner.add(alone) is None
        assert learner.exhausted == (i == WINDOW - 1)
