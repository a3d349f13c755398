"""Trap families: URL shapes, and the rule that cuts a family off by what its pages bring."""

from __future__ import annotations

import pytest

from spiders.families import TrapFamilies, depth_of, family_of, instance_of

SITE = "https://news.example"


@pytest.mark.parametrize(
    ("url", "family"),
    [
        ("/", "/"),
        ("/some-story-slug/", "/{w}/"),
        ("/about-us/", "/{w}/"),
        ("/2023/05/29/some-story/", "/{n}/{n}/{n}/{w}/"),
        ("/2023/05/29/", "/{n}/{n}/{n}/"),
        ("/2023/05/29/some-story/comment-page-2/", "/{n}/{n}/{n}/{w}/{w}/"),
        ("/tag/peru/", "/tag/{w}/"),
        ("/category/world/", "/category/{w}/"),
        ("/category/world/page/3/", "/category/{w}/{w}/{n}/"),
        ("/events/month/2091-01/", "/events/{w}/{n}/"),
        ("/events/2023-05-01/", "/events/{n}/"),
        ("/topics/world/?paged=2", "/topics/{w}/?paged"),
        ("/topics/world/?view=grid&sort=popular", "/topics/{w}/?sort&view"),
        (
            "/story/?relatedposts_hit=1&relatedposts_origin=9",
            "/{w}/?relatedposts_hit&relatedposts_origin",
        ),
        ("/?paged=7", "/?paged"),
        ("/news/covid-19-cases-rise/", "/news/{w}/"),
    ],
)
def test_family_of_masks_numbers_dates_and_words(url: str, family: str) -> None:
    assert family_of(SITE + url) == family


def test_pages_of_one_archive_share_a_family_across_sections() -> None:
    assert family_of(SITE + "/category/world/page/2/") == family_of(SITE + "/category/arts/page/9/")
    assert family_of(SITE + "/tag/peru/") != family_of(SITE + "/author/ana/")


def sent_and_judged(families: TrapFamilies, key: str, verdicts: list[bool]) -> list[str]:
    """Offer one request per verdict, judging each page as it goes out; what was sent."""
    sent: list[str] = []
    pending: list[str] = []
    for n, _ in enumerate(verdicts):
        url = f"{SITE}/x/{n}/"
        if families.offer(key, url, url) is not None:
            pending.append(url)
    verdicts = list(verdicts)
    while pending:
        url = pending.pop(0)
        sent.append(url)
        pending += families.judge(key, verdicts.pop(0))
    return sent


def test_a_family_that_never_brings_an_article_is_cut_after_patience_pages() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=3)
    sent = sent_and_judged(families, "/events/{w}/{n}/", [False] * 50)
    assert len(sent) == 3
    assert families.is_cut("/events/{w}/{n}/")
    assert families.dropped == 47
    (cut,) = families.take_newly_cut()
    assert (cut.key, cut.fetched, cut.example) == ("/events/{w}/{n}/", 3, f"{SITE}/x/0/")
    assert families.take_newly_cut() == []


def test_fruitful_pages_buy_a_family_more_patience() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=3)
    # a deep archive: new articles on pages 1, 5 and 9, nothing after
    verdicts = [n in (0, 4, 8) for n in range(40)]
    sent = sent_and_judged(families, "/category/{w}/{w}/{n}/", verdicts)
    assert len(sent) == 9 + 3 * 4  # after the third fruitful page: 4 x patience in a row
    assert families.is_cut("/category/{w}/{w}/{n}/")


def test_an_unproven_family_is_probed_one_page_at_a_time() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=3)
    offered = [families.offer("/tag/{w}/", f"{SITE}/tag/t{n}/", n) for n in range(10)]
    assert offered == [0] + [None] * 9
    assert families.held() == 9
    assert families.judge("/tag/{w}/", False) == [1]
    assert families.judge("/tag/{w}/", False) == [2]
    assert families.judge("/tag/{w}/", False) == []  # three fruitless: cut
    assert families.is_cut("/tag/{w}/") and families.held() == 0


def test_never_more_pages_in_flight_than_the_patience_left() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=3)
    offered = [families.offer("/tag/{w}/", f"{SITE}/tag/t{n}/", n) for n in range(12)]
    assert offered[0] == 0
    # proven: now up to allowance (3 x 2 = 6) minus the streak may be pending
    assert families.judge("/tag/{w}/", True) == [1, 2, 3, 4, 5, 6]
    assert families.judge("/tag/{w}/", False) == []  # 5 pending + 1 fruitless = 6
    assert families.judge("/tag/{w}/", True) == [7, 8, 9, 10, 11]
    assert families.held() == 0


def test_trusted_pages_prove_a_family_but_never_count_against_it() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=2)
    for _ in range(10):  # pages the site's sitemap listed, that were no articles
        families.sent("/{w}/")
        families.judge("/{w}/", False, trusted=True)
    assert not families.is_cut("/{w}/")
    families.sent("/{w}/")
    families.judge("/{w}/", True, trusted=True)
    assert families.families["/{w}/"].allowance(2) == 4


def test_families_cut_by_an_earlier_crawl_send_nothing() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=5, cut={"/tag/{w}/"})
    assert families.offer("/tag/{w}/", f"{SITE}/tag/x/", "x") is None
    assert families.dropped == 1
    assert families.take_newly_cut() == []


def test_lost_verdicts_are_released_when_the_crawl_is_idle() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=2)
    offered = [families.offer("/a/{w}/", f"{SITE}/a/x{n}/", n) for n in range(4)]
    assert offered == [0, None, None, None]
    # the request sent never comes back (a redirect dropped as off-site): fruitless
    assert families.release_stalled() == [1]
    assert families.families["/a/{w}/"].streak == 1
    assert families.release_stalled() == []  # the second lost verdict cuts the family
    assert families.is_cut("/a/{w}/")


def test_a_dropped_request_frees_its_place_at_once() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=2)
    offered = [families.offer("/a/{w}/", f"{SITE}/a/x{n}/", n) for n in range(3)]
    assert offered == [0, None, None]
    # the scheduler dropped request 0 as a duplicate: no verdict, the next one goes
    assert families.forget("/a/{w}/") == [1]
    assert families.families["/a/{w}/"].streak == 0


def test_patience_must_be_positive() -> None:
    with pytest.raises(ValueError, match="patience"):
        TrapFamilies(patience=0)


def test_an_archive_is_probed_deepest_page_first_and_listings_in_turn() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=5)
    key = "/topics/{w}/?paged"
    urls = [
        f"{SITE}/topics/city/?paged=2",  # sent at once: nothing pending yet
        f"{SITE}/topics/city/?paged=3",
        f"{SITE}/topics/city/?paged=9",
        f"{SITE}/topics/sport/?paged=2",
        f"{SITE}/topics/sport/?paged=7",
        f"{SITE}/topics/arts/?paged=4",
    ]
    offered = [families.offer(key, url, url) for url in urls]
    assert offered == [urls[0], None, None, None, None, None]
    released = []
    for _ in range(4):
        released += families.judge(key, False)
    # one listing after another, each one's last pages (its oldest articles) first
    assert released == [urls[2], urls[4], urls[5], urls[1]]
    assert families.judge(key, False) == [] and families.is_cut(key)


def test_instances_and_depths() -> None:
    assert instance_of(f"{SITE}/topics/city/?paged=3") == "/topics/city/?paged"
    assert instance_of(f"{SITE}/events/2024-05/") == "/events/{n}/"
    assert depth_of(f"{SITE}/events/2024-05/?page=3") == (2024, 5, 3)
    assert depth_of(f"{SITE}/tag/news/") == ()
