"""What crawls learned about a site, kept so that the next crawl need not learn it again.

Three kinds of lesson: a URL family that was cut off as a trap (`trap_family`, the
family's shape as `spiders.families.family_of` writes it), a query parameter found to
change nothing on the site (`meaningless_param`), and the element that holds the text of
the site's articles (`body_container`, a CSS selector; `parsing.body_container`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

TRAP_FAMILY = "trap_family"
MEANINGLESS_PARAM = "meaningless_param"
BODY_CONTAINER = "body_container"


@dataclass
class SiteLessons:
    """A site's lessons: trap families, meaningless query parameters, body container."""

    trap_families: set[str] = field(default_factory=set)
    meaningless_params: set[str] = field(default_factory=set)
    body_container: str | None = None


def load_lessons(db: Database, site: str, history: Database | None = None) -> SiteLessons:
    """Everything earlier crawls learned about a site, in the archive and in the archive
    of earlier crawls when there is one (`history`, read first: `db` has the last word)."""
    lessons = SiteLessons()
    for source in (history, db):
        if source is None or "site_lessons" not in source.table_names():
            continue
        rows = source.execute("select kind, key from site_lessons where site = ?", [site])
        for kind, key in rows:
            if kind == TRAP_FAMILY:
                lessons.trap_families.add(key)
            elif kind == MEANINGLESS_PARAM:
                lessons.meaningless_params.add(key)
            elif kind == BODY_CONTAINER:
                lessons.body_container = key
    return lessons


def record_lesson(
    db: Database,
    site: str,
    kind: str,
    key: str,
    *,
    example: str | None,
    pages: int | None,
    run_id: int | None,
    learned_at: str,
) -> None:
    """Remember one lesson (a lesson learned again keeps its first record)."""
    with db.atomic():
        db.execute(
            """insert into site_lessons (site, kind, key, example, pages, run_id, learned_at)
               values (?, ?, ?, ?, ?, ?, ?) on conflict (site, kind, key) do nothing""",
            [site, kind, key, example, pages, run_id, learned_at],
        )


def forget_lesson(db: Database, site: str, kind: str, key: str, *, run_id: int | None) -> None:
    """Take back a lesson this run recorded and then found wrong (a family reopened)."""
    with db.atomic():
        db.execute(
            "delete from site_lessons where site = ? and kind = ? and key = ? and run_id is ?",
            [site, kind, key, run_id],
        )
