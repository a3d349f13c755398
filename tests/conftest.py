"""The `e2e` marker: tests that start other programs (servers, crawls, commands, workers).

`pytest -m "not e2e"` runs the rest, the fast loop. So that it stays fast and the marker
stays true, a test without the marker that starts a process or listens on a socket (in
the test or in any fixture it sets up, module-wide ones included) fails, saying so.
"""

from __future__ import annotations

import _posixsubprocess
import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

E2E = "e2e"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker (pytest --markers lists it)."""
    config.addinivalue_line(
        "markers",
        f"{E2E}: starts other programs (replica server, crawl, command, worker processes); "
        f'deselect with -m "not {E2E}"',
    )


def _refuse(what: str) -> Callable[..., None]:
    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail(f"this test starts {what}: mark it @pytest.mark.{E2E}", pytrace=False)

    return refuse


@contextmanager
def _starting_nothing(item: pytest.Item) -> Iterator[None]:
    """Outside `e2e` tests: no new process (subprocess, multiprocessing), no server."""
    if item.get_closest_marker(E2E) is not None:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "_execute_child", _refuse("a process"))
        # how multiprocessing starts its fork server, and other ways to a new process
        for name in ("fork", "posix_spawn", "posix_spawnp"):
            patch.setattr(os, name, _refuse("a process"))
        patch.setattr(_posixsubprocess, "fork_exec", _refuse("a process"))
        patch.setattr(socket.socket, "listen", _refuse("a server"))
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Fixtures, whatever their scope, are set up under the item's guard."""
    with _starting_nothing(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """The test itself runs under the same guard."""
    with _starting_nothing(item):
        return (yield)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free port, for one test module (the shared-crawl tests)."""
    from tests.processes import start_redis

    server, url = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    server.terminate()
    server.wait(timeout=10)
