"""`make demo`: serve the replica site, crawl it into an archive, stop it, summarise.

The whole Scrapy log goes to ARCHIVE/logs/; the terminal shows progress, warnings and
errors, then the archive's figures and a few commands to try.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from archive.db import ArchiveError, open_archive_readonly
from tests.site.crawl import ROOT, crawl_command
from tests.site.evolve import evolve_site
from tests.site.server import ReplicaServer

_SHOWN = (" INFO: Crawled ", " WARNING: ", " ERROR: ", " CRITICAL: ", "Spider closed")


def _crawl(command: list[str], log_path: Path) -> int:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        log_path.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if any(marker in line for marker in _SHOWN):
                print("  " + line.rstrip(), flush=True)
        return process.wait()


def _last_run(archive: Path) -> dict:
    db = open_archive_readonly(archive)
    row = db.execute(
        "select stats, articles_new, articles_changed from runs order by id desc limit 1"
    ).fetchone()
    db.close()
    if row is None:
        raise ArchiveError(f"{archive} records no crawl")
    return {"stats": json.loads(row[0] or "{}"), "new": row[1], "changed": row[2]}


def _previous_port(archive: Path) -> int:
    """The replica port of the archive's last crawl, so a re-run keeps the same URLs."""
    try:
        db = open_archive_readonly(archive)
    except ArchiveError:
        return 0
    row = db.execute("select arguments from runs order by id desc limit 1").fetchone()
    db.close()
    try:
        url = json.loads(row[0])["spider_arguments"]["url"]
        parts = urlsplit(url)
    except (TypeError, KeyError, ValueError):
        return 0
    if parts.hostname != "127.0.0.1" or parts.port is None:
        return 0
    return parts.port


def _start_replica(articles: int, archive: Path) -> ReplicaServer:
    port = _previous_port(archive)
    try:
        return ReplicaServer(articles=articles, port=port).start()
    except OSError:
        print(
            f"Port {port} of the previous demo crawl is taken: this crawl gets another port, "
            "so its URLs (and articles) are new to the archive."
        )
        return ReplicaServer(articles=articles).start()


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", default="data", help="archive directory (default: data)")
    parser.add_argument("--articles", type=int, default=100, help="replica size (default: 100)")
    parser.add_argument("--spider", default="nationworldnews")
    parser.add_argument(
        "--state",
        type=int,
        default=1,
        help="replica state: 2 is one day later (new, changed and deleted articles), ...",
    )
    args = parser.parse_args(argv)
    if args.state < 1:
        parser.error("--state must be 1 or more")
    archive = Path(args.archive)
    log_path = archive / "logs" / f"crawl-{time.strftime('%Y%m%dT%H%M%S')}.log"

    # Same port as the previous demo crawl when possible: the archive keys articles by URL.
    with _start_replica(args.articles, archive) as server:
        try:
            for _ in range(args.state - 1):
                server.site = evolve_site(server.site)
        except ValueError as exc:
            parser.error(str(exc))
        base = server.base_url + "/"
        print(
            f"Replica of nationworldnews.com ({args.articles} articles, state {args.state}) "
            f"serving on {base}"
        )
        print(f"Crawling it with `scrapy crawl {args.spider}` into {archive}/ ...", flush=True)
        status = _crawl(crawl_command(args.spider, base, archive), log_path)
        requests = len(server.requests)
    print("Replica stopped.")
    if status != 0:
        print(f"The crawl failed (exit status {status}); its log is {log_path}", file=sys.stderr)
        return status

    try:
        run = _last_run(archive)
    except ArchiveError as exc:
        print(f"No archive was written: {exc}", file=sys.stderr)
        return 1
    stats = run["stats"]
    elapsed = stats.get("elapsed_time_seconds") or 0
    captured = run["new"] + run["changed"]
    skipped = stats.get("archive/skipped_unchanged", 0)
    not_modified = stats.get("archive/articles_not_modified", 0)
    same_text = stats.get("archive/articles_unchanged", 0)
    print("\n== This crawl ==")
    print(f"Requests served by the replica: {requests}")
    print(
        f"Articles archived:              {captured} ({run['new']} new, {run['changed']} changed)"
    )
    print(
        f"Already archived, unchanged:    {skipped + not_modified + same_text} "
        f"({skipped} not fetched: sitemap date unchanged; {not_modified} answered 304 or the "
        f"same bytes; {same_text} fetched, same text)"
    )
    print(f"Gone since the last crawl:      {stats.get('archive/articles_gone', 0)}")
    if captured:
        requisites = stats.get("requisites/fetched", 0)
        print(
            f"Requests per archived article:  {requests / captured:.2f} "
            f"({(requests - requisites) / captured:.2f} for pages, "
            f"{requisites / captured:.2f} for their stylesheets, scripts, images and fonts)"
        )
    if elapsed:
        print(f"Pages per second:               {requests / elapsed:.1f} ({elapsed:.1f} s)")
    print(f"Full crawl log:                 {log_path}")
    print("\n== The archive ==", flush=True)
    subprocess.run([sys.executable, "-m", "archive", "stats", str(archive)], cwd=ROOT, check=False)
    print(
        "\n== Try ==\n"
        f"  .venv/bin/python -m archive serve {archive}      # browse: Datasette and replay\n"
        f'  .venv/bin/python -m archive search {archive} "child trafficking"\n'
        f"  .venv/bin/python -m archive changes {archive}\n"
        f"  .venv/bin/python -m archive export {archive} --format parquet"
        " --output articles.parquet\n"
        f"  .venv/bin/python -m archive wacz {archive} --output demo.wacz\n"
        f'  .venv/bin/sqlite-utils {archive}/archive.db "select published, title from articles'
        ' order by published desc limit 5" --table\n'
        f"  .venv/bin/warcio check -v {archive}/warc/*.warc.gz"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
