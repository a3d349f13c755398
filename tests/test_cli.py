"""`python -m archive`: export, search and stats, and one-line errors with exit status 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.db import open_archive
from archive.models import Article, Fetch, WarcLocation
from archive.queries import EXPORT_FIELDS, fts5_query
from archive.store import ArchiveStore

ROOT = Path(__file__).resolve().parent.parent


def capture(store: ArchiveStore, n: int, item: Article) -> str:
    """Record the nth fetch (n < 10) of an article and store the article from it."""
    at = f"2026-11-29T10:00:0{n}+00:00"
    fetch_id = store.record_fetch(
        Fetch(
            url=item.url,
            method="GET",
            status=200,
            fetched_at=at,
            response=WarcLocation("NEWS-1.warc.gz", n * 100, 50, f"<urn:uuid:{n}>"),
            request_record_id=f"<urn:uuid:r{n}>",
        )
    )
    return store.save_article(item, fetch_id, at)


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """A small archive: two articles, one of them in two versions."""
    directory = tmp_path / "archive"
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    texts = [
        ("https://example.com/peru/", "Peru and the US fight child trafficking.", "2023-05-29"),
        ("https://example.com/peru/", "Peru and the US fight child trafficking together.", None),
        ("https://example.com/cup/", "The cup final ended in a draw.", "2023-04-02"),
    ]
    for n, (url, text, published) in enumerate(texts, start=1):
        item = Article(url=url, title=f"Title {n}", published=published or "2023-05-29", text=text)
        capture(store, n, item)
    store.finish_run("finished", "finished", {})
    store.db.close()
    return directory


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_export_jsonl_has_the_contract_fields(archive_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run("export", str(archive_dir), "--format", "jsonl", "--output", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2
    for record in records:
        assert list(record) == list(EXPORT_FIELDS)
    peru = next(r for r in records if r["url"] == "https://example.com/peru/")
    assert peru["version"] == 2
    assert peru["text"] == "Peru and the US fight child trafficking together."


def test_export_csv_all_versions(archive_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("export", str(archive_dir), "--format", "csv", "-o", str(out), "--all-versions")
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    assert tuple(rows[0]) == EXPORT_FIELDS


def test_export_filters(archive_dir: Path) -> None:
    result = run("export", str(archive_dir), "--since", "2023-05-01", "--query", "trafficking")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["url"] == "https://example.com/peru/"


def test_export_refuses_to_overwrite_without_force(archive_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken.jsonl"
    out.write_text("precious\n")
    result = run("export", str(archive_dir), "--output", str(out))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert out.read_text() == "precious\n"
    assert run("export", str(archive_dir), "--output", str(out), "--force").exit_code == 0
    assert out.read_text().count("\n") == 2


def test_search_finds_and_ranks(archive_dir: Path) -> None:
    result = run("search", str(archive_dir), "child trafficking", "--json")
    assert result.exit_code == 0
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert [h["url"] for h in hits] == ["https://example.com/peru/"]
    assert "[child]" in hits[0]["snippet"]


def test_stats(archive_dir: Path) -> None:
    result = run("stats", str(archive_dir), "--json")
    figures = json.loads(result.stdout)
    assert (figures["articles"], figures["versions"], figures["fetches"]) == (2, 3, 3)
    assert (figures["boilerplate"], figures["recleans"]) == ([], 0)


def test_stats_lists_learned_boilerplate(tmp_path: Path) -> None:
    store = ArchiveStore(open_archive(tmp_path))
    store.start_run("news", {})
    promo = "Subscribe to our newsletter for the day's top stories in your inbox every morning."
    for n in range(5):
        capture(store, n, Article(url=f"https://example.com/{n}/", text=f"Story {n}.\n{promo}"))
    store.db.close()
    figures = json.loads(run("stats", str(tmp_path), "--json").stdout)
    assert [(b["site"], b["text"], b["articles"]) for b in figures["boilerplate"]] == [
        ("example.com", promo, 5)
    ]
    assert figures["recleans"] == 5
    lines = run("stats", str(tmp_path)).stdout.splitlines()
    assert "Boilerplate learned: 1 paragraph, 5 re-cleans of stored articles" in lines
    assert f"  example.com  in 5 articles: {promo[:67]}..." in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "{missing}"), "no archive"),
        (("search", "{archive}", " "), "empty search query"),
        (("export", "{archive}", "--since", "2023-02-30"), "bad date"),
        (("export", "{archive}", "--until", "last week"), "bad date"),
        (("export", "{archive}", "--output", "{missing}/out.jsonl"), "does not exist"),
        (("export", "{archive}", "--format", "xml"), "Invalid value"),
    ],
)
@pytest.mark.e2e
def test_bad_input_is_one_line_and_exit_2(
    archive_dir: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    values = {"archive": str(archive_dir), "missing": str(tmp_path / "nowhere")}
    argv = [a.format(**values) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "archive", *argv], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_every_command_has_help_with_an_example_and_a_readme_mention() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name
        assert f"python -m archive {name}" in readme, name


@pytest.mark.e2e
def test_output_piped_into_head_is_not_an_error(tmp_path: Path) -> None:
    directory = tmp_path / "big"
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    for n in range(200):  # about 400 kB of export: more than a pipe holds
        url = f"https://example.com/{n}/"
        fetch_id = store.record_fetch(
            Fetch(url, "GET", 200, "2026-11-29T10:00:00+00:00", WarcLocation("W", n, 1, "id"), "r")
        )
        text = f"Story {n} about trafficking. " + "Words of the story. " * 100
        store.save_article(Article(url=url, text=text), fetch_id, "2026-11-29T10:00:00+00:00")
    store.db.close()
    # search's output (short snippets) may fit in the pipe before head closes it: then it
    # ends normally and says how many results it printed
    for args, summary in (
        (f"export {directory}", ""),
        (f"search {directory} trafficking --limit 200", "200 articles\n"),
    ):
        result = subprocess.run(
            f"{sys.executable} -m archive {args} | head -c 10",
            shell=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert len(result.stdout) == 10
        assert result.stderr in ("", summary)


def test_search_snippet_is_one_line(archive_dir: Path) -> None:
    result = run("search", str(archive_dir), "trafficking")
    lines = result.stdout.splitlines()
    assert lines[2].startswith("  ") and "[trafficking]" in lines[2]
    assert lines[3] == ""


# Articles for the search tests: each "-apart" one holds the words of a phrase before it,
# but not next to each other, so a phrase match and a match of loose words differ.
NEWS = {
    "covid": ("Vaccines arrive", "Covid-19 vaccines reached the clinics on Monday."),
    "covid-apart": ("Clinics report", "The 19 clinics reported no new covid cases."),
    "two-year": ("Port plan", "A two-year plan for the port was agreed."),
    "two-apart": ("Port ships", "Two ships left the port; one year later they came back."),
    "us": ("Senate vote", "The U.S. Senate and House voted on Tuesday."),
    "dont": ("Poll", "Voters say they don't trust the plan."),
    "billion": ("Budget", "The budget grew to 12.7 billion dollars."),
    "billion-apart": ("Cabinet", "12 ministers met for 7 hours about a billion dollars."),
}


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    """An archive of the NEWS articles, at https://example.com/<key>/."""
    directory = tmp_path / "news"
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    for n, (key, (title, text)) in enumerate(NEWS.items()):
        capture(store, n, Article(url=f"https://example.com/{key}/", title=title, text=text))
    store.finish_run("finished", "finished", {})
    store.db.close()
    return directory


def found(directory: Path, query: str) -> set[str]:
    """The NEWS keys `search --json` finds for a query."""
    result = run("search", str(directory), query, "--json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return {json.loads(line)["url"].split("/")[3] for line in result.stdout.splitlines()}


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("covid-19", {"covid"}),
        ("two-year", {"two-year"}),
        ("U.S.", {"us"}),
        ("don't", {"dont"}),
        ("12.7 billion", {"billion"}),
        ("two year", {"two-year", "two-apart"}),  # loose words stay loose
    ],
)
def test_search_takes_words_as_typed(news_dir: Path, query: str, keys: set[str]) -> None:
    assert found(news_dir, query) == keys


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("vaccines OR senate", {"covid", "us"}),
        ("clinics NOT vaccines", {"covid-apart"}),
        ("plan AND port", {"two-year"}),
        ('"clinics reported"', {"covid-apart"}),
        ('"reported clinics"', set()),
        ("vacc*", {"covid"}),
        ("(port OR senate) NOT ships", {"two-year", "us"}),
        ("NEAR(covid vaccines, 1)", {"covid"}),
        ("title:plan", {"two-year"}),
        ("plan", {"two-year", "dont"}),
    ],
)
def test_search_keeps_fts5_syntax(news_dir: Path, query: str, keys: set[str]) -> None:
    assert found(news_dir, query) == keys


@pytest.mark.parametrize("query", ["senate AND", "senate (", '"u.s. senate', "NOT senate"])
def test_a_query_sqlite_rejects_is_searched_as_plain_words(news_dir: Path, query: str) -> None:
    # "NOT senate" as plain words needs "not" too, which no article has
    assert found(news_dir, query) == (set() if query.startswith("NOT") else {"us"})


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("covid-19 data", '"covid-19" data'),
        ("U.S.* 12,700", '"U.S."* "12,700"'),
        ('say "don""t" "open phrase', 'say "don""t" "open phrase"'),
        ("a OR b NOT (c AND d*)", "a OR b NOT ( c AND d* )"),
        ("NEAR(a b-c, 5)", 'NEAR ( a "b-c" , 5 )'),
        (
            'title:covid-19 -TITLE:x text:"a b" nope:x',
            'title:"covid-19" -TITLE:x text: "a b" "nope:x"',
        ),
    ],
)
def test_fts5_query_quotes_only_what_fts5_would_reject(query: str, expression: str) -> None:
    assert fts5_query(query) == expression


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (("port", "--limit", "1"), "1 of 2 articles"),
        (("port",), "2 articles"),
        (("senate",), "1 article"),
        (("nowhere",), "0 articles"),
        (("port", "--limit", "1", "--json"), "1 of 2 articles"),
    ],
)
def test_search_says_how_many_match_in_all(news_dir: Path, args: tuple, count: str) -> None:
    result = run("search", str(news_dir), *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == count + "\n"
    if "--json" in args:  # stdout stays one JSON object per hit
        assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [
            "https://example.com/two-year/"
        ]
