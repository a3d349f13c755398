"""The article-extraction benchmark's metric: 4-token shingle precision and recall.

Defined by scrapinghub/article-extraction-benchmark: `\\w+` tokens, overlapping 4-token
shingles counted as multisets, precision averaged over non-empty predictions, recall over
all pages, F1 the harmonic mean of the two averages, ± the std of 1000 bootstrap resamples.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str) -> list[str]:
    """The text's `\\w+` tokens."""
    return _TOKEN.findall(text)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Overlapping 4-token shingles as a multiset; 1-3 tokens give one shorter shingle."""
    toks = tokens(text)
    if not toks:
        return Counter()
    n = max(1, len(toks) - SHINGLE + 1)
    return Counter(tuple(toks[i : i + SHINGLE]) for i in range(n))


@dataclass(frozen=True)
class PageScore:
    """One page's scores; precision is None for an empty prediction."""

    precision: float | None
    recall: float
    exact: bool


def score_page(truth: str, prediction: str) -> PageScore:
    """Shingle precision and recall of one prediction against its truth."""
    expected, got = shingles(truth), shingles(prediction)
    tp = sum((expected & got).values())
    fp = sum(got.values()) - tp
    fn = sum(expected.values()) - tp
    precision = (tp / (tp + fp) if tp + fp else 1.0) if got else None
    recall = tp / (tp + fn) if tp + fn else 1.0
    return PageScore(precision, recall, tokens(truth) == tokens(prediction))


@dataclass(frozen=True)
class Summary:
    """Benchmark figures over a set of pages."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def summarise(scores: Sequence[PageScore]) -> Summary:
    """P over non-empty predictions, R over all pages, F1 of the two means, accuracy."""
    precisions = [s.precision for s in scores if s.precision is not None]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(s.recall for s in scores)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    accuracy = sum(s.exact for s in scores) / len(scores)
    return Summary(p, r, f1, accuracy)


def bootstrap_std(scores: Sequence[PageScore], resamples: int = 1000, seed: int = 0) -> Summary:
    """Standard deviation of each figure over bootstrap resamples of the pages."""
    rng = random.Random(seed)
    runs = [summarise(rng.choices(scores, k=len(scores))) for _ in range(resamples)]
    return Summary(
        statistics.stdev(s.precision for s in runs),
        statistics.stdev(s.recall for s in runs),
        statistics.stdev(s.f1 for s in runs),
        statistics.stdev(s.accuracy for s in runs),
    )
