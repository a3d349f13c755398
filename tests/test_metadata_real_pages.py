"""Metadata of real pages from the extraction benchmark, checked by hand against their HTML."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from parsing.document import parse_html
from parsing.metadata import read_metadata

PAGES = Path(__file__).parent / "fixtures" / "extraction_benchmark"
TRUTH = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))


@cache
def metadata_of(prefix: str) -> dict[str, Any]:
    (path,) = (PAGES / "html").glob(f"{prefix}*.html.gz")
    item_id = path.name.removesuffix(".html.gz")
    tree = parse_html(gzip.decompress(path.read_bytes()).decode("utf-8"))
    assert tree is not None
    return read_metadata(tree, TRUTH[item_id]["url"])


# What each page says, read off its HTML by hand (the source is noted per page).
EXPECTED = {
    # gizmodo.com: schema.org JSON-LD with a -05:00 offset; keywords from JSON-LD
    "5fa5679de5": {
        "title": "The Future of Apple Innovation Is Backwards",
        "author": "Adam Clark Estes",
        "published": "2019-11-18T17:30:00-05:00",
        "modified": "2019-11-19T12:45:41-05:00",
        "language": "en-us",
        "tags": ["innovation", "macbook pro", "macbook"],
        "image": "https://i.kinja-img.com/gawker-media/image/upload/c_fill,f_auto,"
        "fl_progressive,g_center,h_675,pg_1,q_80,w_1200/l0iqhrrug8au9o5xger5.jpg",
    },
    # deccanherald.com (Drupal): article:* meta tags in India's +05:30
    "c90731f051": {
        "title": "Impeachment sham completely debunked: White House",
        "author": "PTI",
        "published": "2019-11-20T10:18:01+05:30",
        "modified": "2019-11-20T13:42:10+05:30",
        "language": "en",
        "section": "International",
        "tags": ["Donald Trump", "White House", "Ukraine", "USA"],
    },
    # sputniknews.com: <meta name="pubdate" itemprop="datePublished"> in UTC with "Z"
    "1f765c4878": {
        "title": "Royal Self-Indicting Arrogance",
        "author": "Finian Cunningham. Sputnik International",
        "published": "2019-11-18T21:17:27+00:00",
        "modified": "2019-11-18T21:17:46+00:00",
        "language": "en",
        "section": None,
        "description": "What was this British royal and his PR aides thinking of when he "
        "granted a high-profile interview to the BBC, supposedly to clear his name from "
        "association with sex-trafficker billionaire Jeffrey Epstein?",
    },
    # theparadigmng.com (WordPress + Yoast): og/article meta at +01:00; no byline on the page
    "0dd1357045": {
        "title": "BREAKING: Lawan moves motion for Senate’s adjournment over Nzeribe, "
        "Adedoyin’s deaths",
        "author": None,
        "published": "2018-10-09T16:02:36+01:00",
        "modified": None,
        "language": "en-US",
        "section": "News",
        "image": "http://www.theparadigmng.com/wp-content/uploads/2018/10/Senate-resumes-1024x683.jpg",
    },
}


@pytest.mark.parametrize(
    ("prefix", "field"),
    [(prefix, field) for prefix, fields in EXPECTED.items() for field in fields],
)
def test_real_page_metadata(prefix: str, field: str) -> None:
    assert metadata_of(prefix)[field] == EXPECTED[prefix][field]
