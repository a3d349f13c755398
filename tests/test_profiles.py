"""Sites as data: profile files, sites files, and one-line errors for bad ones."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from parsing.rules import ExtractionRules
from spiders.news import NewsSpider
from spiders.profile import WORDPRESS, WORDPRESS_RULES, ProfileError, load_profiles
from spiders.site_spiders import SITES_DIR, NationworldnewsSpider, spider_for
from tests.site.crawl import ROOT, crawl_command


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_profile_is_the_nationworldnews_spider() -> None:
    (profile,) = load_profiles(SITES_DIR / "nationworldnews.toml")
    assert NationworldnewsSpider.name == "nationworldnews"
    assert NationworldnewsSpider.profile == profile
    assert profile.base_url == "https://nationworldnews.com/"
    assert profile.extraction.content == (
        ".tdb_single_content .tdb-block-inner",
        ".td-post-content",
    )
    assert profile.extraction.prune[: len(WORDPRESS_RULES.prune)] == WORDPRESS_RULES.prune
    assert ".td-a-rec" in profile.extraction.prune
    assert not profile.extraction.keep("Join Voice of America! subscribe our channel youtube")
    # everything the file leaves out is the WordPress default
    assert profile.deny == WORDPRESS.deny and profile.feed_paths == WORDPRESS.feed_paths


def test_a_minimal_profile_is_its_base_url(tmp_path: Path) -> None:
    (profile,) = load_profiles(write(tmp_path, 'base_url = "https://News.example.org"\n'))
    assert profile.name == "site"
    assert profile.base_url == "https://news.example.org/"
    assert profile == WORDPRESS.__class__(
        **{**WORDPRESS.__dict__, "name": "site", "base_url": "https://news.example.org/"}
    )


def test_every_key_is_read(tmp_path: Path) -> None:
    text = """
name = "courier"
base_url = "https://courier.example/news"
feeds = ["feed/", "rss/"]
sitemaps = ["wp-sitemap.xml"]
tracking_params = ["utm_*"]
traps = []
section_patterns = ["^/topics/[^/]+/$"]

[extraction]
content = [".entry-content"]
prune = [".share-bar"]
boilerplate = ["^Sign up for"]

[politeness]
download_delay = 2
concurrency = 1
"""
    (profile,) = load_profiles(write(tmp_path, text))
    assert profile.name == "courier"
    assert profile.base_url == "https://courier.example/news/"
    assert profile.feed_paths == ("feed/", "rss/")
    assert profile.sitemap_paths == ("wp-sitemap.xml",)
    assert profile.tracking_params == ("utm_*",)
    assert profile.deny == ()
    assert profile.section_patterns == ("^/topics/[^/]+/$",)
    assert profile.extraction == ExtractionRules(
        content=(".entry-content",),
        prune=(*WORDPRESS_RULES.prune, ".share-bar"),
        boilerplate=("^Sign up for",),
    )
    assert (profile.download_delay, profile.concurrency) == (2.0, 1)


def test_a_sites_file_and_a_folder_hold_many_sites(tmp_path: Path) -> None:
    sites = write(
        tmp_path,
        '[[site]]\nbase_url = "https://a.example/"\n'
        '[[site]]\nname = "b"\nbase_url = "https://b.example/"\n'
        "[site.politeness]\nconcurrency = 2\n",
        "sites.toml",
    )
    first, second = load_profiles(sites)
    assert (first.name, second.name, second.concurrency) == ("sites-1", "b", 2)
    folder = tmp_path / "profiles"
    folder.mkdir()
    write(folder, 'base_url = "https://c.example/"\n', "c.toml")
    write(folder, 'base_url = "https://d.example/"\n', "d.toml")
    assert [p.name for p in load_profiles(folder)] == ["c", "d"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('base_url = "https://a.example/"\nfeed = ["x"]\n', "site.toml: feed: unknown key"),
        (
            'base_url = "https://a.example/"\n[extraction]\nbody = ["x"]\n',
            "extraction.body: unknown",
        ),
        ('base_url = "https://a.example/"\nfeeds = "feed/"\n', "feeds: must be a list of strings"),
        ('base_url = "https://a.example/"\ntraps = ["(unclosed"]\n', "traps: '(unclosed' is not a"),
        (
            'base_url = "https://a.example/"\n[extraction]\ncontent = ["div["]\n',
            "not a CSS selector",
        ),
        (
            'base_url = "https://a.example/"\n[politeness]\nconcurrency = 0\n',
            "concurrency: must be",
        ),
        (
            'base_url = "https://a.example/"\n[politeness]\ndownload_delay = "1s"\n',
            "download_delay",
        ),
        ('base_url = "https://a.example/"\nextraction = 3\n', "extraction: must be a table"),
        ('name = "x"\n', "base_url: missing"),
        ('base_url = "ftp://a.example/"\n', "base_url: site URL 'ftp://a.example/' must start"),
        ("base_url = \n", "not valid TOML"),
        (
            '[[site]]\nbase_url = "https://a.example/"\nname = "x"\n'
            '[[site]]\nbase_url = "https://b.example/"\nname = "x"\n',
            "name: 'x' is used by two",
        ),
    ],
)
def test_a_bad_profile_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as error:
        load_profiles(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_missing_file_or_an_empty_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profiles(tmp_path / "nothing.toml")
    with pytest.raises(ProfileError, match=r"no \*\.toml profile"):
        load_profiles(tmp_path)


def test_the_spider_takes_a_sites_file_and_refuses_two_ways_at_once(tmp_path: Path) -> None:
    sites = write(
        tmp_path,
        '[[site]]\nbase_url = "https://a.example/"\n[[site]]\nbase_url = "https://b.example/"\n',
    )
    profiles = NewsSpider.check_arguments(sites=str(sites))
    assert [p.base_url for p in profiles] == ["https://a.example/", "https://b.example/"]
    with pytest.raises(ValueError, match="not both"):
        NewsSpider.check_arguments(url="https://a.example/", sites=str(sites))
    twice = write(
        tmp_path,
        '[[site]]\nbase_url = "https://a.example/"\n[[site]]\nname = "b"\n'
        'base_url = "http://www.a.example/"\n',
        "twice.toml",
    )
    with pytest.raises(ValueError, match=r"two sites at a\.example"):
        NewsSpider.check_arguments(sites=str(twice))


def test_a_profile_spider_can_be_pointed_at_a_copy() -> None:
    spider = spider_for(load_profiles(SITES_DIR / "nationworldnews.toml")[0])
    (profile,) = spider.check_arguments(url="http://127.0.0.1:8000/")
    assert profile.base_url == "http://127.0.0.1:8000/"
    assert profile.extraction == spider.profile.extraction


@pytest.mark.e2e
def test_the_crawl_command_refuses_a_bad_sites_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'base_url = "https://a.example/"\nfeed = ["x"]\n')
    command = crawl_command("news", "unused", tmp_path / "archive", sites=path)
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"crawl: error: {path}: feed: unknown key (known: " + (
        result.stderr.split("(known: ", 1)[1].strip()
    )
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "archive").exists()
