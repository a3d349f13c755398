"""A site's own boilerplate: paragraphs that recur in the bodies of many of its articles.

Every stored article's paragraphs are counted per site (`paragraphs`, linked to articles in
`article_paragraphs`). A paragraph found in at least `MIN_ARTICLES` articles and
`MIN_SHARE` of the site's articles becomes boilerplate: it is stripped from every later
capture, and the site's earlier articles (and their versions) are re-cleaned in place, each
re-clean recorded in `recleans`. A re-clean is not a new version: the page did not change,
only what the archive knows about the site. Learning is not undone as the site grows, so a
paragraph stays boilerplate even when its share would no longer qualify; only a
re-extraction that takes it out of the texts it was learned from gives it back
(`archive.reextract`: it was never the articles' text, but a rail the extraction now
leaves out).
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass

from sqlite_utils import Database

MIN_ARTICLES = 5
MIN_SHARE = 0.02


def normalise(paragraph: str) -> str:
    """The form two copies of one paragraph share: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", paragraph).casefold().split())


def paragraph_key(paragraph: str) -> str:
    """A stable key of a paragraph's normalised form."""
    return hashlib.sha256(normalise(paragraph).encode("utf-8")).hexdigest()


def strip_paragraphs(text: str, keys: set[str] | frozenset[str]) -> str:
    """The text without the paragraphs whose key is in `keys`."""
    return "\n".join(p for p in text.split("\n") if paragraph_key(p) not in keys)


def threshold(site_articles: int) -> int:
    """How many of a site's articles must hold a paragraph for it to be boilerplate."""
    return max(MIN_ARTICLES, math.ceil(MIN_SHARE * site_articles))


@dataclass(frozen=True)
class Learned:
    """A paragraph that has just become boilerplate for a site."""

    paragraph_id: int
    site: str
    key: str
    text: str
    article_count: int


class BoilerplateBook:
    """Counts a site's paragraphs and decides which are boilerplate (inside the caller's
    transaction; the caller owns commits)."""

    def __init__(self, db: Database, history: Database | None = None):
        self.db = db
        # an archive of earlier crawls (read-only): what it learned is learned here too
        self.history = history
        self._known: dict[str, frozenset[str]] = {}
        self._article_counts: dict[str, int] = {}

    def keys(self, site: str) -> frozenset[str]:
        """Keys of the paragraphs learned as boilerplate for a site."""
        if site not in self._known:
            learned = "select key from paragraphs where site = ? and boilerplate_since is not null"
            keys = {key for (key,) in self.db.execute(learned, [site])}
            if self.history is not None:
                keys |= {key for (key,) in self.history.execute(learned, [site])}
            self._known[site] = frozenset(keys)
        return self._known[site]

    def article_added(self, site: str) -> None:
        """Count a new article of the site (the caller inserted it)."""
        if site in self._article_counts:
            self._article_counts[site] += 1

    def forget_keys(self, site: str) -> None:
        """Drop the cached keys of a site (after its paragraphs were learned by others)."""
        self._known.pop(site, None)

    def forget_counts(self) -> None:
        """Drop the cached article counts (after a rolled-back transaction)."""
        self._article_counts.clear()

    def _site_articles(self, site: str) -> int:
        # counted once per site, then kept up to date by `article_added`
        if site not in self._article_counts:
            (count,) = self.db.execute(
                "select count(*) from articles where site = ?", [site]
            ).fetchone()
            self._article_counts[site] = count
        return self._article_counts[site]

    def observe(self, site: str, article_id: int, raw_text: str, seen_at: str) -> list[Learned]:
        """Count the paragraphs of an article's raw text; return those now boilerplate."""
        wanted: dict[str, str] = {}
        for paragraph in raw_text.split("\n"):
            if paragraph.strip():
                wanted.setdefault(paragraph_key(paragraph), paragraph)
        linked = dict(
            self.db.execute(
                """select p.key, p.id from article_paragraphs ap
                   join paragraphs p on p.id = ap.paragraph_id where ap.article_id = ?""",
                [article_id],
            ).fetchall()
        )
        for key in linked.keys() - wanted.keys():
            self.db.execute(
                "delete from article_paragraphs where article_id = ? and paragraph_id = ?",
                [article_id, linked[key]],
            )
            self.db.execute(
                "update paragraphs set article_count = article_count - 1 where id = ?",
                [linked[key]],
            )
        needed = threshold(self._site_articles(site))
        learned = []
        links = []
        for key in wanted.keys() - linked.keys():
            # one statement per paragraph: counted, and its count read back
            paragraph_id, count, since = self.db.execute(
                """insert into paragraphs (site, key, text, article_count, first_seen)
                   values (?, ?, ?, 1, ?)
                   on conflict (site, key) do update set article_count = article_count + 1
                   returning id, article_count, boilerplate_since""",
                [site, key, wanted[key], seen_at],
            ).fetchone()
            links.append((article_id, paragraph_id))
            if since is None and count >= needed:
                learned.append(Learned(paragraph_id, site, key, wanted[key], count))
        self.db.conn.executemany(
            "insert into article_paragraphs (article_id, paragraph_id) values (?, ?)", links
        )
        for item in learned:
            self.db.execute(
                "update paragraphs set boilerplate_since = ? where id = ?",
                [seen_at, item.paragraph_id],
            )
        if learned:
            self._known.pop(site, None)
        return learned

    def articles_holding(self, paragraph_id: int) -> list[int]:
        """Ids of the articles whose captures held a paragraph."""
        rows = self.db.execute(
            "select article_id from article_paragraphs where paragraph_id = ? order by article_id",
            [paragraph_id],
        )
        return [article_id for (article_id,) in rows]
