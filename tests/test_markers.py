"""The `e2e` marker holds: an unmarked test that starts a program or a server fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

INNER_TESTS = """
import multiprocessing
import socket
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_unmarked_subprocess():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_unmarked_worker_process():
    with multiprocessing.get_context("forkserver").Pool(1) as pool:
        pool.apply(abs, (-1,))


def test_unmarked_module_fixture_server(server):
    pass


def test_unmarked_pure():
    assert sorted([2, 1]) == [1, 2]


@pytest.mark.e2e
def test_marked_subprocess():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.mark.e2e
def test_marked_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
"""


@pytest.mark.e2e
def test_unmarked_tests_cannot_start_programs(tmp_path: Path) -> None:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    outcomes = {
        line.split()[1].split("::")[-1]: line.split()[0]
        for line in result.stdout.splitlines()
        if line.startswith(("PASSED ", "FAILED ", "ERROR "))
    }
    assert outcomes == {
        "test_unmarked_subprocess": "FAILED",
        "test_unmarked_worker_process": "FAILED",
        "test_unmarked_module_fixture_server": "ERROR",
        "test_unmarked_pure": "PASSED",
        "test_marked_subprocess": "PASSED",
        "test_marked_server": "PASSED",
    }, result.stdout
    assert "this test starts a process: mark it @pytest.mark.e2e" in result.stdout
    assert "this test starts a server: mark it @pytest.mark.e2e" in result.stdout
