"""A thin click layer over the archive's Python API; errors are one line and exit 2."""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from archive.changes import RunChanges, run_changes
from archive.db import ArchiveError, open_archive, open_archive_readonly
from archive.export import (
    FORMATS,
    METADATA_FILE,
    STREAM_FORMATS,
    DataCard,
    export_to_file,
    write_export,
)
from archive.history import (
    ArticleNotFound,
    History,
    VersionDiff,
    changed_metadata,
    diff_versions,
    line_changes,
    load_history,
    utc_label,
)
from archive.lessons import BODY_CONTAINER, TRAP_FAMILY
from archive.lock import ArchiveBusy, ArchiveLock
from archive.queries import ExportFilter, archive_stats, count_export_rows, export_rows, search


class CliError(click.ClickException):
    """Bad input from the user: one line on stderr and exit status 2, never a traceback."""

    exit_code = 2


def _open(archive_dir: str):
    try:
        return open_archive_readonly(archive_dir)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="news-archiver")
def cli() -> None:
    """Query, search, inspect and export a news archive made by the crawler.

    An archive is a directory holding archive.db (SQLite) and warc/*.warc.gz.

    \b
    Example:
        python -m archive stats data
    """


@cli.command()
@click.argument("archive_dir")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "--output",
    "-o",
    default="-",
    help="File to write (a folder for text); '-' for standard output (jsonl and csv only).",
)
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option("--query", help="Only articles matching this full-text (FTS5) query.")
@click.option(
    "--site", multiple=True, help="Only this site's articles (host:port, as `stats` shows)."
)
@click.option("--section", multiple=True, help="Only articles of this section (in any case).")
@click.option(
    "--language", multiple=True, help="Only articles in this language (en takes en-US too)."
)
@click.option(
    "--exclude-gone", is_flag=True, help="Leave out articles whose URL now answers 404 or 410."
)
@click.option("--all-versions", is_flag=True, help="One record per version, not per article.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file or text export.")
def export(
    archive_dir: str,
    fmt: str,
    output: str,
    since: str | None,
    until: str | None,
    query: str | None,
    site: tuple[str, ...],
    section: tuple[str, ...],
    language: tuple[str, ...],
    exclude_gone: bool,
    all_versions: bool,
    force: bool,
) -> None:
    """Export articles (clean text and metadata) as JSON Lines, CSV, Parquet or text files.

    Each record holds the article's URL, site, title, author and authors, dates,
    language, section, tags, clean text, word count, version, capture time, the WARC
    record the text came from, the extractor that made it and, for an article whose URL
    now answers 404 or 410, gone_at (README, "Exporting", describes every field).
    --format parquet writes typed columns; --format text writes a folder with one UTF-8
    file per article and metadata.jsonl. Both carry a data card (the archive, the
    filters, the counts, the publication dates, the extractors). --site, --section and
    --language may be given more than once.

    \b
    Example:
        python -m archive export data --format jsonl --output articles.jsonl
        python -m archive export data --since 2023-05-01 --query "child trafficking"
        python -m archive export data --format parquet --output news.parquet --exclude-gone
        python -m archive export data --format text --output corpus --language en
    """
    if output == "-" and fmt not in STREAM_FORMATS:
        kind = "a folder" if fmt == "text" else "a file"
        raise CliError(
            f"--format {fmt} needs --output PATH ({kind}); only jsonl and csv go to standard output"
        )
    db = _open(archive_dir)
    selection = ExportFilter(
        since=since,
        until=until,
        query=query,
        all_versions=all_versions,
        site=site,
        section=section,
        language=language,
        exclude_gone=exclude_gone,
    )
    try:
        target = None
        if output != "-":
            target = _output_folder(output, force) if fmt == "text" else _output_file(output, force)
        # a bad date range or --query fails here, before any output
        total = count_export_rows(db, selection)
        # a bar on a terminal; in a pipe or a log (or over records on that terminal), none
        with click.progressbar(
            length=total,
            label=f"Exporting to {output}" if target else "Exporting",
            file=sys.stderr,
            hidden=not sys.stderr.isatty() or (target is None and sys.stdout.isatty()),
        ) as bar:
            rows = _counting(export_rows(db, selection), bar)
            if target is None:
                _export_to_stdout(rows, fmt)
                return
            card = DataCard(archive_dir, selection, fmt)
            count = export_to_file(rows, fmt, target, card)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"Exported {count} records to {output}", err=True)


def _export_to_stdout(rows: Iterator[dict[str, Any]], fmt: str) -> None:
    """Write export records to standard output, a reader that stops early being no error."""
    try:
        write_export(rows, fmt, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (`head`, a pager) had enough: not an error, as for cat.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _check_parent(output: str, target: Path) -> None:
    """Refuse an output whose folder is missing or not writable."""
    if not target.parent.is_dir():
        raise CliError(f"cannot write {output}: folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK):
        raise CliError(f"cannot write {output}: folder {target.parent} is not writable")


def _output_file(output: str, force: bool) -> Path:
    """The file a command is to write, refused before any work if it cannot be."""
    target = Path(output)
    if target.exists() and not force:
        raise CliError(f"{output} already exists; pass --force to overwrite it")
    if target.is_dir():
        raise CliError(f"{output} is a directory")
    _check_parent(output, target)
    return target


def _counting(rows: Iterator[dict[str, Any]], bar: Any) -> Iterator[dict[str, Any]]:
    for row in rows:
        bar.update(1)
        yield row


def _output_folder(output: str, force: bool) -> Path:
    """The folder a text export is to fill, refused before any work if it cannot be."""
    target = Path(output).resolve()
    if target.exists() and not target.is_dir():
        raise CliError(f"{output} is a file; --format text writes a folder")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise CliError(f"{output} already exists; pass --force to replace it")
        if not (target / METADATA_FILE).is_file():
            # --force replaces an export made before, never a folder of other files
            raise CliError(f"{output} holds files but no {METADATA_FILE}: not a text export")
    _check_parent(output, target)
    return target


@cli.command(name="wacz")
@click.argument("archive_dir")
@click.option("--output", "-o", required=True, help="The .wacz file to write.")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option("--site", help="Only this site's articles (host:port, as `stats` shows).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def wacz_command(
    archive_dir: str,
    output: str,
    since: str | None,
    until: str | None,
    site: str | None,
    force: bool,
) -> None:
    """Package the archive as a WACZ file, to open in ReplayWeb.page.

    The WACZ holds the WARC records, a CDXJ index of them, pages/pages.jsonl with one
    line per article (URL, capture time, title and clean text, which ReplayWeb.page
    searches) and datapackage.json with every file's size and SHA-256. Without filters
    every WARC file goes in whole. With --since/--until (publication dates) or --site,
    only the matching articles are listed, and only the WARC records they need go in:
    every capture of their URLs and of redirects to them (response and request
    records), the captures their revisit records refer to, and the page requisites of
    the crawls that made those captures.

    \b
    Example:
        python -m archive wacz data --output news.wacz
        python -m archive wacz data --output may.wacz --since 2023-05-01 --until 2023-05-31
    """
    from archive.wacz import WaczFilter, plan_wacz, wacz_to_file

    if not output.endswith(".wacz"):
        raise CliError(f"{output}: a WACZ file's name ends in .wacz (replay tools go by it)")
    db = _open(archive_dir)
    target = _output_file(output, force)
    try:
        plan = plan_wacz(db, archive_dir, WaczFilter(since=since, until=until, site=site))
        # a bar on a terminal; in a pipe or a log, only the summary line
        with click.progressbar(
            length=plan.bytes_to_read,
            label=f"Writing {output}",
            file=sys.stderr,
            hidden=not sys.stderr.isatty(),
        ) as bar:
            summary = wacz_to_file(plan, target, progress=bar.update)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(
        f"Wrote {output}: {_plural(summary.pages, 'page')}, "
        f"{_plural(summary.records, 'WARC record')} in {_plural(summary.warc_files, 'file')}, "
        f"{summary.bytes / 1e6:.1f} MB",
        err=True,
    )


@cli.command()
@click.argument("archive_dir")
@click.option("--site", help="Only this site's articles (host:port, as `stats` shows).")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--processes", type=click.IntRange(min=1), help="Worker processes (default: cores).")
def reextract(archive_dir: str, site: str | None, dry_run: bool, processes: int | None) -> None:
    """Derive every stored article's text and metadata again from its WARC record.

    Uses the current extraction code, the rules each site was last crawled with and the
    site's learned boilerplate, offline. Versions stay what the site published: a text
    that changes is replaced in place and recorded in `reextractions`, not added as a
    version. Texts the current extractor made already are skipped, so a run stopped
    half-way goes on where it stopped.

    \b
    Example:
        python -m archive reextract data --dry-run
        python -m archive reextract data
    """
    from archive.reextract import pending_jobs
    from archive.reextract import reextract as run_reextract
    from archive.store import utc_now

    if not (Path(archive_dir) / "archive.db").is_file():
        raise CliError(f"no archive at {archive_dir}: archive.db is missing")
    lock = None
    try:
        if not dry_run:  # no crawl may write while texts are replaced
            lock = ArchiveLock(archive_dir).acquire(utc_now())
        db = open_archive(archive_dir)
        jobs = pending_jobs(db, archive_dir, site)
        if not jobs:
            click.echo("Nothing to re-extract: every text was made by the current extractor.")
            return
        with click.progressbar(
            length=len(jobs),
            label="Re-extracting",
            file=sys.stderr,
            hidden=not sys.stderr.isatty(),  # piped: the summary lines only
        ) as bar:
            summary = run_reextract(
                db,
                archive_dir,
                dry_run=dry_run,
                processes=processes,
                progress=bar.update,
                jobs=jobs,
            )
    except ArchiveBusy as exc:
        raise CliError(str(exc)) from exc
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    finally:
        if lock is not None:
            lock.release()
    verb = "would change" if dry_run else "changed"
    click.echo(
        f"{summary.versions} versions re-extracted: {summary.changed} texts {verb} "
        f"({len(summary.articles_changed)} articles; {summary.words_gained:,} words gained, "
        f"{summary.words_lost:,} lost); {summary.unreadable} could not be read again"
    )
    if summary.boilerplate_learned:
        click.echo(
            f"{_plural(summary.boilerplate_learned, 'paragraph')} of the new texts "
            f"{'would be' if dry_run else 'were'} learned as boilerplate and cleaned out"
        )
    if summary.boilerplate_unlearned:
        click.echo(
            f"{_plural(summary.boilerplate_unlearned, 'paragraph')} learned as boilerplate from "
            f"the old texts {'would be' if dry_run else 'were'} given back to the articles "
            "that hold them (the new texts no longer repeat them)"
        )
    for url in summary.examples:
        click.echo(f"  {url}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
    if summary.unreadable:
        click.echo(
            f"Kept as they were: {_plural(summary.unreadable, 'version')} whose WARC record "
            "is missing or holds no article to the current code (exit status 1)",
            err=True,
        )
        sys.exit(1)


@cli.command(name="search")
@click.argument("archive_dir")
@click.argument("query")
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(1, 10_000),
    metavar="N",
    help="Show the N best matches; the count on stderr says how many match in all.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search_command(archive_dir: str, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over article titles and text, best matches first.

    QUERY is words as people type them: hyphens, dots, apostrophes and numbers are
    fine (covid-19, U.S., don't, 12.7 billion). FTS5 syntax works too: "exact phrases",
    OR, AND, NOT, prefix*, (groups), NEAR(a b, 10), title:word. A query SQLite still
    rejects is searched as plain words.

    Hits go to stdout (one JSON object each with --json); a count such as
    "10 of 104 articles" goes to stderr.

    \b
    Example:
        python -m archive search data "child trafficking" --limit 20
    """
    from archive.queries import count_matches

    db = _open(archive_dir)
    try:
        hits = search(db, query, limit)
        total = count_matches(db, query) if len(hits) == limit else len(hits)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.__dict__, ensure_ascii=False))
        else:
            click.echo(f"{hit.title}\n  {hit.url}  ({hit.published or 'undated'})")
            click.echo(f"  {' '.join(hit.snippet.split())}\n")
    shown = f"{len(hits)} of " if total > len(hits) else ""
    click.echo(shown + _plural(total, "article"), err=True)


def _shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@cli.command()
@click.argument("archive_dir")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(archive_dir: str, as_json: bool) -> None:
    """Summarise an archive: articles (and those gone), versions, fetches, runs and WARC files.

    \b
    Example:
        python -m archive stats data
    """
    db = _open(archive_dir)
    figures = archive_stats(db, archive_dir)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    warc_bytes = sum(f["bytes"] for f in figures["warc_files"])
    statuses = ", ".join(f"{k}: {v}" for k, v in figures["fetches_by_status"].items())
    gone_statuses = ", ".join(f"{k}: {v}" for k, v in figures["gone_by_status"].items())
    lines = [
        f"Archive:   {Path(archive_dir).resolve()}",
        f"Articles:  {figures['articles']} ({figures['versions']} versions, "
        f"{figures['words']:,} words)",
        f"Gone:      {_plural(figures['gone'], 'article')}"
        + (f" ({gone_statuses})" if gone_statuses else ""),
        f"Published: {figures['published_first'] or '-'} to {figures['published_last'] or '-'}",
        f"Fetches:   {figures['fetches']} ({statuses or 'none'})"
        + (f"; {figures['requisites']} of them page requisites" if figures["requisites"] else ""),
        f"Runs:      {figures['runs']}",
        f"WARC:      {_plural(len(figures['warc_files']), 'file')}, {warc_bytes / 1e6:.1f} MB",
    ]
    lines += [f"  {f['name']}  {f['bytes']:,} bytes" for f in figures["warc_files"]]
    run = figures["last_run"]
    if run:
        lines.append(
            f"Last run:  #{run['id']} {run['spider']} {run['status']}, {run['fetches']} fetches, "
            f"{run['articles_new']} new and {run['articles_changed']} changed articles"
        )
    sites = figures.get("last_run_sites", {})
    if len(sites) > 1:
        lines += [
            f"  {site}: {c['fetches']} fetches, {c['articles_new']} new, "
            f"{c['articles_changed']} changed, {c['articles_unchanged']} unchanged, "
            f"{c['articles_gone']} gone articles"
            for site, c in sorted(sites.items())
        ]
    if figures["sections"]:
        lines.append(
            "Sections:  " + ", ".join(f"{k} ({v})" for k, v in figures["sections"].items())
        )
    if figures["boilerplate"]:
        lines.append(
            f"Boilerplate learned: {_plural(len(figures['boilerplate']), 'paragraph')}, "
            f"{_plural(figures['recleans'], 're-clean')} of stored articles"
        )
        lines += [
            f"  {b['site']}  in {b['articles']} articles: {_shorten(b['text'])}"
            for b in figures["boilerplate"]
        ]
    if figures["lessons"]:
        lines.append(f"Lessons learned by crawls: {len(figures['lessons'])}")
        lines += [f"  {lesson['site']}  {_lesson(lesson)}" for lesson in figures["lessons"]]
    click.echo("\n".join(lines))


def _lesson(lesson: dict[str, Any]) -> str:
    """One lesson, as `stats` prints it."""
    if lesson["kind"] == TRAP_FAMILY:
        return f"trap family {lesson['key']} (cut after {lesson['pages']} pages)"
    if lesson["kind"] == BODY_CONTAINER:
        return f"article text is in {lesson['key']} (learned from {lesson['pages']} articles)"
    return f"query parameter {lesson['key']!r} changes nothing"


@cli.command(name="changes")
@click.argument("archive_dir")
@click.option("--run", "run_id", type=int, metavar="N", help="This run (default: the latest).")
@click.option("--since", help="Every run started on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the three lists.")
def changes_command(archive_dir: str, run_id: int | None, since: str | None, as_json: bool) -> None:
    """List what a run added, changed and found gone: new articles, new versions, 404s/410s.

    By default the latest run; --run N for another, --since DATE for every run started
    since then. Changed articles show the words added and removed between the version
    before the run and the latest one, and the versions compared; the `show --diff`
    command for the first of them is printed at the end.

    \b
    Example:
        python -m archive changes data
        python -m archive changes data --since 2026-11-01 --json
    """
    if run_id is not None and since is not None:
        raise CliError("--run and --since cannot be combined: give one run, or a date")
    db = _open(archive_dir)
    try:
        found = run_changes(db, run=run_id, since=since)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
    elif not found.runs:
        click.echo(
            f"No runs since {since} in {archive_dir}."
            if since
            else f"No runs in {archive_dir}: nothing has been crawled into it yet."
        )
    else:
        click.echo("\n".join(_changes_lines(found, archive_dir)))


def _changes_lines(found: RunChanges, archive_dir: str) -> list[str]:
    """A RunChanges as `changes` prints it: a heading, then Added, Changed and Gone."""
    first, last = found.runs[0], found.runs[-1]
    if len(found.runs) == 1:
        heading = (
            f"Run #{first.id} ({first.spider}, {first.status}): "
            f"{utc_label(first.started_at)} to {utc_label(first.finished_at)}"
        )
    else:
        # several runs: every run since a date, or the workers of the latest shared crawl
        what = f"since {found.since}" if found.since else f"of the latest crawl ({first.spider})"
        ended = max((r.finished_at or r.started_at or "") for r in found.runs) or None
        heading = (
            f"{len(found.runs)} runs {what}, #{first.id} to #{last.id}: "
            f"{utc_label(first.started_at)} to {utc_label(ended)}"
        )
    lines = [
        heading,
        f"{len(found.added)} added, {len(found.changed)} changed, {len(found.gone)} gone",
    ]

    def section(name: str, rows: list[tuple[str, ...]], columns: str = "") -> None:
        lines.append("")
        lines.append(f"{name} ({len(rows)}){columns}" if rows else f"{name}: none")
        # Cells are padded so that titles line up, but a rare long URL runs over rather
        # than pushing every title off the screen.
        widths = [min(max(len(cell) for cell in column), 80) for column in zip(*rows, strict=True)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
            lines.append("  " + "  ".join([*cells, row[-1]]).rstrip())

    def title(value: str | None) -> str:
        return _shorten(value or "(no title)", 60)

    section("Added", [(a.url, title(a.title)) for a in found.added])
    section(
        "Changed",
        [
            (
                f"+{c.words_added}",
                f"-{c.words_removed} words",
                f"v{c.from_version}->v{c.to_version}",
                c.url,
                title(c.title),
            )
            for c in found.changed
        ],
        ": words added and removed, versions compared",
    )
    section("Gone", [(str(g.gone_status), g.url, title(g.title)) for g in found.gone])
    if found.changed:
        c = found.changed[0]
        versions = ["--from", str(c.from_version), "--to", str(c.to_version)]
        command = shlex.join(["python", "-m", "archive", "show", archive_dir, c.url, *versions])
        lines += ["", f"To see the first change: {command}"]
    return lines


@cli.command()
@click.argument("archive_dir")
@click.argument("url")
@click.option("--diff", "show_diff", is_flag=True, help="Show what changed between two versions.")
@click.option(
    "--from", "old", type=int, help="Older version to diff (default: the one before --to)."
)
@click.option("--to", "new", type=int, help="Newer version to diff (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Metadata and every version, with text.")
def show(
    archive_dir: str, url: str, show_diff: bool, old: int | None, new: int | None, as_json: bool
) -> None:
    """Show one article's metadata and version history, or a diff of two versions.

    URL is the article's canonical URL. If it is not archived as given, the same URL
    with or without a trailing slash, http or https, and www. is tried, and the one
    found is named on stderr. --from or --to imply --diff.

    \b
    Example:
        python -m archive show data https://example.com/peru/
        python -m archive show data https://example.com/peru/ --diff --from 1 --to 3
    """
    url = url.strip()  # pasted from a terminal or a CSV, it often ends in a space or \r
    show_diff = show_diff or old is not None or new is not None
    if show_diff and as_json:
        raise CliError("--json prints every version in full; it cannot be combined with --diff")
    db = _open(archive_dir)
    try:
        history = load_history(db, url)
        diff = diff_versions(history, old, new) if show_diff else None
    except ArticleNotFound as exc:
        close = f"; close matches: {', '.join(exc.suggestions)}" if exc.suggestions else ""
        raise CliError(f"no article with URL {url} in {archive_dir}{close}") from exc
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    if history.url != url:
        click.echo(f"{url} is not archived; showing {history.url}", err=True)
    if as_json:
        click.echo(json.dumps(history.as_json(), ensure_ascii=False, indent=2))
    elif diff:
        click.echo("\n".join(_diff_lines(diff, color=sys.stdout.isatty())))
    else:
        click.echo("\n".join(_history_lines(history)))


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "-"
    return "-" if value is None or value == "" else str(value)


def _history_lines(history: History) -> list[str]:
    meta = history.metadata
    lines = [
        f"URL:        {history.url}",
        *(
            f"{label + ':':<12}{_value(meta[name])}"
            for label, name in (
                ("Title", "title"),
                ("Author", "author"),
                ("Published", "published"),
                ("Modified", "modified"),
                ("Section", "section"),
                ("Tags", "tags"),
                ("Language", "language"),
            )
        ),
        f"Words:      {_value(history.word_count)}",
        f"First seen: {utc_label(history.first_seen)}",
        f"Last seen:  {utc_label(history.last_seen)}",
        f"WARC:       {_warc(history.warc_filename, history.warc_offset)} (latest capture)",
    ]
    if history.gone_at:
        lines.append(f"Gone:       {utc_label(history.gone_at)} (HTTP {history.gone_status})")
    lines.append(f"Versions:   {history.version_count}")
    width = len(str(max((v.word_count for v in history.versions), default=0)))
    previous = None
    for version in history.versions:
        if previous is None:
            change = "first capture"
        else:
            added, removed = line_changes(previous.text, version.text)
            change = f"+{added} -{removed} lines"
            fields = [name for name, _, _ in changed_metadata(previous, version)]
            if fields:
                change += f", {', '.join(fields)} changed"
        lines.append(
            f"  v{version.version}  {utc_label(version.captured_at)}  "
            f"{version.word_count:>{width}} words  {version.content_sha256[:12]}  "
            f"{_warc(version.warc_filename, version.warc_offset)}  {change}"
        )
        previous = version
    return lines


def _warc(filename: str | None, offset: int | None) -> str:
    return f"{filename}:{offset}" if filename else "-"


# Colours only when a person is reading at a terminal, never in a pipe or file.
_DIFF_STYLES = (
    ("+++", {"bold": True}),
    ("---", {"bold": True}),
    ("@@", {"fg": "cyan"}),
    ("+", {"fg": "green"}),
    ("-", {"fg": "red"}),
)


def _diff_lines(diff: VersionDiff, *, color: bool) -> list[str]:
    # Metadata first, one line a field, values as JSON so that null and lists stay distinct.
    lines = [
        f"{name}: {json.dumps(old, ensure_ascii=False)} -> {json.dumps(new, ensure_ascii=False)}"
        for name, old, new in diff.metadata
    ]
    if not diff.lines:
        lines.append(f"(text unchanged from version {diff.old.version} to {diff.new.version})")
    for line in diff.lines:
        style = next((s for prefix, s in _DIFF_STYLES if line.startswith(prefix)), None)
        lines.append(click.style(line, **style) if color and style else line)
    return lines


@cli.command(name="serve")
@click.argument("archive_dir")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Datasette."
)
@click.option(
    "--replay-port",
    type=click.IntRange(1, 65535),
    help="pywb, which replays the captures (default: --port + 1).",
)
def serve_command(archive_dir: str, host: str, port: int, replay_port: int | None) -> None:
    """Browse the archive: Datasette over archive.db, and its captures replayed by pywb.

    Datasette (read-only) shows the tables with what each column means, full-text search
    on articles, facets (site, section, author, month), canned queries (changed and gone
    articles, fetch errors, the last run), an article's page with its text, versions,
    diffs and links to its captures (click an article's URL), and charts (menu: Archive
    charts). The captures replay from the archive's own WARC files. Ctrl-C stops both.

    \b
    Example:
        python -m archive serve data
        python -m archive serve data --port 9000
    """
    from archive.serve import serve

    def ready(datasette_url: str, replay_url: str) -> None:
        click.echo(f"Archive: {datasette_url}/archive   replay: {replay_url}   (Ctrl-C stops)")

    try:
        status = serve(Path(archive_dir), host, port, replay_port, ready=ready)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    except KeyboardInterrupt:
        status = 0
    sys.exit(status)


class ArchiveInUse(CliError):
    """An archive another process writes to: one line, and exit status 75 (EX_TEMPFAIL,
    "try again later"), as the crawl command exits when its archive is busy."""

    exit_code = 75


@cli.command(name="merge")
@click.argument("shards", nargs=-1, required=True, metavar="SHARD...")
@click.option(
    "--into",
    "archive_dir",
    required=True,
    metavar="ARCHIVE_DIR",
    help="The archive to merge into (created if missing).",
)
def merge_command(shards: tuple[str, ...], archive_dir: str) -> None:
    """Merge the archives crawl workers wrote (shards) into one archive.

    Runs, fetches, articles, versions, learned boilerplate, lessons and site rules come
    together as one crawl would have left them: an article's versions from every shard in
    capture order (a text equal to the one before is one version), the article as its
    latest capture left it, every fetch's WARC record in ARCHIVE_DIR/warc/ (files
    hard-linked, copied across file systems). A shard merged before is skipped; one that
    crawled again brings its new runs. An archive a crawl is writing to, shard or
    ARCHIVE_DIR, is refused with exit status 75, as the crawl command does.

    \b
    Example:
        python -m archive merge data/shards/* --into data
    """
    from archive.merge import Merge

    try:
        # a bar on a terminal; in a pipe or a log, only the summary lines
        with (
            Merge(archive_dir, shards) as job,
            click.progressbar(
                length=job.steps,
                label=f"Merging into {archive_dir}",
                file=sys.stderr,
                hidden=not sys.stderr.isatty(),
            ) as bar,
        ):
            summary = job.run(progress=bar.update)
    except ArchiveBusy as exc:
        raise ArchiveInUse(str(exc)) from exc
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot merge into {archive_dir}: {exc.strerror or exc}") from exc
    if summary.shards:
        copied = (
            f", {summary.warc_files_copied} of them copied" if summary.warc_files_copied else ""
        )
        click.echo(
            f"Merged {_plural(summary.shards, 'shard')} into {archive_dir}: "
            f"{_plural(summary.runs, 'run')}, {summary.fetches} fetches, "
            f"{summary.articles_new} new articles and {summary.articles_merged} merged with "
            f"ones it held, {summary.versions} versions added; "
            f"{_plural(summary.warc_files, 'WARC file')} brought in{copied}"
        )
    if summary.recleaned:
        click.echo(
            f"Re-cleaned {_plural(summary.recleaned, 'text')} with the body containers "
            "their sites taught a shard"
        )
    if summary.unchanged or summary.gone:
        click.echo(
            f"Of the articles {archive_dir} held, a re-run found {summary.unchanged} "
            f"unchanged and {summary.gone} gone"
        )
    for shard in summary.skipped:
        click.echo(f"Skipped {shard}: every run of it was merged into {archive_dir} before")
