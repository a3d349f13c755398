"""Datasette views of the archive for `python -m archive serve`: an article's page, charts.

- `/-/article?url=URL`: the article's metadata, latest text, every version with a diff
  from the one before, and links to each capture replayed by pywb (the `replay` URL the
  serve command puts in the metadata); the `url` cells of the articles table link here.
- `/-/charts`: articles per day of publication, and each run's fetches by status, as
  plain SVG bar charts (no script, nothing fetched from elsewhere).
"""

from __future__ import annotations

import difflib
import html
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from datasette import Response, hookimpl
from markupsafe import Markup

PLUGIN = "news-archive"
STATUS_COLOURS = {"2": "#3a7d44", "3": "#4a6fa5", "4": "#d08c2b", "5": "#b23a48"}


def _dicts(results: Any) -> list[dict[str, Any]]:
    """A query's rows as dicts (Datasette 0.65's Results has no `dicts()`)."""
    return [dict(row) for row in results.rows]


def _replay(datasette: Any) -> str:
    return (datasette.plugin_config(PLUGIN) or {}).get("replay", "")


def _timestamp(value: str) -> str:
    """A WARC-Date-like UTC time as the 14 digits a replay URL takes."""
    return "".join(ch for ch in value if ch.isdigit())[:14]


def _capture_link(datasette: Any, url: str, fetched_at: str | None) -> str:
    if not fetched_at or not _replay(datasette):
        return ""
    return f"{_replay(datasette)}{_timestamp(fetched_at)}/{url}"


async def article_page(datasette: Any, request: Any) -> Response:
    """One article: metadata, text, versions, diffs and its captures."""
    url = request.args.get("url", "")
    db = datasette.get_database("archive")
    rows = _dicts(await db.execute("select * from articles where url = ?", [url]))
    if not rows:
        return Response.html(
            await datasette.render_template(
                "archive_article.html", {"missing": url, "article": None}, request=request
            ),
            status=404,
        )
    article = rows[0]
    versions = _dicts(
        await db.execute(
            """select v.version, v.captured_at, v.title, v.word_count, v.text,
                      f.fetched_at, f.url as fetched_url, f.warc_filename, f.warc_offset
               from versions v left join fetches f on f.id = v.fetch_id
               where v.article_id = ? order by v.version""",
            [article["id"]],
        )
    )
    captures = _dicts(
        await db.execute(
            """select fetched_at, status, warc_type from fetches
               where url = ? and warc_type in ('response', 'revisit') order by id""",
            [url],
        )
    )
    previous = None
    for version in versions:
        version["replay"] = _capture_link(datasette, url, version["fetched_at"])
        version["diff"] = (
            "\n".join(
                difflib.unified_diff(
                    previous["text"].split("\n"),
                    version["text"].split("\n"),
                    f"version {previous['version']}",
                    f"version {version['version']}",
                    lineterm="",
                )
            )
            if previous
            else ""
        )
        previous = version
    for capture in captures:
        capture["replay"] = _capture_link(datasette, url, capture["fetched_at"])
    context = {
        "article": article,
        "paragraphs": article["text"].split("\n"),
        "versions": versions,
        "captures": captures,
        "latest_replay": _capture_link(datasette, url, captures[-1]["fetched_at"])
        if captures
        else "",
        "missing": None,
    }
    return Response.html(
        await datasette.render_template("archive_article.html", context, request=request)
    )


def bar_chart(bars: list[tuple[str, dict[str, int]]], title: str, width: int = 900) -> str:
    """An SVG bar chart: one bar per label, stacked by series (status classes)."""
    if not bars:
        return f"<p>{html.escape(title)}: nothing yet.</p>"
    height, top, bottom = 220, 24, 40
    most = max(sum(parts.values()) for _, parts in bars) or 1
    step = max(2.0, (width - 60) / len(bars))
    out = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="14" font-size="13">{html.escape(title)} (most: {most})</text>',
    ]
    for i, (label, parts) in enumerate(bars):
        x, y = 50 + i * step, height - bottom
        for series, count in sorted(parts.items()):
            h = (height - top - bottom) * count / most
            y -= h
            colour = STATUS_COLOURS.get(series[:1], "#3a7d44")
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(1.0, step - 1):.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{html.escape(label)} '
                f"{html.escape(series)}: {count}</title></rect>"
            )
        if len(bars) <= 40 or i % max(1, len(bars) // 20) == 0:
            out.append(
                f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="9" '
                f'transform="rotate(45 {x:.1f},{height - bottom + 14})">{html.escape(label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


async def charts_page(datasette: Any, request: Any) -> Response:
    """Articles per day of publication; each run's fetches by status."""
    db = datasette.get_database("archive")
    per_day = (
        await db.execute(
            """select substr(published_utc, 1, 10) as day, count(*) from articles
               where published_utc is not null group by 1 order by 1"""
        )
    ).rows
    by_status: dict[str, dict[str, int]] = defaultdict(dict)
    for run_id, status, count in (
        await db.execute("select run_id, status, count(*) from fetches group by 1, 2 order by 1, 2")
    ).rows:
        by_status[f"run {run_id}"][str(status)] = count
    context = {
        "articles_chart": Markup(
            bar_chart([(day, {"2": n}) for day, n in per_day], "Articles per day of publication")
        ),
        "runs_chart": Markup(
            bar_chart(list(by_status.items()), "Fetches of each run, by HTTP status")
        ),
        "legend": STATUS_COLOURS,
    }
    return Response.html(
        await datasette.render_template("archive_charts.html", context, request=request)
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The article page and the charts."""
    return [(r"^/-/article$", article_page), (r"^/-/charts$", charts_page)]


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str) -> Markup | None:
    """An article's URL in the articles table links to its page."""
    if database == "archive" and table == "articles" and column == "url" and value:
        link = "/-/article?url=" + quote(str(value), safe="")
        return Markup(f'<a href="{html.escape(link)}">{html.escape(str(value))}</a>')
    return None


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Charts in Datasette's menu."""
    return [{"href": datasette.urls.path("/-/charts"), "label": "Archive charts"}]
