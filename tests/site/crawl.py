"""Running a crawl of the replica in a subprocess, as `make demo` and the tests do."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The replica runs on this machine, so the politeness meant for real sites (AutoThrottle,
# delays, few connections per host) only slows the run down. Everything else, robots.txt
# included, stays as configured in settings.py.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOGSTATS_INTERVAL": "10",
    # Requisites from the replicas' loopback hosts only: the fonts, scripts and avatars
    # the replica pages take from real hosts (fonts.googleapis.com, gravatar.com) are not
    # even looked up, so no test touches the internet.
    "REQUISITE_HOSTS": "127.0.0.1",
}


def sites_file(folder: Path, *sites: tuple[str, str], lists: bool = True, extra: str = "") -> Path:
    """A sites file (`-a sites=`) in `folder` for (name, base URL) pairs; `lists=False`
    empties the profile's trap and tracking-parameter lists, `extra` ends each table."""
    tables = []
    for name, base_url in sites:
        table = f'[[site]]\nname = "{name}"\nbase_url = "{base_url.rstrip("/")}/"\n'
        if not lists:
            table += "traps = []\ntracking_params = []\n"
        tables.append(table + extra)
    path = folder / "sites.toml"
    path.write_text("\n".join(tables))
    return path


def crawl_command(
    spider: str,
    base_url: str,
    archive_dir: str | Path,
    *,
    sites: str | Path | None = None,
    **settings: str,
) -> list[str]:
    """The `scrapy crawl` command line for one crawl of `base_url` (or of the sites of a
    sites file) into `archive_dir`."""
    target = f"sites={sites}" if sites is not None else f"url={base_url}"
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", target]
    values = {**LOOPBACK_SETTINGS, "ARCHIVE_DIR": str(archive_dir), **settings}
    for name, value in values.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(
    spider: str,
    base_url: str,
    archive_dir: str | Path,
    *,
    capture: bool = True,
    timeout: float = 600,
    **settings: str,
) -> subprocess.CompletedProcess[str]:
    """Run one crawl to the end in its own process (Twisted's reactor cannot restart)."""
    return subprocess.run(
        crawl_command(spider, base_url, archive_dir, **settings),
        cwd=ROOT,
        capture_output=capture,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def start_crawl(command: list[str]) -> subprocess.Popen[str]:
    """Start a crawl in the background; its log (stderr) is kept for `communicate()`."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def archive_rows(archive_dir: str | Path, sql: str) -> list[tuple]:
    """Rows of a query on an archive a crawl may still be creating (none until it exists)."""
    try:
        # read-only, so that asking early does not create the file the crawl is to make
        uri = (Path(archive_dir) / "archive.db").resolve().as_uri() + "?mode=ro"
        with sqlite3.connect(uri, uri=True) as db:
            return db.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no database or no schema yet
        return []
