"""Helpers for tests that run other programs: ports, process groups, dropping root."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from tests.site.crawl import ROOT


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now (another program may take it before use)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started with `start_new_session=True`, and all its children."""
    with suppress(ProcessLookupError):  # gone already if it failed to start
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def as_unprivileged() -> list[str]:
    """A command prefix that drops root, which ignores file modes, so a chmod really bites."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: file modes cannot be tested")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@contextmanager
def replica_process(*options: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`python -m tests.site.server` on a free port, with its base URL; SIGTERM ends it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.site.server", "--port", "0", *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"Serving replica on (http://127\.0\.0\.1:\d+)/\n", line)
        assert match, line
        yield process, match.group(1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def start_redis(folder: str | os.PathLike[str]) -> tuple[subprocess.Popen, str]:
    """A real redis-server on a free port of 127.0.0.1, answering; (process, its URL).
    Nothing is saved: it keeps what it holds in memory, in `folder` if anywhere."""
    import time

    import redis

    server_path = shutil.which("redis-server")
    assert server_path, "redis-server is missing: `make test` installs Debian's package"
    port = free_port()
    server = subprocess.Popen(
        [
            server_path,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            return server, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)


def archive_command(
    *args: str, prefix: list[str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`python -m archive ARGS` from the repository root, its output captured."""
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "archive", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
