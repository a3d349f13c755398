"""`make demo`'s runner: crawls the replica, summarises, and a second run is incremental."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.crawl import ROOT
from tests.test_python_api import readme_example

pytestmark = pytest.mark.e2e  # every test here starts a server, a crawl or a command


def demo(archive: Path, *options: str) -> str:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "tests.site.demo", "--archive", str(archive)),
            *(options or ("--articles", "12")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_demo_twice_in_a_row(tmp_path: Path) -> None:
    first = demo(tmp_path / "data")
    assert "Articles archived:              12 (12 new, 0 changed)" in first
    assert "Requests per archived article:" in first and "Pages per second:" in first
    assert "WARC:      1 file," in first
    assert "python -m archive search" in first
    second = demo(tmp_path / "data")
    assert "Articles archived:              0 (0 new, 0 changed)" in second
    assert "Already archived, unchanged:    12 (12 not fetched: sitemap date unchanged" in second
    assert "Articles:  12 (12 versions" in second
    assert "Runs:      2" in second
    assert len(list((tmp_path / "data" / "logs").glob("crawl-*.log"))) >= 1


def test_demo_of_the_second_state_shows_what_changed(tmp_path: Path) -> None:
    demo(tmp_path / "data", "--articles", "40")
    second = demo(tmp_path / "data", "--articles", "40", "--state", "2")
    assert "(40 articles, state 2)" in second
    assert "Articles archived:              12 (6 new, 6 changed)" in second
    assert "Gone since the last crawl:      4" in second


def test_the_readme_python_example_reads_a_crawled_archive(tmp_path: Path) -> None:
    demo(tmp_path / "data", "--articles", "12")
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "12 articles"
    assert "[child] [trafficking]" in result.stdout
    assert any(line.startswith("1 20") and line.endswith(" words") for line in lines)
