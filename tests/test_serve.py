"""`python -m archive serve`: what it tells Datasette, and the one-line refusals.
The servers themselves, in a browser: tests/test_serve_browser.py."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.serve import QUERIES, metadata, port_taken
from tests.processes import archive_command, free_port


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return archive_command("serve", *args, timeout=60)


def test_metadata_describes_searches_and_facets_the_articles() -> None:
    data = metadata("http://127.0.0.1:8002/archive/")
    articles = data["databases"]["archive"]["tables"]["articles"]
    assert articles["fts_table"] == "articles_fts"
    assert articles["facets"] == ["site", "section", "author", "published_month"]
    assert set(articles["columns"]) >= {"url", "title", "text", "gone_at", "published_month"}
    queries = data["databases"]["archive"]["queries"]
    assert {"changed_articles", "gone_articles", "fetch_errors", "last_run"} <= set(queries)
    assert data["plugins"]["news-archive"]["replay"] == "http://127.0.0.1:8002/archive/"


def test_an_archive_without_the_month_column_gets_no_month_facet() -> None:
    data = metadata("x", columns={"site", "section", "author"})
    tables, queries = (
        data["databases"]["archive"]["tables"],
        data["databases"]["archive"]["queries"],
    )
    assert tables["articles"]["facets"] == ["site", "section", "author"]
    assert "articles_per_month" not in queries and "articles_per_month" in QUERIES


def test_canned_queries_run_on_an_archive(tmp_path: Path) -> None:
    db = open_archive(tmp_path)
    for query in QUERIES.values():
        db.execute(query["sql"]).fetchall()  # raises on a bad column or table
    db.close()


@pytest.mark.e2e
def test_a_missing_archive_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = serve(str(tmp_path / "nothing"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no archive here" in done.stderr


@pytest.mark.e2e
def test_a_taken_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        assert port_taken("127.0.0.1", port)
        done = serve(str(tmp_path), "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert f"port {port} on 127.0.0.1 is taken" in done.stderr
