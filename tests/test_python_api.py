"""`import archive`: the Python API, used exactly as the README's "From Python" shows it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import archive
from archive.db import open_archive
from archive.models import Article
from archive.store import ArchiveStore
from tests.test_cli import capture

ROOT = Path(__file__).resolve().parent.parent
TRAFFICKING = "https://example.com/peru-child-trafficking/"
CUP = "https://example.com/cup-final/"
OLD = "2022-12-30"


def readme_example() -> str:
    """The Python block of the README's "From Python" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^### From Python\n.*?^```python\n(.*?)^```", readme, re.S | re.M)
    assert match, "the README has no From Python example"
    return match.group(1)


def build_archive(directory: Path) -> None:
    """Three articles; the one on child trafficking in two versions, one published too early."""
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    first = "Lima, 29 May.\nPeru and the US will fight child trafficking."
    second = first + "\nBolivia may join later."
    for n, text in enumerate((first, second), start=1):
        article = Article(
            url=TRAFFICKING,
            title="Peru fights child trafficking",
            published="2023-05-29T10:00:00-05:00",
            text=text,
        )
        capture(store, n, article)
    capture(store, 3, Article(url=CUP, title="Cup final", published="2023-05-02", text="A draw."))
    old = Article(url="https://example.com/old/", title="Peru votes", published=OLD, text="Peru.")
    capture(store, 4, old)
    store.finish_run("finished", "finished", {})
    store.db.close()


def test_the_readme_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_archive(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "3 articles"
    # since 2023-05-01 and about Peru or Bolivia: not the cup final, not the 2022 article
    assert lines[1] == "2023-05-29T10:00:00-05:00 Peru fights child trafficking 15 words"
    assert lines[2].startswith(f"{TRAFFICKING} ")  # the hit and its snippet (text lines)
    assert "[child] [trafficking]" in out
    versions = lines.index("1 2026-11-29T10:00:01+00:00 11 words")
    assert lines[versions + 1] == "2 2026-11-29T10:00:02+00:00 15 words"
    diff = lines[versions + 2 :]
    assert diff[0].startswith("--- version 1") and diff[1].startswith("+++ version 2")
    assert "+Bolivia may join later." in diff


def test_the_api_raises_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(archive.ArchiveError, match="no archive at"):
        archive.open_archive_readonly(tmp_path / "nothing")
    build_archive(tmp_path / "data")
    db = archive.open_archive_readonly(tmp_path / "data")
    with pytest.raises(archive.QueryError, match="bad date"):
        list(archive.articles(db, since="last week"))
    with pytest.raises(archive.QueryError, match="empty search query"):
        archive.search(db, " ")
    with pytest.raises(archive.ArticleNotFound):
        archive.load_history(db, "https://example.com/never/")


def test_stats_find_the_warc_folder_from_the_database(tmp_path: Path) -> None:
    build_archive(tmp_path / "data")
    (tmp_path / "data" / "warc" / "NEWS-1.warc.gz").write_bytes(b"x" * 10)
    db = archive.open_archive_readonly(tmp_path / "data")
    assert archive.archive_stats(db)["warc_files"] == [{"name": "NEWS-1.warc.gz", "bytes": 10}]
    assert archive.archive_stats(db) == archive.archive_stats(db, tmp_path / "data")


def test_every_export_has_a_one_line_docstring() -> None:
    for name in archive.__all__:
        value = getattr(archive, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            doc = inspect.getdoc(value) or ""
            assert doc and doc.splitlines()[0].strip(), f"archive.{name} has no docstring"


def test_the_readme_names_every_function_of_the_api() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    functions = [n for n in archive.__all__ if inspect.isfunction(getattr(archive, n))]
    assert functions
    for name in functions:
        assert f"archive.{name}(" in readme or f"`{name}(" in readme, name
