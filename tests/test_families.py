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


def test_the_home_pages_links_go_once_each_whatever_the_verdicts() -> None:
    # eight sections in the menu; the sitemaps listed the articles of the first seven
    families: TrapFamilies[str] = TrapFamilies(patience=3)
    families.paused = True  # the sitemaps are being read
    sections = [f"{SITE}/category/s{n}/" for n in range(8)]
    assert [families.offer_front("/category/{w}/", url, url) for url in sections] == [None] * 8
    assert families.held() == 8
    assert families.resume() == sections
    for _ in sections[:7]:
        assert families.judge("/category/{w}/", False, trusted=True) == []
    assert not families.is_cut("/category/{w}/")
    families.judge("/category/{w}/", True, trusted=True)  # the eighth section's articles
    assert families.families["/category/{w}/"].fruitful == 1
    # the same family reached from elsewhere is still judged by what it brings
    for n in range(6):
        assert families.offer("/category/{w}/", f"{SITE}/category/x{n}/", n) == n
        families.judge("/category/{w}/", False)
    assert families.is_cut("/category/{w}/")


def test_an_earlier_crawls_lesson_holds_at_the_front_door() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=3, cut={"/tag/{w}/"})
    assert families.offer_front("/tag/{w}/", f"{SITE}/tag/x/", "x") is None
    assert families.dropped == 1
    # cut in this crawl: the home page's link still goes
    families.offer("/author/{w}/", f"{SITE}/author/a/", "a")
    for n in range(3):
        families.judge("/author/{w}/", False)
        families.offer("/author/{w}/", f"{SITE}/author/b{n}/", f"b{n}")
    assert families.is_cut("/author/{w}/")
    assert families.offer_front("/author/{w}/", f"{SITE}/author/c/", "c") == "c"


def test_the_front_door_waits_for_the_lists_even_when_the_crawl_stalls() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=2)
    families.paused = True
    assert families.offer_front("/{w}/", f"{SITE}/about/", "about") is None
    assert families.release_stalled() == ["about"]
    assert families.held() == 0


def test_the_door_names_sections_not_every_day_or_variant() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=3)
    days = [f"{SITE}/2024/03/{d:02}/" for d in range(1, 16)]  # a calendar widget
    assert families.at_the_door(days[0])
    assert families.offer_front("/{n}/{n}/{n}/", days[0], days[0]) == days[0]
    assert not [day for day in days if families.at_the_door(day)]  # one day is enough
    assert families.at_the_door(f"{SITE}/2024/")  # another listing
    assert not families.at_the_door(f"{SITE}/a/?lang=es")
    assert not families.at_the_door(f"{SITE}/?p=2558")


def test_a_home_page_link_a_sitemap_offered_first_is_promoted() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=2)
    families.offer("/{w}/", f"{SITE}/about/", "about")
    for n in range(2):
        families.judge("/{w}/", False)
        families.offer("/{w}/", f"{SITE}/p{n}/", f"p{n}")
    families.offer("/{w}/", f"{SITE}/events/", "events")  # listed; the family is cut
    assert families.is_cut("/{w}/")
    assert families.promote("/{w}/", f"{SITE}/events/") == "events"
    assert families.promote("/{w}/", f"{SITE}/events/") is None  # gone out already
    families.paused = True
    families.offer("/section/{w}/", f"{SITE}/section/a/", "a")
    families.offer("/section/{w}/", f"{SITE}/section/b/", "b")  # waits in the backlog
    assert families.promote("/section/{w}/", f"{SITE}/section/b/") is None
    assert families.resume() == ["b"]  # the front door first; "a" waits for its verdict
    assert families.judge("/section/{w}/", False, trusted=True) == ["a"]


def test_a_hopeless_page_cuts_a_family_that_brought_nothing() -> None:
    families: TrapFamilies[str] = TrapFamilies(patience=5)
    families.offer("/event/{w}/?ical", f"{SITE}/event/a/?ical=1", "a")
    families.offer("/event/{w}/?ical", f"{SITE}/event/b/?ical=1", "b")
    assert families.judge("/event/{w}/?ical", False, hopeless=True) == []
    assert families.is_cut("/event/{w}/?ical")
    # a family that has brought articles loses one page's worth, no more
    families.offer("/{w}/?p", f"{SITE}/?p=1", "1")
    families.judge("/{w}/?p", True)
    families.offer("/{w}/?p", f"{SITE}/?p=2", "2")
    families.judge("/{w}/?p", False, hopeless=True)
    assert not families.is_cut("/{w}/?p") and families.families["/{w}/?p"].streak == 1


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


def test_a_verdict_on_a_page_another_worker_sent_counts_but_frees_no_place() -> None:
    families = TrapFamilies(patience=2)
    key = "/x/{n}/"
    assert families.offer(key, f"{SITE}/x/1/", "1") == "1"  # unproven: one page at a time
    assert families.offer(key, f"{SITE}/x/2/", "2") is None
    # another worker's page, fruitless: it counts, and this worker's page is still out
    assert families.judge(key, False, own=False) == []
    assert (families.families[key].streak, families.families[key].pending) == (1, 1)
    assert families.judge(key, False, own=False) == []
    assert families.is_cut(key)  # cut on the crawl's verdicts, not on this worker's alone


def test_pages_another_worker_sent_count_against_the_patience_until_judged() -> None:
    families = TrapFamilies(patience=2)
    key = "/x/{n}/"
    families.sent_elsewhere(key, f"{SITE}/x/1/")
    # unproven, and a page of it is out elsewhere: the crawl probes it one page at a time
    assert families.offer(key, f"{SITE}/x/2/", "2") is None
    # its verdict, heard: that page's place is free, and the page held here goes
    assert families.judge(key, False, own=False, url=f"{SITE}/x/1/") == ["2"]
    assert families.families[key].elsewhere == set()


def test_a_verdict_heard_before_its_page_was_told_sent_leaves_nothing_in_flight() -> None:
    families = TrapFamilies(patience=5)
    key = "/x/{n}/"
    families.judge(key, False, own=False, url=f"{SITE}/x/1/")
    families.sent_elsewhere(key, f"{SITE}/x/1/")  # told late: it was judged already
    assert families.families[key].elsewhere == set()
    assert families.offer(key, f"{SITE}/x/2/", "2") == "2"


def test_a_quiet_crawl_has_nothing_in_flight_elsewhere() -> None:
    families = TrapFamilies(patience=5)
    key = "/x/{n}/"
    families.sent_elsewhere(key, f"{SITE}/x/1/")  # its verdict never came (a lost worker)
    assert families.offer(key, f"{SITE}/x/2/", "2") is None
    assert families.release_stalled() == ["2"]


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
