"""Traps found by behaviour: families of URLs that stop bringing new articles are cut off.

A family is the set of a site's URLs that share a shape: the same first path segment, the
same query parameter names, and numbers, dates and words anywhere else (`/tag/{w}/`,
`/category/{w}/{w}/{n}/`, `/events/{w}/{n}/`, `/{w}/?paged`). Every page the crawl fetches
gives its family a verdict: *fruitful* when the page is a new article or links to a URL
no one has asked for yet in a family where articles live; *fruitless* otherwise. A family
is cut after `patience` fruitless pages in a row, and every fruitful page it gave buys it
`patience` more, so a real archive (each page brings articles the sitemaps missed) goes
on while a calendar's months, a tag cloud whose articles are all known, or a sort filter
stop after a few pages. No pattern names them: the same rule meets any plugin's trap.

Until the site's own lists (sitemaps, feeds) have been read, every family waits
(`paused`): only then does the crawl know which articles a listing page adds, and a
tag archive of articles the sitemap already listed is judged for what it is.

A family is judged by what it leads to as well: a fruitful page credits the families of
the pages that led to it (a category's front page, whose articles the sitemap listed,
leads to its page 3, which brings an article nobody lists). A family cut in this crawl
that such a credit reaches is reopened, with the requests it had been refused.

The links of the site's home page are its front door: the sections it names, the pages it
puts forward. Each is fetched once whatever its family's verdicts so far (after the pause,
like the rest), and its own verdict never counts against the family; the pages they lead to
are judged as usual. One link per instance comes in this way, none with a query. So a
family is never cut on the strength of a few sections whose articles the sitemaps listed
while another section, not judged yet, holds articles that no sitemap lists. A family an
earlier crawl cut stays cut: its lesson holds at the door too.

In a crawl shared by workers each worker has its own families, and every verdict is told
to all of them (`spiders/shared_frontier.py`): a verdict on a page another worker sent
counts like any other but frees no place among the pages pending here (`own`). What
the other workers sent is told too (`sent_elsewhere`): their pages still awaiting a
verdict count against the patience here as this worker's own do, so a family is probed
one page at a time by the whole crawl, not by each worker.

Requests into a family wait in its backlog while the pages still waiting for a verdict
would already spend what is left of its patience, so a burst of links to one family
(every article links its tags) never sends more pages than the verdicts allow. The backlog
takes its members in turn from each *instance* of the family (the URL with only its
numbers masked: one category's pagination, another's), deepest first (the highest
numbers): a family is judged on a spread of its members, and the pages of an archive that
bring what no sitemap lists are its oldest, its last pages, more often than its second.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

# A segment of digits and separators only: a page number, a year, a date, an id.
_NUMBER = re.compile(r"^\d[\d\-_.,:]*$")
_DIGITS = re.compile(r"\d+")

Held = TypeVar("Held", bound=Hashable)


def instance_of(url: str) -> str:
    """The instance of a family a URL belongs to: its path with numbers masked, and its
    query parameter names (`/topics/city-hall/?paged` for every page of that archive)."""
    parts = urlsplit(url)
    path = "/".join("{n}" if _NUMBER.match(s) else s for s in parts.path.split("/"))
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(names) if names else "")


def depth_of(url: str) -> tuple[int, ...]:
    """The numbers of a URL (path, then query values), as its depth in its instance."""
    parts = urlsplit(url)
    return tuple(int(n) for n in _DIGITS.findall(f"{parts.path}?{parts.query}"))


class Backlog(Generic[Held]):
    """Requests waiting in a family: one instance after another, each instance's deepest
    member first (the highest numbers), first come first served among equals."""

    def __init__(self) -> None:
        self._queues: dict[str, list[tuple[tuple[int, ...], int, str, Held]]] = {}
        self._serial = 0

    def append(self, url: str, held: Held) -> None:
        """Queue a request for `url`."""
        self._serial += 1
        entry = (depth_of(url), -self._serial, url, held)
        self._queues.setdefault(instance_of(url), []).append(entry)

    def popleft(self) -> Held:
        """The next request: the deepest of the instance whose turn it is."""
        instance = next(iter(self._queues))
        queue = self._queues.pop(instance)
        deepest = max(range(len(queue)), key=lambda i: queue[i][:2])
        held = queue.pop(deepest)[3]
        if queue:
            self._queues[instance] = queue  # back of the line
        return held

    def take(self, url: str) -> Held | None:
        """The request for `url`, taken out of the backlog; None when none waits."""
        instance = instance_of(url)
        queue = self._queues.get(instance, [])
        for i, entry in enumerate(queue):
            if entry[2] == url:
                del queue[i]
                if not queue:
                    del self._queues[instance]
                return entry[3]
        return None

    def drain(self) -> list[tuple[str, Held]]:
        """Every request with its URL, emptying the backlog."""
        items = [(e[2], e[3]) for queue in self._queues.values() for e in queue]
        self._queues.clear()
        return items

    def __iter__(self) -> Iterator[Held]:
        return (entry[3] for queue in self._queues.values() for entry in queue)

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def __bool__(self) -> bool:
        return bool(self._queues)


def family_of(url: str) -> str:
    """The family of a URL: its shape, with numbers, dates and words masked."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    # A first segment that is a word names the kind of page (tag, category, events) when
    # others follow it; a lone segment is a slug like any other.
    first = segments[1] if len(segments) > 1 else ""
    named = first and not _NUMBER.match(first) and any(segments[2:])
    keep = 1 if named else None
    masked = [
        s if not s or i == keep else "{n}" if _NUMBER.match(s) else "{w}"
        for i, s in enumerate(segments)
    ]
    path = "/".join(masked) or "/"
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(names) if names else "")


@dataclass
class Family:
    """What the crawl has seen of one family: verdicts so far and pages still pending."""

    key: str
    fetched: int = 0
    fruitful: int = 0
    streak: int = 0  # fruitless verdicts since the last fruitful one
    pending: int = 0  # pages sent into the family and not judged yet
    # pages other workers of a shared crawl sent into the family, not judged yet (URLs)
    elsewhere: set[str] = field(default_factory=set)
    cut: bool = False
    example: str = ""  # a URL of the family, for the log
    backlog: Backlog = field(default_factory=Backlog)
    # requests into the family after it was cut in this crawl (with their URLs), kept in
    # case it is reopened
    retained: deque = field(default_factory=deque)
    reopened: int = 0

    def allowance(self, patience: int) -> int:
        """Fruitless pages in a row the family may still give before it is cut."""
        return patience * (1 + self.fruitful)

    def take(self, url: str) -> Any:
        """The request for `url` that waits in the backlog or was kept when the family
        was cut, taken out; None when it is in neither."""
        held = self.backlog.take(url)
        if held is not None:
            return held
        for i, (kept_url, kept) in enumerate(self.retained):
            if kept_url == url:
                del self.retained[i]
                return kept
        return None

    def may_send(self, patience: int) -> bool:
        """Whether one more page may go out now: never more pending than the patience left,
        and one at a time until the family has brought an article (its first pages may
        teach a lesson, a meaningless parameter, that makes the next ones unnecessary)."""
        in_flight = self.pending + len(self.elsewhere)
        if self.fruitful == 0 and in_flight > 0:
            return False
        return in_flight + self.streak < self.allowance(patience)


class TrapFamilies(Generic[Held]):
    """The families of one site: which may be expanded, and what waits for a verdict."""

    def __init__(self, patience: int, cut: set[str] | None = None):
        if patience < 1:
            raise ValueError("patience must be at least 1")
        self.patience = patience
        self.families: dict[str, Family] = {}
        # Families cut by an earlier crawl: not paid for again.
        for key in cut or ():
            self._family(key).cut = True
        self.newly_cut: list[Family] = []
        # True while the site's sitemaps and feeds are still being read
        self.paused = False
        self._dropped_early = 0  # requests into families cut by an earlier crawl
        self.newly_reopened: list[Family] = []
        # requests from the site's front door, waiting for the pause to end
        self._front: list[tuple[str, Held]] = []
        self._front_instances: set[str] = set()
        # pages judged before this worker heard that another worker sent them
        self._judged_unsent: set[str] = set()

    def _family(self, key: str) -> Family:
        family = self.families.get(key)
        if family is None:
            family = self.families[key] = Family(key)
        return family

    def is_cut(self, key: str) -> bool:
        """True when the family has been cut off (in this crawl or an earlier one)."""
        family = self.families.get(key)
        return family is not None and family.cut

    def offer(self, key: str, url: str, held: Held) -> Held | None:
        """`held` (a request into the family) when it may go now; else it waits or is dropped."""
        family = self._family(key)
        family.example = family.example or url
        if family.cut:
            if family.fetched:  # cut in this crawl: kept, in case a credit reopens it
                family.retained.append((url, held))
            else:
                self._dropped_early += 1
            return None
        if not self.paused and family.may_send(self.patience):
            family.pending += 1
            return held
        family.backlog.append(url, held)
        return None

    def offer_front(self, key: str, url: str, held: Held) -> Held | None:
        """`held` (a link of the home page) when it may go now: whatever the family's
        verdicts, once the pause is over; dropped only if an earlier crawl cut the family.

        Only links `at_the_door` come in this way; offer the others like any link."""
        family = self._family(key)
        family.example = family.example or url
        if family.cut and not family.fetched:
            self._dropped_early += 1
            return None
        self._front_instances.add(instance_of(url))
        if self.paused:
            self._front.append((key, held))
            return None
        family.pending += 1
        return held

    def at_the_door(self, url: str) -> bool:
        """Whether a link of the home page may come in by the front door: one link per
        instance, none with a query (the door names sections, not every day of a
        calendar widget or a page's variants)."""
        return not urlsplit(url).query and instance_of(url) not in self._front_instances

    def promote(self, key: str, url: str) -> Held | None:
        """A link of the home page that was already offered (a sitemap listed it): taken
        from its family's backlog, or from what the family kept when it was cut, and
        offered at the front door; None when it has gone out already."""
        family = self.families.get(key)
        if family is None or not self.at_the_door(url):
            return None
        held = family.take(url)
        return None if held is None else self.offer_front(key, url, held)

    def _release_front(self) -> list[Held]:
        front, self._front = self._front, []
        for key, _ in front:
            self._family(key).pending += 1
        return [held for _, held in front]

    def sent(self, key: str) -> None:
        """A request into the family went out without being offered (a trusted source)."""
        self._family(key).pending += 1

    def sent_elsewhere(self, key: str, url: str) -> None:
        """Another worker of a shared crawl sent `url` into the family: it waits for a
        verdict there, and counts here against the family's patience until it has one."""
        if url in self._judged_unsent:  # its verdict was heard first
            self._judged_unsent.discard(url)
            return
        self._family(key).elsewhere.add(url)

    @property
    def dropped(self) -> int:
        """Requests not sent (so far) because their family was cut."""
        kept = sum(len(f.retained) for f in self.families.values() if f.cut)
        return self._dropped_early + kept

    def judge(
        self,
        key: str,
        fruitful: bool,
        *,
        trusted: bool = False,
        lineage: tuple[str, ...] = (),
        hopeless: bool = False,
        own: bool = True,
        url: str = "",
    ) -> list[Held]:
        """Record a page's verdict; return the requests its family may now send.

        A page the crawl trusts (the home page, an archived page fetched again) proves
        its family when fruitful, and a fruitless one never counts against it. A fruitful
        page also credits the families in its `lineage` (those of the pages that led to it).
        A `hopeless` page (one that can neither be an article nor lead to one, whatever
        its family's other members) spends at once the patience of a family that has
        brought nothing yet. A verdict on a page these families did not send (`own`
        False: another worker of a shared crawl sent it) counts like any other, but
        frees no place among the pages pending here: only the place of its `url` among
        the pages sent elsewhere.
        """
        released: list[Held] = []
        if fruitful:
            for ancestor in dict.fromkeys(lineage):
                if ancestor != key:
                    released += self._credit(ancestor)
        family = self._family(key)
        if own:
            family.pending = max(0, family.pending - 1)
        elif url in family.elsewhere:
            family.elsewhere.discard(url)
        elif url:
            self._judged_unsent.add(url)
        family.fetched += 1
        if fruitful:
            family.fruitful += 1
            family.streak = 0
        elif not trusted:
            family.streak += 1
            if hopeless and family.fruitful == 0:
                family.streak = max(family.streak, family.allowance(self.patience))
        if not family.cut and family.streak >= family.allowance(self.patience):
            family.cut = True
            self.newly_cut.append(family)
            family.retained.extend(family.backlog.drain())
            return released
        return released + ([] if self.paused else self._release(family))

    def _credit(self, key: str) -> list[Held]:
        """A page this family led to was fruitful: the family was worth following."""
        family = self.families.get(key)
        if family is None:
            return []
        family.fruitful += 1
        family.streak = 0
        if family.cut and family.fetched:  # cut in this crawl: reopen it
            family.cut = False
            family.reopened += 1
            for url, held in family.retained:
                family.backlog.append(url, held)
            family.retained.clear()
            self.newly_reopened.append(family)
        return [] if family.cut or self.paused else self._release(family)

    def forget(self, key: str) -> list[Held]:
        """A request into the family will never give a verdict (the scheduler dropped it as
        a duplicate): free its place; return the requests the family may now send."""
        family = self._family(key)
        family.pending = max(0, family.pending - 1)
        return [] if family.cut or self.paused else self._release(family)

    def _release(self, family: Family) -> list[Held]:
        released = []
        while family.backlog and family.may_send(self.patience):
            family.pending += 1
            released.append(family.backlog.popleft())
        return released

    def resume(self) -> list[Held]:
        """The site's lists have been read: end the pause; return what may go now."""
        self.paused = False
        released = self._release_front()
        for family in self.families.values():
            if not family.cut:
                released += self._release(family)
        return released

    def release_stalled(self) -> list[Held]:
        """When the crawl has nothing left to do: a verdict still awaited will never come
        (the request vanished on the way, say a redirect dropped as off-site), so it counts
        as a fruitless one; send what the families may then send."""
        self.paused = False
        released = self._release_front()
        for family in list(self.families.values()):
            family.elsewhere.clear()  # the whole crawl is quiet: nothing is in flight
            if family.backlog and not family.cut:
                lost, family.pending = family.pending, 0
                for _ in range(lost):
                    family.pending += 1
                    released += self.judge(family.key, False)
                    if family.cut:
                        break
                if not family.cut:
                    released += self._release(family)
        return released

    def held(self) -> int:
        """Requests waiting in the families' backlogs (and at the front door)."""
        return len(self._front) + sum(len(family.backlog) for family in self.families.values())

    def take_newly_cut(self) -> list[Family]:
        """Families cut since the last call (to log each once)."""
        cut, self.newly_cut = self.newly_cut, []
        return cut

    def take_newly_reopened(self) -> list[Family]:
        """Families reopened since the last call (to log each once)."""
        reopened, self.newly_reopened = self.newly_reopened, []
        return reopened

    def cut_here(self) -> list[Family]:
        """Families this crawl cut and did not reopen: the lessons it leaves."""
        return [f for f in self.families.values() if f.cut and f.fetched]
