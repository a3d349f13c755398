"""The replica one day later: new, changed, touched and deleted articles, for incremental crawls."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from tests.site import prose
from tests.site.content import (
    SECTION_WEIGHTS,
    SITE_PROMOS,
    Article,
    Promo,
    Site,
    SiteChanges,
    TagRegistry,
    check_unique_paragraphs,
    paste_promos,
    site_paragraphs,
    write_story,
)

NEW_ARTICLES = 6
CHANGED_ARTICLES = 6
TOUCHED_ARTICLES = 2
DELETED_ARTICLES = 4
MIN_ARTICLES = 20  # enough to pick every kind from without taking the whole site
DAY = timedelta(days=1)


def evolve_site(site: Site, *, seed: int = 1, promos: tuple[Promo, ...] = SITE_PROMOS) -> Site:
    """The same site one day later, as a new Site; `site` itself is left exactly as it was.

    Six new articles (one sitemap-only, one category-only), six changed (new text and dates;
    one category-only, one sitemap-only), two touched (dates moved, text kept) and four deleted
    (two answer 410, two 404). For one touched article, served without validators, the server
    keeps sending the earlier state's page byte for byte (`stale_pages`): only its sitemap
    lastmod moves. `changes` on the result lists the paths of each kind.
    """
    if len(site.articles) < MIN_ARTICLES:
        raise ValueError(f"evolve_site needs a site of at least {MIN_ARTICLES} articles")
    # the state's date in the seed, so that each further day picks different articles
    rng = random.Random(f"evolve-{seed}-{site.now.isoformat()}")
    now = site.now + DAY
    seen = set(site_paragraphs(site))
    picks = _Picks(rng, site)

    deleted = picks.take("category_only") + picks.take(None, DELETED_ARTICLES - 1)
    gone = {a.path: 410 if i % 2 == 0 else 404 for i, a in enumerate(deleted)}
    changed_old = picks.take("category_only") + picks.take("sitemap_only")
    changed_old += picks.take(None, CHANGED_ARTICLES - len(changed_old))
    touched_old = [picks.stale(), *picks.take("listed", TOUCHED_ARTICLES - 1)]

    replaced: dict[str, Article] = {}
    for i, article in enumerate(changed_old):
        when = _during(rng, site.now)
        replaced[article.path] = _edit(rng, article, seen, when, append=i % 2 == 0)
    for article in touched_old:
        replaced[article.path] = dataclasses.replace(article, modified=_during(rng, site.now))

    tags = TagRegistry(max((t.term_id for t in site.tags), default=19) + 1, site.tags)
    fresh = _new_articles(rng, site, tags, seen, now)
    paste_promos(random.Random(f"promos-{seed}-{now.isoformat()}"), fresh, promos)

    kept = [replaced.get(a.path, a) for a in site.articles if a.path not in gone]
    stale = touched_old[0].path
    evolved = dataclasses.replace(
        site,
        articles=fresh[::-1] + kept,
        tags=tags.all(),
        now=now,
        gone={**site.gone, **gone},
        changes=SiteChanges(
            new=tuple(a.path for a in fresh[::-1]),
            changed=tuple(a.path for a in changed_old),
            touched=tuple(a.path for a in touched_old),
            deleted=gone,
        ),
        # the page a CDN cached from the state before (or from whatever state that one served)
        stale_pages={stale: site.stale_pages.get(stale, site)},
    )
    check_unique_paragraphs(evolved)
    return evolved


class _Picks:
    """Draws disjoint sets of articles, never the seed nor the two with special body links."""

    def __init__(self, rng: random.Random, site: Site) -> None:
        self._rng = rng
        special = {site.seed.slug, site.dead_link_slug, site.bare_link_slug}
        candidates = [a for a in site.articles if a.slug not in special]
        # validator-less articles are kept for the stale page, so their kind stays rare
        self._pool = [a for a in candidates if a.validators]
        self._bare = [a for a in candidates if not a.validators and a.reach != "category_only"]

    def take(self, kind: str | None, count: int = 1) -> list[Article]:
        """count articles of a reach kind (None: any; "listed": in the sitemaps)."""
        if kind == "listed":
            pool = [a for a in self._pool if a.reach != "category_only"]
        else:
            pool = [a for a in self._pool if kind is None or a.reach == kind]
        if len(pool) < count:
            raise ValueError(f"the site has too few {kind or 'free'} articles to evolve")
        chosen = self._rng.sample(pool, count)
        self._pool = [a for a in self._pool if a not in chosen]
        return chosen

    def stale(self) -> Article:
        """The validator-less article whose page stays byte for byte the same."""
        if not self._bare:
            raise ValueError("the site has no article served without validators")
        return self._rng.choice(self._bare)


def _during(rng: random.Random, start: datetime) -> datetime:
    """A time in the day after start, to the second."""
    return start + timedelta(seconds=rng.randint(60, int(DAY.total_seconds())))


def _edit(
    rng: random.Random, article: Article, seen: set[str], when: datetime, *, append: bool
) -> Article:
    """A copy of article with an "Update" paragraph appended or a quote added to a paragraph."""
    writer = prose.StoryWriter(rng, article.category.slug)
    blocks = list(article.blocks)
    if append:
        label = f"Update, {when:%B} {when.day}:"
        blocks.append(("p", prose.unique(lambda: f"{label} {writer.paragraph()}", seen)))
    else:
        paragraphs = [i for i, (kind, _) in enumerate(blocks) if kind == "p"]
        at = rng.choice(paragraphs[1:] or paragraphs)  # the lede stays, as editors leave it
        old = blocks[at][1]
        blocks[at] = ("p", prose.unique(lambda: f"{old} {writer.quote()}", seen))
    return dataclasses.replace(article, blocks=blocks, modified=when)


def _new_articles(
    rng: random.Random, site: Site, tags: TagRegistry, seen: set[str], now: datetime
) -> list[Article]:
    """The day's new stories, oldest first, with post ids above every earlier one."""
    reaches = ["sitemap_only", "category_only"] + ["normal"] * (NEW_ARTICLES - 2)
    rng.shuffle(reaches)
    # an hour's margin so that a story's own edits still fall within the day
    offsets = sorted(rng.sample(range(60, int(DAY.total_seconds()) - 3600), NEW_ARTICLES))
    taken = {a.slug for a in site.articles} | {path.strip("/") for path in site.gone}
    titles = {a.title for a in site.articles}
    post_id = max(a.post_id for a in site.articles)
    fresh = []
    for offset, reach in zip(offsets, reaches, strict=True):
        post_id += rng.randint(3, 28)
        category = rng.choices(site.categories, weights=SECTION_WEIGHTS)[0]
        writer = prose.StoryWriter(rng, category.slug)
        published = site.now + timedelta(seconds=offset)
        article = write_story(
            rng, writer, post_id, published, site.categories, tags, seen, titles, now=now
        )
        article.slug = _free_slug(article.slug, taken)
        article.reach = reach
        taken.add(article.slug)
        fresh.append(article)
    return fresh


def _free_slug(slug: str, taken: set[str]) -> str:
    """slug, or WordPress's "-2", "-3"... form of it that no article (live or deleted) has."""
    n, free = 1, slug
    while free in taken:
        n += 1
        free = f"{slug}-{n}"
    return free
