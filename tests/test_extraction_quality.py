"""Quality gate: the generic extractor's F1 on a fixed subset of the extraction benchmark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from trafilatura import extract

from benchmarks.metric import (
    catastrophic,
    page_f1,
    paragraph_recall,
    score_page,
    shingles,
    summarise,
)
from parsing.article import extract_article

BENCHMARK = Path(__file__).parent / "fixtures" / "extraction_benchmark"
# Measured 0.984 on this subset (every 9th page of the 181, sorted by id). Lowering the
# floor is a decision, not a fix: say why in the commit.
F1_FLOOR = 0.974


def test_subset_is_every_ninth_page() -> None:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    assert len(truth) == 21
    assert sorted(p.name for p in (BENCHMARK / "html").iterdir()) == [
        f"{item_id}.html.gz" for item_id in sorted(truth)
    ]


def fixture_pages() -> list[tuple[str, str, str]]:
    """(html, url, truth) of the subset's pages, by id."""
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for item_id, page in sorted(truth.items()):
        html = gzip.decompress((BENCHMARK / "html" / f"{item_id}.html.gz").read_bytes())
        pages.append((html.decode("utf-8"), page["url"], page["articleBody"]))
    return pages


@pytest.fixture(scope="module")
def scored() -> tuple[list, list]:
    """Page scores of the project and of plain trafilatura on the subset."""
    ours, theirs = [], []
    for html, url, truth in fixture_pages():
        article = extract_article(html, url)
        ours.append(score_page(truth, article.text if article else ""))
        theirs.append(score_page(truth, extract(html, include_comments=False) or ""))
    return ours, theirs


def test_generic_extraction_f1_above_floor(scored: tuple[list, list]) -> None:
    ours, _ = scored
    assert summarise(ours).f1 >= F1_FLOOR


def test_no_page_is_lost_where_trafilatura_keeps_it(scored: tuple[list, list]) -> None:
    ours, theirs = scored
    assert catastrophic(ours, theirs) == []
    assert summarise(ours).recall >= summarise(theirs).recall


# --- the metric itself, on hand-made texts ---------------------------------------------


def test_shingles_are_four_token_multisets() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
        ("d", "a", "b", "c"): 1,
    }


def test_short_and_empty_texts() -> None:
    assert shingles("Hi, you!") == {("Hi", "you"): 1}
    assert shingles(" ... ") == {}


def test_exact_match_ignores_punctuation_not_case() -> None:
    same = score_page("One, two; three four five.", "One two three four five")
    assert (same.precision, same.recall, same.exact) == (1.0, 1.0, True)
    # "One" and "one" are different tokens: 1 of the 2 shingles matches.
    cased = score_page("One two three four five", "one two three four five")
    assert (cased.precision, cased.recall, cased.exact) == (0.5, 0.5, False)


def test_extra_and_missing_shingles() -> None:
    # truth: a b c d e f (3 shingles); prediction: a b c d e x (3), 2 of them in common.
    score = score_page("a b c d e f", "a b c d e x")
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    # a prediction twice as long as the truth, holding it all: P 3/7 (3 of 7 shingles).
    score = score_page("a b c d e f", "a b c d e f a b c d")
    assert score.precision == pytest.approx(3 / 7)
    assert score.recall == 1.0


def test_empty_prediction_costs_recall_only() -> None:
    empty = score_page("a b c d e", "")
    assert empty.precision is None and empty.recall == 0.0
    perfect = score_page("a b c d e", "a b c d e")
    half = score_page("a b c d e f", "a b c d e")  # P 2/2, R 2/3
    summary = summarise([empty, perfect, half])
    assert summary.precision == 1.0
    assert summary.recall == pytest.approx((0 + 1 + 2 / 3) / 3)
    r = (0 + 1 + 2 / 3) / 3
    assert summary.f1 == pytest.approx(2 * r / (1 + r))
    assert summary.accuracy == pytest.approx(1 / 3)


def test_catastrophic_pages_and_page_f1() -> None:
    good, empty = score_page("a b c d e", "a b c d e"), score_page("a b c d e", "")
    part = score_page("a b c d e f g h i j k", "a b c d e")  # P 1, R 2/8
    assert page_f1(good) == 1.0 and page_f1(empty) == 0.0
    assert page_f1(part) == pytest.approx(2 * 0.25 / 1.25)
    assert catastrophic([good, empty, part], [good, good, good]) == [1, 2]
    assert catastrophic([empty], [part]) == []  # the baseline did badly there too


def test_paragraph_recall_counts_paragraphs_mostly_kept() -> None:
    truth = "one two three four five\nsix seven eight nine ten\neleven twelve"
    assert paragraph_recall(truth, truth) == 1.0
    assert paragraph_recall(truth, "one two three four five eleven twelve") == pytest.approx(2 / 3)
    assert paragraph_recall(truth, "") == 0.0
    assert paragraph_recall("", "anything") == 1.0
