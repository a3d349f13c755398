"""Crawl benchmark: the whole crawl against bare extraction and trafilatura's command line.

Builds the replica with N articles, serves it on 127.0.0.1 in its own process, and in
each run measures, on the same articles:

- the project's crawl (`scrapy crawl`, politeness off for loopback) into a fresh archive,
  WARC and SQLite included;
- the bare-extraction bound: `extract_article` with the spider's rules over the article
  HTML the crawl archived (read back from its WARC), in one process and in two;
- the peer: trafilatura's command line fetching and extracting the article URLs
  (`-i urls.txt --no-comments`, SLEEP_TIME 0 and SSRF protection off for loopback).

It prints articles per second, CPU seconds per article and peak RSS for each (medians
over the runs), the ratios the targets are about, and the crawl's own figures at scale:
speed of the first and last 10% of articles, and how long export and search take.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click
import psutil
import trafilatura
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from warcio.archiveiterator import ArchiveIterator

# Run as a script, Python puts benchmarks/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsing.article import extract_article  # noqa: E402
from parsing.rules import ExtractionRules  # noqa: E402
from pipelines.extensions.extraction_workers import spider_rules  # noqa: E402

BIN = Path(sys.executable).parent
MB = 1024 * 1024


@dataclass
class Measure:
    """One measured command or loop: what it produced and what it cost."""

    articles: int
    wall: float
    cpu: float
    peak_rss: float = 0.0  # bytes, whole process tree
    extra: dict = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        """Articles per second of wall-clock time."""
        return self.articles / self.wall if self.wall else 0.0

    @property
    def cpu_per_article(self) -> float:
        """CPU seconds (user + system, every process) per article."""
        return self.cpu / self.articles if self.articles else float("nan")


class TreeSampler:
    """Samples a process and all its descendants until stopped: summed RSS, and each one's
    CPU time (the crawl's workers belong to a fork server nobody waits for, so their CPU
    never shows in the crawl's own rusage)."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_main = 0
        self.peak_pss = 0  # proportional set size: pages shared by processes counted once
        self._samples = 0
        self.cpu: dict[int, float] = {}  # pid -> user + system seconds, last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def descendants_cpu(self) -> float:
        """CPU seconds of the descendants, as last sampled (up to one interval short)."""
        return sum(cpu for pid, cpu in self.cpu.items() if pid != self.root.pid)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                processes = []
            total = pss = 0
            # PSS reads every mapping of every process: once a second is enough
            with_pss = self._samples % 20 == 0
            self._samples += 1
            for process in processes:
                try:
                    with process.oneshot():
                        rss = process.memory_info().rss
                        times = process.cpu_times()
                        if with_pss:
                            pss += process.memory_full_info().pss
                except psutil.Error:
                    continue
                total += rss
                self.cpu[process.pid] = times.user + times.system
                if process.pid == self.root.pid:
                    self.peak_main = max(self.peak_main, rss)
            self.peak = max(self.peak, total)
            self.peak_pss = max(self.peak_pss, pss)
            self._stop.wait(self.interval)


def children_cpu() -> float:
    """CPU seconds of this process's finished (waited-for) descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(
    command: list[str], log: Path, check: bool = True
) -> tuple[float, float, TreeSampler]:
    """Run a command to its end: its wall time, CPU time of it and every descendant, RSS.

    The command's own CPU time is exact (its rusage); its descendants' is sampled.
    """
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
        with TreeSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0 and check:
        raise click.ClickException(f"{command[0]} … exited with {process.returncode}; see {log}")
    own = usage.ru_utime + usage.ru_stime  # includes the children it waited for
    sampler.cpu[process.pid] = own
    return wall, own + sampler.descendants_cpu, sampler


class Replica:
    """The replica site served by `python -m tests.site.server` in a process of its own."""

    def __init__(self, articles: int):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.site.server", "--articles", str(articles)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        match = re.search(r"(http://\S+?)/?$", line.strip())
        if not match:
            self.stop()
            raise click.ClickException(f"the replica did not start: {line!r}")
        self.base_url = match.group(1)

    def stop(self) -> None:
        """Stop the server and wait for it."""
        with_group = self.process.poll() is None
        if with_group:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def crawl(spider: str, base_url: str, archive: Path, concurrency: int, log: Path) -> Measure:
    """The project's crawl of the replica into a fresh archive."""
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"url={base_url}/",
        "-s", f"ARCHIVE_DIR={archive}",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={concurrency}",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s", "LOGSTATS_INTERVAL=10",
    ]  # fmt: skip
    wall, cpu, sampler = run_measured(command, log)
    rows = _query(archive, "select first_seen from articles order by first_seen")
    times = [_epoch(first_seen) for (first_seen,) in rows]
    fetches = [_epoch(at) for (at,) in _query(archive, "select fetched_at from fetches order by 1")]
    measure = Measure(len(times), wall, cpu, sampler.peak)
    measure.extra["fetched_at"] = fetches
    measure.extra["peak_rss_main"] = sampler.peak_main
    measure.extra["peak_pss"] = sampler.peak_pss
    measure.extra["cpu_main"] = sampler.cpu[sampler.root.pid]
    measure.extra["first_seen"] = times
    return measure


def _query(archive: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(archive / "archive.db") as db:
        return db.execute(sql).fetchall()


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def archived_pages(archive: Path) -> list[tuple[str, str]]:
    """(url, html) of every stored article, as its WARC response record holds it."""
    wanted = {
        (filename, offset): url
        for url, filename, offset in _query(
            archive,
            """select a.url, f.warc_filename, f.warc_offset from articles a
               join versions v on v.article_id = a.id and v.version = 1
               join fetches f on f.id = v.fetch_id""",
        )
    }
    pages = []
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type != "response":
                    continue
                # read before asking for the offset, which moves the stream past the record
                body = record.content_stream().read()
                url = wanted.get((path.name, records.get_record_offset()))
                if url is not None:
                    pages.append((url, body.decode("utf-8", "replace")))
    return pages


_rules: ExtractionRules | None = None


def _set_rules(rules: ExtractionRules) -> None:
    global _rules
    _rules = rules


def _extract(page: tuple[str, str]) -> bool:
    url, html = page
    return extract_article(html, url, _rules or ExtractionRules()) is not None


def bare_extraction(
    pages: list[tuple[str, str]], rules: ExtractionRules, processes: int
) -> Measure:
    """`extract_article` over the pages, in this process or in a pool of `processes`."""
    if processes == 1:
        _set_rules(rules)
        cpu = time.process_time()
        started = time.perf_counter()
        done = sum(map(_extract, pages))
        return Measure(done, time.perf_counter() - started, time.process_time() - cpu)
    # fork: the workers start with the extractor imported, as the crawl's fork server does
    context = multiprocessing.get_context("fork")
    cpu = children_cpu()
    with ProcessPoolExecutor(processes, context, initializer=_set_rules, initargs=(rules,)) as pool:
        list(pool.map(_set_rules, [rules] * processes * 4))  # every worker started
        started = time.perf_counter()
        done = sum(pool.map(_extract, pages, chunksize=8))
        wall = time.perf_counter() - started
    return Measure(done, wall, children_cpu() - cpu)


def trafilatura_cli(urls: list[str], workdir: Path, log: Path) -> Measure:
    """trafilatura's command line on a list of the article URLs."""
    default = Path(trafilatura.__file__).parent / "settings.cfg"
    config = default.read_text(encoding="utf-8")
    config = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", config)
    config = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", config)
    (workdir / "trafilatura.cfg").write_text(config, encoding="utf-8")
    (workdir / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    output = workdir / "trafilatura-out"
    command = [
        str(BIN / "trafilatura"), "-i", str(workdir / "urls.txt"), "--no-comments",
        "-o", str(output), "--config-file", str(workdir / "trafilatura.cfg"),
    ]  # fmt: skip
    # it exits with 1 when a page failed: what it managed is counted
    wall, cpu, sampler = run_measured(command, log, check=False)
    done = sum(1 for path in output.rglob("*") if path.is_file())
    return Measure(done, wall, cpu, sampler.peak)


def timed_command(command: list[str]) -> float:
    """Wall time of a command run to its end (its output discarded)."""
    started = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def named_spider_rules(spider: str) -> ExtractionRules:
    """The extraction rules the named spider's pipeline uses."""
    os.chdir(ROOT)
    loader = SpiderLoader.from_settings(get_project_settings())
    try:
        cls = loader.load(spider)
    except KeyError:
        names = ", ".join(sorted(loader.list()))
        message = f"no spider {spider!r} (spiders: {names})"
        raise click.BadParameter(message, param_hint="--spider") from None
    return spider_rules(cls)


def median_measure(measures: list[Measure]) -> Measure:
    """The run with the median speed (its own figures, not a mix of runs)."""
    ordered = sorted(measures, key=lambda m: m.per_second)
    return ordered[len(ordered) // 2]


def decile_speeds(times: list[float]) -> tuple[float, float]:
    """Seconds per item over the first and the last 10% of sorted event times."""
    n = len(times)
    tenth = max(2, n // 10)
    first = (times[tenth - 1] - times[0]) / (tenth - 1)
    last = (times[-1] - times[-tenth]) / (tenth - 1)
    return first, last


def row(name: str, m: Measure) -> str:
    """One line of the results table."""
    rss = f"{m.peak_rss / MB:8.0f}" if m.peak_rss else f"{'-':>8}"
    return (
        f"{name:<32}{m.articles:>8}{m.wall:>9.1f}{m.per_second:>11.1f}"
        f"{m.cpu_per_article * 1000:>11.2f}{rss}"
    )


@click.command()
@click.option("--articles", default=2000, show_default=True, type=click.IntRange(10))
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1))
@click.option("--spider", default="nationworldnews", show_default=True)
@click.option("--concurrency", default=32, show_default=True, type=click.IntRange(1))
@click.option("--peer/--no-peer", default=True, show_default=True, help="Run trafilatura's CLI.")
@click.option("--keep", type=click.Path(file_okay=False), help="Keep archives and logs here.")
@click.option("--json-output", type=click.Path(dir_okay=False), help="Also write figures here.")
def main(
    articles: int,
    runs: int,
    spider: str,
    concurrency: int,
    peer: bool,
    keep: str | None,
    json_output: str | None,
) -> None:
    """Crawl the replica with the project and with trafilatura; print speeds and ratios."""
    rules = named_spider_rules(spider)
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="crawl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[Measure]] = {"crawl": [], "bare1": [], "bare2": [], "peer": []}
    archive = workdir
    for run in range(1, runs + 1):
        replica = Replica(articles)
        try:
            archive = workdir / f"archive-{run}"
            shutil.rmtree(archive, ignore_errors=True)
            shutil.rmtree(workdir / f"peer-{run}", ignore_errors=True)
            click.echo(f"run {run}/{runs}: crawling {articles} articles …", err=True)
            measure = crawl(
                spider, replica.base_url, archive, concurrency, workdir / f"crawl-{run}.log"
            )
            results["crawl"].append(measure)
            click.echo(f"  crawl: {measure.articles} articles in {measure.wall:.1f} s", err=True)
            pages = archived_pages(archive)
            results["bare1"].append(bare_extraction(pages, rules, 1))
            results["bare2"].append(bare_extraction(pages, rules, 2))
            click.echo(f"  bare extraction: {len(pages)} pages", err=True)
            if peer:
                urls = [url for url, _ in pages]
                peer_dir = workdir / f"peer-{run}"
                peer_dir.mkdir(exist_ok=True)
                measure = trafilatura_cli(urls, peer_dir, workdir / f"trafilatura-{run}.log")
                results["peer"].append(measure)
                click.echo(f"  trafilatura: {measure.articles} in {measure.wall:.1f} s", err=True)
        finally:
            replica.stop()

    medians = {name: median_measure(ms) for name, ms in results.items() if ms}
    crawl_m = medians["crawl"]
    click.echo(
        f"\n{articles} articles, spider {spider}, {runs} run(s), medians by articles/s; "
        f"{os.cpu_count()} CPUs\n"
    )
    click.echo(
        f"{'':<32}{'articles':>8}{'wall s':>9}{'articles/s':>11}{'CPU ms/art':>11}{'RSS MB':>8}"
    )
    click.echo(row("crawl (project, WARC + SQLite)", crawl_m))
    click.echo(row("bare extraction, 1 process", medians["bare1"]))
    click.echo(row("bare extraction, 2 processes", medians["bare2"]))
    if "peer" in medians:
        click.echo(row("trafilatura CLI (-i urls.txt)", medians["peer"]))
    click.echo(
        f"crawl's main process: peak RSS {crawl_m.extra['peak_rss_main'] / MB:.0f} MB, "
        f"CPU {crawl_m.extra['cpu_main'] / crawl_m.articles * 1000:.2f} ms/article "
        "(the rest of the crawl's CPU is its extraction workers)"
    )
    click.echo("")
    figures: dict[str, float] = {}
    figures["crawl_per_bare2"] = crawl_m.per_second / medians["bare2"].per_second
    click.echo(
        f"crawl / 2-process extraction bound: {figures['crawl_per_bare2']:.2f}  (target >= 0.8)"
    )
    if "peer" in medians:
        figures["crawl_per_peer"] = crawl_m.per_second / medians["peer"].per_second
        click.echo(
            f"crawl / trafilatura CLI:            {figures['crawl_per_peer']:.2f}  (target >= 2.5)"
        )
    first, last = decile_speeds(crawl_m.extra["first_seen"])
    figures["last_per_first_decile"] = last / first if first else float("nan")
    click.echo(
        f"first 10% of articles: {first * 1000:.2f} ms/article, last 10%: {last * 1000:.2f} "
        f"ms/article, last/first {figures['last_per_first_decile']:.2f}  (target <= 1.2)"
    )
    first, last = decile_speeds(crawl_m.extra["fetched_at"])
    figures["last_per_first_decile_fetches"] = last / first if first else float("nan")
    click.echo(
        f"first 10% of all fetches: {first * 1000:.2f} ms/fetch, last 10%: {last * 1000:.2f} "
        f"ms/fetch, last/first {figures['last_per_first_decile_fetches']:.2f}  (listing pages "
        "and the articles only they lead to come last)"
    )
    figures["peak_rss_mb"] = crawl_m.peak_rss / MB
    click.echo(
        f"crawl peak RSS, all processes: {figures['peak_rss_mb']:.0f} MB  (target < 400); "
        f"peak PSS (shared pages counted once): {crawl_m.extra['peak_pss'] / MB:.0f} MB"
    )
    export_file = workdir / "export.jsonl"
    archive_cli = [sys.executable, "-m", "archive"]
    figures["export_s"] = timed_command(
        [*archive_cli, "export", str(archive), "--format", "jsonl", "--output", str(export_file)]
    )
    figures["search_s"] = timed_command([*archive_cli, "search", str(archive), "court ruling"])
    click.echo(
        f"export of {crawl_m.articles} articles to JSONL: {figures['export_s']:.1f} s "
        f"({export_file.stat().st_size / MB:.0f} MB); search: {figures['search_s']:.2f} s "
        "(both include Python start-up)"
    )
    if json_output:
        data = {
            name: [
                {"articles": m.articles, "wall": m.wall, "cpu": m.cpu, "peak_rss": m.peak_rss}
                for m in measures
            ]
            for name, measures in results.items()
        }
        Path(json_output).write_text(json.dumps({"runs": data, "figures": figures}, indent=2))
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
