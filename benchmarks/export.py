"""Export benchmark: every `python -m archive export` format over a large synthetic archive.

Builds an archive of N articles (default 20,000) without crawling: synthetic articles,
fetches and versions inserted with sqlite-utils into a database made by the archive's own
migrations, full-text index included (in a process of its own). Then, for each format,
runs the export command in a process of its own and measures the wall-clock time, the
process's peak RSS (its own rusage, from wait4) and the size of what it wrote. Prints a
table.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

# Run as a script, Python puts benchmarks/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.db import open_archive  # noqa: E402
from archive.export import FORMATS  # noqa: E402
from archive.models import text_sha256, word_count  # noqa: E402
from archive.sites import site_address  # noqa: E402
from archive.store import to_utc  # noqa: E402

MB = 1024 * 1024
SITES = ("https://nationworldnews.com", "https://courier.example", "http://127.0.0.1:8042")
SECTIONS = ("Politics", "World", "Business", "Sport", "Culture", "Science")
# news-like words; the texts are random draws from them
WORDS = tuple(
    """the of and to in a is that for on with as was by at from his her they be this have
    government minister election court police market trade economy health school water
    president council budget report officials said people city country week year new
    security border energy prices workers company students hospital climate storm team
    Peru Bolivia Brazil Chile Lima Congress Senate Ministry Reuters AP""".split()  # noqa: SIM905
)


def _paragraphs(rng: random.Random, words: int) -> str:
    """A synthetic article body: sentences of common news words, a few paragraphs."""
    paragraphs, left = [], words
    while left > 0:
        size = min(left, rng.randint(30, 90))
        text = " ".join(rng.choices(WORDS, k=size))
        paragraphs.append(text[0].upper() + text[1:] + ".")
        left -= size
    return "\n".join(paragraphs)


def build_archive(directory: Path, articles: int, seed: int = 7) -> None:
    """An archive of `articles` synthetic articles (one version each, 1 in 10 with two,
    1 in 50 gone), written in one transaction."""
    rng = random.Random(seed)
    db = open_archive(directory)
    run = {"spider": "benchmark", "started_at": "2026-11-29T10:00:00Z"}
    run_id = db["runs"].insert(run).last_pk
    fetches, article_rows, versions = [], [], []
    fetch_id = 0
    for n in range(articles):
        site = SITES[n % len(SITES)]
        url = f"{site}/{SECTIONS[n % len(SECTIONS)].lower()}/story-number-{n}/"
        day = 1 + n % 28
        published = f"2023-{1 + n % 12:02d}-{day:02d}T{n % 24:02d}:15:00-04:00"
        authors = [f"Reporter {n % 97}"] + ([f"Editor {n % 13}, Jr."] if n % 5 == 0 else [])
        meta = {
            "title": f"Story number {n}: " + " ".join(rng.choices(WORDS, k=8)),
            "author": ", ".join(authors),
            "authors": json.dumps(authors),
            "published": published,
            "published_utc": to_utc(published),
            "modified": None,
            "language": "en-US" if n % 4 else "es",
            "section": SECTIONS[n % len(SECTIONS)],
            "tags": json.dumps(rng.sample(WORDS[-10:], 3)),
            "description": " ".join(rng.choices(WORDS, k=20)),
            "image": f"{site}/images/{n}.jpg",
            "extractor": "2026.12.2+bench",
        }
        count = 2 if n % 10 == 0 else 1
        for version in range(1, count + 1):
            fetch_id += 1
            at = f"2026-11-29T10:{(fetch_id // 60) % 60:02d}:{fetch_id % 60:02d}.000+00:00"
            fetches.append(
                {
                    "id": fetch_id,
                    "run_id": run_id,
                    "url": url,
                    "method": "GET",
                    "status": 200,
                    "fetched_at": at,
                    "warc_type": "response",
                    "warc_filename": "NEWS-bench.warc.gz",
                    "warc_offset": fetch_id * 10_000,
                    "warc_length": 9_000,
                    "warc_record_id": f"<urn:uuid:{fetch_id:08d}>",
                    "request_record_id": f"<urn:uuid:r{fetch_id:08d}>",
                }
            )
            text = _paragraphs(rng, rng.randint(300, 900))
            columns = {
                **meta,
                "text": text,
                "word_count": word_count(text),
                "content_sha256": text_sha256(text),
            }
            versions.append(
                {
                    "article_id": n + 1,
                    "version": version,
                    "fetch_id": fetch_id,
                    "captured_at": at,
                    **columns,
                }
            )
        article_rows.append(
            {
                "id": n + 1,
                "url": url,
                "site": site_address(url),
                **columns,
                "version_count": count,
                "first_seen": versions[-count]["captured_at"],
                "last_seen": versions[-1]["captured_at"],
                "last_fetch_id": fetch_id,
                "gone_at": "2026-11-30T08:00:00.000+00:00" if n % 50 == 0 else None,
                "gone_status": 404 if n % 50 == 0 else None,
            }
        )
    with db.conn:
        db["fetches"].insert_all(fetches, batch_size=1000)
        db["articles"].insert_all(article_rows, batch_size=1000)
        db["versions"].insert_all(versions, batch_size=1000)
    db.close()


def _size(path: Path) -> tuple[int, int]:
    """Bytes and files of an export: a file, or a folder of them."""
    if path.is_file():
        return path.stat().st_size, 1
    files = [p for p in path.iterdir() if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def measure(archive_dir: Path, fmt: str, output: Path) -> dict[str, float]:
    """Run one export in its own process: seconds, peak RSS (MB), output size (MB)."""
    command = [sys.executable, "-m", "archive", "export", str(archive_dir)]
    command += ["--format", fmt, "--output", str(output), "--force"]
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors
        )
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the maximum so far
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"export --format {fmt} failed: {errors.read().decode()}")
    size, files = _size(output)
    return {
        "seconds": seconds,
        "rss_mb": usage.ru_maxrss * 1024 / MB,  # Linux reports kilobytes
        "output_mb": size / MB,
        "files": files,
    }


@click.command()
@click.option("--articles", default=20_000, show_default=True, help="Articles to synthesise.")
@click.option("--keep", type=click.Path(path_type=Path), help="Build and export here; keep it.")
def main(articles: int, keep: Path | None) -> None:
    """Build a synthetic archive and time every export format over it.

    \b
    Example:
        .venv/bin/python benchmarks/export.py --articles 20000
    """
    folder = keep or Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        archive_dir = folder / "archive"
        if archive_dir.exists():
            shutil.rmtree(archive_dir)
        start = time.perf_counter()
        # built in a process of its own: a child's peak RSS counts its parent's pages at
        # the fork, so the process that starts the exports must stay small
        builder = multiprocessing.get_context("spawn").Process(
            target=build_archive, args=(archive_dir, articles)
        )
        builder.start()
        builder.join()
        if builder.exitcode:
            raise SystemExit(f"building the archive failed (exit status {builder.exitcode})")
        built = time.perf_counter() - start
        db_mb = (archive_dir / "archive.db").stat().st_size / MB
        print(f"Built {articles:,} articles in {built:.1f} s (archive.db {db_mb:.0f} MB)")
        print(f"{'format':<8} {'seconds':>8} {'peak RSS MB':>12} {'output MB':>10} {'files':>7}")
        for fmt in FORMATS:
            suffix = "" if fmt == "text" else f".{fmt}"
            figures = measure(archive_dir, fmt, folder / f"export{suffix}")
            print(
                f"{fmt:<8} {figures['seconds']:>8.1f} {figures['rss_mb']:>12.0f} "
                f"{figures['output_mb']:>10.0f} {figures['files']:>7,}"
            )
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
