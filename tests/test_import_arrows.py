"""The rooms and their arrows: which package may import which (DESIGN.md, STYLE.md).

spiders → pipelines → archive; spiders and pipelines → parsing → archive.models. The
imports of every module are read from its source (function-level imports included), so
an arrow that runs back fails here before anyone has to notice it in review.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("spiders", "pipelines", "parsing", "archive")
CRAWLING = ("scrapy", "twisted")
# What each package must never import (top-level names, or dotted prefixes).
FORBIDDEN = {
    "spiders": (),
    "pipelines": ("spiders",),
    "parsing": ("spiders", "pipelines", *CRAWLING),
    "archive": ("spiders", "pipelines", "parsing", *CRAWLING),
}
# Of the archive, page reading may use the records it returns, and nothing else.
PARSING_MAY_USE = ("archive.models",)
# The one module of the archive that calls page reading: re-deriving stored texts from the
# archive's own WARC records (`python -m archive reextract`) is the archive's job, and page
# reading is Scrapy-free. No other archive module may (the cli imports it in the command).
ARCHIVE_MAY_READ_PAGES = ("archive.reextract",)


def module_name(path: Path) -> str:
    """Dotted name of a module file under the repository root."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every dotted name a module's source imports, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports of a module that run against the arrows, as readable lines."""
    room = module.split(".")[0]
    found = []
    for name in sorted(imported_names(source, module, is_package)):
        if module in ARCHIVE_MAY_READ_PAGES and _within(name, "parsing"):
            continue
        if any(_within(name, banned) for banned in FORBIDDEN.get(room, ())):
            found.append(f"{module} imports {name}")
        elif (
            room == "parsing"
            and _within(name, "archive")
            and not any(_within(name, allowed) for allowed in PARSING_MAY_USE)
        ):
            found.append(f"{module} imports {name} (page reading uses archive.models only)")
    return found


def project_modules() -> list[Path]:
    """Every Python file of the four rooms."""
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_every_room_is_read() -> None:
    rooms = {module_name(path).split(".")[0] for path in project_modules()}
    assert rooms == set(PACKAGES)
    assert len(project_modules()) > 30


def test_no_arrow_runs_back() -> None:
    found = []
    for path in project_modules():
        source = path.read_text(encoding="utf-8")
        found += violations(source, module_name(path), path.name == "__init__.py")
    assert not found, "arrows running back:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("pipelines.save_articles", "from spiders.news import NewsSpider"),
        ("pipelines.middlewares.site_only", "from ...spiders import news"),
        ("archive.store", "import scrapy"),
        ("archive.db", "def f():\n    from twisted.internet import reactor"),
        ("archive.queries", "from parsing.page import read_page"),
        ("archive.reextract", "from pipelines.items import ArticleItem"),
        ("archive.cli", "from pipelines.items import ArticleItem"),
        ("parsing.page", "from scrapy.http import HtmlResponse"),
        ("parsing.article", "from pipelines.extensions import extraction_workers"),
        ("parsing.metadata", "from archive.store import ArchiveStore"),
        ("parsing.feed", "import archive"),
        ("parsing.sitemap", "importlib.import_module('spiders.news')"),
    ],
)
def test_a_reversed_arrow_is_caught(module: str, source: str) -> None:
    assert violations(source, module)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("spiders.news", "from pipelines.items import ArticleItem\nfrom parsing import read_page"),
        ("spiders.news", "import scrapy\nfrom archive.sites import site_address"),
        ("pipelines.save_articles", "from archive.store import ArchiveStore\nimport scrapy"),
        ("pipelines.middlewares.site_only", "from ..items import ArticleItem"),
        ("parsing.article", "from archive.models import Article\nfrom .rules import GENERIC_RULES"),
        ("parsing.page", "from archive import models"),
        ("archive.cli", "import click\nfrom archive.db import open_archive"),
        ("archive.reextract", "from parsing.article import extract_article"),
    ],
)
def test_an_arrow_the_right_way_passes(module: str, source: str) -> None:
    assert violations(source, module) == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("imports", "absent"),
    [
        # at run time too: no library they use pulls the crawler in behind their back
        ("parsing, parsing.page, archive, archive.cli", ("scrapy", "twisted", *PACKAGES[:2])),
        # the page-reading workers carry no SQLite or queries (archive's API loads lazily)
        ("parsing", ("sqlite_utils", "archive.db", "archive.queries")),
    ],
)
def test_importing_loads_nothing_it_should_not(imports: str, absent: tuple[str, ...]) -> None:
    probe = f"import sys, {imports}; print(sorted(set(sys.modules) & {set(absent)!r}))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
