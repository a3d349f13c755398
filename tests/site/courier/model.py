"""The Riverside Courier's content model: articles, archives, events and pages, from a seed."""

from __future__ import annotations

import bisect
import contextlib
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property

from tests.site import prose

SITE_NAME = "The Riverside Courier"
TAGLINE = "News for the Riverside valley since 1887"
PER_PAGE = 10  # posts on a listing page
COMMENTS_PER_PAGE = 10  # top-level comments on a comment page
POSTS_PER_SITEMAP = 2000  # WordPress core's wp_sitemaps_get_max_urls()
EVENT_COUNT = 20
MIN_ARTICLES, MAX_ARTICLES = 20, 5000
REACH_KINDS = ("normal", "sitemap_only", "category_only")
# The "now" of the replica: the last article is published before it, events spread around it.
NOW_LOCAL = datetime(2024, 3, 15, 17, 0)


def central(moment: datetime) -> datetime:
    """A naive local time in Riverside (US Central, with daylight saving time) made aware."""
    year = moment.year
    # US rules since 2007: second Sunday of March to first Sunday of November, at 2 am
    march = date(year, 3, 8)
    start = datetime.combine(march + timedelta(days=(6 - march.weekday()) % 7), time(2))
    november = date(year, 11, 1)
    end = datetime.combine(november + timedelta(days=(6 - november.weekday()) % 7), time(2))
    hours = -5 if start <= moment < end else -6
    return moment.replace(tzinfo=timezone(timedelta(hours=hours)))


NOW = central(NOW_LOCAL)


def slugify(text: str) -> str:
    """A WordPress-style slug: lower case, quotes dropped, hyphens between words."""
    text = re.sub(r"[’'“”\"]", "", text.lower()).replace("&", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True)
class Author:
    """A WordPress user with published posts: byline, author archive and bio box."""

    user_id: int
    slug: str
    name: str
    bio: str

    @property
    def path(self) -> str:
        """The author archive."""
        return f"/author/{self.slug}/"


@dataclass(frozen=True)
class Category:
    """A section of the paper; its archive lives under the custom base /topics/."""

    term_id: int
    slug: str
    name: str
    bank: str  # the prose.py sentence bank its stories are written from
    description: str

    @property
    def path(self) -> str:
        """The category archive."""
        return f"/topics/{self.slug}/"


@dataclass(frozen=True)
class Tag:
    """A WordPress tag."""

    term_id: int
    slug: str
    name: str

    @property
    def path(self) -> str:
        """The tag archive."""
        return f"/tag/{self.slug}/"


@dataclass(frozen=True)
class Block:
    """One block of a post's content, as the block editor saves it.

    kind: "p", "h2", "h3", "blockquote" and "ul" (items) are the story; "figure" (text is
    the caption) and "readmore" (target is a post id) are in the content but not the story.
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    target: int = 0


STORY_KINDS = frozenset({"p", "h2", "h3", "blockquote", "ul"})


@dataclass(frozen=True)
class Comment:
    """A reader comment; parent is 0 for a top-level comment."""

    comment_id: int
    author: str
    when: datetime
    text: str
    parent: int = 0


@dataclass
class Article:
    """A news post."""

    post_id: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    author: Author
    category: Category
    tags: list[Tag]
    blocks: list[Block]
    views: int
    comments: list[Comment] = field(default_factory=list)
    reach: str = "normal"
    related: list[int] = field(default_factory=list)  # Jetpack Related Posts, post ids

    @cached_property
    def path(self) -> str:
        """The permalink ("Day and name"): /YYYY/MM/DD/<slug>/."""
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @cached_property
    def expected_text(self) -> str:
        """The story a reader would call the article: one line per block or list item, a
        list item marked "- " as the archive's texts mark them."""
        lines: list[str] = []
        for block in self.blocks:
            if block.kind == "ul":
                lines.extend(f"- {item}" for item in block.items)
            elif block.kind in STORY_KINDS:
                lines.append(block.text)
        return "\n".join(lines)

    @property
    def top_level_comments(self) -> list[Comment]:
        """Comments that are not replies, oldest first."""
        return [c for c in self.comments if c.parent == 0]

    @property
    def comment_pages(self) -> int:
        """How many comment pages the post has (1 when it has none or few)."""
        count = len(self.top_level_comments)
        return max(1, -(-count // COMMENTS_PER_PAGE))

    @cached_property
    def excerpt(self) -> str:
        """WordPress's automatic excerpt: the first 55 words of the story text."""
        return " ".join(self.expected_text.split()[:55])


@dataclass(frozen=True)
class Venue:
    """Where an event takes place."""

    name: str
    address: str


@dataclass
class Event:
    """A The Events Calendar event (post type tribe_events)."""

    post_id: int
    slug: str
    title: str
    start: datetime
    end: datetime
    venue: Venue
    cost: str
    paragraphs: list[str]

    @property
    def path(self) -> str:
        """The single event page."""
        return f"/event/{self.slug}/"


@dataclass(frozen=True)
class Page:
    """A static WordPress page."""

    page_id: int
    slug: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def path(self) -> str:
        """The page's permalink."""
        return f"/{self.slug}/"


@dataclass
class CourierSite:
    """The whole replica: what every route renders from."""

    seed: int
    now: datetime
    articles: list[Article]  # newest first
    categories: list[Category]
    tags: list[Tag]
    authors: list[Author]
    events: list[Event]  # by start time
    pages: list[Page]
    trending: list[str]  # search terms in the "Trending" widget
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # rendered fragments

    def __post_init__(self) -> None:
        self._by_id = {a.post_id: a for a in self.articles}
        self._by_slug = {a.slug: a for a in self.articles}
        self._categories = {c.slug: c for c in self.categories}
        self._tags = {t.slug: t for t in self.tags}
        self._authors = {a.slug: a for a in self.authors}
        self._events = {e.slug: e for e in self.events}
        self._pages = {p.path: p for p in self.pages}
        self._listed = [a for a in self.articles if a.reach == "normal"]

    def expected_article_paths(self) -> set[str]:
        """Every article's permalink: what a full crawl must archive."""
        return {a.path for a in self.articles}

    def articles_with_reach(self, kind: str) -> list[Article]:
        """The articles of one reach kind ("normal", "sitemap_only", "category_only")."""
        if kind not in REACH_KINDS:
            raise ValueError(f"unknown reach kind {kind!r}")
        return [a for a in self.articles if a.reach == kind]

    def article_by_id(self, post_id: int) -> Article | None:
        """The article with this post id."""
        return self._by_id.get(post_id)

    def article_by_slug(self, slug: str) -> Article | None:
        """The article with this slug."""
        return self._by_slug.get(slug)

    def article_by_path(self, path: str) -> Article | None:
        """The article whose permalink is path."""
        parts = path.strip("/").split("/")
        article = self._by_slug.get(parts[-1]) if len(parts) == 4 else None
        return article if article is not None and article.path == path else None

    def category_by_slug(self, slug: str) -> Category | None:
        """The category with this slug."""
        return self._categories.get(slug)

    def tag_by_slug(self, slug: str) -> Tag | None:
        """The tag with this slug."""
        return self._tags.get(slug)

    def author_by_slug(self, slug: str) -> Author | None:
        """The author with this slug."""
        return self._authors.get(slug)

    def event_by_slug(self, slug: str) -> Event | None:
        """The event with this slug."""
        return self._events.get(slug)

    def page_by_path(self, path: str) -> Page | None:
        """The static page at path."""
        return self._pages.get(path)

    def listed(self) -> list[Article]:
        """Articles every listing shows (home, tags, authors, dates, feed), newest first."""
        return self._listed

    def in_category(self, category: Category) -> list[Article]:
        """A category archive's posts, newest first: the listed ones and the category-only ones."""
        return [
            a
            for a in self.articles
            if a.category is category and a.reach in ("normal", "category_only")
        ]

    def in_sitemap(self) -> list[Article]:
        """The post sitemap's posts, by post id as WordPress core orders them."""
        chosen = [a for a in self.articles if a.reach in ("normal", "sitemap_only")]
        return sorted(chosen, key=lambda a: a.post_id)


# slug, name, prose bank, weight, description
CATEGORY_SPECS = (
    (
        "city-hall",
        "City Hall",
        "politics",
        24,
        "Council votes, budgets and the people who run Riverside and Harlan County.",
    ),
    (
        "business",
        "Business",
        "business",
        14,
        "Employers, shops and the money moving through the valley economy.",
    ),
    (
        "sports",
        "Sports",
        "sports",
        16,
        "High school, college and pro teams followed from the press box at Dunmore Field.",
    ),
    (
        "health",
        "Health",
        "health",
        10,
        "Clinics, hospitals and public health news for valley families.",
    ),
    (
        "environment",
        "Environment",
        "science",
        9,
        "The river, the weather and the science behind what happens to both.",
    ),
    (
        "arts-culture",
        "Arts & Culture",
        "entertainment",
        10,
        "Stages, galleries, books and screens around Riverside.",
    ),
    (
        "tech",
        "Technology",
        "technology",
        7,
        "How new technology lands in a river town, from broadband to factory robots.",
    ),
    (
        "nation-world",
        "Nation & World",
        "world",
        10,
        "Wire reports from beyond the valley, picked for Courier readers.",
    ),
)

AUTHOR_SPECS = (
    (
        "Dana Whitaker",
        "Dana Whitaker has covered Riverside City Hall since 2015 and still attends every "
        "budget hearing in person.",
    ),
    (
        "Marcus Ortega",
        "Marcus Ortega writes about business and labor in the valley; he grew up above his "
        "family’s hardware store on Water Street.",
    ),
    (
        "Priya Natarajan",
        "Priya Natarajan is the Courier’s health reporter and a former emergency room nurse.",
    ),
    (
        "Tom Kowalski",
        "Tom Kowalski has been the Courier’s sports editor for two decades and keeps a scorebook "
        "of every game he has seen.",
    ),
    (
        "Alicia Brooks",
        "Alicia Brooks covers the environment and the river, usually from a kayak.",
    ),
    (
        "Ben Okafor",
        "Ben Okafor reviews theater, music and books and edits the weekend arts pages.",
    ),
    (
        "Rachel Lindqvist",
        "Rachel Lindqvist covers technology and schools and runs the Courier’s data desk.",
    ),
    (
        "Courier Staff",
        "Stories credited to Courier Staff are written and edited by the newsroom together, "
        "often from wire copy.",
    ),
)
# The sections each writer covers most: the first of each entry's banks gets most stories.
AUTHOR_BEATS = {
    "politics": 0,
    "business": 1,
    "health": 2,
    "sports": 3,
    "science": 4,
    "entertainment": 5,
    "technology": 6,
    "world": 7,
}

# name, weight: a few heavy tags get several archive pages
TAG_SPECS = (
    ("Riverside County", 30),
    ("Harlan County", 18),
    ("Downtown", 14),
    ("City Council", 10),
    ("Budget", 8),
    ("Schools", 8),
    ("Public Safety", 6),
    ("Housing", 6),
    ("Transit", 5),
    ("Elections", 5),
    ("Weather", 5),
    ("The River", 5),
    ("Parks", 4),
    ("Small Business", 4),
    ("Jobs", 4),
    ("High School Sports", 4),
    ("Riverside Rapids", 4),
    ("Valley Community College", 3),
    ("Riverside Medical Center", 3),
    ("Broadband", 3),
    ("Arts Council", 3),
    ("Festivals", 3),
    ("Agriculture", 2),
    ("Water Quality", 2),
    ("Opinion", 2),
    ("Obituaries", 1),
    ("Courts", 2),
    ("Roads", 2),
    ("Libraries", 1),
    ("Wildlife", 1),
)

PAGE_SPECS = (
    (
        2,
        "about",
        "About the Courier",
        (
            "The Riverside Courier has reported on the Riverside valley since 1887, when it was a "
            "four-page weekly printed above a feed store on Water Street.",
            "Today a newsroom of eleven reporters and editors publishes online every day and in "
            "print on Wednesdays and Sundays.",
            "The Courier is owned by the Riverside Courier Trust, a nonprofit that answers to no "
            "advertiser and no party.",
        ),
    ),
    (
        3,
        "privacy-policy",
        "Privacy Policy",
        (
            "This policy explains what the Courier collects when you read our site, sign up for "
            "a newsletter or leave a comment.",
            "Comments store the name, email address and IP address you give us, for spam "
            "checks; emails are never shown publicly.",
            "Our analytics count visits without selling or sharing them, and you can ask us to "
            "delete any data we hold about you.",
        ),
    ),
    (
        14,
        "contact",
        "Contact Us",
        (
            "Tips, corrections and letters to the editor go to newsroom@riversidecourier.example "
            "or to our office at 120 Water Street.",
            "The front desk is open Monday to Friday from nine to five; call us at 555-0142.",
        ),
    ),
    (
        16,
        "advertise",
        "Advertise With Us",
        (
            "Reach forty thousand valley readers a week in print, online and in our morning "
            "newsletter.",
            "Our advertising team builds campaigns for businesses of every size, from a "
            "one-week classified to a season of sponsored events.",
        ),
    ),
    (
        18,
        "newsletter",
        "The Morning Courier Newsletter",
        (
            "The Morning Courier lands in your inbox at six every weekday with the stories the "
            "valley is talking about.",
            "It is free, it is written by our editors, and you can unsubscribe with one click.",
        ),
    ),
)

VENUES = (
    Venue("Riverside City Hall", "200 N Main St, Riverside"),
    Venue("The Orpheum Theatre", "418 Water St, Riverside"),
    Venue("Heron Marsh Nature Center", "9 Marsh Rd, Harlan"),
    Venue("Valley Community College", "1500 College Ave, Riverside"),
    Venue("Riverside Public Library", "55 Elm St, Riverside"),
    Venue("Bluff Park", "Bluff Park Dr, Riverside"),
)

# title, prose bank for the description
EVENT_SPECS = (
    ("Riverside Farmers Market Opening Day", "health"),
    ("City Council Budget Hearing", "politics"),
    ("Spring Jazz Night at the Orpheum", "entertainment"),
    ("Riverside Marathon Packet Pickup", "sports"),
    ("Friends of the Library Book Sale", "entertainment"),
    ("Valley Small Business Expo", "business"),
    ("River Cleanup Day", "science"),
    ("Free Flu Shot Clinic", "health"),
    ("High School Robotics Showcase", "technology"),
    ("Courier Community Forum: Housing", "politics"),
    ("Downtown Art Walk", "entertainment"),
    ("Youth Soccer Registration Day", "sports"),
    ("Startup Pitch Night", "technology"),
    ("Historical Society Lecture: The 1927 Flood", "science"),
    ("Planning Commission Public Meeting", "politics"),
    ("Blood Drive at Riverside Medical Center", "health"),
    ("Riverside Symphony Family Concert", "entertainment"),
    ("Job Fair at Valley Community College", "business"),
    ("Bird Count at Heron Marsh", "science"),
    ("Classic Car Show on Main Street", "entertainment"),
    ("Chamber of Commerce Breakfast", "business"),
    ("Trail Run at Bluff Park", "sports"),
    ("School Board Candidate Forum", "politics"),
    ("Coding Club for Seniors", "technology"),
)

PHOTOGRAPHERS = ("Jess Moreno", "Luis Alcott", "Kim Tran", "Courier file photo")
COMMENTERS = (*prose.COMMENTERS, "valleymom", "J. Pruitt", "RiverRat", "Gloria S.", "dmk")
_STOPWORDS = frozenset(
    [
        "about",
        "after",
        "again",
        "against",
        "among",
        "amid",
        "before",
        "first",
        "their",
        "there",
        "these",
        "those",
        "under",
        "until",
        "while",
        "where",
        "which",
        "would",
        "could",
        "should",
        "years",
        "people",
        "plans",
        "after",
        "over",
        "more",
        "than",
        "with",
        "from",
        "into",
        "says",
        "said",
        "will",
        "what",
        "when",
        "without",
        "million",
        "billion",
        "percent",
        "report",
        "changes",
    ]
)


def build_courier(articles: int = 300, seed: int = 7) -> CourierSite:
    """The replica with this many articles (20 to 5,000); the same arguments, the same site."""
    if not MIN_ARTICLES <= articles <= MAX_ARTICLES:
        raise ValueError(f"articles must be {MIN_ARTICLES} to {MAX_ARTICLES}, not {articles}")
    rng = random.Random(seed)
    categories = [
        Category(3 + i, slug, name, bank, text)
        for i, (slug, name, bank, _, text) in enumerate(CATEGORY_SPECS)
    ]
    weights = [spec[3] for spec in CATEGORY_SPECS]
    authors = [
        Author(2 + i, slugify(name), name, bio) for i, (name, bio) in enumerate(AUTHOR_SPECS)
    ]
    tags = [Tag(20 + i, slugify(name), name) for i, (name, _) in enumerate(TAG_SPECS)]
    tag_weights = [w for _, w in TAG_SPECS]
    pages = [Page(pid, slug, title, paras) for pid, slug, title, paras in PAGE_SPECS]
    seen: set[str] = set()
    for text in _fixed_paragraphs(categories, authors, pages):
        if text in seen:
            raise AssertionError(f"fixed paragraph repeated: {text[:60]!r}")
        seen.add(text)

    built: list[Article] = []
    writers: dict[int, prose.StoryWriter] = {}
    titles: set[str] = set()
    post_id = 120
    for published in _publication_times(rng, articles):
        post_id += rng.randint(2, 9)  # revisions and attachments take the ids in between
        category = rng.choices(categories, weights=weights)[0]
        writer = prose.StoryWriter(rng, category.bank)
        writers[post_id] = writer
        title = _fresh_title(writer, titles)
        modified = published
        if rng.random() < 0.45:
            modified = min(published + timedelta(minutes=rng.randint(12, 26 * 60)), NOW)
        beat = authors[AUTHOR_BEATS[category.bank]]
        author = beat if rng.random() < 0.6 else rng.choice(authors)
        chosen_tags = _pick_tags(rng, tags, tag_weights)
        built.append(
            Article(
                post_id=post_id,
                slug=slugify(title),
                title=title,
                published=published,
                modified=modified,
                author=author,
                category=category,
                tags=chosen_tags,
                blocks=_write_blocks(rng, writer, seen, published),
                views=int(rng.paretovariate(1.3) * 120),
            )
        )
    _dedupe_slugs(built)  # oldest first: the newer post of two gets the "-2", as in WordPress
    built.reverse()  # newest first, as every listing shows them

    _assign_reach(rng, built)
    _link_related(rng, built)
    _assign_comments(rng, built, writers, seen)
    events = _make_events(rng, post_id, seen)
    site = CourierSite(
        seed=seed,
        now=NOW,
        articles=built,
        categories=categories,
        tags=tags,
        authors=authors,
        events=events,
        pages=pages,
        trending=_trending_terms(built),
    )
    check_unique_paragraphs(site)
    return site


def _fixed_paragraphs(
    categories: list[Category], authors: list[Author], pages: list[Page]
) -> list[str]:
    texts = [c.description for c in categories] + [a.bio for a in authors]
    return texts + [p for page in pages for p in page.paragraphs]


def _publication_times(rng: random.Random, count: int) -> list[datetime]:
    """Distinct minutes between 6 am and 11 pm over the last weeks, oldest first."""
    per_day = 17 * 60
    days = max(40, count // 4)
    first = NOW_LOCAL.date() - timedelta(days=days - 1)
    # the last day ends at NOW (5 pm), not at 11 pm
    limit = (days - 1) * per_day + (NOW_LOCAL.hour - 6) * 60
    slots = sorted(rng.sample(range(limit), count))
    times = []
    for slot in slots:
        day, minute = divmod(slot, per_day)
        naive = datetime.combine(first + timedelta(days=day), time(6)) + timedelta(minutes=minute)
        times.append(central(naive))
    return times


def _fresh_title(writer: prose.StoryWriter, titles: set[str]) -> str:
    title = writer.title()
    for _ in range(12):
        if title not in titles:
            break
        title = writer.title()
    titles.add(title)
    return title


def _pick_tags(rng: random.Random, tags: list[Tag], weights: list[int]) -> list[Tag]:
    chosen: list[Tag] = []
    for _ in range(rng.randint(1, 4)):
        tag = rng.choices(tags, weights=weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return sorted(chosen, key=lambda t: t.name)


def _write_blocks(
    rng: random.Random, writer: prose.StoryWriter, seen: set[str], published: datetime
) -> list[Block]:
    """A story's blocks: lede, paragraphs, now and then subheads, a quote, a list, a photo."""
    blocks = [Block("p", prose.unique(writer.lede, seen))]
    paragraphs = rng.randint(4, 10)
    subheads = set(rng.sample(range(3, paragraphs + 1), rng.choice((0, 0, 1, 1, 2))))
    quote_at = rng.randint(2, paragraphs) if rng.random() < 0.22 else -1
    list_at = rng.randint(2, paragraphs) if rng.random() < 0.15 else -1
    figure_at = rng.randint(1, 3) if rng.random() < 0.35 else -1
    for i in range(1, paragraphs + 1):
        if i in subheads:
            # when this cast's crossheads are all taken, the story runs without one
            with contextlib.suppress(RuntimeError):
                kind = "h2" if rng.random() < 0.75 else "h3"
                blocks.append(Block(kind, prose.unique(writer.subhead, seen, attempts=8)))
        blocks.append(Block("p", prose.unique(writer.paragraph, seen)))
        if i == quote_at:
            with contextlib.suppress(RuntimeError):
                blocks.append(Block("blockquote", prose.unique(writer.quote, seen, attempts=10)))
        if i == list_at:
            with contextlib.suppress(RuntimeError):
                items = tuple(
                    prose.unique(writer.title, seen, 10) for _ in range(rng.randint(3, 4))
                )
                blocks.append(Block("ul", items=items))
        if i == figure_at:
            cast = writer.cast
            photographer = rng.choice(PHOTOGRAPHERS)
            caption = (
                f"A scene from {cast['city']} on {published:%B} {published.day}. "
                f"(Photo: {photographer} / The Riverside Courier)"
            )
            blocks.append(Block("figure", caption))
    return blocks


def _dedupe_slugs(articles: list[Article]) -> None:
    counts: dict[str, int] = {}
    for article in articles:
        counts[article.slug] = counts.get(article.slug, 0) + 1
        if counts[article.slug] > 1:
            article.slug = f"{article.slug}-{counts[article.slug]}"


def _assign_reach(rng: random.Random, articles: list[Article]) -> None:
    """About 8% sitemap-only, 8% category-only (a third of those at category page 3 or later).

    The newest article stays normal, so the home page and the feed start with it.
    """
    share = max(2, round(len(articles) * 0.08))
    sitemap_only = set(rng.sample(range(1, len(articles)), share))
    for i in sitemap_only:
        articles[i].reach = "sitemap_only"
    # a post's place in its category archive, newest first; sitemap-only posts are not there
    place: dict[int, int] = {}
    seen_in: Counter[str] = Counter()
    for i, article in enumerate(articles):
        if i not in sitemap_only:
            place[i] = seen_in[article.category.slug]
            seen_in[article.category.slug] += 1
    deep = [i for i, where in place.items() if where >= 2 * PER_PAGE and i != 0]
    want_deep = min(len(deep), max(3, share // 3))
    chosen = set(rng.sample(deep, want_deep))
    rest = [i for i in place if i != 0 and i not in chosen]
    chosen.update(rng.sample(rest, min(len(rest), share - want_deep)))
    for i in chosen:
        articles[i].reach = "category_only"


def _link_related(rng: random.Random, articles: list[Article]) -> None:
    """Jetpack Related Posts: the three listed posts of the same section nearest in time,
    and the "Read more" line pasted into about a third of the stories."""
    listed = [a for a in articles if a.reach == "normal"]  # newest first
    by_section: dict[str, list[Article]] = {}
    for article in listed:
        by_section.setdefault(article.category.slug, []).append(article)
    # negated timestamps: the pools are newest first, so bisect sees a rising order
    keys = {slug: [-a.published.timestamp() for a in pool] for slug, pool in by_section.items()}
    all_keys = [-a.published.timestamp() for a in listed]
    for article in articles:
        pool = by_section.get(article.category.slug, [])
        pool_keys = keys.get(article.category.slug, [])
        if len(pool) < 5:
            pool, pool_keys = listed, all_keys
        at = bisect.bisect_left(pool_keys, -article.published.timestamp())
        window = [a for a in pool[max(0, at - 4) : at + 5] if a is not article]
        window.sort(key=lambda a: (abs((a.published - article.published).total_seconds()), a.slug))
        article.related = [a.post_id for a in window[:3]]
        if len(window) > 3 and rng.random() < 0.33:
            target = window[3]
            spot = min(len(article.blocks), rng.randint(3, 5))
            article.blocks.insert(spot, Block("readmore", target=target.post_id))


def _assign_comments(
    rng: random.Random,
    articles: list[Article],
    writers: dict[int, prose.StoryWriter],
    seen: set[str],
) -> None:
    """About a third of the stories get comments; a few get enough for several pages."""
    comment_id = 900
    busy = {a.post_id for a in rng.sample(articles[3:], max(3, len(articles) // 30))}
    for article in sorted(articles, key=lambda a: a.published):
        if article.post_id in busy:
            count = rng.randint(14, 36)
        elif rng.random() < 0.3:
            count = rng.randint(1, 7)
        else:
            continue
        writer = writers[article.post_id]  # readers talk about the story's own people
        when = article.published
        top: list[int] = []
        for _ in range(count):
            comment_id += rng.randint(1, 6)
            when = min(when + timedelta(minutes=rng.randint(4, 400)), NOW)
            try:
                text = prose.unique(writer.comment, seen, attempts=30)
            except RuntimeError:
                break  # this cast has said all it can
            parent = top[-1] if top and rng.random() < 0.2 else 0
            if parent == 0:
                top.append(comment_id)
            article.comments.append(Comment(comment_id, rng.choice(COMMENTERS), when, text, parent))


def _make_events(rng: random.Random, last_post_id: int, seen: set[str]) -> list[Event]:
    """Twenty events from ten weeks before NOW to four months after it."""
    events = []
    post_id = last_post_id
    for title, bank in rng.sample(EVENT_SPECS, EVENT_COUNT):
        post_id += rng.randint(3, 12)
        day = NOW_LOCAL.date() + timedelta(days=rng.randint(-70, 120))
        start = central(datetime.combine(day, time(rng.randint(9, 19), rng.choice((0, 30)))))
        end = start + timedelta(minutes=rng.choice((60, 90, 120, 180)))
        writer = prose.StoryWriter(rng, bank)
        paragraphs = [prose.unique(writer.paragraph, seen) for _ in range(rng.randint(2, 3))]
        events.append(
            Event(
                post_id=post_id,
                slug=slugify(title),
                title=title,
                start=start,
                end=end,
                venue=rng.choice(VENUES),
                cost=rng.choice(("Free", "Free", "$5", "$10", "$25")),
                paragraphs=paragraphs,
            )
        )
    events.sort(key=lambda e: (e.start, e.slug))
    return events


def _trending_terms(articles: list[Article]) -> list[str]:
    """The five most common long words of listed headlines: the "Trending" searches."""
    counts: Counter[str] = Counter()
    for article in articles:
        if article.reach == "normal":
            for word in re.findall(r"[a-z]{6,}", article.title.lower()):
                if word not in _STOPWORDS:
                    counts[word] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:5]]


def site_paragraphs(site: CourierSite) -> list[str]:
    """Every paragraph-like text of the site's model: story blocks, comments, events, pages."""
    texts: list[str] = []
    for article in site.articles:
        for block in article.blocks:
            if block.kind == "ul":
                texts.extend(block.items)
            elif block.kind in STORY_KINDS:
                texts.append(block.text)
        texts.extend(c.text for c in article.comments)
    texts += [p for event in site.events for p in event.paragraphs]
    return texts + _fixed_paragraphs(site.categories, site.authors, site.pages)


def check_unique_paragraphs(site: CourierSite) -> None:
    """Fail loudly if any paragraph appears twice: a repeat would look like boilerplate."""
    seen: set[str] = set()
    for text in site_paragraphs(site):
        if text in seen:
            raise AssertionError(f"paragraph repeated in the replica: {text[:60]!r}")
        seen.add(text)
