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


def page_f1(score: PageScore) -> float:
    """One page's F1 (0 for an empty prediction)."""
    p, r = score.precision or 0.0, score.recall
    return 2 * p * r / (p + r) if p + r else 0.0


# A page is catastrophic for an extractor when the baseline does well on it and the
# extractor keeps little of it: silent data loss, whatever the average says.
CATASTROPHE_BASELINE = 0.8
CATASTROPHE_OURS = 0.5


def catastrophic(ours: Sequence[PageScore], baseline: Sequence[PageScore]) -> list[int]:
    """Indexes of pages where the baseline's F1 is >= 0.8 and ours < 0.5."""
    return [
        i
        for i, (mine, theirs) in enumerate(zip(ours, baseline, strict=True))
        if page_f1(theirs) >= CATASTROPHE_BASELINE and page_f1(mine) < CATASTROPHE_OURS
    ]


# A paragraph of the truth counts as kept when this share of its shingles is predicted.
PARAGRAPH_KEPT = 0.5


def paragraph_recall(truth: str, prediction: str) -> float:
    """The share of the truth's paragraphs (lines) that the prediction keeps."""
    paragraphs = [line for line in truth.splitlines() if tokens(line)]
    if not paragraphs:
        return 1.0
    got = shingles(prediction)
    predicted_words = f" {' '.join(tokens(prediction))} "
    kept = 0
    for paragraph in paragraphs:
        words = tokens(paragraph)
        if len(words) < SHINGLE:  # too short for a shingle of its own: look for its words
            kept += f" {' '.join(words)} " in predicted_words
            continue
        wanted = shingles(paragraph)
        found = sum((wanted & got).values())
        kept += found >= PARAGRAPH_KEPT * sum(wanted.values())
    return kept / len(paragraphs)
