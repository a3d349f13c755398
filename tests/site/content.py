"""The replica's model: articles, authors, categories, tags and pages, built from a seed."""

from __future__ import annotations

import bisect
import contextlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.site import prose

SITE_NAME = "Nation World News"
SITE_URL = "https://nationworldnews.com"
NOW = datetime(2023, 5, 31, 18, 0, 0, tzinfo=UTC)
FIRST_DAY = datetime(2023, 3, 1, 0, 0, 0, tzinfo=UTC)
REACH_KINDS = ("normal", "sitemap_only", "category_only")
PROMO_LINES = (
    "Join Voice of America! subscribe our channel youtube Activate more notifications, "
    "or follow us on social networks: Facebook, Twitter I instagram,",
)


@dataclass(frozen=True)
class Promo:
    """A line the site's editors paste into a share of article bodies, above or below."""

    text: str
    share: float
    top: bool = False


# What a crawler has to learn is boilerplate: none of these is in any article's clean text.
SITE_PROMOS = (
    Promo(
        "Follow Nation World News on Google News and WhatsApp for the latest updates.",
        0.25,
        top=True,
    ),
    Promo(PROMO_LINES[0], 0.12),
    Promo(
        "Disclaimer: This story is published from a news agency feed without modifications "
        "to the text by the Nation World News staff.",
        0.2,
    ),
)
SEED_TITLE = "US and Peru extend two-year partnership to combat child trafficking"
SEED_PUBLISHED = datetime(2023, 5, 29, 14, 27, 36, tzinfo=UTC)
SEED_PARAGRAPHS = tuple(
    Path(__file__).with_name("seed_article.txt").read_text(encoding="utf-8").splitlines()
)


@dataclass(frozen=True)
class Author:
    """A staff writer, as WordPress shows one in bylines and author boxes."""

    slug: str
    name: str
    bio: str
    url: str
    user_id: int


@dataclass(frozen=True)
class Category:
    """A WordPress category (a section of the paper)."""

    slug: str
    name: str
    term_id: int


@dataclass(frozen=True)
class Tag:
    """A WordPress tag."""

    slug: str
    name: str
    term_id: int


@dataclass(frozen=True)
class Comment:
    """A reader comment shown under an article."""

    id: int
    author: str
    date: datetime
    text: str


@dataclass
class Article:
    """One post: its metadata, its clean body and how a crawler can reach it."""

    post_id: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    author: Author
    category: Category
    tags: list[Tag]
    blocks: list[tuple[str, str]]
    promo_lines: list[str]
    layout: str
    comments: list[Comment]
    related_empty: bool
    reach: str
    image: str
    promo_top: list[str] = field(default_factory=list)
    # False: served without ETag and Last-Modified, as behind a CDN rule that strips them
    validators: bool = True

    @property
    def path(self) -> str:
        """The permalink path, "/<slug>/"."""
        return f"/{self.slug}/"

    @property
    def expected_text(self) -> str:
        """The clean body an archive must hold: block texts joined by newlines."""
        return "\n".join(text for _, text in self.blocks)

    @property
    def excerpt(self) -> str:
        """The first sentence of the body, as the theme's teasers show it."""
        first = next(text for kind, text in self.blocks if kind == "p")
        return _SENTENCE_END.split(first, maxsplit=1)[0]

    @property
    def word_count(self) -> int:
        """Words in the clean body, as Yoast counts them for JSON-LD."""
        return len(self.expected_text.split())


@dataclass
class Page:
    """A static WordPress page (about, contact, privacy) or a members-only page."""

    page_id: int
    slug: str
    title: str
    paragraphs: list[str]
    published: datetime
    modified: datetime
    members: bool = False

    @property
    def path(self) -> str:
        """The page's path; members pages live under /members/."""
        return f"/members/{self.slug}/" if self.members else f"/{self.slug}/"


@dataclass(frozen=True)
class SiteChanges:
    """What one step of evolve_site did, by article path."""

    new: tuple[str, ...]
    changed: tuple[str, ...]  # the clean text differs
    touched: tuple[str, ...]  # modified (and sitemap lastmod) moved, the clean text did not
    deleted: dict[str, int]  # path -> the status the server answers (410 or 404)


@dataclass
class Site:
    """The whole replica: every article newest first, plus lookups the theme and tests use."""

    articles: list[Article]
    categories: list[Category]
    tags: list[Tag]
    authors: list[Author]
    pages: list[Page]
    members_pages: list[Page]
    now: datetime
    posts_per_sitemap: int
    dead_link_slug: str
    bare_link_slug: str
    # paths of deleted articles (every state so far) -> 410 or 404
    gone: dict[str, int] = field(default_factory=dict)
    changes: SiteChanges | None = None  # set by evolve_site: what differs from the state before
    # article paths still served as rendered from an earlier state: a CDN's copy that the
    # origin's re-save did not purge (see evolve_site)
    stale_pages: dict[str, Site] = field(default_factory=dict, repr=False, compare=False)
    # a CDN (tests/site/cdn.py) the theme's stylesheet takes a web font from, if any
    cdn_url: str | None = field(default=None, compare=False)
    _by_slug: dict[str, Article] = field(init=False, repr=False, compare=False)
    _by_id: dict[int, Article] = field(init=False, repr=False, compare=False)
    _normal: list[Article] = field(init=False, repr=False, compare=False)
    _normal_times: list[float] = field(init=False, repr=False, compare=False)
    # per category slug (so that a page renders in the same time on a site of 20,000)
    _listed_in: dict[str, list[Article]] = field(init=False, repr=False, compare=False)
    _normal_in: dict[str, list[Article]] = field(init=False, repr=False, compare=False)
    _normal_in_times: dict[str, list[float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_slug = {a.slug: a for a in self.articles}
        self._by_id = {a.post_id: a for a in self.articles}
        self._normal = [a for a in self.articles if a.reach == "normal"]
        # ascending, for bisect: the newest-first list negated
        self._normal_times = [-a.published.timestamp() for a in self._normal]
        self._listed_in, self._normal_in = {}, {}
        for article in self.articles:
            if article.reach != "sitemap_only":
                self._listed_in.setdefault(article.category.slug, []).append(article)
            if article.reach == "normal":
                self._normal_in.setdefault(article.category.slug, []).append(article)
        self._normal_in_times = {
            slug: [-a.published.timestamp() for a in articles]
            for slug, articles in self._normal_in.items()
        }

    @property
    def seed(self) -> Article:
        """The article copied from the real site."""
        return self._by_slug[prose_slug(SEED_TITLE)]

    def article_by_slug(self, slug: str) -> Article | None:
        """The article at /<slug>/, if any."""
        return self._by_slug.get(slug)

    def article_by_id(self, post_id: int) -> Article | None:
        """The article with this WordPress post id, if any."""
        return self._by_id.get(post_id)

    def expected_article_paths(self) -> set[str]:
        """Every article's permalink path: what a complete crawl must archive."""
        return {a.path for a in self.articles}

    def articles_with_reach(self, kind: str) -> list[Article]:
        """Articles of one reach kind ("normal", "sitemap_only", "category_only"), newest first."""
        if kind not in REACH_KINDS:
            raise ValueError(f"unknown reach kind {kind!r}")
        return [a for a in self.articles if a.reach == kind]

    def listed(self) -> list[Article]:
        """Articles that pages, blocks and the feed may link to (reach "normal"), newest first."""
        return self._normal

    def in_category(self, category: Category) -> list[Article]:
        """A category archive: normal and category-only articles, newest first."""
        return list(self._listed_in.get(category.slug, []))

    def with_tag(self, tag: Tag) -> list[Article]:
        """A tag archive's articles, newest first."""
        return [a for a in self._normal if tag in a.tags]

    def by_author(self, author: Author) -> list[Article]:
        """An author archive's articles, newest first."""
        return [a for a in self._normal if a.author == author]

    def in_sitemaps(self) -> list[Article]:
        """Articles the post sitemaps list (normal and sitemap-only), newest first."""
        return [a for a in self.articles if a.reach != "category_only"]

    def latest(self, exclude: Article | None = None, count: int = 4) -> list[Article]:
        """The newest listed articles, for "Latest news" blocks."""
        return [a for a in self._normal[: count + 1] if a is not exclude][:count]

    def related(self, article: Article, count: int = 3) -> list[Article]:
        """Listed articles of the same category published closest before (then after) article."""
        pool = self._normal_in.get(article.category.slug, [])
        # newest first: those from `split` on are older than the article
        split = bisect.bisect_right(
            self._normal_in_times.get(article.category.slug, []), -article.published.timestamp()
        )
        older = [a for a in pool[split:] if a is not article][:count]
        newer = [a for a in reversed(pool[:split]) if a is not article]
        return (older + newer)[:count]

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """The listed articles published just before and just after article."""
        i = bisect.bisect_left(self._normal_times, -article.published.timestamp())
        newer = self._normal[i - 1] if i > 0 else None
        if i < len(self._normal) and self._normal[i] is article:
            i += 1
        older = self._normal[i] if i < len(self._normal) else None
        return older, newer

    def category_by_slug(self, slug: str) -> Category | None:
        """The category with this slug, if any."""
        return next((c for c in self.categories if c.slug == slug), None)

    def tag_by_slug(self, slug: str) -> Tag | None:
        """The tag with this slug, if any."""
        return next((t for t in self.tags if t.slug == slug), None)

    def author_by_slug(self, slug: str) -> Author | None:
        """The author with this slug, if any."""
        return next((a for a in self.authors if a.slug == slug), None)

    def page_by_path(self, path: str) -> Page | None:
        """The static or members page at path, if any."""
        return next((p for p in self.pages + self.members_pages if p.path == path), None)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“])")

DESK_AUTHOR = Author(
    slug="nation-world-news-desk",
    name="Nation World News Desk",
    bio=(
        "Nation World News is the fastest emerging news website covering all the latest news, "
        "world’s top stories, science news entertainment sports cricket’s latest discoveries, "
        "new technology gadgets, politics news, and more."
    ),
    url="https://nationworldnews.com/",
    user_id=1,
)
STAFF = (
    Author(
        "maria-alvarez",
        "Maria Alvarez",
        "Maria Alvarez covers Latin America and migration for Nation World News from Lima. "
        "She previously reported for regional newspapers in Peru and Chile.",
        "",
        4,
    ),
    Author(
        "james-whitfield",
        "James Whitfield",
        "James Whitfield is the business and economics editor. He has written about markets, "
        "trade and energy for fifteen years.",
        "https://twitter.com/jwhitfield_news",
        5,
    ),
    Author(
        "priya-raman",
        "Priya Raman",
        "Priya Raman reports on science, health and technology, with a focus on climate "
        "research and public health in South Asia.",
        "",
        7,
    ),
    Author(
        "daniel-okafor",
        "Daniel Okafor",
        "Daniel Okafor writes about sport and culture. He has covered three World Cups and "
        "more film festivals than he can count.",
        "",
        9,
    ),
)
CATEGORY_NAMES = {
    "world": "World",
    "politics": "Politics",
    "business": "Business",
    "technology": "Technology",
    "science": "Science",
    "health": "Health",
    "sports": "Sports",
    "entertainment": "Entertainment",
}
# How often each section publishes, in CATEGORY_NAMES order: World leads, as the name says.
SECTION_WEIGHTS = (3, 2, 2, 1.5, 1, 1, 1.5, 1)
# Topic tags per section; a story also gets a tag for the country it is about.
SECTION_TAGS = {
    "world": ("Human trafficking", "Migration", "Diplomacy", "United Nations", "Refugees"),
    "politics": ("Elections", "Congress", "Budget", "Supreme Court", "Campaign 2024"),
    "business": ("Markets", "Inflation", "Interest rates", "Trade", "Jobs"),
    "technology": ("Artificial intelligence", "Cybersecurity", "Smartphones", "Privacy", "Chips"),
    "science": ("Climate change", "Space", "Oceans", "Fossils", "Astronomy"),
    "health": ("Vaccines", "Hospitals", "Outbreaks", "Nutrition", "Clinical trials"),
    "sports": ("Football", "Transfers", "Athletics", "Olympics", "Champions League"),
    "entertainment": ("Movies", "Music", "Film festivals", "Television", "Box office"),
}
SEED_TAGS = ("Peru", "United States", "Human trafficking", "State Department")
STATIC_PAGES = (
    (
        45,
        "about-us",
        "About Us",
        (
            "Nation World News is an independent digital newsroom that publishes around the "
            "clock, with editors in three time zones and contributors on four continents.",
            "We cover world affairs, politics, business, technology, science, health, sports "
            "and entertainment, and we aim to tell readers what happened, why it matters and "
            "what comes next.",
            "Our reporting draws on wire services, public records and our own correspondents. "
            "When we get something wrong, we correct it promptly and say so at the end of the "
            "story.",
        ),
    ),
    (
        47,
        "contact-us",
        "Contact Us",
        (
            "Readers can reach the newsroom at any hour through the form on this page or by "
            "writing to the editors at the address below.",
            "For corrections, please include the headline and the date of the story, and tell "
            "us what you believe is inaccurate.",
            "Press releases and news tips are read every day by the duty editor, although we "
            "cannot reply to every message individually.",
        ),
    ),
    (
        3,
        "privacy-policy",
        "Privacy Policy",
        (
            "This policy explains what information Nation World News collects when you visit "
            "the website and how that information is used.",
            "We use cookies to remember your preferences, to count visits and to understand "
            "which stories readers find most useful; you can disable them in your browser "
            "settings.",
            "Comments you leave on articles are stored together with the name and email "
            "address you provide, and may be checked by an automated spam detection service.",
            "We do not sell personal information to third parties. Requests to see or delete "
            "the data we hold about you can be sent through the contact page.",
        ),
    ),
)
MEMBERS_PAGES = (
    (
        61,
        "premium-briefing",
        "Premium Briefing",
        (
            "The Premium Briefing is a members-only digest written each evening by our senior "
            "editors, with analysis that does not appear anywhere else on the site.",
            "Members also receive early access to long-form investigations and a weekly "
            "question-and-answer session with our correspondents.",
        ),
    ),
    (
        63,
        "subscriber-archive",
        "Subscriber Archive",
        (
            "Every edition of the Premium Briefing since the programme began is kept in this "
            "archive, searchable by date and by topic.",
            "Please sign in with your membership account to open the archive.",
        ),
    ),
)


def prose_slug(title: str) -> str:
    """A WordPress-style slug: lower case, apostrophes and quotes dropped, hyphens between words."""
    text = re.sub(r"[’'“”\"]", "", title.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def build_site(
    articles: int = 100,
    seed: int = 2023,
    *,
    posts_per_sitemap: int | None = None,
    promos: tuple[Promo, ...] = SITE_PROMOS,
) -> Site:
    """Build the replica's model: the seed article plus articles - 1 generated ones.

    posts_per_sitemap defaults to 50 (so a small site still has several post sitemaps) and to
    1000 above 1000 articles; each of `promos` is pasted into its share of generated articles.
    """
    if articles < 1:
        raise ValueError("a site needs at least the seed article")
    rng = random.Random(seed)
    categories = [
        Category(slug, name, term_id=2 + i) for i, (slug, name) in enumerate(CATEGORY_NAMES.items())
    ]
    tags = TagRegistry(first_id=20)
    seen: set[str] = set(SEED_PARAGRAPHS)

    times = _publication_times(rng, articles - 1)
    post_id = 1040
    built: list[Article] = []
    writers: dict[int, prose.StoryWriter] = {}
    titles = {SEED_TITLE}
    for published in times:
        post_id += rng.randint(3, 28)  # attachments and revisions use ids in between
        if published == SEED_PUBLISHED:
            built.append(_seed_article(post_id, categories[0], tags))
            continue
        category = rng.choices(categories, weights=SECTION_WEIGHTS)[0]
        writer = prose.StoryWriter(rng, category.slug)
        writers[post_id] = writer
        built.append(write_story(rng, writer, post_id, published, categories, tags, seen, titles))
    built.reverse()  # newest first, as every listing shows them
    _dedupe_slugs(built)

    _assign_reach(rng, built)
    _assign_comments(rng, built, writers, seen)
    paste_promos(random.Random(f"promos-{seed}"), built, promos)
    _strip_validators(random.Random(f"cdn-{seed}"), built)

    static = [_page(spec, seen) for spec in STATIC_PAGES]
    members = [_page(spec, seen, members=True) for spec in MEMBERS_PAGES]
    normal = [a for a in built if a.reach == "normal" and a.title != SEED_TITLE] or [built[0]]
    size = posts_per_sitemap or (50 if articles <= 1000 else 1000)
    site = Site(
        articles=built,
        categories=categories,
        tags=tags.all(),
        authors=[DESK_AUTHOR, *STAFF],
        pages=static,
        members_pages=members,
        now=NOW,
        posts_per_sitemap=size,
        dead_link_slug=normal[min(2, len(normal) - 1)].slug,
        bare_link_slug=normal[min(4, len(normal) - 1)].slug,
    )
    check_unique_paragraphs(site)
    return site


class TagRegistry:
    """Tags created on first use, with increasing term ids, like WordPress terms."""

    def __init__(self, first_id: int, existing: list[Tag] | None = None) -> None:
        self._next_id = first_id
        self._by_name: dict[str, Tag] = {t.name: t for t in existing or []}

    def get(self, name: str) -> Tag:
        """The tag called name, created with the next term id if it is new."""
        if name not in self._by_name:
            self._by_name[name] = Tag(prose_slug(name), name, self._next_id)
            self._next_id += 1
        return self._by_name[name]

    def all(self) -> list[Tag]:
        """Every tag, by name."""
        return sorted(self._by_name.values(), key=lambda t: t.name)


def _publication_times(rng: random.Random, count: int) -> list[datetime]:
    """Distinct publication times between FIRST_DAY and NOW, the seed's among them, oldest first."""
    span = int((NOW - FIRST_DAY).total_seconds())
    seed_offset = int((SEED_PUBLISHED - FIRST_DAY).total_seconds())
    # one spare draw, in case it lands on the seed's second
    offsets = [s for s in rng.sample(range(span), count + 1) if s != seed_offset][:count]
    return sorted(FIRST_DAY + timedelta(seconds=s) for s in [*offsets, seed_offset])


def _seed_article(post_id: int, world: Category, tags: TagRegistry) -> Article:
    """The one article copied from nationworldnews.com, byte for byte."""
    return Article(
        post_id=post_id,
        slug=prose_slug(SEED_TITLE),
        title=SEED_TITLE,
        published=SEED_PUBLISHED,
        modified=SEED_PUBLISHED,
        author=DESK_AUTHOR,
        category=world,
        tags=[tags.get(name) for name in SEED_TAGS],
        blocks=[("p", text) for text in SEED_PARAGRAPHS],
        promo_lines=list(PROMO_LINES),
        layout="cloud",
        comments=[],
        related_empty=True,
        reach="normal",
        image="/wp-content/uploads/2023/05/us-and-peru-extend-two-year-partnership.jpg",
    )


def write_story(
    rng: random.Random,
    writer: prose.StoryWriter,
    post_id: int,
    published: datetime,
    categories: list[Category],
    tags: TagRegistry,
    seen: set[str],
    titles: set[str],
    now: datetime = NOW,
) -> Article:
    """A generated article: the writer's story, with dates, tags and layout."""
    category = next(c for c in categories if c.slug == writer.category)
    title = writer.title()
    for _ in range(12):
        if title not in titles:
            break
        title = writer.title()
    titles.add(title)

    blocks = [("p", prose.unique(writer.lede, seen))]
    paragraphs = rng.randint(3, 8)
    subheads = rng.choice((0, 0, 0, 1, 1, 2)) if paragraphs >= 4 else 0
    subhead_at = set(rng.sample(range(2, paragraphs + 1), subheads))
    for i in range(1, paragraphs + 1):
        if i in subhead_at:
            # when this cast's crossheads are all taken, the story runs without one
            with contextlib.suppress(RuntimeError):
                blocks.append(("h3", prose.unique(writer.subhead, seen, attempts=8)))
        blocks.append(("p", prose.unique(writer.paragraph, seen)))

    modified = published
    if rng.random() < 0.4:
        modified = min(published + timedelta(minutes=rng.randint(20, 6 * 60)), now)
    section_tags = rng.sample(SECTION_TAGS[category.slug], rng.randint(1, 3))
    author = DESK_AUTHOR if rng.random() < 0.7 else rng.choice(STAFF)
    slug = prose_slug(title)
    return Article(
        post_id=post_id,
        slug=slug,
        title=title,
        published=published,
        modified=modified,
        author=author,
        category=category,
        tags=[tags.get(writer.cast["country"]), *(tags.get(n) for n in section_tags)],
        blocks=blocks,
        promo_lines=[],
        layout="cloud" if rng.random() < 0.5 else "classic",
        comments=[],
        related_empty=False,
        reach="normal",
        image=f"/wp-content/uploads/{published:%Y/%m}/{'-'.join(slug.split('-')[:5])}.jpg",
    )


def paste_promos(rng: random.Random, articles: list[Article], promos: tuple[Promo, ...]) -> None:
    """Paste each promo line into its share of the generated articles (the seed has its own)."""
    for article in articles:
        if article.title == SEED_TITLE:
            continue
        for promo in promos:
            if rng.random() < promo.share:
                (article.promo_top if promo.top else article.promo_lines).append(promo.text)


def _strip_validators(rng: random.Random, articles: list[Article]) -> None:
    """Serve about 2% of articles (at least one) without validators, as some CDN rules do.

    Only articles in the sitemaps, so a crawler can see their lastmod move while the page it
    gets is the same bytes (evolve_site's stale page); never the seed.
    """
    pool = [a for a in articles if a.title != SEED_TITLE and a.reach != "category_only"]
    for article in rng.sample(pool, min(max(1, len(articles) // 50), len(pool))):
        article.validators = False


def _assign_reach(rng: random.Random, articles: list[Article]) -> None:
    """Mark about 8% sitemap-only and 8% category-only; category-only ones are older stories."""
    others = [a for a in articles if a.title != SEED_TITLE]
    share = int(len(articles) * 0.08)
    older = others[len(others) * 2 // 5 :]
    for article in rng.sample(older, min(share, len(older))):
        article.reach = "category_only"
    rest = [a for a in others if a.reach == "normal"]
    for article in rng.sample(rest, min(share, max(len(rest) - 1, 0))):
        article.reach = "sitemap_only"
    for article in articles:
        if article.layout == "cloud" and article.title != SEED_TITLE:
            article.related_empty = rng.random() < 1 / 3


def _dedupe_slugs(articles: list[Article]) -> None:
    """Give repeated slugs WordPress's "-2", "-3" suffixes, oldest article keeping the plain one."""
    counts: dict[str, int] = {}
    for article in reversed(articles):
        n = counts.get(article.slug, 0) + 1
        counts[article.slug] = n
        if n > 1:
            article.slug = f"{article.slug}-{n}"


def _assign_comments(
    rng: random.Random,
    articles: list[Article],
    writers: dict[int, prose.StoryWriter],
    seen: set[str],
) -> None:
    """Give about 15% of articles one to three reader comments, including both layouts."""
    comment_id = 300
    chosen = [a for a in articles if a.title != SEED_TITLE and rng.random() < 0.15]
    for layout in ("classic", "cloud"):
        if not any(a.layout == layout and a.reach == "normal" for a in chosen):
            candidates = [a for a in articles if a.layout == layout and a.reach == "normal"]
            candidates = [a for a in candidates if a.title != SEED_TITLE]
            if candidates:
                chosen.append(candidates[len(candidates) // 3])
    for article in sorted(chosen, key=lambda a: a.published):
        writer = writers[article.post_id]  # readers talk about the story's own people
        when = article.published
        for _ in range(rng.randint(1, 3)):
            comment_id += rng.randint(1, 9)
            when = min(when + timedelta(minutes=rng.randint(15, 900)), NOW)
            text = prose.unique(writer.comment, seen)
            article.comments.append(Comment(comment_id, rng.choice(prose.COMMENTERS), when, text))


def _page(spec: tuple, seen: set[str], *, members: bool = False) -> Page:
    """A static page from its fixed text."""
    page_id, slug, title, paragraphs = spec
    seen.update(paragraphs)
    published = datetime(2021, 6, 14, 9, 30, tzinfo=UTC) + timedelta(days=page_id)
    return Page(
        page_id=page_id,
        slug=slug,
        title=title,
        paragraphs=list(paragraphs),
        published=published,
        modified=published + timedelta(days=400 + page_id),
        members=members,
    )


def site_paragraphs(site: Site) -> list[str]:
    """Every block, comment and page paragraph of the site."""
    texts = [text for a in site.articles for _, text in a.blocks]
    texts += [c.text for a in site.articles for c in a.comments]
    texts += [p for page in site.pages + site.members_pages for p in page.paragraphs]
    return texts


def check_unique_paragraphs(site: Site) -> None:
    """Fail loudly if any paragraph appears twice: repeats would look like site boilerplate."""
    seen: set[str] = set()
    for text in site_paragraphs(site):
        if text in seen:
            raise AssertionError(f"paragraph repeated in the replica: {text[:60]!r}")
        seen.add(text)
