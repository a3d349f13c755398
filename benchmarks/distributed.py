"""Shared-crawl benchmark: 1, 2 and 3 workers crawling the same sites through one Redis.

Builds the replica (`tests/site/`) and the Courier (`tests/site/courier/`) with
`--articles` each, serves `--sites` of them (in turn) on 127.0.0.1, starts a redis-server
of its own, and crawls them from one sites file with N workers started at once (`-s REDIS_URL=...`;
politeness off for loopback, as the tests do), for N = 1, 2, 3, each into a fresh
archive. It prints articles per second (wall clock, from the first worker's start to the
last one's end; an article counted once however many shards hold it), the machine's CPU
per article and the cores it kept busy (from /proc/stat: the workers, their extraction
processes, the replicas answering from this process, Redis: everything the crawl costs),
and the rate against one worker's, the baseline of the same sitting. `--latency` makes
the replicas answer as slowly as distant sites do, so that the workers wait on the network
rather than on the CPU, as crawls of real sites do. Then what limits
the scaling: N workers cannot beat one by more than the machine's cores over the cores one
worker keeps busy (or N), so it prints that ceiling beside each rate.
"""

from __future__ import annotations

import contextlib
import os
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


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, from /proc/stat."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    per_second = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / per_second, sum(ticks) / per_second


def crawl(
    workers: int,
    sites: Path,
    base_url: str,
    folder: Path,
    redis_url: str,
    settings: dict[str, str],
) -> dict:
    """N workers at once; their figures."""
    archive = folder / "archive"
    command = crawl_command(
        "news", base_url + "/", archive, sites=sites, REDIS_URL=redis_url, **settings
    )
    busy, every, start = *machine_cpu(), time.monotonic()
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
    busy_now, every_now = machine_cpu()
    busy, every = busy_now - busy, every_now - every
    urls: set[str] = set()
    for shard in (archive / "shards").iterdir():
        with sqlite3.connect(shard / "archive.db") as db:
            urls |= {url for (url,) in db.execute("select url from articles")}
    return {
        "workers": workers,
        "articles": len(urls),
        "seconds": seconds,
        "cpu": busy,
        "cores": busy / every * (os.cpu_count() or 1),
        "codes": codes,
    }


@click.command()
@click.option("--articles", default=300, show_default=True, help="Articles per site.")
@click.option(
    "--latency",
    default=0.0,
    show_default=True,
    help="Seconds each replica takes to answer (0: loopback speed; 0.25: a distant site).",
)
@click.option(
    "--sites",
    "count",
    default=2,
    show_default=True,
    help="Sites to crawl: replicas and Courier replicas in turn, each on its own port.",
)
@click.option(
    "--setting",
    "-s",
    "extra",
    multiple=True,
    help="NAME=VALUE: a Scrapy setting for every worker (e.g. SHARED_POLITENESS=False).",
)
def main(articles: int, latency: float, count: int, extra: tuple[str, ...]) -> None:
    """Crawl the replicas with 1, 2 and 3 workers; print rates and the scaling."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        try:
            redis, redis_url = start_redis(tmp)
        except (AssertionError, RuntimeError) as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            replica, courier = build_site(articles), build_courier(articles)
            servers = [
                stack.enter_context(
                    ReplicaServer(replica, latency=latency)
                    if n % 2 == 0
                    else CourierServer(courier, latency=latency)
                )
                for n in range(count)
            ]
            sites = sites_file(
                Path(tmp), *((f"site{n}", server.base_url) for n, server in enumerate(servers))
            )
            results = []
            for workers in (1, 2, 3):
                folder = Path(tmp) / f"w{workers}"
                folder.mkdir()
                click.echo(f"crawling with {workers} worker(s) ...", err=True)
                settings = dict(item.split("=", 1) for item in extra)
                results.append(
                    crawl(workers, sites, servers[0].base_url, folder, redis_url, settings)
                )
        finally:
            redis.terminate()
            redis.wait()
    base = results[0]["articles"] / results[0]["seconds"]
    cores = os.cpu_count() or 1
    header = ("workers", "articles", "seconds", "art./s", "CPU/art. ms", "cores busy", "vs 1")
    widths = (7, 8, 8, 7, 11, 10, 5)
    click.echo(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)) + "  ceiling")
    for r in results:
        rate = r["articles"] / r["seconds"]
        ceiling = min(r["workers"], cores / results[0]["cores"])
        click.echo(
            f"{r['workers']:7d} {r['articles']:8d} {r['seconds']:8.1f} {rate:7.1f} "
            f"{1000 * r['cpu'] / max(1, r['articles']):11.1f} {r['cores']:10.2f} "
            f"{rate / base:5.2f}  {ceiling:7.2f}"
        )
        if any(r["codes"]):
            click.echo(f"  exit statuses {r['codes']}", err=True)
    click.echo(
        f"(this machine: {cores} cores; ceiling: the most N workers can reach here, "
        "the cores over the cores one worker keeps busy)"
    )


if __name__ == "__main__":
    main()
