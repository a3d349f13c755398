"""Quality gate: the generic extractor's F1 on a fixed subset of the extraction benchmark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from benchmarks.metric import score_page, shingles, summarise
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


def test_generic_extraction_f1_above_floor() -> None:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    scores = []
    for item_id, page in sorted(truth.items()):
        html = gzip.decompress((BENCHMARK / "html" / f"{item_id}.html.gz").read_bytes())
        article = extract_article(html.decode("utf-8"), page["url"])
        scores.append(score_page(page["articleBody"], article.text if article else ""))
    assert summarise(scores).f1 >= F1_FLOOR


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
