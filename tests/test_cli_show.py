"""`python -m archive show`: one article's metadata, version history, diffs and JSON."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.db import open_archive
from archive.models import Article, text_sha256
from archive.store import ArchiveStore
from tests.processes import as_unprivileged
from tests.test_cli import capture

ROOT = Path(__file__).resolve().parent.parent
PERU = "https://example.com/peru/"
CUP = "https://www.example.com/cup-final/"
TEXTS = [
    "Lima, 29 May.\nPeru and the US signed an agreement.\nThe police will train officers.",
    "Lima, 29 May.\nPeru and the US signed an agreement on Monday.\n"
    "The police will train officers.\nBolivia may join later.",
    "Lima, 29 May.\nPeru and the US signed an agreement on Monday.\nBolivia may join later.",
]
TITLES = [
    "Peru fights child trafficking",
    "Peru fights child trafficking",
    "Peru and US join forces",
]


def build_archive(directory: Path) -> Path:
    """One article in three versions (the title changes in the third) and one in one."""
    store = ArchiveStore(open_archive(directory))
    store.start_run("news", {})
    for n, (title, text) in enumerate(zip(TITLES, TEXTS, strict=True), start=1):
        article = Article(
            url=PERU,
            title=title,
            author="Ana Ruiz",
            published="2023-05-29",
            section="World",
            tags=["Peru", "US"],
            language="en",
            text=text,
        )
        capture(store, n, article)
    capture(store, 4, Article(url=CUP, title="Cup final", text="The cup final ended in a draw."))
    store.finish_run("finished", "finished", {})
    store.db.close()
    return directory


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """The small archive of `build_archive`."""
    return build_archive(tmp_path / "archive")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_show_prints_metadata_and_one_line_per_version(archive_dir: Path) -> None:
    result = run("show", str(archive_dir), PERU)
    assert result.exit_code == 0, result.output
    sha = [text_sha256(text)[:12] for text in TEXTS]
    assert result.stdout.splitlines() == [
        f"URL:        {PERU}",
        "Title:      Peru and US join forces",
        "Author:     Ana Ruiz",
        "Published:  2023-05-29",
        "Modified:   -",
        "Section:    World",
        "Tags:       Peru, US",
        "Language:   en",
        "Words:      16",
        "First seen: 2026-11-29T10:00:01Z",
        "Last seen:  2026-11-29T10:00:03Z",
        "WARC:       NEWS-1.warc.gz:300 (latest capture)",
        "Versions:   3",
        f"  v1  2026-11-29T10:00:01Z  15 words  {sha[0]}  NEWS-1.warc.gz:100  first capture",
        f"  v2  2026-11-29T10:00:02Z  21 words  {sha[1]}  NEWS-1.warc.gz:200  +2 -1 lines",
        f"  v3  2026-11-29T10:00:03Z  16 words  {sha[2]}  NEWS-1.warc.gz:300  "
        "+0 -1 lines, title changed",
    ]
    assert "Gone:" not in result.stdout
    assert result.stderr == ""


def test_diff_of_the_last_two_versions(archive_dir: Path) -> None:
    result = run("show", str(archive_dir), PERU, "--diff")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        'title: "Peru fights child trafficking" -> "Peru and US join forces"',
        "--- version 2 (2026-11-29T10:00:02Z)",
        "+++ version 3 (2026-11-29T10:00:03Z)",
        "@@ -1,4 +1,3 @@",
        " Lima, 29 May.",
        " Peru and the US signed an agreement on Monday.",
        "-The police will train officers.",
        " Bolivia may join later.",
    ]
    assert "\x1b[" not in result.stdout  # never colour when not at a terminal


def test_diff_from_to_picks_the_versions(archive_dir: Path) -> None:
    lines = run("show", str(archive_dir), PERU, "--from", "1", "--to", "2").stdout.splitlines()
    assert lines == [
        "--- version 1 (2026-11-29T10:00:01Z)",
        "+++ version 2 (2026-11-29T10:00:02Z)",
        "@@ -1,3 +1,4 @@",
        " Lima, 29 May.",
        "-Peru and the US signed an agreement.",
        "+Peru and the US signed an agreement on Monday.",
        " The police will train officers.",
        "+Bolivia may join later.",
    ]
    # --to alone diffs against the version before it; --from alone against the latest.
    assert run("show", str(archive_dir), PERU, "--to", "2").stdout.splitlines() == lines
    backwards = run("show", str(archive_dir), PERU, "--from", "3", "--to", "1").stdout
    assert backwards.splitlines()[:3] == [
        'title: "Peru and US join forces" -> "Peru fights child trafficking"',
        "--- version 3 (2026-11-29T10:00:03Z)",
        "+++ version 1 (2026-11-29T10:00:01Z)",
    ]
    latest = run("show", str(archive_dir), PERU, "--from", "1").stdout.splitlines()
    assert latest[1:3] == [
        "--- version 1 (2026-11-29T10:00:01Z)",
        "+++ version 3 (2026-11-29T10:00:03Z)",
    ]


@pytest.mark.e2e
def test_diff_is_coloured_only_at_a_terminal(archive_dir: Path) -> None:
    # A pipe is what a script or `less` sees: plain text, whatever the colour settings.
    result = subprocess.run(
        [sys.executable, "-m", "archive", "show", str(archive_dir), PERU, "--diff"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "FORCE_COLOR": "1", "CLICK_COLOR": "1"},
    )
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "-The police will train officers." in result.stdout.splitlines()


def test_json_has_metadata_and_every_version_with_text(archive_dir: Path) -> None:
    result = run("show", str(archive_dir), PERU, "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["url"] == PERU
    assert record["title"] == "Peru and US join forces"
    assert record["tags"] == ["Peru", "US"]
    assert (record["version_count"], record["warc_filename"], record["warc_offset"]) == (
        3,
        "NEWS-1.warc.gz",
        300,
    )
    assert (record["gone_at"], record["gone_status"]) == (None, None)
    assert [v["version"] for v in record["versions"]] == [1, 2, 3]
    assert [v["text"] for v in record["versions"]] == TEXTS
    assert [v["title"] for v in record["versions"]] == TITLES
    first = record["versions"][0]
    assert first["captured_at"] == "2026-11-29T10:00:01+00:00"
    assert (first["warc_offset"], first["warc_record_id"]) == (100, "<urn:uuid:1>")
    assert first["content_sha256"] == text_sha256(TEXTS[0])


@pytest.mark.parametrize(
    ("given", "found"),
    [
        ("https://example.com/peru", PERU),
        ("http://example.com/peru/", PERU),
        ("http://www.example.com/peru", PERU),
        ("https://example.com/cup-final", CUP),
    ],
)
def test_url_falls_back_to_light_respellings(archive_dir: Path, given: str, found: str) -> None:
    result = run("show", str(archive_dir), given)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"URL:        {found}"
    assert result.stderr == f"{given} is not archived; showing {found}\n"
    # The note goes to stderr so that --json output stays one JSON object.
    assert json.loads(run("show", str(archive_dir), given, "--json").stdout)["url"] == found


def test_gone_article_says_when_and_how(archive_dir: Path) -> None:
    # Added by migration m003; add them by hand should this archive predate it.
    db = open_archive(archive_dir)
    if "gone_at" not in db["articles"].columns_dict:
        db["articles"].add_column("gone_at", str)
        db["articles"].add_column("gone_status", int)
    db.execute(
        "update articles set gone_at = '2026-12-01T08:00:00+00:00', gone_status = 410"
        " where url = ?",
        [PERU],
    )
    db.conn.commit()
    db.close()
    lines = run("show", str(archive_dir), PERU).stdout.splitlines()
    assert "Gone:       2026-12-01T08:00:00Z (HTTP 410)" in lines
    assert "Gone:" not in run("show", str(archive_dir), CUP).stdout
    record = json.loads(run("show", str(archive_dir), PERU, "--json").stdout)
    assert (record["gone_at"], record["gone_status"]) == ("2026-12-01T08:00:00+00:00", 410)


def test_archive_without_gone_columns_still_shows(archive_dir: Path) -> None:
    db = open_archive(archive_dir)
    for column in ("gone_at", "gone_status"):
        if column in db["articles"].columns_dict:
            db.execute(f"alter table articles drop column {column}")
    db.close()
    result = run("show", str(archive_dir), PERU)
    assert result.exit_code == 0, result.output
    assert "Gone:" not in result.stdout
    record = json.loads(run("show", str(archive_dir), PERU, "--json").stdout)
    assert (record["gone_at"], record["gone_status"]) == (None, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("{missing}", PERU), "no archive at {missing}"),
        (
            ("{archive}", "https://example.com/nothing/"),
            "no article with URL https://example.com/nothing/ in {archive}\n",
        ),
        (
            ("{archive}", "https://example.com/2023/05/peru"),
            "no article with URL https://example.com/2023/05/peru in {archive};"
            f" close matches: {PERU}\n",
        ),
        (("{archive}", PERU, "--from", "7"), f"no version 7 of {PERU}: it has versions 1 to 3"),
        (("{archive}", PERU, "--to", "1"), f"no version 0 of {PERU}"),
        (("{archive}", PERU, "--from", "2", "--to", "2"), "both sides are version 2"),
        (("{archive}", PERU, "--from", "two"), "Invalid value for '--from'"),
        (("{archive}", PERU, "--diff", "--json"), "cannot be combined"),
        (("{archive}", CUP, "--diff"), f"{CUP} has only one version: nothing to compare"),
    ],
)
@pytest.mark.e2e
def test_bad_input_is_one_line_and_exit_2(
    archive_dir: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    values = {"archive": str(archive_dir), "missing": str(tmp_path / "nowhere")}
    argv = [a.format(**values) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "archive", "show", *argv], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert message.format(**values) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    if "Invalid value" not in message:  # click's own usage errors come with a usage line
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("show", "{archive}", PERU), f"URL:        {PERU}\n"),
        (("search", "{archive}", "Peru"), "Peru and US join forces\n"),
        (("export", "{archive}", "--format", "jsonl"), '{"url": '),
        (("stats", "{archive}"), "Archive:"),
    ],
)
@pytest.mark.e2e
def test_queries_work_on_a_read_only_archive(command: tuple[str, ...], expected: str) -> None:
    # Not under pytest's tmp folder: its mode 700 would keep the other user out entirely.
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch).chmod(0o755)
        directory = build_archive(Path(scratch) / "archive")
        read_only = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        for path in [directory / "archive.db", *(directory / "warc").iterdir()]:
            path.chmod(read_only)
        for folder in (directory / "warc", directory):
            folder.chmod(read_only | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        argv = [part.format(archive=directory) for part in command]
        try:
            result = subprocess.run(
                [*as_unprivileged(), sys.executable, "-m", "archive", *argv],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            assert sorted(p.name for p in directory.iterdir()) == ["archive.db", "warc"]
        finally:
            for folder in (directory, directory / "warc"):
                folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.startswith(expected)
    assert PERU in result.stdout or command[0] == "stats"


def test_url_with_surrounding_whitespace_is_found(archive_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["show", str(archive_dir), f" {PERU}\r\n"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"URL:        {PERU}\n")
