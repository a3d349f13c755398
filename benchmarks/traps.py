"""Trap benchmark: what a crawl of each replica costs, with the pattern lists and without.

Builds `tests/site/` and `tests/site/courier/` with N articles each, serves each on
127.0.0.1, and crawls it with the generic `news` spider into a fresh archive, twice: with
the default profile, then with its `traps` and `tracking_params` emptied (the mechanism
alone). For each crawl it prints, from the replica server's own request log: page
requests, articles archived, missing and extra articles, page requests per article (the
issue's budget is 1.5), the requests for the pages' requisites (stylesheets, scripts,
images, fonts) and requests per article with them, and, from the archive: trap families
cut, pages spent on them before the cut, query parameters learned. The pattern lists' run
is the baseline of the same sitting.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site.content import build_site  # noqa: E402
from tests.site.courier.model import build_courier  # noqa: E402
from tests.site.courier.server import CourierServer  # noqa: E402
from tests.site.crawl import crawl_command, sites_file  # noqa: E402
from tests.site.server import ReplicaServer  # noqa: E402


@dataclass
class Figures:
    """One crawl's cost, from the server's log and the archive."""

    requests: int
    archived: int
    requisites: int
    missing: int
    extra: int
    families_cut: list[str]
    pages_spent: int
    params_learned: list[str]
    returncode: int

    @property
    def per_article(self) -> float:
        """Page requests per archived article."""
        return self.requests / max(1, self.archived)

    @property
    def per_article_with_requisites(self) -> float:
        """Requests per archived article, the pages' requisites included."""
        return (self.requests + self.requisites) / max(1, self.archived)


def measure(server: ReplicaServer | CourierServer, folder: Path, *, lists: bool) -> Figures:
    """Crawl one served replica to the end; its figures."""
    sites = sites_file(folder, ("replica", server.base_url), lists=lists)
    command = crawl_command("news", server.base_url + "/", folder / "archive", sites=sites)
    server.clear_requests()
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    (folder / "crawl.log").write_text(done.stderr)
    expected = set(server.site.expected_article_paths())
    with sqlite3.connect(folder / "archive" / "archive.db") as db:
        urls = [url for (url,) in db.execute("select url from articles")]
        lessons = db.execute("select kind, key, pages from site_lessons").fetchall()
        requisite_urls = {url for (url,) in db.execute("select url from fetches where requisite")}
    # the server's own log, split into the pages and the pages' requisites
    asked = [server.base_url + request.path for request in server.requests]
    requisites = sum(url in requisite_urls for url in asked)
    requests = len(asked) - requisites
    archived = {url[len(server.base_url) :] for url in urls}
    cut = [(key, pages) for kind, key, pages in lessons if kind == "trap_family"]
    return Figures(
        requests=requests,
        requisites=requisites,
        archived=len(archived),
        missing=len(expected - archived),
        extra=len(archived - expected),
        families_cut=[key for key, _ in cut],
        pages_spent=sum(pages or 0 for _, pages in cut),
        params_learned=sorted(key for kind, key, _ in lessons if kind == "meaningless_param"),
        returncode=done.returncode,
    )


@click.command()
@click.option("--articles", default=300, show_default=True, help="Articles per replica.")
@click.option("--json-out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def main(articles: int, json_out: Path | None) -> None:
    """Crawl both replicas with and without the pattern lists; print what each cost."""
    replicas = {
        "tests/site": lambda: ReplicaServer(build_site(articles)),
        "courier": lambda: CourierServer(build_courier(articles)),
    }
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, serve in replicas.items():
            with serve() as server:
                for lists in (True, False):
                    label = f"{name}, {'default lists' if lists else 'lists empty'}"
                    click.echo(f"crawling {label} ...", err=True)
                    folder = Path(tmp) / f"{name.replace('/', '-')}-{lists}"
                    folder.mkdir()
                    results[label] = measure(server, folder, lists=lists)
    click.echo(
        f"{'crawl':32} {'requests':>8} {'articles':>8} {'missing':>7} {'extra':>5} "
        f"{'per art.':>8} {'requis.':>7} {'w/ req.':>7} {'cut':>4} {'spent':>5} learned"
    )
    for label, f in results.items():
        click.echo(
            f"{label:32} {f.requests:8d} {f.archived:8d} {f.missing:7d} {f.extra:5d} "
            f"{f.per_article:8.2f} {f.requisites:7d} {f.per_article_with_requisites:7.2f} "
            f"{len(f.families_cut):4d} {f.pages_spent:5d} {', '.join(f.params_learned) or '-'}"
        )
        if f.returncode:
            click.echo(f"  crawl exit status {f.returncode}", err=True)
    for name in replicas:
        base, bare = results[f"{name}, default lists"], results[f"{name}, lists empty"]
        click.echo(f"{name}: lists empty / default lists = {bare.requests / base.requests:.2f}×")
    if json_out is not None:
        json_out.write_text(
            json.dumps(
                {
                    k: {
                        **vars(f),
                        "per_article": f.per_article,
                        "per_article_with_requisites": f.per_article_with_requisites,
                    }
                    for k, f in results.items()
                }
            )
        )


if __name__ == "__main__":
    main()
