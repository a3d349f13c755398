"""Shared-crawl benchmark: 1, 2 and 3 workers crawling the same sites through one Redis.

Builds the replica (`tests/site/`) and the Courier (`tests/site/courier/`) with
`--articles` each, serves them on 127.0.0.1, starts a redis-server of its own, and crawls
both sites from one sites file with N workers started at once (`-s REDIS_URL=...`;
politeness off for loopback, as the tests do), for N = 1, 2, 3, each into a fresh
archive. It prints articles per second (wall clock, from the first worker's start to the
last one's end), CPU seconds per article (every worker process and its extraction
workers, from the kernel's accounting of waited-for children), the cores kept busy (the
workers' CPU and the replicas', which answer from this process, per second of the crawl)
and the rate against one worker's, the baseline of the same sitting. With as many cores
busy as the machine has, the crawl is CPU-bound: more workers only share them.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.processes import start_redis  # noqa: E402
from tests.site.content import build_site  # noqa: E402
from tests.site.courier.model import build_courier  # noqa: E402
from tests.site.courier.server import CourierServer  # noqa: E402
from tests.site.crawl import crawl_command, sites_file  # noqa: E402
from tests.site.server import ReplicaServer  # noqa: E402


def cpu_of(who: int) -> float:
    """CPU seconds so far of this process (RUSAGE_SELF) or its waited-for children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def crawl(workers: int, sites: Path, base_url: str, folder: Path, redis_url: str) -> dict:
    """N workers at once; their figures."""
    archive = folder / "archive"
    command = crawl_command("news", base_url + "/", archive, sites=sites, REDIS_URL=redis_url)
    cpu, served, start = (
        cpu_of(resource.RUSAGE_CHILDREN),
        cpu_of(resource.RUSAGE_SELF),
        time.monotonic(),
    )
    running = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    codes = [process.wait() for process in running]
    seconds = time.monotonic() - start
    cpu, served = cpu_of(resource.RUSAGE_CHILDREN) - cpu, cpu_of(resource.RUSAGE_SELF) - served
    count = 0
    for shard in (archive / "shards").iterdir():
        with sqlite3.connect(shard / "archive.db") as db:
            count += db.execute("select count(*) from articles").fetchone()[0]
    return {
        "workers": workers,
        "articles": count,
        "seconds": seconds,
        "cpu": cpu,
        "served": served,
        "codes": codes,
    }


@click.command()
@click.option("--articles", default=300, show_default=True, help="Articles per site.")
def main(articles: int) -> None:
    """Crawl both replicas with 1, 2 and 3 workers; print rates and the scaling."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            redis, redis_url = start_redis(tmp)
        except (AssertionError, RuntimeError) as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            with (
                ReplicaServer(build_site(articles)) as replica,
                CourierServer(build_courier(articles)) as courier,
            ):
                sites = sites_file(
                    Path(tmp), ("replica", replica.base_url), ("courier", courier.base_url)
                )
                results = []
                for workers in (1, 2, 3):
                    folder = Path(tmp) / f"w{workers}"
                    folder.mkdir()
                    click.echo(f"crawling with {workers} worker(s) ...", err=True)
                    results.append(crawl(workers, sites, replica.base_url, folder, redis_url))
        finally:
            redis.terminate()
            redis.wait()
    base = results[0]["articles"] / results[0]["seconds"]
    header = ("workers", "articles", "seconds", "art./s", "CPU/art. ms", "cores busy", "vs 1")
    widths = (7, 8, 8, 7, 11, 10, 5)
    click.echo(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for r in results:
        rate = r["articles"] / r["seconds"]
        busy = (r["cpu"] + r["served"]) / r["seconds"]
        click.echo(
            f"{r['workers']:7d} {r['articles']:8d} {r['seconds']:8.1f} {rate:7.1f} "
            f"{1000 * r['cpu'] / max(1, r['articles']):11.1f} {busy:10.2f} {rate / base:5.2f}"
        )
        if any(r["codes"]):
            click.echo(f"  exit statuses {r['codes']}", err=True)
    click.echo(f"(cores on this machine: {os.cpu_count()}; cores busy counts the replicas too)")


if __name__ == "__main__":
    main()
